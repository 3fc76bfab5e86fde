"""Figures for the chapter on the estimators made for binary variables.

Kept apart from :mod:`binary_gumbel.book.figures` (whose style and palette they use)
so that module stays one job long.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from binary_gumbel.book.figures.style import PALETTE, legend_below

__all__ = ["plot_bias_against_tau"]

_COLOURS = ("blue", "vermillion", "green", "purple", "orange", "sky")
_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))


def _finite(values, name: str, size: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a non-empty 1-D array of finite numbers")
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have one value per temperature ({size}); got {arr.size}")
    return arr


def plot_bias_against_tau(axes, taus, bias: Mapping[str, object], exact: Mapping[str, float]):
    """An estimator's bias against the temperature (left) and its mean over the exact gradient.

    ``bias`` maps a label (one setting, such as a target ``t``) to the bias on the
    grid ``taus``; ``exact`` maps the same labels to the exact gradient, so the
    right panel shows ``1 + bias / exact`` on a symmetric-log axis (linear within
    ±1): 1 is unbiased, below 0 the mean points the wrong way. One colour and line
    style per label, a dotted line at ``tau = 1``.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes (bias, mean over exact); got {len(axes)}")
    if not bias or set(bias) != set(exact):
        raise ValueError("bias and exact must be non-empty and have the same labels")
    if len(bias) > len(_COLOURS):
        raise ValueError(f"at most {len(_COLOURS)} settings can be told apart; got {len(bias)}")
    taus = _finite(taus, "taus")
    for (label, values), colour, style in zip(bias.items(), _COLOURS, _STYLES, strict=False):
        values = _finite(values, f"bias[{label!r}]", taus.size)
        kw = dict(color=PALETTE[colour], ls=style, lw=1.8, label=label)
        axes[0].plot(taus, values, **kw)
        axes[1].plot(taus, 1 + values / float(exact[label]), **kw)
    axes[0].axhline(0.0, color=PALETTE["black"], lw=0.8)
    axes[1].axhline(1.0, color=PALETTE["black"], lw=0.8)
    axes[1].axhline(0.0, color="#999999", lw=0.8)
    axes[1].set_yscale("symlog", linthresh=1.0)
    for ax, title in zip(axes, ("bias", "mean / exact gradient"), strict=True):
        ax.axvline(1.0, color="#999999", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("temperature τ")
        ax.set_title(title)
    legend_below(axes)
    return axes
