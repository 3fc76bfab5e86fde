"""The figures of the two VAE chapters, in the book's style (:mod:`binary_gumbel.book.figures`).

Every series has its own colour (the Okabe-Ito :data:`~binary_gumbel.book.figures.style.PALETTE`),
marker and line style, so that the figures read in grey-scale too. Helpers draw on
axes they are given and return them; the chapters hold captions and alt text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from binary_gumbel.book.figures.style import (
    DASHES,
    MARKERS,
    PALETTE,
    SERIES_COLOURS,
    checked_values,
)
from binary_gumbel.estimators.vae_training import Training
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = [
    "plot_bounds",
    "plot_learning_rates",
    "plot_study",
    "plot_test_elbo",
    "series_style",
]

#: The book's markers and four more: the VAE figures draw more series than the book's looks,
#: so colours (6) and markers (11) cycle at coprime periods (series 0 to 65 differ in colour
#: or marker), and line styles take the first 4.
_MARKERS = (*MARKERS, "*", "<", ">", "h")
_DASHES = DASHES[:4]


def series_style(i: int) -> dict:
    """Colour, marker and line style of series ``i`` (they cycle at different periods)."""
    return {
        "color": SERIES_COLOURS[i % len(SERIES_COLOURS)],
        "marker": _MARKERS[i % len(_MARKERS)],
        "ls": _DASHES[i % len(_DASHES)],
    }


def plot_bounds(ax, steps, elbo, log_marginal):
    """Exact test ELBO and exact ``log p(x)`` against training steps, the gap shaded.

    ``steps``, ``elbo`` and ``log_marginal`` are finite, non-empty and of one length.
    """
    steps = checked_values(steps, "steps")
    elbo, log_marginal = checked_values(elbo, "elbo"), checked_values(log_marginal, "log_marginal")
    if not steps.size == elbo.size == log_marginal.size:
        raise ValueError(
            f"steps, elbo and log_marginal must have one value per step; got lengths "
            f"{steps.size}, {elbo.size} and {log_marginal.size}"
        )
    ax.plot(steps, log_marginal, color=PALETTE["blue"], marker="o", label="log p(x), exact")
    ax.plot(steps, elbo, color=PALETTE["vermillion"], marker="s", ls="--", label="ELBO, exact")
    ax.fill_between(steps, elbo, log_marginal, color=PALETTE["sky"], alpha=0.25, lw=0)
    ax.set_xlabel("training step (exact gradient)")
    ax.set_ylabel("mean over test images (nats)")
    ax.legend(loc="lower right")
    return ax


def plot_study(axes, studies: dict, names: Sequence[str]):
    """Two panels per estimator row: MSE relative to ``|g*|^2`` and the bias along ``g*``.

    ``studies`` maps a label (a checkpoint) to a list of
    :class:`binary_gumbel.estimators.vae_study.GradientStats`; ``names`` orders the estimators.
    Error bars are the intervals of the study.
    """
    ax_mse, ax_bias = axes
    y = np.arange(len(names))
    offsets = np.linspace(-0.25, 0.25, len(studies))
    for j, (label, rows) in enumerate(studies.items()):
        by = {r.method: r for r in rows}
        style = series_style(j)
        for ax, value, low, high in (
            (ax_mse, "relative_mse", "relative_mse_low", "relative_mse_high"),
            (ax_bias, "along", "along_low", "along_high"),
        ):
            v = np.array([getattr(by[n], value) for n in names])
            lo = np.array([getattr(by[n], low) for n in names])
            hi = np.array([getattr(by[n], high) for n in names])
            ax.errorbar(
                v,
                y + offsets[j],
                xerr=np.vstack([v - lo, hi - v]).clip(min=0),
                color=style["color"],
                marker=style["marker"],
                ls="none",
                ms=5,
                capsize=2,
                label=label,
            )
    ax_mse.set_xscale("log")
    ax_mse.set_xlabel("mean squared error / ‖exact gradient‖²")
    ax_bias.axvline(0.0, color=PALETTE["black"], lw=0.8)
    # symmetric-log: linear within +-0.2, so small biases read while REINFORCE's wide
    # interval still fits
    ax_bias.set_xscale("symlog", linthresh=0.2)
    ticks = (-1.0, -0.2, 0.0, 0.2, 1.0)
    ax_bias.set_xticks(ticks, [f"{t:g}".replace("-", "−") for t in ticks])
    ax_bias.set_xlabel("bias along the exact gradient, relative (symlog)")
    for ax in axes:
        ax.set_yticks(y, names if ax is ax_mse else [""] * len(names))
        ax.invert_yaxis()
    ax_mse.legend(loc="lower center", bbox_to_anchor=(1.0, 1.0), ncols=len(studies))
    return axes


def plot_test_elbo(ax, run: Training, names: Sequence[str], *, false_alarm: float = 0.05):
    """Exact test ELBO against steps, mean over seeds with its Student-t band."""
    for i, name in enumerate(names):
        values = run.test_elbo[run.index(name), 0]  # (seeds, checkpoints)
        mean, low, high = mean_intervals(values, axis=0, false_alarm=false_alarm)
        style = series_style(i)
        ax.plot(run.checkpoints, mean, lw=1.5, ms=4, label=name, **style)
        ax.fill_between(run.checkpoints, low, high, color=style["color"], alpha=0.15, lw=0)
    ax.set_xlabel("training step")
    ax.set_ylabel("exact test ELBO (nats)")
    return ax


def plot_learning_rates(ax, run: Training, *, false_alarm: float = 0.05):
    """Final exact test ELBO against the learning rate, one line per method, t intervals."""
    rates = np.asarray(run.learning_rates)
    for i, name in enumerate(run.methods):
        final = run.test_elbo[run.index(name), :, :, -1]  # (rates, seeds)
        mean, low, high = mean_intervals(final, axis=1, false_alarm=false_alarm)
        style = series_style(i)
        ax.errorbar(
            rates * (1 + 0.03 * (i - len(run.methods) / 2)),
            mean,
            yerr=np.vstack([mean - low, high - mean]),
            capsize=2,
            ms=4,
            lw=1.2,
            label=name,
            **style,
        )
    ax.set_xscale("log")
    ax.set_xlabel("Adam learning rate")
    ax.set_ylabel("final exact test ELBO (nats)")
    return ax
