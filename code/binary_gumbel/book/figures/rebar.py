"""Plots of the REBAR and RELAX chapter: the conditional noise, the saving of the best REBAR,
training curves and the learned relaxation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from binary_gumbel._validation import check_integer
from binary_gumbel.book.figures import style
from binary_gumbel.estimators.rebar import limit_eta

__all__ = [
    "plot_conditional_cdfs",
    "plot_learned_relaxation",
    "plot_rebar_saving",
    "plot_training_curves",
]


def plot_conditional_cdfs(ax, samples_by_b, cdf, *, logit: float, max_points: int = 2000):
    """Empirical CDFs of ``z~`` given ``b``, against the derived conditional CDFs.

    ``samples_by_b`` maps ``b`` (0 or 1) to samples of ``z~``; ``cdf(z, logit, b)``
    is the derived CDF (:func:`binary_gumbel.conditional_noise.conditional_logistic_cdf`).
    Each empirical CDF is a step line, the derived one a dashed black curve.
    """
    if not samples_by_b:
        raise ValueError("samples_by_b must hold samples for b = 0 or 1")
    max_points = check_integer(max_points, "max_points", 1)
    colours = style.series_colours(len(samples_by_b))
    for (b, samples), colour in zip(sorted(samples_by_b.items()), colours, strict=True):
        x = np.sort(style.checked_values(samples, f"samples for b={b}"))
        keep = np.unique(np.linspace(0, x.size - 1, min(max_points, x.size)).astype(int))
        ecdf = (np.arange(x.size) + 1) / x.size
        ax.step(x[keep], ecdf[keep], where="post", color=colour, lw=2.2, label=f"z̃ given b = {b}")
        grid = np.linspace(x[keep[0]], x[keep[-1]], 300)
        ax.plot(grid, cdf(grid, logit, b), "--", color=style.PALETTE["black"], lw=1.1)
    ax.plot([], [], "--", color=style.PALETTE["black"], lw=1.1, label="derived CDF")
    ax.set_xlabel("z")
    ax.set_ylabel("P(z̃ ≤ z | b)")
    ax.legend(loc="upper left")
    return ax


def plot_rebar_saving(axes, grids, labels: Sequence[str]):
    """REBAR's variance against its temperature lambda, one series per grid, on two axes.

    ``grids`` are :class:`binary_gumbel.estimators.rebar.VarianceGrid` results over a
    range of temperatures. Left: the variance relative to REINFORCE's at the optimal
    ``eta*`` (solid, markers) and, if ``eta = 1`` is on the grid, at ``eta = 1``
    (dashed), with the mean baseline's ratio as a dotted line; log-log. Right:
    ``eta*`` as a fraction of its ``lambda -> infinity`` limit ``c* / (1/2 - t)^2``
    (:func:`binary_gumbel.estimators.rebar.limit_eta`), which tends to 1.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes; got {len(axes)}")
    if not grids or len(grids) != len(labels):
        raise ValueError("grids and labels must be non-empty and of the same length")
    left, right = axes
    series = zip(grids, labels, style.series_looks(len(grids)), strict=True)
    for grid, label, (colour, marker, _) in series:
        lams = np.asarray(grid.temperatures)
        left.plot(
            lams,
            grid.optimal_variance / grid.reinforce_variance,
            color=colour,
            marker=marker,
            ms=5,
            lw=1.6,
            label=f"{label}, η = η*",
        )
        ones = np.flatnonzero(np.asarray(grid.etas) == 1.0)
        if ones.size:
            ratio = grid.variance[ones[0]] / grid.reinforce_variance
            left.plot(lams, ratio, color=colour, ls="--", lw=1.2, label=f"{label}, η = 1")
        left.axhline(grid.baseline_variance / grid.reinforce_variance, color=colour, ls=":", lw=1.0)
        limit = float(limit_eta(grid.theta, grid.target))
        right.plot(
            lams, grid.optimal_eta / limit, color=colour, marker=marker, ms=5, lw=1.6, label=label
        )
    left.plot([], [], color=style.PALETTE["black"], ls=":", lw=1.0, label="mean baseline")
    left.axhline(1.0, color=style.PALETTE["black"], lw=0.8)
    right.axhline(1.0, color=style.PALETTE["black"], lw=0.8, ls=":", label="λ → ∞ limit")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("temperature λ")
    left.set_yscale("log")
    left.set_ylabel("variance / REINFORCE's")
    right.set_ylabel("η* / (c* / (½ − t)²)")
    left.legend(loc="lower left", fontsize=7)
    right.legend(loc="upper left", fontsize=7)
    return axes


def _window_mean(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Means of consecutive blocks of ``window`` rows, and the block centres."""
    blocks = values.shape[0] // window
    trimmed = values[: blocks * window].reshape(blocks, window, *values.shape[1:])
    return (np.arange(blocks) + 0.5) * window, trimmed.mean(axis=1)


def plot_training_curves(ax, runs, quantity: str, *, window: int = 50, optimum=None):
    """One curve per training run against the step: the mean over its seeded chains.

    ``runs`` are :class:`binary_gumbel.estimators.relax_training.Training` results;
    ``quantity`` is ``"loss"`` (the excess loss ``L - t^2``, log scale, with the
    chains' 10-90 % band), ``"probability"`` (``p = sigmoid(theta)``, with the
    band) or ``"variance"`` (log10 of the single-sample variance, averaged over
    the chains and over blocks of ``window`` steps). The exact gradient, when
    present, is black; it has no variance curve.
    """
    if quantity not in ("loss", "probability", "variance"):
        raise ValueError(f"quantity must be 'loss', 'probability' or 'variance'; got {quantity!r}")
    if not runs:
        raise ValueError("runs must not be empty")
    others = [r for r in runs if r.method != "exact"]
    looks = style.series_looks(len(others))
    styles = {r.method: (colour, dash) for r, (colour, _, dash) in zip(others, looks, strict=True)}
    styles["exact"] = (style.PALETTE["black"], "-")
    for run in runs:
        colour, dash = styles[run.method]
        label = "exact gradient" if run.method == "exact" else run.method
        if quantity == "variance":
            if run.method == "exact":
                continue
            steps, var = _window_mean(run.variance.mean(axis=1), window)
            ax.plot(steps, np.log10(var), color=colour, ls=dash, lw=1.6, label=label)
            continue
        values = run.loss - run.target**2 if quantity == "loss" else run.probability
        steps = np.arange(values.shape[0])
        ax.plot(steps, values.mean(axis=1), color=colour, ls=dash, lw=1.6, label=label)
        if run.method != "exact":
            low, high = np.quantile(values, [0.1, 0.9], axis=1)
            ax.fill_between(steps, low, high, color=colour, alpha=0.15, lw=0)
    if optimum is not None:
        ax.axhline(optimum, color=style.PALETTE["black"], lw=0.8, ls=":", label="optimum")
    ax.set_xlabel("step")
    ylabels = {
        "loss": "excess loss L(θ) − t²",
        "probability": "p = σ(θ)",
        "variance": "log₁₀ variance of one estimate",
    }
    ax.set_ylabel(ylabels[quantity])
    if quantity == "loss":
        ax.set_yscale("log")
    return ax


def plot_learned_relaxation(ax, z, learned, concrete, *, baseline=None):
    """RELAX's learned control variates ``c_phi(z)`` against the fixed Concrete one.

    ``learned`` is an ``(runs, len(z))`` array of ``c_phi`` on the grid ``z``, one
    thin line per run; ``concrete`` is ``f(sigmoid(z / lambda))``; ``baseline``, if
    given, the variance-optimal constant baseline, a dotted line.
    """
    z = style.checked_values(z, "z")
    learned = style.checked_values(learned, "learned", ndim=2)
    concrete = style.checked_values(concrete, "concrete")
    if learned.shape[1] != z.size or concrete.size != z.size:
        raise ValueError("learned and concrete must be evaluated on the grid z")
    for k, row in enumerate(learned):
        ax.plot(
            z,
            row,
            color=style.PALETTE["blue"],
            lw=1.0,
            alpha=0.6,
            label="RELAX c_φ(z), learned" if k == 0 else None,
        )
    ax.plot(
        z,
        concrete,
        color=style.PALETTE["vermillion"],
        lw=2.0,
        ls="--",
        label="Concrete f(σ(z/λ)) (REBAR)",
    )
    if baseline is not None:
        ax.axhline(
            baseline,
            color=style.PALETTE["black"],
            lw=1.0,
            ls=":",
            label="optimal constant baseline",
        )
    ax.axvline(0.0, color="#999999", lw=0.8)
    ax.set_xlabel("z (b = 1 to the right of 0)")
    ax.set_ylabel("control variate")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8)
    return ax
