"""The book's intervals: the Student-t interval of a mean (of one set of runs, or along an
axis of an array), the exact Clopper-Pearson interval of a proportion (with the binomial
tail roots it needs in the far tails), and the paired comparison of two sets of runs paired by
seed (a Student-t interval for the mean difference and a Wilcoxon signed-rank p-value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special, stats

from binary_gumbel._validation import check_false_alarm, check_index, check_integer, finite_float64
from binary_gumbel.verification.montecarlo._samples import _finite_values, _mean_and_half
from binary_gumbel.verification.montecarlo.quantiles import t_for_false_alarm


class Interval(NamedTuple):
    """An estimate and its two-sided interval ``[low, high]``."""

    estimate: float
    low: float
    high: float


def mean_interval(values, false_alarm: float = 0.05) -> Interval:
    """The mean of i.i.d. ``values`` and its Student-t interval at ``false_alarm``.

    ``mean +- t * s / sqrt(n)``, with ``t`` :func:`t_for_false_alarm` at ``n - 1``
    degrees of freedom and ``s`` the sample standard deviation: exact for normal
    values, and the right width for a few dozen runs, where the normal quantile
    is too small.
    """
    mean, low, high = mean_intervals(_finite_values(values), 0, false_alarm)
    return Interval(float(mean), float(low), float(high))


def mean_intervals(values, axis: int = -1, false_alarm: float = 0.05):
    """:func:`mean_interval` along ``axis`` of an array: ``(mean, low, high)`` arrays.

    ``mean -+ t_{n-1} s / sqrt(n)`` over the ``n`` values on ``axis`` (seeds, runs), with
    ``false_alarm`` the two-sided rate of each interval. Values near the largest double, or
    so small that their squared deviations underflow, give the right mean and half-width
    (:func:`_mean_and_half`); an end beyond the largest double is ``-inf`` or ``inf``, its
    limit.
    """
    v = finite_float64(values, "values")
    if v.ndim == 0:
        raise ValueError("values must be an array with an axis of runs; got a single number")
    axis = check_index(axis, "axis", v.ndim, "the dimensions of values")
    n = v.shape[axis]
    if n < 2:
        raise ValueError(f"values must hold at least 2 runs along axis {axis}; got {n}")
    mean, half = _mean_and_half(v, axis, t_for_false_alarm(false_alarm, n - 1))
    with np.errstate(over="ignore"):
        return mean, mean - half, mean + half


#: The most trials :func:`proportion_interval` takes. Up to it each bound is within 2e-7
#: relative of the exact one (against a 50-digit oracle, 0 to 10**5 successes at rates from
#: 0.05 to 1e-200, and 10**6 to 9 * 10**6 in 10**7 at 0.05 to 1e-99, within 4e-12 there;
#: the worst, 1.1e-7, is SciPy's ``betaincinv`` for the lower bound near
#: 1000 successes in 10**7 at a rate of 1e-60). Beyond it that inverse is off by percents
#: (49 % at 1000 in 10**8) or NaN (10**16 in 10**17), and the upper bound, 1 minus a root
#: near 1, loses the digits of a bound near ``1 / n`` (to 0 at 1 in 10**18).
MAX_TRIALS = 10**7


def proportion_interval(successes: int, n: int, false_alarm: float = 0.05) -> Interval:
    """The proportion ``successes / n`` and its exact (Clopper-Pearson) interval.

    If the true proportion is ``q``, the interval misses ``q`` with probability
    at most ``false_alarm``. With ``k = successes`` and ``a = false_alarm / 2``, the
    bounds solve ``P(Bin(n, low) >= k) = a`` and ``P(Bin(n, high) <= k) = a``
    (Clopper & Pearson 1934), 0 at ``k = 0`` and 1 at ``k = n``; the upper bound is 1 minus
    the lower bound of the ``n - k`` failures. Each is found at ``a`` itself
    (:func:`_binomial_tail_root`), so that no ``1 - a`` rounds to 1 at a small
    ``false_alarm``. ``n`` may be at most :data:`MAX_TRIALS` (``ValueError`` naming it
    otherwise), up to which each bound is within 2e-7 relative of the exact one.
    """
    false_alarm = check_false_alarm(false_alarm)
    successes, n = check_integer(successes, "successes", 0), check_integer(n, "n", 0)
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0; got successes={successes}, n={n}")
    if n > MAX_TRIALS:
        raise ValueError(
            f"n must be at most {MAX_TRIALS} (MAX_TRIALS), the most trials whose interval is "
            f"computed to within 2e-7 relative; got n={n}"
        )
    log_tail = math.log(false_alarm) - math.log(2)  # false_alarm / 2 may round to 0
    low = 0.0 if successes == 0 else _binomial_tail_root(successes, n, log_tail)
    high = 1.0 if successes == n else 1.0 - _binomial_tail_root(n - successes, n, log_tail)
    return Interval(successes / n, low, high)


#: Tails at and above which :func:`_binomial_tail_root` takes SciPy's inverse of the
#: regularised incomplete beta function (good to about 2e-10 relative in ``p`` for ``n``
#: near 10**6 at this floor, to 1e-12 for ``n`` below 10**4); below it that inverse can
#: return NaN (from about 1e-108) or a root off by percents (seen below 1e-255).
SCIPY_TAIL_FLOOR = 1e-100


def _binomial_tail_root(k: int, n: int, log_tail: float) -> float:
    """The ``p`` with ``P(Bin(n, p) >= k) = exp(log_tail)``, for ``1 <= k <= n``.

    That chance is ``I_p(k, n - k + 1)``, the regularised incomplete beta function, so
    ``p`` is the Beta(k, n - k + 1) quantile: SciPy's ``betaincinv`` for a tail of at
    least :data:`SCIPY_TAIL_FLOOR`. Below it, Newton's method on ``log P = log_tail`` in
    ``log p`` (:func:`_log_binomial_upper_tail`), within a bracket that it bisects where a
    step would leave it, until the step or the bracket is within a few rounding errors
    of ``log p``; the slope is ``d log P / d log p = p I'(p) / I(p)``, with
    ``I'(p) = p^(k-1) (1-p)^(n-k) / B(k, n - k + 1)``. The root lies below ``k / n`` (where
    the chance is at least 1/2); the search starts from the root of the leading term at
    small ``p``, ``P = p^k / (k B(k, n - k + 1))``. A root below the smallest double is 0.
    """
    if log_tail >= math.log(SCIPY_TAIL_FLOOR):
        return float(special.betaincinv(k, n - k + 1, math.exp(log_tail)))
    log_beta = float(special.betaln(k, n - k + 1))
    # log C(n, k) = -log k - log B(k, n - k + 1); exactly, from the integer, where that is
    # quick (betaln's rounding would otherwise cost the small k their last nine digits).
    if min(k, n - k) <= 10_000:
        log_comb = math.log(math.comb(n, k))
    else:
        log_comb = -math.log(k) - log_beta
    low, high = math.log(np.finfo(np.float64).smallest_subnormal), math.log(k / n)
    if _log_binomial_upper_tail(k, n, low, log_comb) >= log_tail:
        return 0.0
    log_p = min((log_tail + math.log(k) + log_beta) / k, high)
    tolerance = 16 * np.finfo(np.float64).eps
    for _ in range(200):
        log_chance = _log_binomial_upper_tail(k, n, log_p, log_comb)
        if log_chance < log_tail:
            low = log_p
        else:
            high = log_p
        log_density = k * log_p + (n - k) * math.log1p(-math.exp(log_p)) - log_beta
        excess = log_chance - log_density  # the log of 1 / slope; a steep slope underflows
        step = (log_chance - log_tail) * math.exp(excess) if excess < 700 else math.inf
        if abs(step) <= tolerance * abs(log_p):
            return math.exp(log_p - step)
        if high - low <= tolerance * abs(log_p):  # log P's own rounding sets the step
            return math.exp(log_p)
        following = log_p - step
        log_p = following if low < following < high else (low + high) / 2
    raise FloatingPointError(f"no root of P(Bin({n}, p) >= {k}) = exp({log_tail!r}) was found")


def _log_binomial_upper_tail(k: int, n: int, log_p: float, log_comb: float) -> float:
    """``log P(Bin(n, p) >= k)`` for ``p = exp(log_p) <= k / n``, given ``log C(n, k)``.

    The first term ``C(n, k) p^k (1-p)^(n-k)`` in logs, then the others by the ratio of
    each to the one before, ``r_j = (n - j) / (j + 1) p / (1 - p)``, which falls with ``j``
    and is below 1 from ``k`` on (the mode is at most ``k``): the rest after a term ``t``
    is below ``t r / (1 - r)``, and the sum stops once that is below ``1e-17`` of it.
    """
    p = math.exp(log_p)
    odds = p / (1 - p)
    total, term = 1.0, 1.0
    for j in range(k, n):
        ratio = (n - j) / (j + 1) * odds
        term *= ratio
        total += term
        if ratio < 1 and term * ratio < 1e-17 * total * (1 - ratio):
            break
    return log_comb + k * log_p + (n - k) * math.log1p(-p) + math.log(total)


@dataclass(frozen=True)
class PairedComparison:
    """Two sets of values paired by index (by seed): the mean of ``a - b`` and tests.

    ``difference`` is the mean per-pair difference ``a_i - b_i`` with its Student-t
    interval ``[low, high]`` at ``false_alarm``; ``pvalue`` is the one-sided
    Wilcoxon signed-rank p-value for "``a`` tends to be below ``b``".
    """

    difference: float
    low: float
    high: float
    pvalue: float
    n: int
    false_alarm: float


def paired_comparison(a, b, false_alarm: float = 0.05) -> PairedComparison:
    """Compare ``a`` and ``b``, paired by index, with a paired test (see
    :mod:`binary_gumbel.verification.montecarlo`).

    The Wilcoxon signed-rank test is exact for up to 50 pairs without ties or
    zero differences (scipy's default); its smallest one-sided p-value with ``n``
    pairs is ``2**-n``.
    """
    a, b = _finite_values(a, "a"), _finite_values(b, "b")
    if a.size != b.size:
        raise ValueError(f"a and b must be paired (the same length); got {a.size} and {b.size}")
    with np.errstate(over="ignore"):  # a difference beyond the largest double: named below
        d = a - b
    if not np.all(np.isfinite(d)):
        i = int(np.argmax(~np.isfinite(d)))
        raise ValueError(
            f"a - b, the per-pair differences, must be within the largest double; "
            f"a[{i}] - b[{i}] = {a[i]!r} - {b[i]!r} is beyond it"
        )
    iv = mean_interval(d, false_alarm)
    if np.all(d == 0):
        p = 1.0
    else:
        p = float(stats.wilcoxon(d, alternative="less").pvalue)
    return PairedComparison(iv.estimate, iv.low, iv.high, p, int(d.size), false_alarm)
