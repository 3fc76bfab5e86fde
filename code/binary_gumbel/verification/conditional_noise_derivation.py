"""The law of Logistic noise given the discrete outcome it produces, derived in SymPy.

REBAR's ``z~`` (Tucker et al. 2017, arXiv:1703.07370, Appendix): the conditional CDFs of
``z = logit + Logistic`` given ``b = H(z)``, their inverses (the samplers of
:mod:`binary_gumbel.conditional_noise`), and the derivatives REBAR differentiates through.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from binary_gumbel.verification.symbolic import sigmoid

__all__ = ["ConditionalNoiseDerivation", "conditional_noise_derivation"]


@dataclass(frozen=True)
class ConditionalNoiseDerivation:
    """The conditional law of ``z`` given ``b``, derived in SymPy, and its three checks.

    ``cdf_one``/``cdf_zero`` are the conditional CDFs, obtained by integrating the
    Logistic density over ``(0, s]`` and ``(-inf, s]`` and dividing by
    ``P(b)``; ``sampler_one``/``sampler_zero`` solve ``F_b(s) = v`` for ``s``.
    Every ``*_residual`` is a SymPy expression that simplifies to 0:

    - ``inverse_residuals``: ``F_b(g~_b(v)) - v``, the sampler inverts the CDF;
    - ``closed_form_residuals``: ``exp(g~_b)`` minus the closed forms
      ``(1 + v e^logit) / (1 - v)`` and ``v / (1 + (1 - v) e^-logit)``;
    - ``mixture_residuals``: ``p F_1(s) + (1 - p) F_0(s) - sigmoid(s - logit)`` on
      ``s > 0`` (where ``F_0 = 1``) and on ``s < 0`` (where ``F_1 = 0``);
    - ``derivative_residuals``: ``d g~_b / d logit`` minus ``sigmoid(logit + log v)``
      and ``sigmoid(log(1 - v) - logit)``.
    """

    logit: sp.Symbol
    s: sp.Symbol
    v: sp.Symbol
    cdf_one: sp.Expr
    cdf_zero: sp.Expr
    sampler_one: sp.Expr
    sampler_zero: sp.Expr
    derivative_one: sp.Expr
    derivative_zero: sp.Expr
    inverse_residuals: tuple[sp.Expr, sp.Expr]
    closed_form_residuals: tuple[sp.Expr, sp.Expr]
    mixture_residuals: tuple[sp.Expr, sp.Expr]
    derivative_residuals: tuple[sp.Expr, sp.Expr]

    def all_zero(self) -> bool:
        """Whether every residual simplifies to exactly 0."""
        residuals = (
            self.inverse_residuals
            + self.closed_form_residuals
            + self.mixture_residuals
            + self.derivative_residuals
        )
        return all(sp.simplify(r) == 0 for r in residuals)


@cache
def conditional_noise_derivation() -> ConditionalNoiseDerivation:
    """Derive the law of ``z = logit + Logistic`` given ``b = H(z)`` and its sampler in SymPy."""
    logit, s, x = sp.symbols("theta s x", real=True)
    v = sp.Symbol("v", positive=True)
    big_s = sp.Symbol("S", positive=True)  # e^s

    density = sp.diff(sigmoid(x - logit), x)  # the Logistic(logit, 1) density
    p = sigmoid(logit)
    cdf_one = sp.simplify(sp.integrate(density, (x, 0, s)) / p)
    cdf_zero = sp.simplify(sp.integrate(density, (x, -sp.oo, s)) / (1 - p))
    samplers = []
    for cdf in (cdf_one, cdf_zero):
        (root,) = sp.solve(sp.Eq(cdf.subs(s, sp.log(big_s)), v), big_s)
        samplers.append(sp.log(sp.factor(root)))
    sampler_one, sampler_zero = samplers
    derivative_one = sp.simplify(sp.diff(sampler_one, logit))
    derivative_zero = sp.simplify(sp.diff(sampler_zero, logit))
    closed = ((1 + v * sp.exp(logit)) / (1 - v), v / (1 + (1 - v) * sp.exp(-logit)))
    return ConditionalNoiseDerivation(
        logit=logit,
        s=s,
        v=v,
        cdf_one=cdf_one,
        cdf_zero=cdf_zero,
        sampler_one=sampler_one,
        sampler_zero=sampler_zero,
        derivative_one=derivative_one,
        derivative_zero=derivative_zero,
        inverse_residuals=tuple(
            sp.simplify(cdf.subs(s, g) - v)
            for cdf, g in ((cdf_one, sampler_one), (cdf_zero, sampler_zero))
        ),
        closed_form_residuals=tuple(
            sp.simplify(sp.exp(g) - c) for g, c in zip(samplers, closed, strict=True)
        ),
        mixture_residuals=(
            sp.simplify(p * cdf_one + (1 - p) - sigmoid(s - logit)),
            sp.simplify((1 - p) * cdf_zero - sigmoid(s - logit)),
        ),
        derivative_residuals=(
            sp.simplify(derivative_one - sigmoid(logit + sp.log(v))),
            sp.simplify(derivative_zero - sigmoid(sp.log(1 - v) - logit)),
        ),
    )
