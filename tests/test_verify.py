"""`python -m binary_gumbel.verify`: the table, the JSON record, and the exit status; and the
exact points behind the verdict engine's weakest verdict, "holds" at rational points."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from binary_gumbel import verify
from binary_gumbel.verification import engine
from binary_gumbel.verification.derivation import CLAIM_IDS, verify_all, verify_claim
from binary_gumbel.verification.derivation_montecarlo import sample_expression
from binary_gumbel.verification.symbolic import p, tau, u

LARGEST_COUNT = int(np.iinfo(np.intp).max)  # the most elements an array can hold

KEYS = {"id", "statement", "verdict", "evidence", "corrected", "corrected_verdict", "typos"}
VERDICTS = {"holds", "holds in distribution", "fails"}


@pytest.fixture(scope="module")
def cli():
    """``(exit status, JSON claims, stderr)`` of ``python -m binary_gumbel.verify --json``.

    The command runs every check from scratch in its own interpreter, once for
    all the tests below.
    """
    run = subprocess.run(
        [sys.executable, "-m", "binary_gumbel.verify", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return run.returncode, json.loads(run.stdout)["claims"] if run.stdout else None, run.stderr


def test_cli_exits_0_with_every_claim(cli):
    returncode, claims, err = cli
    assert returncode == verify.EXIT_OK, err
    assert [c["id"] for c in claims] == list(CLAIM_IDS)
    assert all(set(claim) == KEYS for claim in claims)


def test_cli_verdicts_match_the_library(cli):
    _, claims, _ = cli
    for claim in claims:
        assert claim["verdict"] in VERDICTS
        assert claim["verdict"] == verify_claim(claim["id"]).verdict
        assert claim["evidence"]["summary"] == verify_claim(claim["id"]).evidence
        if claim["verdict"] == "fails":
            assert claim["corrected"] and claim["corrected_verdict"] in VERDICTS
            assert claim["corrected_verdict"] == verify_claim(claim["id"]).corrected_verdict
        else:
            assert claim["corrected"] is None and claim["corrected_verdict"] is None


def test_cli_evidence_in_both_renderings(cli):
    _, claims, _ = cli
    for claim in claims:
        evidence = claim["evidence"]
        assert evidence["summary"] and evidence["latex"]
        assert evidence["latex"].count("$") % 2 == 0 and "|" not in evidence["latex"]
        for check in evidence["checks"] + evidence["correction_checks"]:
            assert check["summary"] and check["summary_latex"].count("$") % 2 == 0


def test_evidence_reads_as_math_not_as_debug_output():
    for result in verify_all():
        for text in (result.evidence, result.corrected_text or ""):
            assert not re.search(r"sigma|tau|alpha_|\*\*|\(-1\)|\{'|Sigmoid", text), text
        sentences = [s for s in re.split(r"(?<=\.) ", result.evidence) if s]
        assert len(sentences) == len(set(sentences)), result.evidence


def test_table(capsys):
    assert verify.main([]) == verify.EXIT_OK
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"{len(CLAIM_IDS)} claims of the note")
    assert max(map(len, lines)) <= verify.WIDTH
    for claim_id in CLAIM_IDS:
        result = verify_claim(claim_id)
        header = next(line for line in lines if line.startswith(f"{claim_id} ─"))
        assert header.endswith(f"─ {result.verdict}") and len(header) == verify.WIDTH
        assert result.verdict in out
        if result.corrected is not None:
            assert f": {result.corrected_verdict}" in out


def test_a_check_that_cannot_run_gives_exit_2(capsys, monkeypatch):
    def broken(claim_id):
        if claim_id == "step-2":
            raise RuntimeError("simulated failure")
        return verify_claim(claim_id)

    monkeypatch.setattr(verify, "verify_claim", broken)
    assert verify.main(["--json"]) == verify.EXIT_COULD_NOT_RUN
    claims = {c["id"]: c for c in json.loads(capsys.readouterr().out)["claims"]}
    assert claims["step-2"]["verdict"] is None
    assert "simulated failure" in claims["step-2"]["evidence"]["summary"]
    assert claims["step-1"]["verdict"] in VERDICTS
    assert verify.main([]) == verify.EXIT_COULD_NOT_RUN
    out = capsys.readouterr().out
    assert "COULD NOT RUN" in out and "simulated failure" in out


def test_the_rational_points_are_distinct():
    """Four distinct temperatures (one of them above 1), and a single point for a constant."""
    temperatures = [pt[tau] for pt in engine.sample_points({tau})]
    assert temperatures == [1, sp.Rational(1, 2), sp.Rational(1, 3), 2]
    assert engine.sample_points(set()) == [{}]


@pytest.mark.parametrize("symbols", [set(), {tau}, {p, u, tau}])
def test_the_points_of_a_huge_count_are_the_first_four(symbols):
    """A count may be as large as an array: the points were all made, then compared in
    pairs, so a count of 10**6 took hours and the largest one never finished."""
    first = engine.sample_points(symbols)
    assert len(first) == (4 if symbols else 1)
    assert engine.sample_points(symbols, LARGEST_COUNT) == first
    assert engine.sample_points(symbols, 2) == first[:2]


def test_the_fourth_temperature_can_refute_an_identity():
    """``max(tau, 1) = 1`` holds at tau = 1, 1/2, 1/3 and fails at tau = 2: the repeated
    temperature 1 once let it through as "holds" at exact points."""
    check = engine.check_identity(sp.Max(tau, 1), 1)
    assert check.verdict == engine.FAILS
    assert check.data["point"] == {"tau": "2"}


def test_exact_points_count_only_the_points_where_both_sides_are_finite():
    """An identity SymPy does not prove, whose left side is 0/0 at the first point p = 1/4:
    the evidence is the three other points, and the summary says three."""
    quarter = sp.Rational(1, 4)
    lhs = (sp.atan(p) + sp.atan(1 / p)) * (p - quarter) / (4 * p - 1)
    check = engine.check_identity(lhs, sp.pi / 8)
    assert (check.verdict, check.method) == (engine.HOLDS, "exact points")
    assert check.data["points"] == [{"p": "1/3"}, {"p": "3/5"}, {"p": "5/6"}]
    assert "equal exactly at 3 rational points" in check.summary


def test_no_finite_point_and_no_proof_is_not_a_verdict():
    """``log(0) = 7 p`` is infinite on the left at every point: no evidence for "holds"."""
    with pytest.raises(engine.UnsupportedStatement, match="at every rational point a side"):
        engine.check_identity(sp.log(p - p), 7 * p)


class _ExtremeIntegers(np.random.Generator):
    """A generator whose integer draws are the two ends of the range, ``low`` and ``high - 1``."""

    def integers(self, low, high, size=None):
        return np.array([low, high - 1])[:size]


def test_the_monte_carlo_uniforms_are_exact_midpoints_strictly_inside_0_1():
    """The uniforms behind every Monte Carlo confirmation, at the two ends of their integer
    range: exact midpoints ``(k + 1/2) / 2**52``, never 0 or 1 (on a 2**-53 grid the top
    integer rounded to exactly 1)."""
    draws = sample_expression(u, {}, 2, seed=_ExtremeIntegers(np.random.PCG64(0)))
    assert draws.tolist() == [2.0**-53, 1 - 2.0**-53]
    assert np.all((draws > 0) & (draws < 1))
    real = sample_expression(u, {}, 100_000, seed=7)
    k = real * 2.0**52 - 0.5
    assert np.all(k == np.floor(k)) and np.all((real > 0) & (real < 1))


def test_the_note_formulas_are_sampled_at_the_limits_of_p():
    """At p = 1 and p = 0 the corrected Eq. (1) is 1 and 0 for every draw (the limits of
    sigma((logit p + Z) / tau)), Eq. (1) as printed 0 and 1 (a substitution gave NaN); at
    p = 10**-200, whose substituted constant ((1 - p) / p)**10 lies beyond the doubles,
    they are 0 and 1 too (an OverflowError before)."""
    from binary_gumbel.verification.note import CORRECTED_EQ1, EQ1

    for value, corrected in [
        (1, 1.0),
        (1.0, 1.0),
        (0, 0.0),
        (0.0, 0.0),
        (sp.Rational(1, 10**200), 0.0),
    ]:
        assert sample_expression(CORRECTED_EQ1, {p: value}, 3).tolist() == [corrected] * 3
        assert sample_expression(EQ1, {p: value}, 3).tolist() == [1 - corrected] * 3


@pytest.mark.parametrize(
    ("arguments", "error", "name"),
    [
        (({p: 2}, 3), ValueError, "the point's p"),
        (({p: -0.1}, 3), ValueError, "the point's p"),
        (({p: float("nan")}, 3), ValueError, "the point's p"),
        (({p: sp.nan}, 3), ValueError, "the point's p"),  # as float("nan")
        (({p: sp.Rational(1, 3)}, 3, 0, 0), ValueError, "tau_value"),
        (({p: sp.Rational(1, 3)}, 3, 0, -1), ValueError, "tau_value"),
        (({p: sp.Rational(1, 3)}, 3, 0, sp.oo), ValueError, "tau_value"),  # as float("inf")
        (({p: sp.Rational(1, 3)}, 3, 0, float("inf")), ValueError, "tau_value"),
        (({p: sp.Rational(1, 3)}, -1), ValueError, "n must be >= 1"),
        (({p: sp.Rational(1, 3)}, 2.0), TypeError, "n must be an integer"),
    ],
)
def test_the_note_formulas_are_not_sampled_at_invalid_arguments(arguments, error, name):
    """A probability outside [0, 1] or NaN, a temperature that is not positive and finite,
    a negative or fractional count: each refused by name (before: numbers, NaN, a KeyError
    'ComplexInfinity' at tau = 0, numpy's "negative dimensions")."""
    from binary_gumbel.verification.note import CORRECTED_EQ1

    with pytest.raises(error, match=name):
        sample_expression(CORRECTED_EQ1, *arguments)


def test_the_other_parameters_of_a_point_must_be_finite_numbers():
    from binary_gumbel.verification.note import CORRECTED_EQ2
    from binary_gumbel.verification.symbolic import alpha1, alpha2

    with pytest.raises(ValueError, match="the point's alpha_1"):
        sample_expression(CORRECTED_EQ2, {alpha1: float("inf"), alpha2: 1}, 3)


def test_a_difference_below_15_digits_is_a_counterexample():
    """``nsimplify`` identifies numbers to about 15 digits: it made ``exp(-200)/4`` 0, so
    this false identity held "at exact points"."""
    check = engine.check_identity(sp.exp(-200) * p, 0)
    assert (check.verdict, check.method) == (engine.FAILS, "counterexample")
    assert check.data == {"point": {"p": "1/4"}, "lhs": "exp(-200)/4", "rhs": "0"}


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (sp.Float("1e-100") * p, 0),
        (1.0 * sp.exp(-200) * p, 0),
        (p + 1e-12, p),
        (0.333333333333 * p, p / 3),
        (1.0 * sp.exp(-800) * p, 0),
        (sp.Float("1e-400") * p, 0),
    ],
    ids=["1e-100", "1.0 exp(-200)", "1e-12 added", "1/3 to 12 digits", "1.0 exp(-800)", "1e-400"],
)
def test_a_float_farther_than_its_rounding_from_a_simple_number_is_itself(lhs, rhs):
    """Sides holding floats that lie farther from the closed form than a double's rounding:
    ``nsimplify`` made the first three 0 or p, so each false identity held. (A float within
    a double's rounding of the closed form stands for it: ``p + 1.0 exp(-40) = p`` holds, as
    ``0.25 + 4e-18`` is the double 0.25.)"""
    check = engine.check_identity(lhs, rhs)
    assert (check.verdict, check.method) == (engine.FAILS, "counterexample")


@pytest.mark.parametrize(
    ("lhs", "rhs", "method"),
    [
        (p**0.5, sp.sqrt(p), "exact points"),
        (0.1 * p, p / 10, "simplify"),
        (0.7 * p, 7 * p / 10, "simplify"),
        (1.1 * p**2, 11 * p**2 / 10, "simplify"),
        ((1 / 3) * p, p / 3, "simplify"),
        (sp.sqrt(0.2 * p), sp.sqrt(p / 5), "exact points"),
    ],
)
def test_a_float_stands_for_its_nearest_simple_number(lhs, rhs, method):
    """At a point, a side holding a float is its nearest simple rational or algebraic number,
    as the symbolic proof reads it: requiring the float's own value made ``0.1 p = p/10`` a
    counterexample at p = 5/6 beside SymPy's proof, and ``p**0.5 = sqrt(p)`` one at 1/3."""
    check = engine.check_identity(lhs, rhs)
    assert (check.verdict, check.method) == (engine.HOLDS, method)


def test_a_constant_difference_is_shown_at_a_named_point():
    """``p + 1`` against ``p``: the difference has no symbol, and the counterexample read
    "at : lhs is p + 1 but rhs is p", a point without values."""
    check = engine.check_identity(p + 1, p)
    assert check.verdict == engine.FAILS
    assert check.summary == "Counterexample at p = 1/4: lhs is 5/4 but rhs is 1/4."


@pytest.mark.parametrize(
    ("function", "arguments", "name"),
    [
        (engine.check_identity, (None, p), "lhs"),
        (engine.check_identity, (p, "p"), "rhs"),
        (engine.compare_exactly, (p, True), "rhs"),
        (engine.noise_of, ([1, 2],), "expr"),
        (engine.cdf_of, (None,), "expr"),
        (engine.cdf_of, (u, "z"), "at"),
        (engine.binary_form, ([1, 2],), "expr"),
        (engine.limit_probability, ("u",), "expr"),
        (engine.check_same_law, (None, u), "lhs"),
        (engine.check_line, (u, None, "line"), "rhs"),
        (engine.check_cdf, (u, None), "claimed_cdf"),
        (engine.check_limit_probability, (u, [p]), "claimed"),
        (engine.exact_value, (None,), "value"),
        (engine.is_zero, (True,), "value"),
        (engine.canonical_log, (None,), "expr"),
        (engine.logit_of, ("p",), "expr"),
        (engine.first_point, (p, None), "exprs"),
        (engine.sample_points, ({p, 3},), "symbols"),
        (engine.sample_points, ({p}, 2.0), "count"),
    ],
)
def test_what_is_not_an_expression_is_named(function, arguments, name):
    """None, a list, a boolean or a string (whose ``p`` lacks ``symbolic.p``'s assumptions)
    met an AttributeError, an unhashable-type or a BooleanAtom error, or became an
    assumption-free symbol."""
    with pytest.raises(TypeError, match=f"^{name} must be"):
        function(*arguments)


@pytest.mark.parametrize("count", [0, -1])
def test_fewer_than_one_point_is_refused(count):
    """A count below 1 gave no points at all, not even the empty point of a constant."""
    with pytest.raises(ValueError, match="count must be >= 1"):
        engine.sample_points(set(), count)


def test_an_unknown_verdict_is_named():
    """A verdict outside the three words met a KeyError in the ranking."""
    checks = [engine.Check("a", engine.HOLDS, "m", "s"), engine.Check("b", "maybe", "m", "s")]
    match = r"^each check's verdict \(or None\) must be one of .* got 'maybe'"
    with pytest.raises(ValueError, match=match):
        engine.combine(checks)


@pytest.mark.parametrize(
    ("expr", "at", "cdf"),
    [
        (u, 2, 1),
        (u, sp.oo, 1),
        (u, 0, 0),
        (u, -1, 0),
        (2 * u, 1, sp.Rational(1, 2)),
        (1 - u, sp.Rational(1, 4), sp.Rational(1, 4)),
        (-u, sp.Rational(1, 4), 1),
        (sp.log(u / (1 - u)), -sp.oo, 0),
    ],
)
def test_a_cdf_at_a_number_beyond_the_range_is_0_or_1(expr, at, cdf):
    """Inversion alone gave P(u <= 2) = 2, and no answer (0 solutions) at 0, -1 or oo."""
    assert engine.cdf_of(expr, at) == cdf


@pytest.mark.parametrize(
    ("expr", "at", "cdf"),
    [(p * u, 2, 2 / p), (u + p, 3, 3 - p), (p * u, -1, 0), (u + p, 0, 0)],
)
def test_a_cdf_beyond_a_parametric_end_is_the_inversions_formula(expr, at, cdf):
    """The ends of ``p u``'s range are 0 and p, of ``u + p``'s p and 1 + p: below them SymPy
    decides (p > 0), above them it cannot (p < 1 is not assumed), and the CDF is inversion's."""
    assert engine.cdf_of(expr, at) == cdf


@pytest.mark.parametrize("at", [sp.nan, sp.zoo, 1 + 2j])
def test_a_cdf_is_not_taken_at_a_value_that_is_not_real(at):
    """At NaN the Gumbel difference met 'Invalid NaN comparison' inside SymPy."""
    with pytest.raises(ValueError, match="^at must be a real number"):
        engine.cdf_of(engine.X1 - engine.X2, at)
