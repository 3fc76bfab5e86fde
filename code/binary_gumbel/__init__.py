"""The binary Gumbel-softmax (binary Concrete) relaxation, executed.

The public names below are the contract the book's chapters and tests rely on.
"""

from binary_gumbel.density import binary_concrete_cdf, binary_concrete_logpdf, binary_concrete_pdf
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
    "gumbel_softmax",
    "logit_from_probability",
    "logit_from_unnormalized",
    "sample_binary_gumbel_softmax",
]
