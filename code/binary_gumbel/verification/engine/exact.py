"""Exact comparison: rational points first (a counterexample), then a symbolic proof."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from binary_gumbel._validation import check_count
from binary_gumbel.verification.engine.random_symbols import LAWS
from binary_gumbel.verification.engine.verdicts import (
    FAILS,
    HOLDS,
    Check,
    UnsupportedStatement,
    capitalised,
    point_phrase,
    say,
)
from binary_gumbel.verification.symbolic import p, tau, u, x, z

__all__ = [
    "ExactComparison",
    "UNIT_INTERVAL",
    "as_expression",
    "canonical_log",
    "check_identity",
    "compare_exactly",
    "exact_value",
    "first_point",
    "is_zero",
    "logit_of",
    "sample_points",
]


# Rational points by domain. Real-valued symbols take logarithms of rationals, so that
# every exponential in the note evaluates to an exact rational (or algebraic) number.
_POINTS = {
    "probability": [sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(3, 5), sp.Rational(5, 6)],
    "uniform": [sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(4, 5), sp.Rational(1, 7)],
    "temperature": [sp.S.One, sp.Rational(1, 2), sp.Rational(1, 3), sp.Integer(2)],
    "positive": [sp.S.One, sp.Integer(3), sp.Rational(1, 2), sp.Integer(2)],
    "real": [sp.S.Zero, sp.log(3), -sp.log(2), sp.log(sp.Rational(5, 2))],
}
UNIT_INTERVAL = {p, u, x}


def as_expression(value, name: str) -> sp.Expr:
    """``value`` as a SymPy expression: an expression or a number (NumPy's too).

    ``TypeError`` naming ``name`` for anything else: None, a list, a boolean, and a string,
    whose symbols would lack the assumptions of the note's (``"p"`` is not ``symbolic.p``).
    """
    try:
        expr = sp.sympify(value, strict=True)
    except sp.SympifyError:
        expr = None
    if not isinstance(expr, sp.Expr):
        raise TypeError(f"{name} must be a SymPy expression or a number; got {value!r}")
    return expr


def _domain(symbol: sp.Symbol) -> str:
    if not isinstance(symbol, sp.Symbol):
        raise TypeError(f"symbols must be SymPy symbols; got {symbol!r}")
    if symbol == tau:
        return "temperature"
    if symbol in UNIT_INTERVAL:
        return "uniform" if symbol in LAWS else "probability"
    if symbol.is_positive:
        return "positive"
    if symbol.is_real:
        return "real"
    raise UnsupportedStatement(f"no domain known for symbol {symbol}")


def sample_points(symbols, count: int = 4) -> list[dict[sp.Symbol, sp.Expr]]:
    """Up to ``count`` distinct exact points; the i-th gives each symbol its domain's i-th value.

    Symbols of one domain are staggered, so that two of them never coincide (up to four
    symbols of a domain; a fifth takes the first one's values again). Each domain
    has four distinct values, so with at least one symbol there are ``min(count, 4)``
    points; without symbols there is one, the empty point. The time taken does not grow
    with ``count``. ``count`` must be a positive integer.
    """
    count = check_count(count, "count")
    ordered = sorted(symbols, key=sp.default_sort_key)
    seen: dict[str, int] = {}
    offsets = {}
    for s in ordered:
        kind = _domain(s)
        offsets[s] = seen.get(kind, 0)
        seen[kind] = offsets[s] + 1
    if not ordered:
        return [{}]
    # The i-th point gives each symbol the (i + offset)-th of its domain's four values, so
    # the first four points are distinct and every later one repeats one of them.
    return [
        {s: _POINTS[_domain(s)][(i + offsets[s]) % 4] for s in ordered}
        for i in range(min(count, 4))
    ]


#: How far, relative to itself, a number holding floats may lie from ``nsimplify``'s closed
#: form and still stand for it: a few units in the last place of a double (2**-52).
FLOAT_AGREEMENT = 2.0**-50


def exact_value(value: sp.Expr) -> sp.Expr:
    """A number simplified to an exact (rational or algebraic) value; an expression as is.

    ``nsimplify``'s closed form is kept only where it is that number: ``nsimplify``
    identifies numbers to about 15 digits absolute, so it turned ``exp(-200)/4`` and
    ``1e-100`` into 0, and a point where two sides differ by so little passed as a point
    where they agree. A number without floats must equal its closed form (:func:`is_zero`
    of the difference). A number holding a float stands for its closed form where the two
    agree to within :data:`FLOAT_AGREEMENT` of the number, a double's rounding
    (``0.1`` for 1/10, ``p**0.5`` at 1/3 for ``sqrt(3)/3``), as the symbolic proof reads it;
    ``0.333333333333``, 10⁻¹² from 1/3, stays itself. The tolerance is a double's whatever
    the float's precision: a 50-digit float within 2**-50 of a simple number stands for it.
    """
    value = as_expression(value, "value")
    if not value.is_number:
        return value
    simplified = sp.simplify(value)
    closed_form = sp.nsimplify(simplified)
    if value.has(sp.Float):
        # compared in SymPy's numbers, whose exponents are unbounded: a double would be 0
        # below 1e-324 on both sides, and 0 <= 0 would let nsimplify's 0 stand
        gap = sp.Abs(sp.N(closed_form - simplified, 30))
        same = bool(gap <= FLOAT_AGREEMENT * sp.Abs(sp.N(simplified, 30)))
    else:
        same = is_zero(closed_form - simplified)
    return closed_form if same else simplified


def is_zero(value: sp.Expr) -> bool:
    """Whether ``value`` is 0: by SymPy's assumptions, ``equals``, or 60 digits."""
    value = sp.simplify(as_expression(value, "value"))
    if value.is_zero is not None:
        return bool(value.is_zero)
    decided = value.equals(0)
    if decided is not None:
        return bool(decided)
    return abs(complex(value.evalf(60))) < 1e-40


def _fmt(mapping) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}


def _count_of_points(count: int) -> str:
    return f"{count} rational point{'' if count == 1 else 's'}"


def canonical_log(expr: sp.Expr) -> sp.Expr:
    """Expand every logarithm (valid: all log arguments are positive on the domain)."""
    expr = as_expression(expr, "expr").replace(sp.log, lambda arg: sp.log(sp.together(arg)))
    return sp.expand(sp.expand_log(expr, force=True))


def logit_of(expr: sp.Expr) -> sp.Expr:
    """``log(expr / (1 - expr))`` in expanded-log form; injective, so equal logits mean equality."""
    expr = as_expression(expr, "expr")
    return canonical_log(sp.log(sp.powsimp(sp.together(expr / (1 - expr)))))


@dataclass(frozen=True)
class ExactComparison:
    """How two expressions compare: the method, and the counterexample when they differ.

    ``points`` are the distinct points at which both sides were evaluated to finite values
    (a point where a side is infinite or undefined is no evidence and is left out).
    """

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
        return f" (no symbolic proof: equal exactly at {_count_of_points(len(self.points))})"


def compare_exactly(lhs, rhs) -> ExactComparison:
    """Exact comparison: rational points first (a counterexample), then a symbolic proof.

    A point where either side is not finite (a pole, the log of 0) is skipped. Equality at
    the points alone, with no proof, gives the method ``"exact points"``; if no point was
    left to evaluate, there is no evidence at all and ``UnsupportedStatement`` is raised.
    """
    lhs, rhs = as_expression(lhs, "lhs"), as_expression(rhs, "rhs")
    # A difference free of symbols (p + 1 against p) is evaluated at a point of the sides'
    # symbols, so that its counterexample shows numbers at a named point.
    symbols = (lhs - rhs).free_symbols or lhs.free_symbols | rhs.free_symbols
    evaluated = []
    for point in sample_points(symbols):
        left, right = exact_value(lhs.subs(point)), exact_value(rhs.subs(point))
        if not (left.is_finite and right.is_finite):
            continue
        evaluated.append(point)
        if not is_zero(left - right):
            return ExactComparison("counterexample", tuple(evaluated), point, left, right)
    points = tuple(evaluated)
    if sp.simplify(lhs - rhs) == 0:
        return ExactComparison("simplify", points)
    try:
        if sp.simplify(logit_of(lhs) - logit_of(rhs)) == 0:
            return ExactComparison("logit", points)
    except (TypeError, ValueError):
        pass
    if not points:
        raise UnsupportedStatement(
            f"cannot compare {lhs} with {rhs}: SymPy finds no symbolic proof, and at every "
            "rational point a side is not finite"
        )
    return ExactComparison("exact points", points)


def check_identity(lhs, rhs, name: str = "identity", sides=("lhs", "rhs"), labels=None) -> Check:
    """``lhs == rhs`` for all parameter values: ``holds`` or ``fails`` with a counterexample.

    First evaluates both sides exactly at rational points: a nonzero difference is a
    counterexample. Otherwise it looks for a proof: ``simplify(lhs - rhs) == 0``, then
    equality of the two logits. Zero at every point without a symbolic proof is reported
    as ``holds`` with method ``"exact points"`` and the number of points at which both sides
    are finite, so that the weaker evidence is visible; with no such point it raises
    ``UnsupportedStatement``.
    ``sides`` name the two values in the data; ``labels`` (default ``sides``) in the text.
    """
    first, second = labels or sides
    comparison = compare_exactly(lhs, rhs)
    if comparison.equal:
        how = {
            "simplify": "SymPy simplifies their difference to 0",
            "logit": "SymPy reduces their logits to the same expression",
            "exact points": f"equal exactly at {_count_of_points(len(comparison.points))}, "
            "though SymPy finds no symbolic proof",
        }[comparison.method]
        text = say(capitalised(f"{first} equals {second} identically: {how}."))
        return Check.from_phrase(name, HOLDS, comparison.method, text, comparison.data(sides))
    text = say("Counterexample at ", point_phrase(comparison.point), f": {first} is ",
               comparison.left, f" but {second} is ", comparison.right, ".")  # fmt: skip
    return Check.from_phrase(name, FAILS, "counterexample", text, comparison.data(sides))


def first_point(*exprs) -> dict[sp.Symbol, sp.Expr]:
    """The first exact evaluation point over the parameters (not the noise) of ``exprs``."""
    params = (
        set().union(*(as_expression(e, "exprs").free_symbols for e in exprs))
        - set(LAWS)
        - {tau, x, z}
    )
    return sample_points(params, 1)[0]
