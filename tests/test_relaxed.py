"""Unit tests of the relaxed samplers: values, broadcasting, dtypes, rng handling."""

import mpmath as mp
import numpy as np
import pytest

from binary_gumbel import (
    binary_gumbel_softmax,
    gumbel_softmax,
    logit_from_probability,
    logit_from_unnormalized,
    relaxed,
    sample_binary_gumbel_softmax,
)
from binary_gumbel.noise import gumbel_from_uniform, sigmoid
from binary_gumbel.verification.montecarlo import check_proportion

EPS = 2.0**-52


def rel_bound(x, logit, tau, u):
    """A float64 version of the accuracy bound (see test_accuracy.py)."""
    with np.errstate(divide="ignore"):
        cond = (np.abs(logit) + np.abs(np.log(u)) + np.abs(np.log1p(-u))) / tau
    return EPS / 2 * (64 * x + 4 * x * (1 - x) * cond) + 4 * 2.0**-1074


def test_logit_from_probability_matches_mpmath_and_inverts():
    p = np.array([1e-300, 1e-8, 0.3, 0.5, 0.7, 1 - 1e-8, 1 - 2**-53])
    got = logit_from_probability(p)
    for pi, gi in zip(p, got, strict=True):
        ref = mp.log(mp.mpf(pi)) - mp.log(1 - mp.mpf(pi))
        assert abs(gi - ref) <= 4 * EPS * max(abs(ref), 1)
    # the round trip loses only the rounding of the logit, eps * |logit| relative
    roundtrip = sigmoid(got[1:-1])
    assert np.all(np.abs(roundtrip - p[1:-1]) <= 4 * EPS * (1 + np.abs(got[1:-1])) * p[1:-1])
    assert logit_from_probability([0.0, 1.0]).tolist() == [-np.inf, np.inf]


def test_logit_from_unnormalized():
    a1, a2 = np.array([0.2, 3.0, 1e-200, 5.0]), np.array([0.8, 1.0, 1.0, 1e250])
    got = logit_from_unnormalized(a1, a2)
    np.testing.assert_allclose(got, logit_from_probability(a1 / (a1 + a2)), rtol=8 * EPS)
    # invariant to rescaling both weights
    np.testing.assert_allclose(logit_from_unnormalized(8 * a1, 8 * a2), got, rtol=8 * EPS)
    np.testing.assert_allclose(logit_from_unnormalized(3.7 * a1, 3.7 * a2), got, rtol=8 * EPS)
    assert logit_from_unnormalized([0.0, 1.0, np.inf], [1.0, 0.0, 2.0]).tolist() == [
        -np.inf,
        np.inf,
        np.inf,
    ]


def test_gumbel_softmax_basic_properties():
    rng = np.random.default_rng(3)
    log_alpha = rng.normal(size=(50, 4))
    g = gumbel_from_uniform(rng.random((50, 4)))
    x = gumbel_softmax(log_alpha, 0.7, g)
    assert x.shape == (50, 4)
    np.testing.assert_allclose(x.sum(axis=-1), 1, rtol=8 * EPS)
    # log-weights count only up to an additive constant per row
    np.testing.assert_allclose(gumbel_softmax(log_alpha + 12.5, 0.7, g), x, rtol=1e-13)
    # against the textbook formula, evaluated in mpmath
    for row_la, row_g, row_x in zip(log_alpha[:5], g[:5], x[:5], strict=True):
        w = [
            mp.exp((mp.mpf(a) + mp.mpf(b)) / mp.mpf(0.7))
            for a, b in zip(row_la, row_g, strict=True)
        ]
        for wk, xk in zip(w, row_x, strict=True):
            assert abs(xk - wk / sum(w)) <= 16 * EPS
    # as tau -> 0 the sample becomes the one-hot arg max (the Gumbel-max trick)
    hard = gumbel_softmax(log_alpha, 1e-6, g)
    np.testing.assert_array_equal(hard, np.eye(4)[np.argmax(log_alpha + g, axis=-1)])


def test_gumbel_softmax_temperature_per_row():
    la, g = np.zeros((2, 3)), np.array([[0.0, 1.0, 2.0]] * 2)
    x = gumbel_softmax(la, np.array([0.5, 2.0]), g)
    np.testing.assert_allclose(x[0], gumbel_softmax(la[0], 0.5, g[0]), rtol=4 * EPS)
    np.testing.assert_allclose(x[1], gumbel_softmax(la[1], 2.0, g[1]), rtol=4 * EPS)


def test_gumbel_softmax_extremes():
    # a category of weight zero gets weight zero, whatever its noise
    x = gumbel_softmax([0.3, -np.inf, -0.2], 0.5, [0.1, np.inf, 2.0])
    assert x[1] == 0 and np.isclose(x.sum(), 1, rtol=4 * EPS, atol=0)
    # huge logits over a tiny temperature: an exact one-hot vector, no overflow
    assert gumbel_softmax([1e300, 0.0, -1e300], 1e-300, [0.0, 0.0, 0.0]).tolist() == [1, 0, 0]
    assert gumbel_softmax([0.0, 1e-300], 1e-310, [0.0, 0.0]).tolist() == [0, 1]


def test_gumbel_softmax_where_a_sum_of_finite_terms_is_beyond_the_doubles():
    """log_alpha + g of finite terms beyond the largest float keeps its order: it had
    overflowed to -inf, refused as if the noise were -inf, or to inf, sharing the mass of
    unequal sums equally. Sums 2^972 apart at tau = 2^972 have weights 1 and e^-1."""
    assert gumbel_softmax([-1e308], 1.0, [-1e308]).tolist() == [1.0]
    assert gumbel_softmax([-1e308, -1e308], 1.0, [-1e308, -0.9e308]).tolist() == [0, 1]
    assert gumbel_softmax([1e308, 1e308], 1.0, [1e308, 0.9e308]).tolist() == [1, 0]
    x = gumbel_softmax([1e308, 1e308], 2.0**972, [1e308, 1e308 - 2.0**972])
    np.testing.assert_allclose(x, [1 / (1 + np.exp(-1)), 1 / (1 + np.e)], rtol=4 * EPS)
    # only such a row is halved: a subnormal difference over a subnormal tau keeps its bit
    rows = gumbel_softmax([[0.0, 5e-324], [-1e308, 0.0]], 5e-324, [[0.0, 0.0], [-1e308, 0.0]])
    np.testing.assert_allclose(rows[0], [1 / (1 + np.e), 1 / (1 + np.exp(-1))], rtol=4 * EPS)
    assert rows[1].tolist() == [0, 1] and rows.dtype == np.float64
    single = gumbel_softmax(np.float32([-3e38]), np.float32(1), np.float32([-3e38]))
    assert single.tolist() == [1.0] and single.dtype == np.float32


def test_binary_form_broadcasting_dtypes_and_scalars():
    x = binary_gumbel_softmax(np.zeros((3, 1)), np.array([0.5, 1.0]), 0.25)
    assert x.shape == (3, 2) and x.dtype == np.float64
    assert np.ndim(binary_gumbel_softmax(0.1, 0.5, 0.3)) == 0
    assert binary_gumbel_softmax(np.float32(0.1), 0.5, np.float32(0.3)).dtype == np.float32
    assert binary_gumbel_softmax(np.float32(0.1), np.float64(0.5), 0.3).dtype == np.float64
    assert binary_gumbel_softmax(1, 1, np.array([0, 1])).dtype == np.float64


def test_binary_form_is_the_two_class_form_with_coupled_noise():
    rng = np.random.default_rng(4)
    logit, tau = rng.normal(0, 3, 2000), np.exp(rng.uniform(-2, 2, 2000))
    g = gumbel_from_uniform(rng.uniform(1e-6, 1 - 1e-6, (2000, 2)))
    u = sigmoid(g[:, 0] - g[:, 1])
    x_bin = binary_gumbel_softmax(logit, tau, u)
    x_cat = gumbel_softmax(np.stack([logit, np.zeros_like(logit)], axis=-1), tau, g)[:, 0]
    # rounding u = sigmoid(g1 - g2) moves logit(u) by up to eps / (u (1 - u))
    tol = (
        x_bin
        * (1 - x_bin)
        / tau
        * (EPS / (u * (1 - u)) + 8 * EPS * (1 + np.abs(logit) + np.abs(g).sum(-1)))
    )
    assert np.all(np.abs(x_bin - x_cat) <= tol + 64 * EPS * x_bin + 1e-300)


def test_sampler_reproduces_the_function_at_the_drawn_uniforms():
    n = 3 * relaxed._BLOCK + 17  # several blocks and a ragged end
    x = sample_binary_gumbel_softmax(0.4, 0.3, n, rng=np.random.default_rng(8))
    u = np.random.default_rng(8).random(n)
    ref = binary_gumbel_softmax(0.4, 0.3, u)
    assert np.all(np.abs(x - ref) <= 2 * rel_bound(ref, 0.4, 0.3, u))


def test_sampler_with_array_parameters():
    logit, tau = np.array([[-1.0], [0.0], [2.0]]), np.array([0.2, 1.0, 5.0, 40.0])
    x = sample_binary_gumbel_softmax(logit, tau, rng=1)
    assert x.shape == (3, 4)
    u = np.random.default_rng(1).random((3, 4))
    ref = binary_gumbel_softmax(logit, tau, u)
    assert np.all(np.abs(x - ref) <= 2 * rel_bound(ref, logit, tau, u))
    assert sample_binary_gumbel_softmax(logit, tau, size=(5, 3, 4), rng=1).shape == (5, 3, 4)


def test_sampler_rng_size_dtype_out_and_hard():
    a = sample_binary_gumbel_softmax(0.2, 0.5, 1000, rng=11)
    np.testing.assert_array_equal(a, sample_binary_gumbel_softmax(0.2, 0.5, 1000, rng=11))
    gen = np.random.default_rng(11)
    np.testing.assert_array_equal(a, sample_binary_gumbel_softmax(0.2, 0.5, 1000, rng=gen))
    assert not np.array_equal(a, sample_binary_gumbel_softmax(0.2, 0.5, 1000, rng=gen))
    assert np.ndim(sample_binary_gumbel_softmax(0.2, 0.5, rng=1)) == 0
    assert sample_binary_gumbel_softmax(0.2, 0.5, (2, 3), rng=1).shape == (2, 3)
    assert sample_binary_gumbel_softmax(0.2, 0.5, 0, rng=1).shape == (0,)
    f32 = sample_binary_gumbel_softmax(0.2, 0.5, 10, rng=1, dtype=np.float32)
    assert f32.dtype == np.float32
    out = np.empty((4, 5))
    assert sample_binary_gumbel_softmax(0.2, 0.5, rng=11, out=out) is out
    np.testing.assert_array_equal(out.ravel(), a[:20])
    hard = sample_binary_gumbel_softmax(0.2, 0.5, 1000, rng=11, hard=True)
    np.testing.assert_array_equal(hard, (a > 0.5).astype(float))


@pytest.mark.parametrize("dtype, tau", [(np.float32, 1e8), (np.float64, 1e16), (np.float64, 1e20)])
@pytest.mark.parametrize("shared", [True, False], ids=["scalar-logit", "array-logit"])
def test_hard_sample_is_bernoulli_at_a_huge_temperature(dtype, tau, shared):
    """At these temperatures x rounds to 1/2 exactly, and a hard value read off x > 1/2 was
    0 nearly always (a mean of 0.0 at tau = 1e20); the sign of the logit-space sample is
    Bernoulli(sigmoid(logit)) at every temperature. Both sampling paths (one block-wise for
    scalar parameters, one for arrays) are checked at false-alarm 1e-6 each."""
    n, logit = 200_000, 0.3
    b = sample_binary_gumbel_softmax(
        logit if shared else np.full(n, logit), tau, n, rng=29, dtype=dtype, hard=True
    )
    assert b.dtype == dtype and set(np.unique(b).tolist()) == {0.0, 1.0}
    check = check_proportion(int(b.sum()), n, float(sigmoid(logit)), false_alarm=1e-6)
    assert check.consistent, check


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hard_sample_at_tau_1_is_the_relaxed_sample_above_one_half(dtype):
    """At tau = 1 the hard sample is, bit for bit, what it was when it was read off the
    relaxed sample as x > 1/2: the same uniforms, the same decisions, for finite and infinite
    logits, on both sampling paths, at these seeds. (Where x rounds to exactly 1/2 the two
    differ, and the sign of the logit-space sample is the right one: in float32 at logit 0,
    3 draws of 4e6 at tau = 10 and 121 at tau = 1000; none at tau = 1 and 3.)"""
    n = 300_000
    for logit in (0.2, -3.0, 40.0, np.inf, -np.inf):
        hard = sample_binary_gumbel_softmax(logit, 1.0, n, rng=5, dtype=dtype, hard=True)
        soft = sample_binary_gumbel_softmax(logit, 1.0, n, rng=5, dtype=dtype)
        np.testing.assert_array_equal(hard, (soft > 0.5).astype(dtype))
    logit = np.array([[0.2], [-1.0], [np.inf], [-np.inf]])
    hard = sample_binary_gumbel_softmax(logit, 1.0, (n // 4, 4, 3), rng=5, dtype=dtype, hard=True)
    soft = sample_binary_gumbel_softmax(logit, 1.0, (n // 4, 4, 3), rng=5, dtype=dtype)
    np.testing.assert_array_equal(hard, (soft > 0.5).astype(dtype))


def test_two_class_reference_sampler_shape():
    x = relaxed.sample_two_class_gumbel_softmax(0.5, 0.3, (10, 2), rng=0)
    assert x.shape == (10, 2) and np.all((x >= 0) & (x <= 1))


def test_torch_route_emulation_at_the_clamp_gives_a_positive_logit_on_two_uniforms():
    """torch's RelaxedBernoulli clamps p and u to [eps, 1 - eps]; with p below eps the two
    clamped noise terms would cancel, but float32 rounding leaves +2**-23 at the top two
    uniforms of torch.rand: P(s > 0) = 2**-23, neither p nor 0 (the numerics chapter once
    said such an event gets x <= 1/2)."""
    from fractions import Fraction

    from binary_gumbel.verification import torch_clamp

    p = sigmoid(-17.0)
    assert torch_clamp.positive_logit_probability(p) == Fraction(2, 2**24)
    with pytest.raises(ValueError, match=r"^p must be a single number; got shape \(2,\)"):
        torch_clamp.positive_logit_probability([0.3, 0.5])
    top = torch_clamp.float32_uniforms(2**24 - 2, 2**24)
    s = torch_clamp.relaxed_logit(p, top)
    # log(1 - eps), about -eps, is lost against 15.94; the two log(eps) cancel (log1p(-(1 - eps))
    # is log(eps) exactly, and both round to the same float32); the last term, -log1p(-eps) =
    # eps + eps**2/2 + eps**3/3 + ..., is what is left: more than half an ulp (eps**2 / 2)
    # above eps, so it rounds to the float32 one ulp above eps.
    eps = np.finfo(np.float32).eps
    assert np.all(s == np.nextafter(eps, np.float32(1)))
    assert np.all(torch_clamp.relaxed_sample(p, 0.5, top) > 0.5)
    below = torch_clamp.float32_uniforms(2**24 - 3, 2**24 - 2)
    assert torch_clamp.relaxed_logit(p, below)[0] < 0


def test_torch_route_emulation_rounds_its_logarithms_correctly():
    """The emulation's float32 log and log1p are the correctly rounded ones (mpmath at 50
    digits, rounded to float32), so its results do not depend on the processor's float32
    routines; on the four top and four bottom uniforms (these clamped to eps) and on 2,000
    seeded ones, with p = 1/2; and the noise's bound at u = 1 - eps."""
    import mpmath

    from binary_gumbel.verification import torch_clamp

    rng = np.random.default_rng(11)
    u = np.concatenate(
        [
            torch_clamp.float32_uniforms(2**24 - 4, 2**24),
            torch_clamp.float32_uniforms(1, 5),
            rng.integers(1, 2**24, 2_000).astype(np.float32) * np.float32(2.0**-24),
        ]
    )
    clamped = torch_clamp.clamp_probs(u, "u")
    with mpmath.workdps(50):
        log = np.array([float(mpmath.log(mpmath.mpf(float(v)))) for v in clamped])
        log1p = np.array([float(mpmath.log1p(-mpmath.mpf(float(v)))) for v in clamped])
    # The 50-digit values, rounded once to float64 and then to float32: the float64 value is
    # within half a float64 ulp, so a second rounding could only differ within that of a
    # float32 tie.
    p = np.float32(0.5)
    s = torch_clamp.relaxed_logit(p, u)
    expected = (
        (log.astype(np.float32) - log1p.astype(np.float32))
        + np.float32(float(mpmath.log(0.5)))
        - np.float32(float(mpmath.log1p(-0.5)))
    )
    np.testing.assert_array_equal(s, expected)
    top = np.float32(1) - np.finfo(np.float32).eps
    with mpmath.workdps(50):
        bound = np.float32(float(mpmath.log(float(top)))) - np.float32(
            float(mpmath.log1p(-mpmath.mpf(float(top))))
        )
    assert torch_clamp.noise_bound() == bound


def test_log_eps_tie_distance_matches_an_independent_evaluation():
    """log(eps) = -23 log 2 measured from its nearest float32 rounding midpoint, with the
    standard library's decimal arithmetic (60 digits) instead of mpmath: the float32 spacing
    there is 2**-20, since 8 <= 23 log 2 < 16. The correctly rounded neighbour is the one both
    emulated terms return, so that they cancel at the top of the clamp; and the distance is
    below 1/2, so a routine erring by a full spacing could return the other neighbour."""
    import decimal

    from binary_gumbel.verification import torch_clamp

    with decimal.localcontext() as context:
        context.prec = 60
        units = 23 * decimal.Decimal(2).ln() * 2**20
        fraction = units - int(units)
        expected = abs(fraction - decimal.Decimal("0.5"))
        nearest = -(int(units) + (1 if fraction > decimal.Decimal("0.5") else 0)) * 2.0**-20
    distance = torch_clamp.log_eps_tie_distance()
    assert 0 < distance < 0.5
    assert abs(decimal.Decimal(distance) - expected) < decimal.Decimal("1e-15")
    # Both emulated terms are that neighbour. At u = 1/2 the noise is 0 and s is
    # log(eps) - log1p(-eps), and log1p(-eps), about -eps, is under half a spacing (2**-21);
    # at u = 1 - eps the noise is log(1 - eps) - log1p(-(1 - eps)), likewise.
    eps = np.finfo(np.float32).eps
    assert torch_clamp.relaxed_logit(eps, np.float32(0.5)) == np.float32(nearest)
    assert torch_clamp.noise_bound() == -np.float32(nearest)


def test_torch_route_emulation_keeps_ordinary_probabilities():
    """Away from the clamp the enumerated probability is p, up to the grid of 2**-24 and
    the rounding of the noise near the threshold u = 1 - p."""
    from binary_gumbel.verification import torch_clamp

    for p in (0.3, 0.7):
        assert abs(float(torch_clamp.positive_logit_probability(p)) - p) <= 4 * 2.0**-24
    with np.testing.assert_raises_regex(ValueError, "u must be"):
        torch_clamp.relaxed_logit(0.5, 1.5)


@pytest.mark.parametrize(
    ("temperature", "error", "match"),
    [
        (1e300, ValueError, r"temperature must fit in float32.*1e\+300"),
        (1e-50, ValueError, r"temperature must be a positive.*1e-50 before it was rounded"),
        (np.inf, ValueError, "temperature must be a positive, finite"),
        (0.0, ValueError, "temperature must be a positive"),
        (-1.0, ValueError, "temperature must be a positive"),
        (np.nan, ValueError, "temperature must be a positive"),
        ([1.0, 2.0], ValueError, "temperature must be a single number"),
        (None, TypeError, "temperature must be a real number"),
        ("1", TypeError, "temperature must be a real number"),
    ],
)
def test_torch_route_emulation_refuses_a_temperature_that_is_not_a_positive_float32(
    temperature, error, match
):
    """torch divides by the temperature in float32: one that is not a positive finite float32
    once cast (1e-50 rounds to 0, 1e300 overflows) is refused by name with the value given."""
    from binary_gumbel.verification import torch_clamp

    with pytest.raises(error, match=match):
        torch_clamp.relaxed_sample(0.5, temperature, 0.5)


def test_torch_route_emulation_takes_a_temperature_of_any_real_type():
    """An integer, a float64 and the float32 it rounds to give the same float32 sample."""
    from binary_gumbel.verification import torch_clamp

    u = torch_clamp.float32_uniforms(1_000, 1_010)
    samples = [torch_clamp.relaxed_sample(0.3, t, u) for t in (2, np.float64(2.0), np.int64(2))]
    assert all(x.dtype == np.float32 for x in samples)
    np.testing.assert_array_equal(samples[0], samples[1])
    np.testing.assert_array_equal(samples[0], samples[2])


@pytest.mark.parametrize(
    ("start", "stop", "error", "match"),
    [
        (0.5, 2, TypeError, "start must be an integer"),
        (None, 2, TypeError, "start must be an integer"),
        (0, 2.0, TypeError, "stop must be an integer"),
        (True, 2, TypeError, "start must be an integer"),
        (-1, 2, ValueError, "start must be >= 0"),
        (3, 2, ValueError, "start and stop must satisfy"),
        (0, 2**24 + 1, ValueError, "start and stop must satisfy"),
        # beyond the most elements an array can hold: the same message, naming the grid's bound
        (0, 2**63, ValueError, r"^start and stop must satisfy 0 <= start <= stop <= 2\*\*24"),
        (2**64, 10**30, ValueError, r"^start and stop must satisfy 0 <= start <= stop <= 2"),
    ],
)
def test_float32_uniforms_takes_integer_bounds_on_torchs_grid(start, stop, error, match):
    """The uniforms are k * 2**-24 for integers k: a fractional bound would leave the grid."""
    from binary_gumbel.verification import torch_clamp

    with pytest.raises(error, match=match):
        torch_clamp.float32_uniforms(start, stop)
    grid = torch_clamp.float32_uniforms(np.int64(3), np.int64(6))
    np.testing.assert_array_equal(grid, np.float32([3, 4, 5]) * np.float32(2.0**-24))
