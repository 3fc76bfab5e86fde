"""The shared array kernels against high-precision values, at ordinary and extreme inputs."""

import mpmath
import numpy as np
import pytest

from binary_gumbel import _kernels
from conftest import same_bits

# Ordinary values, both signs of zero, where exp(-|w|) underflows (|w| > 745) and the
# infinities: each kernel must give its limit there, with no warning.
POINTS = np.array(
    [-np.inf, -800.0, -40.0, -3.5, -1e-300, -0.0, 0.0, 1e-300, 2.25, 40.0, 800.0, np.inf]
)


def exact_sigmoid(w):
    with mpmath.workdps(60):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(w))))


def exact_softplus(w):
    if np.isinf(w):
        return max(w, 0.0)
    with mpmath.workdps(60):
        return float(mpmath.log(1 + mpmath.exp(mpmath.mpf(w))))


@pytest.mark.parametrize("w", POINTS)
def test_sigmoid_and_softplus_are_correctly_rounded_or_one_ulp_off(w):
    """Both within 1 ulp of the 60-digit value: relative precision is kept in the tails."""
    sig, soft = float(_kernels.sigmoid(np.array(w))), float(_kernels.softplus(np.array(w)))
    for got, want in ((sig, exact_sigmoid(w)), (soft, exact_softplus(w))):
        if want == 0 or np.isinf(want):
            assert got == want
        else:
            assert abs(got - want) <= np.spacing(want)


def test_softplus_and_sigmoid_equals_the_two_kernels_bit_for_bit():
    """One exp(-|w|) shared by both gives the same bits as the two separate kernels."""
    rng = np.random.default_rng(0)
    w = np.concatenate([rng.normal(0, 5, 4000), POINTS]).reshape(-1, 4)
    log_normaliser, mean = _kernels.softplus_and_sigmoid(w)
    np.testing.assert_array_equal(log_normaliser, _kernels.softplus(w))
    np.testing.assert_array_equal(mean, _kernels.sigmoid(w))
    assert log_normaliser.shape == mean.shape == w.shape


def test_conditional_logistic_equals_the_separate_kernels_bit_for_bit():
    """Sharing each branch's exp(-|a|) gives the bits of softplus, log_sigmoid and sigmoid."""
    v = np.array([0.0, 1e-300, 0.2, 0.5, 0.9, 1 - 2.0**-53, 1.0])[:, None]
    logit = POINTS[None, 1:-1]  # finite logits: v = 0 or 1 makes the noise infinite
    with np.errstate(divide="ignore"):
        log_v, log_1mv = np.log(v), np.log1p(-v)
    a1, a0 = logit + log_v, logit - log_1mv
    for b, sample, slope in (
        (1.0, _kernels.softplus(a1) - log_1mv, _kernels.sigmoid(a1)),
        (0.0, log_v + _kernels.log_sigmoid(a0), _kernels.sigmoid(-a0)),
    ):
        got = _kernels.conditional_logistic(v, logit, np.full(a1.shape, b))
        assert same_bits(got[0], sample), f"z~ at b = {b}"
        assert same_bits(got[1], slope), f"dz~/dlogit at b = {b}"


def exact_logistic_logpdf(w):
    if np.isinf(w):
        return -np.inf
    with mpmath.workdps(60):
        w = mpmath.mpf(w)
        return float(-w - 2 * mpmath.log(1 + mpmath.exp(-w)))


@pytest.mark.parametrize("w", POINTS)
def test_logistic_logpdf_is_within_two_ulps_and_symmetric(w):
    """log sigmoid(w) + log sigmoid(-w) to 2 ulps of the 60-digit value, the same at -w,
    -inf at the infinities, with no warning (warnings are errors here)."""
    got = float(_kernels.logistic_logpdf(np.array(w)))
    want = exact_logistic_logpdf(w)
    assert got == float(_kernels.logistic_logpdf(np.array(-w)))
    if np.isinf(want):
        assert got == want
    else:
        assert abs(got - want) <= 2 * np.spacing(abs(want))


def test_logistic_is_the_log_odds_with_its_limits():
    """log u - log1p(-u): -inf at 0 and inf at 1 without a warning, the logit elsewhere."""
    u = np.array([0.0, 1e-300, 0.25, 0.5, 0.75, 1.0])
    got = _kernels.logistic(u)
    assert got[0] == -np.inf and got[-1] == np.inf and got[3] == 0.0
    with mpmath.workdps(60):
        for x, value in zip(u[1:-1], got[1:-1], strict=True):
            want = float(mpmath.log(mpmath.mpf(x) / (1 - mpmath.mpf(x))))
            assert abs(value - want) <= 2 * np.spacing(abs(want))


def exact_concrete(w, tau):
    """60 digits of ``sigmoid(w / tau)`` and ``sigmoid(q) sigmoid(-q) / tau``, ``q = w / tau``."""
    if np.isinf(w):
        return float(w > 0), 0.0
    with mpmath.workdps(60):
        q = mpmath.mpf(w) / mpmath.mpf(tau)
        e = mpmath.exp(-abs(q))  # x (1 - x) = e / (1 + e)^2, without 1 - x cancelling
        return float(1 / (1 + mpmath.exp(-q))), float(e / (1 + e) ** 2 / mpmath.mpf(tau))


def test_times_takes_zero_times_an_overflowed_slope_as_zero():
    """At tau = 5e-324 the slope 1 / (4 tau) at w = 0 is beyond the largest double (inf, no
    warning); times a derivative that is exactly 0 it gives 0, not NaN; other products as *."""
    _, slope = _kernels.concrete(np.array([0.0, 1.0]), np.array(5e-324))
    assert slope[0] == np.inf and slope[1] == 0.0
    derivative = np.array([0.0, 2.0, -3.0, 0.0, np.nan])
    slope = np.array([np.inf, np.inf, 0.5, 0.0, 0.0])
    got = _kernels.times(derivative, slope)
    np.testing.assert_array_equal(got, [0.0, np.inf, -1.5, 0.0, np.nan])  # a NaN stays NaN
    with pytest.warns(RuntimeWarning, match="invalid"):  # inf times a slope of 0: NaN, as *
        assert np.isnan(_kernels.times(np.array([np.inf]), np.array([0.0])))[0]


def test_times_of_finite_factors_beyond_the_largest_double_is_inf_without_a_warning():
    """The product of two finite factors that exceeds the largest double rounds to ``±inf``,
    its value in doubles, with no overflow warning; a product within range is ``*``'s."""
    got = _kernels.times(np.array([1e200, -1e200, 3.0]), np.array([1e200, 1e200, 0.5]))
    np.testing.assert_array_equal(got, [np.inf, -np.inf, 1.5])


def test_scaled_minus_is_the_plain_difference_with_the_limits_beyond_the_doubles():
    """tau * y - logit bit for bit where it is finite; where tau * y overflows, the infinity
    of its sign beside a finite logit; -logit for an infinite logit, whatever the product."""
    big = np.finfo(np.float64).max / 2
    tau = np.array([[0.5], [3.0], [big]])
    y = np.array([-2.5, 0.0, 4.0])
    for logit in (0.0, -7.25, 1e300):
        got = _kernels.scaled_minus(tau, y, np.array(logit))
        want = np.array([[-1.25, 0.0, 2.0], [-7.5, 0.0, 12.0], [-np.inf, 0.0, np.inf]])
        np.testing.assert_array_equal(got[:2], want[:2] - logit)
        np.testing.assert_array_equal(got[2], [-np.inf, -logit, np.inf])
    for logit in (-np.inf, np.inf):
        got = _kernels.scaled_minus(tau, y, np.array(logit))
        np.testing.assert_array_equal(got, np.full((3, 3), -logit))


@pytest.mark.parametrize("tau", [1e-300, 1e-3, 0.5, 1.0, 40.0, 1e300])
@pytest.mark.parametrize("w", POINTS)
def test_concrete_and_its_slope_keep_relative_precision_at_every_temperature(w, tau):
    """x within 1 ulp and dx/dw within 4 ulps of the 60-digit values (a subnormal slope
    within 2 of the smallest subnormals), with no warning, the limit at w = ±inf
    (w = 1e-300 at tau = 1e-300 has q = 1; w = 2.25 at tau = 1e-3 has q = 2250, a slope
    below every double). Where q = w / tau is not exact here, |q| < 0.1 or the slope is below
    every double, so the error the slope inherits from q's rounding (|q| eps relative) is
    below 0.1 ulp."""
    x, slope = (float(v) for v in _kernels.concrete(np.array(w), np.array(tau)))
    want_x, want_slope = exact_concrete(w, tau)
    assert abs(x - want_x) <= np.spacing(want_x) if want_x else x == 0
    tiny = np.finfo(np.float64).smallest_subnormal
    if want_slope < np.finfo(np.float64).tiny:
        assert abs(slope - want_slope) <= 2 * tiny
    else:
        assert abs(slope - want_slope) <= 4 * np.spacing(want_slope)


def test_concrete_keeps_a_normal_slope_where_exp_is_subnormal():
    """q = w / tau = 720 (719.9999999999999 after rounding) at tau = 1e-10: exp(-q) = 2.0e-313 is
    subnormal (5 of its 16 digits lost) and exp(-q) / tau = 2.0e-303 is normal; the slope keeps
    its precision up to the error that exp inherits from q's rounding, |q| eps relative
    (1.6e-13), plus 4 ulps (`test_mutations` checks that it fails without the fallback)."""
    tau = 1e-10
    w = np.array([-720.0, 720.0]) * tau
    _, slope = _kernels.concrete(w, tau)
    _, want = exact_concrete(float(w[1]), tau)
    assert want > np.finfo(np.float64).tiny
    q = float(w[1]) / tau
    tolerance = abs(q) * np.finfo(np.float64).eps * want + 4 * np.spacing(want)
    np.testing.assert_array_less(np.abs(slope - want), tolerance)
