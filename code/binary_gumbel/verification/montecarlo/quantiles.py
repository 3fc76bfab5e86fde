"""The rates and quantiles of the book's statistics: the default false-alarm rate, the
two-sided normal and Student-t quantiles at a rate (right in the far tails, where SciPy's
quantiles drift or overflow), and Bonferroni's family-wise bound on ``count`` intervals. The mean
intervals and the t test's power take their quantile from here, the checks their default rate.
"""

from __future__ import annotations

import fractions
import math

import numpy as np
from scipy import special, stats

from binary_gumbel._validation import check_false_alarm, check_integer

DEFAULT_FALSE_ALARM = 1e-6


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
