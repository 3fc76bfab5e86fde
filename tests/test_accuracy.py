"""Accuracy of the library against an independent 60-digit mpmath reference.

The bound for ``binary_gumbel_softmax`` at float64 inputs ``(logit, tau, u)``
with exact value ``x`` is

    |x_hat - x| <= eps (64 x + 4 x (1 - x) (|logit| + |log u| + |log(1 - u)|) / tau)
                   + 4 * smallest_subnormal,

with ``eps = 2**-53``: 64 units of relative error, plus the rounding that the
ill-conditioned map (small tau, x away from 0 and 1) unavoidably amplifies,
plus a few subnormal units. float32 uses the same bound with its own ``eps``
and smallest subnormal.
"""

import mpmath as mp
import numpy as np
import pytest

from binary_gumbel import (
    binary_concrete_cdf,
    binary_concrete_logpdf,
    binary_gumbel_softmax,
    sample_binary_gumbel_softmax,
)
from binary_gumbel.noise import sigmoid

mp.mp.dps = 60

EPS = {np.float64: 2.0**-53, np.float32: 2.0**-24}
SUBNORMAL = {np.float64: 2.0**-1074, np.float32: 2.0**-149}
N = 1500


def exact_and_bound(logit, tau, u, dtype):
    """Exact x at the given floating inputs, and the allowed error, both in mpmath."""
    t, tau, u = (mp.mpf(float(v)) for v in (logit, tau, u))
    if u == 0 or u == 1:
        return u, 4 * mp.mpf(SUBNORMAL[dtype])
    lu, l1u = mp.log(u), mp.log(1 - u)
    x = 1 / (1 + mp.exp(-(t + lu - l1u) / tau))
    cond = (abs(t) + abs(lu) + abs(l1u)) / tau
    return x, EPS[dtype] * (64 * x + 4 * x * (1 - x) * cond) + 4 * mp.mpf(SUBNORMAL[dtype])


def worst_ratio(logit, tau, u, got, dtype=np.float64):
    """Largest |error| / bound over the points (must be <= 1)."""
    worst = 0.0
    for args in zip(logit, tau, u, got, strict=True):
        x, bound = exact_and_bound(*args[:3], dtype)
        worst = max(worst, float(abs(mp.mpf(float(args[3])) - x) / bound))
    return worst


def _parameters(rng, n, logit_max=700.0):
    logit = rng.uniform(-logit_max, logit_max, n)
    small = np.exp(rng.uniform(np.log(1e-3), np.log(logit_max), n // 2))
    logit[: n // 2] = small * rng.choice([-1.0, 1.0], n // 2)
    tau = np.exp(rng.uniform(np.log(1e-3), np.log(1e3), n))
    return logit, tau


def _uniforms(rng, n):
    u = rng.random(n)
    u[: n // 3] = np.exp(rng.uniform(np.log(1e-300), 0, n // 3))  # lower tail
    u[n // 3 : n // 2] = 1 - np.exp(rng.uniform(np.log(2**-53), np.log(0.5), n // 2 - n // 3))
    u[:6] = [1e-300, 5e-324, 1 - 2**-53, 2**-1074 * 7, 0.0, 1.0]
    return u


def test_whole_domain_float64():
    rng = np.random.default_rng(20161101)
    logit, tau = _parameters(rng, N)
    u = _uniforms(rng, N)
    assert worst_ratio(logit, tau, u, binary_gumbel_softmax(logit, tau, u)) <= 1


def test_ill_conditioned_region_float64():
    """Small tau with x away from 0 and 1: logit + log(u / (1 - u)) close to 0."""
    rng = np.random.default_rng(1611)
    logit, tau = _parameters(rng, N)
    u = sigmoid(tau * rng.uniform(-8, 8, N) - logit)
    u = np.clip(u, 5e-324, 1 - 2**-53)
    x = binary_gumbel_softmax(logit, tau, u)
    assert np.mean((x > 1e-3) & (x < 1 - 1e-3)) > 0.5  # the region is really sampled
    assert worst_ratio(logit, tau, u, x) <= 1


def test_tiny_results_are_the_right_subnormals():
    rng = np.random.default_rng(7)
    logit = rng.uniform(-300, 0, N)
    tau = rng.uniform(0.4, 1.0, N)
    u = np.clip(sigmoid(tau * rng.uniform(-744, -700, N) - logit), 5e-324, 1 - 2**-53)
    x = binary_gumbel_softmax(logit, tau, u)
    assert np.mean((x > 0) & (x < np.finfo(np.float64).tiny)) > 0.3  # subnormal outputs occur
    assert worst_ratio(logit, tau, u, x) <= 1


@pytest.mark.parametrize(("logit", "tau"), [(0.3, 0.3), (-650.0, 0.9), (40.0, 1e-3), (-2.0, 800.0)])
def test_sampler_path_float64(logit, tau):
    """The blocked, in-place sampler meets the same bound at the uniforms it drew."""
    n = 40_000  # more than one block
    x = sample_binary_gumbel_softmax(logit, tau, n, rng=5)
    u = np.random.default_rng(5).random(n)
    pick = np.random.default_rng(6).choice(n, 400, replace=False)
    assert worst_ratio(np.full(400, logit), np.full(400, tau), u[pick], x[pick]) <= 1


def test_float32_meets_the_float32_bound():
    rng = np.random.default_rng(32)
    logit, tau = (a.astype(np.float32) for a in _parameters(rng, N))
    u = _uniforms(rng, N).astype(np.float32)
    u[: N // 3] = np.exp(rng.uniform(np.log(1e-45), 0, N // 3)).astype(np.float32)
    x = binary_gumbel_softmax(logit, tau, u)
    assert x.dtype == np.float32
    assert worst_ratio(logit, tau, u, x, np.float32) <= 1


def test_float32_ill_conditioned_and_sampler():
    rng = np.random.default_rng(33)
    logit, tau = (a.astype(np.float32) for a in _parameters(rng, N, logit_max=80.0))
    u = np.clip(sigmoid(tau * rng.uniform(-8, 8, N) - logit), 1e-45, 1 - 2**-24).astype(np.float32)
    assert worst_ratio(logit, tau, u, binary_gumbel_softmax(logit, tau, u), np.float32) <= 1
    x = sample_binary_gumbel_softmax(np.float32(1.5), np.float32(0.2), 300, rng=3, dtype=np.float32)
    u = np.random.default_rng(3).random(300, dtype=np.float32)
    assert worst_ratio(np.full(300, 1.5), np.full(300, 0.2), u, x, np.float32) <= 1


def _concrete_logpdf_mp(x, logit, tau):
    """Maddison et al. (2016), BinConcrete density, written as in the paper."""
    x, a, lam = mp.mpf(x), mp.exp(mp.mpf(logit)), mp.mpf(tau)
    num = lam * a * x ** (-lam - 1) * (1 - x) ** (-lam - 1)
    return mp.log(num / (a * x ** (-lam) + (1 - x) ** (-lam)) ** 2)


def _density_points(seed, n=600):
    rng = np.random.default_rng(seed)
    x = np.where(
        rng.random(n) < 0.5,
        np.exp(rng.uniform(np.log(1e-12), np.log(0.5), n)),
        1 - np.exp(rng.uniform(np.log(1e-12), np.log(0.5), n)),
    )
    return x, rng.uniform(-30, 30, n), rng.uniform(0.1, 3, n)


def test_logpdf_within_1e9_of_exact():
    x, logit, tau = _density_points(11)
    got = binary_concrete_logpdf(x, logit, tau)
    for xi, ti, ri, gi in zip(x, logit, tau, got, strict=True):
        ref = _concrete_logpdf_mp(xi, ti, ri)
        assert abs(gi - ref) <= 1e-9 * max(1, abs(ref)), (xi, ti, ri)


def test_cdf_within_1e12_of_exact():
    x, logit, tau = _density_points(12)
    got = binary_concrete_cdf(x, logit, tau)
    for xi, ti, ri, gi in zip(x, logit, tau, got, strict=True):
        xm = mp.mpf(float(xi))
        ref = 1 / (1 + mp.exp(mp.mpf(float(ti))) * ((1 - xm) / xm) ** mp.mpf(float(ri)))
        assert abs(gi - ref) <= 1e-12, (xi, ti, ri)


def test_cdf_reference_is_the_integral_of_the_paper_density():
    """The closed-form CDF used above agrees with quadrature of Maddison et al.'s density."""
    mp.mp.dps = 30
    try:
        for x, logit, tau in [(0.3, 0.5, 0.7), (0.9, -2.0, 2.5), (1e-3, 1.0, 0.2), (0.6, 0.0, 1.0)]:
            # In logit space the integrand is smooth: dx = x (1 - x) dy.
            def integrand(y, logit=logit, tau=tau):
                s = 1 / (1 + mp.exp(-y))
                return mp.exp(_concrete_logpdf_mp(s, logit, tau)) * s * (1 - s)

            integral = mp.quad(integrand, [-mp.inf, mp.log(x) - mp.log(1 - mp.mpf(x))])
            assert abs(binary_concrete_cdf(x, logit, tau) - integral) <= 1e-12
    finally:
        mp.mp.dps = 60
