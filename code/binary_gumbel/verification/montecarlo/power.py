"""The power of the two-sided Student-t test of a zero mean: the chance that the interval
of :func:`~binary_gumbel.verification.montecarlo.mean_interval` excludes 0 when the mean is
``effect`` standard deviations, from SciPy's noncentral t, or by quadrature over the normal
numerator where SciPy's series fails.
"""

from __future__ import annotations

import fractions
import itertools
import math
import warnings

import numpy as np
from scipy import integrate, special, stats

from binary_gumbel._validation import as_float_array, check_integer, check_no_nan, single_number
from binary_gumbel.verification.montecarlo.quantiles import NORMAL_DOF, t_for_false_alarm


def t_test_power(effect: float, n: int, false_alarm: float = 0.05) -> float:
    """The power of the two-sided Student-t test of a zero mean on ``n`` i.i.d. normal
    values (or ``n`` paired differences) whose mean is ``effect`` standard deviations.

    ``P(|T'| > q)``, with ``q`` :func:`t_for_false_alarm` at ``n - 1`` degrees of freedom
    and ``T'`` noncentral Student-t with ``n - 1`` degrees of freedom and noncentrality
    ``effect * sqrt(n)``: the chance that the interval of
    :func:`~binary_gumbel.verification.montecarlo.mean_interval` at ``false_alarm`` excludes 0.
    It is ``false_alarm`` at ``effect = 0``, grows with ``|effect|`` and is 1 at an infinite
    ``effect``; at ``effect = t_{0.975, 4} / sqrt(5)``
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
