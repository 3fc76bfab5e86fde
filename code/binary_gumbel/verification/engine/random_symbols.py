"""The random symbols of the note's statements and their laws (a fixed, read-only table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from binary_gumbel.verification.symbolic import g1, g2, mu1, mu2, u

__all__ = [
    "LAWS",
    "Law",
    "X1",
    "X2",
]


@dataclass(frozen=True)
class Law:
    """The law of a random symbol: ``"uniform"`` on (0, 1), or ``"gumbel"`` with a location."""

    kind: str
    loc: sp.Expr = sp.S.Zero


#: Two independent Gumbels with locations ``mu1`` and ``mu2`` (the Gumbel-difference claim).
X1 = sp.Symbol("X_1", real=True)
X2 = sp.Symbol("X_2", real=True)

#: Random symbols and their laws, fixed: ``u`` is uniform on (0, 1), ``g1``, ``g2`` are
#: i.i.d. standard Gumbels, ``X1 ~ Gumbel(mu1)`` and ``X2 ~ Gumbel(mu2)`` (scale 1).
LAWS: Mapping[sp.Symbol, Law] = MappingProxyType(
    {
        u: Law("uniform"),
        g1: Law("gumbel"),
        g2: Law("gumbel"),
        X1: Law("gumbel", mu1),
        X2: Law("gumbel", mu2),
    }
)
