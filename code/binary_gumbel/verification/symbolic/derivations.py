"""The derivations the chapters display, each a :class:`Derivation` of SymPy steps.

Every function here returns SymPy objects built by computation (integration, solving,
limits, differentiation), never a typed-in answer: the Gumbel difference and the Logistic
inverse CDF, the Gumbel-max probability, the zero-temperature limits, the binary Concrete
density, the library's sampler form and the noise bound under a clamp of ``u``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import cache

import sympy as sp

from binary_gumbel._validation import check_count
from binary_gumbel.verification.symbolic.expressions import (
    Probability,
    Sigmoid,
    ell,
    gumbel_cdf,
    gumbel_pdf,
    in_odds,
    logit,
    mu1,
    mu2,
    odds,
    sigmoid,
    tau,
    u,
    x,
    z,
)

__all__ = [
    "Derivation",
    "binary_concrete_density",
    "clamped_noise_bound",
    "fast_form_identity",
    "gumbel_difference_cdf",
    "gumbel_max_probability",
    "logistic_inverse_cdf",
    "tau_limits",
]

# The variables of integration and of the displayed events, private to the derivations.
_t = sp.Symbol("t", positive=True)
_y = sp.Symbol("y", real=True)
_X1, _X2 = sp.symbols("X_1 X_2", real=True)


@dataclass(frozen=True)
class Derivation:
    """A displayed derivation: ordered ``(explanation, expression)`` steps and the result."""

    title: str
    steps: tuple[tuple[str, sp.Basic], ...]
    result: sp.Expr


def _substitute_integral(integrand, var, var_of_t, lower, upper):
    """Substitute ``var = var_of_t(t)`` in ``int integrand d var``; return (integral, value)."""
    jacobian = sp.Abs(sp.diff(var_of_t, _t))
    new_integrand = sp.simplify(integrand.subs(var, var_of_t) * jacobian)
    value = sp.integrate(new_integrand, (_t, lower, upper), conds="none")
    return sp.Integral(new_integrand, (_t, lower, upper)), sp.simplify(value)


@cache
def gumbel_difference_cdf(loc1=mu1, loc2=mu2, at=z) -> Derivation:
    """CDF of ``X1 - X2`` for independent ``X1 ~ Gumbel(loc1)``, ``X2 ~ Gumbel(loc2)``.

    ``P(X1 - X2 <= z) = int f_{X2}(y) F_{X1}(y + z) dy``; the substitution
    ``t = exp(-(y - loc2))`` turns it into ``int_0^oo exp(-t (1 + exp(-(z - loc1 + loc2)))) dt``,
    which is the ``Logistic(loc1 - loc2, 1)`` CDF.
    """
    integrand = gumbel_pdf(_y, loc2) * gumbel_cdf(_y + at, loc1)
    convolution = sp.Integral(integrand, (_y, -sp.oo, sp.oo))
    # y = loc2 - log t maps t in (0, oo) onto y in (oo, -oo); the |dy/dt| keeps the orientation.
    substituted, value = _substitute_integral(integrand, _y, loc2 - sp.log(_t), 0, sp.oo)
    return Derivation(
        title="Difference of two independent Gumbels",
        steps=(
            ("convolution", sp.Eq(Probability(sp.Le(_X1 - _X2, at)), convolution)),
            ("substitute y = alpha_2 - log t", substituted),
            ("integrate", value),
        ),
        result=value,
    )


@cache
def logistic_inverse_cdf() -> Derivation:
    """Inverse CDF of the standard Logistic, and the CDF of ``log(U / (1 - U))`` by inversion.

    Solving ``sigma(z) = u`` for ``z`` gives ``F^{-1}(u) = log(u / (1 - u))``;
    solving ``log(u / (1 - u)) = z`` for ``u`` gives ``P(log(U/(1-U)) <= z) = P(U <= sigma(z))``.
    """
    (inverse,) = sp.solve(sp.Eq(sigmoid(z), u), z)
    (u_star,) = sp.solve(sp.Eq(logit(u), z), u)
    return Derivation(
        title="Logistic inverse CDF",
        steps=(
            ("solve sigma(z) = u for z", sp.Eq(z, inverse)),
            ("solve log(u/(1-u)) = z for u", sp.Eq(u, u_star)),
            ("with u* that solution, P(log(U/(1-U)) <= z) = P(U <= u*) = u*", u_star),
        ),
        result=inverse,
    )


def gumbel_max_probability(n: int | None = None) -> Derivation:
    """``P(log a_k + g_k > log a_i + g_i for all i != k)`` for i.i.d. standard Gumbels ``g``.

    ``= int f(g) prod_{i != k} F(g + log a_k - log a_i) dg``, and
    ``prod_{i != k} F(g + log a_k - log a_i) = exp(-e^{-g} S / a_k)`` with
    ``S = sum_{i != k} a_i``. With ``n=None`` ``S`` stays a symbol (the general-n
    argument); with an integer ``n >= 2`` the product is formed over explicit
    ``a_1 .. a_n`` and ``k = 1``. Another ``n`` raises ``TypeError`` (not an integer) or
    ``ValueError`` (below 2) naming it.
    """
    return _gumbel_max_probability(None if n is None else check_count(n, "n", 2))


@cache
def _gumbel_max_probability(n: int | None) -> Derivation:
    """:func:`gumbel_max_probability` for a checked ``n``, cached by its value."""
    g = sp.Symbol("g", real=True)
    a_k = sp.Symbol("alpha_k", positive=True)
    steps: list[tuple[str, sp.Basic]] = []
    if n is None:
        rest = sp.Symbol("S", positive=True)
        product = sp.exp(-sp.exp(-g) * rest / a_k)
        total = a_k + rest
    else:
        alphas = sp.symbols(f"alpha_1:{n + 1}", positive=True)
        a_k, others = alphas[0], alphas[1:]
        explicit = sp.Mul(*(gumbel_cdf(g + sp.log(a_k) - sp.log(a)) for a in others))
        product = sp.powsimp(sp.expand_log(explicit, force=True))
        steps.append(("prod_{i != k} F(g + log a_k - log a_i)", product))
        total = sp.Add(*alphas)
    integrand = gumbel_pdf(g) * product
    winner = "k" if n is None else "1"
    steps.append((f"P(argmax = {winner})", sp.Integral(integrand, (g, -sp.oo, sp.oo))))
    substituted, value = _substitute_integral(integrand, g, -sp.log(_t), 0, sp.oo)
    steps += [("substitute g = −log t", substituted), ("integrate", value)]
    steps.append(("compare with a_k / sum_i a_i", sp.simplify(value - a_k / total)))
    return Derivation(
        title=f"Gumbel-max probability (n = {n or 'n'})", steps=tuple(steps), result=value
    )


@cache
def tau_limits() -> Derivation:
    """The ``tau -> 0+`` limits: ``sigma(A/tau) -> 1`` if ``A > 0`` and ``-> 0`` if ``A < 0``.

    For Eq. (3), ``x_k = 1 / (1 + sum_{i != k} exp(-d_i / tau))`` with
    ``d_i = (log a_k + g_k) - (log a_i + g_i)``, and each ``exp(-d_i / tau) -> 0`` when ``d_i > 0``.
    """
    positive = sp.Symbol("A", positive=True)
    negative = sp.Symbol("A", negative=True)
    gap = sp.Symbol("d", positive=True)
    up = sp.limit(sigmoid(positive / tau), tau, 0, "+")
    down = sp.limit(sigmoid(negative / tau), tau, 0, "+")
    term = sp.limit(sp.exp(-gap / tau), tau, 0, "+")
    return Derivation(
        title="Zero-temperature limits",
        steps=(
            ("lim sigma(A/tau), A > 0", up),
            ("lim sigma(A/tau), A < 0", down),
            ("lim exp(-d/tau), d > 0", term),
        ),
        result=sp.Tuple(up, down, term),
    )


@cache
def binary_concrete_density() -> Derivation:
    """Density of ``X = sigma((L + Z)/tau)``, ``Z ~ Logistic(0, 1)``, by change of variables.

    ``z(x) = tau * logit(x) - L``, ``|dz/dx| = tau / (x (1 - x))``, so
    ``f_X(x) = f_Z(z(x)) tau / (x (1 - x))``, which equals Maddison et al.'s form
    ``tau a x^{-tau-1} (1-x)^{-tau-1} / (a x^{-tau} + (1-x)^{-tau})^2`` with ``a = e^L``
    (multiply numerator and denominator by ``(1-x)^{-2 tau}``).
    The CDF ``sigma(tau logit(x) - L)`` has derivative ``f_X`` and tends to 0 and 1 at the
    ends of (0, 1), which proves the normalisation. Both checks run on the odds
    ``r = x / (1 - x)`` (:func:`in_odds`), where ``x`` and ``1 - x`` are known positive.
    """
    L = sp.Symbol("L", real=True)
    a = sp.exp(L)
    z_of_x = tau * logit(x) - L
    logistic_pdf = sp.diff(sigmoid(z), z)
    density = logistic_pdf.subs(z, z_of_x) * sp.factor(sp.simplify(sp.diff(z_of_x, x)))
    maddison = (
        tau * a * x ** (-tau - 1) * (1 - x) ** (-tau - 1) / (a * x**-tau + (1 - x) ** -tau) ** 2
    )
    cdf = sigmoid(z_of_x)
    derivative_gap = sp.simplify(in_odds(sp.diff(cdf, x) - density))
    # r = x/(1 - x) runs over (0, oo) as x runs over (0, 1): the end values are limits in r.
    cdf_in_odds = sp.simplify(in_odds(cdf))
    return Derivation(
        title="Binary Concrete density",
        steps=(
            ("inverse map z(x)", z_of_x),
            ("f_X(x) = f_Z(z(x)) |dz/dx|", density),
            ("Maddison et al.'s form", maddison),
            ("CDF", cdf),
            ("CDF at x = r/(1 + r)", cdf_in_odds),
            ("d CDF/dx - f_X", derivative_gap),
            ("CDF at x -> 0+", sp.limit(cdf_in_odds, odds, 0, "+")),
            ("CDF at x -> 1-", sp.limit(cdf_in_odds, odds, sp.oo)),
        ),
        result=density,
    )


@cache
def fast_form_identity() -> Derivation:
    """The library's sampler form ``1/(1 + exp((log((1-u)/u) - ell)/tau))`` is the binary Concrete.

    The binary Concrete sample ``sigma((ell + log(u/(1-u)))/tau)`` (Maddison et al. 2016) is
    the note's Eq. (1) with its sign corrected (the note writes ``sigma(-(...)/tau)``; see
    :mod:`binary_gumbel.verification.derivation`). It is evaluated as ``1/(1 + t)`` with
    ``t = exp((log((1-u)/u) - ell)/tau)``: one logarithm and one exponential. The difference
    of the two forms simplifies to 0 on the odds of ``u``.
    """
    fast = 1 / (1 + sp.exp((sp.log((1 - u) / u) - ell) / tau))
    textbook = sigmoid((ell + logit(u)) / tau)
    return Derivation(
        title="The library's sampler form",
        steps=(
            ("library's form", fast),
            (
                "binary Concrete form (the note's Eq. (1), sign corrected)",
                Sigmoid((ell + logit(u)) / tau),
            ),
            ("difference at u = r/(1 + r)", sp.simplify(in_odds(fast - textbook, u))),
        ),
        result=fast,
    )


def clamped_noise_bound(eps) -> Derivation:
    """Bound on the Logistic noise ``log(u/(1-u))`` for ``u`` clamped to ``[eps, 1 - eps]``.

    ``d/du log(u/(1-u)) = 1/(u (1-u)) > 0`` (on the odds ``r`` of ``u``: ``(1 + r)^2 / r``),
    so the noise is increasing and lies in ``[log(eps/(1-eps)), log((1-eps)/eps)]``, an
    interval symmetric about 0. ``eps`` in (0, 1/2) is taken exactly: a float, such as
    ``np.finfo(np.float32).eps`` for torch's ``clamp_probs`` in float32, as the binary
    fraction it stores.
    """
    if isinstance(eps, numbers.Real) and not isinstance(eps, sp.Basic):
        exact = sp.Rational(float(eps)) if math.isfinite(eps) else sp.nan
    else:
        try:
            exact = sp.sympify(eps, strict=True)
        except sp.SympifyError:
            raise TypeError(f"eps must be a number; got {eps!r}") from None
    if not (exact.is_positive and (sp.S.Half - exact).is_positive):
        raise ValueError(f"eps must be a number in (0, 1/2); got {eps!r}")
    return _clamped_noise_bound(exact)


@cache
def _clamped_noise_bound(eps: sp.Expr) -> Derivation:
    upper, lower = sp.simplify(logit(1 - eps)), sp.simplify(logit(eps))
    slope = sp.simplify(in_odds(sp.diff(logit(u), u), u))
    return Derivation(
        title="Noise bound under a clamp of u",
        steps=(
            ("d/du log(u/(1-u)) at u = r/(1 + r)", slope),
            ("noise at u = 1 - eps", upper),
            ("noise at u = eps", lower),
            ("bound, 10 digits", sp.N(upper, 10)),
        ),
        result=upper,
    )
