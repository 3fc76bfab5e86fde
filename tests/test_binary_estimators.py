"""Gradient estimators for binary latents: unbiasedness, bias, shapes, bad input, limits.

Statistical checks run at a false-alarm rate of 1e-6 per interval (fixed seeds);
:data:`N_CHECKS` bounds the family, so the family-wise rate is below ``N_CHECKS * 1e-6``.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

import binary_gumbel as bg
from binary_gumbel.book import prose
from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.estimators import binary_rebar, gradients, registry
from binary_gumbel.estimators import binary_toy as bt
from binary_gumbel.estimators import statistics as estimator_stats
from binary_gumbel.verification.montecarlo import check_mean

FALSE_ALARM = 1e-6
#: Intervals in this file's statistical checks: 24 for the unbiased estimators (2 logits,
#: 4 estimators, 3 coordinates), 3 + 4 for the power and variance checks, 18 for the biased
#: ones, 16 on the toy (4 estimators, 2 settings, bias and variance), 9 for the exact
#: moments on three latents (3 estimators, 3 coordinates).
N_CHECKS = 24 + 7 + 18 + 16 + 9
LOGITS = (np.array([-0.7, 0.3, 1.5]), np.array([2.0, -1.2, 0.0]))
W = np.array([1.0, -2.0, 0.5])
BITS = np.array(list(itertools.product([0.0, 1.0], repeat=3)))


def f(b):
    """Non-linear in b and not separable: sin(w.b) + b_0 b_2."""
    return np.sin(b @ W) + b[..., 0] * b[..., 2]


def f_grad(x):
    value = np.sin(x @ W) + x[..., 0] * x[..., 2]
    cross = np.stack([x[..., 2], np.zeros_like(x[..., 0]), x[..., 0]], axis=-1)
    return value, np.cos(x @ W)[..., None] * W + cross


def quadratic_grad(x):
    """``f(x) = x_0 x_1 - 3 x_2^2 + x_0``: degree at most 2 in each coordinate."""
    value = x[..., 0] * x[..., 1] - 3 * x[..., 2] ** 2 + x[..., 0]
    grad = np.stack([x[..., 1] + 1, x[..., 0], -6 * x[..., 2]], axis=-1)
    return value, grad


def probabilities(logit):
    p = special.expit(logit)
    return np.prod(np.where(BITS == 1, p, 1 - p), axis=1)


def exact_gradient(fn, logit):
    """``sum_b P(b) fn(b) (b - p)``: the gradient of ``E[fn(b)]`` by enumeration."""
    return probabilities(logit) @ (fn(BITS)[:, None] * (BITS - special.expit(logit)))


def uniforms_for(bits, logit):
    """A ``u`` that draws ``bits``: the midpoint of the interval of ``u`` giving each bit."""
    q = special.expit(-logit)
    return np.where(bits == 1, (1 + q) / 2, q / 2)


def enumerated_mean(estimator, logit, *args):
    """Exact mean of an estimator that sees ``u`` only through ``b``."""
    values = estimator(*args[:1], logit, *args[1:], uniforms_for(BITS, logit))
    return probabilities(logit) @ values


@pytest.mark.parametrize("logit", LOGITS)
@pytest.mark.parametrize("name", ["reinforce", "rloo", "arm", "disarm"])
def test_unbiased_estimators_by_monte_carlo(name, logit):
    rng = np.random.default_rng(11)
    n = 200_000
    shape = (2, n, 3) if name == "rloo" else (n, 3)
    g = getattr(be, name)(f, logit, rng.random(shape))
    assert g.shape == (n, 3)
    exact = exact_gradient(f, logit)
    for k in range(3):
        check = check_mean(g[:, k], exact[k], FALSE_ALARM)
        assert check.consistent, (name, k, check)


def test_the_check_rejects_a_biased_estimator():
    """DisARM without its factor sigmoid(|logit|) is biased; the same check finds it."""
    logit = LOGITS[0]
    u = np.random.default_rng(12).random((200_000, 3))
    g = be.disarm(f, logit, u) / special.expit(np.abs(logit))
    exact = exact_gradient(f, logit)
    assert not all(check_mean(g[:, k], exact[k], FALSE_ALARM).consistent for k in range(3))


def test_disarm_is_arm_averaged_over_u_given_the_pair():
    """ARM is linear in each u_k, so E[ARM | b, b~] is ARM at the midpoints of u's cells."""
    logit = LOGITS[0]
    lo = np.minimum(special.expit(logit), special.expit(-logit))
    hi = 1 - lo
    cells = np.stack([lo / 2, np.full(3, 0.5), (1 + hi) / 2])  # [0, lo), [lo, hi], (hi, 1]
    for idx in itertools.product(range(3), repeat=3):
        u = cells[list(idx), [0, 1, 2]]
        np.testing.assert_allclose(be.arm(f, logit, u), be.disarm(f, logit, u), atol=1e-15)


def test_disarm_variance_is_at_most_arm_variance_on_k3():
    """Same mean, so Var ARM - Var DisARM = E[ARM^2 - DisARM^2], measured on the same u:
    below in each coordinate, as the proposition says, and so in total."""
    u = np.random.default_rng(13).random((200_000, 3))
    diff = be.arm(f, LOGITS[0], u) ** 2 - be.disarm(f, LOGITS[0], u) ** 2
    check = check_mean(diff.sum(axis=1), 0.0, FALSE_ALARM)
    assert check.low > 0, check
    for k in range(3):
        check = check_mean(diff[:, k], 0.0, FALSE_ALARM)
        assert check.low > 0, (k, check)


@pytest.mark.parametrize("logit", LOGITS)
def test_straight_through_and_reinmax_biases_by_enumeration(logit):
    exact = exact_gradient(f, logit)
    st = enumerated_mean(be.straight_through, logit, f_grad)
    rm = enumerated_mean(be.reinmax, logit, f_grad, 1.0)
    assert np.max(np.abs(st - exact)) > 1e-2
    assert np.max(np.abs(rm - exact)) > 1e-3


def test_reinmax_at_tau_one_is_exact_for_a_quadratic():
    """Heun's (trapezoidal) rule is exact for degree 2: ReinMax's mean at tau = 1."""
    logit = LOGITS[0]
    exact = exact_gradient(lambda b: quadratic_grad(b)[0], logit)
    rm = enumerated_mean(be.reinmax, logit, quadratic_grad, 1.0)
    st = enumerated_mean(be.straight_through, logit, quadratic_grad)
    np.testing.assert_allclose(rm, exact, rtol=1e-13, atol=1e-15)
    assert np.max(np.abs(st - exact)) > 1e-2
    assert np.max(np.abs(enumerated_mean(be.reinmax, logit, quadratic_grad, 2.0) - exact)) > 1e-2


@pytest.mark.parametrize("name", ["straight_through", "reinmax", "gumbel_softmax", "st_gumbel"])
def test_biased_estimators_monte_carlo_agrees_with_what_is_known(name):
    """MC bias of the pathwise estimators; ST and ReinMax against their enumerated means."""
    logit = LOGITS[0]
    u = np.random.default_rng(14).random((200_000, 3))
    fn = {"st_gumbel": be.straight_through_gumbel}.get(name, getattr(be, name, None))
    args = (f_grad, logit) if name == "straight_through" else (f_grad, logit, 0.5)
    g = fn(*args, u)
    exact = exact_gradient(f, logit)
    checks = [check_mean(g[:, k], exact[k], FALSE_ALARM) for k in range(3)]
    assert not all(c.consistent for c in checks), "the bias is detected"
    if name in ("straight_through", "reinmax"):
        known = enumerated_mean(fn, logit, *args[:1], *args[2:])
        assert all(check_mean(g[:, k], known[k], FALSE_ALARM).consistent for k in range(3))


def test_shapes_and_broadcasting():
    rng = np.random.default_rng(15)
    logit = rng.normal(size=(4, 1, 3))
    u = rng.random((4, 5, 3))
    for fn in (be.reinforce, be.arm, be.disarm):
        out = fn(f, logit, u)
        assert out.shape == (4, 5, 3)
        row = fn(f, logit[2, 0], u[2, 3])
        np.testing.assert_array_equal(out[2, 3], row)
    for fn in (be.gumbel_softmax, be.straight_through_gumbel, be.reinmax):
        out = fn(f_grad, logit, 0.7, u)
        assert out.shape == (4, 5, 3)
        np.testing.assert_array_equal(out[1, 2], fn(f_grad, logit[1, 0], 0.7, u[1, 2]))
    assert be.straight_through(f_grad, logit, u).shape == (4, 5, 3)
    us = rng.random((2, 4, 5, 3))
    out = be.rloo(f, logit, us)
    assert out.shape == (4, 5, 3)
    np.testing.assert_allclose(out[3, 1], be.rloo(f, logit[3, 0], us[:, 3, 1]), rtol=1e-15)
    # A per-latent temperature broadcasts on the last axis.
    assert be.reinmax(f_grad, logit, np.array([0.5, 1.0, 2.0]), u).shape == (4, 5, 3)


def test_rloo_with_two_samples_is_the_pairwise_difference():
    """(1/2) [(f1 - f2)(b1 - p) + (f2 - f1)(b2 - p)], as in Kool et al. (2019) for S = 2."""
    logit = LOGITS[1]
    u = np.random.default_rng(16).random((2, 100, 3))
    b = (u > special.expit(-logit)).astype(float)
    f1, f2 = f(b[0])[:, None], f(b[1])[:, None]
    p = special.expit(logit)
    expected = 0.5 * ((f1 - f2) * (b[0] - p) + (f2 - f1) * (b[1] - p))
    np.testing.assert_allclose(be.rloo(f, logit, u), expected, rtol=1e-14, atol=1e-15)


UV = np.full((2, 3), 0.5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: be.gumbel_softmax(f_grad, [0.0] * 3, 0.0, np.full(3, 0.5)), "^tau must"),
        (lambda: be.reinmax(f_grad, [0.0] * 3, -1.0, np.full(3, 0.5)), "^tau must"),
        (lambda: be.arm(f, [0.0] * 3, np.full(3, 1.5)), "^u must be a uniform"),
        (lambda: be.disarm(f, [0.0] * 3, np.full(3, -0.1)), "^u must be a uniform"),
        (lambda: be.reinforce(f, [0.0] * 3, np.full(4, 0.5)), "^shapes do not broadcast"),
        (lambda: be.reinforce(f, [0.0] * 3, np.full(3, 0.5), np.nan), "^baseline must be finite"),
        (lambda: be.reinforce(f, [0.0] * 3, np.full(3, 0.5), np.inf), "^baseline must be finite"),
        (lambda: binary_rebar.rebar(f_grad, [0.0] * 3, 1.0, UV, eta=np.nan), "^eta must be fini"),
        (lambda: binary_rebar.rebar(f_grad, [0.0] * 3, 1.0, UV, eta=-np.inf), "^eta must be fin"),
        (lambda: be.arm(f, [np.nan] * 3, np.full(3, 0.5)), "^logit must not be NaN"),
        (lambda: be.arm(f, 0.0, 0.5), "^u must have at least 1 axes"),
        (lambda: be.rloo(f, [0.0] * 3, np.full((1, 3), 0.5)), "^u must hold S >= 2"),
        (lambda: be.rloo(f, [0.0] * 3, np.full(3, 0.5)), "^u must have at least 2 axes"),
        (lambda: be.rloo(f, np.zeros((2, 3)), np.full((2, 3), 0.5)), "^logit must not have"),
        (lambda: be.arm(lambda b: b, [0.0] * 3, np.full(3, 0.5)), "^f must map b"),
        (lambda: be.reinmax(lambda x: x, [0.0] * 3, 1.0, np.full(3, 0.5)), "^f_grad must return"),
        (
            lambda: be.straight_through(
                lambda x: (x[..., 0], x[..., :2]), [0.0] * 3, np.full(3, 0.5)
            ),
            "^f_grad's gradient must",
        ),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_limits_give_finite_values_without_warnings():
    """u at 0 and 1, logits at +-inf: finite, no warning (warnings are errors here)."""
    logit = np.array([np.inf, -np.inf, 0.0])
    u = np.array(list(itertools.product([0.0, 0.5, 1.0], repeat=3)))
    outs = [
        be.reinforce(f, logit, u),
        be.arm(f, logit, u),
        be.disarm(f, logit, u),
        be.rloo(f, logit, np.stack([u, u[::-1]])),
        be.straight_through(f_grad, logit, u),
        be.gumbel_softmax(f_grad, logit, 0.3, u),
        be.straight_through_gumbel(f_grad, logit, 1e-300, u),
        be.reinmax(f_grad, logit, 1e-300, u),
    ]
    for out in outs:
        assert np.all(np.isfinite(out))
    for name, out in zip(["REINFORCE", "ARM", "DisARM", "RLOO"], outs[:4], strict=True):
        if name != "ARM":  # ARM's u_k - 1/2 is noise independent of b there
            assert np.all(out[:, :2] == 0), name
    b, b_tilde = be.antithetic_pair(logit, u)
    assert np.all(b[:, 0] == 1) and np.all(b_tilde[:, 0] == 1)
    assert np.all(b[:, 1] == 0) and np.all(b_tilde[:, 1] == 0)


def test_estimator_table_lists_every_estimator_once():
    estimators = {"reinforce", "rloo", "arm", "disarm", "straight_through", "gumbel_softmax"}
    estimators |= {"straight_through_gumbel", "reinmax"}
    assert sorted(e.function.__name__ for e in be.ESTIMATOR_TABLE) == sorted(estimators)
    assert be.estimator_table_markdown().count("\n") == len(be.ESTIMATOR_TABLE) + 1


# --- The toy f(b) = (b - t)^2 ------------------------------------------------------------


@pytest.mark.parametrize("name", ["REINFORCE", "RLOO (2 samples)", "ARM", "DisARM"])
@pytest.mark.parametrize("high", [False, True])
def test_unbiased_exactly_on_the_toy(name, high):
    mean, _ = bt.exact_moments(name, high)
    assert sp.simplify(mean - (1 - 2 * bt.t) * bt.p * (1 - bt.p)) == 0


def test_disarm_variance_below_arm_variance_exactly_on_the_toy():
    """Var ARM - Var DisARM = (1 - 2t)^2 m^3 / 6 >= 0, and Var RLOO - Var ARM =
    (1 - 2t)^2 m^2 (3 - 4m) / 6 >= 0, with m = min(p, 1 - p) <= 1/2."""
    for high, m in ((False, bt.p), (True, 1 - bt.p)):
        var = {
            name: bt.exact_moments(name, high)[1] for name in ("ARM", "DisARM", "RLOO (2 samples)")
        }
        gap = var["ARM"] - var["DisARM"]
        assert sp.simplify(gap - (1 - 2 * bt.t) ** 2 * m**3 / 6) == 0
        gap = var["RLOO (2 samples)"] - var["ARM"]
        assert sp.simplify(gap - (1 - 2 * bt.t) ** 2 * m**2 * (3 - 4 * m) / 6) == 0


def test_at_target_zero_reinforce_has_less_variance_than_rloo_and_at_theta_one_than_all_three():
    """At equal cost, the three's lead over REINFORCE is not general: at t = 0, Var RLOO minus
    half REINFORCE's single-sample variance is p^3 (1 - p) / 2 > 0 on both branches; at
    theta = 1, t = 0, ARM and DisARM are above REINFORCE too (the exact variances at
    p = e / (1 + e), evaluated by SymPy to 30 digits, and by the library's float route)."""
    for high in (False, True):
        var = {name: bt.exact_moments(name, high)[1] for name in ("REINFORCE", "RLOO (2 samples)")}
        excess = (var["RLOO (2 samples)"] - var["REINFORCE"] / 2).subs(bt.t, 0)
        assert sp.simplify(excess - bt.p**3 * (1 - bt.p) / 2) == 0
    p_one = 1 / (1 + sp.exp(-1))
    for name in ("ARM", "DisARM", "RLOO (2 samples)"):
        symbolic = bt.exact_moments(name, True)[1].subs({bt.t: 0, bt.p: p_one})
        reinforce = bt.exact_moments("REINFORCE", True)[1].subs({bt.t: 0, bt.p: p_one}) / 2
        assert sp.N(symbolic - reinforce, 30) > 0
    floats = bt.equal_cost_variances(1.0, 0.0)
    assert floats["REINFORCE"] < floats["DisARM"] < floats["ARM"] < floats["RLOO (2 samples)"]


def test_reinmax_on_the_toy_is_unbiased_at_tau_one_only():
    mean, _ = bt.exact_moments("ReinMax")
    bias = mean - (1 - 2 * bt.t) * bt.p * (1 - bt.p)
    assert sp.simplify(bias.subs(bt.s, bt.p)) == 0
    half = {bt.p: sp.Rational(1, 3), bt.s: sp.Rational(1, 4), bt.t: sp.Rational(9, 20)}
    assert bias.subs(half) != 0


@pytest.mark.parametrize("name", ["ARM", "DisARM", "RLOO (2 samples)", "ReinMax"])
@pytest.mark.parametrize("theta, tau", [(-1.0, 0.5), (0.7, 2.0)])
def test_exact_moments_against_monte_carlo(name, theta, tau):
    r = estimator_stats.estimator_statistics(
        name, theta, gradients.TARGET_REBAR, tau, 200_000, rng=17
    )
    mean, var = bt.moments_at(name, theta, gradients.TARGET_REBAR, tau)
    lo, hi = r.bias_interval(FALSE_ALARM)
    assert lo <= mean - r.exact <= hi
    lo, hi = r.variance_interval(FALSE_ALARM)
    assert lo <= var <= hi


@pytest.mark.parametrize("name", ["ARM", "DisARM", "ReinMax"])
@pytest.mark.parametrize("theta", [-1.0, 0.7])
def test_exact_moments_against_quadrature_of_the_registry_entry(name, theta):
    """``E[g^k] = int_0^1 g(u)^k du``, by quad on the cells where (b, b~) is constant."""
    fn, target, tau = registry.ESTIMATORS[name].function, 0.499, 0.5
    cuts = sorted({0.0, float(special.expit(theta)), float(special.expit(-theta)), 1.0})
    moments = []
    for k in (1, 2):
        total, error = 0.0, 0.0
        for a, b in zip(cuts, cuts[1:], strict=False):
            value, err = integrate.quad(lambda u, k=k: float(fn(theta, target, tau, u)) ** k, a, b)
            total, error = total + value, error + err
        moments.append((total, error))
    (m1, e1), (m2, e2) = moments
    mean, var = bt.moments_at(name, theta, target, tau)
    assert abs(m1 - mean) <= e1 + 1e-15
    assert abs((m2 - m1**2) - var) <= e2 + 2 * abs(m1) * e1 + 1e-15


def test_registry_entries_are_the_library_estimators():
    u = np.random.default_rng(18).random(50)
    theta, target, tau = 0.3, 0.45, 0.5
    f_toy = lambda b: (b[..., 0] - target) ** 2  # noqa: E731
    grad_toy = lambda x: ((x[..., 0] - target) ** 2, 2 * (x[..., 0] - target)[..., None])  # noqa: E731
    col = u[:, None]
    pairs = {
        "ARM": be.arm(f_toy, [theta], col),
        "DisARM": be.disarm(f_toy, [theta], col),
        "ReinMax": be.reinmax(grad_toy, [theta], tau, col),
        "REINFORCE": be.reinforce(f_toy, [theta], col),
        "relaxed": be.gumbel_softmax(grad_toy, [theta], tau, col),
        "straight-through": be.straight_through_gumbel(grad_toy, [theta], tau, col),
    }
    for name, expected in pairs.items():
        np.testing.assert_allclose(
            registry.ESTIMATORS[name].function(theta, target, tau, u),
            expected[:, 0],
            rtol=1e-12,
            atol=1e-15,
        )
    assert registry.ESTIMATORS["RLOO (2 samples)"].uniforms == 2
    assert not any(
        registry.ESTIMATORS[n].has_temperature for n in ("ARM", "DisARM", "RLOO (2 samples)")
    )
    assert registry.ESTIMATORS["ReinMax"].has_temperature


def test_reinmax_matches_the_reference_backward_for_two_classes():
    """microsoft/ReinMax f140066, reinmax/reinmax.py lines 38-46, for logits (theta, 0).

    The backward pass, transcribed in NumPy: pi_1 = (softmax(logits / tau) + D) / 2,
    2 g through the softmax Jacobian at pi_1, -g / 2 through it at pi_0 = softmax(logits),
    then centred. Its first component is d/dtheta; f depends on D_1 = b only.
    """
    rng = np.random.default_rng(19)
    for theta, tau in [(-1.3, 1.0), (0.4, 2.5), (2.2, 1.7)]:
        logits = np.array([theta, 0.0])
        y_soft = special.softmax(logits)
        for b in (0.0, 1.0):
            one_hot = np.array([b, 1 - b])
            g = np.array([rng.normal(), 0.0])  # grad_at_sample: df/dD_1, and 0 for D_2
            shifted = 0.5 * (special.softmax(logits / tau) + one_hot)
            grad_1 = (2 * g) * shifted
            grad_1 = grad_1 - shifted * grad_1.sum()
            grad_0 = (-0.5 * g) * y_soft
            grad_0 = grad_0 - y_soft * grad_0.sum()
            grad = grad_0 + grad_1
            reference = (grad - grad.mean())[0]
            u = uniforms_for(np.array([b]), np.array([theta]))
            slope = g[0]
            ours = be.reinmax(lambda x, c=slope: (x[..., 0], np.full(x.shape, c)), [theta], tau, u)
            np.testing.assert_allclose(ours[0], reference, rtol=1e-13)


def test_toy_objective_is_the_toy_on_one_latent_and_its_gradient_is_right():
    f2, g2 = bt.toy_objective(0.3)
    b = np.array([[0.0], [1.0]])
    np.testing.assert_array_equal(f2(b), (b[:, 0] - 0.3) ** 2)
    x = np.random.default_rng(20).random((5, 4))
    f3, g3 = bt.toy_objective(0.3, power=3)
    h = 1e-6
    for k in range(4):
        step = np.zeros(4)
        step[k] = h
        fd = (f3(x + step) - f3(x - step)) / (2 * h)
        # Truncation h^2 |f'''| / 6 with |f'''| = 6 / K^3, rounding 4 eps / h.
        np.testing.assert_allclose(g3(x)[1][:, k], fd, atol=h**2 / 64 + 1e-9)
    with pytest.raises(ValueError, match="^power must"):
        bt.toy_objective(0.3, power=0)


def test_moments_at_follows_the_branch_of_theta():
    """ARM's two branches differ; at theta = 0 they agree (continuity)."""
    lo = sp.lambdify((bt.p, bt.t), bt.exact_moments("ARM", False)[1])
    hi = sp.lambdify((bt.p, bt.t), bt.exact_moments("ARM", True)[1])
    np.testing.assert_allclose(lo(0.5, 0.45), hi(0.5, 0.45), rtol=1e-14)
    p_value = special.expit(1.0)
    assert lo(p_value, 0.45) != pytest.approx(hi(p_value, 0.45))
    assert bt.moments_at("ARM", 1.0, 0.45)[1] == pytest.approx(hi(p_value, 0.45), rel=1e-14)
    with pytest.raises(ValueError, match="^name must"):
        bt.moments_at("ST", 1.0, 0.45)


def test_reinmax_bias_is_exactly_zero_at_tau_one_in_floating_point():
    thetas = np.linspace(-5, 5, 11)
    assert np.all(bt.reinmax_bias(thetas, 0.45, 1.0) == 0)
    assert np.all(bt.reinmax_bias(0.0, 0.45, np.array([0.3, 3.0])) == 0)
    np.testing.assert_allclose(
        bt.reinmax_bias(-1.0, 0.45, 2.0),
        bt.moments_at("ReinMax", -1.0, 0.45, 2.0)[0] - gradients.exact_gradient(-1.0, 0.45),
        rtol=1e-12,
    )


def test_tables_have_a_row_per_estimator_and_target():
    table = prose.variance_table([-1.0, 0.0], 0.45)
    assert table.count("\n") == 1 + len(bt.EQUAL_COST)
    assert "θ = −1" in table
    table = prose.reinmax_table(-1.0, [0.25, 0.45], [1.0, 2.0])
    assert table.count("\n") == 3
    assert "| 0 |" in table  # the exact zero at tau = 1
    table = prose.reinmax_table(-1.0, [0.45], [1.0], quantity="variance")
    # the gradient column is labelled as a scale, not read as a variance
    assert table.startswith("| t | exact gradient (for scale) | τ = 1 |")
    assert prose.scientific(float(bt.moments_at("ReinMax", -1.0, 0.45)[1]), 2) in table
    with pytest.raises(ValueError, match="^quantity must"):
        prose.reinmax_table(-1.0, [0.45], [1.0], quantity="mse")


def test_bias_figure_draws_two_panels_per_setting():
    from binary_gumbel.book import figures

    taus = np.geomspace(0.1, 10, 5)
    fig, axes = figures.new_figure(ncols=2)
    figures.plot_bias_against_tau(
        axes, taus, {"a": np.zeros(5), "b": np.ones(5)}, {"a": 1.0, "b": 2.0}
    )
    assert [line.get_label() for line in axes[0].get_lines()][:2] == ["a", "b"]
    np.testing.assert_allclose(axes[1].get_lines()[1].get_ydata(), 1.5)
    with pytest.raises(ValueError, match="same labels"):
        figures.plot_bias_against_tau(axes, taus, {"a": taus}, {"b": 1.0})
    with pytest.raises(ValueError, match="one value per temperature"):
        figures.plot_bias_against_tau(axes, taus, {"a": taus[:2]}, {"a": 1.0})


@pytest.mark.parametrize("theta, target", [(-1.0, 0.45), (-1.0, 0.499), (1.0, 0.45), (-3.0, 0.25)])
def test_reinmax_mean_changes_sign_exactly_at_the_returned_temperatures(theta, target):
    (tau_star,) = bt.reinmax_zero_mean_taus(theta, target)
    mean = lambda tau: float(bt.moments_at("ReinMax", theta, target, tau)[0])  # noqa: E731
    exact = float(gradients.exact_gradient(theta, target))
    assert abs(mean(tau_star)) <= 1e-12 * exact / (1 - 2 * target) + 1e-15
    # Right sign at tau = 1, wrong beyond the root, on the side of 1 where the root is.
    assert mean(1.0) == pytest.approx(exact, rel=1e-12)
    beyond = (tau_star * 1.01, 50.0) if tau_star > 1 else (tau_star * 0.99, 0.02)
    assert all(mean(tau) * exact < 0 for tau in beyond)
    assert mean(tau_star / 1.01 if tau_star > 1 else tau_star * 1.01) * exact > 0


def test_reinmax_mean_keeps_its_sign_where_no_temperature_is_returned():
    assert bt.reinmax_zero_mean_taus(-1.0, 0.25).size == 0
    taus = np.geomspace(1e-3, 1e3, 200)
    means = bt.moments_at("ReinMax", -1.0, 0.25, taus)[0]
    assert np.all(means > 0)
    assert bt.reinmax_zero_mean_taus(0.0, 0.45).size == 0


@pytest.mark.parametrize("name", bt.EXACT_ESTIMATORS)
def test_the_branch_p_above_half_is_the_other_with_p_and_one_minus_p_exchanged(name):
    """As the chapter says: for ARM and DisARM; the others are one expression."""
    low, high = (bt.exact_moments(name, h)[1] for h in (False, True))
    if name in ("ARM", "DisARM"):
        assert sp.simplify(low.subs(bt.p, 1 - bt.p) - high) == 0
        assert sp.simplify(low - high) != 0
    else:
        assert sp.simplify(low - high) == 0


# --- Exact moments on K = 3 latents, by the cells of the antithetic pair ------------------

CELL_NAMES = ("ARM", "DisARM", "RLOO (2 samples)")


@pytest.mark.parametrize("theta", [-4.0, -1.0, 0.0, 0.7])
def test_moments_by_cells_on_one_latent_are_the_closed_forms(theta):
    """Gauss nodes on the cells (K = 1) against SymPy's integrals of exact_moments."""
    f_toy, _ = bt.toy_objective(0.45)
    cells = bt.moments_by_cells(f_toy, [theta])
    for name in CELL_NAMES:
        mean, var = bt.moments_at(name, theta, 0.45)
        np.testing.assert_allclose(cells[name][0], mean, rtol=1e-12)
        np.testing.assert_allclose(cells[name][1], var, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("logit", LOGITS)
def test_moments_by_cells_are_unbiased_on_three_latents(logit):
    cells = bt.moments_by_cells(f, logit)
    for name in CELL_NAMES:
        np.testing.assert_allclose(cells[name][0], exact_gradient(f, logit), rtol=1e-12)
    with pytest.raises(ValueError, match="^theta must have shape"):
        bt.moments_by_cells(f, np.zeros((1, 3)))


def test_moments_by_cells_against_monte_carlo_on_three_latents():
    """E[g_k^2] = Var + mean^2 per coordinate, against 200 000 draws, at theta = (-3, 0, 3)."""
    f_toy, _ = bt.toy_objective(0.45)
    theta = np.array([-3.0, 0.0, 3.0])
    cells = bt.moments_by_cells(f_toy, theta)
    u = np.random.default_rng(21).random((2, 200_000, 3))
    draws = {
        "ARM": be.arm(f_toy, theta, u[0]),
        "DisARM": be.disarm(f_toy, theta, u[0]),
        "RLOO (2 samples)": be.rloo(f_toy, theta, u),
    }
    for name, g in draws.items():
        mean, var = cells[name]
        for k in range(3):
            check = check_mean(g[:, k] ** 2, var[k] + mean[k] ** 2, FALSE_ALARM)
            assert check.consistent, (name, k, check)


def test_the_one_latent_variance_order_fails_on_three_latents():
    """On one latent DisARM <= ARM <= RLOO at every theta; on K = 3, with the toy f:
    ARM > RLOO in every coordinate at (-3, -3, -3), DisARM > RLOO in the first at
    (-3, 0, 3). DisARM <= ARM still holds (DisARM is E[ARM | b, b~])."""
    f_toy, _ = bt.toy_objective(0.45)
    rtol = 1e-9  # far above the rounding of a sum of 6^3 + 4^3 terms
    var = {n: v for n, (_, v) in bt.moments_by_cells(f_toy, [-3.0, -3.0, -3.0]).items()}
    assert np.all(var["ARM"] > var["RLOO (2 samples)"] * (1 + rtol))
    assert np.all(var["DisARM"] < var["ARM"])
    var = {n: v for n, (_, v) in bt.moments_by_cells(f_toy, [-3.0, 0.0, 3.0]).items()}
    assert var["DisARM"][0] > var["RLOO (2 samples)"][0] * (1 + rtol)
    assert np.all(var["DisARM"] < var["ARM"])


def test_an_overflowing_slope_times_a_zero_gradient_is_zero():
    """At tau = 5e-324 and z = 0 the slope 1 / (4 tau) is beyond the largest double; where
    f's gradient is 0 the estimate is 0 (its limit), not NaN, with no warning."""
    square = lambda x: ((x**2).sum(axis=-1), 2 * x)  # noqa: E731
    u = np.array([[0.5, 0.5]])  # z = 0: b = 0, x = 1/2
    st = be.straight_through_gumbel(square, np.array([0.0, 0.0]), 5e-324, u)
    np.testing.assert_array_equal(st, [[0.0, 0.0]])  # grad f(b = 0) = 0
    gs = be.gumbel_softmax(square, np.array([0.0, 0.0]), 5e-324, u)
    np.testing.assert_array_equal(gs, [[np.inf, np.inf]])  # grad f(1/2) = 1 times the slope
    centred = lambda x: (((x - 0.5) ** 2).sum(axis=-1), 2 * (x - 0.5))  # noqa: E731
    gs = be.gumbel_softmax(centred, np.array([0.0, 0.0]), 5e-324, u)
    np.testing.assert_array_equal(gs, [[0.0, 0.0]])  # grad f(1/2) = 0


def test_a_gradient_times_a_slope_beyond_the_largest_double_is_inf_without_a_warning():
    """At tau = 1e-308 and z = ±1e-308 (q = ±1) the slope is 0.197 / tau = 2e307, finite, and
    f's gradient 2e6 x (x = 0.73 or 0.27, b = 1 or 0) times it is about 1e313, beyond the
    largest double: the estimate is +inf, the product in doubles, with no overflow warning.
    REBAR's s(z) term is the same product, and its z~ term is small (v = 0.3 puts z~ far
    from 0 on the scale of tau), so its estimate is +inf too."""
    big = lambda x: ((1e6 * x**2).sum(axis=-1), 2e6 * x)  # noqa: E731
    logit, u = np.array([1e-308, -1e-308]), np.array([0.5, 0.5])  # z = logit: b = 1, 0
    np.testing.assert_array_equal(be.gumbel_softmax(big, logit, 1e-308, u), [np.inf, np.inf])
    np.testing.assert_array_equal(
        be.straight_through_gumbel(big, logit[:1], 1e-308, u[:1]), [np.inf]
    )
    g = binary_rebar.rebar(big, logit, 1e-308, np.array([u, [0.3, 0.3]]))
    np.testing.assert_array_equal(g, [np.inf, np.inf])


def test_gumbel_softmax_keeps_the_slope_where_exp_is_subnormal():
    """With f(x) = sum_k x_k the estimate is dx/dlogit = x (1 - x) / tau. At tau = 1e-3 and
    z = logit + l = ±0.72 (q = z / tau = ±720) exp(-q) = 2.0e-313 is subnormal, with 3 fewer
    digits than exp(-q) / tau = 2.0e-310 holds: both estimators with a temperature give the
    60-digit value to the error q's rounding brings (|q| eps relative) plus one subnormal
    step (dividing the subnormal exp(-q) by tau missed it by 6.5e-322, 131 such steps)."""
    import mpmath

    tau = 1e-3
    u = special.expit(np.array([[0.72, -0.72, 0.70]]))  # logit 0
    linear = lambda x: (x.sum(axis=-1), np.ones_like(x))  # noqa: E731
    got = be.gumbel_softmax(linear, 0.0, tau, u)[0]
    st = be.straight_through_gumbel(linear, 0.0, tau, u)[0]
    np.testing.assert_array_equal(got, st)  # the same backward pass, df/dx = 1 at b and at x
    z = be.logistic_from_uniform(u[0])
    for zk, gk in zip(z, got, strict=True):
        with mpmath.workdps(60):
            e = mpmath.exp(-abs(mpmath.mpf(zk)) / mpmath.mpf(tau))
            want = float(e / (1 + e) ** 2 / mpmath.mpf(tau))
        tolerance = abs(zk / tau) * np.finfo(float).eps * want + np.finfo(float).smallest_subnormal
        assert want > 0 and abs(gk - want) <= tolerance, (zk, gk, want)


def test_b_is_the_sign_of_z_for_every_estimator_where_sigmoid_rounds():
    """``b = 1[logit + l > 0]`` in every estimator and in REBAR, though ``sigmoid(-logit)``
    rounds to ``u``: at ``logit = 1e-20``, ``u = 1/2`` (``l = 0``), ``z = 1e-20 > 0`` so
    ``b = 1``, and so is ``b~`` (``z~ = logit - l > 0`` too). At ``u = 1``, ``l = inf`` and
    ``b = 1`` even where ``sigmoid(-logit)`` rounds to 1 (``logit = -40``)."""
    logit = np.array([1e-20, -40.0])
    u = np.array([0.5, 1.0])
    b, b_tilde = be.antithetic_pair(logit, u)
    np.testing.assert_array_equal(b, [1.0, 1.0])
    np.testing.assert_array_equal(b_tilde, [1.0, 0.0])
    rebar_b = binary_rebar.rebar_noise_unchecked(logit, u, np.full(2, 0.5)).b
    np.testing.assert_array_equal(rebar_b, b)
    # REINFORCE with f(b) = b_0 + 2 b_1 (no baseline): f(b) (b - p), with f(b) = 3.
    p = special.expit(logit)
    np.testing.assert_array_equal(be.reinforce(lambda x: x @ [1.0, 2.0], logit, u), 3 * (1 - p))
    # The toy: REINFORCE and straight-through Gumbel agree on b = 1 at theta = 1e-20.
    t, x = 0.45, 0.5
    assert gradients.reinforce(1e-20, t, 0.5) == (1 - t) ** 2 * 0.5
    assert gradients.straight_through(1e-20, t, 1.0, 0.5) == 2 * (1 - t) * x * (1 - x)


@pytest.mark.parametrize("logit", [1e-20, -40.0, 0.3, np.inf, -np.inf])
def test_the_relaxed_samplers_hard_sample_is_the_estimators_b(logit):
    """The relaxed sampler's ``hard=True`` sample (here at a temperature where ``x`` rounds
    to 1/2) is the estimators' ``b`` of the same uniforms, draw for draw."""
    n, seed = 10_000, 7
    hard = bg.sample_binary_gumbel_softmax(logit, 1e20, size=n, rng=seed, hard=True)
    u = np.random.default_rng(seed).random(n)
    _, b = be.hard_sample_unchecked(np.full(n, logit), be.logistic_from_uniform(u))
    np.testing.assert_array_equal(hard, b)


def test_hard_sample_keeps_its_limits_without_warnings():
    """An infinite logit wins over infinite noise; a finite one takes the noise's sign."""
    logit = np.array([np.inf, np.inf, -np.inf, -np.inf, 2.0, 2.0])
    noise = np.array([-np.inf, np.inf, -np.inf, np.inf, -np.inf, np.inf])  # u = 0, 1, ...
    z, b = be.hard_sample_unchecked(logit, noise)
    np.testing.assert_array_equal(z, [np.inf, np.inf, -np.inf, -np.inf, -np.inf, np.inf])
    np.testing.assert_array_equal(b, [1.0, 1.0, 0.0, 0.0, 0.0, 1.0])


def test_estimator_info_holds_only_what_is_read():
    """Every field of the table's records is read by the Markdown table or the registry:
    no dead data (a ``reference`` field once held years the docstrings contradicted)."""
    fields = {f.name for f in dataclasses.fields(be.EstimatorInfo)}
    assert fields == {
        "name",
        "function",
        "uniform_vectors",
        "evaluations",
        "has_temperature",
        "unbiased",
        "pathwise",
    }


@pytest.mark.parametrize("name", ["theta", "target"])
def test_reinmax_zero_mean_taus_takes_one_theta_and_one_target_naming_them(name):
    args = {"theta": 1.0, "target": 0.45, name: np.array([0.1, 0.2])}
    with pytest.raises(ValueError, match=rf"^{name} must be a single number; got shape \(2,\)"):
        bt.reinmax_zero_mean_taus(**args)


def _constant(value):
    """An ``f`` whose every value is ``value``."""
    return lambda b: np.full(b.shape[:-1], value)


def _gradient_of(value):
    """An ``f_grad`` whose value is 0 and whose every partial derivative is ``value``."""
    return lambda x: (np.zeros(x.shape[:-1]), np.full(x.shape, value))


# f(b) = 1 where b_0 = 1 and NaN where b_0 = 0: at logit 0 and u = 0.7, b_0 = 1 and b~_0 = 0.
NAN_AT_B_TILDE = lambda b: np.where(b[..., 0] == 1, 1.0, np.nan)  # noqa: E731


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: be.reinforce(_constant(np.nan), 0.0, [0.7]), r"^f\(b\) must be finite"),
        (lambda: be.reinforce(_constant(-np.inf), 0.0, [0.7], 1.0), r"^f\(b\) must be finite"),
        (lambda: be.rloo(_constant(np.inf), 0.0, [[0.7], [0.2]]), r"^f\(b\) must be finite"),
        (lambda: be.arm(_constant(np.inf), 0.0, [0.7]), r"^f\(b\) must be finite"),
        (lambda: be.disarm(_constant(np.nan), 0.0, [0.7]), r"^f\(b\) must be finite"),
        (lambda: be.arm(NAN_AT_B_TILDE, 0.0, [0.7]), r"^f\(b~\) must be finite"),
        (
            lambda: be.disarm(NAN_AT_B_TILDE, 0.0, [0.7]),
            r"^f\(b~\) must be finite \(no NaN or infinity\); got nan$",
        ),
        (
            lambda: be.straight_through(_gradient_of(np.nan), 0.0, [0.7]),
            "^f_grad's gradient must be finite",
        ),
        (  # inf times the slope 0 at an infinite logit was NaN with numpy's warning
            lambda: be.gumbel_softmax(_gradient_of(np.inf), np.inf, 1.0, [0.7]),
            "^f_grad's gradient must be finite",
        ),
        (
            lambda: be.reinmax(_gradient_of(-np.inf), 0.0, 1.0, [0.7]),
            "^f_grad's gradient must be finite",
        ),
        (
            lambda: be.straight_through_gumbel(
                lambda x: (np.full(x.shape[:-1], np.nan), np.ones(x.shape)), 0.0, 1.0, [0.7]
            ),
            "^f_grad's value must be finite",
        ),
        (
            lambda: be.reinforce(lambda b: b.sum(-1), 0.0, [0.7], baseline=[1.0, 2.0, 3.0]),
            r"^baseline must have the shape of f\(b\), \(\), or broadcast to it; got shape \(3,\)",
        ),
        (
            lambda: be.reinforce(f, np.zeros(3), np.full((4, 3), 0.5), baseline=np.zeros((2,))),
            r"^baseline must have the shape of f\(b\), \(4,\)",
        ),
    ],
)
def test_what_f_returns_and_the_baseline_are_checked_by_name(call, match):
    """A NaN or an infinity from ``f`` or ``f_grad`` is named, not returned nor warned about
    (NaN came back; inf gave numpy's warning); a baseline that would add axes to the
    estimate (an estimate of shape (3, 1) for one latent) is refused."""
    with pytest.raises(ValueError, match=match):
        call()


def test_a_baseline_broadcasts_to_the_shape_of_f():
    logit, u = np.array([0.3, -1.0, 2.0]), np.random.default_rng(3).random((4, 3))
    scalar = be.reinforce(f, logit, u, 0.25)
    np.testing.assert_array_equal(be.reinforce(f, logit, u, [0.25]), scalar)
    np.testing.assert_array_equal(be.reinforce(f, logit, u, np.full(4, 0.25)), scalar)
    assert scalar.shape == (4, 3)


def test_f_values_whose_differences_overflow_give_the_estimate_without_warnings():
    """``f(b) = 1e308`` against ``f(b~)`` or a baseline of ``-1e308``: their difference,
    2e308, is beyond the largest double, but the estimates are finite multiples of it
    (numpy warned of the overflow, and gave inf or NaN). Where the estimate itself is beyond
    the largest double it is inf; where the score is 0 (an infinite logit) it is 0; an
    ordinary row beside a huge one keeps its bits."""
    sign = lambda b: 1e308 * (2 * b[..., 0] - 1)  # noqa: E731  # +-1e308 at b_0 = 1, 0
    u = np.array([0.7, 0.2])  # at logit 0: b = (1, 0), b~ = (0, 1)
    np.testing.assert_allclose(be.arm(sign, 0.0, u), [4e307, -6e307], rtol=1e-15)
    np.testing.assert_allclose(be.disarm(sign, 0.0, u), [5e307, -5e307], rtol=1e-15)
    # RLOO on two samples with f = 1e308 and -1e308: ((f1 - f2)(b1 - p) + (f2 - f1)(b2 - p))/2
    np.testing.assert_allclose(be.rloo(sign, 0.0, [[0.7], [0.2]]), [1e308], rtol=1e-15)
    # The mean of four values of 1e308 sums to 4e308 on the way.
    u4 = [[0.7], [0.2], [0.4], [0.9]]
    np.testing.assert_array_equal(be.rloo(_constant(1e308), 0.0, u4), [0.0])
    huge, tiny = _constant(1e308), -1e308
    np.testing.assert_array_equal(be.reinforce(huge, 0.0, [0.7], tiny), [1e308])
    p = special.expit(2.0)
    np.testing.assert_allclose(be.reinforce(huge, 2.0, [0.95], tiny), [1e308 * (1 - p) * 2], 1e-15)
    # At logit -40: b = 0 gives -2e308 p, p = sigmoid(-40); b = 1 (at u = 1) gives
    # 2e308 (1 - p), beyond the largest double.
    p = special.expit(-40.0)
    np.testing.assert_allclose(be.reinforce(huge, -40.0, [0.9], tiny), [-1e308 * p * 2], 1e-15)
    np.testing.assert_array_equal(be.reinforce(huge, -40.0, [1.0], tiny), [np.inf])
    np.testing.assert_array_equal(be.reinforce(huge, np.inf, [0.9], tiny), [0.0])
    rows = lambda b: np.where(b[..., 0] >= 0, [1.5, 1e308], 0.0)  # noqa: E731
    logit, u2 = np.array([[0.3], [0.0]]), np.array([[0.4], [0.7]])
    both = be.reinforce(rows, logit, u2, np.array([0.25, -1e308]))
    np.testing.assert_array_equal(both[0], be.reinforce(_constant(1.5), 0.3, [0.4], 0.25))
    np.testing.assert_array_equal(both[1], [1e308])
