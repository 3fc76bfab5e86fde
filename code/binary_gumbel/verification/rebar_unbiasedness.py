"""REBAR's control variate has mean zero: an exact SymPy integration on the toy problem.

Tucker et al. (2017), arXiv:1703.07370. The estimator is
:func:`binary_gumbel.estimators.rebar.rebar`; this module integrates the mean of its control
variate over both uniforms in closed form, in total and given ``b``: at once where every
integrand is rational.
"""

from __future__ import annotations

import numbers
from functools import cache

import sympy as sp

from binary_gumbel.verification.engine import as_expression
from binary_gumbel.verification.symbolic import sigmoid

__all__ = ["rebar_control_variate_given_b_exact", "rebar_unbiasedness_exact"]


def _exact_parameters(theta, temperature, target) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """The three parameters as SymPy numbers, inside the domain where the integration is exact.

    Each must be an exact real number (no ``Float``, which would make the result inexact,
    no NaN or infinity, nothing SymPy does not know to be real) and ``1/temperature`` a
    positive integer. ``TypeError`` or ``ValueError`` naming the argument otherwise (outside
    them SymPy returns NaN, fails to converge or does not finish). ``e^theta`` need not be
    rational: that is where every integrand is rational and the result simplifies at once,
    but SymPy also integrates at ``theta = 1``, say.
    """
    exact = []
    for value, name in ((theta, "theta"), (temperature, "temperature"), (target, "target")):
        expr = as_expression(value, name)
        if expr.has(sp.Float) or expr.is_real is not True:
            raise ValueError(
                f"{name} must be an exact, finite real number (no Float, NaN or infinity); "
                f"got {value!r}"
            )
        exact.append(expr)
    theta, temperature, target = exact
    inverse = 1 / temperature
    if not (inverse.is_integer and inverse.is_positive):
        raise ValueError(
            f"temperature must be 1/k for a positive integer k (1, 1/2, ...); got {temperature}"
        )
    return theta, temperature, target


def rebar_control_variate_given_b_exact(
    theta: sp.Expr, temperature: sp.Expr, target: sp.Expr, b: int
) -> sp.Expr:
    """``E[B | b]``, the mean of REBAR's control variate given ``b``, by exact SymPy integration.

    ``B = -f(s(z~)) (b - p) + d/dtheta f(s(z)) - d/dtheta f(s(z~))`` with ``s(z) =
    sigmoid(z / temperature)`` and ``f(x) = (x - target)^2``; ``b = 1[u > 1 - p]``, so given
    ``b`` the uniform ``u`` is uniform on ``(1 - p, 1)`` or ``(0, 1 - p)``. ``1/temperature``
    must be a positive integer; where ``e^theta`` is rational too (``log 2``, say) every
    integrand is a rational function of the uniform, and SymPy integrates it in closed form
    (elsewhere, as at ``theta = 1``, it integrates as well, more slowly, and may leave an
    expression equal to 0 that it does not simplify, as at ``theta = log(2)/2``).
    Integrating the middle term by parts in ``z`` leaves the boundary ``z = 0`` that decides
    ``b``, where ``s(0) = 1/2``, so that ``E[B | b] = -f(1/2) (b - p)`` at every temperature.
    All three must be exact (SymPy numbers, no ``Float``, NaN or infinity) and ``b`` 0 or 1
    (``True`` and ``False`` are 1 and 0, as for :mod:`binary_gumbel.conditional_noise`);
    ``TypeError`` or ``ValueError`` naming the argument otherwise.
    """
    if not (isinstance(b, (numbers.Real, sp.Number)) and b in (0, 1)):
        raise ValueError(f"b must be 0 or 1, got {b!r}")
    return _given_b(*_exact_parameters(theta, temperature, target), int(b))


@cache
def _given_b(theta: sp.Expr, lam: sp.Expr, t: sp.Expr, b: int) -> sp.Expr:
    """:func:`rebar_control_variate_given_b_exact` on checked parameters, cached."""
    theta_symbol = sp.Symbol("theta", real=True)
    u, v = sp.symbols("u v", positive=True)

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


def rebar_unbiasedness_exact(theta: sp.Expr, temperature: sp.Expr, target: sp.Expr) -> sp.Expr:
    """``E[B]``, the mean of REBAR's control variate, by exact SymPy integration.

    ``P(b = 1) E[B | 1] + P(b = 0) E[B | 0]`` from
    :func:`rebar_control_variate_given_b_exact`, with its conditions on ``theta`` and
    ``temperature``. The result simplifies to 0 when REBAR is unbiased there, for every
    ``eta``.
    """
    exact = _exact_parameters(theta, temperature, target)
    p = sp.simplify(sigmoid(exact[0]))
    return sp.simplify(p * _given_b(*exact, 1) + (1 - p) * _given_b(*exact, 0))
