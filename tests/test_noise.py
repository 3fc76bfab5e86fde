"""Uniform -> Gumbel and uniform -> Logistic transforms, their densities and CDFs."""

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, stats

from binary_gumbel import noise
from binary_gumbel.verification import montecarlo

EPS = 2.0**-52
U = np.array([5e-324, 1e-300, 1e-10, 0.1, 0.5, 0.9, 1 - 1e-10, 1 - 2**-53])


def test_transforms_match_mpmath():
    for u, g, lg in zip(
        U, noise.gumbel_from_uniform(U), noise.logistic_from_uniform(U), strict=True
    ):
        um = mp.mpf(u)
        g_ref = -mp.log(-mp.log(um))
        l_ref = mp.log(um) - mp.log(1 - um)
        assert abs(g - g_ref) <= 4 * EPS * abs(g_ref)
        assert abs(lg - l_ref) <= 4 * EPS * abs(l_ref)


def test_sigmoid_is_accurate_in_relative_terms_down_to_the_subnormals():
    """Against 40 digits: within 4 units of 2**-53 relative wherever the result is a normal
    double (both tails included), within the subnormal spacing below."""
    rng = np.random.default_rng(0)
    normal = np.concatenate(
        [rng.uniform(-708, -40, 200), rng.uniform(-40, 40, 200), rng.uniform(40, 745, 50)]
    )
    subnormal = rng.uniform(-745, -708.4, 50)
    with mp.workdps(40):
        for w, s in zip(normal, noise.sigmoid(normal), strict=True):
            exact = 1 / (1 + mp.exp(-mp.mpf(w)))
            assert abs(s - exact) <= 4 * 2.0**-53 * exact, w
        for w, s in zip(subnormal, noise.sigmoid(subnormal), strict=True):
            assert abs(s - 1 / (1 + mp.exp(-mp.mpf(w)))) <= 2.0**-1074, w


def test_transforms_at_the_ends_of_the_interval():
    assert noise.gumbel_from_uniform([0.0, 1.0]).tolist() == [-np.inf, np.inf]
    assert noise.logistic_from_uniform([0.0, 1.0]).tolist() == [-np.inf, np.inf]


def test_location_shifts():
    np.testing.assert_array_equal(
        noise.gumbel_from_uniform(U, 2.5), 2.5 + noise.gumbel_from_uniform(U)
    )
    np.testing.assert_array_equal(
        noise.logistic_from_uniform(U, -1.0), -1.0 + noise.logistic_from_uniform(U)
    )


def test_cdfs_invert_the_transforms():
    u = U[2:-1]
    np.testing.assert_allclose(noise.gumbel_cdf(noise.gumbel_from_uniform(u)), u, rtol=1e-12)
    np.testing.assert_allclose(noise.logistic_cdf(noise.logistic_from_uniform(u)), u, rtol=1e-12)


X = np.array([-700.0, -30.0, -2.0, 0.0, 0.7, 5.0, 40.0, 700.0])


@pytest.mark.parametrize("loc", [0.0, 1.5])
def test_against_scipy(loc):
    np.testing.assert_allclose(
        noise.gumbel_cdf(X[1:], loc), stats.gumbel_r.cdf(X[1:], loc), rtol=1e-13
    )
    np.testing.assert_allclose(
        noise.gumbel_logpdf(X[1:], loc), stats.gumbel_r.logpdf(X[1:], loc), rtol=1e-13
    )
    np.testing.assert_allclose(noise.logistic_cdf(X, loc), stats.logistic.cdf(X, loc), rtol=1e-13)
    np.testing.assert_allclose(
        noise.logistic_logpdf(X, loc), stats.logistic.logpdf(X, loc), rtol=1e-13
    )


def test_extremes_are_limits():
    assert noise.gumbel_logpdf([-np.inf, -1e4, np.inf]).tolist() == [-np.inf, -np.inf, -np.inf]
    assert noise.gumbel_cdf([-np.inf, -1e4, np.inf]).tolist() == [0.0, 0.0, 1.0]
    assert noise.logistic_logpdf([-np.inf, np.inf]).tolist() == [-np.inf, -np.inf]
    assert noise.logistic_cdf([-np.inf, np.inf]).tolist() == [0.0, 1.0]
    # the lower tail of the sigmoid keeps relative precision, down to subnormals
    for w in [-40.0, -700.0, -740.0]:
        ref = 1 / (1 + mp.exp(-mp.mpf(w)))
        assert abs(noise.sigmoid(w) - ref) <= 4 * EPS * ref + 2.0**-1074
        assert abs(noise.log_sigmoid(w) - mp.log(ref)) <= 4 * EPS * abs(mp.log(ref))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_difference_beyond_the_largest_float_gives_the_limits_without_a_warning(dtype):
    """``x - loc`` of two finite values can exceed the largest float: the densities and CDFs
    are then their limits at ``±inf`` (the tests run with warnings as errors, and numpy's
    overflow warning once escaped from all six)."""
    big = np.finfo(dtype).max / 2 * dtype(1.5)
    x, loc = np.array([big, -big], dtype), np.array([-big, big], dtype)  # x - loc = ±1.5 max
    assert noise.logistic_cdf(x, loc).tolist() == [1.0, 0.0]
    assert noise.gumbel_cdf(x, loc).tolist() == [1.0, 0.0]
    for pdf in (noise.logistic_pdf, noise.gumbel_pdf):
        assert pdf(x, loc).tolist() == [0.0, 0.0]
    for logpdf in (noise.logistic_logpdf, noise.gumbel_logpdf):
        assert logpdf(x, loc).tolist() == [-np.inf, -np.inf]
    for f in (noise.logistic_cdf, noise.gumbel_cdf, noise.logistic_logpdf, noise.gumbel_logpdf):
        assert f(x, loc).dtype == dtype


@pytest.mark.parametrize("pdf", [noise.gumbel_pdf, noise.logistic_pdf])
def test_densities_integrate_to_their_cdfs(pdf):
    cdf = noise.gumbel_cdf if pdf is noise.gumbel_pdf else noise.logistic_cdf
    total, err = integrate.quad(pdf, -np.inf, np.inf, args=(0.3,))
    assert abs(total - 1) <= 1e-9 + err
    part, err = integrate.quad(pdf, -3, 1.2, args=(0.3,))
    assert abs(part - (cdf(1.2, 0.3) - cdf(-3, 0.3))) <= 1e-10 + err


def test_difference_of_two_gumbels_is_logistic():
    rng = np.random.default_rng(2)
    g1, g2 = noise.gumbel_from_uniform(rng.random((2, 50_000)))
    assert montecarlo.check_ks(g1 - g2, noise.logistic_cdf).consistent
    # and it is not a Gumbel: the test has the power to tell them apart
    assert not montecarlo.check_ks(g1 - g2, noise.gumbel_cdf).consistent


def test_float32_is_kept():
    u = np.float32([0.25, 0.5])
    assert noise.gumbel_from_uniform(u).dtype == np.float32
    assert noise.logistic_from_uniform(u).dtype == np.float32
    assert noise.logistic_cdf(u).dtype == np.float32
    assert noise.gumbel_from_uniform([0.25, 0.5]).dtype == np.float64


def test_the_transforms_are_exported_at_the_top_level():
    import binary_gumbel as bg

    assert bg.gumbel_from_uniform is noise.gumbel_from_uniform
    assert bg.logistic_from_uniform is noise.logistic_from_uniform
    assert {"gumbel_from_uniform", "logistic_from_uniform"} <= set(bg.__all__)
