"""Symbolic derivations behind the note, in SymPy: the results the chapters display.

The note's symbols and the expressions built from them live in
:mod:`~binary_gumbel.verification.symbolic.expressions`; the derivations, SymPy objects built
by computation (integration, solving, limits, differentiation), never a typed-in answer, in
:mod:`~binary_gumbel.verification.symbolic.derivations`. This package gathers both, so that a
chapter reads ``symbolic.p`` after ``from binary_gumbel.verification import symbolic``. The
verdict engine (:mod:`binary_gumbel.verification.engine`) reuses them.

Parameterisations
-----------------
* ``Gumbel(mu)`` has location ``mu`` and scale 1: CDF ``exp(-exp(-(x - mu)))``.
* ``Logistic(mu, s)`` has location ``mu`` and scale ``s``: CDF
  ``sigma((z - mu) / s)``; the standard Logistic is ``Logistic(0, 1)``.
* Eq. (3) of the note, the Gumbel-softmax of Jang, Gu & Poole (2016,
  arXiv:1611.01144): ``x_k = exp((log a_k + g_k)/tau) / sum_i exp((log a_i + g_i)/tau)``.
* The binary Concrete of Maddison, Mnih & Teh (2016, arXiv:1611.00712):
  ``x = sigma((logit + Z)/tau)`` with ``Z ~ Logistic(0, 1)``.
"""

from binary_gumbel.verification.symbolic.derivations import (
    Derivation,
    binary_concrete_density,
    clamped_noise_bound,
    fast_form_identity,
    gumbel_difference_cdf,
    gumbel_max_probability,
    logistic_inverse_cdf,
    tau_limits,
)
from binary_gumbel.verification.symbolic.expressions import (
    Probability,
    Sigmoid,
    alpha1,
    alpha2,
    ell,
    fold_sigmoids,
    g1,
    g2,
    gumbel_cdf,
    gumbel_pdf,
    gumbel_softmax_expr,
    in_odds,
    logistic_cdf,
    logit,
    mu1,
    mu2,
    odds,
    p,
    sigmoid,
    tau,
    u,
    x,
    z,
)

__all__ = [
    "Derivation",
    "Probability",
    "Sigmoid",
    "alpha1",
    "alpha2",
    "binary_concrete_density",
    "clamped_noise_bound",
    "ell",
    "fast_form_identity",
    "fold_sigmoids",
    "g1",
    "g2",
    "gumbel_cdf",
    "gumbel_difference_cdf",
    "gumbel_max_probability",
    "gumbel_pdf",
    "gumbel_softmax_expr",
    "in_odds",
    "logistic_cdf",
    "logistic_inverse_cdf",
    "logit",
    "mu1",
    "mu2",
    "odds",
    "p",
    "sigmoid",
    "tau",
    "tau_limits",
    "u",
    "x",
    "z",
]
