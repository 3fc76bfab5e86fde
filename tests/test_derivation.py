"""The note's claims: computed verdicts, corrections, typos, and the displayed derivations."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from binary_gumbel import binary_concrete_logpdf
from binary_gumbel.verification import engine, note
from binary_gumbel.verification.claims import ClaimResult
from binary_gumbel.verification.derivation import CLAIM_IDS, verify_all, verify_claim
from binary_gumbel.verification.engine import FAILS, HOLDS, HOLDS_IN_DISTRIBUTION
from binary_gumbel.verification.note import CORRECTED_EQ1, CORRECTED_STEP4, DEFINITION, EQ1, STEPS
from binary_gumbel.verification.symbolic import (
    alpha1,
    alpha2,
    binary_concrete_density,
    gumbel_difference_cdf,
    gumbel_max_probability,
    logistic_cdf,
    logistic_inverse_cdf,
    mu1,
    mu2,
    p,
    sigmoid,
    tau,
    tau_limits,
    u,
    x,
    z,
)

EXPECTED = {
    "eq1": (FAILS, HOLDS_IN_DISTRIBUTION),
    "eq2": (FAILS, HOLDS_IN_DISTRIBUTION),
    "eq3-limit": (HOLDS, None),
    "gumbel-difference": (HOLDS, None),
    "logistic-sampling": (HOLDS, None),
    "step-1": (HOLDS, None),
    "step-2": (HOLDS, None),
    "step-3": (HOLDS_IN_DISTRIBUTION, None),
    "step-4": (FAILS, HOLDS),
}


def test_claim_ids_are_stable():
    assert CLAIM_IDS == tuple(EXPECTED)
    assert [r.id for r in verify_all()] == list(CLAIM_IDS)


@pytest.mark.parametrize("claim_id", list(EXPECTED))
def test_verdict_and_correction(claim_id):
    result = verify_claim(claim_id)
    verdict, corrected_verdict = EXPECTED[claim_id]
    assert result.verdict == verdict
    assert result.corrected_verdict == corrected_verdict
    assert (result.corrected is None) == (corrected_verdict is None)
    assert result.evidence
    assert result.evidence_latex and result.evidence_latex.count("$") % 2 == 0
    assert any(c.verdict is not None for c in result.checks)


def test_every_monte_carlo_confirmation_agrees_with_the_exact_result():
    mc = [c for r in verify_all() for c in r.checks + r.corrected_checks if c.verdict is None]
    confirmations = [c for c in mc if "agrees_with_exact" in c.data]
    assert len(confirmations) >= 10
    assert all(c.data["agrees_with_exact"] for c in confirmations)
    assert all(c.data["false_alarm"] == 1e-6 for c in confirmations)


def test_eq1_counterexample_is_exact_and_monte_carlo_excludes_the_claim():
    result = verify_claim("eq1")
    limit = next(c for c in result.checks if c.name == "P(lim x = 1)")
    # Independently: x -> 1 iff log(u/(1-u)) < -logit(p), whose probability is sigma(-logit p).
    expected = sigmoid(-sp.log(p / (1 - p))).subs(p, sp.Rational(1, 4))
    assert sp.simplify(sp.sympify(limit.data["computed"].replace("p", "(1/4)")) - expected) == 0
    assert sp.Rational(limit.data["computed"]) == expected
    mc = next(c for c in result.checks if c.method.endswith("(Clopper-Pearson)"))
    assert not mc.data["low"] <= 0.25 <= mc.data["high"]
    assert mc.data["low"] <= 0.75 <= mc.data["high"]


def test_step4_counterexample_values_are_those_of_the_two_lines():
    identity = verify_claim("step-4").checks[0]
    point = {sp.Symbol(k, positive=True): sp.Rational(v) for k, v in identity.data["point"].items()}
    assert sp.simplify(STEPS[3].subs(point) - sp.Rational(identity.data["this line"])) == 0
    assert sp.simplify(STEPS[2].subs(point) - sp.Rational(identity.data["previous line"])) == 0
    assert identity.data["this line"] != identity.data["previous line"]


def test_typos_are_listed_and_do_not_count():
    typos = {r.id: r.typos for r in verify_all()}
    assert "exp" in typos["step-1"][0].as_written and typos["step-1"][0].read_as.count("exp") == 1
    assert typos["logistic-sampling"][0].read_as == r"\mathrm{Logistic}(0, 1)"
    assert all(" → " in t.text for ts in typos.values() for t in ts)
    assert all(not typos[i] for i in CLAIM_IDS if i not in {"step-1", "logistic-sampling"})
    assert r"\exp\exp" in verify_claim("step-1").statement


def test_literal_logistic_reading_is_reported_as_failing():
    literal = next(
        c for c in verify_claim("logistic-sampling").checks if c.name == "literal reading"
    )
    assert literal.data["verdict_if_literal"] == FAILS


def test_eq2_needs_both_edits():
    """Towards the corrected Eq. (2)'s form, the sign alone and the log-odds alone each fail;
    under the minus sign kept, the inverse odds log(alpha_2 / alpha_1) in place of the
    log-probability alone gives the right law: one wrong term."""
    diagnosis = {
        c.name: c.data["verdict_if_only_this_fix"]
        for c in verify_claim("eq2").checks
        if c.name.startswith("diagnosis")
    }
    assert diagnosis == {
        "diagnosis: fix the sign only": FAILS,
        "diagnosis: fix the logit only": FAILS,
        "diagnosis: fix the term under the sign only": HOLDS,
    }


def same(lhs, rhs) -> str:
    return engine.check_identity(lhs, rhs).verdict


def test_line_4_slips_in_the_log_ratio_not_in_the_sigmoid_rewriting():
    """1/(1 + e^w) = sigma(-w) is right; the slip is log(p/(1-p)) for line 3's log((1-p)/p)."""
    w = (sp.log((1 - p) / p) + sp.log(u / (1 - u))) / tau
    assert same(sigmoid(-w), STEPS[2]) == HOLDS  # the rewriting, minus sign kept
    assert same(CORRECTED_STEP4, sigmoid(-w)) == HOLDS
    inverted = sigmoid(-(sp.log(p / (1 - p)) + sp.log(u / (1 - u))) / tau)
    assert same(STEPS[3], inverted) == HOLDS  # line 4 as written: the ratio inverted
    assert same(STEPS[3], STEPS[2]) == FAILS


def test_expressions_as_written():
    point = {p: sp.Rational(1, 4), u: sp.Rational(1, 2), tau: 1}
    assert sp.simplify(EQ1.subs(point) - sp.Rational(3, 4)) == 0
    assert sp.simplify(CORRECTED_EQ1.subs(point) - sp.Rational(1, 4)) == 0
    assert DEFINITION.free_symbols == STEPS[0].free_symbols


# --- displayed derivations ----------------------------------------------------------------------

POINTS = [(0, 0, 0), (sp.log(3), 0, 0), (sp.log(2), -sp.log(5), sp.log(3))]


@pytest.mark.parametrize(("m1", "m2", "at"), POINTS)
def test_gumbel_difference_is_logistic(m1, m2, at):
    cdf = gumbel_difference_cdf().result
    assert sp.simplify(cdf - logistic_cdf(z, mu1 - mu2)) == 0
    value = cdf.subs({mu1: m1, mu2: m2, z: at})
    assert sp.simplify(value - sigmoid(at - m1 + m2)) == 0


def test_logistic_inverse_cdf():
    derivation = logistic_inverse_cdf()
    for q in (sp.Rational(1, 5), sp.Rational(1, 2), sp.Rational(7, 8)):
        value = derivation.result.subs(u, q)
        assert sp.simplify(sigmoid(value) - q) == 0
    assert sp.simplify(derivation.steps[-1][1] - sigmoid(z)) == 0


def test_gumbel_max_general_and_explicit():
    assert gumbel_max_probability().steps[-1][1] == 0
    for n in (2, 3, 4):
        result = gumbel_max_probability(n).result
        alphas = sorted(result.free_symbols, key=str)
        assert sp.simplify(result - alphas[0] / sp.Add(*alphas)) == 0
    two = gumbel_max_probability(2).result.subs(
        {sp.Symbol("alpha_1", positive=True): alpha1, sp.Symbol("alpha_2", positive=True): alpha2}
    )
    assert sp.simplify(two - alpha1 / (alpha1 + alpha2)) == 0
    with pytest.raises(ValueError, match="n must"):
        gumbel_max_probability(1)


def test_tau_limits():
    assert tuple(tau_limits().result) == (1, 0, 0)


def test_binary_concrete_density_normalises_and_matches_maddison_and_library():
    derivation = binary_concrete_density()
    steps = dict(derivation.steps)
    assert steps["d CDF/dx - f_X"] == 0
    assert (steps["CDF at x -> 0+"], steps["CDF at x -> 1-"]) == (0, 1)
    L = sp.Symbol("L", real=True)
    for t, ell, q in [(1, 0, sp.Rational(1, 3)), (sp.Rational(1, 2), sp.log(3), sp.Rational(1, 4)),
                      (2, -sp.log(2), sp.Rational(2, 3))]:  # fmt: skip
        point = {tau: t, L: ell, x: q}
        dens = sp.simplify(derivation.result.subs(point))
        assert sp.simplify(dens - steps["Maddison et al.'s form"].subs(point)) == 0
        library = float(np.exp(binary_concrete_logpdf(float(q), float(ell), float(t))))
        assert math.isclose(library, float(dens), rel_tol=1e-12)
    # Numerical quadrature as a cross-check (tau = 2 keeps the density bounded at the ends).
    f = sp.lambdify(x, derivation.result.subs({tau: 2, L: sp.log(3)}), "mpmath")
    assert abs(mpmath.quad(f, [0, 0.5, 1]) - 1) < 1e-12


def test_a_ks_test_that_passes_is_reported_as_not_rejecting_never_as_accepting():
    """A p-value above the false-alarm rate shows consistency with a law, not equality."""
    ks = [
        c
        for r in verify_all()
        for c in (*r.checks, *r.corrected_checks)
        if c.method == "Monte Carlo (Kolmogorov-Smirnov)"
    ]
    assert ks
    for check in ks:
        assert "accept" not in check.summary
        expected = "does not reject" if check.data["pvalue"] >= 1e-6 else "rejects"
        assert f"so the test {expected} that law" in check.summary


@pytest.mark.parametrize("expr", [None, "x", [1], True, object()])
def test_display_names_what_is_not_an_expression(expr):
    """Was AttributeError: '...' object has no attribute 'rewrite'; a boolean was returned
    as SymPy's ``true``, as if it were a displayed equation."""
    with pytest.raises(TypeError, match="^expr must be a SymPy expression or a number"):
        note.display(expr)


def test_a_claim_result_without_a_claim_of_the_note_names_its_id_for_the_text():
    """Was KeyError: 'zzz'; a claim of the note keeps its text."""
    with pytest.raises(ValueError, match="^id must be one of the note's claims .* got 'zzz'"):
        _ = ClaimResult("zzz", "a = b", "holds", "evidence", ()).text
    assert ClaimResult("eq1", "a = b", "holds", "evidence", ()).text == note.CLAIM_TEXT["eq1"]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"statement": None}, TypeError, "^statement must be a string; got None"),
        ({"id": 1}, TypeError, "^id must be a string"),
        ({"verdict": "true"}, ValueError, "^verdict must be one of 'fails'.*got 'true'"),
        ({"corrected_verdict": "x"}, ValueError, "^corrected_verdict must be one of"),
        ({"verdict": ["holds"]}, ValueError, r"^verdict must be one of .*got \['holds'\]"),
        ({"corrected": 3}, TypeError, "^corrected must be a string or None"),
        ({"checks": [None]}, TypeError, "^checks must be a tuple of Check"),
        ({"typos": ("a",)}, TypeError, "^typos must be a tuple of Typo"),
        # an id is a table cell and an anchor: a '|' split the verdict table's row
        ({"id": "a|b"}, ValueError, r"^id must be lower-case words joined by '-'; got 'a\|b'"),
        ({"id": "Step 1"}, ValueError, "^id must be lower-case words joined by '-'"),
        ({"id": 3}, TypeError, "^id must be a string; got 3"),
    ],
)
def test_a_claim_result_refuses_a_field_by_name(fields, error, message):
    """Was "argument of type 'NoneType' is not iterable" from the report for statement=None."""
    given = {"id": "one", "statement": "a = b", "verdict": "holds", "evidence": "e", "checks": ()}
    with pytest.raises(error, match=message):
        ClaimResult(**{**given, **fields})
    assert ClaimResult(**given, corrected_verdict=None).verdict == "holds"
