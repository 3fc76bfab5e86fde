"""The numerics chapter's timing studies: the uniform draw after the two-class route, the
temperatures compared paired by round, and the spread of the ratios over several calls."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    check_count,
    check_false_alarm,
    check_open_interval,
    check_tau,
)
from binary_gumbel.bench.routes import RATIOS
from binary_gumbel.relaxed import (
    logit_from_probability,
    sample_binary_gumbel_softmax,
    sample_two_class_gumbel_softmax,
)

__all__ = [
    "PairedTaus",
    "paired_tau_comparison",
    "spread_over_calls",
    "uniform_after_two_class",
]


def uniform_after_two_class(
    n: int = 500_000, repeats: int = 7, tau: float = 0.3, p: float = 0.7, seed: int = 0
) -> dict[str, float]:
    """Median ns per sample of the bare uniform draw, timed right after the two-class route.

    Each round runs the two-class route (which allocates and frees arrays of ``2 n``
    doubles), then times ``rng.random`` into an output allocated before the timing
    (``"preallocated"``), then runs the two-class route again and times ``rng.random(n)``,
    which allocates its output (``"fresh"``); the two alternate which goes first. The
    difference is what an allocation inside a timed call adds after that route.
    """
    n, repeats = check_count(n, "n"), check_count(repeats, "repeats")
    logit = float(logit_from_probability(p))
    rng = np.random.default_rng(seed)
    out = np.empty(n)
    draws = {"preallocated": lambda: rng.random(out=out), "fresh": lambda: rng.random(n)}
    seconds = {name: [] for name in draws}
    names = list(draws)
    for k in range(repeats):
        for name in names[k % 2 :] + names[: k % 2]:
            sample_two_class_gumbel_softmax(logit, tau, n, rng)
            start = time.perf_counter()
            draws[name]()
            seconds[name].append(time.perf_counter() - start)
    return {name: float(np.median(s)) / n * 1e9 for name, s in seconds.items()}


@dataclass(frozen=True)
class PairedTaus:
    """The library sampler timed at two temperatures in each dtype, all four in every round.

    ``seconds[(dtype, tau)][k]`` is round ``k``'s time; ``order[k]`` the order in which
    round ``k`` ran the four, rotating from round to round. Ratios are per round, so a
    load that is constant within a round cancels; the comparison is the paired Wilcoxon
    signed-rank test on the logarithms of the per-round ratios (two-sided).
    """

    n: int
    p: float
    taus: tuple[float, float]  # (reference, other)
    dtypes: tuple[str, ...]
    seconds: dict[tuple[str, float], tuple[float, ...]]
    order: tuple[tuple[tuple[str, float], ...], ...]

    def _per_round(self, top: tuple[str, float], bottom: tuple[str, float]) -> np.ndarray:
        return np.array(self.seconds[top]) / np.array(self.seconds[bottom])

    @property
    def tau_ratios(self) -> dict[str, np.ndarray]:
        """Per dtype, the per-round time at ``taus[1]`` over that at ``taus[0]``."""
        ref, other = self.taus
        return {d: self._per_round((d, other), (d, ref)) for d in self.dtypes}

    @property
    def dtype_ratios(self) -> dict[float, np.ndarray]:
        """Per temperature, the per-round float64 time over the float32 time."""
        return {t: self._per_round(("float64", t), ("float32", t)) for t in self.taus}

    @staticmethod
    def _checked(ratios) -> np.ndarray:
        """``ratios`` as a float64 array of per-round ratios: non-empty, one-dimensional,
        each positive and finite, since the test compares their logarithms with 0.
        ``TypeError`` or ``ValueError`` naming ``ratios`` otherwise."""
        arr = check_open_interval(ratios, "ratios", 0.0, np.inf, "positive and finite", np.float64)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(
                f"ratios must be a non-empty one-dimensional array of per-round ratios; "
                f"got shape {arr.shape}"
            )
        return arr

    @classmethod
    def p_value(cls, ratios) -> float:
        """Two-sided paired Wilcoxon signed-rank p-value of ``log(ratios)`` against 0.

        Rounds whose ratio is exactly 1 carry no sign and are left out of the test. When
        every ratio is exactly 1 (a coarse timer can time both routes alike in every
        round), no round shows a difference and the p-value is 1: no evidence of one.
        """
        from scipy import stats

        logs = np.log(cls._checked(ratios))
        if not logs.any():
            return 1.0
        return float(stats.wilcoxon(logs).pvalue)

    @classmethod
    def summary(cls, ratios) -> tuple[float, float, float, float]:
        """Median, smallest and largest per-round ratio, and :meth:`p_value`."""
        ratios = cls._checked(ratios)
        return (
            float(np.median(ratios)),
            float(ratios.min()),
            float(ratios.max()),
            cls.p_value(ratios),
        )

    @classmethod
    def verdict(cls, ratios, false_alarm: float) -> str:
        """ "slower" or "faster" when the paired test resolves the ratio from 1 at
        ``false_alarm``, a rate in (0, 1), the direction from the median per-round ratio;
        else "unresolved"."""
        false_alarm = check_false_alarm(false_alarm)
        ratios = cls._checked(ratios)
        if cls.p_value(ratios) >= false_alarm:
            return "unresolved"
        return "slower" if np.median(ratios) > 1 else "faster"


def paired_tau_comparison(
    n: int = 200_000,
    rounds: int = 21,
    taus: tuple[float, float] = (0.3, 0.01),
    p: float = 0.7,
    seed: int = 0,
) -> PairedTaus:
    """Time the library sampler at ``taus[0]`` and ``taus[1]``, in float64 and float32.

    Each of ``rounds`` rounds times all four ``(dtype, tau)`` routes once, writing ``n``
    samples into outputs allocated before the timing, in an order rotated by one from
    the round before; see :class:`PairedTaus` for the per-round ratios and their test.
    ``taus`` must be two different positive, finite temperatures, since the results are
    keyed by temperature.
    """
    n, rounds = check_count(n, "n"), check_count(rounds, "rounds")
    checked = check_tau(taus, np.float64, name="taus")
    if checked.shape != (2,) or checked[0] == checked[1]:
        raise ValueError(
            f"taus must be two different temperatures (reference, other); got {taus!r}"
        )
    taus = (float(checked[0]), float(checked[1]))
    logit = float(logit_from_probability(p))
    rng = np.random.default_rng(seed)
    dtypes = ("float64", "float32")
    names = [(d, t) for d in dtypes for t in taus]
    out = {d: np.empty(n, d) for d in dtypes}

    def route(name):
        return sample_binary_gumbel_softmax(
            logit, name[1], rng=rng, dtype=name[0], out=out[name[0]]
        )

    for name in names:
        sample_binary_gumbel_softmax(logit, name[1], min(n, 1000), rng, dtype=name[0])  # warm-up
    seconds = {name: [] for name in names}
    order = []
    for k in range(rounds):
        this_round = names[k % len(names) :] + names[: k % len(names)]
        order.append(tuple(this_round))
        for name in this_round:
            start = time.perf_counter()
            route(name)
            seconds[name].append(time.perf_counter() - start)
    return PairedTaus(
        n,
        float(p),
        taus,
        dtypes,
        {name: tuple(s) for name, s in seconds.items()},
        tuple(order),
    )


def spread_over_calls(results) -> dict[str, tuple[float, float, float, float] | None]:
    """Per ratio of :data:`RATIOS`, over several :class:`BenchResult` calls: the smallest and
    largest median ratio, then the smallest and largest per-round ratio (None if not timed)."""
    spread = {}
    for name in RATIOS:
        medians = [r.ratios[name] for r in results]
        if None in medians:
            spread[name] = None
            continue
        lows, highs = zip(*(r.ratio_ranges[name] for r in results), strict=True)
        spread[name] = (min(medians), max(medians), min(lows), max(highs))
    return spread
