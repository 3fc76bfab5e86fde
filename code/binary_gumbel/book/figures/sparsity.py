"""Plots of the hard concrete chapter: the gate's law and the sparsity sweep."""

from __future__ import annotations

import numpy as np

from binary_gumbel.book.figures.style import (
    PALETTE,
    checked_range,
    checked_values,
    legend_below,
    series_colours,
    series_looks,
)

__all__ = [
    "plot_hard_concrete",
    "plot_sparsity_sweep",
    "plot_switching_paths",
]


def plot_hard_concrete(axes, grid, densities, masses, *, ylim=(0.0, 3.0)):
    """The hard concrete law at several temperatures: density on (0, 1) and the two point masses.

    ``axes`` is a pair: the density panel and the point-mass panel. ``densities`` maps
    a label to the continuous part's density on ``grid`` (inside (0, 1)); ``masses``
    maps the same labels to ``(P(z = 0), P(z = 1))``, drawn as paired bars at 0 and at
    1 in the same colours, each bar labelled with its value.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes (density, point masses); got {len(axes)}")
    if set(densities) != set(masses) or not densities:
        raise ValueError("densities and masses must have the same, non-empty, labels")
    dens_ax, mass_ax = axes
    ylim = checked_range(ylim, "ylim")
    grid = checked_values(grid, "grid")
    looks = series_looks(len(densities))
    width = 0.8 / len(densities)
    for i, (label, (colour, _, dash)) in enumerate(zip(densities, looks, strict=True)):
        values = checked_values(densities[label], f"density {label!r}")
        if values.shape != grid.shape:
            raise ValueError(f"density {label!r} has shape {values.shape}, grid {grid.shape}")
        dens_ax.plot(grid, values, color=colour, ls=dash, lw=1.8, label=label)
        at = np.array([0.0, 1.0]) + (i - (len(densities) - 1) / 2) * width
        mass = checked_values(masses[label], f"masses {label!r}")
        if mass.shape != (2,):
            raise ValueError(
                f"masses {label!r} must be (P(z = 0), P(z = 1)); got shape {mass.shape}"
            )
        bars = mass_ax.bar(at, mass, width=width * 0.9, color=colour, label=label)
        mass_ax.bar_label(bars, fmt="%.2f", fontsize=8)
    dens_ax.set_xlim(0, 1)
    dens_ax.set_ylim(*ylim)
    dens_ax.set_xlabel("z")
    dens_ax.set_ylabel("density on (0, 1)")
    dens_ax.set_title("continuous part")
    dens_ax.legend(loc="upper center", ncols=3)
    mass_ax.set_xticks([0, 1], ["P(z = 0)", "P(z = 1)"])
    mass_ax.set_ylim(0, 1)
    mass_ax.set_ylabel("probability")
    mass_ax.set_title("point masses")
    mass_ax.grid(axis="x", visible=False)
    return axes


def plot_sparsity_sweep(axes, rows, *, true_size: int):
    """A penalty-weight sweep of best subset against hard concrete gates, on three axes.

    ``rows`` are :class:`binary_gumbel.estimators.sparse_regression.SweepRow` results. Left: the
    rate of exact recovery of the true support for each method and the rate at which
    the gates select the best-subset support, with their intervals; middle: the mean
    size of the selected support, against ``true_size``; right: the mean test error
    with its interval. The legend goes below the panels.
    """
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (recovery, size, test error); got {len(axes)}")
    rows = list(rows)
    if not rows:
        raise ValueError("rows must not be empty")
    lam = np.array([r.lam for r in rows])
    blue, orange, green = series_colours(3)

    def bars(ax, intervals, **kw):
        est = np.array([iv.estimate for iv in intervals])
        err = [est - [iv.low for iv in intervals], [iv.high for iv in intervals] - est]
        ax.errorbar(lam, est, yerr=err, capsize=2, lw=1.4, ms=5, **kw)

    best = dict(color=blue, marker="o", label="best subset (exact)")
    gates = dict(color=orange, marker="s", ls="--", label="hard concrete gates")
    bars(axes[0], [r.best_recovery for r in rows], **best)
    bars(axes[0], [r.gates_recovery for r in rows], **gates)
    bars(axes[0], [r.agreement for r in rows], color=green, marker="^", ls=":",
         label="gates = best subset")  # fmt: skip
    axes[0].set_ylim(-0.03, 1.03)
    axes[0].set_title("rate over seeds")
    axes[1].plot(lam, [r.best_size for r in rows], **best)
    axes[1].plot(lam, [r.gates_size for r in rows], **gates)
    axes[1].axhline(true_size, color=PALETTE["black"], lw=0.8, ls=":", label="true support size")
    axes[1].set_title("mean support size")
    bars(axes[2], [r.best_mse for r in rows], **best)
    bars(axes[2], [r.gates_mse for r in rows], **gates)
    axes[2].set_title("mean test MSE")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("penalty weight λ")
    legend_below(axes, ncols=2)
    return axes


def plot_switching_paths(axes, paths, *, xlim=(-10.0, 10.0)):
    """The expected objective along one-gate switching paths, in units of the penalty weight.

    ``paths`` is a list of :class:`binary_gumbel.estimators.gate_switching.SwitchingPaths`
    (one per ``lam``). ``axes`` is a pair: left, the selected gates whose feature best subset
    leaves out; right, the unselected gates that best subset keeps. Each line is one gate's
    objective, minus its value at the start (the trained logits, the weights set for them)
    and divided by ``lam``, over the finite logits of both its paths (towards best subset's
    choice and away from it); a dot marks the trained logit.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes (closing, opening); got {len(axes)}")
    paths = list(paths)
    if not paths:
        raise ValueError("paths must not be empty")
    blue, grey = series_colours(1)[0], PALETTE["black"]
    for p in paths:
        for row in range(p.dataset.size):
            x = np.concatenate([p.away_logits[row, ::-1], p.logits[row, 1:]])
            y = np.concatenate([p.away_objective[row, ::-1], p.objective[row, 1:]])
            finite = np.isfinite(x)
            ax = axes[0] if p.closing[row] else axes[1]
            start = p.objective[row, 0]
            ax.plot(x[finite], (y[finite] - start) / p.lam, color=blue, lw=1, alpha=0.7,
                    label="expected objective")  # fmt: skip
            ax.plot(p.logits[row, 0], 0.0, "o", color=grey, ms=3, label="trained logit")
    titles = ("selected gate, closed", "unselected gate, opened")
    for ax, title in zip(axes, titles, strict=True):
        ax.axhline(0, color=grey, lw=0.8, ls=":")
        ax.set_xlim(*xlim)
        ax.set_xlabel("the moving gate's logit")
        ax.set_title(title)
    axes[0].set_ylabel("objective − its start, in units of λ")
    legend_below(axes, ncols=2)
    return axes
