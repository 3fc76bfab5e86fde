"""Gradient estimators on the REBAR/RELAX toy problem: exactness, bias, variance, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

import binary_gumbel as bg
from binary_gumbel import gradients as gr
from binary_gumbel.montecarlo import check_mean, z_for_false_alarm

Z = z_for_false_alarm(1e-6)
EPS = np.finfo(np.float64).eps
TARGETS = (gr.TARGET_REBAR, gr.TARGET_RELAX)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("theta", [-3.0, -1.0, 0.0, 0.7, 4.0])
def test_exact_gradient_matches_finite_differences_of_the_objective(theta, target):
    h = 1e-5
    fd = (gr.objective(theta + h, target) - gr.objective(theta - h, target)) / (2 * h)
    # Truncation h^2 |L'''| / 6 with |sigma'''| <= 1/8, plus rounding of two values <= 1.
    tol = h**2 / 48 * abs(1 - 2 * target) + 4 * EPS / h
    assert abs(fd - gr.exact_gradient(theta, target)) <= tol


def test_sympy_gradient_is_the_closed_form():
    loss, grad = gr.objective_gradient_expr()
    t, theta = sorted(loss.free_symbols, key=str)
    s = 1 / (1 + sp.exp(-theta))
    assert sp.simplify((grad - s * (1 - s) * (1 - 2 * t)).rewrite(sp.exp)) == 0
    f = sp.lambdify((theta, t), grad, "numpy")
    thetas = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(f(thetas, 0.45), gr.exact_gradient(thetas, 0.45), rtol=1e-12)


def test_pathwise_derivative_is_x_one_minus_x_over_tau():
    _, _, residual = gr.pathwise_derivative_expr()
    assert residual == 0


@pytest.mark.parametrize("tau", [0.1, 0.5, 1.0, 3.0])
def test_pathwise_derivative_matches_finite_differences(tau):
    u = np.linspace(0.01, 0.99, 41)
    theta, h = 0.3, 1e-6
    fd = bg.binary_gumbel_softmax(theta + h, tau, u) - bg.binary_gumbel_softmax(theta - h, tau, u)
    fd /= 2 * h
    # |d^3 x / d theta^3| = |sigma'''(z)| / tau^3 <= 1 / (8 tau^3); rounding of x <= 1 in 4 ulp.
    tol = h**2 / (48 * tau**3) + 4 * EPS / h
    assert np.max(np.abs(fd - gr.relaxed_sample_derivative(theta, tau, u))) <= tol


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("theta", [-1.0, 0.5, 2.0])
@pytest.mark.parametrize("baseline", [None, 0.3, "mean"])
def test_reinforce_is_unbiased(theta, target, baseline):
    """Not at theta = 0, where the mean baseline makes every estimate equal the gradient."""
    c = gr.objective(theta, target) if baseline == "mean" else baseline
    u = np.random.default_rng(1).random(200_000)
    check = check_mean(gr.reinforce(theta, target, u, baseline=c), gr.exact_gradient(theta, target))
    assert check.consistent, check


def test_relaxed_estimator_is_detectably_biased_at_large_tau():
    """The same check rejects the relaxed estimator, so it has the power to fail."""
    u = np.random.default_rng(2).random(200_000)
    g = gr.relaxed(-1.0, 0.45, 1.0, u)
    assert not check_mean(g, gr.exact_gradient(-1.0, 0.45)).consistent


def test_relaxed_bias_vanishes_and_variance_grows_as_tau_falls():
    taus = (1.0, 0.3, 0.03)
    rows = [gr.estimator_statistics("relaxed", -1.0, 0.45, t, 200_000, rng=3) for t in taus]
    (lo1, hi1), _, (lo3, hi3) = (r.bias_interval() for r in rows)
    assert hi1 < 0, "bias at tau = 1 is significantly negative"
    assert lo3 <= 0 <= hi3, "bias at tau = 0.03 is consistent with 0"
    assert max(abs(lo3), abs(hi3)) < abs(hi1), "and significantly smaller in magnitude"
    for coarse, fine in zip(rows, rows[1:], strict=False):
        assert coarse.variance_interval()[1] < fine.variance_interval()[0]


def _exact_moments(fn, theta, target, tau):
    """E[g] and E[g^2] by quadrature over the Logistic noise l (density sigma(l) sigma(-l))."""

    def moment(k):
        def integrand(ell):
            u = special.expit(ell)
            return float(fn(theta, target, tau, u)) ** k * u * (1 - u)

        parts = (-np.inf, -theta, np.inf)  # the kink of b = 1[theta + l > 0]
        return sum(
            integrate.quad(integrand, a, b, limit=200)[0]
            for a, b in zip(parts, parts[1:], strict=False)
        )

    return moment(1), moment(2)


@pytest.mark.parametrize("name", ["relaxed", "straight-through"])
@pytest.mark.parametrize("tau", [0.3, 1.0])
def test_bias_and_variance_with_their_stated_errors(name, tau):
    theta, target = -1.0, 0.45
    m1, m2 = _exact_moments(gr.ESTIMATORS[name], theta, target, tau)
    r = gr.estimator_statistics(name, theta, target, tau, 200_000, rng=4)
    lo, hi = r.bias_interval()
    assert lo <= m1 - r.exact <= hi
    lo, hi = r.variance_interval()
    assert lo <= m2 - m1**2 <= hi


@pytest.mark.parametrize("baseline", [None, "mean"])
def test_reinforce_variance_with_its_stated_error(baseline):
    theta, target = 0.5, gr.TARGET_RELAX
    p = special.expit(theta)
    c = float(gr.objective(theta, target)) if baseline else 0.0
    values = np.array([((1 - target) ** 2 - c) * (1 - p), -(target**2 - c) * p])
    probs = np.array([p, 1 - p])
    exact_var = probs @ values**2 - (probs @ values) ** 2
    name = "REINFORCE + baseline" if baseline else "REINFORCE"
    r = gr.estimator_statistics(name, theta, target, 1.0, 200_000, rng=5)
    lo, hi = r.variance_interval()
    assert lo <= exact_var <= hi


def test_sign_error_rate_of_plain_reinforce_is_one_minus_p():
    """f > 0, so a single estimate has the sign of b - p: wrong exactly when b = 0."""
    theta = 0.8
    r = gr.estimator_statistics("REINFORCE", theta, 0.45, 1.0, 100_000, rng=6)
    assert r.sign_error_low <= 1 - special.expit(theta) <= r.sign_error_high


def test_estimators_share_their_noise():
    """Both estimates are positive exactly when the shared sample b is 1."""
    u = np.random.default_rng(7).random(1000)
    b_reinforce = gr.reinforce(0.4, 0.45, u) > 0
    b_st = gr.straight_through(0.4, 0.45, 0.5, u) > 0
    assert 0 < b_st.sum() < u.size and np.array_equal(b_reinforce, b_st)


def test_gradient_descent_with_the_exact_gradient_decreases_the_loss():
    run = gr.sgd(None, 0.45, 1.0, steps=50, learning_rate=5.0)
    assert np.all(np.diff(run.loss) < 0) and np.all(np.diff(run.theta) < 0)


def test_sgd_is_reproducible_and_reinforce_approaches_the_optimum():
    a = gr.sgd("REINFORCE", 0.45, 1.0, steps=300, learning_rate=5.0, batch=64, rng=8)
    b = gr.sgd("REINFORCE", 0.45, 1.0, steps=300, learning_rate=5.0, batch=64, rng=8)
    assert np.array_equal(a.theta, b.theta)
    assert special.expit(a.theta[-1]) < 0.05


def test_extremes_give_limits_without_warnings():
    u = np.array([0.0, 0.5, 1.0])
    assert np.all(np.isfinite(gr.relaxed(0.0, 0.45, 1e-3, u)))
    assert np.all(gr.relaxed_sample_derivative(0.0, 1e-3, np.array([0.0, 1.0])) == 0)
    assert gr.exact_gradient(-800.0, 0.45) == 0 and math.isclose(gr.objective(800.0, 0.45), 0.3025)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: gr.relaxed(0.0, 0.45, 0.0, 0.5), ValueError, "tau"),
        (lambda: gr.relaxed(np.nan, 0.45, 1.0, 0.5), ValueError, "theta"),
        (lambda: gr.reinforce(0.0, 0.45, 1.5), ValueError, "u"),
        (lambda: gr.reinforce(0.0, 0.45, 0.5, baseline=np.inf), ValueError, "baseline"),
        (lambda: gr.exact_gradient("a", 0.45), TypeError, "theta"),
        (lambda: gr.objective(0.0, np.nan), ValueError, "target"),
        (lambda: gr.straight_through([0.0, 1.0], 0.45, 1.0, [0.1, 0.2, 0.3]), ValueError, "shapes"),
        (lambda: gr.estimator_statistics("bogus", 0.0, 0.45, 1.0, 10), ValueError, "estimator"),
        (lambda: gr.estimator_statistics("relaxed", 0.0, 0.45, 1.0, 10.5), TypeError, "n"),
        (
            lambda: gr.estimator_statistics("relaxed", 0.0, 0.45, 1.0, 10, batch=20),
            ValueError,
            "batch",
        ),
        (lambda: gr.sgd(None, 0.45, 1.0, learning_rate=-1.0), ValueError, "learning_rate"),
        (lambda: gr.sgd(None, 0.45, 1.0, steps=-1), ValueError, "steps"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_statistics_table_prints_each_measured_value_in_scientific_notation():
    rows = [
        gr.estimator_statistics(name, -1.0, 0.45, 0.5, 1000, rng=3)
        for name in ("relaxed", "REINFORCE")
    ]
    lines = gr.statistics_table(rows).splitlines()
    assert len(lines) == 2 + len(rows)
    for row, line in zip(rows, lines[2:], strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        bias = cells[2].split(" ± ")[0]
        mantissa, exponent = bias.replace("−", "-").split("×10")
        exponent = int(exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        assert cells[0] == row.estimator
        assert cells[1] == ("any" if row.estimator == "REINFORCE" else f"{row.tau:.3g}")
        assert float(mantissa) * 10.0**exponent == pytest.approx(row.bias, rel=0.01)
        assert "-" not in line.replace("|:--", "")  # minus signs, never a breakable hyphen


def test_a_boolean_rng_is_refused_naming_rng():
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator, a seed or None"):
        gr.estimator_statistics("relaxed", -1.0, 0.45, 0.5, 100, rng=True)
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator, a seed or None"):
        gr.sgd("relaxed", 0.45, 0.5, steps=2, rng=False)


def test_relaxed_derivative_keeps_representable_values_where_exp_flushes():
    """At tau = 1e-3, exp(-|z|) is subnormal for |z| > 708 and 0 beyond 745 before the division;
    the derivative exp(-|z|) / tau is still a subnormal number up to |z| of about 752."""
    import mpmath

    tau = 1e-3
    zs = np.linspace(700.0, 760.0, 601)
    u = special.expit(tau * zs)  # logit 0: z = log(u / (1 - u)) / tau
    got = gr.relaxed_sample_derivative(0.0, tau, u)
    tiny = np.finfo(np.float64).smallest_subnormal
    for ui, gi in zip(u, got, strict=True):
        with mpmath.workprec(120):
            z = abs(mpmath.log(mpmath.mpf(ui) / (1 - mpmath.mpf(ui)))) / mpmath.mpf(tau)
            e = mpmath.exp(-z)
            exact = float(e / (1 + e) ** 2 / mpmath.mpf(tau))
        # Subnormals are multiples of `tiny`: half of it from rounding, the rest from z's
        # relative rounding error (|z| eps < 1e-12), both far inside the tolerance.
        assert abs(gi - exact) <= 2 * tiny + 1e-11 * exact, (ui, gi, exact)
        assert (gi == 0) == (exact < tiny / 2) or exact == tiny / 2
    assert np.any(got[zs > 746] > 0), "values beyond |z| = 745 are kept"


@pytest.mark.parametrize("tau", [0.1, 1.0, 10.0])
def test_relaxed_moments_by_quadrature_match_monte_carlo(tau):
    """Two intervals per tau, each at a false-alarm rate of 1e-6."""
    row = gr.estimator_statistics("relaxed", -1.0, 0.45, tau, 200_000, rng=5)
    mean, variance = gr.relaxed_moments(-1.0, 0.45, tau)
    low, high = row.bias_interval()
    assert low <= mean - row.exact <= high
    low, high = row.variance_interval()
    assert low <= variance <= high


def test_relaxed_bias_and_variance_both_grow_from_tau_3_down_to_1():
    """Above tau of about 1 there is no trade-off: |bias| and variance grow together as tau
    falls (the gradients chapter once said the bias shrinks while the variance grows)."""
    rows = {t: gr.estimator_statistics("relaxed", -1.0, 0.45, t, 100_000, rng=2026) for t in (1, 3)}
    assert rows[1].bias_interval()[1] < rows[3].bias_interval()[0] < 0
    assert rows[1].variance_interval()[0] > rows[3].variance_interval()[1]
    peak = gr.relaxed_bias_extremum(-1.0, 0.45, 0.1, 10.0)
    assert 0.5 < peak < 1.5


def test_relaxed_sign_errors_fall_again_at_large_temperature():
    """The relaxed mean turns right-signed above tau of about 4.5 (E x -> 1/2 > t), so its
    sign-error rate falls; straight-through keeps erring (E b = p < t). The chapter's grid
    once stopped at tau = 3 and read 'both err almost always at large temperature'."""
    root = gr.relaxed_mean_root(-1.0, 0.45, 1.0, 30.0)
    assert 3.0 < root < 10.0
    relaxed = gr.estimator_statistics("relaxed", -1.0, 0.45, 10.0, 100_000, rng=2026, batch=16)
    straight = gr.estimator_statistics(
        "straight-through", -1.0, 0.45, 10.0, 100_000, rng=2026, batch=16
    )
    assert relaxed.exact + relaxed.bias_interval()[0] > 0, "the relaxed mean is positive"
    assert relaxed.sign_error_high < 0.5
    assert straight.sign_error_low > 0.5


def test_relaxed_helpers_refuse_a_bracket_that_holds_no_answer():
    with pytest.raises(ValueError, match="edge"):
        gr.relaxed_bias_extremum(-1.0, 0.45, 2.0, 5.0)
    with pytest.raises(ValueError, match="same sign"):
        gr.relaxed_mean_root(-1.0, 0.45, 0.3, 3.0)
    with pytest.raises(ValueError, match="low must be below high"):
        gr.relaxed_bias_extremum(-1.0, 0.45, 3.0, 1.0)


def test_relaxed_objective_minimiser_is_where_sgd_with_the_exact_relaxed_gradient_stops():
    """Gradient descent on E[(x - t)^2], with its derivative by finite differences of the
    relaxed objective integrated independently (over u), stops at the same theta."""
    target, tau = 0.45, 0.5
    theta_star = gr.relaxed_objective_minimiser(target, tau)

    def relaxed_objective(theta):
        def integrand(u):
            return (special.expit((theta + special.logit(u)) / tau) - target) ** 2

        return integrate.quad(integrand, 0, 1, limit=200)[0]

    h = 1e-4
    slope = [
        (relaxed_objective(th + h) - relaxed_objective(th - h)) / (2 * h)
        for th in (theta_star - 0.05, theta_star + 0.05)
    ]
    assert slope[0] < 0 < slope[1]
    assert 0 < special.expit(theta_star) < 0.5


def test_temperature_sweep_runs_reinforce_once_with_the_same_result_as_at_every_tau():
    names = ("REINFORCE", "relaxed")
    rows = gr.temperature_sweep(names, -1.0, 0.45, [0.3, 3.0], 2000, rng=4, batch=4)
    direct = [
        gr.estimator_statistics(name, -1.0, 0.45, tau, 2000, rng=4, batch=4)
        for name in names
        for tau in (0.3, 3.0)
    ]
    assert rows == direct
    with pytest.raises(TypeError, match="rng"):
        gr.temperature_sweep(names, -1.0, 0.45, [0.3], 100, rng=np.random.default_rng(1))
