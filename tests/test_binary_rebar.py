"""REBAR for K binary latents: REINFORCE at eta = 0, unbiased on a non-linear objective."""

import itertools

import numpy as np
import pytest

from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.estimators.binary_rebar import rebar
from binary_gumbel.verification.montecarlo import check_mean

A = np.array([[0.0, 1.5, -2.0], [1.5, 0.0, 0.7], [-2.0, 0.7, 0.0]])
W = np.array([0.3, -1.1, 0.8])


def f_grad(x):
    """A non-linear objective of three latents, f(x) = sin(w.x) + x'Ax / 2, and its gradient."""
    lin = x @ W
    return np.sin(lin) + 0.5 * np.einsum("...i,ij,...j->...", x, A, x), np.cos(lin)[
        ..., None
    ] * W + x @ A


def f(b):
    return f_grad(b)[0]


LOGIT = np.array([-1.0, 0.4, 2.0])


def exact_gradient():
    p = 1 / (1 + np.exp(-LOGIT))
    grad = np.zeros(3)
    for bits in itertools.product([0.0, 1.0], repeat=3):
        b = np.array(bits)
        prob = np.prod(np.where(b == 1, p, 1 - p))
        grad += prob * f(b) * (b - p)
    return grad


def test_eta_zero_is_reinforce():
    u = np.random.default_rng(0).random((2, 50, 3))
    np.testing.assert_allclose(
        rebar(f_grad, LOGIT, 0.5, u, eta=0.0), be.reinforce(f, LOGIT, u[0]), rtol=0, atol=1e-15
    )


@pytest.mark.parametrize("tau, eta", [(0.5, 1.0), (0.2, 0.7)])
def test_unbiased_on_three_latents(tau, eta):
    # Family-wise: 2 settings x 3 coordinates at 1e-6 each, at most 6e-6 of a false alarm.
    u = np.random.default_rng(1).random((2, 200_000, 3))
    g = rebar(f_grad, LOGIT, tau, u, eta=eta)
    exact = exact_gradient()
    for k in range(3):
        assert check_mean(g[:, k], exact[k]).consistent, k


def test_bad_input():
    u = np.random.default_rng(0).random((3, 4, 3))
    with pytest.raises(ValueError, match=r"u must have shape \(2"):
        rebar(f_grad, LOGIT, 0.5, u)
    with pytest.raises(ValueError, match="tau"):
        rebar(f_grad, LOGIT, 0.0, u[:2])
    with pytest.raises(ValueError, match="logit"):
        rebar(f_grad, np.array([np.nan, 0.0, 0.0]), 0.5, u[:2])
    # An infinite logit has no conditional noise (z~ given b); refused by name, not NaN.
    for bad in (np.inf, -np.inf):
        with pytest.raises(ValueError, match="logit"):
            rebar(f_grad, np.array([bad, 0.0, 0.0]), 0.5, u[:2])


def test_an_overflowing_slope_times_a_zero_derivative_is_zero():
    """At tau = 5e-324 the Concrete slope overflows where z = 0; with v = 1 (dz~/dlogit = 0)
    and with f's gradient 0 there, REBAR's pathwise terms are 0, not NaN, with no warning."""
    flat = lambda x: (np.zeros(x.shape[:-1]), np.zeros_like(x))  # noqa: E731
    u = np.array([[[0.5, 0.3]], [[1.0, 1.0]]])  # z = 0 in the first latent, v = 1
    g = rebar(flat, np.array([0.0, 0.4]), 5e-324, u)
    np.testing.assert_array_equal(g, np.zeros((1, 2)))
    g = rebar(f_grad, np.array([0.0, 0.4, -1.0]), 5e-324, np.concatenate([u, u[..., :1]], -1))
    # Where f's gradient is not 0 the term is beyond the largest double: inf, never NaN.
    assert g[0, 0] == np.inf and np.all(np.isfinite(g[0, 1:]))


def test_the_z_tilde_term_is_small_where_its_slope_is_beyond_the_largest_double():
    """dz~/dlogit is at most |z~|, so the z~ term dz~ df/dx(s(z~)) s'(z~) is at most
    0.224 |df/dx| at every temperature. At tau = 1e-310 and v = 1e-310 (z~ = 2e-310 for
    b = 1, q = 2) the slope s'(z~) is beyond the largest double while dz~ = 1e-310: the term
    is 0.0905 (mpmath at 50 digits from the same doubles; z = 0.405 gives s'(z) = 0). The
    estimate at theta = 0, t = 0.45 is A + B = 0.15125 - 0.18325492079364457, not -inf."""
    target = 0.45
    toy = lambda x: ((x - target)[..., 0] ** 2, 2 * (x - target))  # noqa: E731
    g = rebar(toy, np.zeros(1), 1e-310, np.array([[0.6], [1e-310]]))
    np.testing.assert_allclose(g, [0.15125 - 0.18325492079364457067], rtol=1e-12)


def test_rebar_is_inf_where_its_s_z_term_is_beyond_the_doubles_and_not_nan():
    """At tau = 1e-310 and z = 5e-324 (q = 5e-14), s'(z) = 1 / (4 tau) and the s(z) term
    df/dx s'(z) = 0.1 x 2.5e309 is beyond the largest double, while the z~ term (v = 5e-324,
    dz~ = 5e-324) is about 1e-15, at most 0.224 x 0.1: the estimate is +inf, not
    inf - inf = NaN, with no warning."""
    toy = lambda x: ((x - 0.45)[..., 0] ** 2, 2 * (x - 0.45))  # noqa: E731
    g = rebar(toy, np.full(1, 5e-324), 1e-310, np.array([[0.5], [5e-324]]))
    np.testing.assert_array_equal(g, [np.inf])


def test_tau_and_eta_broadcast_as_the_other_estimators_temperatures_do():
    """An array of temperatures (or of scales) against the leading axes gives, bit for bit,
    the estimates of one call per temperature on the same uniforms."""
    u = np.random.default_rng(3).random((2, 4, 3))
    taus, etas = np.array([[0.3], [2.0]]), np.array([[0.0], [1.5]])
    both = rebar(f_grad, LOGIT, taus[:, :, None], u, eta=etas[:, :, None])
    assert both.shape == (2, 4, 3)
    for i in range(2):
        np.testing.assert_array_equal(both[i], rebar(f_grad, LOGIT, taus[i, 0], u, eta=etas[i, 0]))


def test_shapes_that_do_not_broadcast_are_named():
    u = np.random.default_rng(0).random((2, 4, 3))
    with pytest.raises(
        ValueError, match=r"^shapes do not broadcast together: logit with shape \(2,\), u\[0\]"
    ):
        rebar(f_grad, LOGIT[:2], 0.5, u)
    with pytest.raises(ValueError, match=r"^shapes do not broadcast together: .*tau with shape"):
        rebar(f_grad, LOGIT, np.full(2, 0.5), u)
