"""Plots of the note's chapters: samples against their laws, calibration of the checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from binary_gumbel._validation import check_integer
from binary_gumbel.book.figures.style import (
    PALETTE,
    checked_range,
    checked_values,
    diagonal,
    series_colours,
    series_looks,
)

__all__ = [
    "plot_calibration",
    "plot_coupled",
    "plot_density_family",
    "plot_exceedance",
    "plot_histogram_density",
    "plot_proportion_checks",
    "plot_qq",
    "plot_simplex",
]


def plot_proportion_checks(
    ax, labels: Sequence[str], checks: Sequence, *, xlabel: str = "", ylabel: str = "probability"
):
    """Estimated proportions with their intervals, against the values claimed.

    ``checks`` are :class:`binary_gumbel.verification.montecarlo.ProportionCheck` results: each
    is drawn as its estimate with its Clopper-Pearson interval, next to the
    expected value as an open marker.
    """
    x = np.arange(len(checks))
    est = np.array([c.estimate for c in checks])
    low = np.array([c.low for c in checks])
    high = np.array([c.high for c in checks])
    expected = np.array([c.expected for c in checks])
    ax.errorbar(
        x - 0.08,
        est,
        yerr=[est - low, high - est],
        fmt="o",
        color=PALETTE["blue"],
        capsize=4,
        label="Monte Carlo estimate and interval",
    )
    ax.plot(x + 0.08, expected, "D", mfc="none", color=PALETTE["vermillion"], label="claimed value")
    ax.set_xticks(x, labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    return ax


def plot_simplex(axes, samples_by_tau, labels: Sequence[str] = ("1", "2", "3"), max_points=1500):
    """Three-category samples on the probability simplex, one panel per temperature.

    ``samples_by_tau`` maps ``tau`` to an ``(n, 3)`` array whose rows lie on the
    simplex; each row ``x`` is drawn at ``x_2 e_2 + x_3 e_3`` in the triangle
    with vertices ``e_1 = (0, 0)``, ``e_2 = (1, 0)``, ``e_3 = (1/2, sqrt(3)/2)``.
    """
    axes = np.atleast_1d(axes).ravel()
    if len(axes) != len(samples_by_tau):
        raise ValueError(
            f"need one axis per temperature: {len(axes)} axes, {len(samples_by_tau)} taus"
        )
    if len(labels) != 3:
        raise ValueError(f"labels must name the 3 categories; got {len(labels)}")
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    for ax, (tau, samples) in zip(axes, samples_by_tau.items(), strict=True):
        x = checked_values(samples, f"samples at tau={tau}", ndim=2)
        if x.shape[1] != 3 or np.any(x < 0) or not np.allclose(x.sum(axis=1), 1):
            raise ValueError(f"samples at tau={tau} must be (n, 3) points of the simplex")
        xy = x[:max_points] @ corners
        ax.fill(*corners.T, facecolor="none", edgecolor=PALETTE["black"], lw=0.8)
        ax.scatter(*xy.T, s=4, alpha=0.35, color=PALETTE["blue"], linewidths=0)
        for corner, label, dx in zip(corners, labels, (-0.06, 0.06, 0.0), strict=True):
            ax.annotate(label, corner + [dx, 0.05 if dx == 0 else -0.07], ha="center")
        ax.set_title(f"τ = {tau:g}")
        ax.set_aspect("equal")
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.12, 0.98)
        ax.axis("off")
    return axes


def plot_calibration(ax, checks: Sequence, *, groups: Sequence[int] | None = None, labels=None):
    """Estimated probabilities with their intervals against the claimed ones, on the diagonal.

    ``checks`` are :class:`binary_gumbel.verification.montecarlo.ProportionCheck` results;
    ``groups`` (one integer per check) and ``labels`` (one per group) colour
    them by experiment, for example by weight vector.
    """
    if not checks:
        raise ValueError("checks must hold at least one ProportionCheck")
    groups = np.zeros(len(checks), int) if groups is None else np.asarray(groups)
    if groups.shape != (len(checks),):
        raise ValueError(f"groups must give one group per check; got shape {groups.shape}")
    names = sorted(set(groups.tolist()))
    labels = labels or [None] * len(names)
    if len(labels) != len(names):
        raise ValueError(f"labels must name each of the {len(names)} groups; got {len(labels)}")
    markers = "osD^vP"
    for i, (g, label, colour) in enumerate(
        zip(names, labels, series_colours(len(names)), strict=True)
    ):
        sel = [c for c, gi in zip(checks, groups, strict=True) if gi == g]
        est = np.array([c.estimate for c in sel])
        ax.errorbar(
            [c.expected for c in sel],
            est,
            yerr=[est - [c.low for c in sel], [c.high for c in sel] - est],
            fmt=markers[i % len(markers)],
            color=colour,
            capsize=3,
            label=label,
        )
    diagonal(ax, 0, 1, "claimed = estimated")
    ax.set_xlabel("claimed probability")
    ax.set_ylabel("Monte Carlo estimate")
    ax.legend(loc="upper left")
    return ax


def plot_histogram_density(
    ax, samples, grid, density, *, label="samples", curve_label="density", bins=80
):
    """A density-normalised histogram of ``samples`` against the curve ``density`` on ``grid``.

    ``grid`` must increase: the histogram's bins span ``grid[0]`` to ``grid[-1]``.
    """
    samples = checked_values(samples, "samples")
    grid, density = checked_values(grid, "grid"), checked_values(density, "density")
    if grid.shape != density.shape:
        raise ValueError(
            f"grid and density must have the same shape; got {grid.shape}, {density.shape}"
        )
    if not np.all(np.diff(grid) > 0):
        raise ValueError("grid must be strictly increasing (the histogram spans its ends)")
    ax.hist(
        samples,
        bins=bins,
        range=(grid[0], grid[-1]),
        density=True,
        color=PALETTE["sky"],
        alpha=0.6,
        label=label,
    )
    ax.plot(grid, density, color=PALETTE["vermillion"], lw=2, label=curve_label)
    ax.legend(loc="upper right")
    return ax


def plot_qq(ax, samples, quantile, *, label="samples", max_points=400):
    """Quantile-quantile plot: sorted ``samples`` against ``quantile`` at plotting positions.

    ``quantile`` is the claimed distribution's inverse CDF; the points lie on
    the diagonal when the samples follow it. Positions are ``(i - 1/2) / n``.
    """
    samples = np.sort(checked_values(samples, "samples"))
    if not callable(quantile):
        raise TypeError("quantile must be a callable inverse CDF")
    max_points = check_integer(max_points, "max_points", 1)
    idx = np.unique(np.linspace(0, samples.size - 1, min(max_points, samples.size)).astype(int))
    theory = np.asarray(quantile((idx + 0.5) / samples.size), dtype=np.float64)
    ax.plot(theory, samples[idx], "o", ms=3, color=PALETTE["blue"], label=label)
    diagonal(ax, theory[0], theory[-1], "claimed law")
    ax.set_xlabel("claimed quantile")
    ax.set_ylabel("sample quantile")
    ax.legend(loc="upper left")
    return ax


def plot_coupled(ax, first, second, *, xlabel: str, ylabel: str, max_points=3000):
    """Paired values computed from the same noise: on the diagonal when they agree."""
    first, second = checked_values(first, "first"), checked_values(second, "second")
    if first.shape != second.shape:
        raise ValueError(f"first and second must pair up; got shapes {first.shape}, {second.shape}")
    ax.scatter(first[:max_points], second[:max_points], s=5, alpha=0.5, color=PALETTE["blue"])
    low, high = min(first.min(), second.min()), max(first.max(), second.max())
    diagonal(ax, low, high, "equal values")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
    return ax


def plot_exceedance(ax, curves, *, xlabel="claimed probability", ylabel="P(x > 1/2)"):
    """``P(x > 1/2)`` against the claimed probability, one series per formula.

    ``curves`` maps a label to a :class:`binary_gumbel.book.demos.ExceedanceCurve`:
    its exact probability is drawn as a line and its Monte Carlo estimates with
    their intervals as markers. The claim holds where a series follows the
    dashed diagonal.
    """
    if not curves:
        raise ValueError("curves must hold at least one labelled ExceedanceCurve")
    markers = "osD^"
    for i, ((label, curve), colour) in enumerate(
        zip(curves.items(), series_colours(len(curves)), strict=True)
    ):
        order = np.argsort(curve.claimed)
        est = curve.estimates
        ax.plot(curve.claimed[order], curve.exact[order], "-", color=colour, lw=1.5)
        ax.errorbar(
            curve.claimed,
            est,
            yerr=[est - [c.low for c in curve.checks], [c.high for c in curve.checks] - est],
            fmt=markers[i % len(markers)],
            color=colour,
            capsize=3,
            label=label,
        )
    diagonal(ax, 0, 1, "claimed")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    return ax


# Plots for the chapters beyond the note.


def plot_density_family(ax, grid, densities, *, ylim=(0.0, 4.0)):
    """Densities on ``grid``, one curve per entry of ``densities`` (a label -> values mapping).

    Each curve has its own colour and line style, so that the family reads in grey-scale.
    ``ylim`` is the vertical range, ``(low, high)`` with ``low < high``.
    """
    grid = checked_values(grid, "grid")
    ylim = checked_range(ylim, "ylim")
    if not densities:
        raise ValueError("densities must hold at least one curve")
    for (label, values), (colour, _, dash) in zip(
        densities.items(), series_looks(len(densities)), strict=True
    ):
        values = checked_values(values, f"density {label!r}")
        if values.shape != grid.shape:
            raise ValueError(f"density {label!r} has shape {values.shape}, grid {grid.shape}")
        ax.plot(grid, values, color=colour, ls=dash, lw=1.8, label=label)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    # Above the axes: inside, it would hide the curves that leave the top of the plot.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(densities), 6))
    return ax
