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
- **switching paths** (:func:`switching_paths`): the exact expected objective
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
from binary_gumbel.estimators.l0_gates import (
    GateFit,
    expected_fit,
    expected_objective,
    train_gates,
)
from binary_gumbel.estimators.sparse_data import Problem, Subsets, best_subset, subset_index
from binary_gumbel.estimators.sparse_regression import (
    BEST,
    GATES,
    SubsetComparison,
    proportion_interval,
)
from binary_gumbel.hard_concrete import expected_l0, hard_concrete_moments
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


#: Steps smaller than this, relative to the objective's size, are rounding, not a rise or fall.
ROUNDING = 1e-12


def _tolerance(values: np.ndarray) -> np.ndarray:
    return ROUNDING * np.abs(values).max(axis=-1, keepdims=True)


class SwitchingPaths(NamedTuple):
    """The expected objective along one-gate paths from the trained fit, both ways.

    One row per ``(dataset, feature)`` whose gate selects differently from best subset at
    ``lam``: ``closing`` where the gate is open and best subset leaves the feature out
    (its logit is lowered, ending at ``-inf``, the gate always shut), else the logit is
    raised, ending at ``+inf``. ``logits`` ``(rows, points)`` is that path, every other
    logit staying at its trained value; ``objective`` is
    :func:`~binary_gumbel.estimators.l0_gates.refitted_objective` along it (the weights
    refitted exactly at every point) and ``penalty`` its part ``lam sum_j P(z_j != 0)``.
    ``away_logits`` and ``away_objective`` are the path the other way, from the trained
    logit to the saturated gate (``+inf`` for an open gate, ``-inf`` for a shut one). The
    first point of both is the trained fit: its logits, with the weights refitted.
    ``trained`` is the objective at the trained weights themselves
    (:func:`~binary_gumbel.estimators.l0_gates.expected_objective`), never below that.
    """

    lam: float
    dataset: np.ndarray
    feature: np.ndarray
    closing: np.ndarray
    logits: np.ndarray
    objective: np.ndarray
    penalty: np.ndarray
    away_logits: np.ndarray
    away_objective: np.ndarray
    trained: np.ndarray

    @property
    def fit(self) -> np.ndarray:
        """The refitted expected training error along each path: the objective less the penalty."""
        return self.objective - self.penalty

    def half_change_logit(self, values: np.ndarray) -> np.ndarray:
        """Per path, the logit at which ``values`` (``penalty`` or ``fit``, along ``logits``)
        has first made half of its whole change from the start to the end of the path,
        interpolated linearly between the path's points; the path's infinite end where half
        the change is made only beyond its last finite point."""
        change = values - values[:, :1]
        half = change[:, -1:] / 2
        # Index of the first point at or past half the change, in the change's direction.
        past = np.where(half >= 0, change >= half, change <= half)
        k = np.argmax(past, axis=-1)
        out = np.empty(k.size)
        for row, i in enumerate(k):
            if i == 0:  # no change along the path: its start
                out[row] = self.logits[row, 0]
                continue
            x0, x1 = self.logits[row, i - 1], self.logits[row, i]
            y0, y1 = change[row, i - 1], change[row, i]
            if not np.isfinite(x1):  # half is reached only past the last finite point
                out[row] = x1
            else:
                out[row] = x0 + (x1 - x0) * (half[row, 0] - y0) / (y1 - y0)
        return out

    @property
    def rise(self) -> np.ndarray:
        """The highest objective along each path minus its start (0 if it never rises)."""
        return self.objective.max(axis=-1) - self.objective[:, 0]

    @property
    def peak_logit(self) -> np.ndarray:
        """Where along each path the objective is highest."""
        return np.take_along_axis(self.logits, self.objective.argmax(axis=-1)[:, None], -1)[:, 0]

    @property
    def climbs_to_peak(self) -> np.ndarray:
        """Whether the objective never falls (beyond :data:`ROUNDING`) from the start to the top."""
        peak = self.objective.argmax(axis=-1)
        falls = np.diff(self.objective, axis=-1) < -_tolerance(self.objective)
        before = np.arange(falls.shape[-1]) < peak[:, None]
        return ~np.any(falls & before, axis=-1)

    @property
    def ends_lower(self) -> np.ndarray:
        """Whether the switched gate (exactly shut, or exactly open) ends below the start."""
        return self.objective[:, -1] < self.objective[:, 0]

    @property
    def trained_excess(self) -> np.ndarray:
        """How far the objective at the trained weights lies above the refitted start.

        The refitted objective is the lowest over the weights at every logit, so a path
        that moves the weights as well as the logit still meets a climb of at least
        :attr:`rise` minus this excess.
        """
        return self.trained - self.objective[:, 0]

    @property
    def away_fall(self) -> np.ndarray:
        """How much lower the objective is at the saturated gate than at the trained fit."""
        return self.away_objective[:, 0] - self.away_objective[:, -1]

    @property
    def falls_away(self) -> np.ndarray:
        """Whether the objective never rises (beyond :data:`ROUNDING`) on the way to saturation."""
        rises = np.diff(self.away_objective, axis=-1) > _tolerance(self.away_objective)
        return ~np.any(rises, axis=-1)


def _paths(start, target, end, points):
    """Rows from ``start`` to ``target`` in ``points`` equal steps, then to ``end``."""
    steps = np.linspace(0.0, 1.0, int(points))
    return np.concatenate([start[:, None] + (target - start)[:, None] * steps, end[:, None]], 1)


def switching_paths(
    problem: Problem, subsets: Subsets, fit: GateFit, column: int, *, reach: float = 30.0,
    points: int = 400,
) -> SwitchingPaths:  # fmt: skip
    """:class:`SwitchingPaths` at the penalty weight ``fit.lam[column]``.

    Each path runs the switched logit in ``points`` equal steps from its trained value to
    ``-reach`` (closing) or ``+reach`` (opening), then to ``-inf`` or ``+inf``; the path
    away runs the other way. ``reach`` must lie beyond every trained logit that is switched.
    """
    if not 0 <= column < fit.lam.size:
        raise ValueError(f"column must index fit.lam (size {fit.lam.size}); got {column}")
    if not (reach > 0 and int(points) >= 2):
        raise ValueError(f"need reach > 0 and points >= 2; got {reach}, {points}")
    lam = float(fit.lam[column])
    best = subsets.masks[best_subset(subsets, lam)]
    selected = fit.support[:, column]
    dataset, feature = np.nonzero(selected != best)
    closing = selected[dataset, feature]
    trained = fit.logit[dataset, column, feature]
    if np.any(np.abs(trained) >= reach):
        raise ValueError(f"reach = {reach} does not lie beyond every switched logit")
    sign = np.where(closing, -1.0, 1.0)
    logits = _paths(trained, sign * reach, sign * np.inf, points)
    away_logits = _paths(trained, -sign * reach, -sign * np.inf, points)
    G, b, c = problem.gram()
    mean, variance = hard_concrete_moments(fit.logit[:, column], fit.tau, fit.gamma, fit.zeta)
    penalty = expected_l0(fit.logit[:, column], fit.tau, fit.gamma, fit.zeta)

    def along(paths):
        """The refitted objective and its penalty along ``paths``, one row per switched gate."""
        path_mean, path_variance = hard_concrete_moments(paths, fit.tau, fit.gamma, fit.zeta)
        path_penalty = expected_l0(paths, fit.tau, fit.gamma, fit.zeta)
        objective, total = np.empty_like(paths), np.empty_like(paths)
        for row, (s, j) in enumerate(zip(dataset, feature, strict=True)):
            m = np.repeat(mean[s][None, :], paths.shape[1], axis=0)
            v = np.repeat(variance[s][None, :], paths.shape[1], axis=0)
            m[:, j], v[:, j] = path_mean[row], path_variance[row]
            total[row] = lam * (penalty[s].sum() - penalty[s, j] + path_penalty[row])
            objective[row] = expected_fit(m, v, G[s], b[s], c[s])[0] + total[row]
        return objective, total

    objective, total_penalty = along(logits)
    away_objective, _ = along(away_logits)
    trained_objective = np.array([
        expected_objective(
            fit.theta[s, column], fit.logit[s, column], G[s], b[s], c[s], lam, fit.tau,
            fit.gamma, fit.zeta,
        )
        for s in dataset
    ])  # fmt: skip
    return SwitchingPaths(
        lam, dataset, feature, closing, logits, objective, total_penalty, away_logits,
        away_objective, trained_objective,
    )  # fmt: skip
