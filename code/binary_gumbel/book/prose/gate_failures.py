"""The strings of the hard concrete chapter's diagnosis of where the gates miss best subset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel.book.prose.numbers import number
from binary_gumbel.estimators.gate_failures import (
    NEAR_TIE,
    SwitchingPaths,
    freeze_summary,
    near_tie_pooled,
    near_tie_split,
    near_ties,
    size_errors,
)
from binary_gumbel.estimators.l0_gates import GateFit
from binary_gumbel.estimators.sparse_data import Subsets
from binary_gumbel.verification.montecarlo import Interval

__all__ = ["FailureText", "SwitchingText", "failure_table", "failure_text", "switching_text"]


def _count(iv: Interval, k: int, n: int) -> str:
    return f"{k}/{n} ({iv.estimate:.2f})"


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.2f})" if n else "0/0"


def failure_table(subsets: Subsets, comparisons, within: float = NEAR_TIE) -> str:
    """A Markdown table per ``lam``: near-tied datasets, agreement, more and fewer features."""
    lams = [c.lam for c in comparisons]
    near = near_ties(subsets, lams, within)
    clear, tied = near_tie_split(near, comparisons)
    rows = [
        f"| λ | near-tied (within {within:g} λ) | gates = best subset "
        "| gates miss, not near-tied | gates miss, near-tied "
        "| gates keep more | gates keep fewer |",
        "|---|---|---|---|---|---|---|",
    ]
    for j, c in enumerate(comparisons):
        n = c.gates_match_best.size
        e = size_errors(c)
        k = int(near[:, j].sum())
        agree = int(c.gates_match_best.sum())
        rows.append(
            f"| {c.lam:.3g} | {k}/{n} ({k / n:.2f}) | {agree}/{n} ({agree / n:.2f}) "
            f"| {_share(*clear[j])} | {_share(*tied[j])} "
            f"| {_count(e.over, e.over_count, n)} | {_count(e.under, e.under_count, n)} |"
        )
    return "\n".join(rows)


@dataclass(frozen=True)
class FailureText:
    """The diagnostics of :mod:`~binary_gumbel.estimators.gate_failures`, formatted."""

    within: str
    near_low: str
    agree_low: str
    near_high: str
    agree_high: str
    lams_low: str
    lams_high: str
    near_verdict: str
    clear_miss_low: str
    clear_miss_high: str
    tied_miss_low: str
    tied_miss_high: str
    account_verdict: str
    miss_near: str
    miss_clear: str
    miss_verdict: str
    over: str
    under: str
    over_count: str
    under_count: str
    sign_p: str
    confidence: str
    settled: str
    steps: str
    median_logit: str
    exact_one: str
    exact_one_pooled: str


def _span(values, percent: bool = False) -> str:
    lo, hi = min(values), max(values)
    fmt = (lambda x: f"{100 * x:.0f}") if percent else (lambda x: f"{x:.2f}")
    text = fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)}–{fmt(hi)}"
    return text + " %" if percent else text


def failure_text(
    subsets: Subsets, comparisons, fit: GateFit, headline: int, ends: int = 3,
    within: float = NEAR_TIE,
) -> FailureText:  # fmt: skip
    """Near-tie shares and agreement at the ``ends`` smallest and largest ``lam``, the gates'
    miss shares there among datasets without and with a near-tie (:func:`near_tie_split`),
    the pooled miss rates, the misses' sizes at ``comparisons[headline]``, when 90 % of the
    selections were final, the median trained ``|logit|`` and the share of selected gates
    whose test-time gate is exactly 1, at ``comparisons[headline]`` and pooled over ``lam``.

    Verdicts: near-ties are "more common" at the smallest ``lam`` when their mean share
    there exceeds the mean share at the largest; they "do not account for" the misses when,
    among datasets without a near-tie, every miss share at the smallest ``lam`` exceeds every
    one at the largest."""
    comparisons = list(comparisons)
    if not 1 <= ends <= len(comparisons) // 2:
        raise ValueError(f"ends must lie in [1, {len(comparisons) // 2}]; got {ends}")
    lams = [c.lam for c in comparisons]
    near = near_ties(subsets, lams, within)
    shares = near.mean(axis=0)
    agree = [float(c.gates_match_best.mean()) for c in comparisons]
    low, high = slice(0, ends), slice(len(lams) - ends, len(lams))
    tied, n_tied, clear, n_clear = near_tie_pooled(near, comparisons)
    split_clear, split_tied = near_tie_split(near, comparisons)
    clear_share = split_clear[:, 0] / np.maximum(split_clear[:, 1], 1)
    tied_share = split_tied[:, 0] / np.maximum(split_tied[:, 1], 1)
    e = size_errors(comparisons[headline])
    freeze = freeze_summary(fit)
    gate = fit.test_gate
    selected = gate > 0
    at = gate[:, headline]

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
        near_verdict=(
            "more common" if shares[low].mean() > shares[high].mean() else "not more common"
        ),
        clear_miss_low=_span(clear_share[low], percent=True),
        clear_miss_high=_span(clear_share[high], percent=True),
        tied_miss_low=_span(tied_share[low], percent=True),
        tied_miss_high=_span(tied_share[high], percent=True),
        account_verdict=(
            "they do not account for the pattern"
            if clear_share[low].min() > clear_share[high].max()
            else "they may account for part of the pattern"
        ),
        miss_near=f"{tied:.2f} of {n_tied}",
        miss_clear=f"{clear:.2f} of {n_clear}",
        miss_verdict=(
            "pooled, near-ties do go with misses"
            if tied > clear
            else "pooled, the gates miss no more often where near-tied"
        ),
        over=iv(e.over),
        under=iv(e.under),
        over_count=str(e.over_count),
        under_count=str(e.under_count),
        sign_p=f"{e.sign_p:.2g}",
        confidence=f"{round(100 * (1 - comparisons[headline].false_alarm))}%",
        settled=str(int(np.ceil(freeze.quantile(0.9)))),
        steps=str(fit.steps),
        median_logit=f"{freeze.median_abs_logit:.1f}",
        exact_one=f"{np.mean(at[at > 0] == 1):.3f}",
        exact_one_pooled=f"{np.mean(gate[selected] == 1):.3f}",
    )


@dataclass(frozen=True)
class SwitchingText:
    """The switching paths of ``gate_failures.switching_paths``, as text."""

    lams: str
    rows: str
    closing: str
    opening: str
    climbing: str
    rise_range: str
    rise_median: str
    falling_away: str
    away_range: str
    trained_excess: str
    beyond_excess: str
    ends_lower: str
    others_verdict: str
    parts_verdict: str
    penalty_half: str
    error_half: str
    order_verdict: str


def switching_text(paths) -> SwitchingText:
    """Counts and ranges of the switching paths ``paths`` (a list, one per ``lam``), pooled.

    Rises and falls are in units of each path's ``lam``. ``climbing`` is "every path" when
    every path climbs without a dip (``climbs_to_peak``) to a peak above its start, else
    "k of the n paths"; ``falling_away`` likewise for ``falls_away`` with a fall above 0.
    ``others_verdict`` says whether, on every dataset on which no path ends below its
    start, best subset's support differs from the gates' in more than one feature.
    ``parts_verdict`` says whether the error term (the objective less the penalty,
    ``SwitchingPaths.fit``) never falls along a closing path and never rises along an
    opening one, to within ``1e-12 lam`` per step. ``penalty_half`` and ``error_half`` are
    the ranges of the logits at which the penalty and the error term make half of their
    change along a path (``half_change_logit``); ``order_verdict`` counts the paths on
    which the error term's lies at the larger logit ("every path" when all do).
    """
    paths = list(paths)
    if not paths or not any(p.dataset.size for p in paths):
        raise ValueError("paths must hold at least one switched gate")
    rise = np.concatenate([p.rise / p.lam for p in paths])
    climbs = np.concatenate([p.climbs_to_peak & (p.rise > 0) for p in paths])
    away = np.concatenate([p.away_fall / p.lam for p in paths])
    falls = np.concatenate([p.falls_away & (p.away_fall > 0) for p in paths])
    excess = np.concatenate([p.trained_excess / p.lam for p in paths])
    penalty_half = np.concatenate([p.half_change_logit(p.penalty) for p in paths])
    error_half = np.concatenate([p.half_change_logit(p.fit) for p in paths])
    lower = np.concatenate([p.ends_lower for p in paths])
    closing = np.concatenate([p.closing for p in paths])
    stuck = np.concatenate([_differing_features_where_no_switch_helps(p) for p in paths])
    n = rise.size
    lams = [p.lam for p in paths]
    return SwitchingText(
        lams=f"{number(min(lams), '.3g')} to {number(max(lams), '.3g')}",
        rows=str(n),
        closing=str(int(closing.sum())),
        opening=str(int((~closing).sum())),
        climbing=_every(climbs),
        rise_range=f"{number(rise.min())}–{number(rise.max())}",
        rise_median=number(float(np.median(rise))),
        falling_away=_every(falls),
        away_range=f"{number(away.min(), '#.2g')}–{number(away.max(), '#.2g')}",
        trained_excess=number(float(excess.max()), "#.2g"),
        beyond_excess=_every(rise > excess),
        ends_lower=f"{int(lower.sum())} of {n}",
        others_verdict=(
            "best subset's support differs from the gates' in more than one feature, on every "
            "such dataset"
            if np.all(stuck >= 2)
            else "best subset's support differs from the gates' in one feature only, on some "
            "such dataset"
        ),
        parts_verdict=(
            "on every closing path the error term only rises, and on every opening path it "
            "only falls"
            if all(_fit_moves_one_way(p) for p in paths)
            else "the error term does not move one way along every path"
        ),
        penalty_half=_range(penalty_half),
        error_half=_range(error_half),
        order_verdict=_every(error_half > penalty_half),
    )


def _range(values: np.ndarray) -> str:
    return f"{number(float(values.min()))} to {number(float(values.max()))}"


def _every(hits: np.ndarray) -> str:
    return "every path" if hits.all() else f"{int(hits.sum())} of the {hits.size} paths"


def _fit_moves_one_way(paths: SwitchingPaths) -> bool:
    """Whether the fit never falls along a closing path nor rises along an opening one."""
    step = np.diff(paths.fit, axis=-1) * np.where(paths.closing, 1.0, -1.0)[:, None]
    return bool(np.all(step >= -1e-12 * paths.lam))


def _differing_features_where_no_switch_helps(paths: SwitchingPaths) -> np.ndarray:
    """Per dataset on which no switched gate ends below its start: how many gates differ."""
    datasets = np.unique(paths.dataset)
    if datasets.size == 0:
        return np.zeros(0, int)
    helped = {int(s) for s in paths.dataset[paths.ends_lower]}
    return np.array([np.sum(paths.dataset == s) for s in datasets if int(s) not in helped], int)
