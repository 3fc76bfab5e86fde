"""The hard concrete gate: a stretched and clipped binary Concrete (Louizos et al. 2018).

Louizos, Welling & Kingma (2018), "Learning Sparse Neural Networks through
L_0 Regularization", ICLR, arXiv:1712.01312, Sec. 4. A binary Concrete sample
(:func:`binary_gumbel.binary_gumbel_softmax`, the corrected Eq. (1) of the note)

    s = sigmoid((logit + log u - log(1 - u)) / tau),      u ~ Uniform(0, 1),

is stretched to the interval (gamma, zeta), with ``gamma < 0 < 1 < zeta``, and
clipped to [0, 1]:

    z = min(1, max(0, gamma + (zeta - gamma) s)).

The gate ``z`` is exactly 0 with positive probability, exactly 1 with positive
probability, and continuous in between. Its law, in closed form from the binary Concrete
CDF (the point masses, the CDF, the density of the continuous part, the expected L0 norm
and its gradient), is :mod:`binary_gumbel.hard_concrete.law`; its mean and variance, by
quadrature, :mod:`binary_gumbel.hard_concrete.moments`; its sampling,
:mod:`binary_gumbel.hard_concrete.sampling`.
"""

from __future__ import annotations

from binary_gumbel.hard_concrete._parameters import GAMMA, ZETA
from binary_gumbel.hard_concrete.law import (
    expected_l0,
    expected_l0_grad,
    hard_concrete_cdf,
    hard_concrete_logpdf,
    hard_concrete_pdf,
    hard_concrete_prob_one,
    hard_concrete_prob_zero,
    logit_for_prob_zero,
)
from binary_gumbel.hard_concrete.moments import hard_concrete_moments
from binary_gumbel.hard_concrete.sampling import hard_concrete_from_uniform, sample_hard_concrete

__all__ = [
    "GAMMA",
    "ZETA",
    "expected_l0",
    "expected_l0_grad",
    "hard_concrete_cdf",
    "hard_concrete_from_uniform",
    "hard_concrete_logpdf",
    "hard_concrete_moments",
    "hard_concrete_pdf",
    "hard_concrete_prob_one",
    "hard_concrete_prob_zero",
    "logit_for_prob_zero",
    "sample_hard_concrete",
]
