"""REBAR's control variate has mean zero: an exact SymPy integration on the toy problem.

Tucker et al. (2017), arXiv:1703.07370. The estimator is
:func:`binary_gumbel.estimators.rebar.rebar`; this module integrates the mean of its control
variate over both uniforms in closed form, at points where every integrand is rational.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

__all__ = ["rebar_unbiasedness_exact"]


@cache
def rebar_unbiasedness_exact(theta: sp.Expr, temperature: sp.Expr, target: sp.Expr) -> sp.Expr:
    """``E[B]``, the mean of REBAR's control variate, by exact SymPy integration.

    ``theta`` must make ``e^theta`` rational (``log 2``, say) and ``1/temperature``
    a positive integer: then every integrand is a rational function of the
    uniform, and SymPy integrates it in closed form. The result simplifies to 0
    when REBAR is unbiased there, for every ``eta``.
    """
    theta_symbol = sp.Symbol("theta", real=True)
    u, v = sp.symbols("u v", positive=True)
    lam, t = sp.sympify(temperature), sp.sympify(target)

    def sig(w):
        return 1 / (1 + sp.exp(-w))

    def f(x):
        return (x - t) ** 2

    def mean(expr, var):
        return sp.integrate(
            sp.cancel(sp.together(sp.simplify(expr.subs(theta_symbol, theta)))), (var, 0, 1)
        )

    p = sig(theta_symbol)
    z = theta_symbol + sp.log(u) - sp.log(1 - u)
    given = {
        1: sp.log(1 + v * sp.exp(theta_symbol)) - sp.log(1 - v),
        0: sp.log(v) - sp.log(1 + (1 - v) * sp.exp(-theta_symbol)),
    }
    total = mean(sp.diff(f(sig(z / lam)), theta_symbol), u)
    for b, zt in given.items():
        pb = (p if b else 1 - p).subs(theta_symbol, theta)
        total -= pb * (b - p.subs(theta_symbol, theta)) * mean(f(sig(zt / lam)), v)
        total -= pb * mean(sp.diff(f(sig(zt / lam)), theta_symbol), v)
    return sp.simplify(total)
