"""The guide's readings of the VAE chapter's intervals, in prose: one difference read at two
false-alarm rates (:func:`stricter_reading`), and two biased estimators against the top
method and the exact gradient (:func:`biased_reading`, a :class:`BiasedReading`). Each
reading is computed from the intervals, so that no typed word beside it presupposes one
outcome of a seeded training.
"""

from __future__ import annotations

from dataclasses import dataclass

from binary_gumbel.book.vae_report.comparison import Paired
from binary_gumbel.book.vae_report.table import TopFamily, Verdict

__all__ = ["BiasedReading", "biased_reading", "stricter_reading"]


def stricter_reading(listed: Paired, strict: Paired) -> tuple[str, str]:
    """One difference ``a - b`` read at two rates, for a method ``a`` that costs more than
    ``b``: where the stricter interval lies, and what the two verdicts leave of the case
    against ``a`` (prose, the second a sentence): ``(where, so)``."""
    if strict.high < 0:
        return "lies below 0", "So the ELBO and the cost both count against it"
    if strict.low > 0:
        return "lies above 0", "So only the cost counts against it"
    if listed.high < 0:
        so = (
            "So whether its ELBO counts against it depends on the false-alarm rate, while its "
            "cost does at any"
        )
    elif listed.low > 0:
        so = (
            "So its ELBO counts for it only at the list's false-alarm rate, while its cost "
            "counts against it at any"
        )
    else:
        so = "So its ELBO is not shown to count against it; its cost does"
    return "contains 0", so


@dataclass(frozen=True)
class BiasedReading:
    """The guide's line on two biased estimators: its heading, their standing against the top
    method, and whether both fall short of the exact gradient (prose)."""

    head: str
    standing: str
    shortfall: str


def biased_reading(
    first: Verdict, second: Verdict, labels: tuple[str, str], family: TopFamily
) -> BiasedReading:
    """:class:`BiasedReading` of two rows: advice against both (``"Not a, nor b"``, from
    ``labels``) only when both are shown below the top method and both intervals of the
    bias along the exact gradient lie below 0, a shortfall no number of samples repairs."""
    below = [r.method for r in (first, second) if family.shown_below(r.method)]
    if len(below) == 2:
        standing = "both are shown below the top method's, in the family above"
    elif below:
        standing = f"of the two, {below[0]}'s is shown below the top method's, in the family above"
    else:
        standing = "neither is shown below the top method's, in the family above"
    short = first.along_high < 0 and second.along_high < 0
    a, b = labels
    head = f"Not {a}, nor {b}" if short and len(below) == 2 else f"{a[:1].upper()}{a[1:]} and {b}"
    shortfall = (
        "Both intervals lie below 0: their estimates fall short of the exact gradient on "
        "average, which no number of samples repairs"
        if short
        else "Not both intervals lie below 0, so a shortfall of both is not shown here"
    )
    return BiasedReading(head, standing, shortfall)
