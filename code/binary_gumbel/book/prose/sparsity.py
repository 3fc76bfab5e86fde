"""The strings of the hard concrete chapter's sparse regression: the problem, the comparison
of best subset with the gates, and the sweep over the penalty (the chapter's sampler checks
are formatted by :mod:`binary_gumbel.book.prose.sampler_checks`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import check_integer
from binary_gumbel.book.prose.numbers import bracketed, joined, number, rate_percent

# The hard concrete chapter's sampler-check strings lived here; they are still importable
# from here, though their module is now binary_gumbel.book.prose.sampler_checks.
from binary_gumbel.book.prose.sampler_checks import SamplerChecksText, sampler_checks_text
from binary_gumbel.estimators.sparse_data import Problem
from binary_gumbel.estimators.sparse_regression import (
    BEST,
    GATES,
    ORACLE,
    REFIT,
    Interval,
    SubsetComparison,
)
from binary_gumbel.verification import montecarlo

__all__ = [
    "ComparisonText",
    "GapBelowText",
    "ProblemText",
    "SamplerChecksText",
    "SweepText",
    "bonferroni_text",
    "gap_below_text",
    "interval_text",
    "problem_text",
    "sampler_checks_text",
    "shown_intervals",
    "subset_comparison_text",
    "summary_table",
    "sweep_text",
]


@dataclass(frozen=True)
class ProblemText:
    """The sizes of a :class:`~binary_gumbel.estimators.sparse_data.Problem`, formatted."""

    seeds: str
    n: str
    n_test: str
    d: str
    k: str
    subsets: str
    weights: str
    noise_sd: str
    rho: str
    seed: str


def problem_text(problem: Problem) -> ProblemText:
    """Formatted sizes and parameters of ``problem``."""
    seeds, n, d = problem.X_train.shape
    nonzero = problem.weights[problem.support]
    return ProblemText(
        seeds=str(seeds),
        n=str(n),
        n_test=f"{problem.X_test.shape[1]:,}",
        d=str(d),
        k=str(int(problem.support.sum())),
        subsets=f"{2**d:,}",
        weights=", ".join(number(w, "g") for w in nonzero),
        noise_sd=f"{problem.noise_sd:g}",
        rho=f"{problem.rho:g}",
        seed=str(problem.seed),
    )


def interval_text(iv: Interval, fmt: str) -> str:
    """``estimate [low, high]``, each in the format ``fmt``, with minus signs, not hyphens."""
    return bracketed(iv.estimate, iv.low, iv.high, fmt)


def summary_table(comparison: SubsetComparison) -> str:
    """A Markdown table: each method's exact-recovery rate, error counts and test MSE.

    A reference whose support is fixed by construction shows its recovery without an
    interval, as "1 (by construction)" or "0 (by construction)".
    """
    pct = int(round(100 * (1 - comparison.false_alarm)))
    rows = [
        f"| method | exact support recovery ({pct}% CI) | false positives | false negatives "
        f"| test MSE ({pct}% CI) |",
        "|---|---|---|---|---|",
    ]
    for m in comparison.methods:
        fp, fn = comparison.false_counts(m.name)
        recovery = comparison.recovery(m.name)
        shown = (
            f"{recovery.estimate:g} (by construction)"
            if m.fixed_support
            else interval_text(recovery, ".2f")
        )
        rows.append(
            f"| {m.name} | {shown} | {fp:.2f} | {fn:.2f} "
            f"| {interval_text(comparison.error(m.name), '.3f')} |"
        )
    return "\n".join(rows)


def shown_intervals(comparison: SubsetComparison) -> int:
    """How many intervals :func:`summary_table` and :func:`subset_comparison_text` show.

    The table gives each method's test-error interval and, unless its support is fixed by
    construction, its recovery interval; the text adds five: the agreement and four paired
    test-error gaps (its two recovery intervals repeat the table's).
    """
    return sum(1 if m.fixed_support else 2 for m in comparison.methods) + 5


@dataclass(frozen=True)
class ComparisonText:
    """The numbers of a :class:`~binary_gumbel.estimators.sparse_regression.SubsetComparison`."""

    lam: str
    seeds: str
    best_recovery: str
    gates_recovery: str
    agreement: str
    gates_excess: str
    best_excess: str
    confidence: str
    refit_excess: str
    refit_change: str
    familywise: str


def subset_comparison_text(comparison: SubsetComparison) -> ComparisonText:
    """Formatted recovery rates, agreement and paired test-error gaps (vs the oracle, and
    the refitted gates' error minus the gates' own), and the Bonferroni bound on the
    family-wise false-alarm rate of the intervals the summary table and these texts show."""
    n = comparison.methods[0].test_mse.size
    return ComparisonText(
        lam=f"{comparison.lam:.4f}",
        seeds=str(n),
        best_recovery=interval_text(comparison.recovery(BEST), ".2f"),
        gates_recovery=interval_text(comparison.recovery(GATES), ".2f"),
        agreement=interval_text(comparison.agreement(), ".2f"),
        gates_excess=interval_text(comparison.excess_over(GATES, ORACLE), ".4f"),
        best_excess=interval_text(comparison.excess_over(BEST, ORACLE), ".4f"),
        confidence=f"{round(100 * (1 - comparison.false_alarm))}%",
        refit_excess=interval_text(comparison.excess_over(REFIT, ORACLE), ".4f"),
        refit_change=interval_text(comparison.excess_over(REFIT, GATES), ".4f"),
        familywise=bonferroni_text(shown_intervals(comparison), comparison.false_alarm),
    )


def bonferroni_text(k: int, false_alarm: float) -> str:
    """``k × false_alarm = bound``: the Bonferroni bound on ``k`` intervals' family-wise rate
    (:func:`~binary_gumbel.verification.montecarlo.family_wise`, at most 1), the rates in
    percent by :func:`~binary_gumbel.book.prose.numbers.rate_percent`: ``13 × 5% = 65%``.
    ``k`` is a positive integer."""
    family = montecarlo.family_wise(false_alarm, check_integer(k, "k", 1))
    return f"{k} × {rate_percent(false_alarm)} = {rate_percent(family)}"


@dataclass(frozen=True)
class SweepText:
    """Where along a sweep the gates agree with best subset, and where they do not."""

    threshold: str
    agree_lams: str
    disagree_lams: str
    worst_lam: str
    worst_agreement: str
    largest_gap: str
    largest_gap_where: str
    gaps_over_one: str
    largest_single_gap: str
    lam_range: str
    gap_verdict: str
    peaks: str
    end_recovery: str
    small_false_positives: str
    large_false_negatives: str
    recovery_range: str
    recovery_difference: str
    difference_verdict: str


@dataclass(frozen=True)
class GapBelowText:
    """The gates' objective gap where they miss, at the smallest ``lam`` of a second grid
    below a sweep, against the sweep's widest mean gap and one feature's price."""

    lam: str
    grid: str
    gap: str
    sweep_gap: str
    versus_sweep: str
    verdict: str
    over: str


def gap_below_text(rows, below, false_alarm: float = 0.05) -> GapBelowText:
    """:class:`GapBelowText` for the sweep's ``rows`` and the ``below`` rows of a grid whose
    largest ``lam`` is at most the sweep's smallest (both from
    :func:`~binary_gumbel.estimators.sparse_regression.sweep`).

    The mean gaps over the missed datasets carry Student-t intervals at ``false_alarm``
    each: ``versus_sweep`` says whether the interval at the bottom of ``below`` lies above,
    below or across that of the sweep's widest mean gap, and ``verdict`` where it lies
    against one
    ``lam``, the price of one feature ("above", "below" or "not resolved from")."""
    rows, below = list(rows), list(below)
    if not rows or not below:
        raise ValueError("rows and below must each hold at least one SweepRow")
    for name, group in (("rows", rows), ("below", below)):
        lams = np.array([r.lam for r in group], dtype=float)
        if not np.all(np.isfinite(lams)) or np.any(np.diff(lams) <= 0):
            raise ValueError(f"{name} must have finite lam, increasing; got {lams.tolist()}")
        if not all(np.all(np.isfinite(r.miss_gaps)) for r in group):
            raise ValueError(f"{name} must have finite miss_gaps")
    if below[-1].lam > rows[0].lam:
        raise ValueError(
            f"below must lie below the sweep: its largest lam {below[-1].lam:g} exceeds "
            f"the sweep's smallest {rows[0].lam:g}"
        )
    bottom = below[0]
    widest = rows[_widest(rows)]
    if bottom.miss_gaps.size < 2 or widest.miss_gaps.size < 2:
        raise ValueError("below's smallest lam and the sweep's widest gap need two misses each")
    low = montecarlo.mean_interval(bottom.miss_gaps, false_alarm)
    sweep = montecarlo.mean_interval(widest.miss_gaps, false_alarm)
    if low.low > 1:
        verdict = "above"
    elif low.high < 1:
        verdict = "below"
    else:
        verdict = "not resolved from"
    return GapBelowText(
        lam=f"{bottom.lam:.3g}",
        grid=f"{below[0].lam:.3g} to {below[-1].lam:.3g}",
        gap=interval_text(low, ".2f"),
        sweep_gap=interval_text(sweep, ".2f"),
        versus_sweep=(
            "larger, the two intervals apart"
            if low.low > sweep.high
            else "smaller, the two intervals apart"
            if low.high < sweep.low
            else "the two intervals overlap"
        ),
        verdict=verdict,
        over=f"{int(np.sum(bottom.miss_gaps > 1))} of its {bottom.miss_gaps.size}",
    )


def _widest(rows) -> int:
    """The index of the row whose mean objective gap over the missed seeds is largest."""
    return max(range(len(rows)), key=lambda i: rows[i].mean_miss_gap)


def _where(rows, i: int) -> str:
    edge = "at the grid's edge" if i in (0, len(rows) - 1) else "inside the grid"
    return f"λ = {rows[i].lam:.3g}, {edge}"


def _peaks(rows, recovery, mse) -> str:
    top, low = int(np.argmax(recovery)), int(np.argmin(mse))
    if top == low:
        return (
            "best subset's exact recovery peaks and its test error is lowest at "
            f"{_where(rows, top)}"
        )
    return (
        f"best subset's exact recovery peaks at {_where(rows, top)}, "
        f"and its test error is lowest at {_where(rows, low)}"
    )


def sweep_text(rows, threshold: float = 0.8) -> SweepText:
    """:class:`SweepText` of the rows of
    :func:`~binary_gumbel.estimators.sparse_regression.sweep`: the penalty weights at which
    the gates select the best-subset support on at least
    ``threshold`` of the seeds, the others, the worst one with its agreement interval (every
    penalty weight tied at the worst agreement, when several are), the
    largest mean objective gap of the missed seeds (in units of ``lam``), where it is (and
    whether at the grid's edge) and how it compares with one feature's price, how many
    single misses exceed that price and the largest gap, where
    best subset's recovery peaks and its test error is lowest (and whether at the grid's
    edge), the exact-recovery rates at both ends of the grid, the mean false positives at
    the smallest ``lam`` and false negatives at the largest (best subset, gates), and best
    subset's recovery range against the largest difference between the two methods'
    recovery rates."""
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one SweepRow")

    def lams(keep):
        chosen = [f"{r.lam:.3g}" for r in rows if keep(r)]
        return ", ".join(chosen) if chosen else "none"

    worst = min(rows, key=lambda r: r.agreement.estimate)
    tied = [f"{r.lam:.3g}" for r in rows if r.agreement.estimate == worst.agreement.estimate]
    widest = _widest(rows)
    gap = rows[widest].mean_miss_gap
    every_miss = np.concatenate([np.ravel(r.miss_gaps) for r in rows])
    recovery = [r.best_recovery.estimate for r in rows]
    mse = [r.best_mse.estimate for r in rows]
    spread = max(recovery) - min(recovery)
    difference = max(abs(r.gates_recovery.estimate - r.best_recovery.estimate) for r in rows)
    return SweepText(
        threshold=f"{threshold:.0%}",
        agree_lams=lams(lambda r: r.agreement.estimate >= threshold),
        disagree_lams=lams(lambda r: r.agreement.estimate < threshold),
        worst_lam=joined(tied),
        worst_agreement=interval_text(worst.agreement, ".2f"),
        largest_gap=f"{gap:.2f}",
        largest_gap_where=_where(rows, widest),
        gaps_over_one=f"{int(np.sum(every_miss > 1))} of the {every_miss.size}",
        largest_single_gap=f"{every_miss.max(initial=0.0):.1f}",
        lam_range=f"{rows[0].lam:.3g} to {rows[-1].lam:.3g}",
        gap_verdict="less than" if gap < 1 else "at least",
        peaks=_peaks(rows, recovery, mse),
        end_recovery=(
            f"{rows[0].best_recovery.estimate:.2f} and {rows[0].gates_recovery.estimate:.2f} "
            f"of the datasets at the smallest λ, {rows[-1].best_recovery.estimate:.2f} and "
            f"{rows[-1].gates_recovery.estimate:.2f} at the largest"
        ),
        small_false_positives=f"{rows[0].best_false[0]:.2f} and {rows[0].gates_false[0]:.2f}",
        large_false_negatives=f"{rows[-1].best_false[1]:.2f} and {rows[-1].gates_false[1]:.2f}",
        recovery_range=f"{min(recovery):.2f} to {max(recovery):.2f}",
        recovery_difference=f"{difference:.2f}",
        difference_verdict=(
            "smaller than that range: on this problem the choice of λ moves support recovery "
            "more than the choice between the exact and the relaxed solver"
            if difference < spread
            else "not smaller than that range"
        ),
    )
