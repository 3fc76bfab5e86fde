"""The binary Concrete density and CDF: normalisation, consistency, limits."""

import numpy as np
import pytest
from scipy import integrate

from binary_gumbel import binary_concrete_cdf, binary_concrete_logpdf
from binary_gumbel.density import binary_concrete_pdf
from binary_gumbel.noise import sigmoid

PARAMS = [(0.0, 1.0), (1.3, 0.3), (-4.0, 0.1), (2.0, 2.5), (25.0, 0.7)]


def _in_logit_space(y, logit, tau):
    """The density of y = logit(x): p(sigmoid(y)) * sigmoid(y) * sigmoid(-y)."""
    return binary_concrete_pdf(sigmoid(y), logit, tau) * sigmoid(y) * sigmoid(-y)


@pytest.mark.parametrize(("logit", "tau"), PARAMS)
def test_density_integrates_to_the_cdf(logit, tau):
    """Simpson's rule in logit space, where the density is smooth, over y in [-15, 15].

    There ``x = sigmoid(y)`` keeps ``1 - x`` to 10 significant digits, so the
    quadrature error is far below the tolerance; with ``F(0) = 0`` and
    ``F(1) = 1`` (tested below) this also checks the normalisation.
    """
    y = np.linspace(-15, 15, 30_001)
    part = integrate.simpson(_in_logit_space(y, logit, tau), x=y)
    a, b = sigmoid(y[0]), sigmoid(y[-1])
    exact = binary_concrete_cdf(b, logit, tau) - binary_concrete_cdf(a, logit, tau)
    assert abs(part - exact) <= 1e-9


def test_density_has_unit_mass():
    logit, tau = 0.4, 2.0  # nearly all the mass lies in logit space within [-15, 15]
    y = np.linspace(-15, 15, 30_001)
    assert abs(integrate.simpson(_in_logit_space(y, logit, tau), x=y) - 1) <= 1e-9


def test_outside_the_unit_interval():
    assert binary_concrete_logpdf([-0.5, 1.5, -np.inf, np.inf], 0.3, 0.5).tolist() == [-np.inf] * 4
    assert binary_concrete_cdf([-0.5, -np.inf, 1.5, np.inf], 0.3, 0.5).tolist() == [0, 0, 1, 1]


@pytest.mark.parametrize("logit", [-2.0, 0.5])
def test_end_points_are_the_limits(logit):
    tiny = np.array([1e-300, 1e-200])
    for tau in (0.5, 2.0):
        near0 = binary_concrete_logpdf(tiny, logit, tau)
        near1 = binary_concrete_logpdf(1 - np.array([2**-53, 2**-40]), logit, tau)
        sign = 1 if tau < 1 else -1
        assert sign * near0[0] > sign * near0[1] and sign * near1[0] > sign * near1[1]
        assert binary_concrete_logpdf([0.0, 1.0], logit, tau).tolist() == [sign * np.inf] * 2
    # at tau = 1 the density at 0 is exp(-logit) and at 1 it is exp(logit)
    assert binary_concrete_logpdf(0.0, logit, 1.0) == -logit
    assert binary_concrete_logpdf(1.0, logit, 1.0) == logit
    np.testing.assert_allclose(binary_concrete_logpdf(tiny, logit, 1.0), -logit, atol=1e-12)
    assert binary_concrete_cdf([0.0, 1.0], logit, 0.5).tolist() == [0.0, 1.0]


def test_infinite_logit_is_a_point_mass():
    x = [0.0, 0.4, 1.0]
    assert binary_concrete_logpdf(x, np.inf, 0.5).tolist() == [-np.inf, -np.inf, np.inf]
    assert binary_concrete_logpdf(x, -np.inf, 0.5).tolist() == [np.inf, -np.inf, -np.inf]
    assert binary_concrete_cdf(x, np.inf, 0.5).tolist() == [0.0, 0.0, 1.0]
    assert binary_concrete_cdf(x, -np.inf, 0.5).tolist() == [1.0, 1.0, 1.0]


def test_stable_near_the_ends_and_for_small_tau():
    x = np.array([1e-300, 1e-30, 0.5, 1 - 1e-15])
    for tau in (1e-3, 0.05, 3.0):
        lp = binary_concrete_logpdf(x, 40.0, tau)
        assert np.all(np.isfinite(lp))
        assert np.all(np.diff(binary_concrete_cdf(x, 40.0, tau)) >= 0)


def test_a_density_beyond_the_largest_float_is_inf():
    """At x = 0 and tau = 1 the density is its limit 1 / alpha = e^-logit: e^710 is beyond
    the doubles, e^709 is not. At a subnormal x and tau = 0.01 it is about
    tau x^(tau - 1) = 1.2e318. Beyond the doubles the density is inf, without numpy's
    overflow warning (an error here); in float32 from e^89 on."""
    assert binary_concrete_pdf(0.0, -710.0, 1.0) == np.inf
    assert binary_concrete_pdf(0.0, -709.0, 1.0) == pytest.approx(np.exp(709.0), rel=1e-13)
    assert binary_concrete_pdf(5e-324, 0.0, 0.01) == np.inf
    single = binary_concrete_pdf(np.float32(0.0), np.float32(-89.0), np.float32(1.0))
    assert single == np.inf and single.dtype == np.float32


def test_cdf_is_the_inverse_of_the_sampler():
    """F(x(u)) = u: the sampler is the quantile function of the distribution."""
    from binary_gumbel import binary_gumbel_softmax

    u = np.linspace(0.01, 0.99, 99)
    for logit, tau in PARAMS[:-1]:  # at logit 25, tau 0.7 every x rounds to about 1
        x = binary_gumbel_softmax(logit, tau, u)
        np.testing.assert_allclose(binary_concrete_cdf(x, logit, tau), u, rtol=1e-10)


def test_float32_is_kept():
    assert binary_concrete_logpdf(np.float32(0.3), np.float32(0.1), 0.5).dtype == np.float32
    assert binary_concrete_cdf(np.float32([0.3]), 0.1, 0.5).dtype == np.float32
