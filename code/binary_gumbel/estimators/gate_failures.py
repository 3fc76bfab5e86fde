"""Where hard concrete gates miss the exact best subset: near-ties, the misses' sizes, freezing.

Five diagnostics of a penalty-weight sweep (:mod:`binary_gumbel.estimators.sparse_regression`),
each a computation rather than an explanation:

- **near-ties** (:func:`near_ties`): a dataset is near-tied at ``lam`` when the
  second-best support's L0 objective ``mse_S + lam |S|`` is within ``within * lam``
  of the best one's;
- **the misses' sizes** (:func:`size_errors`): the share of datasets on which the gates
  keep more features than best subset, and fewer, each with its Clopper-Pearson
  interval, and an exact two-sided sign test of "more as often as fewer" on the
  datasets where the two sizes differ (paired by dataset);
- **frozen selections** (:func:`freeze_summary`): the last training step after which
  any gate of a dataset changed its selection (``GateFit.last_flip``), and the size
  of the trained logits;
- **the course of chosen gates** (:func:`gate_course`): whether they are selected, their
  logits and their mean weights, against least squares on the selected support, at
  checkpoints of one training run;
- **switching paths** (:func:`switching_paths`, from
  :mod:`binary_gumbel.estimators.gate_switching`): the exact expected objective
  (:func:`~binary_gumbel.estimators.l0_gates.refitted_objective`) along the path that
  moves one gate's logit, alone, from its trained value to best subset's selection.

Each proportion is a share of the seeded datasets; the intervals are per interval,
at the comparison's false-alarm rate (``SubsetComparison.false_alarm``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from binary_gumbel._validation import as_float_array, finite_float64, single_number
from binary_gumbel.estimators.gate_switching import ROUNDING, SwitchingPaths, switching_paths
from binary_gumbel.estimators.l0_gates import GateFit, train_gates
from binary_gumbel.estimators.sparse_data import Problem, Subsets, subset_index
from binary_gumbel.estimators.sparse_regression import (
    BEST,
    GATES,
    SubsetComparison,
    proportion_interval,
)
from binary_gumbel.hard_concrete import hard_concrete_moments
from binary_gumbel.verification.montecarlo import Interval

__all__ = [
    "FreezeSummary",
    "GateCourse",
    "NEAR_TIE",
    "ROUNDING",
    "SizeErrors",
    "SwitchingPaths",
    "freeze_summary",
    "gate_course",
    "near_tie_pooled",
    "near_tie_split",
    "near_ties",
    "size_errors",
    "switching_paths",
]

#: Default closeness of a near-tie, in units of ``lam`` (the price of one feature).
NEAR_TIE = 0.25


def near_ties(subsets: Subsets, lam, within: float = NEAR_TIE) -> np.ndarray:
    """Whether each dataset's two best supports are within ``within * lam`` of each other.

    The L0 objective of support ``S`` is ``mse_S + lam |S|`` (``subsets.mse`` the
    least-squares training error on ``S``). Returns a boolean array ``(seeds, len(lam))``.
    ``lam`` holds finite positive numbers and ``within`` is one positive number
    (``ValueError`` naming them otherwise; ``TypeError`` for what is not a real number).
    Objectives, gaps and bounds beyond the largest double are ``inf``: a gap that large is
    no near-tie, and a bound ``within * lam`` that large holds every finite gap.
    """
    lam = np.atleast_1d(finite_float64(lam, "lam"))
    if lam.ndim != 1 or np.any(~(lam > 0)):
        raise ValueError(f"lam must hold positive penalty weights; got {lam}")
    within = single_number(as_float_array(within, "within", np.float64), "within")
    if not within > 0:
        raise ValueError(f"within must be positive; got {within}")
    with np.errstate(over="ignore"):  # beyond the doubles is inf, compared as such
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


class GateCourse(NamedTuple):
    """Chosen gates at checkpoints of one training run.

    Per checkpoint in ``steps``, over the chosen ``(dataset, lam, feature)`` gates: the share
    that is selected (``test_gate > 0``), the median logit, the median size of the mean
    weight ``|theta E z|``, and ``near_refit``, the share of the selected ones whose mean
    weight is within ``within`` (relatively) of the feature's weight in least squares on
    the support the gates select at that checkpoint (NaN where none is selected).
    """

    steps: np.ndarray
    selected: np.ndarray
    median_logit: np.ndarray
    median_weight: np.ndarray
    near_refit: np.ndarray
    within: float


def gate_course(
    problem: Problem, subsets: Subsets, lam, chosen, steps, *, rng: int, within: float = 0.15,
    **options,
) -> GateCourse:  # fmt: skip
    """:class:`GateCourse` of the gates ``chosen`` (a boolean ``(seeds, len(lam), d)`` mask).

    Trains ``train_gates(problem, lam, steps=k, rng=rng, **options)`` for each checkpoint
    ``k``: the uniforms of step ``i`` are the ``i``-th draw of the generator seeded with
    ``rng``, and nothing else depends on the number of steps, so each is the first ``k``
    steps of the same run. ``rng`` must be an integer seed for that reason.
    """
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(
            f"rng must be an integer seed, so that the checkpoints are one run; {rng!r}"
        )
    steps = np.asarray(steps)
    if steps.ndim != 1 or steps.size == 0 or np.any(steps < 1) or np.any(np.diff(steps) <= 0):
        raise ValueError(f"steps must be increasing positive step counts; got {steps}")
    if not within > 0:
        raise ValueError(f"within must be positive; got {within}")
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    chosen = np.asarray(chosen, dtype=bool)
    shape = (problem.seeds, lam.size, problem.support.size)
    if chosen.shape != shape or not chosen.any():
        raise ValueError(f"chosen must be a boolean mask of shape {shape} with a gate chosen")
    seeds = np.arange(shape[0])[:, None]
    rows = {name: [] for name in GateCourse._fields[1:-1]}
    for k in steps:
        fit = train_gates(problem, lam, steps=int(k), rng=int(rng), **options)
        mean, _ = hard_concrete_moments(fit.logit, fit.tau, fit.gamma, fit.zeta)
        weight = (fit.theta * mean)[chosen]
        refit = subsets.weights[seeds, subset_index(fit.support)][chosen]  # 0 off the support
        on = fit.support[chosen]
        near = np.abs(weight[on] - refit[on]) <= within * np.abs(refit[on])
        rows["selected"].append(on.mean())
        rows["median_logit"].append(np.median(fit.logit[chosen]))
        rows["median_weight"].append(np.median(np.abs(weight)))
        rows["near_refit"].append(near.mean() if on.any() else np.nan)
    return GateCourse(steps, **{k: np.array(v) for k, v in rows.items()}, within=float(within))
