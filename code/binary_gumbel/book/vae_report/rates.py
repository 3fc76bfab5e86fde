"""The learning-rate check: for each method, its best learning rate on the grid and how much
the one rate common to all methods gives up against it, paired by seed, with intervals
(:func:`rate_check`, a :class:`RateCheck`), and which methods do best at an end of the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    check_false_alarm,
    check_no_nan,
    finite_float64,
    finite_number,
)
from binary_gumbel.book.prose.numbers import number
from binary_gumbel.book.vae_report._checks import _check_numbers, _check_run, _difference
from binary_gumbel.estimators.vae_training import Training
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = ["RateCheck", "rate_check"]


def _check_rate(value, rates: tuple[float, ...], name: str) -> None:
    """``ValueError`` naming ``name`` unless ``value`` is one of the learning rates ``rates``:
    a rate that was not run would be printed as if it had been."""
    if value not in rates:
        raise ValueError(f"{name} must be one of the run's learning rates {rates}; got {value}")


@dataclass(frozen=True)
class RateCheck:
    """For each method, its best learning rate and how much the common one gives up.

    ``shortfall[m]`` is the mean over seeds of (final ELBO at the best rate) minus
    (final ELBO at ``common``), paired by seed, with Student-t bounds ``low``, ``high``
    (0 where the best rate is the common one). ``common`` and every ``best`` rate are among
    ``rates`` (``ValueError`` naming the field otherwise).
    """

    methods: tuple[str, ...]
    rates: tuple[float, ...]
    common: float
    best: tuple[float, ...]
    shortfall: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __post_init__(self):
        if not self.rates:
            raise ValueError("rates must hold at least one learning rate")
        for name in ("best", "shortfall", "low", "high"):
            if len(getattr(self, name)) != len(self.methods):
                raise ValueError(
                    f"{name} must hold one value per method ({len(self.methods)}); "
                    f"got {len(getattr(self, name))}"
                )
            check_no_nan(as_float_array(getattr(self, name), name, np.float64), name)
        _check_numbers(self, ("common",))
        _check_rate(self.common, self.rates, "common")
        for b in self.best:
            _check_rate(b, self.rates, "best")

    def elsewhere_text(self) -> str:
        """The methods whose mean final ELBO is highest at another rate than the common one,
        by how much, with intervals (prose): a lead whose interval contains 0 is no optimum."""
        parts = [
            f"{m}'s mean is highest at {b:g}, ahead of the common rate by {number(s)} nats "
            f"[{number(lo)}, {number(hi)}]"
            for m, b, s, lo, hi in zip(
                self.methods, self.best, self.shortfall, self.low, self.high, strict=True
            )
            if b != self.common
        ]
        return "; ".join(parts) if parts else "every method's mean is highest at the common rate"

    def edge_text(self) -> str:
        """Which methods do best at an end of the grid (prose)."""
        if not self.at_edge:
            return "No method does best at either end of the grid"
        return "At an end of the grid: " + ", ".join(self.at_edge)

    @property
    def at_edge(self) -> tuple[str, ...]:
        """The methods whose best rate is the smallest or the largest of the grid."""
        edge = (min(self.rates), max(self.rates))
        return tuple(m for m, b in zip(self.methods, self.best, strict=True) if b in edge)


def _best_mean(values: np.ndarray, axis) -> int:
    """The index of the highest mean of the finite ``values`` over ``axis`` (the first of
    equal ones); a sum beyond the largest double is taken over the values divided first."""
    with np.errstate(over="ignore"):
        means = values.mean(axis=axis)
    if not np.isfinite(means).all():
        means = np.sum(values / (values.size // means.size), axis=axis)
    return int(np.argmax(means))


def rate_check(run: Training, common: float | None = None, false_alarm: float = 0.05) -> RateCheck:
    """:class:`RateCheck` of a run over several learning rates (final checkpoint).

    ``common`` defaults to the rate with the highest final test ELBO averaged over the
    methods and seeds: the one rate chosen for all methods. The final ELBOs must be finite
    (``ValueError``: a NaN would be picked as the highest).
    """
    rates = tuple(_check_run(run).learning_rates)
    finals = finite_float64(run.test_elbo[:, :, :, -1], "run.test_elbo (final checkpoint)")
    check_false_alarm(false_alarm, "false_alarm")
    if common is None:
        common = rates[_best_mean(finals, (0, 2))]
    else:
        common = finite_number(common, "common")
    _check_rate(common, rates, "common")
    c = rates.index(common)
    best, short, low, high = [], [], [], []
    for name in run.methods:
        final = finals[run.index(name)]  # (rates, seeds)
        i = _best_mean(final, 1)
        best.append(rates[i])
        if i == c:
            short.append(0.0)
            low.append(0.0)
            high.append(0.0)
            continue
        d = _difference(
            final[i], final[c], f"the final test ELBOs of {name!r} at {rates[i]:g} and {common:g}"
        )
        m, lo, hi = mean_intervals(d, axis=0, false_alarm=false_alarm)
        short.append(float(m))
        low.append(float(lo))
        high.append(float(hi))
    return RateCheck(
        run.methods, rates, common, tuple(best), np.array(short), np.array(low), np.array(high)
    )
