"""Where hard concrete gates miss the exact best subset: near-ties, one-sided misses, freezing.

Three diagnostics of a penalty-weight sweep (:mod:`binary_gumbel.estimators.sparse_regression`),
each a computation rather than an explanation:

- **near-ties** (:func:`near_ties`): a dataset is near-tied at ``lam`` when the
  second-best support's L0 objective ``mse_S + lam |S|`` is within ``within * lam``
  of the best one's;
- **one-sided misses** (:func:`size_errors`): the share of datasets on which the gates
  keep more features than best subset, and fewer, each with its Clopper-Pearson
  interval, and an exact two-sided sign test of "more as often as fewer" on the
  datasets where the two sizes differ (paired by dataset);
- **frozen selections** (:func:`freeze_summary`): the last training step after which
  any gate of a dataset changed its selection (``GateFit.last_flip``), and the size
  of the trained logits.

Each proportion is a share of the seeded datasets; the intervals are per interval,
at the comparison's false-alarm rate (``Comparison.false_alarm``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from binary_gumbel.estimators.sparse_regression import (
    BEST,
    GATES,
    Comparison,
    GateFit,
    Interval,
    Subsets,
    proportion_interval,
)

__all__ = [
    "FailureText",
    "FreezeSummary",
    "NEAR_TIE",
    "SizeErrors",
    "failure_table",
    "failure_text",
    "freeze_summary",
    "near_tie_pooled",
    "near_ties",
    "size_errors",
]

#: Default closeness of a near-tie, in units of ``lam`` (the price of one feature).
NEAR_TIE = 0.25


def near_ties(subsets: Subsets, lam, within: float = NEAR_TIE) -> np.ndarray:
    """Whether each dataset's two best supports are within ``within * lam`` of each other.

    The L0 objective of support ``S`` is ``mse_S + lam |S|`` (``subsets.mse`` the
    least-squares training error on ``S``). Returns a boolean array ``(seeds, len(lam))``.
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    if lam.ndim != 1 or np.any(~(lam > 0)):
        raise ValueError(f"lam must hold positive penalty weights; got {lam}")
    if not within > 0:
        raise ValueError(f"within must be positive; got {within}")
    objective = subsets.mse[:, None, :] + lam[None, :, None] * subsets.sizes
    two = np.partition(objective, 1, axis=-1)[..., :2]
    return (two[..., 1] - two[..., 0]) < within * lam


def near_tie_pooled(near: np.ndarray, comparisons) -> tuple[float, int, float, int]:
    """Miss rate of the gates on near-tied and on other ``(dataset, lam)`` pairs, pooled.

    ``near`` is :func:`near_ties` for the comparisons' penalty weights. Returns
    ``(miss rate where near-tied, count, miss rate elsewhere, count)``. The same datasets
    recur at every ``lam``, so the pairs are not independent: descriptive shares only.
    """
    agree = np.stack([c.gates_match_best for c in comparisons], axis=1)
    if agree.shape != near.shape:
        raise ValueError(f"near has shape {near.shape}; the comparisons give {agree.shape}")
    tied, clear = ~agree[near], ~agree[~near]
    return _rate(tied), int(tied.size), _rate(clear), int(clear.size)


def _rate(misses: np.ndarray) -> float:
    return float(misses.mean()) if misses.size else float("nan")


class SizeErrors(NamedTuple):
    """Gates against best subset at one ``lam``: more features, fewer, and a sign test."""

    lam: float
    over: Interval
    under: Interval
    over_count: int
    under_count: int
    sign_p: float


def size_errors(comparison: Comparison) -> SizeErrors:
    """Shares of datasets on which the gates select more, and fewer, features than best subset.

    Clopper-Pearson intervals at ``comparison.false_alarm`` (per interval), and the exact
    two-sided binomial (sign) test of ``P(more) = P(fewer)`` on the datasets whose sizes
    differ, paired by dataset (1.0 when none differ).
    """
    gates = comparison.method(GATES).support.sum(axis=-1)
    exact = comparison.method(BEST).support.sum(axis=-1)
    over, under = int(np.sum(gates > exact)), int(np.sum(gates < exact))
    n = gates.size
    differ = over + under
    p = stats.binomtest(over, differ, 0.5).pvalue if differ else 1.0
    return SizeErrors(
        comparison.lam,
        proportion_interval(over, n, comparison.false_alarm),
        proportion_interval(under, n, comparison.false_alarm),
        over,
        under,
        float(p),
    )


class FreezeSummary(NamedTuple):
    """When the gates' selection stopped changing, and how large the trained logits are.

    ``last_change`` is, per ``(dataset, lam)``, the last step after which any of its
    gates changed its selection (0: none ever did); ``median_abs_logit`` the median
    ``|logit|`` over every trained gate.
    """

    steps: int
    last_change: np.ndarray
    median_abs_logit: float

    def quantile(self, q: float) -> float:
        """The ``q`` quantile of ``last_change`` over every ``(dataset, lam)``."""
        return float(np.quantile(self.last_change, q))

    def share_final_by(self, step: int) -> float:
        """Share of ``(dataset, lam)`` whose selection no longer changed after ``step``."""
        return float(np.mean(self.last_change <= step))


def freeze_summary(fit: GateFit) -> FreezeSummary:
    """:class:`FreezeSummary` of a trained fit (its ``last_flip`` record and logits)."""
    return FreezeSummary(fit.steps, fit.last_flip.max(axis=-1), float(np.median(np.abs(fit.logit))))


def _count(iv: Interval, k: int, n: int) -> str:
    return f"{k}/{n} ({iv.estimate:.2f})"


def failure_table(subsets: Subsets, comparisons, within: float = NEAR_TIE) -> str:
    """A Markdown table per ``lam``: near-tied datasets, agreement, more and fewer features."""
    lams = [c.lam for c in comparisons]
    near = near_ties(subsets, lams, within)
    rows = [
        f"| λ | near-tied (within {within:g} λ) | gates = best subset "
        "| gates keep more | gates keep fewer |",
        "|---|---|---|---|---|",
    ]
    for j, c in enumerate(comparisons):
        n = c.gates_match_best.size
        e = size_errors(c)
        k = int(near[:, j].sum())
        agree = int(c.gates_match_best.sum())
        rows.append(
            f"| {c.lam:.3g} | {k}/{n} ({k / n:.2f}) | {agree}/{n} ({agree / n:.2f}) "
            f"| {_count(e.over, e.over_count, n)} | {_count(e.under, e.under_count, n)} |"
        )
    return "\n".join(rows)


class FailureText(NamedTuple):
    """The diagnostics the chapter's prose shows, formatted."""

    within: str
    near_low: str
    agree_low: str
    near_high: str
    agree_high: str
    lams_low: str
    lams_high: str
    miss_near: str
    miss_clear: str
    miss_verdict: str
    over: str
    under: str
    sign_p: str
    confidence: str
    settled: str
    steps: str
    median_logit: str
    exact_one: str


def _span(values) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}–{hi:.2f}"


def failure_text(
    subsets: Subsets, comparisons, fit: GateFit, headline: int, ends: int = 3,
    within: float = NEAR_TIE,
) -> FailureText:  # fmt: skip
    """Near-tie shares and agreement at the ``ends`` smallest and largest ``lam``, the pooled
    miss rates, the one-sided misses at ``comparisons[headline]``, when 90 % of the
    selections were final, the median trained ``|logit|`` and the share of selected gates
    whose test-time gate is exactly 1."""
    comparisons = list(comparisons)
    if not 1 <= ends <= len(comparisons) // 2:
        raise ValueError(f"ends must lie in [1, {len(comparisons) // 2}]; got {ends}")
    lams = [c.lam for c in comparisons]
    near = near_ties(subsets, lams, within)
    shares = near.mean(axis=0)
    agree = [float(c.gates_match_best.mean()) for c in comparisons]
    low, high = slice(0, ends), slice(len(lams) - ends, len(lams))
    tied, n_tied, clear, n_clear = near_tie_pooled(near, comparisons)
    e = size_errors(comparisons[headline])
    freeze = freeze_summary(fit)
    gate = fit.test_gate
    selected = gate > 0

    def iv(x: Interval) -> str:
        return f"{x.estimate:.2f} [{x.low:.2f}, {x.high:.2f}]"

    return FailureText(
        within=f"{within:g}",
        near_low=_span(shares[low]),
        agree_low=_span(agree[low]),
        near_high=_span(shares[high]),
        agree_high=_span(agree[high]),
        lams_low=f"{lams[0]:.3g}–{lams[ends - 1]:.3g}",
        lams_high=f"{lams[-ends]:.3g}–{lams[-1]:.3g}",
        miss_near=f"{tied:.2f} of {n_tied}",
        miss_clear=f"{clear:.2f} of {n_clear}",
        miss_verdict=(
            "there near-ties do go with misses"
            if tied > clear
            else "not more often where near-tied"
        ),
        over=iv(e.over),
        under=iv(e.under),
        sign_p=f"{e.sign_p:.2g}",
        confidence=f"{round(100 * (1 - comparisons[headline].false_alarm))}%",
        settled=str(int(np.ceil(freeze.quantile(0.9)))),
        steps=str(fit.steps),
        median_logit=f"{freeze.median_abs_logit:.1f}",
        exact_one=f"{np.mean(gate[selected] == 1):.3f}",
    )
