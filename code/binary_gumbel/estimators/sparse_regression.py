"""Exact best subset against hard concrete gates, compared over seeded datasets.

The L0-penalised least-squares problem and its exact solution by enumeration are
:mod:`binary_gumbel.estimators.sparse_data`; the relaxation of Louizos, Welling & Kingma
(2018, arXiv:1712.01312), hard concrete gates on the weights, is
:mod:`binary_gumbel.estimators.l0_gates`. This module compares the supports and test errors
of the two (and of the oracle and the refitted gates) over seeded datasets, with intervals
at a stated false-alarm rate (:mod:`binary_gumbel.verification.montecarlo`), and along a
sweep of the penalty weight; the prose's numbers are formatted in :mod:`binary_gumbel.book.prose`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from binary_gumbel.estimators.l0_gates import GateFit
from binary_gumbel.estimators.sparse_data import (
    Problem,
    Subsets,
    best_subset,
    subset_index,
    test_mse,
)
from binary_gumbel.verification import montecarlo

__all__ = [
    "SubsetComparison",
    "SweepRow",
    "compare",
    "mean_interval",
    "proportion_interval",
    "sweep",
]


# --- intervals -------------------------------------------------------------------------------


# Intervals follow the book's convention (binary_gumbel.verification.montecarlo): Student-t
# for means over the seeds, Clopper-Pearson for proportions, the rate named ``false_alarm``.
Interval = montecarlo.Interval
proportion_interval = montecarlo.proportion_interval
mean_interval = montecarlo.mean_interval


# --- the comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodResult:
    """One method on every seed: supports ``(seeds, d)`` and test errors ``(seeds,)``.

    ``fixed_support`` marks a reference whose support is set by construction, not selected
    from the data (the oracle's, every feature's): its recovery is not an estimate.
    """

    name: str
    support: np.ndarray
    test_mse: np.ndarray
    fixed_support: bool = False


@dataclass(frozen=True)
class SubsetComparison:
    """Best subset, gates and two references at one penalty weight, over every seed.

    ``objective_gap`` is, per seed, the L0 objective ``mse_S + lam |S|`` of the gates'
    support ``S`` (least squares refitted on it) minus the optimum: 0 when the gates
    found the best subset, and always >= 0.
    """

    lam: float
    true_support: np.ndarray
    methods: tuple[MethodResult, ...]
    gates_match_best: np.ndarray
    objective_gap: np.ndarray
    false_alarm: float

    def method(self, name: str) -> MethodResult:
        """The result of the method called ``name``; ``ValueError`` listing the names otherwise."""
        for m in self.methods:
            if m.name == name:
                return m
        names = [m.name for m in self.methods]
        raise ValueError(f"method must be one of {names}; got {name!r}")

    def recovery(self, name: str) -> Interval:
        """Fraction of seeds on which the method's support is exactly the true one."""
        hits = np.all(self.method(name).support == self.true_support, axis=-1)
        return proportion_interval(int(hits.sum()), hits.size, self.false_alarm)

    def error(self, name: str) -> Interval:
        return mean_interval(self.method(name).test_mse, self.false_alarm)

    def excess_over(self, name: str, reference: str) -> Interval:
        """Paired mean difference of test MSE, ``name`` minus ``reference``, per seed."""
        gap = self.method(name).test_mse - self.method(reference).test_mse
        return mean_interval(gap, self.false_alarm)

    def agreement(self) -> Interval:
        """Fraction of seeds on which the gates select the exact best-subset support."""
        m = self.gates_match_best
        return proportion_interval(int(m.sum()), m.size, self.false_alarm)

    def false_counts(self, name: str) -> tuple[float, float]:
        """Mean numbers of false positives and false negatives per seed."""
        s = self.method(name).support
        return (
            float(np.mean(np.sum(s & ~self.true_support, axis=-1))),
            float(np.mean(np.sum(~s & self.true_support, axis=-1))),
        )


BEST, GATES, REFIT, ORACLE, FULL = (
    "best subset",
    "hard concrete gates",
    "gates' support, refitted",
    "oracle support",
    "all features (OLS)",
)


def compare(
    problem: Problem, subsets: Subsets, fit: GateFit, false_alarm: float = 0.05
) -> list[SubsetComparison]:
    """Per penalty weight of ``fit``: best subset, gates, the oracle and full least squares.

    The gates are scored twice: with their own test-time weights ``theta * z_hat``
    (:attr:`GateFit.weights`), which mix the selection with the shrinkage of the
    relaxed fit, and refitted (:data:`REFIT`: least squares on the support they
    select, the weights best subset would use on that support).
    """
    seeds = np.arange(problem.seeds)
    best_idx = best_subset(subsets, fit.lam)
    oracle_idx = int(subset_index(problem.support))
    full_idx = subsets.masks.shape[0] - 1
    gates_mse = test_mse(problem, fit.weights)
    reference = test_mse(problem, subsets.weights[:, [oracle_idx, full_idx]])
    out = []
    for j, lam in enumerate(fit.lam):
        best_support = subsets.masks[best_idx[:, j]]
        best_mse = test_mse(problem, subsets.weights[seeds, best_idx[:, j]][:, None])[:, 0]
        gates_idx = subset_index(fit.support[:, j])
        refit_mse = test_mse(problem, subsets.weights[seeds, gates_idx][:, None])[:, 0]
        n = problem.seeds
        methods = (
            MethodResult(BEST, best_support, best_mse),
            MethodResult(GATES, fit.support[:, j], gates_mse[:, j]),
            MethodResult(REFIT, fit.support[:, j], refit_mse),
            MethodResult(ORACLE, np.tile(problem.support, (n, 1)), reference[:, 0], True),
            MethodResult(FULL, np.ones((n, problem.support.size), bool), reference[:, 1], True),
        )
        match = np.all(fit.support[:, j] == best_support, axis=-1)
        # The L0 objective of the gates' support (least squares refitted on it) above the optimum.
        objective = subsets.mse + lam * subsets.sizes
        gap = objective[seeds, gates_idx] - objective[seeds, best_idx[:, j]]
        out.append(SubsetComparison(float(lam), problem.support, methods, match, gap, false_alarm))
    return out


# --- the sweep over the penalty weight -------------------------------------------------------


class SweepRow(NamedTuple):
    """One penalty weight of a sweep: recovery and agreement intervals, mean support sizes,
    test errors, the objective gaps of the datasets where the gates miss best subset, in
    units of ``lam`` (one unit is the price of one feature; the datasets where they agree
    have gap 0 and are not in it), and the mean false positive and negative counts of each
    method."""

    lam: float
    best_recovery: Interval
    gates_recovery: Interval
    agreement: Interval
    best_size: float
    gates_size: float
    best_mse: Interval
    gates_mse: Interval
    miss_gaps: np.ndarray
    best_false: tuple[float, float]
    gates_false: tuple[float, float]

    @property
    def mean_miss_gap(self) -> float:
        """The mean of :attr:`miss_gaps`, in units of ``lam`` (0 where the gates miss nowhere)."""
        return float(np.mean(self.miss_gaps)) if self.miss_gaps.size else 0.0


def _in_lams(gap: np.ndarray, lam: float) -> np.ndarray:
    """``gap / lam``; at ``lam = 0`` its limit from above: 0 for no gap, ``inf`` otherwise."""
    return gap / lam if lam > 0 else np.where(gap > 0, np.inf, 0.0)


def sweep(comparisons) -> list[SweepRow]:
    """The rows of a penalty-weight sweep, from :func:`compare`'s results."""
    return [
        SweepRow(
            c.lam,
            c.recovery(BEST),
            c.recovery(GATES),
            c.agreement(),
            float(c.method(BEST).support.sum(axis=-1).mean()),
            float(c.method(GATES).support.sum(axis=-1).mean()),
            c.error(BEST),
            c.error(GATES),
            _in_lams(c.objective_gap[~c.gates_match_best], c.lam),
            c.false_counts(BEST),
            c.false_counts(GATES),
        )
        for c in comparisons
    ]
