"""The binary Gumbel-softmax (binary Concrete) relaxation, executed.

The names exported here are the contract the book's chapters and tests rely
on: the relaxation itself (:mod:`binary_gumbel.relaxed`), the two noise
transforms it is built from (:mod:`binary_gumbel.noise`), and the binary
Concrete density and CDF (:mod:`binary_gumbel.density`). References: Jang, Gu &
Poole (2016), arXiv:1611.01144; Maddison, Mnih & Teh (2016), arXiv:1611.00712.

The package is in layers, one folder each, every import pointing down the list:

- the core, this folder (NumPy only, and all that ``import binary_gumbel`` loads): the
  noise transforms (:mod:`binary_gumbel.noise`), the relaxations and their samplers
  (:mod:`binary_gumbel.relaxed`; the categorical form in :mod:`binary_gumbel.categorical`),
  the binary Concrete density
  (:mod:`binary_gumbel.density`), the hard concrete gate of Louizos, Welling & Kingma
  (2018), arXiv:1712.01312 (:mod:`binary_gumbel.hard_concrete`), REBAR's conditional
  noise (:mod:`binary_gumbel.conditional_noise`);
- :mod:`binary_gumbel.verification`: SymPy derivations, the note's claims and their
  verdicts (also ``python -m binary_gumbel.verify``), the statistics of every Monte Carlo
  check, and the checks of the samplers;
- :mod:`binary_gumbel.estimators`: gradient estimators through binary variables, their
  registry and statistics, training, L0 gates and sparse regression, the model with
  binary latents;
- :mod:`binary_gumbel.book`: the figures, the explorable figures (the binary Concrete
  density; the sign of Eq. (1)), the reports, the demos and the prose a chapter shows;
- ``python -m binary_gumbel.bench``: the speed comparison the book reports.
"""

from binary_gumbel.categorical import gumbel_softmax
from binary_gumbel.density import binary_concrete_cdf, binary_concrete_logpdf, binary_concrete_pdf
from binary_gumbel.hard_concrete import (
    hard_concrete_cdf,
    hard_concrete_prob_one,
    hard_concrete_prob_zero,
    sample_hard_concrete,
)
from binary_gumbel.noise import gumbel_from_uniform, logistic_from_uniform
from binary_gumbel.relaxed import (
    binary_gumbel_softmax,
    logit_from_probability,
    logit_from_unnormalized,
    sample_binary_gumbel_softmax,
)

__all__ = [
    "binary_concrete_cdf",
    "binary_concrete_logpdf",
    "binary_concrete_pdf",
    "binary_gumbel_softmax",
    "gumbel_from_uniform",
    "gumbel_softmax",
    "hard_concrete_cdf",
    "hard_concrete_prob_one",
    "hard_concrete_prob_zero",
    "logistic_from_uniform",
    "logit_from_probability",
    "logit_from_unnormalized",
    "sample_binary_gumbel_softmax",
    "sample_hard_concrete",
]
