"""Statistical checks for Monte Carlo demonstrations, built on :mod:`scipy.stats`.

Every check here is a hypothesis test run at a *stated false-alarm rate*: the
probability that the check fails although the claim it tests is true. The
tolerances are derived from the sampling distribution, never tuned by hand, so
a passing check means "consistent with the claim at that rate" and a failing one
means "contradicts it, with that rate of being wrong".

The default rate is ``1e-6``: a suite of a few hundred such checks then fails
spuriously with probability below ``1e-3``, and with fixed seeds it either
always passes or always fails.

The book's convention, used by every module and chapter: a mean over few runs
(a few dozen seeded training runs, say) gets a Student-t interval
(:func:`mean_interval`, ``n - 1`` degrees of freedom; over ``10**4`` samples or
more it agrees with the normal one to 0.1 %), a proportion an exact
Clopper-Pearson interval (:func:`proportion_interval`), and two sets of runs
paired by seed (the same noise in both) a paired test (:func:`paired_comparison`:
a Student-t interval for the mean of the per-seed differences and a Wilcoxon
signed-rank p-value), never a test for independent samples such as
Mann-Whitney. The rate is always an argument named ``false_alarm``, the
probability that the interval misses the true value (a 95 % interval is
``false_alarm=0.05``), and it is *per interval*: when a page shows ``k``
intervals, the chance that any of them misses is at most ``k * false_alarm``
(Bonferroni, :func:`family_wise`), and a page that wants a family-wise rate
``a`` uses ``a / k`` per interval.
"""

from __future__ import annotations

import fractions
import itertools
import math
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import integrate, special, stats

from binary_gumbel._validation import (
    as_float_array,
    check_false_alarm,
    check_index,
    check_integer,
    check_no_nan,
    check_probability,
    finite_float64,
    finite_number,
    single_number,
)

DEFAULT_FALSE_ALARM = 1e-6

__all__ = [
    "DEFAULT_FALSE_ALARM",
    "Interval",
    "KSCheck",
    "MeanCheck",
    "PairedComparison",
    "ProportionCheck",
    "check_ks",
    "check_mean",
    "check_proportion",
    "family_wise",
    "mean_interval",
    "mean_intervals",
    "paired_comparison",
    "proportion_interval",
    "t_for_false_alarm",
    "t_test_power",
    "z_for_false_alarm",
]


def z_for_false_alarm(false_alarm: float = DEFAULT_FALSE_ALARM) -> float:
    """Two-sided normal quantile ``z`` with ``P(|Z| > z) = false_alarm``.

    For example ``z_for_false_alarm(1e-6)`` is about 4.89. It is SciPy's
    ``stats.norm.isf(false_alarm / 2)`` except where that halving rounds (an odd multiple of
    the smallest subnormal double; to 0 at ``5e-324``, where that gives ``inf``): there
    ``z = -ndtri_exp(log(false_alarm) - log 2)``, the normal quantile of the tail's
    logarithm (38.49 at ``5e-324``).
    """
    false_alarm = check_false_alarm(false_alarm)
    tail = false_alarm / 2
    if tail * 2 != false_alarm:
        return float(-special.ndtri_exp(math.log(false_alarm) - math.log(2)))
    return float(stats.norm.isf(tail))


#: Tails ``false_alarm / 2`` at and above which :func:`t_for_false_alarm` takes SciPy's
#: Student-t quantile, ``stats.t.isf`` (within about 1e-13 relative of the true one there).
#: Below it that quantile drifts further (from tails near 1.2e-160 at 3 degrees of freedom)
#: and turns to ``-inf`` (at 3 degrees of freedom from a tail of 8.7e-238; at 5 to about 200
#: from tails between about 1e-270 and the subnormal ones; at 1 only where the quantile is
#: beyond the largest double), and below the smallest normal double the halved rate may
#: have lost bits.
SCIPY_T_TAIL_FLOOR = 1e-150

#: The degrees of freedom beyond which :func:`t_for_false_alarm` is the normal quantile (the
#: largest 64-bit integer, the largest SciPy's Student-t quantile takes): the two differ by
#: about ``(z^2 + 1) / (4 dof)`` relative, below ``4e-17`` there for every ``z`` up to 38.5,
#: that of the smallest rate.
NORMAL_DOF = 2**63 - 1

#: Nodes and weights of the Gauss-Laguerre rule of :func:`_t_quantile_by_newton`.
_LAGUERRE = np.polynomial.laguerre.laggauss(40)


def t_for_false_alarm(false_alarm: float, dof: int) -> float:
    """Two-sided Student-t quantile ``q`` with ``P(|T_dof| > q) = false_alarm``.

    With ``dof = 23`` (24 runs) and ``false_alarm = 0.05`` it is about 2.069,
    against the normal 1.960.

    SciPy's ``stats.t.isf(false_alarm / 2, dof)`` for a tail ``false_alarm / 2`` of at least
    :data:`SCIPY_T_TAIL_FLOOR`. Below it, from ``P(|T| > q) = I_x(dof/2, 1/2)`` with
    ``x = dof / (dof + q^2)`` (the regularised incomplete beta function): at one degree of
    freedom ``q = cot(pi false_alarm / 2) = (2/pi) / false_alarm`` (the next term,
    ``pi false_alarm / 6``, is below a rounding error there), and ``inf``, its limit, where
    that is beyond the largest double (``false_alarm`` below about ``3.5e-309``); at two,
    ``q = (1 - alpha) sqrt(2 / (alpha (2 - alpha))) = 1 / sqrt(alpha)``, ``alpha = false_alarm``
    (to within a rounding error there); from three, :func:`_t_quantile_by_newton`. Beyond
    :data:`NORMAL_DOF` degrees of freedom it is the normal quantile, :func:`z_for_false_alarm`,
    its limit.
    """
    dof = check_integer(dof, "dof", 1)
    false_alarm = check_false_alarm(false_alarm)
    if dof > NORMAL_DOF:
        return z_for_false_alarm(false_alarm)
    if false_alarm / 2 >= SCIPY_T_TAIL_FLOOR:
        return float(stats.t.isf(false_alarm / 2, dof))
    if dof == 1:
        return 2 / math.pi / false_alarm
    if dof == 2:
        return 1 / math.sqrt(false_alarm)
    return _t_quantile_by_newton(false_alarm, dof)


def _t_quantile_by_newton(false_alarm: float, dof: int) -> float:
    """The ``q`` with ``P(|T_dof| > q) = false_alarm``, for ``dof >= 3`` and a tail
    ``false_alarm / 2`` below :data:`SCIPY_T_TAIL_FLOOR`.

    With ``a = dof / 2``, ``t = q^2 / dof`` and ``x = 1 / (1 + t)``, substituting
    ``s = x e^(-w/a)`` in the incomplete beta integral gives::

        P(|T| > q) = I_x(a, 1/2) = x^a S / (a B(a, 1/2)),
        S = int_0^inf e^(-w) (1 - x e^(-w/a))^(-1/2) dw,

    ``S`` by 40-point Gauss-Laguerre quadrature (the integrand's singularity, at
    ``w = a log x``, lies below -300 for these tails) and ``B(a, 1/2)`` by
    :func:`_log_beta_half`. Newton's method on ``log P - log false_alarm`` in ``log q``,
    whose slope is ``-2 a sqrt(1 - x) / S``, starts from the larger of two points below the
    root, the normal quantile and the root of the leading term ``x^a / (a B(a, 1/2))``
    (``S >= 1``; that root does not exist where ``a B(a, 1/2) > 1 / false_alarm``, from
    ``dof`` near ``false_alarm^-2``), bisects (geometrically) where a step would leave the
    bracket, and stops once the step is within 16 rounding errors. The powers of two of
    ``false_alarm = m 2^e`` and, for ``t > 1``, of ``1 + t = f 2^k`` are taken apart from
    the logarithms of ``m`` and ``f``, ``a log x - log false_alarm = -a log f - log m -
    (a k + e) log 2``, lest ``a log x``, near -745 for a subnormal rate, carry hundreds of
    rounding errors into ``q`` at a few degrees of freedom (for ``t <= 1``,
    ``a log x = -a log1p(t)``: there the slope, at least ``2 a t / (1 + t) >= q^2 / 2``, is
    above 340).
    """
    a = dof / 2
    nodes, weights = _LAGUERRE
    mantissa, exponent = math.frexp(false_alarm)
    log_norm = math.log(a) + _log_beta_half(a)

    def excess_and_slope(q: float) -> tuple[float, float]:
        t = q * q / dof
        if t > 1:  # 1 + t = f 2^k
            fraction, k = math.frexp(1 + t)
            a_log_x, twos = -a * math.log(fraction), a * k + exponent
        else:
            a_log_x, twos = -a * math.log1p(t), exponent
        s = float(weights @ (-np.expm1(-math.log1p(t) - nodes / a)) ** -0.5)
        excess = a_log_x + math.log(s) - log_norm - math.log(mantissa) - twos * math.log(2)
        return excess, 2 * a * math.sqrt(t / (1 + t)) / s

    log_x = (math.log(false_alarm) + log_norm) / a  # the leading term's root, if below 1
    lead = math.sqrt(dof * math.expm1(-log_x)) if log_x < 0 else 0.0
    q = max(z_for_false_alarm(false_alarm), lead)
    low, high = q / 2, 2.0**511  # the root is below 1e108 at dof >= 3
    tolerance = 16 * np.finfo(np.float64).eps
    for _ in range(100):
        excess, slope = excess_and_slope(q)
        if excess > 0:
            low = q
        else:
            high = q
        step = excess / slope
        if abs(step) <= tolerance or high <= low * (1 + tolerance):
            return q * math.exp(step)
        following = q * math.exp(step)
        q = following if low < following < high else math.sqrt(low) * math.sqrt(high)
    raise FloatingPointError(f"no {dof}-dof quantile at false_alarm={false_alarm!r} was found")


def _log_beta_half(a: float) -> float:
    """``log B(a, 1/2)``: SciPy's ``betaln`` below ``a = 20``, above it Stirling's series

    ``log B(a, 1/2) = log(pi) / 2 - log(a) / 2 + 1/(8a) - 1/(192a^3) + 1/(640a^5)
    - 17/(14336a^7) + 31/(18432a^9)``, within 1.3 ulps of its value (against mpmath, ``a``
    up to 10**16); SciPy's ``betaln`` is off by up to about 8e-10 relative for ``a`` from
    about 200 to 10**6.
    """
    if a < 20:
        return float(special.betaln(a, 0.5))
    r = 1 / (a * a)
    series = (1 / 8 - r * (1 / 192 - r * (1 / 640 - r * (17 / 14336 - r * 31 / 18432)))) / a
    return (math.log(math.pi) - math.log(a)) / 2 + series


def family_wise(false_alarm: float, count: int) -> float:
    """Bonferroni's bound ``min(1, count * false_alarm)`` on the chance that any of
    ``count`` intervals, each at ``false_alarm``, misses its true value.

    The product is taken exactly and rounded once (as ``count * false_alarm`` is, for a
    count below ``2**53``), so that a count beyond the largest double is no overflow.
    """
    count = check_integer(count, "count", 1)
    bound = count * fractions.Fraction(check_false_alarm(false_alarm))
    return 1.0 if bound >= 1 else float(bound)


def t_test_power(effect: float, n: int, false_alarm: float = 0.05) -> float:
    """The power of the two-sided Student-t test of a zero mean on ``n`` i.i.d. normal
    values (or ``n`` paired differences) whose mean is ``effect`` standard deviations.

    ``P(|T'| > q)``, with ``q`` :func:`t_for_false_alarm` at ``n - 1`` degrees of freedom
    and ``T'`` noncentral Student-t with ``n - 1`` degrees of freedom and noncentrality
    ``effect * sqrt(n)``: the chance that the interval of :func:`mean_interval` at
    ``false_alarm`` excludes 0. It is ``false_alarm`` at ``effect = 0``, grows with
    ``|effect|`` and is 1 at an infinite ``effect``; at ``effect = t_{0.975, 4} / sqrt(5)``
    (a mean of one half-width of a five-value 95 % interval) and ``n = 5`` it is 0.56.

    Both tails are upper tails, ``P(T' > q)`` at noncentrality ``+|d|`` and ``-|d|``
    (``scipy.stats.nct.cdf`` returns NaN in parts of the lower one). Where SciPy's series
    does not converge (huge noncentralities, or one to three degrees of freedom at tiny
    rates), and where it returns less than the rate, which the power never is, by more than
    its rounding (0 at rates below about 1e-200, without a warning), the power is the same
    probability as an integral over the normal numerator, :func:`_t_test_power_by_quadrature`.
    Beyond :data:`NORMAL_DOF` degrees of freedom it is the normal test's power
    ``P(|Z + shift| > q)``, its limit.
    """
    n = check_integer(n, "n", 2)
    effect = check_no_nan(as_float_array(effect, "effect", np.float64), "effect")
    effect = single_number(effect, "effect")
    q, dof = t_for_false_alarm(false_alarm, n - 1), n - 1
    shift = _times_root(abs(effect), n)
    if math.isinf(shift):
        return 1.0
    if dof > NORMAL_DOF:  # the normal test's power, the limit (SciPy's nct takes no such dof)
        return float(min(1.0, stats.norm.sf(q - shift) + stats.norm.sf(q + shift)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        power = stats.nct.sf(q, dof, shift) + stats.nct.sf(q, dof, -shift)
    if caught or not power >= false_alarm * (1 - _NCT_ROUNDING):
        power = _t_test_power_by_quadrature(shift, q, dof)
    return float(min(1.0, max(0.0, power)))


def _times_root(x: float, n: int) -> float:
    """``x * sqrt(n)`` for a float ``x >= 0`` and an int ``n >= 0`` of any size.

    ``x * math.sqrt(n)`` where ``n`` converts to a double; beyond the doubles (``10**400``),
    where that conversion overflows, exactly from ``math.isqrt(n)`` (within ``1 / sqrt(n)``
    relative) and rounded once, ``inf`` where the product is beyond the largest double.
    """
    try:
        return x * math.sqrt(n)
    except OverflowError:  # n beyond the doubles
        root = math.isqrt(n)
    try:  # an infinite x overflows in Fraction too: its product is inf
        return float(fractions.Fraction(x) * root)
    except OverflowError:
        return math.inf


#: SciPy's noncentral t at noncentrality 0 is within 4.5e-13 relative of the rate (seen over
#: rates from 1e-150 to 0.5, 1 to 10**7 degrees of freedom); :func:`t_test_power` takes a
#: power below the rate by more than this for a failure of its series.
_NCT_ROUNDING = 1e-10

#: The half-width of the range of ``Z`` that :func:`_t_test_power_by_quadrature` integrates
#: over: the normal mass beyond it, ``2 Phi(-40)`` or about ``7e-350``, is below a rounding
#: error of the smallest power there is (the smallest rate, ``5e-324``).
_NORMAL_REACH = 40.0


def _t_test_power_by_quadrature(shift: float, q: float, dof: int) -> float:
    """``P(|Z + shift| > q S)``, ``S = chi_dof / sqrt(dof)``, ``Z`` standard normal.

    It is ``E[F(|Z + shift| / q)]`` with ``F(s) = P(S <= s) = P(dof/2, dof s^2 / 2)`` (the
    regularised lower incomplete gamma function), integrated over ``z`` in ``[-40, 40]``
    (:data:`_NORMAL_REACH`), split where ``z + shift`` is 0 and ``q``. At ``z + shift =
    +-q`` ``F(|z + shift| / q)`` rises over about ``q w``, ``w = 1 / sqrt(2 dof)`` (the
    spread of ``S``); where that is narrower than the normal density (``q w < 1``), ``quad``
    stepped over it unseen (4e-4 relative at ``dof = 10**7``), and the integral is also
    split at ``z + shift = -q`` and ``+-q (1 +- 2^k w)``, ``k = 0, 1, ...`` up to the first
    ``2^k w >= 1``. Each piece is asked for ``1e-12`` relative, or ``8 sqrt(dof)`` rounding
    errors from about ``3e5`` degrees of freedom, where ``F`` moves by about ``sqrt(dof)``
    ulps within an ulp of its argument. Against SciPy's noncentral t and mpmath (shift/q
    from 0 to 5, q from 0.5 to 30): within 6e-13 relative up to ``10**6`` degrees of
    freedom; from ``10**7`` to ``10**9`` within 2e-8, the error of SciPy's ``gammainc``
    itself, low by 0.7 % to 60 % from 5 standard deviations below its mean at ``a`` from 5e6
    to 5e8. The power is integrated where it is at most 1/2, and its complement, the chance
    of a miss ``E[1 - F(|Z + shift| / q)]``, where it is above: the smaller of the two keeps
    its digits (a power near the rate, down to ``5e-324``, and a miss near 0, where the
    power is 1). Where ``x = dof s^2 / 2`` is below ``e^-50`` (or its square underflows),
    ``F = exp(a log x - log Gamma(a + 1))``, ``a = dof / 2``, the leading term of its series
    (the next is ``x`` relative at most).
    """
    half = dof / 2
    low, high = -_NORMAL_REACH, _NORMAL_REACH
    spread = 1 / math.sqrt(2 * dof)
    points = {-shift, q - shift}
    if q * spread < 1:  # steps narrower than the normal density
        offsets = [spread * 2.0**k for k in range(1 - math.floor(math.log2(spread)))]
        steps = {side * (1 + sign * r) for side in (q, -q) for sign in (1, -1) for r in offsets}
        points |= {-q - shift} | {step - shift for step in steps}
    cuts = sorted({low, high} | {c for c in points if low < c < high})
    # F's rounding: an argument within an ulp moves F by up to sqrt(dof) ulps at its step
    tolerance = max(1e-12, 8 * np.finfo(np.float64).eps * math.sqrt(dof))
    log_scale = math.log(half) - 2 * math.log(q)

    def below(distance: float) -> float:  # F(distance / q)
        log_x = log_scale + 2 * math.log(distance) if distance > 0 else -math.inf
        if log_x < -50:
            return math.exp(half * log_x - math.lgamma(half + 1))
        return float(special.gammainc(half, math.exp(log_x) if log_x < 709 else math.inf))

    def above(distance: float) -> float:  # 1 - F(distance / q)
        s = distance / q
        return float(special.gammaincc(half, half * (s * s)))

    def expectation(chance) -> float:  # E[chance(|Z + shift|)]
        def weighted(z: float) -> float:
            return math.exp(-z * z / 2) * chance(abs(z + shift))

        total = sum(
            integrate.quad(weighted, a, b, epsabs=0.0, epsrel=tolerance, limit=200)[0]
            for a, b in itertools.pairwise(cuts)
        )
        return total / math.sqrt(2 * math.pi)

    power = expectation(below)
    return power if power <= 0.5 else 1.0 - expectation(above)


class Interval(NamedTuple):
    """An estimate and its two-sided interval ``[low, high]``."""

    estimate: float
    low: float
    high: float


def _finite_values(values, name: str = "values") -> np.ndarray:
    x = as_float_array(values, name, np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"{name} must hold at least 2 values; got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


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


#: The sample standard deviations from which :func:`_mean_and_half` keeps the plain
#: formula: each squared deviation that underflows rounds by at most ``2**-1075``, so a
#: variance of at least ``2**-1000`` loses at most ``n 2**-75`` of itself.
_LEAST_PLAIN_SPREAD = 2.0**-500


def _mean_and_half(v: np.ndarray, axis: int, scale: float):
    """The means along ``axis`` of the finite ``v`` and ``scale s / sqrt(n)``, ``s`` the
    sample standard deviation of the ``n`` values.

    By the plain formulas, except in a slice where the mean overflows (the sum is beyond the
    largest double), or where the half-width overflows (squared deviations beyond the largest
    double, or ``scale s`` before the division) or ``s`` is below
    :data:`_LEAST_PLAIN_SPREAD` (or 0, its squares having underflowed): there that one is
    taken from the values scaled exactly by a power of two, ``u = v 2^-k`` with
    ``2^(k-1) <= max |v| < 2^k``, about the one of largest magnitude, ``c``: ``d = u - c``,
    ``mean = (c + mean(d)) 2^k`` (between ``-max |v|`` and ``max |v|``, and ``c`` itself
    when all are ``c``), ``scale s / sqrt(n) = scale (std(d) / sqrt(n)) 2^k`` (0 when
    ``std(d)`` is, and ``inf`` only beyond the largest double). Values below
    ``2^(k - 1075)`` underflow in ``u``: they are below a rounding error of the largest.
    """
    n = v.shape[axis]
    with np.errstate(over="ignore", invalid="ignore"):
        mean = v.mean(axis=axis)
        spread = v.std(axis=axis, ddof=1)
        half = scale * spread / np.sqrt(n)
    mean_kept = np.isfinite(mean)
    half_kept = np.isfinite(half) & (spread >= _LEAST_PLAIN_SPREAD)
    redo = ~(mean_kept & half_kept)
    if not np.any(redo):
        return mean, half
    mean, half = np.array(mean), np.array(half)
    w = np.moveaxis(v, axis, -1)[redo]
    _, k = np.frexp(np.max(np.abs(w), axis=-1))
    u = np.ldexp(w, -k[:, None])
    c = np.take_along_axis(u, np.argmax(np.abs(u), axis=-1)[:, None], axis=-1)
    d = u - c
    error = d.std(axis=-1, ddof=1) / math.sqrt(n)
    scaled = np.multiply(scale, error, out=np.zeros_like(error), where=error > 0)
    with np.errstate(over="ignore"):
        mean[redo] = np.where(mean_kept[redo], mean[redo], np.ldexp(c[:, 0] + d.mean(axis=-1), k))
        half[redo] = np.where(half_kept[redo], half[redo], np.ldexp(scaled, k))
    return mean[()], half[()]


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
    """Compare ``a`` and ``b``, paired by index, with a paired test (see the module).

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
