"""REBAR's control variate has mean zero: an exact SymPy integration on the toy problem.

Tucker et al. (2017), arXiv:1703.07370. The estimator is
:func:`binary_gumbel.estimators.rebar.rebar`; this module integrates the mean of its control
variate over both uniforms in closed form, at points where every integrand is rational, in
total and given ``b``.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from binary_gumbel.verification.symbolic import sigmoid

__all__ = ["rebar_control_variate_given_b_exact", "rebar_unbiasedness_exact"]


@cache
def rebar_control_variate_given_b_exact(
    theta: sp.Expr, temperature: sp.Expr, target: sp.Expr, b: int
) -> sp.Expr:
    """``E[B | b]``, the mean of REBAR's control variate given ``b``, by exact SymPy integration.

    ``B = -f(s(z~)) (b - p) + d/dtheta f(s(z)) - d/dtheta f(s(z~))`` with ``s(z) =
    sigmoid(z / temperature)`` and ``f(x) = (x - target)^2``; ``b = 1[u > 1 - p]``, so given
    ``b`` the uniform ``u`` is uniform on ``(1 - p, 1)`` or ``(0, 1 - p)``. ``theta`` must make
    ``e^theta`` rational (``log 2``, say) and ``1/temperature`` a positive integer: then every
    integrand is a rational function of the uniform, and SymPy integrates it in closed form.
    Integrating the middle term by parts in ``z`` leaves the boundary ``z = 0`` that decides
    ``b``, where ``s(0) = 1/2``, so that ``E[B | b] = -f(1/2) (b - p)`` at every temperature.
    """
    if b not in (0, 1):
        raise ValueError(f"b must be 0 or 1, got {b!r}")
    theta_symbol = sp.Symbol("theta", real=True)
    u, v = sp.symbols("u v", positive=True)
    lam, t = sp.sympify(temperature), sp.sympify(target)

    def f(x):
        return (x - t) ** 2

    def mean(expr, var, low=0, high=1):
        integrand = sp.cancel(sp.together(sp.simplify(expr.subs(theta_symbol, theta))))
        return sp.integrate(integrand, (var, low, high)) / (high - low)

    p = sigmoid(theta_symbol)
    p_at = sp.simplify(p.subs(theta_symbol, theta))
    z = theta_symbol + sp.log(u) - sp.log(1 - u)
    z_given = (
        sp.log(1 + v * sp.exp(theta_symbol)) - sp.log(1 - v)
        if b
        else sp.log(v) - sp.log(1 + (1 - v) * sp.exp(-theta_symbol))
    )
    u_range = (1 - p_at, 1) if b else (0, 1 - p_at)
    return sp.simplify(
        -(b - p_at) * mean(f(sigmoid(z_given / lam)), v)
        + mean(sp.diff(f(sigmoid(z / lam)), theta_symbol), u, *u_range)
        - mean(sp.diff(f(sigmoid(z_given / lam)), theta_symbol), v)
    )


@cache
def rebar_unbiasedness_exact(theta: sp.Expr, temperature: sp.Expr, target: sp.Expr) -> sp.Expr:
    """``E[B]``, the mean of REBAR's control variate, by exact SymPy integration.

    ``P(b = 1) E[B | 1] + P(b = 0) E[B | 0]`` from
    :func:`rebar_control_variate_given_b_exact`, with its conditions on ``theta`` and
    ``temperature``. The result simplifies to 0 when REBAR is unbiased there, for every
    ``eta``.
    """
    p = sp.simplify(sigmoid(theta))
    return sp.simplify(
        p * rebar_control_variate_given_b_exact(theta, temperature, target, 1)
        + (1 - p) * rebar_control_variate_given_b_exact(theta, temperature, target, 0)
    )
