"""Laws of random expressions: CDFs by inversion or convolution, binary relaxations reduced to
their canonical form, equality in distribution, and the limit probability as ``tau -> 0``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from binary_gumbel.verification.engine.exact import (
    UNIT_INTERVAL,
    as_expression,
    canonical_log,
    check_identity,
    compare_exactly,
    logit_of,
)
from binary_gumbel.verification.engine.random_symbols import LAWS
from binary_gumbel.verification.engine.verdicts import (
    FAILS,
    HOLDS,
    HOLDS_IN_DISTRIBUTION,
    Check,
    Phrase,
    UnsupportedStatement,
    capitalised,
    formula,
    point_phrase,
    say,
)
from binary_gumbel.verification.printing import latex, plain
from binary_gumbel.verification.symbolic import (
    Sigmoid,
    g1,
    g2,
    gumbel_difference_cdf,
    logistic_cdf,
    sigmoid,
    tau,
    u,
    x,
    z,
)

__all__ = [
    "BinaryForm",
    "Z",
    "binary_form",
    "cdf_of",
    "check_cdf",
    "check_limit_probability",
    "check_line",
    "check_same_law",
    "limit_probability",
    "noise_of",
]


def noise_of(expr) -> set[sp.Symbol]:
    """The random symbols of ``expr`` (those with a law in :data:`LAWS`)."""
    return {s for s in as_expression(expr, "expr").free_symbols if s in LAWS}


@cache
def _sign_on_domain(expr) -> int:
    """The sign of ``expr`` on the whole domain, writing (0, 1)-valued symbols as sigmoids."""
    real = {s: sigmoid(sp.Dummy(real=True)) for s in expr.free_symbols if s in UNIT_INTERVAL}
    value = sp.simplify(expr.subs(real))
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    raise UnsupportedStatement(f"cannot determine the sign of {expr}")


def cdf_of(expr, at=z) -> sp.Expr:
    """The CDF ``P(expr <= at)`` computed from the laws of its random symbols.

    Supported: a strictly monotone function of the uniform ``u`` (by inversion), and the
    difference ``X1 - X2`` of two independent Gumbels (by the convolution integral of
    :func:`binary_gumbel.verification.symbolic.gumbel_difference_cdf`). ``at`` is a real
    number or an expression. At a number at or beyond an end of the range of a function of
    ``u`` the CDF is 0 or 1 where SymPy decides the comparison with that end (always where
    the ends are numbers); where an end holds a parameter and the symbols' assumptions do
    not decide it, the CDF is the inversion's formula, true only inside the range:
    ``cdf_of(p*u, 2)`` is ``2/p`` and ``cdf_of(u + p, 3)`` is ``3 - p`` (``p`` is known
    to be positive, not to be below 1), while ``cdf_of(p*u, -1)`` is 0.
    """
    at = as_expression(at, "at")
    if at.is_number and at.is_extended_real is not True:
        raise ValueError(f"at must be a real number or an expression; got {at}")
    return _cdf_of(as_expression(expr, "expr"), at)


def _beyond_range(expr: sp.Expr, at: sp.Expr) -> sp.Expr | None:
    """``P(expr <= at)`` for a monotone ``expr`` of ``u`` and a number ``at`` at or beyond the
    ends of its range (0 below, 1 above), where inversion fails: ``u = at`` has no solution
    in (0, 1), or one outside it (``P(u <= 2)`` came out as 2); None inside the range."""
    ends = [sp.limit(expr, u, 0, "+"), sp.limit(expr, u, 1, "-")]
    low, high = ends if _sign_on_domain(sp.diff(expr, u)) > 0 else ends[::-1]
    if (at <= low) is sp.true:
        return sp.S.Zero
    if (at >= high) is sp.true:
        return sp.S.One
    return None


@cache
def _cdf_of(expr: sp.Expr, at: sp.Expr) -> sp.Expr:
    """:func:`cdf_of` of checked expressions, computed once for each."""
    noise = noise_of(expr)
    if noise == {u}:
        bound = _beyond_range(expr, at) if at.is_number else None
        if bound is not None:
            return bound
        solutions = sp.solve(sp.Eq(expr, at), u)
        if len(solutions) != 1:
            raise UnsupportedStatement(f"{expr} = {at} has {len(solutions)} solutions in u")
        increasing = _sign_on_domain(sp.diff(expr, u)) > 0
        return solutions[0] if increasing else 1 - solutions[0]
    terms = expr.as_coefficients_dict()
    if len(noise) == 2 and set(terms) == noise and sorted(terms.values()) == [-1, 1]:
        first, second = sorted(noise, key=lambda s: -terms[s])
        if LAWS[first].kind == LAWS[second].kind == "gumbel":
            return gumbel_difference_cdf(LAWS[first].loc, LAWS[second].loc, at).result
    raise UnsupportedStatement(f"no rule for the law of {expr}")


def check_cdf(expr, claimed_cdf, at=z, name: str = "law") -> Check:
    """The distributional claim ``expr ~ law with CDF claimed_cdf``: ``holds`` or ``fails``."""
    claimed_cdf = as_expression(claimed_cdf, "claimed_cdf")
    derived = cdf_of(expr, at)
    comparison = compare_exactly(derived, claimed_cdf)
    data = {
        "derived_cdf": sp.latex(derived),
        "claimed_cdf": sp.latex(claimed_cdf),
        **comparison.data(("derived CDF", "claimed CDF")),
    }
    event = (f"P({plain(expr)} ≤ {plain(at)})", rf"P({latex(expr)} \le {latex(at)})")
    text = say("The law of the noise gives ", formula(event, derived))
    if comparison.equal:
        text = say(text, ", the claimed CDF", comparison.caveat(), ".")
        return Check.from_phrase(name, HOLDS, f"CDF ({comparison.method})", text, data)
    text = say(text, ", not the claimed ", claimed_cdf, ": at ", point_phrase(comparison.point),
               " they are ", comparison.left, " and ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, f"CDF ({comparison.method})", text, data)


#: The standard Logistic variable of a binary form, as displayed.
Z = sp.Symbol("Z", real=True)
# Stands for ``a`` while ``σ((a + b Z)/τ)`` is printed, so that ``a + b Z`` keeps its order.
_PLACEHOLDER = sp.Symbol("PLACEHOLDER", real=True)


@dataclass(frozen=True)
class BinaryForm:
    """``x = sigma((a + b Z) / tau)`` with ``Z ~ Logistic(0, 1)``; ``noise`` is Z's definition."""

    a: sp.Expr
    b: sp.Expr
    noise: sp.Expr

    def phrase(self, lhs: str | None = "x") -> Phrase:
        """``x = σ((a + b Z)/τ) with Z = noise``, logarithms in ``a`` combined for display."""
        shown = Sigmoid((_PLACEHOLDER + self.b * Z) / tau)
        a = sp.logcombine(self.a, force=True)
        form = (plain(shown).replace(plain(_PLACEHOLDER), plain(a)),
                latex(shown).replace(latex(_PLACEHOLDER), latex(a)))  # fmt: skip
        noise = formula((f"Z = {plain(self.noise, order='rev-lex')}",
                      f"Z = {latex(self.noise, order='rev-lex')}"))  # fmt: skip
        if lhs is None:
            return say(formula(form), " with ", noise)
        return say(formula((lhs, lhs), form), " with ", noise)

    def __str__(self) -> str:
        return self.phrase().plain

    @property
    def cdf(self) -> sp.Expr:
        """``P(x_tau <= x) = sigma((tau logit(x) - a) / |b|)`` (Z is symmetric)."""
        return logistic_cdf(tau * sp.log(x / (1 - x)), self.a, sp.Abs(self.b))

    @property
    def limit_probability(self) -> sp.Expr:
        """``P(lim_{tau -> 0} x = 1) = P(a + b Z > 0) = sigma(a / |b|)``."""
        return sp.simplify(sigmoid(self.a / sp.Abs(self.b)))


@cache
def _standard_logistic(noise_expr) -> None:
    if sp.simplify(cdf_of(noise_expr) - logistic_cdf(z)) != 0:
        raise UnsupportedStatement(f"{noise_expr} is not a standard Logistic")


def _reduce(expr) -> tuple[sp.Expr, sp.Expr]:
    """Write ``expr`` as a function of one standard Logistic ``Z`` (the symbol ``z``).

    Noise ``u``: ``Z = log(u / (1 - u))`` (substitute ``u = sigma(Z)``). Noise ``g1, g2``:
    the expression must be invariant under ``g_i -> g_i + c`` (checked), so it is a function
    of ``Z = g2 - g1``. Either ``Z`` is shown to be standard Logistic by :func:`cdf_of`.
    """
    noise = noise_of(expr)
    if noise == {u}:
        noise_expr = sp.log(u / (1 - u))
        _standard_logistic(noise_expr)
        return expr.subs(u, sigmoid(z)), noise_expr
    if noise <= {g1, g2} and noise:
        shift = sp.Symbol("c", real=True)
        moved = expr.subs({g1: g1 + shift, g2: g2 + shift}, simultaneous=True)
        if not compare_exactly(moved, expr).equal:
            raise UnsupportedStatement(f"{expr} depends on more than g2 - g1")
        _standard_logistic(g2 - g1)
        return expr.subs({g1: 0, g2: z}, simultaneous=True), g2 - g1
    raise UnsupportedStatement(f"no reduction to one Logistic for noise {sorted(map(str, noise))}")


def binary_form(expr) -> BinaryForm:
    """Reduce a binary relaxation to ``sigma((a + b Z)/tau)``, ``Z ~ Logistic(0, 1)``.

    The noise is reduced to ``Z`` as in :func:`_reduce`; ``a + b Z`` is ``tau`` times the
    logit of the result, and the reduction is verified by an identity check.
    """
    return _binary_form(as_expression(expr, "expr"))


@cache
def _binary_form(expr: sp.Expr) -> BinaryForm:
    """:func:`binary_form` of a checked expression, reduced once for each."""
    reduced, how = _reduce(expr)
    argument = canonical_log(tau * logit_of(reduced))
    b = sp.simplify(sp.diff(argument, z))
    a = sp.simplify(argument.subs(z, 0))
    if sp.diff(b, z) != 0 or tau in a.free_symbols | b.free_symbols or b == 0:
        raise UnsupportedStatement(f"{expr} is not sigma((a + b Z)/tau)")
    if not compare_exactly(reduced, sigmoid((a + b * z) / tau)).equal:
        raise UnsupportedStatement(f"reduction of {expr} failed")
    return BinaryForm(a, b, how)


def check_same_law(lhs, rhs, name: str = "same law", labels=("lhs", "rhs")) -> Check:
    """Whether two binary relaxations have the same law: ``holds in distribution`` or ``fails``."""
    left, right = binary_form(as_expression(lhs, "lhs")), binary_form(as_expression(rhs, "rhs"))
    comparison = compare_exactly(left.cdf, right.cdf)
    data = {
        "lhs_cdf": sp.latex(left.cdf),
        "rhs_cdf": sp.latex(right.cdf),
        **comparison.data(("CDF of lhs", "CDF of rhs")),
    }
    same_noise = "Z is" if left.noise == right.noise else "both Z are"
    text = say(capitalised(labels[0]), " is ", left.phrase(None), " and ", labels[1], " is ",
               right.phrase(None), f"; {same_noise} standard Logistic")  # fmt: skip
    if comparison.equal:
        text = say(text, ", so the two have the same law", comparison.caveat(), ".")
        return Check.from_phrase(
            name, HOLDS_IN_DISTRIBUTION, f"CDF ({comparison.method})", text, data
        )
    text = say(text, ", and their CDFs differ: at ", point_phrase(comparison.point), " they are ",
               comparison.left, " and ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, f"CDF ({comparison.method})", text, data)


def check_line(lhs, rhs, name: str, labels=("this line", "the previous line")) -> list[Check]:
    """A derivation line ``lhs`` checked against the line before, ``rhs``.

    Verdict: an identity, else equality in law, else a failure. ``labels`` name the two
    lines in the evidence text.

    Lines whose two sides use different noise are not identities by construction (they
    are different random variables); they go straight to the comparison of laws.
    """
    lhs, rhs = as_expression(lhs, "lhs"), as_expression(rhs, "rhs")
    sides = ("this line", "previous line")
    law = None
    if noise_of(lhs) == noise_of(rhs):
        identity = check_identity(lhs, rhs, f"{name}: identity", sides, labels)
        if identity.verdict == HOLDS:
            return [identity]
        law = check_same_law(lhs, rhs, f"{name}: law", labels)
        if law.verdict == FAILS:
            return [identity, law]
        # Not an identity but equal in law: the counterexample is evidence, not a verdict.
        text = say("Not an identity. ", identity.phrase)
        identity = Check.from_phrase(identity.name, None, identity.method, text, identity.data)
    else:
        noises = [
            formula(*sorted(noise_of(e), key=sp.default_sort_key), sep=", ") for e in (lhs, rhs)
        ]
        text = say(capitalised(labels[0]), " uses the noise ", noises[0], " and ", labels[1],
                   " uses ", noises[1], ": they are different random variables, which can "
                   "only agree in law.")  # fmt: skip
        identity = Check.from_phrase(f"{name}: identity", None, "noise", text)
    return [identity, law or check_same_law(lhs, rhs, f"{name}: law", labels)]


def limit_probability(expr) -> sp.Expr:
    """Exact ``P(lim_{tau -> 0} x = 1)`` of a binary relaxation ``x``."""
    return binary_form(expr).limit_probability


_LIMIT_EVENT = ("P(lim x = 1)", r"P(\lim_{\tau \to 0} x = 1)")


def _limit_event(form: BinaryForm) -> tuple[str, str]:
    """The event ``a + b Z > 0`` solved for ``Z`` when the sign of ``b`` is known."""
    if form.b.is_negative or form.b.is_positive:
        bound = -form.a * form.b if abs(form.b) == 1 else sp.simplify(-form.a / form.b)
        bound = sp.logcombine(bound, force=True)
        relation = ("<", "<") if form.b.is_negative else (">", ">")
        return (f"P(Z {relation[0]} {plain(bound)})", f"P(Z {relation[1]} {latex(bound)})")
    event = sp.Add(form.a, form.b * Z, evaluate=False)
    return (f"P({plain(event, order='none')} > 0)", f"P({latex(event, order='none')} > 0)")


def check_limit_probability(expr, claimed, name: str = "limit probability") -> Check:
    """The claim ``P(lim_{tau -> 0} x = 1) = claimed``: ``holds`` or ``fails``."""
    claimed = as_expression(claimed, "claimed")
    form = binary_form(expr)
    comparison = compare_exactly(form.limit_probability, claimed)
    data = {
        "computed": sp.latex(form.limit_probability),
        "claimed": sp.latex(claimed),
        **comparison.data(("computed", "claimed")),
    }
    method = f"limit probability ({comparison.method})"
    text = say(form.phrase(), " standard Logistic, so ",
               formula(_LIMIT_EVENT, _limit_event(form), form.limit_probability))  # fmt: skip
    if comparison.equal:
        text = say(text, ", as claimed", comparison.caveat(), ".")
        return Check.from_phrase(name, HOLDS, method, text, data)
    text = say(text, ", not ", claimed, ". Counterexample: ", point_phrase(comparison.point),
               " gives ", comparison.left, ", not ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, method, text, data)
