"""The binary Gumbel-softmax (binary Concrete) relaxation, executed.

The names exported here are the contract the book's chapters and tests rely
on: the relaxation itself (:mod:`binary_gumbel.relaxed`), the two noise
transforms it is built from (:mod:`binary_gumbel.noise`), and the binary
Concrete density and CDF (:mod:`binary_gumbel.density`). References: Jang, Gu &
Poole (2016), arXiv:1611.01144; Maddison, Mnih & Teh (2016), arXiv:1611.00712.

Where the rest lives:

- :mod:`binary_gumbel.noise`: Gumbel and Logistic transforms, densities and
  CDFs, and a stable ``sigmoid``/``log_sigmoid``;
- :mod:`binary_gumbel.relaxed`: also the two-class reference sampler that the
  binary form replaces;
- :mod:`binary_gumbel.verification.derivation` and ``python -m binary_gumbel.verify``: the
  note's claims and their computed verdicts;
- :mod:`binary_gumbel.estimators.gradients`: gradient estimators on toy objectives;
- :mod:`binary_gumbel.hard_concrete`: the hard concrete gate of Louizos, Welling &
  Kingma (2018), arXiv:1712.01312, and its closed-form L0 penalty;
  :mod:`binary_gumbel.estimators.sparse_regression`: L0-regularised regression with those gates;
  :mod:`binary_gumbel.estimators.gate_failures`: where those gates miss the exact best subset;
- :mod:`binary_gumbel.verification.montecarlo`: statistical checks at a stated false-alarm
  rate;
- :mod:`binary_gumbel.book.figures`: the book's plotting style and helpers;
  :mod:`binary_gumbel.book.explorable`: the explorable density figure, its frames
  computed here and a Vega-Lite chart that only selects among them
  (``from binary_gumbel import explorable``; not imported with the package, which
  stays free of matplotlib and Altair);
- ``python -m binary_gumbel.bench``: the speed comparison the book reports.
"""

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
    gumbel_softmax,
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
