"""The hard concrete gate's point masses and CDF, derived in SymPy from the binary Concrete CDF.

Louizos, Welling & Kingma (2018), arXiv:1712.01312, Sec. 4. The law itself, in closed form,
is :mod:`binary_gumbel.hard_concrete`; :func:`hard_concrete_residuals` checks that those
closed forms are the expressions derived here.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from binary_gumbel.verification import symbolic

__all__ = ["hard_concrete_masses_expr", "hard_concrete_residuals"]


def _symbols():
    cdf = dict(symbolic.binary_concrete_density().steps)["CDF"]
    logit = next(s for s in cdf.free_symbols if s.name == "L")
    gamma = sp.Symbol("gamma", negative=True)
    zeta = sp.Symbol("zeta", positive=True)
    return cdf, logit, gamma, zeta, sp.Symbol("c", positive=True)


@cache
def hard_concrete_masses_expr():
    """The two point masses and the CDF of the hard concrete gate, derived in SymPy.

    Starts from the binary Concrete CDF ``F(x) = sigma(tau log(x/(1 - x)) - L)`` of
    :func:`binary_gumbel.verification.symbolic.binary_concrete_density` (itself derived by change of
    variables) and substitutes the points where the stretched sample
    ``gamma + (zeta - gamma) s`` crosses 0, 1 and ``c``. Their odds ``x / (1 - x)``
    are computed (and factored) by SymPy; :func:`hard_concrete_residuals` checks the
    results against the closed forms the library evaluates.

    Returns
    -------
    binary_gumbel.verification.symbolic.Derivation
        Steps, with sigmoids shown as ``sigma``: ``F``; ``x_0`` (where the stretched
        sample is 0), its odds and ``P(z = 0) = F(x_0)``; ``x_1`` (where it is 1), its
        odds and ``P(z = 1) = 1 - F(x_1)``; the point for ``0 <= c < 1`` and
        ``P(z <= c)``; ``P(z != 0) = 1 - P(z = 0)``. The result is ``P(z != 0)``.
    """
    cdf, logit, gamma, zeta, c = _symbols()
    tau, s = symbolic.tau, sp.Symbol("s", positive=True)

    def point(level):
        (root,) = sp.solve(sp.Eq(gamma + (zeta - gamma) * s, level), s)
        return root

    def at(where):
        odds = sp.factor(where / (1 - where))
        return odds, symbolic.sigmoid(tau * sp.log(odds) - logit)

    x0, x1, xz = point(0), point(1), point(c)
    odds0, p0 = at(x0)
    odds1, below1 = at(x1)
    oddsz, cdf_z = at(xz)
    fold = symbolic.fold_sigmoids
    return symbolic.Derivation(
        title="Hard concrete point masses and CDF",
        steps=(
            ("binary Concrete CDF F(x)", fold(cdf)),
            ("x_0: the stretched sample is 0", x0),
            ("odds of x_0", odds0),
            ("P(z = 0) = F(x_0)", fold(p0)),
            ("x_1: the stretched sample is 1", x1),
            ("odds of x_1", odds1),
            ("P(z = 1) = 1 - F(x_1)", fold(1 - below1)),
            ("the point where the stretched sample is c", xz),
            ("P(z <= c) = F of it, 0 <= c < 1", fold(cdf_z)),
            ("P(z != 0) = 1 - P(z = 0)", fold(1 - p0)),
        ),
        result=1 - p0,
    )


@cache
def hard_concrete_residuals() -> dict:
    """Differences between the derived laws and the library's closed forms, simplified.

    Each value is 0 when the closed form evaluated by :mod:`binary_gumbel.hard_concrete`
    (``hard_concrete_prob_zero``, ``_prob_one``, ``hard_concrete_cdf``, ``expected_l0``)
    is the expression derived by :func:`hard_concrete_masses_expr` from the binary
    Concrete CDF. The last two entries are the jumps of the CDF at 0 and 1 minus the
    point masses (``lim_{c -> 0+} P(z <= c) - P(z = 0)`` and
    ``1 - lim_{c -> 1-} P(z <= c) - P(z = 1)``). ``zeta = 1 + eta`` with ``eta > 0``
    and ``c = r / (1 + r)`` with ``r > 0`` tell SymPy the signs of ``zeta - 1``,
    ``c`` and ``1 - c``.
    """
    _, logit, gamma, zeta, c = _symbols()
    tau, eta = symbolic.tau, sp.Symbol("eta", positive=True)
    derived = dict(hard_concrete_masses_expr().steps)
    sigmoid = symbolic.Sigmoid
    closed = {
        "P(z = 0)": sigmoid(tau * sp.log(-gamma / zeta) - logit),
        "P(z = 1)": sigmoid(logit - tau * sp.log((1 - gamma) / (zeta - 1))),
        "P(z <= c)": sigmoid(tau * sp.log((c - gamma) / (zeta - c)) - logit),
        "P(z != 0)": sigmoid(logit - tau * sp.log(-gamma / zeta)),
    }
    keys = dict(zip(closed, [k for k, _ in derived.items() if k.startswith("P(")], strict=True))

    def explicit(expr):
        expr = expr.rewrite(sp.exp).subs(zeta, 1 + eta)
        return symbolic.in_odds(expr, c)

    out = {name: sp.simplify(explicit(derived[keys[name]] - form)) for name, form in closed.items()}
    cdf_z = explicit(closed["P(z <= c)"])
    r = symbolic.odds
    out["jump at 0 - P(z = 0)"] = sp.simplify(
        sp.limit(cdf_z, r, 0, "+") - explicit(closed["P(z = 0)"])
    )
    out["jump at 1 - P(z = 1)"] = sp.simplify(
        1 - sp.limit(cdf_z, r, sp.oo) - explicit(closed["P(z = 1)"])
    )
    return out
