"""The note ("Gumbel Softmax Estimation for Binary Random Variables"), as SymPy objects.

Its equations and the four lines of its final derivation as written (typos, of the note or
of its transcription, read as what was evidently meant; :mod:`binary_gumbel.verification.derivation`
lists them), their corrections, and each claim in words. The verdicts are
:mod:`binary_gumbel.verification.derivation`'s.
"""

from __future__ import annotations

import sympy as sp

from binary_gumbel.verification.engine import as_expression
from binary_gumbel.verification.symbolic import (
    Sigmoid,
    alpha1,
    alpha2,
    g1,
    g2,
    gumbel_softmax_expr,
    logit,
    p,
    tau,
    u,
)

__all__ = [
    "CLAIM_TEXT",
    "CORRECTED_EQ1",
    "CORRECTED_EQ1_DISPLAY",
    "CORRECTED_EQ2",
    "CORRECTED_EQ2_DISPLAY",
    "CORRECTED_STEP4",
    "CORRECTED_STEP4_DISPLAY",
    "DEFINITION",
    "DEFINITION_UNNORMALISED",
    "EQ1",
    "EQ1_DISPLAY",
    "EQ2",
    "EQ2_DISPLAY",
    "LIMIT_EVENT",
    "STEPS",
    "display",
    "noise_logit",
]


#: ``log(q / (1 - q))``, the logit as the note writes it
#: (:func:`binary_gumbel.verification.symbolic.logit`).
noise_logit = logit


def display(expr) -> sp.Expr:
    """Evaluate the display-only :class:`Sigmoid` into explicit exponentials.

    ``expr`` must be a SymPy expression or a number (``TypeError`` naming it otherwise).
    """
    return as_expression(expr, "expr").rewrite(sp.exp)


# --- the note, as written (typos read as meant) -----------------------------------------------

#: Eq. (3) with n = 2, k = 1, alpha = [p, 1 - p]: the two-class Gumbel-softmax.
DEFINITION = gumbel_softmax_expr([p, 1 - p], [g1, g2])
#: Eq. (3) with n = 2, k = 1, alpha = [alpha_1, alpha_2].
DEFINITION_UNNORMALISED = gumbel_softmax_expr([alpha1, alpha2], [g1, g2])
EQ1_DISPLAY = Sigmoid(-(noise_logit(p) + noise_logit(u)) / tau)
EQ1 = display(EQ1_DISPLAY)
EQ2_DISPLAY = Sigmoid(-(sp.log(alpha1 / (alpha1 + alpha2)) + noise_logit(u)) / tau)
EQ2 = display(EQ2_DISPLAY)
_top = sp.exp((sp.log(p) + g1) / tau)
#: The four lines of the final derivation; line 1 with ``exp exp`` read as ``exp``.
STEPS = (
    _top / (_top + sp.exp((sp.log(1 - p) + g2) / tau)),
    1 / (1 + sp.exp((sp.log(1 - p) - sp.log(p) + g2 - g1) / tau)),
    1 / (1 + sp.exp((sp.log(1 - p) - sp.log(p) + sp.log(u) - sp.log(1 - u)) / tau)),
    EQ1,
)

# --- corrections --------------------------------------------------------------------------------

CORRECTED_EQ1_DISPLAY = Sigmoid((noise_logit(p) + noise_logit(u)) / tau)
CORRECTED_EQ1 = display(CORRECTED_EQ1_DISPLAY)
CORRECTED_EQ2_DISPLAY = Sigmoid((sp.log(alpha1 / alpha2) + noise_logit(u)) / tau)
CORRECTED_EQ2 = display(CORRECTED_EQ2_DISPLAY)
CORRECTED_STEP4_DISPLAY = Sigmoid(
    sp.Mul(-1, sp.log((1 - p) / p) + noise_logit(u), evaluate=False) / tau
)
CORRECTED_STEP4 = display(CORRECTED_STEP4_DISPLAY)

LIMIT_EVENT = r"P\left(\lim_{\tau \to 0} x = 1\right) = "

#: Each claim as the note states it, in words.
CLAIM_TEXT = {
    "eq1": "Eq. (1): x = σ{−(1/τ)(log p/(1−p) + log u/(1−u))} is the Gumbel-softmax for "
    "α = [p, 1−p], and P(lim_{τ→0} x = 1) = p",
    "eq2": "Eq. (2): x = σ{−(1/τ)(log α₁/(α₁+α₂) + log u/(1−u))} for α = [α₁, α₂], and "
    "P(lim_{τ→0} x = 1) = α₁/(α₁+α₂)",
    "eq3-limit": "Eq. (3): P(lim_{τ→0} x_k = 1) = α_k / Σ_i α_i",
    "gumbel-difference": "X₁ ~ Gumbel(α₁), X₂ ~ Gumbel(α₂) independent ⇒ "
    "X₁ − X₂ ~ Logistic(α₁ − α₂)",
    "logistic-sampling": "x ~ Logistic(1) ⇔ x = log u/(1−u), u ~ Uniform(0, 1)",
    "step-1": "line 1: Binary Gumbel Softmax = exp{(log p + g₁)/τ} / (exp exp{(log p + g₁)/τ} + "
    "exp exp{(log(1−p) + g₂)/τ})",
    "step-2": "line 2: = 1 / (1 + exp{(log(1−p) − log p + g₂ − g₁)/τ})",
    "step-3": "line 3: = 1 / (1 + exp{(log(1−p) − log p + log u − log(1−u))/τ})",
    "step-4": "line 4: = σ{−(1/τ)(log p/(1−p) + log u/(1−u))}",
}
