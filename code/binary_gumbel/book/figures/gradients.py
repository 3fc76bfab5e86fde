"""Plots of the gradient estimators: bias, variance and sign errors against the temperature,
SGD trajectories and ratio bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from binary_gumbel.book.figures.style import (
    PALETTE,
    checked_values,
    legend_below,
    series_colours,
    series_looks,
)
from binary_gumbel.noise import sigmoid
from binary_gumbel.verification.montecarlo import DEFAULT_FALSE_ALARM

__all__ = [
    "plot_estimator_study",
    "plot_ratio_bars",
    "plot_sign_errors",
    "plot_trajectories",
]


def _study_series(stats, estimators):
    taus = np.array(sorted({s.tau for s in stats}))
    by = {(s.estimator, s.tau): s for s in stats}
    for name in estimators:
        yield name, taus, [by[name, t] for t in taus]


def plot_estimator_study(axes, stats, *, false_alarm: float = DEFAULT_FALSE_ALARM):
    """Bias², variance and MSE against tau, one series per estimator, on three axes.

    ``stats`` are :class:`binary_gumbel.estimators.statistics.EstimatorStats` results on a
    grid of temperatures. The bias's interval is
    :meth:`~binary_gumbel.estimators.statistics.EstimatorStats.bias_interval` at
    ``false_alarm`` (Student-t, the book's convention for a mean): a bias² whose
    interval excludes 0 is drawn as a filled marker at bias², and one whose interval
    reaches 0 as an open marker at the square of the interval's end farthest from 0.
    The error bars of the variance and the MSE are ``EstimatorStats.variance_interval``
    and ``EstimatorStats.mse_interval`` at ``false_alarm``.
    The legend, one entry per estimator, goes below the three panels, where it hides no
    marker.
    """
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (bias², variance, MSE); got {len(axes)}")
    if not stats:
        raise ValueError("stats must not be empty")
    names = list(dict.fromkeys(s.estimator for s in stats))
    series = zip(_study_series(stats, names), series_looks(len(names)), strict=True)
    for (name, taus, rows), (colour, marker, _) in series:
        bias = np.array([r.bias for r in rows])
        low, high = np.array([r.bias_interval(false_alarm) for r in rows]).T
        resolved = (low > 0) | (high < 0)
        upper = np.maximum(np.abs(low), np.abs(high)) ** 2
        kw = dict(color=colour, marker=marker, ms=5, lw=1.4)
        axes[0].plot(taus, np.where(resolved, bias**2, np.nan), label=name, **kw)
        axes[0].plot(taus[~resolved], upper[~resolved], ls="none", mfc="none", **kw)
        for ax, value, interval in (
            (axes[1], "variance", "variance_interval"),
            (axes[2], "mse", "mse_interval"),
        ):
            centre = np.array([getattr(r, value) for r in rows])
            low, high = np.array([getattr(r, interval)(false_alarm) for r in rows]).T
            yerr = [centre - low, high - centre]
            ax.errorbar(taus, centre, yerr=yerr, capsize=2, label=name, **kw)
    for ax, title in zip(axes, ("bias²", "variance", "mean-squared error"), strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("temperature τ")
        ax.set_title(title)
    legend_below(axes)
    return axes


def plot_sign_errors(ax, stats):
    """Sign-error rate against tau, with Clopper-Pearson intervals, one series per estimator."""
    if not stats:
        raise ValueError("stats must not be empty")
    names = list(dict.fromkeys(s.estimator for s in stats))
    series = zip(_study_series(stats, names), series_looks(len(names)), strict=True)
    for (name, taus, rows), (colour, marker, _) in series:
        rate = np.array([r.sign_error for r in rows])
        low = np.array([r.sign_error_low for r in rows])
        high = np.array([r.sign_error_high for r in rows])
        yerr = [rate - low, high - rate]
        kw = dict(color=colour, marker=marker, ms=5, capsize=2, lw=1.4, label=name)
        ax.errorbar(taus, rate, yerr=yerr, **kw)
    ax.axhline(0.5, color=PALETTE["black"], lw=0.8, ls=":", label="coin flip")
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("temperature τ")
    ax.set_ylabel("P(sign of the estimate is wrong)")
    # Right of centre: the curves sit near 0, near 1 and around 0.5 at the small temperatures.
    ax.legend(loc="center right", fontsize=8)
    return ax


def plot_trajectories(ax, trajectories, *, optimum: float):
    """``sigmoid(theta_k)`` along SGD runs, against the exact optimum ``p* = optimum``.

    ``trajectories`` are :class:`binary_gumbel.estimators.gradients.Trajectory` results; the
    one named ``"exact"`` (gradient descent) is drawn in black.
    """
    if not trajectories:
        raise ValueError("trajectories must not be empty")
    others = [t for t in trajectories if t.estimator != "exact"]
    for tr, (colour, _, dash) in zip(others, series_looks(len(others)), strict=True):
        ax.plot(sigmoid(tr.theta), color=colour, ls=dash, lw=1.5, label=tr.estimator)
    for tr in trajectories:
        if tr.estimator == "exact":
            ax.plot(sigmoid(tr.theta), color=PALETTE["black"], lw=2.2, label="exact gradient")
    ax.axhline(optimum, color=PALETTE["black"], lw=1, ls=":", label="optimum p*")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("p = σ(θ)")
    # Above the axes: the noisy runs fill the plot.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8)
    return ax


def plot_ratio_bars(ax, labels: Sequence[str], ratios, *, reference: str, xlabel: str):
    """Horizontal bars of time ratios (1 is the ``reference`` route), each bar labelled.

    ``ratios`` are times over the reference's, so positive: the axis runs from 0 to 1.2
    times the largest.
    """
    ratios = checked_values(ratios, "ratios")
    if not np.all(ratios > 0):
        raise ValueError(f"ratios must be positive time ratios; got {float(ratios.min())!r}")
    if len(labels) != ratios.size:
        raise ValueError(f"labels and ratios differ in length: {len(labels)} and {ratios.size}")
    y = np.arange(ratios.size)
    ax.barh(y, ratios, color=series_colours(ratios.size), height=0.6)
    for yi, r in zip(y, ratios, strict=True):
        ax.text(r, yi, f" {r:.2f}×", va="center")
    ax.axvline(1.0, color=PALETTE["black"], lw=0.8, ls=":")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, ratios.max() * 1.2)
    ax.set_xlabel(xlabel)
    ax.set_title(f"time relative to {reference}")
    ax.grid(axis="y", visible=False)
    return ax


# Plots for the hard concrete chapter.
