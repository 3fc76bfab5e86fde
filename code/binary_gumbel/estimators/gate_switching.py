"""Switching one hard concrete gate alone: the exact expected objective along its path.

For each gate that selects differently from best subset at a penalty weight, the path that
moves its logit, alone, from its trained value to best subset's selection (and the path
the other way, to the saturated gate), with the refitted expected objective
(:func:`~binary_gumbel.estimators.l0_gates.refitted_objective`) and its penalty along
both, and the objective at the trained weights themselves. One of the diagnostics of
:mod:`binary_gumbel.estimators.gate_failures`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from binary_gumbel.estimators.l0_gates import GateFit, expected_fit, expected_objective
from binary_gumbel.estimators.sparse_data import Problem, Subsets, best_subset
from binary_gumbel.hard_concrete import expected_l0, hard_concrete_moments

__all__ = ["ROUNDING", "SwitchingPaths", "switching_paths"]


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
