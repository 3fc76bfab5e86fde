"""What the VAE chapters report: paired comparisons, the learning-rate check, the verdict table.

Conventions (the book's): means over a few seeds get Student-t intervals
(:func:`binary_gumbel.verification.montecarlo.mean_intervals`); two methods run on the same seeds
see the same data, so they are compared by the paired differences, seed by seed,
with a Student-t interval and the paired t-test; every rate stated is two-sided and
per interval, and a family of ``m`` intervals named in advance has a family-wise rate of at
most ``m`` times it (Bonferroni); where the intervals are picked with the help of the same
runs, as in :func:`top_family`, ``m`` counts every interval they could have been picked from.

The package gathers the names of its modules: :mod:`.comparison` (two methods, paired),
:mod:`.rates` (the learning-rate check), :mod:`.table` (the "which estimator?" table and the
family of comparisons with its top row) and :mod:`.readings` (the guide's readings); the
checks they share are in the private :mod:`._checks`.
"""

from binary_gumbel.book.vae_report.comparison import Paired, paired
from binary_gumbel.book.vae_report.rates import RateCheck, rate_check
from binary_gumbel.book.vae_report.readings import BiasedReading, biased_reading, stricter_reading
from binary_gumbel.book.vae_report.table import (
    TopFamily,
    Verdict,
    listing,
    top_family,
    verdict_markdown,
    verdicts,
)

__all__ = [
    "BiasedReading",
    "Paired",
    "RateCheck",
    "TopFamily",
    "Verdict",
    "biased_reading",
    "listing",
    "paired",
    "rate_check",
    "stricter_reading",
    "top_family",
    "verdict_markdown",
    "verdicts",
]
