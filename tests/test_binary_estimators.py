"""Gradient estimators for binary latents: unbiasedness, bias, shapes, bad input, limits.

Statistical checks run at a false-alarm rate of 1e-6 per interval (fixed seeds);
:data:`N_CHECKS` bounds the family, so the family-wise rate is below ``N_CHECKS * 1e-6``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, special

from binary_gumbel import binary_estimators as be
from binary_gumbel import binary_toy as bt
from binary_gumbel import gradients as gr
from binary_gumbel.montecarlo import check_mean

FALSE_ALARM = 1e-6
#: Intervals in this file's statistical checks: 24 for the unbiased estimators (2 logits,
#: 4 estimators, 3 coordinates), 3 + 1 for the power and variance checks, 18 for the biased
#: ones, 16 on the toy (4 estimators, 2 settings, bias and variance).
N_CHECKS = 24 + 4 + 18 + 16
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
    """Same mean, so Var ARM - Var DisARM = E[ARM^2 - DisARM^2], measured on the same u."""
    u = np.random.default_rng(13).random((200_000, 3))
    diff = be.arm(f, LOGITS[0], u) ** 2 - be.disarm(f, LOGITS[0], u) ** 2
    check = check_mean(diff.sum(axis=1), 0.0, FALSE_ALARM)
    assert check.low > 0, check


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


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: be.gumbel_softmax(f_grad, [0.0] * 3, 0.0, np.full(3, 0.5)), "^tau must"),
        (lambda: be.reinmax(f_grad, [0.0] * 3, -1.0, np.full(3, 0.5)), "^tau must"),
        (lambda: be.arm(f, [0.0] * 3, np.full(3, 1.5)), "^u must be a uniform"),
        (lambda: be.disarm(f, [0.0] * 3, np.full(3, -0.1)), "^u must be a uniform"),
        (lambda: be.reinforce(f, [0.0] * 3, np.full(4, 0.5)), "^shapes do not broadcast"),
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


def test_reinmax_on_the_toy_is_unbiased_at_tau_one_only():
    mean, _ = bt.exact_moments("ReinMax")
    bias = mean - (1 - 2 * bt.t) * bt.p * (1 - bt.p)
    assert sp.simplify(bias.subs(bt.s, bt.p)) == 0
    half = {bt.p: sp.Rational(1, 3), bt.s: sp.Rational(1, 4), bt.t: sp.Rational(9, 20)}
    assert bias.subs(half) != 0


@pytest.mark.parametrize("name", ["ARM", "DisARM", "RLOO (2 samples)", "ReinMax"])
@pytest.mark.parametrize("theta, tau", [(-1.0, 0.5), (0.7, 2.0)])
def test_exact_moments_against_monte_carlo(name, theta, tau):
    r = gr.estimator_statistics(name, theta, gr.TARGET_REBAR, tau, 200_000, rng=17)
    mean, var = bt.moments_at(name, theta, gr.TARGET_REBAR, tau)
    lo, hi = r.bias_interval(FALSE_ALARM)
    assert lo <= mean - r.exact <= hi
    lo, hi = r.variance_interval(FALSE_ALARM)
    assert lo <= var <= hi


@pytest.mark.parametrize("name", ["ARM", "DisARM", "ReinMax"])
@pytest.mark.parametrize("theta", [-1.0, 0.7])
def test_exact_moments_against_quadrature_of_the_registry_entry(name, theta):
    """``E[g^k] = int_0^1 g(u)^k du``, by quad on the cells where (b, b~) is constant."""
    fn, target, tau = gr.ESTIMATORS[name], 0.499, 0.5
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
            gr.ESTIMATORS[name](theta, target, tau, u), expected[:, 0], rtol=1e-12, atol=1e-15
        )
    assert gr.uniforms_per_estimate("RLOO (2 samples)") == 2
    assert {"ARM", "DisARM", "RLOO (2 samples)"} <= gr.TEMPERATURE_FREE
    assert "ReinMax" not in gr.TEMPERATURE_FREE
