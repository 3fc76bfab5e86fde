"""Statistical checks for Monte Carlo demonstrations, built on :mod:`scipy.stats`.

Every check here is a hypothesis test run at a *stated false-alarm rate*: the
probability that the check fails although the claim it tests is true. The
tolerances are derived from the sampling distribution, never tuned by hand, so
a passing check means "consistent with the claim at that rate" and a failing one
means "contradicts it, with that rate of being wrong".

The default rate is ``1e-6``: a suite of a few hundred such checks then fails
spuriously with probability below ``1e-3``, and with fixed seeds it either
always passes or always fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from binary_gumbel._validation import as_float_array

DEFAULT_FALSE_ALARM = 1e-6

__all__ = [
    "DEFAULT_FALSE_ALARM",
    "KSCheck",
    "MeanCheck",
    "ProportionCheck",
    "check_ks",
    "check_mean",
    "check_proportion",
    "z_for_false_alarm",
]


def _check_false_alarm(false_alarm: float) -> float:
    false_alarm = float(false_alarm)
    if not 0.0 < false_alarm < 1.0:
        raise ValueError(f"false_alarm must lie in (0, 1); got {false_alarm!r}")
    return false_alarm


def z_for_false_alarm(false_alarm: float = DEFAULT_FALSE_ALARM) -> float:
    """Two-sided normal quantile ``z`` with ``P(|Z| > z) = false_alarm``.

    For example ``z_for_false_alarm(1e-6)`` is about 4.89.
    """
    return float(stats.norm.isf(_check_false_alarm(false_alarm) / 2))


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
    excluded with probability at most ``false_alarm``.
    """
    false_alarm = _check_false_alarm(false_alarm)
    successes, n = int(successes), int(n)
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0; got successes={successes}, n={n}")
    expected = float(expected)
    if not 0.0 <= expected <= 1.0:
        raise ValueError(f"expected must be a probability in [0, 1]; got {expected!r}")
    ci = stats.binomtest(successes, n).proportion_ci(
        confidence_level=1.0 - false_alarm, method="exact"
    )
    return ProportionCheck(successes, n, expected, float(ci.low), float(ci.high), false_alarm)


@dataclass(frozen=True)
class MeanCheck:
    """A normal-approximation check of ``E[X] = expected`` from i.i.d. samples."""

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
    """Check a sample mean against ``expected`` with tolerance ``z * s / sqrt(n)``.

    ``z`` is :func:`z_for_false_alarm`; ``s`` is the sample standard deviation.
    The central limit theorem makes the rate approximate; it is accurate for
    the sample sizes (``n >= 10**4``) used in this book.
    """
    x = as_float_array(samples, "samples", np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"samples must hold at least 2 values; got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite")
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    tol = z_for_false_alarm(false_alarm) * se
    return MeanCheck(float(x.mean()), se, float(expected), tol, int(x.size), false_alarm)


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
    ``false_alarm``.
    """
    false_alarm = _check_false_alarm(false_alarm)
    x = as_float_array(samples, "samples", np.float64).ravel()
    if x.size == 0:
        raise ValueError("samples must not be empty")
    res = stats.kstest(x, cdf)
    return KSCheck(float(res.statistic), float(res.pvalue), int(x.size), false_alarm)
