"""Figures for the chapter on the estimators made for binary variables.

Kept apart from :mod:`binary_gumbel.book.figures` (whose style and palette they use)
so that module stays one job long.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from binary_gumbel._validation import finite_number
from binary_gumbel.book.figures.style import PALETTE, checked_values, legend_below, series_looks

__all__ = ["plot_bias_against_tau"]


def plot_bias_against_tau(axes, taus, bias: Mapping[str, object], exact: Mapping[str, float]):
    """An estimator's bias against the temperature (left) and its mean over the exact gradient.

    ``bias`` maps a label (one setting, such as a target ``t``) to the bias on the
    grid ``taus``; ``exact`` maps the same labels to the exact gradient, so the
    right panel shows ``1 + bias / exact`` on a symmetric-log axis (linear within
    ±1): 1 is unbiased, below 0 the mean points the wrong way. One colour and line
    style per label (:func:`~binary_gumbel.book.figures.style.series_looks`), a dotted line
    at ``tau = 1``.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes (bias, mean over exact); got {len(axes)}")
    if not bias or set(bias) != set(exact):
        raise ValueError("bias and exact must be non-empty and have the same labels")
    taus = checked_values(taus, "taus")
    for (label, values), (colour, _, dash) in zip(
        bias.items(), series_looks(len(bias)), strict=True
    ):
        values = checked_values(values, f"bias[{label!r}]")
        if values.size != taus.size:
            raise ValueError(
                f"bias[{label!r}] must have one value per temperature ({taus.size}); "
                f"got {values.size}"
            )
        kw = dict(color=colour, ls=dash, lw=1.8, label=label)
        axes[0].plot(taus, values, **kw)
        axes[1].plot(taus, _relative(values, exact, label), **kw)
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


def _relative(values, exact, label) -> np.ndarray:
    """``1 + values / exact[label]``, the right panel's series: ``exact[label]`` must be one
    finite, nonzero number (the relative bias divides by it), and the quotient finite (a
    subnormal exact value overflows it)."""
    name = f"exact[{label!r}]"
    scale = finite_number(exact[label], name)
    if scale == 0:
        raise ValueError(f"{name} must be nonzero (the relative bias divides by it); got 0.0")
    with np.errstate(over="ignore"):
        relative = 1 + values / scale
    if not np.all(np.isfinite(relative)):
        raise ValueError(
            f"bias[{label!r}] / {name} must be finite; got an overflow with {name} = {scale!r}"
        )
    return relative
