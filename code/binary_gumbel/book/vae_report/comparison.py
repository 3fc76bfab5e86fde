"""The paired comparison of two methods: the final test ELBO of one minus the other's, seed by
seed, with its Student-t interval and the paired t-test's p-value.

Two methods run on the same seeds see the same data, so their difference is taken seed by
seed (:func:`paired`, a :class:`Paired`); the p-value at the extremes (equal differences,
differences near the ends of the doubles) is its limit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from binary_gumbel._validation import (
    check_false_alarm,
    check_index,
    check_probability,
    finite_float64,
    single_number,
)
from binary_gumbel.book.prose.numbers import scientific
from binary_gumbel.book.vae_report._checks import _check_numbers, _check_run, _difference
from binary_gumbel.estimators.vae_training import Training
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = ["Paired", "paired"]


@dataclass(frozen=True)
class Paired:
    """Final test ELBO of ``a`` minus that of ``b``, paired by seed.

    ``difference``, ``low`` and ``high`` are numbers (``ValueError`` for NaN), ``pvalue`` a
    probability and ``false_alarm`` a rate in (0, 1).
    """

    a: str
    b: str
    difference: float
    low: float
    high: float
    pvalue: float
    false_alarm: float

    def __post_init__(self):
        _check_numbers(self, ("difference", "low", "high"))
        single_number(check_probability(self.pvalue, "pvalue", np.float64), "pvalue")
        check_false_alarm(self.false_alarm, "false_alarm")

    @property
    def ordering(self) -> str:
        """Whether "``a`` above ``b``" holds, is reversed, or is not resolved by the interval."""
        if self.low > 0:
            return "holds (interval above 0)"
        if self.high < 0:
            return "is reversed (interval below 0)"
        return "is not resolved (interval contains 0)"

    @property
    def verdict(self) -> str:
        """Which method the interval puts above the other, by name, or that it does not."""
        if self.low > 0:
            return f"{self.a} is above {self.b}"
        if self.high < 0:
            return f"{self.b} is above {self.a}"
        return f"neither {self.a} nor {self.b} is shown above the other"

    @property
    def text(self) -> str:
        """``+0.12 [+0.05, +0.19] nats (paired t-test p = 3.1×10⁻³)``."""
        body = f"{self.difference:+.2f} [{self.low:+.2f}, {self.high:+.2f}] nats"
        return body.replace("-", "−") + f" (paired t-test p = {scientific(self.pvalue)})"


#: The range of the largest paired difference in magnitude within which scipy's t-test is
#: taken as it is: squared deviations of that size neither underflow nor overflow.
_PLAIN_RANGE = (2.0**-500, 2.0**500)


def _paired_pvalue(ea: np.ndarray, eb: np.ndarray, d: np.ndarray) -> float:
    """The two-sided p-value of the paired t-test of ``ea`` against ``eb``, ``d = ea - eb``.

    scipy's ``ttest_rel`` where it computes the statistic as it is. Where every difference is
    the same, ``t = mean / 0`` has its limit: p = 1 for a zero difference (``t = 0`` at any
    spread) and p = 0 otherwise (``|t| = inf``). Where the largest difference in magnitude is
    beyond :data:`_PLAIN_RANGE`, or where scipy itself warns (its ``RuntimeWarning`` that the
    differences are nearly identical and its moments imprecise), ``t`` is computed from the
    differences scaled exactly by a power of two (``t`` does not change) and taken about the
    first one (which the nearly equal ones subtract from exactly). Nearly equal differences
    that scipy does not warn about keep scipy's answer, with the precision it has.
    """
    if np.all(d == d[0]):
        return 1.0 if d[0] == 0 else 0.0
    top = float(np.max(np.abs(d)))
    if _PLAIN_RANGE[0] <= top <= _PLAIN_RANGE[1]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                return float(stats.ttest_rel(ea, eb).pvalue)
            except RuntimeWarning:  # nearly equal differences: computed below
                pass
    u = np.ldexp(d, -np.frexp(top)[1])
    e = u - u[0]  # not all 0: scaling by a power of two keeps unequal differences unequal
    t = (u[0] + e.mean()) / (e.std(ddof=1) / np.sqrt(d.size))
    return float(2 * stats.t.sf(abs(t), d.size - 1))


def paired(run: Training, a: str, b: str, rate_index: int = 0, false_alarm: float = 0.05) -> Paired:
    """Compare the final test ELBO of methods ``a`` and ``b`` seed by seed, at the learning rate
    ``run.learning_rates[rate_index]`` (an integer index, negative from the end).

    The p-value of equal differences on every seed is its limit (:func:`_paired_pvalue`).
    """
    rates = len(_check_run(run).learning_rates)
    rate_index = check_index(rate_index, "rate_index", rates, "the run's learning rates")
    ea = finite_float64(run.final_elbo(a, rate_index), f"the final test ELBOs of {a!r}")
    eb = finite_float64(run.final_elbo(b, rate_index), f"the final test ELBOs of {b!r}")
    d = _difference(ea, eb, f"the final test ELBOs of {a!r} and {b!r}")
    mean, low, high = mean_intervals(d, axis=0, false_alarm=false_alarm)
    p = _paired_pvalue(ea, eb, d)
    return Paired(a, b, float(mean), float(low), float(high), p, false_alarm)
