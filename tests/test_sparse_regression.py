"""L0-regularised regression: exact best subset by enumeration, and hard concrete gates."""

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import stats

from binary_gumbel import hard_concrete as hc
from binary_gumbel.book import prose
from binary_gumbel.estimators import l0_gates, sparse_data
from binary_gumbel.estimators import sparse_regression as sr
from binary_gumbel.verification import montecarlo

EPS = np.finfo(np.float64).eps
FALSE_ALARM = montecarlo.DEFAULT_FALSE_ALARM


@pytest.fixture(scope="module")
def small():
    """Six features, so that the brute-force reference below is quick."""
    return sparse_data.make_problems(
        seeds=3, n=60, n_test=50, d=6, weights=(1.0, -0.6), support=(0, 3)
    )


def test_data_follow_the_model():
    """The neighbouring features' correlation and the noise's variance lie within their
    sampling error at FALSE_ALARM each: Fisher's z of the correlation is about normal with
    standard deviation 1 / sqrt(n - 3), and the noise's sum of squares (the weights known,
    the noise's standard deviation 1) is chi-squared with n degrees of freedom."""
    n = 4000
    p = sparse_data.make_problems(seeds=2, n=n, n_test=10, rho=0.5, seed=1)
    X, y = p.X_train[0], p.y_train[0]
    assert p.X_train.shape == (2, n, 12) and p.y_test.shape == (2, 10)
    assert p.support.sum() == 4 and np.flatnonzero(p.support).tolist() == list(
        sparse_data.TRUE_SUPPORT
    )
    r = np.corrcoef(X[:, 0], X[:, 1])[0, 1]
    z = montecarlo.z_for_false_alarm(FALSE_ALARM)
    assert abs(np.arctanh(r) - np.arctanh(0.5)) <= z / np.sqrt(n - 3)
    squares = np.sum((y - X @ p.weights) ** 2)
    low, high = stats.chi2.ppf(FALSE_ALARM / 2, n), stats.chi2.isf(FALSE_ALARM / 2, n)
    assert low <= squares <= high
    again = sparse_data.make_problems(seeds=2, n=4000, n_test=10, rho=0.5, seed=1)
    np.testing.assert_array_equal(again.X_train, p.X_train)
    assert sparse_data.bic_penalty(p) == pytest.approx(np.log(4000) / 4000)
    text = prose.problem_text(p)
    assert (text.n, text.d, text.k, text.subsets, text.seeds) == ("4000", "12", "4", "4,096", "2")
    assert text.weights == "1, −0.7, 0.5, −0.3"


def test_enumeration_is_least_squares_on_every_support(small):
    subsets = sparse_data.enumerate_subsets(small)
    assert subsets.masks.shape == (64, 6) and subsets.weights.shape == (3, 64, 6)
    X, y = small.X_train[1], small.y_train[1]
    for k in (0, 5, 17, 42, 63):
        mask = subsets.masks[k]
        w = np.zeros(6)
        if mask.any():
            w[mask] = np.linalg.lstsq(X[:, mask], y, rcond=None)[0]
        np.testing.assert_allclose(subsets.weights[1, k], w, atol=1e-10)
        assert subsets.mse[1, k] == pytest.approx(np.mean((y - X @ w) ** 2), rel=1e-10)


def test_subset_index_finds_each_support_among_the_masks(small):
    subsets = sparse_data.enumerate_subsets(small)
    rows = sparse_data.subset_index(subsets.masks)
    np.testing.assert_array_equal(rows, np.arange(subsets.masks.shape[0]))
    assert sparse_data.subset_index(np.zeros(6, bool)) == 0


def test_best_subset_is_the_brute_force_minimiser(small):
    subsets = sparse_data.enumerate_subsets(small)
    lams = [0.0, 0.01, 0.05, 0.3, 5.0]
    best = sparse_data.best_subset(subsets, lams)
    for s in range(small.seeds):
        X, y = small.X_train[s], small.y_train[s]
        for j, lam in enumerate(lams):
            values = {}
            for size in range(7):
                for support in itertools.combinations(range(6), size):
                    cols = list(support)
                    fit = np.linalg.lstsq(X[:, cols], y, rcond=None)[0] if cols else []
                    rss = np.mean((y - X[:, cols] @ fit) ** 2) if cols else np.mean(y**2)
                    values[support] = rss + lam * size
            winner = min(values, key=values.get)
            assert tuple(np.flatnonzero(subsets.masks[best[s, j]])) == winner
    assert sparse_data.best_subset(subsets, 5.0).shape == (small.seeds,)
    assert np.all(subsets.masks[sparse_data.best_subset(subsets, 0.0)].all(axis=-1))


def test_gate_is_the_hard_concrete_transform_and_its_derivative():
    rng = np.random.default_rng(4)
    logit, u = rng.normal(0, 2, 500), rng.uniform(1e-6, 1 - 1e-6, 500)
    z, dz = l0_gates.gate_and_derivative(logit, 0.6, u)
    # Both evaluate gamma + (zeta - gamma) s, which cancels near 0: compare absolutely there.
    np.testing.assert_allclose(
        z, hc.hard_concrete_from_uniform(logit, 0.6, u), rtol=1e-13, atol=1e-15
    )
    h = 1e-6
    fd = (
        l0_gates.gate_and_derivative(logit + h, 0.6, u)[0]
        - l0_gates.gate_and_derivative(logit - h, 0.6, u)[0]
    ) / (2 * h)
    clear = (z > 1e-4) & (z < 1 - 1e-4)  # away from the kinks at the clipping points
    np.testing.assert_allclose(dz[clear], fd[clear], rtol=1e-5, atol=1e-9)
    assert np.all(dz[(z == 0) | (z == 1)] == 0)


def test_at_zero_weights_only_the_penalty_moves_the_logits(small):
    """The chapter's training starts every weight at 0 (the released code draws them
    Kaiming-normal), so its first step moves the logits by the penalty's gradient alone:
    the data term's gradient in a logit carries the weight as a factor."""
    G, b, _ = small.gram()
    rng = np.random.default_rng(9)
    logit = rng.normal(0, 2, (3, 2, 6))
    lam = np.array([0.0, 0.2])[None, :, None]
    u = rng.uniform(0.01, 0.99, (4, 3, 2, 6))
    _, (d_theta, d_logit) = l0_gates.objective_and_gradients(
        np.zeros_like(logit), logit, G, b, lam, u, 0.5
    )
    np.testing.assert_array_equal(d_logit, lam * hc.expected_l0_grad(logit, 0.5))
    assert np.any(d_theta != 0)  # the data term does move the weights
    theta = rng.normal(0, 1, logit.shape)
    moved = l0_gates.objective_and_gradients(theta, logit, G, b, lam, u, 0.5)[1][1]
    assert np.any(moved != lam * hc.expected_l0_grad(logit, 0.5))


def test_objective_gradients_are_the_derivatives_of_the_sampled_objective(small):
    G, b, c = small.gram()
    rng = np.random.default_rng(8)
    theta = rng.normal(0, 1, (3, 2, 6))
    logit = rng.normal(0, 1, (3, 2, 6))
    lam = np.array([0.0, 0.2])[None, :, None]
    u = rng.uniform(0.01, 0.99, (4, 3, 2, 6))
    value, (d_theta, d_logit) = l0_gates.objective_and_gradients(theta, logit, G, b, lam, u, 0.5)
    # The objective is the sampled mean squared error (minus y'y/n) plus the closed-form penalty.
    z = hc.hard_concrete_from_uniform(logit, 0.5, u)
    pred = np.einsum("snd,ksld->ksln", small.X_train, theta * z)
    mse = np.mean((small.y_train[None, :, None, :] - pred) ** 2, axis=-1).mean(axis=0)
    penalty = lam[..., 0] * hc.expected_l0(logit, 0.5).sum(axis=-1)
    np.testing.assert_allclose(value, mse - c[:, None] + penalty, rtol=1e-10, atol=1e-12)
    h = 1e-6
    for grad, which in ((d_theta, 0), (d_logit, 1)):
        for idx in [(0, 0, 0), (1, 1, 3), (2, 1, 5)]:
            args = [theta.copy(), logit.copy()]
            args[which][idx] += h
            up = l0_gates.objective_and_gradients(*args, G, b, lam, u, 0.5)[0][idx[:2]]
            args[which][idx] -= 2 * h
            down = l0_gates.objective_and_gradients(*args, G, b, lam, u, 0.5)[0][idx[:2]]
            assert grad[idx] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def _gram_of(problem, s=0):
    G, b, c = problem.gram()
    return G[s], b[s], c[s]


def test_refitted_objective_is_the_mean_of_the_sampled_objective_at_its_minimiser(small):
    """At the refitted weights, the training's own sampled objective (over 2 x 10^5 gate
    draws) averages to the closed form, and its sampled gradient in theta to 0, each within
    its sampling error at the false-alarm rate 1e-6 (Bonferroni over the d components)."""
    G, b, c = _gram_of(small)
    logit, lam, tau = np.array([2.0, -1.0, 0.5, 4.0, -3.0, 0.0]), 0.05, 0.5
    value, w = l0_gates.refitted_objective(logit, G, b, c, lam, tau)
    mean, _ = hc.hard_concrete_moments(logit, tau)
    theta = w / mean
    rng = np.random.default_rng(31)
    draws = 200_000
    u = rng.uniform(size=(draws, 1, 1, 6))
    np.clip(u, np.finfo(float).tiny, 1 - 2**-53, out=u)
    per_draw = [
        l0_gates.objective_and_gradients(
            theta[None, None], logit[None, None], G[None], b[None], lam, chunk, tau
        )
        for chunk in np.split(u, 100)
    ]
    # objective_and_gradients averages over its draws; equal chunks keep the mean exact,
    # and the spread of the chunk means gives the standard error.
    values = np.array([v[0][0, 0] for v in per_draw])
    grads = np.array([v[1][0][0, 0] for v in per_draw])
    k = montecarlo.t_for_false_alarm(FALSE_ALARM, 99)
    assert abs(values.mean() + c - value) <= k * values.std(ddof=1) / 10
    # six partial derivatives at FALSE_ALARM / 6 each: at most FALSE_ALARM for the six
    k_d = montecarlo.t_for_false_alarm(FALSE_ALARM / 6, 99)
    assert np.all(np.abs(grads.mean(axis=0)) <= k_d * grads.std(axis=0, ddof=1) / 10)
    assert np.abs(grads.mean(axis=0)).max() > 0  # sampled, not exactly 0


def test_expected_objective_is_the_mean_of_the_sampled_objective_anywhere(small):
    """At weights that are not the best, the closed form of expected_objective matches the
    training's sampled objective (plus y'y/n) within its sampling error at 1e-6; at the
    refitted weights it equals refitted_objective, and elsewhere it is higher."""
    G, b, c = _gram_of(small)
    logit, lam, tau = np.array([2.0, -1.0, 0.5, 4.0, -3.0, 0.0]), 0.05, 0.5
    theta = np.array([0.8, -0.4, 1.3, 0.2, -0.9, 0.5])
    value = l0_gates.expected_objective(theta, logit, G, b, c, lam, tau)
    rng = np.random.default_rng(32)
    u = rng.uniform(size=(200_000, 1, 1, 6))
    np.clip(u, np.finfo(float).tiny, 1 - 2**-53, out=u)
    values = np.array([
        l0_gates.objective_and_gradients(
            theta[None, None], logit[None, None], G[None], b[None], lam, chunk, tau
        )[0][0, 0]
        for chunk in np.split(u, 100)
    ])  # fmt: skip
    k = montecarlo.t_for_false_alarm(FALSE_ALARM, 99)
    assert abs(values.mean() + c - value) <= k * values.std(ddof=1) / 10
    best, w = l0_gates.refitted_objective(logit, G, b, c, lam, tau)
    mean, _ = hc.hard_concrete_moments(logit, tau)
    at_best = l0_gates.expected_objective(w / mean, logit, G, b, c, lam, tau)
    assert at_best == pytest.approx(best, rel=1e-12)
    assert value > best
    with pytest.raises(ValueError, match=r"^theta and logit must have d = 6 features"):
        l0_gates.expected_objective(theta[:5], logit[:5], G, b, c, lam, tau)
    with pytest.raises(ValueError, match=r"^lam must be non-negative \(>= 0\); got -1\.0"):
        l0_gates.expected_objective(theta, logit, G, b, c, -1.0, tau)


def test_saturated_gates_give_least_squares_on_their_support_plus_lam_per_feature(small):
    """Gates at logit +-inf are exactly 1 or 0: the refitted objective is then best subset's
    L0 objective of that support, from the enumeration of every support."""
    subsets = sparse_data.enumerate_subsets(small)
    G, b, c = _gram_of(small, 1)
    for k in (0, 9, 37, 63):
        mask = subsets.masks[k]
        logit = np.where(mask, np.inf, -np.inf)
        value, w = l0_gates.refitted_objective(logit, G, b, c, 0.03, 2 / 3)
        assert value == pytest.approx(subsets.mse[1, k] + 0.03 * mask.sum(), rel=1e-12)
        np.testing.assert_allclose(w, subsets.weights[1, k], rtol=1e-9, atol=1e-12)
    # Gates without variance: least squares on every feature, whatever their means.
    fit, _ = l0_gates.expected_fit(np.linspace(0.05, 1, 6), np.zeros(6), G, b, c)
    assert fit == pytest.approx(subsets.mse[1, -1], rel=1e-12)


def test_the_relative_variance_grows_as_the_gate_shuts_and_the_fit_with_it(small):
    """The ridge strength Var z / (E z)^2 falls as the logit grows (from unbounded to 0), and
    the refitted fit grows with it: the chapter's reason why closing a gate raises the fit."""
    logit = np.linspace(-30, 30, 601)
    mean, variance = hc.hard_concrete_moments(logit, 2 / 3)
    ratio = variance / mean**2
    assert np.all(np.diff(ratio) < 0) and ratio[0] > 1e11 and ratio[-1] < 1e-11
    G, b, c = _gram_of(small)
    gates = np.tile(np.array([30.0, -1.0, 2.0, 30.0, 0.5, 30.0]), (logit.size, 1))
    gates[:, 0] = logit
    fit = l0_gates.refitted_objective(gates, G, b, c, 0.0, 2 / 3)[0]
    assert np.all(np.diff(fit) <= 1e-15)


def test_a_gate_shut_beyond_the_doubles_gives_the_shut_gates_fit(small):
    """At a logit of -200 to -720 the gate's mean E z is 1e-87 to 3e-313 and its ridge
    strength Var z / (E z)^2 about 0.6 / E z: from about -350 on (E z)^2 is below the
    doubles, and from about -710 on (E z subnormal) the strength times G_jj is too. The fit
    is then the limit, that of the gate shut (logit -inf), with no warning (an error here)
    and no NaN: equal to it within the two solves' rounding, a few cond(G) eps. The
    feature's mean weight, about E z times its residual correlation, is below 1e-80, and
    exactly 0 where the strength is beyond the doubles or E z rounds to 0."""
    G, b, c = _gram_of(small)
    gates = np.tile(np.array([0.0, -1.0, 2.0, 30.0, 0.5, 30.0]), (7, 1))
    gates[:, 0] = [-200.0, -400.0, -700.0, -720.0, -745.0, -800.0, -np.inf]
    fit, w = l0_gates.refitted_objective(gates, G, b, c, 0.0, 2 / 3)
    np.testing.assert_allclose(fit, fit[-1], rtol=4 * np.linalg.cond(G) * EPS)
    assert np.all(np.abs(w[:3, 0]) < 1e-80) and np.all(w[3:, 0] == 0)
    # A strength r G_jj beyond the doubles while r is not (r = 1 / 6e-309, G_00 > 1.1):
    mean, variance = np.full(6, 0.5), np.full(6, 0.1)
    mean[0] = variance[0] = 6e-309
    top = np.log(np.finfo(np.float64).max)
    assert -np.log(mean[0]) < top < np.log(G[0, 0]) - np.log(mean[0])
    shut = l0_gates.expected_fit(np.where(np.arange(6) == 0, 0.0, mean), variance, G, b, c)
    np.testing.assert_array_equal(l0_gates.expected_fit(mean, variance, G, b, c)[1], shut[1])
    # ... and a diagonal G_jj (1 + r) beyond them while r G_jj is not (a feature scaled up
    # so that G_jj is 1.2e308; r = 0.3 / 0.5^2 = 1.2):
    scale = np.ones(6)
    scale[0] = np.sqrt(1.2e308 / G[0, 0])
    G_big, b_big = G * np.outer(scale, scale), b * scale
    mean[0], variance[0] = 0.5, 0.3
    log_g = np.log(G_big[0, 0])
    assert log_g + np.log(1.2) < top < log_g + np.log(2.2)
    fit = l0_gates.expected_fit(mean, variance, G_big, b_big, c)
    shut = l0_gates.expected_fit(np.where(np.arange(6) == 0, 0.0, mean), variance, G_big, b_big, c)
    np.testing.assert_array_equal(fit[1], shut[1])


def test_the_strength_of_a_gate_whose_mean_squared_is_subnormal_keeps_its_digits(small):
    """r = Var z / (E z)^2 does not change when E z is scaled by 2^-530 and Var z by 2^-1060;
    (E z)^2 is then subnormal, so v / m^2 would keep only about 14 of its bits (an error near
    1e-5), and (sqrt(v) / m)^2 is used: the fits agree within the two solves' rounding."""
    G, b, c = _gram_of(small)
    mean, variance = np.full(6, 0.5), np.full(6, 0.1)
    mean[0], variance[0] = 0.7, 0.375 * 2.0**20
    tiny_mean, tiny_variance = mean.copy(), variance.copy()
    tiny_mean[0], tiny_variance[0] = 0.7 * 2.0**-530, 0.375 * 2.0**-1040
    assert 0 < tiny_mean[0] ** 2 < np.finfo(np.float64).tiny
    want, got = (
        l0_gates.expected_fit(m, v, G, b, c)
        for m, v in ((mean, variance), (tiny_mean, tiny_variance))
    )
    rtol = 4 * np.linalg.cond(G) * EPS
    np.testing.assert_allclose(got[0], want[0], rtol=rtol)
    np.testing.assert_allclose(got[1], want[1], rtol=rtol)


def test_training_refuses_a_stretch_wider_than_the_doubles(small):
    with pytest.raises(ValueError, match=r"^zeta - gamma, the width of the stretch, must be"):
        l0_gates.train_gates(small, 0.05, steps=1, gamma=-1e308, zeta=1e308)


def test_expected_fit_refuses_bad_input(small):
    G, b, c = _gram_of(small)
    m, v = np.full(6, 0.5), np.full(6, 0.1)
    with pytest.raises(ValueError, match=r"^G must be \(d, d\) and b \(d,\)"):
        l0_gates.expected_fit(m, v, G[:5], b, c)
    with pytest.raises(ValueError, match=r"^c must be a single number; got shape \(1,\)"):
        l0_gates.expected_fit(m, v, G, b, [c])
    with pytest.raises(ValueError, match=r"^mean must have d = 6 features"):
        l0_gates.expected_fit(m[:5], v[:5], G, b, c)
    with pytest.raises(ValueError, match=r"^mean must lie in \[0, 1\] and variance"):
        l0_gates.expected_fit(np.full(6, np.nan), v, G, b, c)
    with pytest.raises(ValueError, match=r"^lam must be non-negative \(>= 0\); got -0\.1"):
        l0_gates.refitted_objective(np.zeros(6), G, b, c, -0.1, 0.5)
    with pytest.raises(ValueError, match=r"^lam must be finite \(no NaN or infinity\); got inf"):
        l0_gates.refitted_objective(np.full(6, -np.inf), G, b, c, np.inf, 0.5)
    with pytest.raises(ValueError, match=r"^lam must be a single number; got shape \(2,\)"):
        l0_gates.refitted_objective(np.zeros(6), G, b, c, [0.1, 0.2], 0.5)
    with pytest.raises(ValueError, match=r"^tau must"):
        l0_gates.refitted_objective(np.zeros(6), G, b, c, 0.1, 0.0)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"G": np.full((6, 6), np.nan)}, ValueError, r"^G must be finite .* got nan at index"),
        ({"b": np.full(6, np.inf)}, ValueError, r"^b must be finite .* got inf"),
        ({"c": np.nan}, ValueError, r"^c must be finite .* got nan"),
        ({"G": [["1"] * 6] * 6}, TypeError, "^G must be a real number"),
        ({"c": "1"}, TypeError, "^c must be a real number"),
        ({"mean": ["0.5"] * 6}, TypeError, "^mean must be a real number"),
    ],
)
def test_expected_fit_names_a_non_finite_or_non_numeric_argument(small, change, error, match):
    G, b, c = _gram_of(small)
    arguments = {"mean": np.full(6, 0.5), "variance": np.full(6, 0.1), "G": G, "b": b, "c": c}
    with pytest.raises(error, match=match):
        l0_gates.expected_fit(**(arguments | change))


def test_a_duplicated_feature_gives_the_least_norm_minimiser_and_the_least_squares_fit():
    """Gates always on (mean 1, variance 0) and a feature that repeats another: G is
    singular, the minimisers a line, and the fit the least-squares error of the data."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 2))
    X = np.column_stack([x, x[:, 0]])
    y = X @ [1.0, -2.0, 0.5] + rng.normal(size=40)
    G, b, c = X.T @ X / 40, X.T @ y / 40, y @ y / 40
    fit, w = l0_gates.expected_fit(np.ones(3), np.zeros(3), G, b, c)
    least_norm = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(w, least_norm, rtol=1e-12)
    assert w[0] == pytest.approx(w[2], rel=1e-12)
    assert fit == pytest.approx(np.mean((y - X @ least_norm) ** 2), rel=1e-12)


@pytest.mark.parametrize(
    ("logit", "kwargs", "match"),
    [
        (np.nan, {}, "^logit must not be NaN"),
        (0.0, {"gamma": 0.5, "zeta": 0.2}, "^gamma must be a finite negative number"),
        (0.0, {"zeta": 0.9}, "^zeta must be a finite number greater than 1"),
        (0.0, {"gamma": -1e308, "zeta": 1e308}, r"^zeta - gamma, the width of the stretch"),
    ],
)
def test_test_gate_names_a_nan_logit_and_a_bad_stretch(logit, kwargs, match):
    with pytest.raises(ValueError, match=match):
        l0_gates.test_gate(logit, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tau": [0.5, 1.0]}, r"^tau must be a single number; got shape \(2,\)"),
        ({"gamma": [-0.1, -0.2]}, r"^gamma must be a single number; got shape \(2,\)"),
    ],
)
def test_train_gates_names_a_setting_that_is_not_a_single_number(kwargs, match):
    p = sparse_data.make_problems(seeds=1, n=20, n_test=5, d=4, weights=(1.0,), support=(0,))
    with pytest.raises(ValueError, match=match):
        l0_gates.train_gates(p, 0.1, steps=1, **kwargs)


def test_gates_recover_an_easy_support_and_close_under_a_large_penalty():
    """At the library's default 1,500 steps, on the six datasets of generator seed 3 with
    training seed 0: the support is recovered, and every gate closes under the large penalty.
    (Run once beside this test, not by it: the same held at each of 30 generator seeds, 3 to
    32, with each of 5 training seeds, 0 to 4; at 800 steps, at generator seed 8, an
    off-support gate was still open under the small penalty, so the default is not slack.)"""
    p = sparse_data.make_problems(
        seeds=6, n=200, noise_sd=0.3, weights=(1.5, -1.2, 1.0, -0.8), seed=3
    )
    subsets = sparse_data.enumerate_subsets(p)
    fit = l0_gates.train_gates(p, [0.02, 50.0], rng=0, steps=1500)
    assert fit.theta.shape == (6, 2, 12)
    np.testing.assert_array_equal(fit.support[:, 0], np.tile(p.support, (6, 1)))
    best = subsets.masks[sparse_data.best_subset(subsets, 0.02)]
    np.testing.assert_array_equal(fit.support[:, 0], best)
    assert not fit.support[:, 1].any() and np.all(fit.weights[:, 1] == 0)
    again = l0_gates.train_gates(p, [0.02, 50.0], rng=0, steps=1500)
    np.testing.assert_array_equal(again.logit, fit.logit)


@pytest.fixture(scope="module")
def comparison():
    p = sparse_data.make_problems(seeds=8, n=200, seed=5)
    subsets = sparse_data.enumerate_subsets(p)
    fit = l0_gates.train_gates(p, [0.01, 0.05], rng=2, steps=400)
    return p, subsets, fit, sr.compare(p, subsets, fit)


def test_comparison_counts_and_gaps(comparison):
    p, subsets, fit, comps = comparison
    assert [c.lam for c in comps] == [0.01, 0.05]
    for j, c in enumerate(comps):
        assert c.recovery(sr.ORACLE).estimate == 1.0 and c.recovery(sr.FULL).estimate == 0.0
        assert c.false_counts(sr.FULL) == (8.0, 0.0)
        assert np.all(c.objective_gap >= -1e-12)
        np.testing.assert_allclose(c.objective_gap[c.gates_match_best], 0, atol=1e-12)
        np.testing.assert_array_equal(c.method(sr.GATES).support, fit.support[:, j])
        np.testing.assert_allclose(
            c.method(sr.GATES).test_mse, sparse_data.test_mse(p, fit.weights)[:, j]
        )
        best = subsets.masks[sparse_data.best_subset(subsets, c.lam)]
        np.testing.assert_array_equal(c.method(sr.BEST).support, best)
    table = prose.summary_table(comps[1])
    assert table.count("\n") == 6 and sr.GATES in table and sr.REFIT in table
    text = prose.subset_comparison_text(comps[1])
    assert all(isinstance(v, str) for v in dataclasses.asdict(text).values()) and text.seeds == "8"
    rows = sr.sweep(comps)
    assert rows[0].gates_size == pytest.approx(fit.support[:, 0].sum(axis=-1).mean())
    swept = prose.sweep_text(rows)
    assert all(isinstance(v, str) for v in dataclasses.asdict(swept).values())
    assert swept.lam_range == "0.01 to 0.05"


def test_refitted_gates_are_least_squares_on_the_selected_support(comparison):
    p, subsets, fit, comps = comparison
    for j, c in enumerate(comps):
        refit = c.method(sr.REFIT)
        np.testing.assert_array_equal(refit.support, fit.support[:, j])
        for s in range(p.seeds):
            cols = np.flatnonzero(fit.support[s, j])
            w = np.zeros(12)
            if cols.size:
                w[cols] = np.linalg.lstsq(p.X_train[s][:, cols], p.y_train[s], rcond=None)[0]
            err = np.mean((p.y_test[s] - p.X_test[s] @ w) ** 2)
            assert refit.test_mse[s] == pytest.approx(err, rel=1e-10)
        # Where the gates pick best subset's support, the refit is best subset.
        same = c.gates_match_best
        np.testing.assert_allclose(
            refit.test_mse[same], c.method(sr.BEST).test_mse[same], rtol=1e-12
        )
        # The gates' own weights theta * z_hat are not the refit (shrinkage, and z_hat < 1).
        assert not np.allclose(refit.test_mse, c.method(sr.GATES).test_mse, rtol=1e-9)
    text = prose.subset_comparison_text(comps[1])
    # The oracle's and every feature's supports are set by construction: their recovery
    # (1 and 0) is shown without an interval and left out of the Bonferroni count, which
    # is every interval the table shows plus the text's five new ones.
    table = prose.summary_table(comps[1])
    assert f"| {sr.ORACLE} | 1 (by construction) |" in table
    assert f"| {sr.FULL} | 0 (by construction) |" in table
    assert table.count("[") + 5 == prose.shown_intervals(comps[1]) == 13
    assert text.familywise == "13 × 5% = 65%"


def test_test_gate_is_louizos_eq_13():
    logit = np.array([-np.inf, -3.0, np.log(1 / 11), 0.0, np.log(11), 3.0, np.inf])
    z = l0_gates.test_gate(logit)
    expected = np.clip(1.2 / (1 + np.exp(-logit)) - 0.1, 0, 1)
    np.testing.assert_allclose(z, expected, atol=1e-15)
    assert z[0] == 0 and z[-1] == 1 and z[3] == pytest.approx(0.5)


def _row(lam, best_rec, gates_rec, mse, gaps):
    iv = sr.Interval
    return sr.SweepRow(
        lam, iv(best_rec, 0, 1), iv(gates_rec, 0, 1), iv(0.5, 0, 1), 3.0, 3.0,
        iv(mse, 0, 2), iv(mse, 0, 2), np.asarray(gaps, float), (2.0, 0.0), (1.0, 0.5),
    )  # fmt: skip


def test_sweep_text_says_where_the_optima_sit_and_computes_its_verdicts():
    inside = [_row(0.01, 0.1, 0.1, 1.2, [0.2]), _row(0.1, 0.8, 0.7, 1.0, [0.5]),
              _row(1.0, 0.0, 0.0, 1.5, [0.1])]  # fmt: skip
    text = prose.sweep_text(inside)
    # Both optima at the same lambda: named once, not twice.
    assert text.peaks == (
        "best subset's exact recovery peaks and its test error is lowest at λ = 0.1, "
        "inside the grid"
    )
    assert text.gap_verdict == "less than" and text.difference_verdict.startswith("smaller")
    assert text.end_recovery.startswith("0.10 and 0.10 of the datasets at the smallest λ")
    assert (text.small_false_positives, text.large_false_negatives) == (
        "2.00 and 1.00",
        "0.00 and 0.50",
    )
    edge = [_row(0.01, 0.9, 0.0, 0.9, [1.5]), _row(0.1, 0.8, 0.1, 0.8, [0.5])]
    text = prose.sweep_text(edge)
    assert text.peaks.count("at the grid's edge") == 2 and "0.01" in text.peaks
    assert "0.1, at" in text.peaks
    assert (
        text.gap_verdict == "at least" and text.difference_verdict == "not smaller than that range"
    )


def test_the_sweep_keeps_the_gaps_of_the_missed_datasets_only(comparison):
    """The objective gaps the chapter averages are those of the datasets the gates miss, in
    units of lam: averaged over every dataset instead, the hits' zeros would dilute them."""
    *_, comps = comparison
    for row, c in zip(sr.sweep(comps), comps, strict=True):
        np.testing.assert_array_equal(row.miss_gaps, c.objective_gap[~c.gates_match_best] / c.lam)
        assert row.miss_gaps.size == int((~c.gates_match_best).sum())


def test_sweep_text_averages_the_gap_over_the_misses_and_counts_those_above_one_lambda():
    # Two misses of 0.5 and 1.5 lam at one penalty (mean 1.0), none at the other: the largest
    # mean is 1.00 whatever the number of hits, one single miss of two exceeds one lam.
    rows = [_row(0.01, 0.5, 0.5, 1.0, [0.5, 1.5]), _row(0.1, 0.5, 0.5, 1.0, [])]
    text = prose.sweep_text(rows)
    assert (text.largest_gap, text.gap_verdict) == ("1.00", "at least")
    assert (text.gaps_over_one, text.largest_single_gap) == ("1 of the 2", "1.5")
    rows = [_row(0.01, 0.5, 0.5, 1.0, []), _row(0.1, 0.5, 0.5, 1.0, [])]
    text = prose.sweep_text(rows)
    assert (text.largest_gap, text.gap_verdict, text.gaps_over_one) == (
        "0.00",
        "less than",
        "0 of the 0",
    )


def test_at_lambda_zero_a_gap_in_lambdas_is_its_limit(comparison):
    *_, comps = comparison
    missed = dataclasses.replace(
        comps[0], gates_match_best=np.zeros_like(comps[0].gates_match_best)
    )
    at_zero = dataclasses.replace(missed, lam=0.0, objective_gap=np.linspace(0.0, 0.3, 8))
    gaps = sr.sweep([at_zero])[0].miss_gaps
    assert gaps[0] == 0 and np.all(np.isinf(gaps[1:])) and np.all(gaps > -1)


def test_gap_below_text_decides_by_the_intervals():
    sweep = [_row(0.01, 0.5, 0.5, 1.0, [0.4, 0.5, 0.6]), _row(0.1, 0.5, 0.5, 1.0, [0.1, 0.2])]
    high = [_row(0.001, 0.5, 0.5, 1.0, [2.0, 2.1, 2.2, 1.9]), _row(0.01, 0.5, 0.5, 1.0, [])]
    text = prose.gap_below_text(sweep, high)
    assert (text.lam, text.grid, text.over) == ("0.001", "0.001 to 0.01", "4 of its 4")
    assert (text.verdict, text.versus_sweep) == ("above", "larger, the two intervals apart")
    assert text.sweep_gap.startswith("0.50 [")
    spread = [_row(0.001, 0.5, 0.5, 1.0, [0.2, 1.8, 0.5, 1.5])]
    text = prose.gap_below_text(sweep, spread)
    assert (text.verdict, text.versus_sweep) == ("not resolved from", "the two intervals overlap")
    low = [_row(0.001, 0.5, 0.5, 1.0, [0.50, 0.52, 0.51])]
    assert prose.gap_below_text(sweep, low).verdict == "below"
    narrow = [_row(0.001, 0.5, 0.5, 1.0, [0.10, 0.12, 0.11, 0.09])]
    wide = [_row(0.01, 0.5, 0.5, 1.0, [1.8, 2.0, 2.2])]
    text = prose.gap_below_text(wide, narrow)
    assert (text.verdict, text.versus_sweep) == ("below", "smaller, the two intervals apart")


@pytest.mark.parametrize(
    "below, match",
    [
        ([], "at least one"),
        ([_row(0.02, 0.5, 0.5, 1.0, [1.0, 2.0])], "below the sweep"),
        ([_row(0.001, 0.5, 0.5, 1.0, [1.0])], "two misses"),
        ([_row(0.002, 0.5, 0.5, 1.0, [1.0, 2.0]), _row(0.001, 0.5, 0.5, 1.0, [])], "increasing"),
        ([_row(float("nan"), 0.5, 0.5, 1.0, [1.0, 2.0])], "finite lam"),
        ([_row(0.001, 0.5, 0.5, 1.0, [1.0, float("nan")])], "finite miss_gaps"),
    ],
)
def test_gap_below_text_refuses_what_it_cannot_compare(below, match):
    sweep = [_row(0.01, 0.5, 0.5, 1.0, [0.4, 0.5, 0.6])]
    with pytest.raises(ValueError, match=match):
        prose.gap_below_text(sweep, below)


def test_sweep_text_names_every_lambda_tied_at_the_worst_agreement():
    agree = {0.01: 0.9, 0.02: 0.4, 0.05: 0.4, 0.1: 0.6}
    rows = [
        _row(lam, 0.5, 0.5, 1.0, [0.1])._replace(agreement=sr.Interval(a, 0, 1))
        for lam, a in agree.items()
    ]
    text = prose.sweep_text(rows)
    assert text.worst_lam == "0.02 and 0.05"
    assert text.worst_agreement.startswith("0.40")
    negative = prose.interval_text(sr.Interval(-0.0005, -0.0012, 0.0002), ".4f")
    assert negative == "−0.0005 [−0.0012, 0.0002]"  # minus signs, not hyphens
    rows[2] = rows[2]._replace(agreement=sr.Interval(0.45, 0, 1))
    assert prose.sweep_text(rows).worst_lam == "0.02"


def test_test_mse_is_the_mean_squared_test_error(comparison):
    p, subsets, *_ = comparison
    w = subsets.weights[:, 9]
    expected = np.mean((p.y_test - np.einsum("snd,sd->sn", p.X_test, w)) ** 2, axis=-1)
    np.testing.assert_allclose(sparse_data.test_mse(p, w[:, None])[:, 0], expected, rtol=1e-12)


def test_intervals():
    iv = sr.proportion_interval(7, 20)
    ci = stats.binomtest(7, 20).proportion_ci(0.95, method="exact")
    assert iv == (0.35, pytest.approx(ci.low), pytest.approx(ci.high))
    x = np.random.default_rng(0).normal(3, 1, 50)
    m = sr.mean_interval(x)
    half = stats.t.ppf(0.975, 49) * x.std(ddof=1) / np.sqrt(50)
    assert m.estimate == pytest.approx(x.mean()) and m.high - m.estimate == pytest.approx(half)


def test_bad_input():
    p = sparse_data.make_problems(seeds=1, n=20, n_test=5, d=4, weights=(1.0,), support=(0,))
    with pytest.raises(ValueError, match=r"^lam must be"):
        l0_gates.train_gates(p, -0.1)
    # An infinite penalty is refused by name, not left to turn the logits into NaN.
    with pytest.raises(ValueError, match=r"^lam must be finite \(no NaN or infinity\); got inf"):
        l0_gates.train_gates(p, [0.0, np.inf])
    with pytest.raises(ValueError, match=r"^lam must be"):
        sparse_data.best_subset(sparse_data.enumerate_subsets(p), [0.1, np.nan])
    with pytest.raises(ValueError, match=r"^lam must be finite"):
        sparse_data.best_subset(sparse_data.enumerate_subsets(p), [0.1, np.inf])
    with pytest.raises(ValueError, match=r"^tau must"):
        l0_gates.train_gates(p, 0.1, tau=0.0)
    with pytest.raises(ValueError, match=r"^gamma must"):
        l0_gates.train_gates(p, 0.1, gamma=0.2)
    with pytest.raises(ValueError, match=r"^steps and samples must be positive"):
        l0_gates.train_gates(p, 0.1, steps=0)
    with pytest.raises(ValueError, match=r"^support must"):
        sparse_data.make_problems(d=4, weights=(1.0,), support=(7,))
    with pytest.raises(ValueError, match=r"n > d"):
        sparse_data.make_problems(n=5)
    with pytest.raises(ValueError, match=r"at least 2 values"):
        sr.mean_interval([1.0])


def test_the_sweep_figure_draws_both_methods(comparison):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from binary_gumbel.book import figures

    *_, comps = comparison
    rows = sr.sweep(comps)
    fig, axes = figures.new_figure(ncols=3)
    figures.plot_sparsity_sweep(axes, rows, true_size=4)
    labels = fig.legends[0].get_texts()
    assert {t.get_text() for t in labels} >= {"best subset (exact)", "hard concrete gates"}
    with pytest.raises(ValueError, match="axes must hold 3 axes"):
        figures.plot_sparsity_sweep(axes[:2], rows, true_size=4)
    with pytest.raises(ValueError, match="rows must not be empty"):
        figures.plot_sparsity_sweep(axes, [], true_size=4)
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 1.9}, TypeError, "^steps must be an integer; got 1.9"),
        ({"steps": "3"}, TypeError, "^steps must be an integer"),
        ({"samples": 2.0}, TypeError, "^samples must be an integer"),
        ({"samples": 0}, ValueError, "^steps and samples must be positive"),
        ({"init_logit": np.nan}, ValueError, "^init_logit must be finite"),
        ({"init_logit": [0.0, 1.0]}, ValueError, "^init_logit must be a single number"),
        ({"learning_rate": np.nan}, ValueError, "^learning_rate must be finite"),
        ({"learning_rate": -0.05}, ValueError, "^learning_rate must be a positive number"),
    ],
)
def test_train_gates_names_its_bad_settings(kwargs, error, match):
    p = sparse_data.make_problems(seeds=1, n=20, n_test=5, d=4, weights=(1.0,), support=(0,))
    with pytest.raises(error, match=match):
        l0_gates.train_gates(p, 0.1, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"support": (0, 0, 3, 6)}, ValueError, r"^support must not repeat an index"),
        ({"support": (0, 3.0, 6, 9)}, TypeError, r"^support\[1\] must be an integer"),
        ({"support": (0, 3, 6, 12)}, ValueError, r"^support must give one index in \[0, 12\)"),
        # beyond the most elements an array can hold: the same message, naming d
        ({"support": (0, 3, 6, 2**63)}, ValueError, r"^support must give one index in \[0, 12\)"),
        ({"support": (0, 3, 6, 10**30)}, ValueError, r"^support must give one index in \[0, 12"),
        ({"seeds": 2.5}, TypeError, "^seeds must be an integer; got 2.5"),
        ({"n": 200.0}, TypeError, "^n must be an integer"),
        ({"n_test": "10"}, TypeError, "^n_test must be an integer"),
        ({"d": 12.0}, TypeError, "^d must be an integer"),
        ({"d": 0, "weights": (), "support": ()}, ValueError, "^d must be >= 1"),
        ({"seed": -1}, ValueError, "^seed must be >= 0"),
    ],
)
def test_make_problems_names_its_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        sparse_data.make_problems(**kwargs)


def test_make_problems_takes_a_seed_beyond_64_bits():
    """A seed is no count: NumPy takes one of any size, and so does make_problems."""
    problem = sparse_data.make_problems(seeds=1, n=20, n_test=5, seed=2**70)
    np.testing.assert_array_equal(
        problem.X_train, sparse_data.make_problems(seeds=1, n=20, n_test=5, seed=2**70).X_train
    )
    other = sparse_data.make_problems(seeds=1, n=20, n_test=5, seed=0)
    assert not np.array_equal(problem.X_train, other.X_train)


def test_an_unknown_method_is_named_with_the_known_ones():
    result = sr.MethodResult("gates", np.ones((2, 3), dtype=bool), np.ones(2))
    comparison = sr.SubsetComparison(
        0.1, np.ones(3, dtype=bool), (result,), np.ones(2, dtype=bool), np.zeros(2), 0.01
    )
    assert comparison.method("gates") is result
    with pytest.raises(ValueError, match=r"^method must be one of \['gates'\]; got 'lasso'"):
        comparison.method("lasso")


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ({"weights": (np.nan, 2.0)}, ValueError, "^weights must be finite"),
        ({"weights": 1.0}, ValueError, "^weights must be a sequence of numbers"),
        ({"noise_sd": np.inf}, ValueError, "^noise_sd must be finite"),
        ({"noise_sd": 0.0}, ValueError, "^noise_sd must be positive"),
        ({"noise_sd": "a"}, TypeError, "^noise_sd must be a real number"),
        ({"noise_sd": None}, TypeError, "^noise_sd must be a real number"),
        ({"noise_sd": np.ones(2)}, ValueError, "^noise_sd must be a single number"),
        ({"rho": 0.5j}, TypeError, "^rho must be a real number"),
        ({"rho": np.nan}, ValueError, r"^rho must lie in \(-1, 1\)"),
        ({"rho": -1.0}, ValueError, r"^rho must lie in \(-1, 1\)"),
    ],
)
def test_make_problems_refuses_bad_weights_noise_and_correlation_by_name(bad, error, message):
    """NaN weights or an infinite noise made NaN data without a word; a string, None or a
    complex number failed inside a comparison, and an array inside numpy's truth test."""
    args = {"seeds": 2, "n": 20, "n_test": 10, "d": 4, "weights": (1.0, 2.0), "support": (0, 2)}
    with pytest.raises(error, match=message):
        sparse_data.make_problems(**{**args, **bad})


def test_test_mse_refuses_bad_weights_by_name_and_is_inf_beyond_the_doubles(small):
    """NaN weights gave NaN, a wrong d or seed count numpy's reshape error; weights of 1e300
    warned of an overflow in the square. Their error, about 1e600, is beyond the doubles:
    inf. Weights whose predictions themselves overflow leave no error to compute."""
    d = small.X_test.shape[-1]
    with pytest.raises(ValueError, match="^weights must be finite"):
        sparse_data.test_mse(small, np.full((small.seeds, 1, d), np.nan))
    for shape in [(small.seeds, 1, d + 1), (small.seeds + 1, 1, d), (d,)]:
        with pytest.raises(ValueError, match=r"^weights must have shape \(3, \.\.\., 6\)"):
            sparse_data.test_mse(small, np.ones(shape))
    huge = sparse_data.test_mse(small, np.full((small.seeds, 1, d), 1e300))
    np.testing.assert_array_equal(huge, np.full((small.seeds, 1), np.inf))
    mixed = np.full((small.seeds, 1, d), 1e308) * np.array([1.0, -1.0] * (d // 2))
    with pytest.raises(ValueError, match="^weights are too large: the test predictions overflow"):
        sparse_data.test_mse(small, mixed)


def test_subset_index_refuses_what_is_not_a_boolean_support_that_fits_an_int64():
    """True gave an IndexError, [0.5, 2.0] was cast to [True, True] (row 3), and 70 features
    wrapped around the int64 (row -1)."""
    for support in [True, [0.5, 2.0], [1, 0]]:
        with pytest.raises(TypeError, match="^support must be a boolean array"):
            sparse_data.subset_index(support)
    with pytest.raises(ValueError, match=r"^support must have at most 63 features .*; got 70"):
        sparse_data.subset_index(np.ones(70, bool))
    assert sparse_data.subset_index(np.ones(63, bool)) == 2**63 - 1


def test_best_subset_at_a_penalty_beyond_the_doubles_is_the_empty_support(small):
    """lam = 1e308 warned of an overflow in lam |S|; every support but the empty one then
    costs more than any double, so the empty support (row 0) is best."""
    subsets = sparse_data.enumerate_subsets(small)
    best = sparse_data.best_subset(subsets, [0.0, 1e300, 1e308])
    np.testing.assert_array_equal(best[:, 1:], 0)
    assert np.all(best[:, 0] == subsets.masks.shape[0] - 1)
    np.testing.assert_array_equal(sparse_data.best_subset(subsets, 1e308), 0)
