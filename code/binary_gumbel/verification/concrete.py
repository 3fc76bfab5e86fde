"""Facts about the shape of the binary Concrete density, derived and checked in SymPy.

``X = sigmoid((L + Z) / tau)`` with ``Z ~ Logistic(0, 1)``, ``L = logit`` and
``a = e^L`` (Maddison, Mnih & Teh 2016, arXiv:1611.00712, App. B: Eq. 16, Definition 2
and Eq. 17; its Proposition 2 is their Proposition 1 of Sec. 3.2 with n = 2). The
density derived by change of variables in
:func:`binary_gumbel.verification.symbolic.binary_concrete_density` is rewritten here in the
product form

    f(x) = tau a x^(tau-1) (1-x)^(tau-1) / (a (1-x)^tau + x^tau)^2,

from which the shape facts follow:

- near 0, ``f(x) ~ (tau / a) x^(tau-1)``, and near 1, ``f(x) ~ tau a (1-x)^(tau-1)``:
  the density diverges at both ends for ``tau < 1`` and vanishes there for ``tau > 1``;
- ``log f = const + (tau-1)(log x + log(1-x)) - 2 log h``, ``h = a (1-x)^tau + x^tau``:
  for ``tau <= 1`` the first term is convex and ``h`` is concave, so ``f`` is log-convex;
- for ``tau > 1`` the sign of ``(log f)'`` is that of a strictly decreasing function
  ``phi``, which goes from ``+inf`` to ``-inf``: a single interior mode.

Identities are checked in odds space (``x = r / (1 + r)``, ``r > 0``), where
SymPy can simplify the difference of the log-densities to 0.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from binary_gumbel.verification.symbolic import binary_concrete_density, in_odds, sigmoid, tau, x

__all__ = [
    "L",
    "convexity_terms",
    "density_forms",
    "end_asymptotics",
    "end_limits",
    "identity_residuals",
    "log_density_curvature",
    "log_density_slope",
    "mode_equation_residual",
    "mode_function",
    "mode_function_limits",
    "probability_above_half",
    "product_form",
    "temperature_limits",
]

#: The logit, the symbol of
#: :func:`binary_gumbel.verification.symbolic.binary_concrete_density`.
L = sp.Symbol("L", real=True)
_s = sp.Symbol("s", positive=True)
#: ``h = a (1-x)^tau + x^tau``, the product form's denominator before squaring.
_H = sp.exp(L) * (1 - x) ** tau + x**tau


def product_form(logit=L, temperature=tau, at=x) -> sp.Expr:
    """``tau a x^(tau-1) (1-x)^(tau-1) / (a (1-x)^tau + x^tau)^2`` with ``a = e^logit``."""
    a = sp.exp(logit)
    num = temperature * a * at ** (temperature - 1) * (1 - at) ** (temperature - 1)
    return num / (a * (1 - at) ** temperature + at**temperature) ** 2


@cache
def density_forms() -> dict[str, sp.Expr]:
    """The density four ways: change of variables, Maddison et al., product form, CDF'."""
    derivation = binary_concrete_density()
    steps = dict(derivation.steps)
    return {
        "change of variables": derivation.result,
        "Maddison et al.": steps["Maddison et al.'s form"],
        "product form": product_form(),
        "derivative of the CDF": sp.diff(steps["CDF"], x),
    }


def _log_in_logit_space(expr: sp.Expr) -> sp.Expr:
    """``log expr`` after ``x = r / (1 + r)``, ``r > 0``, with powers of positive bases split."""
    expr = sp.powdenest(in_odds(expr), force=True)
    expr = sp.expand_power_base(sp.factor(sp.expand_power_base(expr, force=True)), force=True)
    return sp.expand_log(sp.log(expr), force=True)


@cache
def identity_residuals() -> dict[str, sp.Expr]:
    """``log(form) - log(change-of-variables density)``, simplified; 0 proves each identity."""
    forms = density_forms()
    reference = _log_in_logit_space(forms["change of variables"])
    return {
        name: sp.simplify(_log_in_logit_space(form) - reference)
        for name, form in forms.items()
        if name != "change of variables"
    }


@cache
def probability_above_half() -> sp.Expr:
    """``P(X > 1/2) = 1 - F(1/2)``, simplified: ``e^L / (e^L + 1) = sigmoid(L) = p``."""
    cdf = dict(binary_concrete_density().steps)["CDF"]
    return sp.simplify(1 - cdf.subs(x, sp.Rational(1, 2)))


@cache
def temperature_limits() -> dict[str, sp.Expr]:
    """Limits of the CDF ``sigmoid(tau y - L)``, ``y = log(x / (1 - x))``, in ``tau``.

    ``y > 0`` is ``x > 1/2`` and ``y < 0`` is ``x < 1/2``. As ``tau -> 0`` the CDF
    is ``1 - p`` on the whole of (0, 1) (a Bernoulli(p) on {0, 1}); as
    ``tau -> oo`` it jumps from 0 to 1 at 1/2 (a point mass at 1/2).
    """
    above = sp.Symbol("y", positive=True)
    below = sp.Symbol("y", negative=True)
    return {
        "tau -> 0, x < 1/2": sp.limit(sigmoid(tau * below - L), tau, 0, "+"),
        "tau -> 0, x > 1/2": sp.limit(sigmoid(tau * above - L), tau, 0, "+"),
        "tau -> oo, x < 1/2": sp.limit(sigmoid(tau * below - L), tau, sp.oo),
        "tau -> oo, x > 1/2": sp.limit(sigmoid(tau * above - L), tau, sp.oo),
    }


def end_limits(temperature, logit) -> tuple[sp.Expr, sp.Expr]:
    """``(lim_{x -> 0+} f(x), lim_{x -> 1-} f(x))`` at an exact temperature and logit.

    Evaluated as limits in ``s -> 0+`` of ``f(s)`` and ``f(1 - s)``: at ``tau = 1``,
    ``(e^-L, e^L)``; below it ``(oo, oo)`` and above it ``(0, 0)``. A float (a Python,
    NumPy or SymPy one, also inside an expression) is taken as the rational number it
    holds, ``sp.Rational(0.1) = 3602879701896397/36028797018963968`` (a string is read by
    SymPy at the precision of its digits: ``"1e308"`` is ``10**308``), so that the limits
    are exact: at a logit of ``1e308`` they are ``exp(-N)`` and ``exp(N)`` with ``N`` that
    integer, where SymPy's limit of the float overflowed mpmath.
    """
    temperature, logit = _exact(temperature, "temperature"), _exact(logit, "logit")
    _check_parameters(temperature, logit)
    f = product_form(logit, temperature, _s)
    g = product_form(logit, temperature, 1 - _s)
    return sp.limit(f, _s, 0, "+"), sp.limit(g, _s, 0, "+")


def _sympified(value, name: str) -> sp.Expr:
    """``value`` in SymPy; ``TypeError`` naming ``name`` for what SymPy cannot read."""
    try:
        expr = sp.sympify(value)
    except sp.SympifyError:
        expr = None
    if not isinstance(expr, sp.Basic):
        raise TypeError(f"{name} must be a number or a SymPy expression; got {value!r}")
    return expr


def _exact(value, name: str) -> sp.Expr:
    """``value`` in SymPy with each float replaced by the rational number it holds."""
    expr = _sympified(value, name)
    return expr.xreplace({f: sp.Rational(f) for f in expr.atoms(sp.Float)})


def _check_parameters(temperature: sp.Expr, logit: sp.Expr) -> None:
    """``ValueError`` naming the argument unless the temperature is a positive finite number
    and the logit a finite real one (a symbol, of unknown sign, is neither)."""
    if not (temperature.is_positive and temperature.is_finite):
        raise ValueError(f"temperature must be a positive number; got {temperature}")
    if not (logit.is_real and logit.is_finite):
        raise ValueError(f"logit must be a finite real number; got {logit}")


@cache
def convexity_terms() -> tuple[sp.Expr, sp.Expr]:
    """``((tau-1)(log x + log(1-x)))''`` and ``h''`` for ``h = a (1-x)^tau + x^tau``, factored.

    The first is ``(1 - tau)(1/x^2 + 1/(1-x)^2) >= 0`` for ``tau <= 1``; the
    second is ``tau (tau - 1) (x^(tau-2) + a (1-x)^(tau-2))``, ``<= 0`` for ``tau <= 1``
    (each term of ``h`` is differentiated and simplified on its own, which keeps
    that product visible).
    """
    first = sp.factor(sp.diff((tau - 1) * (sp.log(x) + sp.log(1 - x)), x, 2))
    second = sp.Add(*(sp.powsimp(sp.factor(sp.diff(term, x, 2))) for term in _H.args))
    return first, sp.factor_terms(second)


@cache
def mode_function() -> tuple[sp.Expr, sp.Expr]:
    """``phi(x)`` whose sign is that of ``(log f)'`` (for ``tau > 1``), and ``phi'`` factored.

    ``(log f)' = 0`` reduces to ``a ((1-x)/x)^tau (tau - 1 + 2x) = tau + 1 - 2x``;
    ``phi = L + tau log((1-x)/x) + log(tau - 1 + 2x) - log(tau + 1 - 2x)``.
    """
    phi = L + tau * sp.log((1 - x) / x) + sp.log(tau - 1 + 2 * x) - sp.log(tau + 1 - 2 * x)
    return phi, sp.factor(sp.together(sp.diff(phi, x)))


@cache
def mode_equation_residual() -> sp.Expr:
    """``x (1-x) h (log f)' / x^tau - [a ((1-x)/x)^tau (tau - 1 + 2x) - (tau + 1 - 2x)]``.

    Simplified in odds space (``x = r / (1 + r)``), for every ``tau > 0`` and logit: it
    is 0, so ``(log f)' = 0`` is the equation :func:`mode_function`'s ``phi`` comes from.
    """
    slope = _log_density_derivatives()[0]
    equation = sp.exp(L) * ((1 - x) / x) ** tau * (tau - 1 + 2 * x) - (tau + 1 - 2 * x)
    return sp.simplify(in_odds(slope * x * (1 - x) * _H / x**tau - equation))


@cache
def mode_function_limits() -> tuple[sp.Expr, sp.Expr]:
    """The limits of :func:`mode_function`'s ``phi`` at ``x -> 0+`` and ``x -> 1-``, for
    every ``tau > 1`` (``tau = 1 + s``, ``s > 0``) and logit: ``(oo, -oo)``."""
    phi = mode_function()[0].subs(tau, 1 + _s)
    return sp.limit(phi, x, 0, "+"), sp.limit(phi, x, 1, "-")


@cache
def end_asymptotics() -> tuple[sp.Expr, sp.Expr]:
    """``lim f(x) / x^(tau-1)`` at ``x -> 0+`` and ``lim f(x) / (1-x)^(tau-1)`` at ``x -> 1-``,
    for every ``tau > 0`` and logit: ``(tau / a, tau a)`` with ``a = e^logit``."""
    f = product_form()
    return sp.limit(f / x ** (tau - 1), x, 0, "+"), sp.limit(f / (1 - x) ** (tau - 1), x, 1, "-")


@cache
def _log_density_derivatives() -> tuple[sp.Expr, sp.Expr]:
    log_f = sp.log(product_form())
    slope = sp.diff(log_f, x)
    return slope, sp.diff(slope, x)


def _at(expr: sp.Expr, temperature, logit, point) -> sp.Expr:
    """``expr`` at the temperature, logit and point, each checked as :func:`end_limits` checks
    the first two (``TypeError`` or ``ValueError`` naming the argument), the point strictly
    inside (0, 1)."""
    values = {
        tau: _sympified(temperature, "temperature"),
        L: _sympified(logit, "logit"),
        x: _sympified(point, "point"),
    }
    _check_parameters(values[tau], values[L])
    if not (values[x].is_positive and (1 - values[x]).is_positive):
        raise ValueError(f"point must lie strictly inside (0, 1); got {point}")
    return expr.subs(values)


def log_density_slope(temperature, logit, point) -> sp.Expr:
    """``(log f)'(x)`` at exact values (e.g. rationals, ``log(3)``): an exact number.

    The temperature must be a positive number, the logit a finite real one and the point
    strictly inside (0, 1) (``TypeError`` or ``ValueError`` naming the argument otherwise).
    """
    return _at(_log_density_derivatives()[0], temperature, logit, point)


def log_density_curvature(temperature, logit, point) -> sp.Expr:
    """``(log f)''(x)`` at exact values: its sign decides log-convexity at that point.

    Its arguments are checked as :func:`log_density_slope`'s are.
    """
    return _at(_log_density_derivatives()[1], temperature, logit, point)
