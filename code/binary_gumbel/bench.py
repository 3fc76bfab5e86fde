"""Speed and memory of the binary Gumbel-softmax sampler against the routes it replaces.

Usage::

    python -m binary_gumbel.bench [--n N] [--repeats R] [--dtype float64|float32]
                                  [--tau TAU] [--p P] [--json]

Routes timed, all drawing ``n`` samples at one ``(logit, tau)``:

- the library's :func:`~binary_gumbel.sample_binary_gumbel_softmax` (and its
  float32 variant when ``--dtype float64``);
- the two-class route it replaces: two Gumbels per sample and a 2-way
  :func:`~binary_gumbel.gumbel_softmax`
  (:func:`~binary_gumbel.relaxed.sample_two_class_gumbel_softmax`);
- the bare uniform draw ``rng.random(n)``, the floor for any inverse-CDF sampler;
- ``torch.distributions.RelaxedBernoulli(...).rsample`` on the CPU in the same
  dtype with one thread, only when torch happens to be installed (it is not a
  dependency).

The library routes and the uniform draw write into output arrays allocated
once, before the timing (``out=``): an allocation inside the timed call costs
page faults whose price depends on what the route before it freed, so a ratio
would depend on the allocator's state and on the order of the routes. The
two-class route and torch's cannot write into a given array; their times
include their allocations (:attr:`Timing.preallocated` says which is which).

The repetitions are interleaved (every route once per round, the order rotating
from round to round) and the reported time is the median; the ratios come from
the same run, and :attr:`BenchResult.ratio_ranges` gives the smallest and largest
of the per-round ratios, which show how much the order and the moment move
them. Everything is single
threaded: NumPy's element-wise functions and ``Generator.random`` run on one
thread (no BLAS is involved), and torch is limited to one thread. Peak memory
is measured separately with :mod:`tracemalloc` (NumPy reports its array
buffers to it) and given in units of the output array's size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from binary_gumbel.relaxed import (
    logit_from_probability,
    sample_binary_gumbel_softmax,
    sample_two_class_gumbel_softmax,
)

__all__ = [
    "BenchResult",
    "Goal",
    "PairedTaus",
    "Timing",
    "main",
    "paired_tau_comparison",
    "run_benchmark",
    "spread_over_calls",
    "timed_routes",
    "uniform_after_two_class",
]

LIBRARY = "library"
LIBRARY_FLOAT32 = "library_float32"
TWO_CLASS = "two_class"
UNIFORM = "uniform"
TORCH = "torch"

LABELS = {
    LIBRARY: "library sample_binary_gumbel_softmax",
    LIBRARY_FLOAT32: "library sample_binary_gumbel_softmax, float32",
    TWO_CLASS: "two-class: 2 Gumbels + 2-way gumbel_softmax",
    UNIFORM: "bare uniform draw rng.random(n)",
    TORCH: "torch RelaxedBernoulli.rsample (1 thread)",
}

#: The routes timed with an output array allocated before the timing.
PREALLOCATED = frozenset({LIBRARY, LIBRARY_FLOAT32, UNIFORM})

#: Each ratio of :attr:`BenchResult.ratios`: (numerator route, denominator route).
RATIOS = {
    "two_class_over_library": (TWO_CLASS, LIBRARY),
    "library_over_uniform": (LIBRARY, UNIFORM),
    "torch_over_library": (TORCH, LIBRARY),
    "library_float64_over_float32": (LIBRARY, LIBRARY_FLOAT32),
}


@dataclass(frozen=True)
class Timing:
    """Median time per sample of one route, and every repetition in seconds.

    ``seconds[k]`` is from round ``k``; ``preallocated`` says whether the route wrote
    into an output allocated before the timing.
    """

    route: str
    label: str
    ns_per_sample: float
    seconds: tuple[float, ...]
    preallocated: bool


@dataclass(frozen=True)
class Goal:
    """One speed or memory goal: the measured value, the threshold, and the verdict."""

    name: str
    value: float | None
    threshold: float
    direction: str  # ">=" or "<="
    met: bool | None  # None when the value could not be measured


@dataclass(frozen=True)
class BenchResult:
    """Everything one benchmark run measured; ``to_dict`` gives its JSON form."""

    n: int
    repeats: int
    tau: float
    logit: float
    dtype: str
    timings: tuple[Timing, ...]
    output_bytes: int
    peak_memory_ratio: dict[str, float]
    torch_available: bool

    def ns(self, route: str) -> float | None:
        """Median ns per sample of ``route``, or None if it was not timed."""
        return next((t.ns_per_sample for t in self.timings if t.route == route), None)

    @property
    def ratios(self) -> dict[str, float | None]:
        """Ratios of median times, all from this run (None for a route not timed)."""
        ns = {t.route: t.ns_per_sample for t in self.timings}
        return {
            name: ns[top] / ns[bottom] if top in ns and bottom in ns else None
            for name, (top, bottom) in RATIOS.items()
        }

    @property
    def ratio_ranges(self) -> dict[str, tuple[float, float] | None]:
        """Smallest and largest per-round ratio: both routes timed in the same round.

        The routes run in a rotating order, so the range shows how much a ratio moves
        with the order of the routes and the moment of the run.
        """
        seconds = {t.route: np.array(t.seconds) for t in self.timings}
        ranges = {}
        for name, (top, bottom) in RATIOS.items():
            if top in seconds and bottom in seconds:
                per_round = seconds[top] / seconds[bottom]
                ranges[name] = (float(per_round.min()), float(per_round.max()))
            else:
                ranges[name] = None
        return ranges

    @property
    def goals(self) -> tuple[Goal, ...]:
        """The issue's goals, judged on this run's measurements."""
        r = self.ratios

        def goal(name, value, threshold, direction):
            met = (
                None
                if value is None
                else bool(value >= threshold if direction == ">=" else value <= threshold)
            )
            return Goal(name, value, threshold, direction, met)

        return (
            goal("speed-up over the two-class route", r["two_class_over_library"], 5.0, ">="),
            goal("cost relative to the bare uniform draw", r["library_over_uniform"], 7.0, "<="),
            goal("speed-up over torch RelaxedBernoulli", r["torch_over_library"], 3.0, ">="),
            goal("float32 speed-up over float64", r["library_float64_over_float32"], 1.0, ">="),
            goal("peak memory, in output arrays", self.peak_memory_ratio[LIBRARY], 2.0, "<="),
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ratios"] = self.ratios
        d["ratio_ranges"] = self.ratio_ranges
        d["goals"] = [asdict(g) for g in self.goals]
        return d


def timed_routes(n: int, tau: float, logit: float, dtype, seed: int) -> dict[str, Callable]:
    """Zero-argument callables, one per route, each drawing ``n`` samples.

    The routes in :data:`PREALLOCATED` write into an output array of their own, allocated
    here, before any timing, and return it: every call returns the same array.
    """
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    out = {name: np.empty(n, dtype) for name in (LIBRARY, UNIFORM)}
    routes = {
        LIBRARY: lambda: sample_binary_gumbel_softmax(
            logit, tau, rng=rng, dtype=dtype, out=out[LIBRARY]
        ),
        TWO_CLASS: lambda: sample_two_class_gumbel_softmax(logit, tau, n, rng, dtype=dtype),
        UNIFORM: lambda: rng.random(out=out[UNIFORM], dtype=dtype),
    }
    if dtype == np.float64:
        out32 = np.empty(n, np.float32)
        routes[LIBRARY_FLOAT32] = lambda: sample_binary_gumbel_softmax(
            logit, tau, rng=rng, dtype=np.float32, out=out32
        )
    torch_route = _torch_route(n, tau, logit, dtype, seed)
    if torch_route is not None:
        routes[TORCH] = torch_route
    return routes


def _torch_route(n: int, tau: float, logit: float, dtype: np.dtype, seed: int) -> Callable | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    dist = torch.distributions.RelaxedBernoulli(
        torch.tensor(tau, dtype=torch_dtype), logits=torch.tensor(logit, dtype=torch_dtype)
    )
    return lambda: dist.rsample((n,))


def _peak_ratio(route: Callable, output_bytes: int) -> float:
    """Peak memory traced while ``route`` runs, in units of ``output_bytes``."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        route()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / output_bytes


def run_benchmark(
    n: int = 10**7,
    repeats: int = 5,
    tau: float = 0.3,
    p: float = 0.7,
    dtype="float64",
    seed: int = 0,
) -> BenchResult:
    """Time every route ``repeats`` times, interleaved, and measure peak memory.

    Returns a :class:`BenchResult`; its ``ratios`` and ``goals`` are computed
    from the medians of this one run, its ``ratio_ranges`` from its rounds.
    """
    if int(n) < 1 or int(repeats) < 1:
        raise ValueError(f"n and repeats must be positive; got n={n}, repeats={repeats}")
    n, repeats, dtype = int(n), int(repeats), np.dtype(dtype)
    logit = float(logit_from_probability(p))
    routes = timed_routes(n, tau, logit, dtype, seed)
    for route in timed_routes(min(n, 1000), tau, logit, dtype, seed).values():
        route()  # warm-up: imports, first-call overheads
    names = list(routes)
    seconds = {name: [] for name in names}
    for k in range(repeats):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            start = time.perf_counter()
            routes[name]()
            seconds[name].append(time.perf_counter() - start)
    timings = tuple(
        Timing(
            name,
            LABELS[name],
            float(np.median(seconds[name])) / n * 1e9,
            tuple(seconds[name]),
            name in PREALLOCATED,
        )
        for name in names
    )
    output_bytes = n * dtype.itemsize
    # Peak memory of a call that allocates its output too, as a caller's call does.
    rng = np.random.default_rng(seed)
    allocating = {
        LIBRARY: lambda: sample_binary_gumbel_softmax(logit, tau, n, rng, dtype=dtype),
        TWO_CLASS: routes[TWO_CLASS],
    }
    peaks = {name: _peak_ratio(route, output_bytes) for name, route in allocating.items()}
    return BenchResult(
        n, repeats, float(tau), logit, dtype.name, timings, output_bytes, peaks, TORCH in routes
    )


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
    if int(n) < 1 or int(repeats) < 1:
        raise ValueError(f"n and repeats must be positive; got n={n}, repeats={repeats}")
    n, repeats = int(n), int(repeats)
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
    def p_value(ratios) -> float:
        """Two-sided paired Wilcoxon signed-rank p-value of ``log(ratios)`` against 0."""
        from scipy import stats

        return float(stats.wilcoxon(np.log(np.asarray(ratios, float))).pvalue)

    @classmethod
    def summary(cls, ratios) -> tuple[float, float, float, float]:
        """Median, smallest and largest per-round ratio, and :meth:`p_value`."""
        ratios = np.asarray(ratios, float)
        return (
            float(np.median(ratios)),
            float(ratios.min()),
            float(ratios.max()),
            cls.p_value(ratios),
        )

    @classmethod
    def verdict(cls, ratios, false_alarm: float) -> str:
        """ "slower" or "faster" when the paired test resolves the ratio from 1 at
        ``false_alarm``, the direction from the median per-round ratio; else "unresolved"."""
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
    """
    if int(n) < 1 or int(rounds) < 1:
        raise ValueError(f"n and rounds must be positive; got n={n}, rounds={rounds}")
    n, rounds = int(n), int(rounds)
    taus = (float(taus[0]), float(taus[1]))
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


def format_result(result: BenchResult) -> str:
    """The human-readable report printed by ``python -m binary_gumbel.bench``."""
    lib = result.ns(LIBRARY)
    lines = [
        f"binary Gumbel-softmax sampling: n = {result.n:,}, tau = {result.tau:g}, "
        f"logit = {result.logit:.4g}, {result.dtype}, one thread",
        f"median of {result.repeats} interleaved repetitions; ratios from this run",
        "",
        f"{'route':<52} {'ns/sample':>10} {'x library':>10}",
    ]
    for t in result.timings:
        lines.append(f"{t.label:<52} {t.ns_per_sample:>10.2f} {t.ns_per_sample / lib:>10.2f}")
    lines += ["", "ratios: median ratio, and the range of the per-round ratios:"]
    for name, ratio in result.ratios.items():
        spread = result.ratio_ranges[name]
        if ratio is not None:
            lines.append(f"  {name:<40} {ratio:>8.2f}  ({spread[0]:.2f} to {spread[1]:.2f})")
    lines.append("(outputs preallocated for: " + ", ".join(sorted(PREALLOCATED)) + ")")
    if not result.torch_available:
        lines.append(f"{LABELS[TORCH]:<52} {'(torch not installed)':>21}")
    lines += ["", "peak memory (tracemalloc), in units of the output array:"]
    for name, ratio in result.peak_memory_ratio.items():
        lines.append(f"  {LABELS[name]:<50} {ratio:>8.2f}")
    lines += ["", "goals:"]
    for g in result.goals:
        value = "not measured" if g.value is None else f"{g.value:.2f}"
        verdict = {True: "met", False: "MISSED", None: "not measured"}[g.met]
        lines.append(f"  {g.name:<42} {value:>12}  (goal {g.direction} {g.threshold:g})  {verdict}")
    return "\n".join(lines)


def _positive_int(text: str) -> int:
    """argparse type: a positive integer, also written as ``1e6``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if not (value >= 1 and value.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m binary_gumbel.bench",
        description=__doc__.splitlines()[0],
        epilog=(
            "Routes: the library sampler (and its float32 variant), the two-class route "
            "(two Gumbels and a 2-way softmax), the bare uniform draw, and torch's "
            "RelaxedBernoulli when torch is installed. Times are medians of interleaved "
            "repetitions on one thread; the goals are judged on ratios from the same run."
        ),
    )
    parser.add_argument(
        "--n",
        type=_positive_int,
        default=10**7,
        metavar="N",
        help="samples drawn per route and repetition (default 1e7)",
    )
    parser.add_argument(
        "--repeats",
        type=_positive_int,
        default=5,
        metavar="R",
        help="interleaved repetitions; the median is reported (default 5)",
    )
    parser.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="dtype of the samples (default float64, which also times float32)",
    )
    parser.add_argument(
        "--tau", type=float, default=0.3, metavar="TAU", help="temperature, > 0 (default 0.3)"
    )
    parser.add_argument(
        "--p",
        type=float,
        default=0.7,
        metavar="P",
        help="probability P(x > 1/2); logit = log p - log(1 - p) (default 0.7)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the generators (default 0)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = run_benchmark(args.n, args.repeats, args.tau, args.p, args.dtype, args.seed)
    except ValueError as error:  # a bad --tau or --p, named by the library's message
        parser.error(str(error))
    print(json.dumps(result.to_dict(), indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
