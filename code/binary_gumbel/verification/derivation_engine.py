"""The verdict engine: decide, by computation, whether a statement holds.

Three verdicts, always returned with evidence:

* ``holds``: an identity (SymPy reduces ``lhs - rhs`` to 0), or a true
  distributional statement (a CDF or a probability equals the claimed one);
* ``holds in distribution``: two random expressions differ as functions of
  their noise but have the same law (their CDFs agree identically);
* ``fails``: a counterexample at exact rational parameter values.

Random symbols carry a law (:data:`LAWS`). Binary relaxations are reduced to
the canonical form ``x = sigma((a + b Z) / tau)`` with ``Z ~ Logistic(0, 1)``
(Maddison, Mnih & Teh 2016, arXiv:1611.00712); from it follow the CDF
``sigma((tau logit(x) - a) / |b|)`` and ``P(lim_{tau -> 0} x = 1) = P(a + b Z > 0) = sigma(a/|b|)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy as sp

from binary_gumbel.verification.symbolic import (
    Sigmoid,
    g1,
    g2,
    gumbel_difference_cdf,
    latex,
    logistic_cdf,
    p,
    plain,
    sigmoid,
    tau,
    u,
    x,
    z,
)

__all__ = [
    "FAILS",
    "HOLDS",
    "HOLDS_IN_DISTRIBUTION",
    "LAWS",
    "Z",
    "BinaryForm",
    "Check",
    "Phrase",
    "UnsupportedStatement",
    "binary_form",
    "cdf_of",
    "check_cdf",
    "check_identity",
    "check_limit_probability",
    "check_line",
    "check_same_law",
    "combine",
    "gumbel",
    "limit_probability",
    "formula",
    "sample_points",
    "say",
]

HOLDS = "holds"
HOLDS_IN_DISTRIBUTION = "holds in distribution"
FAILS = "fails"
_RANK = {FAILS: 0, HOLDS_IN_DISTRIBUTION: 1, HOLDS: 2}


class UnsupportedStatement(ValueError):
    """The engine cannot decide this statement (not of a form it can reduce)."""


@dataclass(frozen=True)
class Law:
    """The law of a random symbol: ``"uniform"`` on (0, 1), or ``"gumbel"`` with a location."""

    kind: str
    loc: sp.Expr = sp.S.Zero


#: Random symbols and their laws. ``g1``, ``g2`` are i.i.d. standard Gumbels.
LAWS: dict[sp.Symbol, Law] = {u: Law("uniform"), g1: Law("gumbel"), g2: Law("gumbel")}


def gumbel(name: str, loc) -> sp.Symbol:
    """A new random symbol with law ``Gumbel(loc)`` (scale 1), registered in :data:`LAWS`."""
    symbol = sp.Symbol(name, real=True)
    LAWS[symbol] = Law("gumbel", sp.sympify(loc))
    return symbol


@dataclass(frozen=True)
class Check:
    """One computed check: its verdict (None for a Monte Carlo confirmation) and evidence.

    ``summary`` is one or two sentences of plain text with Unicode math; ``summary_latex``
    says the same with the math as inline LaTeX (``$...$``), for Markdown pages.
    """

    name: str
    verdict: str | None
    method: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    summary_latex: str = ""

    @classmethod
    def from_phrase(cls, name, verdict, method, text: Phrase, data=None) -> Check:
        """A check whose summary is ``text`` in both renderings."""
        return cls(name, verdict, method, text.plain, data or {}, text.latex)

    @property
    def phrase(self) -> Phrase:
        """The summary in both renderings."""
        return Phrase(self.summary, self.summary_latex or self.summary)


# --- evidence text ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """Evidence text, rendered twice from the same expressions.

    ``plain`` is Unicode text (``σ((log((1 − p)/p) − Z)/τ)``); ``latex`` is prose with
    inline ``$...$`` math, free of ``|`` and line breaks, so that it fits a Markdown table.
    """

    plain: str
    latex: str


def say(*parts) -> Phrase:
    """Join prose (``str``), SymPy expressions (set as math) and :class:`Phrase` parts."""
    pieces = []
    for part in parts:
        if isinstance(part, Phrase):
            pieces.append(part)
        elif isinstance(part, str):
            pieces.append(Phrase(part, part))
        else:
            pieces.append(formula(part))
    return Phrase("".join(q.plain for q in pieces), "".join(q.latex for q in pieces))


def formula(*items, sep: str = " = ") -> Phrase:
    """One math span: SymPy expressions, or ``(plain, latex)`` notation, joined by ``sep``."""
    plains, latexes = [], []
    for item in items:
        text, tex = item if isinstance(item, tuple) else (plain(item), latex(item))
        plains.append(text)
        latexes.append(tex)
    return Phrase(sep.join(plains), "$" + sep.join(latexes) + "$")


def _point(point) -> Phrase:
    """``p = 1/4, τ = 1`` as one math span."""
    ordered = sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0]))
    return formula(*((f"{plain(k)} = {plain(v)}", f"{latex(k)} = {latex(v)}") for k, v in ordered),
                sep=", ")  # fmt: skip


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def combine(checks) -> str:
    """The weakest verdict among ``checks`` (Monte Carlo confirmations carry none)."""
    verdicts = [c.verdict for c in checks if c.verdict is not None]
    if not verdicts:
        raise ValueError("checks must contain at least one verdict")
    return min(verdicts, key=_RANK.__getitem__)


# --- exact evaluation -------------------------------------------------------------------------

# Rational points by domain. Real-valued symbols take logarithms of rationals, so that
# every exponential in the note evaluates to an exact rational (or algebraic) number.
_POINTS = {
    "probability": [sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(3, 5), sp.Rational(5, 6)],
    "uniform": [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(4, 5), sp.Rational(1, 7)],
    "temperature": [sp.S.One, sp.Rational(1, 2), sp.Rational(1, 3), sp.S.One],
    "positive": [sp.S.One, sp.Integer(3), sp.Rational(1, 2), sp.Integer(2)],
    "real": [sp.S.Zero, sp.log(3), -sp.log(2), sp.log(sp.Rational(5, 2))],
}
_UNIT_INTERVAL = {p, u, x}


def _domain(symbol: sp.Symbol) -> str:
    if symbol == tau:
        return "temperature"
    if symbol in _UNIT_INTERVAL:
        return "uniform" if symbol in LAWS else "probability"
    if symbol.is_positive:
        return "positive"
    if symbol.is_real:
        return "real"
    raise UnsupportedStatement(f"no domain known for symbol {symbol}")


def sample_points(symbols, count: int = 4) -> list[dict[sp.Symbol, sp.Expr]]:
    """``count`` exact points: the i-th point gives each symbol the i-th value of its domain.

    Symbols of one domain are staggered, so that two of them never coincide.
    """
    ordered = sorted(symbols, key=sp.default_sort_key)
    seen: dict[str, int] = {}
    offsets = {}
    for s in ordered:
        kind = _domain(s)
        offsets[s] = seen.get(kind, 0)
        seen[kind] = offsets[s] + 1
    return [{s: _POINTS[_domain(s)][(i + offsets[s]) % 4] for s in ordered} for i in range(count)]


def _exact(value: sp.Expr) -> sp.Expr:
    return sp.nsimplify(sp.simplify(value)) if value.is_number else value


def _is_zero(value: sp.Expr) -> bool:
    value = sp.simplify(value)
    if value.is_zero is not None:
        return bool(value.is_zero)
    decided = value.equals(0)
    if decided is not None:
        return bool(decided)
    return abs(complex(value.evalf(60))) < 1e-40


def _fmt(mapping) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}


def _canonical_log(expr: sp.Expr) -> sp.Expr:
    """Expand every logarithm (valid: all log arguments are positive on the domain)."""
    expr = expr.replace(sp.log, lambda arg: sp.log(sp.together(arg)))
    return sp.expand(sp.expand_log(expr, force=True))


def _logit(expr: sp.Expr) -> sp.Expr:
    """``log(expr / (1 - expr))`` in expanded-log form; injective, so equal logits mean equality."""
    return _canonical_log(sp.log(sp.powsimp(sp.together(expr / (1 - expr)))))


@dataclass(frozen=True)
class _Comparison:
    """How two expressions compare: the method, and the counterexample when they differ."""

    method: str  # "counterexample", "simplify", "logit" or "exact points"
    points: tuple
    point: dict | None = None
    left: sp.Expr | None = None
    right: sp.Expr | None = None

    @property
    def equal(self) -> bool:
        return self.method != "counterexample"

    def data(self, sides) -> dict[str, Any]:
        """The JSON evidence: the counterexample, or the points of an unproven equality."""
        if not self.equal:
            return {"point": _fmt(self.point), sides[0]: str(self.left), sides[1]: str(self.right)}
        if self.method == "exact points":
            return {"points": [_fmt(pt) for pt in self.points]}
        return {}

    def caveat(self) -> str:
        """Nothing for a symbolic proof; the weaker evidence otherwise."""
        if self.method != "exact points":
            return ""
        return f" (no symbolic proof: equal exactly at {len(self.points)} rational points)"


def _compare(lhs, rhs) -> _Comparison:
    """Exact comparison: rational points first (a counterexample), then a symbolic proof."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    points = tuple(sample_points((lhs - rhs).free_symbols))
    for point in points:
        left, right = _exact(lhs.subs(point)), _exact(rhs.subs(point))
        if not (left.is_finite and right.is_finite):
            continue
        if not _is_zero(left - right):
            return _Comparison("counterexample", points, point, left, right)
    if sp.simplify(lhs - rhs) == 0:
        return _Comparison("simplify", points)
    try:
        if sp.simplify(_logit(lhs) - _logit(rhs)) == 0:
            return _Comparison("logit", points)
    except (TypeError, ValueError):
        pass
    return _Comparison("exact points", points)


def check_identity(lhs, rhs, name: str = "identity", sides=("lhs", "rhs"), labels=None) -> Check:
    """``lhs == rhs`` for all parameter values: ``holds`` or ``fails`` with a counterexample.

    First evaluates both sides exactly at rational points: a nonzero difference is a
    counterexample. Otherwise it looks for a proof: ``simplify(lhs - rhs) == 0``, then
    equality of the two logits. Zero at every point without a symbolic proof is reported
    as ``holds`` with method ``"exact points"``, so that the weaker evidence is visible.
    ``sides`` name the two values in the data; ``labels`` (default ``sides``) in the text.
    """
    first, second = labels or sides
    comparison = _compare(lhs, rhs)
    if comparison.equal:
        how = {
            "simplify": "SymPy simplifies their difference to 0",
            "logit": "SymPy reduces their logits to the same expression",
            "exact points": f"equal exactly at {len(comparison.points)} rational points, "
            "though SymPy finds no symbolic proof",
        }[comparison.method]
        text = say(_capitalised(f"{first} equals {second} identically: {how}."))
        return Check.from_phrase(name, HOLDS, comparison.method, text, comparison.data(sides))
    text = say("Counterexample at ", _point(comparison.point), f": {first} is ", comparison.left,
               f" but {second} is ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, "counterexample", text, comparison.data(sides))


# --- laws of random expressions ---------------------------------------------------------------


def _noise(expr) -> set[sp.Symbol]:
    return {s for s in expr.free_symbols if s in LAWS}


@cache
def _sign_on_domain(expr) -> int:
    """The sign of ``expr`` on the whole domain, writing (0, 1)-valued symbols as sigmoids."""
    real = {s: sigmoid(sp.Dummy(real=True)) for s in expr.free_symbols if s in _UNIT_INTERVAL}
    value = sp.simplify(expr.subs(real))
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    raise UnsupportedStatement(f"cannot determine the sign of {expr}")


@cache
def cdf_of(expr, at=z) -> sp.Expr:
    """The CDF ``P(expr <= at)`` computed from the laws of its random symbols.

    Supported: a strictly monotone function of the uniform ``u`` (by inversion), and the
    difference ``X1 - X2`` of two independent Gumbels (by the convolution integral of
    :func:`binary_gumbel.verification.symbolic.gumbel_difference_cdf`).
    """
    expr = sp.sympify(expr)
    noise = _noise(expr)
    if noise == {u}:
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
    derived = cdf_of(expr, at)
    comparison = _compare(derived, claimed_cdf)
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
    text = say(text, ", not the claimed ", claimed_cdf, ": at ", _point(comparison.point),
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
    noise = _noise(expr)
    if noise == {u}:
        noise_expr = sp.log(u / (1 - u))
        _standard_logistic(noise_expr)
        return expr.subs(u, sigmoid(z)), noise_expr
    if noise <= {g1, g2} and noise:
        shift = sp.Symbol("c", real=True)
        moved = expr.subs({g1: g1 + shift, g2: g2 + shift}, simultaneous=True)
        if not _compare(moved, expr).equal:
            raise UnsupportedStatement(f"{expr} depends on more than g2 - g1")
        _standard_logistic(g2 - g1)
        return expr.subs({g1: 0, g2: z}, simultaneous=True), g2 - g1
    raise UnsupportedStatement(f"no reduction to one Logistic for noise {sorted(map(str, noise))}")


@cache
def binary_form(expr) -> BinaryForm:
    """Reduce a binary relaxation to ``sigma((a + b Z)/tau)``, ``Z ~ Logistic(0, 1)``.

    The noise is reduced to ``Z`` as in :func:`_reduce`; ``a + b Z`` is ``tau`` times the
    logit of the result, and the reduction is verified by an identity check.
    """
    reduced, how = _reduce(sp.sympify(expr))
    argument = _canonical_log(tau * _logit(reduced))
    b = sp.simplify(sp.diff(argument, z))
    a = sp.simplify(argument.subs(z, 0))
    if sp.diff(b, z) != 0 or tau in a.free_symbols | b.free_symbols or b == 0:
        raise UnsupportedStatement(f"{expr} is not sigma((a + b Z)/tau)")
    if not _compare(reduced, sigmoid((a + b * z) / tau)).equal:
        raise UnsupportedStatement(f"reduction of {expr} failed")
    return BinaryForm(a, b, how)


def check_same_law(lhs, rhs, name: str = "same law", labels=("lhs", "rhs")) -> Check:
    """Whether two binary relaxations have the same law: ``holds in distribution`` or ``fails``."""
    left, right = binary_form(lhs), binary_form(rhs)
    comparison = _compare(left.cdf, right.cdf)
    data = {
        "lhs_cdf": sp.latex(left.cdf),
        "rhs_cdf": sp.latex(right.cdf),
        **comparison.data(("CDF of lhs", "CDF of rhs")),
    }
    same_noise = "Z is" if left.noise == right.noise else "both Z are"
    text = say(_capitalised(labels[0]), " is ", left.phrase(None), " and ", labels[1], " is ",
               right.phrase(None), f"; {same_noise} standard Logistic")  # fmt: skip
    if comparison.equal:
        text = say(text, ", so the two have the same law", comparison.caveat(), ".")
        return Check.from_phrase(
            name, HOLDS_IN_DISTRIBUTION, f"CDF ({comparison.method})", text, data
        )
    text = say(text, ", and their CDFs differ: at ", _point(comparison.point), " they are ",
               comparison.left, " and ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, f"CDF ({comparison.method})", text, data)


def check_line(lhs, rhs, name: str, labels=("this line", "the previous line")) -> list[Check]:
    """A derivation line ``lhs`` checked against the line before, ``rhs``.

    Verdict: an identity, else equality in law, else a failure. ``labels`` name the two
    lines in the evidence text.

    Lines whose two sides use different noise are not identities by construction (they
    are different random variables); they go straight to the comparison of laws.
    """
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    sides = ("this line", "previous line")
    law = None
    if _noise(lhs) == _noise(rhs):
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
            formula(*sorted(_noise(e), key=sp.default_sort_key), sep=", ") for e in (lhs, rhs)
        ]
        text = say(_capitalised(labels[0]), " uses the noise ", noises[0], " and ", labels[1],
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
    form = binary_form(expr)
    claimed = sp.sympify(claimed)
    comparison = _compare(form.limit_probability, claimed)
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
    text = say(text, ", not ", claimed, ". Counterexample: ", _point(comparison.point), " gives ",
               comparison.left, ", not ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, method, text, data)


def first_point(*exprs) -> dict[sp.Symbol, sp.Expr]:
    """The first exact evaluation point over the parameters (not the noise) of ``exprs``."""
    params = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(LAWS) - {tau, x, z}
    return sample_points(params, 1)[0]
