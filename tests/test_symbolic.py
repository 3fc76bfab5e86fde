"""The symbolic derivations the chapters display: their steps, their LaTeX, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from binary_gumbel.book import report
from binary_gumbel.verification import printing, symbolic
from binary_gumbel.verification.symbolic import ell, in_odds, logit, odds, sigmoid, tau, u, x


def test_in_odds_maps_the_unit_interval_to_positive_odds():
    q = in_odds(x)
    assert (q.is_positive, (1 - q).is_positive) == (True, True)
    assert x.is_positive and (1 - x).is_positive is None  # why the substitution is needed
    assert sp.simplify(q / (1 - q) - odds) == 0  # r = x / (1 - x): it inverts the odds


def test_density_steps_are_clean_and_the_cdf_normalises():
    """The steps simplify without complex numbers, the CDF tends to 0 and 1 at the ends, and
    its odds form is the CDF. The gap ``d CDF/dx - f_X`` is 0 by the chain rule, as the
    derivation builds ``f_X`` from the CDF's own inverse map: that it simplifies to 0 shows
    the simplification is clean, not that the Jacobian is right (see the two tests below)."""
    steps = dict(symbolic.binary_concrete_density().steps)
    assert steps["d CDF/dx - f_X"] == 0
    assert (steps["CDF at x -> 0+"], steps["CDF at x -> 1-"]) == (0, 1)
    for expr in steps.values():
        assert not expr.has(sp.I), expr
    # The odds form is the CDF, checked at exact points inside (0, 1).
    L = sp.Symbol("L", real=True)
    for t, logit_value, q in [
        (2, sp.log(3), sp.Rational(1, 5)),
        (sp.Rational(1, 2), 0, sp.Rational(3, 4)),
    ]:
        point = {tau: t, L: logit_value}
        at_q = steps["CDF"].subs(point).subs(x, q)
        at_odds = steps["CDF at x = r/(1 + r)"].subs(point).subs(odds, q / (1 - q))
        assert sp.simplify(at_q - at_odds) == 0


def test_density_gap_detects_a_wrong_density():
    """The gap expression is not 0 for a density that is not the CDF's derivative: here the
    test's own 2 f_X (the derivation is not mutated; a mutant of it is the next test's)."""
    derivation = symbolic.binary_concrete_density()
    steps = dict(derivation.steps)
    mutant_gap = sp.simplify(in_odds(sp.diff(steps["CDF"], x) - 2 * derivation.result))
    assert mutant_gap != 0


L_SYMBOL = sp.Symbol("L", real=True)  # the logit of binary_concrete_density
# tau != 1 at each point: a Jacobian without its tau would agree with Maddison's at tau = 1.
DENSITY_POINTS = [
    (2, sp.log(3), sp.Rational(1, 3)),
    (sp.Rational(1, 2), -sp.log(2), sp.Rational(3, 4)),
]


def test_the_change_of_variables_density_is_maddisons_form():
    """``f_Z(z(x)) |dz/dx|`` equals Maddison, Mnih & Teh's (2016) binary Concrete density
    ``tau a x^(-tau-1) (1-x)^(-tau-1) / (a x^(-tau) + (1-x)^(-tau))^2``, ``a = e^L``: an
    independent closed form, so a wrong Jacobian would show here. Identically (on the odds)
    and at exact points."""
    derivation = symbolic.binary_concrete_density()
    maddison = dict(derivation.steps)["Maddison et al.'s form"]
    assert sp.simplify(in_odds(derivation.result - maddison)) == 0
    for t, logit_value, q in DENSITY_POINTS:
        point = {tau: t, L_SYMBOL: logit_value, x: q}
        assert sp.simplify(derivation.result.subs(point) - maddison.subs(point)) == 0


def test_a_wrong_jacobian_in_the_derivation_is_caught(monkeypatch):
    """A mutant of the derivation itself: ``|dz/dx|`` taken without its ``tau``. Its density
    differs from Maddison et al.'s, and its own gap step ``d CDF/dx - f_X`` is no longer 0,
    as the CDF keeps the right inverse map: both checks can fail."""
    from test_mutations import Mutant, apply_mutant

    honest = dict(symbolic.binary_concrete_density().steps)
    mutant = Mutant(
        name="density without tau in the Jacobian",
        module="binary_gumbel.verification.symbolic.derivations",
        function="binary_concrete_density",
        edits=(("sp.diff(z_of_x, x)", "sp.diff(z_of_x / tau, x)"),),
        killers=(),
    )
    apply_mutant(mutant, monkeypatch)
    derivation = symbolic.binary_concrete_density()
    steps = dict(derivation.steps)
    assert steps["d CDF/dx - f_X"] != 0
    assert steps["Maddison et al.'s form"] == honest["Maddison et al.'s form"]
    for t, logit_value, q in DENSITY_POINTS:
        point = {tau: t, L_SYMBOL: logit_value, x: q}
        gap = derivation.result.subs(point) - steps["Maddison et al.'s form"].subs(point)
        assert sp.simplify(gap) != 0


def test_fast_form_equals_the_sigmoid_form():
    derivation = symbolic.fast_form_identity()
    assert derivation.steps[-1][1] == 0
    # Exact points, independently of the simplification.
    for t, logit_value, q in [
        (1, 0, sp.Rational(1, 3)),
        (sp.Rational(1, 3), sp.log(2), sp.Rational(9, 10)),
    ]:
        point = {tau: t, ell: logit_value, u: q}
        textbook = sigmoid((logit_value + logit(q)) / t)
        assert sp.simplify(derivation.result.subs(point) - textbook) == 0
    # And a mutant with the logit's sign flipped differs.
    flipped = derivation.result.subs(ell, -ell)
    point = {tau: 1, ell: sp.log(3), u: sp.Rational(1, 2)}
    assert sp.simplify(flipped.subs(point) - sigmoid(sp.log(3))) != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clamped_noise_bound_is_exact_and_matches_the_noise_at_the_clamp(dtype):
    eps = np.finfo(dtype).eps
    derivation = symbolic.clamped_noise_bound(eps)
    exact_eps = sp.Integer(2) ** -np.finfo(dtype).nmant  # machine epsilon, 2^-23 or 2^-52
    assert sp.simplify(derivation.result - sp.log((1 - exact_eps) / exact_eps)) == 0
    steps = dict(derivation.steps)
    assert sp.simplify(steps["noise at u = eps"] + derivation.result) == 0
    slope = steps["d/du log(u/(1-u)) at u = r/(1 + r)"]
    assert slope.is_positive
    assert sp.simplify(slope - 1 / (in_odds(u, u) * (1 - in_odds(u, u)))) == 0
    # float64 arithmetic at u = 1 - eps agrees with the exact bound to rounding.
    at_clamp = np.log1p(-float(eps)) - np.log(float(eps))
    assert float(derivation.result) == pytest.approx(at_clamp, rel=4 * np.finfo(np.float64).eps)


@pytest.mark.parametrize(
    "eps, error", [(0.5, ValueError), (0.0, ValueError), (-1e-3, ValueError),
                   (float("nan"), ValueError), ("a", TypeError), ([1e-3], TypeError)],
)  # fmt: skip
def test_clamped_noise_bound_rejects_bad_eps(eps, error):
    with pytest.raises(error, match="eps"):
        symbolic.clamped_noise_bound(eps)


def test_gumbel_difference_shows_the_probability_it_computes():
    derivation = symbolic.gumbel_difference_cdf()
    lhs = derivation.steps[0][1].lhs
    assert isinstance(lhs, symbolic.Probability)
    assert sp.latex(lhs) == r"P\left(X_{1} - X_{2} \leq z\right)"
    assert printing.plain(lhs) == "P(X₁ − X₂ ≤ z)"
    display = report.derivation_latex(derivation)
    assert display.count(r"\text{") == len(derivation.steps)
    assert r"P\left(X_{1} - X_{2} \leq z\right)" in display


def test_step_explanations_read_as_text_in_mathjax():
    display = report.derivation_latex(symbolic.gumbel_difference_cdf())
    assert r"\text{(substitute y = α₂ − log t)}" in display
    assert "\\_" not in display
    bad = symbolic.Derivation("bad", (("costs $5", sp.S.One),), sp.S.One)
    with pytest.raises(ValueError, match="explanation"):
        report.derivation_latex(bad)


def test_fast_form_steps_name_the_form_they_show():
    """A step that names the note shows the note's Eq. (1) with its sign corrected, and
    differs from the note's Eq. (1) as written, sigma(-(ell + log(u/(1-u)))/tau)."""
    steps = dict(symbolic.fast_form_identity().steps)
    point = {tau: 1, ell: sp.log(3), u: sp.Rational(1, 2)}
    as_written = sigmoid(-(ell + logit(u)) / tau).subs(point)
    corrected = sigmoid((ell + logit(u)) / tau).subs(point)
    named = [label for label in steps if "note" in label]
    assert named, "the derivation names the note's equation"
    for label in named:
        shown = steps[label].subs(point).rewrite(sp.exp)
        assert "corrected" in label
        assert sp.simplify(shown - corrected) == 0
        assert sp.simplify(shown - as_written) != 0


@pytest.mark.parametrize(
    ("n", "error", "match"),
    [
        (2.5, TypeError, "n must be an integer"),
        ("3", TypeError, "n must be an integer"),
        (True, TypeError, "n must be an integer"),
        ([3], TypeError, "n must be an integer"),
        (1, ValueError, "n must be >= 2"),
    ],
)
def test_gumbel_max_probability_takes_a_count_of_at_least_two(n, error, match):
    """A fractional n would name symbols alpha_1.5, alpha_2.5; a NumPy integer is a count."""
    with pytest.raises(error, match=match):
        symbolic.gumbel_max_probability(n)
    assert symbolic.gumbel_max_probability(np.int64(3)) is symbolic.gumbel_max_probability(3)


@pytest.mark.parametrize("expr", [None, [1, 2], object()])
@pytest.mark.parametrize("render", [printing.plain, printing.latex])
def test_printing_names_what_is_not_a_sympy_object(render, expr):
    """None and a list met an AttributeError ('replace') deep inside SymPy, an ``object()``
    sympify's SympifyError, which did not name expr."""
    with pytest.raises(TypeError, match="^expr must be a SymPy object or a number; got "):
        render(expr)


@pytest.mark.parametrize(
    ("q", "limit"),
    [(0, -sp.oo), (0.0, -sp.oo), (sp.S.Zero, -sp.oo), (1, sp.oo), (1.0, sp.oo), (sp.S.One, sp.oo)],
)
def test_logit_at_the_ends_is_the_one_sided_limit(q, limit):
    """At 0 the formula gave SymPy's unsigned ``zoo``, at 1 ``zoo`` or a ZeroDivisionError;
    the log-odds of a probability tends to -oo at 0 and +oo at 1."""
    assert logit(q) == limit
    assert logit(sp.Rational(1, 3)) == -sp.log(2)  # inside, the formula as before
    assert sp.limit(logit(u), u, 1 if limit > 0 else 0, "-" if limit > 0 else "+") == limit


@pytest.mark.parametrize(
    ("q", "error", "match"),
    [
        (None, TypeError, "^q must be a SymPy expression or a real number; got NoneType"),
        ("p", TypeError, "^q must be a SymPy expression or a real number; got str"),
        (True, TypeError, "^q must be a SymPy expression or a real number; got bool"),
        (float("nan"), ValueError, r"^q must be a probability in \[0, 1\]; got nan"),
        (sp.nan, ValueError, r"^q must be a probability in \[0, 1\]; got nan"),
        (2, ValueError, r"^q must be a probability in \[0, 1\]; got 2"),
        (-0.5, ValueError, r"^q must be a probability in \[0, 1\]; got -0.5"),
    ],
)
def test_logit_names_what_is_not_a_probability(q, error, match):
    """None met a raw TypeError on ``1 - None``; a NaN gave ``nan``, 2 the complex log(-2)."""
    with pytest.raises(error, match=match):
        logit(q)
