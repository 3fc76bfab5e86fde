"""Shape facts about the binary Concrete density: symbolic, at exact points, and sampled."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import binary_gumbel as bg
from binary_gumbel.verification import concrete
from binary_gumbel.verification.concrete import L
from binary_gumbel.verification.montecarlo import check_ks, check_proportion
from binary_gumbel.verification.symbolic import tau, x

GRID = [sp.Rational(k, 12) for k in range(1, 12)]
LOGITS = [sp.log(sp.Rational(1, 3)), sp.Integer(0), sp.log(5)]


def test_the_four_forms_of_the_density_are_one():
    assert all(r == 0 for r in concrete.identity_residuals().values())


def test_forms_agree_at_exact_points_and_with_the_library():
    forms = concrete.density_forms()
    for t, logit, point in [
        (sp.Rational(1, 3), sp.log(2), sp.Rational(1, 5)),
        (3, -1, sp.Rational(2, 3)),
    ]:
        values = [f.subs({tau: t, L: logit, x: point}) for f in forms.values()]
        assert all(sp.simplify(v - values[0]) == 0 for v in values)
        lib = np.exp(bg.binary_concrete_logpdf(float(point), float(logit), float(t)))
        assert np.isclose(lib, float(values[0]), rtol=1e-13, atol=0)


def test_probability_above_half_is_p():
    assert sp.simplify(concrete.probability_above_half() - 1 / (1 + sp.exp(-L))) == 0


def test_temperature_limits_are_bernoulli_and_point_mass():
    lim = concrete.temperature_limits()
    one_minus_p = 1 / (1 + sp.exp(L))
    assert sp.simplify(lim["tau -> 0, x < 1/2"] - one_minus_p) == 0
    assert sp.simplify(lim["tau -> 0, x > 1/2"] - one_minus_p) == 0
    assert (lim["tau -> oo, x < 1/2"], lim["tau -> oo, x > 1/2"]) == (0, 1)


@pytest.mark.parametrize("logit", LOGITS)
def test_end_limits_follow_the_temperature(logit):
    a = sp.exp(logit)
    for t in (sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(9, 10)):
        assert concrete.end_limits(t, logit) == (sp.oo, sp.oo)
    assert [sp.simplify(v) for v in concrete.end_limits(1, logit)] == [sp.simplify(1 / a), a]
    for t in (sp.Rational(11, 10), 2, 5):
        assert concrete.end_limits(t, logit) == (0, 0)


def test_end_limits_agree_with_the_library():
    for t, expected in ((0.5, np.inf), (2.0, -np.inf)):
        assert bg.binary_concrete_logpdf(np.array([0.0, 1.0]), 1.5, t).tolist() == [expected] * 2
    at0, at1 = concrete.end_limits(1, sp.Rational(3, 2))
    np.testing.assert_allclose(
        np.exp(bg.binary_concrete_logpdf([0.0, 1.0], 1.5, 1.0)),
        [float(at0), float(at1)],
        rtol=1e-14,
    )


@pytest.mark.parametrize("logit", [1e308, -1.7e308, 0.1, 5e-324, np.float64(-2.5)])
def test_end_limits_at_a_float_are_those_at_the_rational_it_holds(logit):
    """A float logit is the rational number it holds (from float.as_integer_ratio, exactly),
    so at tau = 1 the limits are exp(-L) and exp(L) exactly, also at 1e308, where SymPy's
    limit of the float overflowed mpmath ('too many digits in integer'); below and above
    tau = 1 they are oo and 0 whatever the logit, and so at float temperatures."""
    exact = sp.Rational(*float(logit).as_integer_ratio())
    assert concrete.end_limits(1, logit) == (sp.exp(-exact), sp.exp(exact))
    assert concrete.end_limits(0.5, logit) == (sp.oo, sp.oo)
    assert concrete.end_limits(2.0, logit) == (0, 0)
    assert concrete.end_limits(1.0, sp.Float(logit)) == (sp.exp(-exact), sp.exp(exact))


@pytest.mark.parametrize("bad", [None, object(), "1+"])
def test_end_limits_refuses_what_is_not_a_number_naming_the_argument(bad):
    with pytest.raises(TypeError, match="^logit must be a number"):
        concrete.end_limits(1, bad)
    with pytest.raises(TypeError, match="^temperature must be a number"):
        concrete.end_limits(bad, 0)


@pytest.mark.parametrize("logit", LOGITS)
def test_log_convex_for_tau_at_most_one(logit):
    for t in (sp.Rational(1, 5), sp.Rational(1, 2), 1):
        assert all(concrete.log_density_curvature(t, logit, g).is_nonnegative for g in GRID)


def test_not_log_convex_above_one():
    """The check can fail: at tau = 2 the curvature is negative somewhere."""
    assert any(concrete.log_density_curvature(2, 0, g).is_negative for g in GRID)


@pytest.mark.parametrize("logit", LOGITS)
@pytest.mark.parametrize("t", [sp.Rational(3, 2), 2, 6])
def test_single_interior_mode_above_one(t, logit):
    signs = [sp.sign(concrete.log_density_slope(t, logit, g)) for g in GRID]
    # Rising at the left, falling at the right, and never rising again after falling.
    assert signs[0] == 1 and signs[-1] == -1 and signs == sorted(signs, reverse=True)


def test_mode_function_is_decreasing_above_one():
    _, dphi = concrete.mode_function()
    closed = -tau * (tau**2 - 1) / (x * (1 - x) * (tau + 1 - 2 * x) * (tau - 1 + 2 * x))
    assert sp.simplify(dphi - closed) == 0


def test_mode_equation_is_the_zero_of_the_log_density_slope():
    """Claim 5's reduction, and checks that could fail: at an exact point the residual is
    not 0 with the equation's two linear factors swapped, nor with its sides swapped."""
    assert concrete.mode_equation_residual() == 0
    a = sp.exp(L)
    slope = sp.diff(sp.log(concrete.product_form()), x)
    scaled = slope * x * (1 - x) * (a * (1 - x) ** tau + x**tau) / x**tau
    wrong = a * ((1 - x) / x) ** tau * (tau + 1 - 2 * x) - (tau - 1 + 2 * x)
    at = {tau: 3, L: sp.log(2), x: sp.Rational(1, 3)}
    assert sp.simplify((scaled - wrong).subs(at)) != 0
    swapped = (tau + 1 - 2 * x) - a * ((1 - x) / x) ** tau * (tau - 1 + 2 * x)
    assert sp.simplify((scaled - swapped).subs(at)) != 0
    # At an exact point the residual's expression is 0 before any simplification too.
    right = a * ((1 - x) / x) ** tau * (tau - 1 + 2 * x) - (tau + 1 - 2 * x)
    assert sp.simplify((scaled - right).subs(at)) == 0


def test_mode_function_runs_from_plus_to_minus_infinity_above_one():
    assert concrete.mode_function_limits() == (sp.oo, -sp.oo)
    phi, _ = concrete.mode_function()
    for t in (sp.Rational(3, 2), 4):
        for logit in (-5, 0, 5):
            at = phi.subs({tau: t, L: logit})
            assert sp.limit(at, x, 0, "+") == sp.oo and sp.limit(at, x, 1, "-") == -sp.oo


def test_end_asymptotics_are_tau_over_a_and_tau_times_a():
    near_zero, near_one = concrete.end_asymptotics()
    assert sp.simplify(near_zero - tau * sp.exp(-L)) == 0
    assert sp.simplify(near_one - tau * sp.exp(L)) == 0
    # At an exact point: f(x) / x^(tau - 1) = (tau / a)(1 - 2 x^tau / a + ...) near 0, so at
    # x = 1e-12, tau = 1/2, a = 3 it is within (tau / a) x^tau = 1e-6 / 6 of tau / a = 1/6.
    f = concrete.product_form(logit=sp.log(3), temperature=sp.Rational(1, 2))
    ratio = (f / x ** sp.Rational(-1, 2)).subs(x, sp.Rational(1, 10**12))
    assert 0 < sp.Rational(1, 6) - ratio < sp.Rational(1, 6) * sp.Rational(1, 10**6)


@pytest.mark.parametrize("t", [0.2, 1.0, 5.0])
def test_samples_follow_the_density_and_put_p_above_half(t):
    p, n = 0.3, 50_000
    logit = bg.logit_from_probability(p)
    s = bg.sample_binary_gumbel_softmax(logit, t, n, rng=9)
    assert check_proportion(np.count_nonzero(s > 0.5), n, p).consistent
    assert check_ks(s, lambda v: bg.binary_concrete_cdf(v, logit, t)).consistent


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="temperature"):
        concrete.end_limits(0, 1)
    with pytest.raises(ValueError, match="logit"):
        concrete.end_limits(1, sp.oo)
    with pytest.raises(ValueError, match="point"):
        concrete.log_density_slope(2, 0, 1)


def test_convexity_terms_are_the_second_derivatives_with_the_stated_signs():
    middle, h_second = concrete.convexity_terms()
    h = sp.exp(L) * (1 - x) ** tau + x**tau
    for t in (sp.Rational(1, 3), 1, sp.Rational(5, 2)):
        for point in (sp.Rational(1, 7), sp.Rational(1, 2), sp.Rational(6, 7)):
            at = {tau: t, L: sp.log(3), x: point}
            exact_middle = sp.diff((tau - 1) * (sp.log(x) + sp.log(1 - x)), x, 2).subs(at)
            exact_h = sp.diff(h, x, 2).subs(at)
            assert sp.simplify(middle.subs(at) - exact_middle) == 0
            assert sp.simplify(h_second.subs(at) - exact_h) == 0
            # (1 - tau) and tau (tau - 1) times something positive.
            if t != 1:
                assert (middle.subs(at) / (1 - t)).is_positive
                assert (h_second.subs(at) / (t * (t - 1))).is_positive


@pytest.mark.parametrize("derivative", [concrete.log_density_slope, concrete.log_density_curvature])
@pytest.mark.parametrize(
    ("temperature", "logit", "point", "error", "message"),
    [
        (-1, 0, sp.Rational(1, 2), ValueError, r"^temperature must be a positive number"),
        (0, 0, sp.Rational(1, 2), ValueError, r"^temperature must be a positive number"),
        (sp.oo, 0, sp.Rational(1, 2), ValueError, r"^temperature must be a positive number"),
        ("t", 0, sp.Rational(1, 2), ValueError, r"^temperature must be a positive number"),
        (None, 0, sp.Rational(1, 2), TypeError, r"^temperature must be a number"),
        (2, sp.oo, sp.Rational(1, 2), ValueError, r"^logit must be a finite real number"),
        (2, sp.I, sp.Rational(1, 2), ValueError, r"^logit must be a finite real number"),
        (2, "L", sp.Rational(1, 2), ValueError, r"^logit must be a finite real number"),
        (2, 0, object(), TypeError, r"^point must be a number"),
    ],
)
def test_log_density_derivatives_refuse_what_end_limits_refuses(
    derivative, temperature, logit, point, error, message
):
    """A negative temperature gave a slope of 0, a zero one NaN, a string one an expression."""
    with pytest.raises(error, match=message):
        derivative(temperature, logit, point)
