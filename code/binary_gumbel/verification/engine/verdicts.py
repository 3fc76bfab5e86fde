"""The verdict words, a computed check, and the evidence text written twice (plain and LaTeX)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from binary_gumbel.verification.printing import latex, plain

__all__ = [
    "Check",
    "FAILS",
    "HOLDS",
    "HOLDS_IN_DISTRIBUTION",
    "Phrase",
    "RANK",
    "UnsupportedStatement",
    "capitalised",
    "check_verdict",
    "combine",
    "formula",
    "point_phrase",
    "say",
]

HOLDS = "holds"
HOLDS_IN_DISTRIBUTION = "holds in distribution"
FAILS = "fails"
RANK = {FAILS: 0, HOLDS_IN_DISTRIBUTION: 1, HOLDS: 2}


def check_verdict(verdict, name: str = "verdict") -> str:
    """``verdict`` itself if it is one of the three words of :data:`RANK`; ``ValueError``
    naming ``name`` otherwise (an unhashable value too)."""
    if not (isinstance(verdict, str) and verdict in RANK):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, RANK))}; got {verdict!r}")
    return verdict


class UnsupportedStatement(ValueError):
    """The engine cannot decide this statement (not of a form it can reduce)."""


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


def point_phrase(point) -> Phrase:
    """``p = 1/4, τ = 1`` as one math span."""
    ordered = sorted(point.items(), key=lambda kv: sp.default_sort_key(kv[0]))
    return formula(*((f"{plain(k)} = {plain(v)}", f"{latex(k)} = {latex(v)}") for k, v in ordered),
                sep=", ")  # fmt: skip


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case."""
    return text[:1].upper() + text[1:]


def combine(checks) -> str:
    """The weakest verdict among ``checks`` (Monte Carlo confirmations carry none)."""
    verdicts = [c.verdict for c in checks if c.verdict is not None]
    if not verdicts:
        raise ValueError("checks must contain at least one verdict")
    for verdict in verdicts:
        check_verdict(verdict, "each check's verdict (or None)")
    return min(verdicts, key=RANK.__getitem__)
