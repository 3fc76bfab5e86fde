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
at the comparison's false-alarm rate (``SubsetComparison.false_alarm``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from binary_gumbel.estimators.l0_gates import GateFit
from binary_gumbel.estimators.sparse_data import Subsets
from binary_gumbel.estimators.sparse_regression import (
    BEST,
    GATES,
    SubsetComparison,
    proportion_interval,
)
from binary_gumbel.verification.montecarlo import Interval

__all__ = [
    "FreezeSummary",
    "NEAR_TIE",
    "SizeErrors",
    "freeze_summary",
    "near_tie_pooled",
    "near_tie_split",
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


def near_tie_split(near: np.ndarray, comparisons) -> tuple[np.ndarray, np.ndarray]:
    """Per ``lam``, the gates' misses split by near-tie status.

    ``near`` is :func:`near_ties` for the comparisons' penalty weights. Returns two integer
    arrays of shape ``(len(lam), 2)``: for the datasets that are not near-tied at each
    ``lam``, and for those that are, ``(misses, datasets)``, a miss being a dataset on which
    the gates' support differs from best subset's.
    """
    agree = np.stack([c.gates_match_best for c in comparisons], axis=1)
    if agree.shape != near.shape:
        raise ValueError(f"near has shape {near.shape}; the comparisons give {agree.shape}")
    miss = ~agree
    clear = np.stack([(miss & ~near).sum(axis=0), (~near).sum(axis=0)], axis=1)
    tied = np.stack([(miss & near).sum(axis=0), near.sum(axis=0)], axis=1)
    return clear, tied


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


def size_errors(comparison: SubsetComparison) -> SizeErrors:
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
