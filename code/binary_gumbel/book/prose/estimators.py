"""The strings of the gradient-estimator chapters: REBAR and RELAX, the toy's statistics,
the binary estimators' exact tables, and the model with binary latents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import finite_float64
from binary_gumbel.book.prose.numbers import (
    bracketed,
    compact,
    joined,
    number,
    percent,
    rate_percent,
    scientific,
)
from binary_gumbel.estimators import binary_toy
from binary_gumbel.estimators.gradients import exact_gradient
from binary_gumbel.estimators.rebar import VarianceGrid, limit_eta, temperature_index
from binary_gumbel.estimators.registry import ESTIMATORS
from binary_gumbel.estimators.relax_training import FinalComparison, Training
from binary_gumbel.estimators.statistics import EstimatorStats
from binary_gumbel.estimators.vae_study import GradientStats
from binary_gumbel.verification.montecarlo import Interval, family_wise, mean_interval

__all__ = [
    "DriftText",
    "HeldOutText",
    "held_out_text",
    "FinalText",
    "KSText",
    "SavingAtText",
    "SavingText",
    "direction_text",
    "drift_text",
    "final_comparison_text",
    "final_text",
    "ks_text",
    "reinmax_table",
    "saving_at_text",
    "saving_text",
    "statistics_table",
    "study_markdown",
    "variance_table",
]


# --- the REBAR and RELAX chapter -------------------------------------------------------------


@dataclass(frozen=True)
class KSText:
    """Sample sizes and KS p-values of ``z~`` given ``b = 0`` (``n0``, ``p0``) and ``b = 1``."""

    n0: str
    p0: str
    n1: str
    p1: str


def ks_text(checks) -> KSText:
    """:class:`KSText` of the checks of
    :func:`binary_gumbel.verification.sampler_checks.conditional_ks`, keyed by ``b``."""
    return KSText(
        n0=f"{checks[0].n:,}",
        p0=f"{checks[0].pvalue:.2f}",
        n1=f"{checks[1].n:,}",
        p1=f"{checks[1].pvalue:.2f}",
    )


@dataclass(frozen=True)
class SavingText:
    """The saving curve's numbers for the prose (see :func:`saving_text`).

    ``one_worse`` and ``one_top`` are None when ``eta = 1`` is not on the grid.
    """

    reinforce: str
    small: str
    small_saving: str
    top_lambda: str
    top_saving: str
    top_eta: str
    limit_eta: str
    baseline: str
    one_worse: str | None
    one_top: str | None


def saving_text(grid: VarianceGrid, small: float = 2.0) -> SavingText:
    """The saving curve's numbers for the prose: REINFORCE's variance, the best saving up
    to the temperature ``small`` (the end of the chapter's first, truncated grid), the
    saving and ``eta*`` at the largest temperature, the ``lambda -> infinity`` limit of
    ``eta*`` (:func:`~binary_gumbel.estimators.rebar.limit_eta`), the mean baseline's saving,
    and, if ``eta = 1`` is on the grid, the temperatures where ``eta = 1`` does worse than
    REINFORCE (estimated on the grid's samples) and its variance ratio at the largest one."""
    low = grid.temperatures <= small
    if not low.any():
        raise ValueError(f"small must be at least the smallest temperature; got {small!r}")
    one_worse = one_top = None
    ones = np.flatnonzero(grid.etas == 1.0)
    if ones.size:
        ratio = grid.variance[ones[0]] / grid.reinforce_variance
        worse = [f"{lam:g}" for lam in grid.temperatures[ratio > 1]]
        one_worse = joined(worse) or "none"
        one_top = f"{ratio[-1]:.3f}"
    return SavingText(
        reinforce=f"{grid.reinforce_variance:.4f}",
        small=f"{small:g}",
        small_saving=percent(float(grid.saving[low].max())),
        top_lambda=f"{grid.temperatures[-1]:g}",
        top_saving=percent(float(grid.saving[-1])),
        top_eta=f"{grid.optimal_eta[-1]:.4g}",
        limit_eta=f"{float(limit_eta(grid.theta, grid.target)):.4g}",
        baseline=percent(grid.baseline_saving),
        one_worse=one_worse,
        one_top=one_top,
    )


@dataclass(frozen=True)
class SavingAtText:
    """``eta*``, its standard error and the best saving at one temperature of a grid."""

    eta: str
    eta_se: str
    saving: str


def saving_at_text(grid: VarianceGrid, temperature: float) -> SavingAtText:
    """:class:`SavingAtText` at ``temperature``, which must be a point of the grid."""
    j = temperature_index(grid, temperature)
    return SavingAtText(
        eta=f"{grid.optimal_eta[j]:.3f}",
        eta_se=f"{grid.optimal_eta_se[j]:.1g}",
        saving=percent(float(grid.saving[j])),
    )


@dataclass(frozen=True)
class FinalText:
    """The final ``p`` of each method's seeded runs, "mean [low, high]"; None if not run."""

    exact: str | None = None
    reinforce: str | None = None
    baseline: str | None = None
    rebar: str | None = None
    relax: str | None = None


def final_text(runs: Mapping[str, Training], false_alarm: float = 0.05) -> FinalText:
    """:class:`FinalText` of ``{method: Training}``: the mean of the final ``p`` over the runs
    and its Student-t interval at ``false_alarm``."""
    out = {}
    for name, run in runs.items():
        mean, low, high = run.final_probability_interval(false_alarm)
        if mean < 1e-3:
            out[name.lower()] = (
                f"{scientific(mean)} [{scientific(max(low, 0.0))}, {scientific(high)}]"
            )
        else:
            out[name.lower()] = f"{mean:.3f} [{max(low, 0.0):.3f}, {high:.3f}]"
    return FinalText(**out)


def direction_text(cmp: FinalComparison) -> str:
    """Where ``a`` ends against ``b``, as the interval of ``p_a - p_b`` decides, as the verb
    of "a ... b": "ends lower than", "ends higher than", or "is not resolved from" when the
    interval contains 0 (so that no sentence reads "ends not resolved from")."""
    if cmp.high < 0:
        return "ends lower than"
    if cmp.low > 0:
        return "ends higher than"
    return "is not resolved from"


def final_comparison_text(cmp: FinalComparison) -> str:
    """ "difference [low, high] (one-sided Wilcoxon signed-rank p = ...)" for the prose."""
    return (
        bracketed(cmp.difference, cmp.low, cmp.high, "+.3f")
        + f" (one-sided Wilcoxon signed-rank p = {scientific(cmp.pvalue)})"
    )


# --- the gradients and binary estimators chapters ----------------------------------------------


@dataclass(frozen=True)
class DriftText:
    """Where many seeded SGD runs end, against exact descent (see :func:`drift_text`)."""

    seeds: str
    mean: str
    exact: str
    verdict: str
    against_exact: str
    spread: str
    spread_baseline: str


def drift_text(
    finals, baseline_finals, exact_final: float, theta0: float = 0.0, false_alarm: float = 0.05
) -> DriftText:
    """The final ``theta`` of seeded runs (:func:`~binary_gumbel.estimators.sgd.final_thetas`)
    against exact descent's, which moved from ``theta0`` to ``exact_final``.

    ``mean`` is their mean and Student-t interval at ``false_alarm``. ``verdict`` reads that
    interval against ``theta0``: beyond it on exact descent's side, on the other side, or
    containing it (when exact descent did not move, whether the runs did): the average move,
    end minus start, against 0. ``against_exact`` reads it against ``exact_final``: containing
    it, or else the mean short of it (between the start and it), beyond it, on the other side
    of the start, or away from it when exact descent did not move. ``spread`` and
    ``spread_baseline`` are the standard deviations of ``finals`` and ``baseline_finals``
    between seeds.
    """
    interval = mean_interval(finals, false_alarm)
    start, end = float(theta0), float(exact_final)
    moved = interval.low > start or interval.high < start
    side = np.sign(end - start)
    if not moved:
        verdict = "its average move is not resolved from 0"
    elif side == 0:
        verdict = "on average it moves, although exact descent does not"
    elif side * (interval.estimate - start) > 0:
        verdict = "on average it moves in exact descent's direction"
    else:
        verdict = "on average it moves against exact descent's direction"
    if interval.low <= end <= interval.high:
        against_exact = "not resolved from exact descent's"
    elif side == 0:
        against_exact = "away from exact descent's"
    elif side * (interval.estimate - start) <= 0:
        against_exact = "on the other side of the start from exact descent's"
    elif side * (interval.estimate - end) < 0:
        against_exact = "short of exact descent's"
    else:
        against_exact = "beyond exact descent's"
    return DriftText(
        seeds=str(np.size(finals)),
        mean=bracketed(interval.estimate, interval.low, interval.high),
        exact=number(exact_final),
        verdict=verdict,
        against_exact=against_exact,
        spread=compact(np.std(finals, ddof=1)),
        spread_baseline=compact(np.std(baseline_finals, ddof=1)),
    )


def statistics_table(rows: Sequence[EstimatorStats]) -> str:
    """A Markdown table of measured bias, variance, MSE and sign-error rate, with errors.

    The temperature column reads "any" for the estimators without a temperature
    (:attr:`~binary_gumbel.estimators.registry.Estimator.has_temperature`).
    """
    lines = [
        "| estimator | τ | bias ± s.e. | variance ± s.e. | MSE | sign-error rate |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        tau = f"{r.tau:.3g}" if ESTIMATORS[r.estimator].has_temperature else "any"
        lines.append(
            f"| {r.estimator} | {tau} "
            f"| {scientific(r.bias, 2)} ± {scientific(r.bias_se, 1)} "
            f"| {scientific(r.variance, 2)} ± {scientific(r.variance_se, 1)} "
            f"| {scientific(r.mse, 2)} | {r.sign_error:.3f} |"
        )
    return "\n".join(lines)


def _sci(x: float) -> str:
    return "0" if x == 0 else scientific(x, 2)


def _non_empty(values, name: str) -> np.ndarray:
    """``np.atleast_1d(values)``, refusing no values: a table needs a row or column each."""
    values = np.atleast_1d(values)
    if values.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    return values


def variance_table(thetas, target) -> str:
    """Markdown: exact variance of a two-evaluation estimate (``equal_cost_variances``), a
    column per value of ``thetas`` (at least one)."""
    thetas = [float(x) for x in _non_empty(thetas, "thetas")]
    rows = [binary_toy.equal_cost_variances(theta, target) for theta in thetas]
    lines = [
        "| estimator (2 evaluations) | "
        + " | ".join(f"θ = {number(x, 'g')}" for x in thetas)
        + " |",
        "|:--|" + "--:|" * len(thetas),
    ]
    for name, w in binary_toy.EQUAL_COST.items():
        label = "REINFORCE, mean of 2" if w != 1 else name
        lines.append(f"| {label} | " + " | ".join(_sci(float(r[name])) for r in rows) + " |")
    return "\n".join(lines)


def reinmax_table(theta, targets, taus, quantity: str = "bias") -> str:
    """Markdown: ReinMax's exact ``quantity`` at ``theta``, a row per target, a column per tau
    (at least one of each).

    ``quantity`` is ``"bias"`` (``binary_toy.reinmax_bias``) or ``"variance"`` (of one
    estimate, ``binary_toy.moments_at``); the second column is the exact gradient, labelled
    as given for scale (it is neither a bias nor a variance).
    """
    if quantity not in ("bias", "variance"):
        raise ValueError(f"quantity must be 'bias' or 'variance'; got {quantity!r}")
    taus = [float(x) for x in _non_empty(taus, "taus")]
    lines = [
        "| t | exact gradient (for scale) | " + " | ".join(f"τ = {x:g}" for x in taus) + " |",
        "|--:|--:|" + "--:|" * len(taus),
    ]
    for t_value in _non_empty(targets, "targets"):
        exact = float(exact_gradient(float(theta), float(t_value)))
        if quantity == "bias":
            values = [binary_toy.reinmax_bias(theta, t_value, x) for x in taus]
        else:
            values = [binary_toy.moments_at("ReinMax", theta, t_value, x)[1] for x in taus]
        cells = [_sci(float(v)) for v in values]
        lines.append(f"| {float(t_value):g} | {_sci(exact)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the model with binary latents ------------------------------------------------------------


def study_markdown(rows: Sequence[GradientStats]) -> str:
    """A Markdown table: squared bias, variance and relative MSE with their intervals.

    Every magnitude by :func:`binary_gumbel.book.prose.numbers.compact` (one rule, as in the
    next chapter's table); the bias along the exact gradient with three decimals.
    """

    lines = [
        "| estimator | squared bias [interval] | bias along exact, relative [interval] "
        "| consistent with 0? | variance [interval] | MSE / ‖exact‖² [interval] |",
        "|:--|--:|--:|:--|--:|--:|",
    ]
    for r in rows:
        verdict = "yes" if r.bias_consistent_with_zero else "no"
        along = bracketed(r.along, r.along_low, r.along_high, "+.3f")
        bias2 = bracketed(r.bias2, r.bias2_low, r.bias2_high, compact)
        variance = bracketed(r.variance, r.variance_low, r.variance_high, compact)
        mse = bracketed(r.relative_mse, r.relative_mse_low, r.relative_mse_high, compact)
        lines.append(f"| {r.method} | {bias2} | {along} | {verdict} | {variance} | {mse} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class HeldOutText:
    """The held-out savings for the prose (see :func:`held_out_text`)."""

    low: str
    high: str
    verdict: str
    familywise: str


def held_out_text(savings: Sequence[Interval], false_alarm: float) -> HeldOutText:
    """The held-out savings (:func:`~binary_gumbel.estimators.rebar.held_out_saving`):
    ``low`` and ``high``, the lowest and highest interval ends, in percent; ``verdict``,
    whether any interval excludes 0; and ``familywise``, the family-wise false-alarm bound
    of the intervals (Bonferroni), by :func:`~binary_gumbel.book.prose.numbers.rate_percent`.
    ``savings`` must hold at least one interval, with finite ends."""
    if not savings:
        raise ValueError("savings must hold at least one interval")
    lows, highs = [s.low for s in savings], [s.high for s in savings]
    finite_float64([lows, highs], "savings' interval ends")
    if all(lo <= 0 <= hi for lo, hi in zip(lows, highs, strict=True)):
        verdict = "no saving distinguishable from 0 at any of them"
    elif any(lo > 0 for lo in lows):
        verdict = "a saving above 0 at some of them"
    else:
        verdict = "a loss below 0 at some of them, and no saving"
    return HeldOutText(
        low=f"{number(100 * min(lows), '.4f')} %",
        high=f"{number(100 * max(highs), '.4f')} %",
        verdict=verdict,
        familywise=rate_percent(family_wise(false_alarm, len(savings))),
    )
