"""Property-based tests (hypothesis) of the binary Gumbel-softmax.

Comparisons allow the float64 accuracy bound of test_accuracy.py and nothing
more: "monotone" means monotone up to that bound.
"""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from binary_gumbel import binary_gumbel_softmax, gumbel_softmax, sample_binary_gumbel_softmax
from binary_gumbel.noise import sigmoid

EPS = 2.0**-53
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)

logits = st.floats(-700, 700)
taus = st.floats(-3, 3).map(lambda e: 10.0**e)
uniforms = st.floats(0, 1)


def bound(x, logit, tau, u):
    with np.errstate(divide="ignore"):
        cond = (abs(logit) + abs(np.log(u)) + abs(np.log1p(-u))) / tau
    if not np.isfinite(cond):  # u in {0, 1}: the result is exact
        return 4 * 2.0**-1074
    return EPS * (64 * x + 4 * x * (1 - x) * cond) + 4 * 2.0**-1074


@SETTINGS
@given(logits, taus, uniforms)
def test_in_unit_interval(logit, tau, u):
    x = binary_gumbel_softmax(logit, tau, u)
    assert 0 <= x <= 1


@SETTINGS
@given(logits, logits, taus, uniforms)
def test_monotone_in_logit(a, b, tau, u):
    lo, hi = min(a, b), max(a, b)
    x_lo, x_hi = binary_gumbel_softmax([lo, hi], tau, u)
    assert x_lo <= x_hi + bound(x_lo, lo, tau, u) + bound(x_hi, hi, tau, u)


@SETTINGS
@given(logits, taus, uniforms, uniforms)
def test_monotone_in_u(logit, tau, a, b):
    lo, hi = min(a, b), max(a, b)
    x_lo, x_hi = binary_gumbel_softmax(logit, tau, [lo, hi])
    assert x_lo <= x_hi + bound(x_lo, logit, tau, lo) + bound(x_hi, logit, tau, hi)


@SETTINGS
@given(logits, taus, uniforms)
def test_symmetry(logit, tau, u):
    v = 1 - u  # the pair (1 - v, v) sums to 1 exactly
    u = 1 - v
    x = binary_gumbel_softmax(logit, tau, u)
    y = 1 - binary_gumbel_softmax(-logit, tau, v)
    assert abs(x - y) <= bound(x, logit, tau, u) + bound(1 - y, -logit, tau, v) + EPS


@SETTINGS
@given(st.floats(-30, 30), st.floats(0.01, 0.99), st.floats(-6, -2).map(lambda e: 10.0**e))
def test_small_tau_approaches_the_hard_threshold(logit, u, tau):
    z = logit + np.log(u) - np.log1p(-u)
    if abs(z) < 1e-6:
        return  # the threshold itself; the limit is 1/2 there
    x = binary_gumbel_softmax(logit, tau, u)
    # |x - H(z)| = sigmoid(-|z| / tau), which vanishes as tau -> 0
    assert abs(x - (z > 0)) <= sigmoid(-abs(z) / tau) * (1 + 1e-9) + bound(x, logit, tau, u)


@SETTINGS
@given(st.floats(-50, 50), taus.filter(lambda t: t >= 1e-2), st.floats(-5, 20), st.floats(-5, 20))
# Hypothesis also draws constants it finds in the project's loaded modules, so its examples
# change with the library and with the tests run before; this one once exceeded a bound
# that took u as correctly rounded (u was 1.3 EPS above sigmoid(18.625)).
@example(logit=0.0, tau=10.0, g1=18.625, g2=0.0)
def test_coupled_noise_equals_two_class_softmax(logit, tau, g1, g2):
    u = sigmoid(g1 - g2)
    x_bin = binary_gumbel_softmax(logit, tau, u)
    x_cat = gumbel_softmax([logit, 0.0], tau, [g1, g2])[0]
    # sigmoid rounds 1 + e and then 1 / (1 + e) or e / (1 + e), with e = exp(-|w|) within
    # an ulp: u lies within 2.5 EPS of sigmoid(g1 - g2) where u >= 1/2 and within 5 EPS u
    # where u < 1/2, so logit(u) moves by at most 3 EPS / (u (1 - u)) (as
    # 5 EPS / (1 - u) <= 3 EPS / (u (1 - u)) for u <= 3/5)
    cond = (3 * EPS / (u * (1 - u)) + 8 * EPS * (1 + abs(logit) + abs(g1) + abs(g2))) / tau
    assert abs(x_bin - x_cat) <= x_bin * (1 - x_bin) * cond + 128 * EPS * max(x_bin, x_cat) + 1e-300


@settings(max_examples=50, deadline=None, derandomize=True, database=None)
@given(st.floats(-20, 20), taus, st.integers(0, 2**32 - 1))
def test_hard_is_the_rounded_soft_sample(logit, tau, seed):
    soft = sample_binary_gumbel_softmax(logit, tau, 64, rng=seed)
    hard = sample_binary_gumbel_softmax(logit, tau, 64, rng=seed, hard=True)
    np.testing.assert_array_equal(hard, (soft > 0.5).astype(float))
