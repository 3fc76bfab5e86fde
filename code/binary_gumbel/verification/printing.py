"""Math printed for people: one line of Unicode text, or LaTeX, with sigmoids folded.

``plain`` writes ``σ((log((1 − p)/p) − Z)/τ)`` for terminals and evidence text; ``latex``
writes the same for MathJax, safe inside a Markdown table. ``SUBSCRIPTS`` and
``SUPERSCRIPTS`` are the Unicode digit tables every printed number uses.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.str import StrPrinter

from binary_gumbel.verification.symbolic import fold_sigmoids

__all__ = ["SUBSCRIPTS", "SUPERSCRIPTS", "latex", "plain"]

_GREEK = {"alpha": "α", "mu": "μ", "tau": "τ", "sigma": "σ"}
#: Unicode digit subscripts and superscripts (``α₂``, ``10⁻⁶``), for every printed number.
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class _PlainPrinter(StrPrinter):
    """One-line Unicode math: Greek names, digit subscripts, ``σ`` for the sigmoid."""

    def _print_Symbol(self, expr):
        base, _, index = expr.name.partition("_")
        base = _GREEK.get(base, base)
        if not index:
            return base
        return base + (index.translate(SUBSCRIPTS) if index.isdigit() else "_" + index)

    _print_Dummy = _print_Symbol

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Sigmoid(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_Probability(self, expr):
        return f"P({self._print(expr.args[0])})".replace("<=", "≤")


def _sympy_object(expr) -> sp.Basic:
    """``expr`` as a SymPy object (numbers and strings are converted as ``sympify`` does);
    ``TypeError`` naming ``expr`` for what is none, such as None, a list or an ``object()``.
    A string SymPy cannot read keeps ``sympify``'s error (a ``ValueError``)."""
    try:
        obj = sp.sympify(expr)
    except sp.SympifyError:
        if isinstance(expr, str):
            raise
        obj = None
    if not isinstance(obj, sp.Basic):
        raise TypeError(f"expr must be a SymPy object or a number; got {expr!r}")
    return obj


def plain(expr, order=None) -> str:
    """``expr`` as one line of Unicode text, e.g. ``σ((log((1 − p)/p) − Z)/τ)``.

    Sigmoids are folded (:func:`fold_sigmoids`), products of a number and a symbol are
    juxtaposed (``2α₁``), other products use ``·``, powers ``^``, and minus signs ``−``.
    ``order="none"`` keeps the order of the terms of an unevaluated sum.
    """
    text = _PlainPrinter({"order": order}).doprint(fold_sigmoids(_sympy_object(expr)))
    text = re.sub(r"(?<=\d)\*(?=[^\d*])", "", text.replace("**", "^"))
    return text.replace("*", "·").replace("-", "−")


def latex(expr, order=None) -> str:
    """``expr`` in LaTeX with sigmoids folded; ``|`` is written ``\\vert`` (safe in tables)."""
    return sp.latex(fold_sigmoids(_sympy_object(expr)), order=order).replace("|", r"\vert ")
