"""Logistic noise given the discrete outcome: the SymPy derivation, the numerics, the law."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import special, stats

from binary_gumbel import conditional_noise as cn
from binary_gumbel.verification import conditional_noise_derivation, sampler_checks
from binary_gumbel.verification.montecarlo import check_ks

EPS = np.finfo(np.float64).eps
LOGITS = (-3.0, -0.4, 0.0, 1.5, 6.0)


def test_the_sympy_derivation_checks_cdf_sampler_mixture_and_derivative():
    d = conditional_noise_derivation.conditional_noise_derivation()
    assert d.all_zero()
    # The conditional CDFs are the truncated Logistic's: 0 at the cut, 1 at the far end.
    assert sp.simplify(d.cdf_one.subs(d.s, 0)) == 0
    assert sp.limit(d.cdf_one, d.s, sp.oo) == 1
    assert sp.limit(d.cdf_zero, d.s, -sp.oo) == 0
    assert sp.simplify(d.cdf_zero.subs(d.s, 0)) == 1


@pytest.mark.parametrize("b", [0, 1])
def test_numerics_agree_with_the_derived_sampler_and_derivative(b):
    d = conditional_noise_derivation.conditional_noise_derivation()
    sampler = d.sampler_one if b else d.sampler_zero
    deriv = d.derivative_one if b else d.derivative_zero
    f = sp.lambdify((d.v, d.logit), sampler, "mpmath")
    df = sp.lambdify((d.v, d.logit), deriv, "mpmath")
    for logit in LOGITS:
        for v in (0.01, 0.3, 0.5, 0.9, 0.999):
            assert cn.conditional_logistic_sample(v, logit, b) == pytest.approx(
                float(f(v, logit)), rel=1e-12, abs=1e-14
            )
            assert cn.conditional_sample_derivative(v, logit, b) == pytest.approx(
                float(df(v, logit)), rel=1e-12, abs=1e-15
            )


@pytest.mark.parametrize("logit", [-800.0, -30.0, *LOGITS, 30.0, 800.0])
@pytest.mark.parametrize("b", [0, 1])
def test_the_cdf_inverts_the_sampler_even_at_extreme_logits(logit, b):
    v = np.array([0.0, 1e-300, 1e-12, 0.2, 0.5, 0.8, 1 - 1e-12, 1.0])
    z = cn.conditional_logistic_sample(v, logit, b)
    assert not np.any(np.isnan(z))
    assert np.all(z >= 0) if b else np.all(z <= 0)
    np.testing.assert_allclose(cn.conditional_logistic_cdf(z, logit, b), v, rtol=1e-9, atol=1e-12)
    deriv = cn.conditional_sample_derivative(v, logit, b)
    assert np.all((deriv >= 0) & (deriv <= 1))


def test_mixing_the_conditionals_gives_back_the_logistic():
    s = np.linspace(-8, 8, 161)
    for logit in LOGITS:
        p = special.expit(logit)
        mix = p * cn.conditional_logistic_cdf(s, logit, 1) + (1 - p) * cn.conditional_logistic_cdf(
            s, logit, 0
        )
        np.testing.assert_allclose(mix, special.expit(s - logit), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("b", [0, 1])
def test_derivative_matches_finite_differences(b):
    v = np.linspace(0.01, 0.99, 33)
    h = 1e-6
    for logit in LOGITS:
        fd = cn.conditional_logistic_sample(v, logit + h, b)
        fd = (fd - cn.conditional_logistic_sample(v, logit - h, b)) / (2 * h)
        # |d^3 z~ / d logit^3| = |sigmoid''| <= 1/(6 sqrt 3) < 0.1; rounding of |z~| <= 10 in 4 ulp.
        tol = h**2 / 6 * 0.1 + 4 * 10 * EPS / h
        assert np.max(np.abs(fd - cn.conditional_sample_derivative(v, logit, b))) <= tol


def _truncated_logistic_cdf(logit: float, b: int):
    """The CDF of Logistic(logit, 1) given the sign ``b = 1[z > 0]``, written with SciPy.

    SciPy's Logistic renormalised on the half-line: for ``b = 1``,
    ``(F(s) - F(0)) / (1 - F(0))`` on ``s >= 0``; for ``b = 0``, ``F(s) / F(0)`` on
    ``s <= 0``; independent of the library's closed form, whose inverse is its sampler.
    """
    law = stats.logistic(loc=logit)
    if b == 1:
        return lambda s: (law.cdf(np.maximum(s, 0.0)) - law.cdf(0.0)) / law.sf(0.0)
    return lambda s: law.cdf(np.minimum(s, 0.0)) / law.cdf(0.0)


@pytest.mark.parametrize("logit", [-2.0, 0.0, 1.5])
def test_the_conditional_sample_has_the_conditional_law(logit):
    """KS tests at a false-alarm rate of 1e-6 each, per b: against the library's conditional
    CDF (whose closed-form inverse is the sampler, so this checks the two agree) and against
    SciPy's Logistic truncated to the half-line of b (the law itself, written independently);
    and the same test rejects the plain Logistic."""
    samples, checks = sampler_checks.conditional_ks(logit, 100_000, rng=11, false_alarm=1e-6)
    for b, check in checks.items():
        assert check.consistent, (b, check)
        independent = check_ks(samples[b], _truncated_logistic_cdf(logit, b), 1e-6)
        assert independent.consistent, (b, independent)
        wrong = check_ks(samples[b], lambda x: special.expit(x - logit), 1e-6)
        assert not wrong.consistent, "power: z~ given b is not the unconditional Logistic"


@pytest.mark.parametrize(
    ("logit", "n", "missing"), [(0.5, 1, 0), (40.0, 1000, 0), (-40.0, 1000, 1)]
)
def test_conditional_ks_names_an_outcome_that_never_occurred(logit, n, missing):
    """Was montecarlo's "samples must not be empty", naming none of the caller's arguments."""
    with pytest.raises(ValueError, match=rf"^none of the n = {n} draws gave b = {missing} at"):
        sampler_checks.conditional_ks(logit, n, rng=0)


@pytest.mark.parametrize(("z", "logit", "b", "limit"), [
    (-1e308, 1e308, 0, 0.0), (1e308, -1e308, 1, 1.0),
    (1e308, -1e308, 0, 1.0), (-1e308, 1e308, 1, 0.0),
    (1e308, 1e308, 1, 0.5), (-1e308, -1e308, 0, 0.5),
])  # fmt: skip
def test_the_cdf_where_z_minus_logit_is_beyond_the_largest_float(z, logit, b, limit):
    """``z - logit`` overflows; the CDF is its limit, with no overflow warning (the tests run
    with warnings as errors). At ``z = logit`` the CDF is ``sigmoid(0) / P(b)``, 1/2 here."""
    assert cn.conditional_logistic_cdf(z, logit, b) == limit


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cn.conditional_logistic_sample(0.5, 0.0, 0.5), "^b must be 0 or 1"),
        (lambda: cn.conditional_logistic_sample(0.5, 0.0, [0, 2]), "^b must be 0 or 1"),
        (lambda: cn.conditional_logistic_sample(0.5, np.nan, 1), "^logit must be finite"),
        (lambda: cn.conditional_sample_derivative(0.5, np.inf, 1), "^logit must be finite"),
        (lambda: cn.conditional_logistic_sample(1.5, 0.0, 1), "^v must be a uniform"),
        (lambda: cn.conditional_logistic_sample(-0.1, 0.0, 0), "^v must be a uniform"),
        (lambda: cn.conditional_sample_derivative(np.nan, 0.0, 0), "^v must be a uniform"),
        (lambda: cn.conditional_logistic_cdf(np.nan, 0.0, 0), "^z must not be NaN"),
        (lambda: cn.conditional_logistic_cdf(0.0, np.nan, 0), "^logit must be finite"),
        (lambda: cn.conditional_logistic_cdf(0.0, 0.0, -1), "^b must be 0 or 1"),
        (lambda: cn.conditional_logistic_sample([0.1, 0.2], [0.0, 1.0, 2.0], 1), "shapes"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="logit"):
        cn.conditional_logistic_sample(0.5, "a", 1)
