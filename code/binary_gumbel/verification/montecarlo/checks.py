"""The hypothesis checks of Monte Carlo claims, each at a stated false-alarm rate: an exact
binomial check of a probability (:func:`check_proportion`), a Student-t check of a mean
(:func:`check_mean`) and a Kolmogorov-Smirnov test against a distribution function
(:func:`check_ks`), each returning a record that says whether the samples are consistent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from binary_gumbel._validation import (
    as_float_array,
    check_false_alarm,
    check_no_nan,
    check_probability,
    finite_number,
    single_number,
)
from binary_gumbel.verification.montecarlo._samples import _finite_values, _mean_and_half
from binary_gumbel.verification.montecarlo.intervals import mean_interval, proportion_interval
from binary_gumbel.verification.montecarlo.quantiles import DEFAULT_FALSE_ALARM


@dataclass(frozen=True)
class ProportionCheck:
    """An exact (Clopper-Pearson) binomial check of ``P(event) = expected``."""

    successes: int
    n: int
    expected: float
    low: float
    high: float
    false_alarm: float

    @property
    def estimate(self) -> float:
        return self.successes / self.n

    @property
    def consistent(self) -> bool:
        """Whether ``expected`` lies inside the interval."""
        return self.low <= self.expected <= self.high


def check_proportion(
    successes: int, n: int, expected: float, false_alarm: float = DEFAULT_FALSE_ALARM
) -> ProportionCheck:
    """Clopper-Pearson interval for a binomial proportion at coverage ``1 - false_alarm``.

    The interval is exact: if the true proportion is ``expected``, it is
    excluded with probability at most ``false_alarm``. ``expected`` must be one number in
    [0, 1] (``TypeError`` or ``ValueError`` naming it otherwise).
    """
    expected = single_number(check_probability(expected, "expected", np.float64), "expected")
    iv = proportion_interval(successes, n, false_alarm)
    return ProportionCheck(int(successes), int(n), expected, iv.low, iv.high, false_alarm)


@dataclass(frozen=True)
class MeanCheck:
    """A Student-t check of ``E[X] = expected`` from i.i.d. samples."""

    estimate: float
    standard_error: float
    expected: float
    tolerance: float
    n: int
    false_alarm: float

    @property
    def low(self) -> float:
        return self.estimate - self.tolerance

    @property
    def high(self) -> float:
        return self.estimate + self.tolerance

    @property
    def consistent(self) -> bool:
        return abs(self.estimate - self.expected) <= self.tolerance


def check_mean(samples, expected: float, false_alarm: float = DEFAULT_FALSE_ALARM) -> MeanCheck:
    """Check a sample mean against ``expected``: is it inside :func:`mean_interval`?

    The tolerance is ``t * s / sqrt(n)`` (``t`` at ``n - 1`` degrees of freedom,
    ``s`` the sample standard deviation). The central limit theorem makes the
    rate approximate for non-normal samples; it is accurate for the sample
    sizes (``n >= 10**4``) the book's tests use. ``expected`` must be one finite number
    (``TypeError`` or ``ValueError`` naming it otherwise).
    """
    x = _finite_values(samples, "samples")
    expected = finite_number(expected, "expected")
    iv = mean_interval(x, false_alarm)
    se = float(_mean_and_half(x, 0, 1.0)[1])
    return MeanCheck(iv.estimate, se, expected, iv.high - iv.estimate, int(x.size), false_alarm)


@dataclass(frozen=True)
class KSCheck:
    """A one-sample Kolmogorov-Smirnov test against a continuous CDF."""

    statistic: float
    pvalue: float
    n: int
    false_alarm: float

    @property
    def consistent(self) -> bool:
        return self.pvalue > self.false_alarm


def check_ks(samples, cdf, false_alarm: float = DEFAULT_FALSE_ALARM) -> KSCheck:
    """Kolmogorov-Smirnov test of ``samples`` against the callable ``cdf``.

    The test rejects (``consistent`` is False) when the p-value is at most
    ``false_alarm``; under the null hypothesis that happens with probability
    ``false_alarm``. ``cdf`` must be callable and return, for the array of samples it is
    given, an array of their shape whose values lie in [0, 1] (``TypeError`` or
    ``ValueError`` naming ``cdf`` otherwise).
    """
    false_alarm = check_false_alarm(false_alarm)
    x = check_no_nan(as_float_array(samples, "samples", np.float64).ravel(), "samples")
    if x.size == 0:
        raise ValueError("samples must not be empty")
    if not callable(cdf):
        raise TypeError(f"cdf must be a callable, the distribution function; got {cdf!r}")

    def checked_cdf(points: np.ndarray):
        """``cdf(points)``, as it returned them, once they are known to be probabilities."""
        values = cdf(points)
        probabilities = check_probability(values, "cdf(samples)")
        if probabilities.shape != points.shape:
            raise ValueError(
                f"cdf(samples) must have the shape of the samples, {points.shape}; "
                f"got shape {probabilities.shape}"
            )
        return values

    res = stats.kstest(x, checked_cdf)
    return KSCheck(float(res.statistic), float(res.pvalue), int(x.size), false_alarm)
