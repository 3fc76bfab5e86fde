"""The binary-latent VAE: data, hand-written gradients against finite differences, the oracle."""

import itertools

import numpy as np
import pytest
from scipy.special import expit, logsumexp

from binary_gumbel import _kernels
from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.estimators import digits, vae, vae_oracle
from binary_gumbel.verification.montecarlo import check_mean
from conftest import same_bits

# Central differences with step H have truncation error ~ H^2 |f'''| / 6 and rounding
# error ~ eps |f| / H; with H = 1e-5, |f| < 100 and |f'''| of order 1 both stay below
# 1e-8, so a gap above TOL = 1e-6 is a wrong derivative, not numerical noise.
H, TOL = 1e-5, 1e-6


def small_model(runs=2, latents=3, pixels=5, seed=0):
    rng = np.random.default_rng(seed)
    return vae.Params(
        rng.normal(0, 0.8, (runs, latents, pixels)),
        rng.normal(0, 0.5, (runs, latents)),
        rng.normal(0, 0.8, (runs, pixels, latents)),
        rng.normal(0, 0.5, (runs, pixels)),
        rng.normal(0, 0.5, (runs, latents)),
    )


def small_images(n=6, pixels=5, seed=1):
    return (np.random.default_rng(seed).random((n, pixels)) < 0.5).astype(float)


def brute_force(params, x, run):
    """ELBO and log p(x) of each image by explicit loops over b, from the definitions."""
    w, c, v, d, eta = (a[run] for a in params.arrays())
    k = w.shape[0]
    elbo, marginal = [], []
    for xi in x:
        a = w @ xi + c
        terms, joint = [], []
        for bits in itertools.product([0.0, 1.0], repeat=k):
            b = np.array(bits)
            q = np.prod(np.where(b == 1, expit(a), expit(-a)))
            pb = np.prod(np.where(b == 1, expit(eta), expit(-eta)))
            s = expit(v @ b + d)
            px = np.prod(np.where(xi == 1, s, 1 - s))
            terms.append(q * (np.log(px) + np.log(pb) - np.log(q)))
            joint.append(np.log(px) + np.log(pb))
        elbo.append(sum(terms))
        marginal.append(logsumexp(joint))
    return np.array(elbo), np.array(marginal)


def test_enumeration_matches_brute_force():
    params, x = small_model(), small_images()
    e = vae_oracle.enumerate_latents(params, x)
    for run in range(2):
        elbo, marginal = brute_force(params, x, run)
        np.testing.assert_allclose(e.elbo[run], elbo, rtol=1e-12)
        np.testing.assert_allclose(e.log_marginal[run], marginal, rtol=1e-12)
    # the gap log p(x) - ELBO is KL(q || p(b | x)) >= 0
    assert np.all(e.log_marginal - e.elbo > 0)


def test_fast_elbo_is_the_enumerated_elbo():
    params, x = small_model(), small_images()
    np.testing.assert_allclose(
        vae_oracle.exact_elbo(params, x), vae_oracle.enumerate_latents(params, x).elbo, rtol=1e-12
    )
    elbo, marginal = vae_oracle.evaluate_bounds(params, x, log_marginal=False)
    np.testing.assert_allclose(elbo, vae_oracle.evaluate_bounds(params, x)[0], rtol=1e-12)
    assert np.all(np.isnan(marginal))


def test_exact_gradient_matches_finite_differences():
    params, x = small_model(), small_images()
    grad = vae_oracle.exact_gradient(params, x)

    def mean_elbo(p):
        return vae_oracle.enumerate_latents(p, x).elbo.mean(axis=-1)

    for i, (a, g) in enumerate(zip(params.arrays(), grad.arrays(), strict=True)):
        for idx in np.ndindex(a.shape[1:]):
            shifted = []
            for step in (H, -H):
                arrays = [b.copy() for b in params.arrays()]
                arrays[i][(slice(None),) + idx] += step
                shifted.append(mean_elbo(vae.Params(*arrays)))
            fd = (shifted[0] - shifted[1]) / (2 * H)
            np.testing.assert_allclose(g[(slice(None),) + idx], fd, atol=TOL, rtol=0)


def test_learning_signal_is_the_enumerated_signal_and_its_gradient():
    params, x = small_model(), small_images()
    e = vae_oracle.enumerate_latents(params, x)
    table = vae_oracle.configurations(3)
    signal = vae.LearningSignal(params, x)
    b = np.broadcast_to(table[:, None, None, :], (8, 2, 6, 3))
    np.testing.assert_allclose(np.moveaxis(signal.value(b), 0, -1), e.signal, rtol=1e-12)
    assert signal.evaluations == 8
    # df/db at a relaxed point, against central differences
    point = np.random.default_rng(3).random((2, 6, 3))
    _, grad = signal.value_and_grad(point)
    for k in range(3):
        step = np.zeros(3)
        step[k] = H
        fd = (signal.value(point + step) - signal.value(point - step)) / (2 * H)
        np.testing.assert_allclose(grad[..., k], fd, atol=TOL, rtol=0)


def test_learning_signal_of_a_b_that_broadcasts_is_that_of_the_broadcast_b_bit_for_bit():
    """A b of fewer axes, or of length 1 on the run or image axis, is broadcast against the
    logit: value, gradient and the recorded points are those of the broadcast b (a view:
    a contiguous copy may round the products with V differently), bit for bit."""
    params, x = small_model(), small_images()
    point = np.random.default_rng(4).random((2, 2, 6, 3))
    for b in (point[0, 0, 0], point[:, :1], point[:, :, :1]):
        full = np.broadcast_to(b, (2, 2, 6, 3) if b.ndim == 4 else (2, 6, 3))
        given, broadcast = vae.LearningSignal(params, x), vae.LearningSignal(params, x)
        for got, want in zip(given.value_and_grad(b), broadcast.value_and_grad(full), strict=True):
            assert same_bits(got, want)
        assert same_bits(given.value(b), broadcast.value(full))
        for got, want in zip(
            given.model_gradient(np.ones((2, 6, 3))).arrays(),
            broadcast.model_gradient(np.ones((2, 6, 3))).arrays(),
            strict=True,
        ):
            assert same_bits(got, want)


def test_decoder_gradient_at_a_sample_matches_finite_differences():
    params, x = small_model(), small_images()
    b = (np.random.default_rng(4).random((2, 6, 3)) < 0.5).astype(float)
    signal = vae.LearningSignal(params, x)
    signal.value(b)
    grad = signal.model_gradient(np.zeros((2, 6, 3)))

    def log_joint(p):
        # log p(x | b) + log p(b): f without the encoder's terms, averaged over images
        s = vae.LearningSignal(p, x)
        logq = np.sum(b * s.logit - _kernels.softplus(s.logit), axis=-1)
        return (s.value(b) + logq).mean(axis=-1)

    for i in (2, 3, 4):  # decoder weight, decoder bias, prior logit
        a = params.arrays()[i]
        for idx in np.ndindex(a.shape[1:]):
            vals = []
            for step in (H, -H):
                arrays = [c.copy() for c in params.arrays()]
                arrays[i][(slice(None),) + idx] += step
                vals.append(log_joint(vae.Params(*arrays)))
            fd = (vals[0] - vals[1]) / (2 * H)
            np.testing.assert_allclose(grad.arrays()[i][(slice(None),) + idx], fd, atol=TOL)


def test_exact_logit_gradient_is_the_mean_of_reinforce():
    """The score-function identity, checked against sampling at a false-alarm rate of 1e-6."""
    params, x = small_model(runs=1), small_images(n=2)
    exact = vae_oracle.exact_logit_gradient(params, x)[0, 0]
    signal = vae.LearningSignal(params, x)
    a = signal.logit[0, 0]
    rng = np.random.default_rng(5)
    n = 200_000
    b = (rng.random((n, 1, 2, 3)) < expit(a)).astype(float)
    f = signal.value(b)[:, 0, 0]
    for k in range(3):
        assert check_mean(f * (b[:, 0, 0, k] - expit(a[k])), exact[k]).consistent


@pytest.mark.parametrize(
    ("estimator", "tau"), [("straight_through", None), ("reinmax", 1.0), ("reinmax", 2.0)]
)
def test_hard_sample_logit_mean_is_the_mean_of_the_sampled_estimates(estimator, tau):
    """The enumerated mean against 200,000 sampled estimates of the library's estimator, one
    interval per image and latent at a false-alarm rate of 1e-6 each; and not the exact
    gradient (both estimators are biased on this model)."""
    params, x = small_model(runs=1), small_images(n=2)
    function = getattr(be, estimator)
    args = () if tau is None else (tau,)
    mean = vae_oracle.hard_sample_logit_mean(params, x, function, tau)[0]
    signal = vae.LearningSignal(params, x)
    u = np.random.default_rng(6).random((200_000, 1, 2, 3))
    sampled = function(signal.value_and_grad, signal.logit, *args, u)[:, 0]
    for n, k in np.ndindex(2, 3):
        assert check_mean(sampled[:, n, k], mean[n, k]).consistent
    assert np.max(np.abs(mean - vae_oracle.exact_logit_gradient(params, x)[0])) > 1e-3


def test_digits_are_scikit_learns():
    from sklearn.datasets import load_digits

    split = digits.load(test_size=1)
    ours = np.concatenate([split.train, split.test_probability])
    theirs = load_digits().data / 16.0
    assert ours.shape == theirs.shape

    def rows_sorted(a):  # the same images as a multiset of rows: the split permutes them
        return a[np.lexsort(a.T[::-1])]

    np.testing.assert_array_equal(rows_sorted(ours), rows_sorted(theirs))


def test_digits_split_and_binarization():
    data = digits.load(test_size=100, seed=3)
    assert data.train.shape == (1797 - 100, digits.PIXELS)
    assert set(np.unique(data.test)) <= {0.0, 1.0}
    again = digits.load(test_size=100, seed=3)
    np.testing.assert_array_equal(data.test, again.test)
    # the pixel frequencies of many binarizations match g / 16 (one pixel of mid grey)
    p = np.full(100_000, 0.3125)
    assert check_mean(digits.binarize(p, 0), 0.3125).consistent


@pytest.mark.parametrize("centred", [False, True])
def test_reinforce_error_is_the_sampled_mean_squared_error(centred):
    """``reinforce_error`` by enumeration against REINFORCE sampled from its definition, two
    draws per image, without and with the oracle baseline (each image's exact ELBO): the
    sampled relative squared errors' mean is consistent with it at a false-alarm rate of 1e-6."""
    params, x = small_model(runs=1), small_images(n=4)
    exact = vae_oracle.exact_gradient(params, x)
    g_star = np.concatenate([exact.encoder_weight.ravel(), exact.encoder_bias.ravel()])
    baseline = vae_oracle.enumerate_latents(params, x).elbo[0] if centred else np.zeros(4)
    signal = vae.LearningSignal(params, x)
    p = expit(signal.logit[0])  # (N, K)
    b = (np.random.default_rng(11).random((100_000, 2, 1, 4, 3)) < p).astype(float)
    f = signal.value(b)[:, :, 0]  # (M, 2, N)
    g = np.mean((f - baseline)[..., None] * (b[:, :, 0] - p), axis=1)  # (M, N, K)
    flat = np.concatenate([np.einsum("mnk,nd->mkd", g, x).reshape(len(g), -1) / 4, g.mean(1)], 1)
    relative = np.sum((flat - g_star) ** 2, axis=-1) / (g_star @ g_star)
    error = vae_oracle.reinforce_error(params, x, samples=2, centred=centred)
    assert check_mean(relative, error, 1e-6).consistent, (relative.mean(), error)
    assert not check_mean(relative, 1.1 * error, 1e-6).consistent  # it can tell 10 % apart


def test_linear_share_is_weighted_least_squares_and_one_for_a_linear_signal():
    """Against ``np.linalg.lstsq`` image by image; exactly linear (share 1) when the decoder's
    weights are 0, since ``log q`` and the prior are linear in ``b``; finite and in [0, 1] when
    the logits are extreme and ``q`` is all but a point mass."""
    params, x = small_model(runs=2), small_images(n=3)
    e = vae_oracle.enumerate_latents(params, x)
    design = np.column_stack([np.ones(8), vae_oracle.configurations(3)])
    expected = np.empty((2, 3))
    for r, n in itertools.product(range(2), range(3)):
        q, f = e.q[r, n], e.signal[r, n]
        coef = np.linalg.lstsq(design * np.sqrt(q)[:, None], f * np.sqrt(q), rcond=None)[0]
        expected[r, n] = 1 - q @ (f - design @ coef) ** 2 / (q @ (f - q @ f) ** 2)
    share = vae_oracle.linear_share(params, x)
    np.testing.assert_allclose(share, expected, rtol=1e-9)
    assert np.all(share < 1 - 1e-3)  # this decoder makes f clearly nonlinear
    w, c, v, d, eta = params.arrays()
    linear = vae.Params(w, c, np.zeros_like(v), d, eta)
    np.testing.assert_allclose(vae_oracle.linear_share(linear, x), 1.0, rtol=0, atol=1e-10)
    for scale in (50.0, 5000.0):  # at 5000, Var_q[f] is 0 in float64: f is constant under q
        extreme = vae_oracle.linear_share(params.map(lambda a, s=scale: s * a), x)
        assert np.all(np.isfinite(extreme)) and np.all((extreme >= 0) & (extreme <= 1 + 1e-9))


def test_reinforce_error_refuses_bad_input_by_name():
    x = small_images(n=4)
    with pytest.raises(ValueError, match="^params must hold one run"):
        vae_oracle.reinforce_error(small_model(runs=2), x)
    with pytest.raises(ValueError, match="^samples"):
        vae_oracle.reinforce_error(small_model(runs=1), x, samples=0)
    with pytest.raises(TypeError, match="^centred"):
        vae_oracle.reinforce_error(small_model(runs=1), x, centred="yes")


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: vae_oracle.configurations(13), "too large to enumerate"),
        (lambda: vae_oracle.enumerate_latents(small_model(), np.full((2, 5), 0.5)), "binary"),
        (lambda: vae_oracle.enumerate_latents(small_model(), np.zeros((2, 4))), "x must have"),
        (lambda: digits.binarize([0.5, 1.5]), "probability"),
        (lambda: digits.load(test_size=0), "test_size"),
        (lambda: vae.initial_params(0, np.full(5, 0.5)), "latents"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_params_shapes_are_checked():
    p = small_model()
    with pytest.raises(ValueError, match="decoder_bias"):
        vae.Params(p.encoder_weight, p.encoder_bias, p.decoder_weight, p.prior_logit, p.prior_logit)
    with pytest.raises(ValueError, match="prior_logit"):
        vae.Params(*p.arrays()[:4], np.full((2, 3), np.nan))


def test_extreme_logits_give_finite_bounds():
    p = small_model()
    big = p.map(lambda a: 50.0 * a)
    e = vae_oracle.enumerate_latents(big, small_images())
    assert np.all(np.isfinite(e.elbo)) and np.all(np.isfinite(e.log_marginal))
    assert np.all(e.log_marginal >= e.elbo - 1e-9)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: digits.load(seed=None), TypeError, "^seed must be an integer; got None"),
        (lambda: digits.load(seed=1.5), TypeError, "^seed must be an integer"),
        (lambda: digits.load(seed=-1), ValueError, "^seed must be >= 0"),
        (lambda: vae.initial_params(2, [0.5, np.nan]), ValueError, "^pixel_mean must be a prob"),
        (lambda: vae.initial_params(2, [0.5, 1.5]), ValueError, "^pixel_mean must be a prob"),
        (lambda: vae.initial_params(2, [0.5, 0.5], scale=np.nan), ValueError, "^scale must be"),
        (lambda: vae.initial_params(2, [0.5, 0.5], scale=np.inf), ValueError, "^scale must be"),
    ],
)
def test_seed_pixel_mean_and_scale_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _saturated_model(c):
    """A model whose first encoder logit and first prior logit are both ``c``."""
    return vae.Params(
        np.zeros((1, 2, 3)),
        np.array([[c, 1.0]]),
        np.array([[[0.5, -1.0], [2.0, 0.3], [0.0, 1.0]]]),
        np.zeros((1, 3)),
        np.array([[c, 0.3]]),
    )


@pytest.mark.parametrize("c", [1e13, 1e16, 1e300])
def test_exact_elbo_and_gradient_at_a_saturated_logit_match_mpmath(c):
    # mpmath at 60 digits gives the same values for every c from 1e13 up: the first bit is 1
    # under q and under the prior, and only the second bit varies. The old log q, a . b minus
    # the softplus sum, rounded the second logit away (ELBO -0.403 > log p(x) at c = 1e16).
    p, x = _saturated_model(c), np.array([[1.0, 0.0, 1.0]])
    e = vae_oracle.enumerate_latents(p, x)
    np.testing.assert_allclose(e.elbo, -3.631172572295217, rtol=1e-14)
    np.testing.assert_allclose(vae_oracle.exact_elbo(p, x), -3.631172572295217, rtol=1e-14)
    np.testing.assert_allclose(e.log_marginal, -3.498742372540404, rtol=1e-14)
    np.testing.assert_allclose(
        vae_oracle.exact_logit_gradient(p, x), [[[0.0, -0.2140576955383023]]], rtol=1e-13, atol=0
    )


def test_relative_error_at_a_zero_exact_gradient_is_refused():
    x = np.array([[1.0, 0, 1], [0, 1, 1]])
    flat = vae.initial_params(2, x.mean(0), scale=0.0, rng=1)  # every weight 0: g* = 0
    with pytest.raises(ValueError, match=r"exact encoder gradient g\* is 0"):
        vae_oracle.reinforce_error(flat, x)


@pytest.mark.parametrize(
    "call",
    [
        lambda p, x: vae_oracle.evaluate_bounds(p, x),
        lambda p, x: vae_oracle.exact_gradient(p, x),
        lambda p, x: vae_oracle.reinforce_error(p, x),
        lambda p, x: vae.encoder_gradient(x, np.zeros((1, 0, 2))),
        lambda p, x: vae.LearningSignal(p, x),
    ],
)
def test_no_images_is_refused_by_name(call):
    p = vae.initial_params(2, [0.5, 0.5, 0.5], rng=1)
    with pytest.raises(ValueError, match="^(x|logit_gradient) must .*at least one image"):
        call(p, np.zeros((0, 3)))


def test_learning_signal_checks_its_images_once_and_b_at_each_call():
    p, x = small_model(), small_images()
    as_list = vae.LearningSignal(p, x.tolist())
    b = np.ones((2, 6, 3))
    assert same_bits(as_list.value(b), vae.LearningSignal(p, x).value(b))
    with pytest.raises(ValueError, match=r"^x must have shape \(\.\.\., images, 5\)"):
        vae.LearningSignal(p, x[:, :4])
    with pytest.raises(ValueError, match="^x must be binary"):
        vae.LearningSignal(p, np.full((2, 5), 0.5))
    with pytest.raises(ValueError, match=r"^x must have shape \(N, D\) or \(R, N, D\)"):
        vae.LearningSignal(p, np.zeros((3, 2, 5)))
    with pytest.raises(TypeError, match="^params"):
        vae.LearningSignal(p.arrays(), x)
    with pytest.raises(ValueError, match="^b must not be NaN"):
        as_list.value(np.full((2, 6, 3), np.nan))
    with pytest.raises(ValueError, match="^b must have a shape that broadcasts"):
        as_list.value_and_grad(np.ones((2, 6, 4)))


def test_encoder_logit_and_gradient_name_their_arguments():
    p, x = small_model(), small_images()
    np.testing.assert_array_equal(vae.encoder_logit(p, x.tolist()), vae.encoder_logit(p, x))
    with pytest.raises(ValueError, match="^x must have shape"):
        vae.encoder_logit(p, x[:, :4])
    with pytest.raises(ValueError, match="^x with shape .* broadcast with the runs"):
        vae.encoder_logit(p, np.zeros((3, 6, 5)))
    g = np.ones((2, 6, 3))
    with pytest.raises(ValueError, match="^x with shape .* and logit_gradient"):
        vae.encoder_gradient(x[:4], g)
    with pytest.raises(ValueError, match="^logit_gradient must be finite"):
        vae.encoder_gradient(x, np.full((2, 6, 3), np.nan))
    with pytest.raises(ValueError, match="^x must be binary"):
        vae.encoder_gradient(np.full((6, 5), 0.5), g)


def test_evaluate_bounds_log_marginal_is_a_flag():
    with pytest.raises(TypeError, match="^log_marginal must be True or False"):
        vae_oracle.evaluate_bounds(small_model(), small_images(), log_marginal=None)
