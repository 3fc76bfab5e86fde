"""Mutation tests: the engine must say `fails` on wrong variants and `holds` on true ones."""

from __future__ import annotations

import pytest
import sympy as sp

from binary_gumbel import derivation_engine as engine
from binary_gumbel.derivation import CORRECTED_EQ1, DEFINITION, STEPS
from binary_gumbel.derivation_engine import FAILS, HOLDS, HOLDS_IN_DISTRIBUTION
from binary_gumbel.symbolic import g1, g2, logistic_cdf, mu1, mu2, p, sigmoid, tau, u, z

LOGIT = sp.log(p / (1 - p))
NOISE = sp.log(u / (1 - u))
GAP = sp.log(1 - p) - sp.log(p)


def line_verdict(lhs, rhs):
    return engine.combine(engine.check_line(lhs, rhs, "mutant"))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # flipped sign inside the exponential of line 2
        (1 / (1 + sp.exp(-(GAP + g2 - g1) / tau)), STEPS[0]),
        # dropped term: line 3 without -log p
        (1 / (1 + sp.exp((sp.log(1 - p) + NOISE) / tau)), STEPS[1]),
        # dropped term: line 2 without log p
        (1 / (1 + sp.exp((sp.log(1 - p) + g2 - g1) / tau)), STEPS[0]),
        # p swapped with 1 - p in line 1
        (STEPS[0].subs(p, 1 - p), DEFINITION),
        # wrong temperature: 2 tau
        (sigmoid((LOGIT + NOISE) / (2 * tau)), DEFINITION),
        # wrong logit: log p instead of log p/(1-p)
        (sigmoid((sp.log(p) + NOISE) / tau), DEFINITION),
        # Gumbel noise entering with the same sign twice (not a function of g2 - g1 only)
        (1 / (1 + sp.exp((GAP + g2 - g1) / tau)), 1 / (1 + sp.exp((GAP - g2 + g1 + 1) / tau))),
    ],
)
def test_wrong_lines_fail(lhs, rhs):
    assert line_verdict(lhs, rhs) == FAILS


@pytest.mark.parametrize(
    ("lhs", "rhs", "verdict"),
    [
        (STEPS[1], STEPS[0], HOLDS),
        (STEPS[0], DEFINITION, HOLDS),
        # u -> 1 - u reflects the Logistic noise: same law, different random variable
        (sigmoid((LOGIT - NOISE) / tau), sigmoid((LOGIT + NOISE) / tau), HOLDS_IN_DISTRIBUTION),
        (CORRECTED_EQ1, DEFINITION, HOLDS_IN_DISTRIBUTION),
        (STEPS[2], STEPS[1], HOLDS_IN_DISTRIBUTION),
    ],
)
def test_true_lines_hold(lhs, rhs, verdict):
    assert line_verdict(lhs, rhs) == verdict


@pytest.mark.parametrize(
    ("expr", "claimed", "verdict"),
    [
        (CORRECTED_EQ1, p, HOLDS),
        (CORRECTED_EQ1, 1 - p, FAILS),  # p swapped with 1 - p in the claim
        (sigmoid((sp.log(p) + NOISE) / tau), p, FAILS),  # wrong logit
        (sigmoid((LOGIT + NOISE) / (3 * tau)), p, HOLDS),  # tau does not change the limit
        (sigmoid(-(LOGIT + NOISE) / tau), 1 - p, HOLDS),  # the note's Eq. (1), honestly claimed
        (DEFINITION, p, HOLDS),
    ],
)
def test_limit_probability(expr, claimed, verdict):
    assert engine.check_limit_probability(expr, claimed).verdict == verdict


def test_counterexample_is_exact_at_a_rational_point():
    check = engine.check_limit_probability(CORRECTED_EQ1, 1 - p)
    assert check.data["point"] == {"p": "1/4"}
    assert (sp.Rational(check.data["computed"]), sp.Rational(check.data["claimed"])) == (
        sp.Rational(1, 4),
        sp.Rational(3, 4),
    )


X1 = engine.gumbel("X_1", mu1)
X2 = engine.gumbel("X_2", mu2)


@pytest.mark.parametrize(
    ("expr", "claimed_cdf", "verdict"),
    [
        (X1 - X2, logistic_cdf(z, mu1 - mu2), HOLDS),
        (X1 - X2, logistic_cdf(z, mu2 - mu1), FAILS),  # flipped sign of the location
        (X1 - X2, logistic_cdf(z, mu1 - mu2, 2), FAILS),  # wrong scale
        (X2 - X1, logistic_cdf(z, mu2 - mu1), HOLDS),
        (NOISE, logistic_cdf(z), HOLDS),
        (-NOISE, logistic_cdf(z), HOLDS),  # the standard Logistic is symmetric
        (NOISE, logistic_cdf(z, 1), FAILS),  # location 1
        (sp.log(u / (1 + u)), logistic_cdf(z), FAILS),  # wrong sampler
        (sp.log(u), logistic_cdf(z), FAILS),  # dropped term
    ],
)
def test_distributional_claims(expr, claimed_cdf, verdict):
    assert engine.check_cdf(expr, claimed_cdf).verdict == verdict


def test_identity_checks():
    assert engine.check_identity(sp.log(p / (1 - p)), sp.log(p) - sp.log(1 - p)).verdict == HOLDS
    wrong = engine.check_identity(sp.log(p / (1 - p)), sp.log(p) + sp.log(1 - p))
    assert wrong.verdict == FAILS
    assert wrong.data["lhs"] != wrong.data["rhs"]


def test_combine_takes_the_weakest_verdict():
    checks = [engine.Check(n, v, "m", "s") for n, v in [("a", HOLDS), ("b", None), ("c", FAILS)]]
    assert engine.combine(checks) == FAILS
    assert engine.combine(checks[:2]) == HOLDS
    with pytest.raises(ValueError, match="at least one verdict"):
        engine.combine(checks[1:2])


def test_unsupported_expressions_raise():
    with pytest.raises(engine.UnsupportedStatement):
        engine.binary_form(sigmoid((g1 + u) / tau))
    with pytest.raises(engine.UnsupportedStatement):
        engine.cdf_of(g1 + g2)
    with pytest.raises(engine.UnsupportedStatement, match="not sigma"):
        engine.binary_form(1 / (1 + sp.exp(-sp.log(u) / tau)))  # not affine in the Logistic
