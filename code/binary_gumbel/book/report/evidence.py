"""The Monte Carlo evidence behind the verdicts: the proportion checks of the verifier's
results, which of them are one test counted twice (:func:`distinct_checks`,
:func:`complementary_pairs`, :func:`distinct_estimates`), how many claims they confirm
(:func:`monte_carlo_coverage`), and the false-alarm rate of a family of checks, per check
and family-wise (:func:`false_alarm_text`).
"""

from __future__ import annotations

from typing import NamedTuple

from binary_gumbel._validation import check_false_alarm, check_integer
from binary_gumbel.book.prose.numbers import rate_text
from binary_gumbel.book.report._results import _check_results
from binary_gumbel.verification.montecarlo import (
    DEFAULT_FALSE_ALARM,
    ProportionCheck,
    check_proportion,
    family_wise,
)

__all__ = [
    "MonteCarloCoverage",
    "complementary",
    "complementary_pairs",
    "distinct_checks",
    "distinct_estimates",
    "false_alarm_text",
    "monte_carlo_coverage",
    "proportion_evidence",
]


def proportion_evidence(results) -> list[tuple[str, str, ProportionCheck]]:
    """The verifier's Monte Carlo probability confirmations, as ``(claim id, check name, check)``.

    Each confirmation that recorded ``successes``, ``n`` and the ``claimed``
    probability is re-expressed as a Clopper-Pearson check against the claimed
    value, at the false-alarm rate the verifier used; the corrected forms'
    confirmations are included, labelled ``"<id> (corrected)"``.
    """
    found = []
    for r in _check_results(results):
        for label, checks in ((r.id, r.checks), (f"{r.id} (corrected)", r.corrected_checks)):
            for c in checks:
                if {"successes", "n", "claimed"} <= c.data.keys():
                    d = c.data
                    rate = d.get("false_alarm", DEFAULT_FALSE_ALARM)
                    check = check_proportion(d["successes"], d["n"], d["claimed"], rate)
                    found.append((label, c.name, check))
    return found


def distinct_checks(checks) -> list[ProportionCheck]:
    """The proportion ``checks`` with one per different estimate ``successes / n``: the
    first of each, in order.

    Checks that count the same successes out of the same samples, for instance the
    same formula evaluated on the same uniforms, or formulas that agree up to
    rounding, are one test counted several times: one of them stays here.
    """
    checks = list(checks)
    if not all(isinstance(c, ProportionCheck) for c in checks):
        raise TypeError(
            "checks must be ProportionCheck objects (binary_gumbel.verification.montecarlo)"
        )
    first = {}
    for check in checks:
        first.setdefault((check.successes, check.n), check)
    return list(first.values())


def complementary(first, second) -> bool:
    """Whether two proportion checks count complementary events out of one sample size, at
    one false-alarm rate: ``first.successes + second.successes == n`` for the same ``n``
    and the same ``false_alarm``.

    Counts of complementary events on the same draws (a formula and its mirror image on
    the same uniforms) are one test: at one rate, their Clopper-Pearson intervals reflect
    each other about 1/2, and one misses its true value exactly when the other misses its
    own. Two independent samples can also give complementary counts by chance, so whether
    the draws are the same is for the caller to know; this says only whether the counts are.
    """
    if not (isinstance(first, ProportionCheck) and isinstance(second, ProportionCheck)):
        raise TypeError(
            "first and second must be ProportionCheck objects "
            "(binary_gumbel.verification.montecarlo)"
        )
    return (
        first.n == second.n
        and first.successes + second.successes == first.n
        and first.false_alarm == second.false_alarm
    )


def complementary_pairs(checks) -> list[tuple[ProportionCheck, ProportionCheck]]:
    """The pairs of :func:`distinct_checks` of ``checks`` that are :func:`complementary`, in
    order (each pair once); where their draws are the same, each pair is one test."""
    distinct = distinct_checks(checks)
    return [
        (first, second)
        for i, first in enumerate(distinct)
        for second in distinct[i + 1 :]
        if complementary(first, second)
    ]


def distinct_estimates(checks) -> int:
    """How many different estimates ``successes / n`` the proportion ``checks`` hold
    (:func:`distinct_checks`, counted)."""
    return len(distinct_checks(checks))


class MonteCarloCoverage(NamedTuple):
    """Which claims the verifier also confirms by Monte Carlo, and how many tests it runs."""

    #: ids of the claims with at least one Monte Carlo check (on the claim or its correction).
    confirmed: tuple[str, ...]
    #: ids of the claims decided by SymPy alone (identities need no sampling).
    symbolic_only: tuple[str, ...]
    #: the number of Monte Carlo tests in one run of the verifier, corrections included.
    tests: int


def _is_monte_carlo(check) -> bool:
    return check.method.startswith("Monte Carlo")


def monte_carlo_coverage(results) -> MonteCarloCoverage:
    """Split the claims by whether a seeded Monte Carlo test confirms them, and count the tests.

    A check counts when its ``method`` starts with ``"Monte Carlo"`` (the verifier's
    Clopper-Pearson and Kolmogorov-Smirnov confirmations), on the claim or on its correction.
    """
    results = _check_results(results)
    counts = {
        r.id: sum(_is_monte_carlo(c) for c in (*r.checks, *r.corrected_checks)) for r in results
    }
    return MonteCarloCoverage(
        tuple(i for i, k in counts.items() if k),
        tuple(i for i, k in counts.items() if not k),
        sum(counts.values()),
    )


def false_alarm_text(count: int, rate: float = DEFAULT_FALSE_ALARM, unit: str = "interval") -> str:
    """The false-alarm rate of ``count`` checks, per check and family-wise, as a phrase.

    Each check alone misses a true claim with probability at most ``rate``; by the union
    (Bonferroni) bound, the chance that *any* of the ``count`` checks does is at most
    ``min(1, count * rate)`` (:func:`~binary_gumbel.verification.montecarlo.family_wise`),
    whatever their dependence; both are written by
    :func:`~binary_gumbel.book.prose.numbers.rate_text`. ``count`` is a positive integer
    (NumPy's too); ``unit`` names one check (``"interval"``, ``"test"``). Example:
    ``false_alarm_text(9)`` is "at most 10⁻⁶ per interval, and at most 9×10⁻⁶ for the 9
    intervals together (Bonferroni bound)".
    """
    count = check_integer(count, "count", 1)
    rate = check_false_alarm(rate, "rate")
    family = family_wise(rate, count)
    if count == 1:
        return f"at most {rate_text(rate)} for the one {unit}"
    return (
        f"at most {rate_text(rate)} per {unit}, and at most {rate_text(family)} for the "
        f"{count} {unit}s together (Bonferroni bound)"
    )
