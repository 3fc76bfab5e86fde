"""The book's one plotting style, and the plots that recur across chapters.

Every figure in the book is made here so that the book has one look:

* a colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008),
  with markers and line styles that also tell series apart in grey-scale;
* an opaque white background with dark ink, so that a figure stays legible
  when the page around it switches to the theme's dark mode;
* sizes chosen for the book's text column.

Helpers return the :class:`matplotlib.figure.Figure` and never call
``plt.show``; the chapters display or glue it. Alt text and captions live with
the chapter cell that shows the figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["PALETTE", "STYLE", "new_figure", "plot_proportion_checks", "use_book_style"]

#: Okabe-Ito colours, in the order series are drawn.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Matplotlib rc settings applied to every figure of the book.
STYLE: dict[str, object] = {
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": "#1a1a1a",
    "axes.labelcolor": "#1a1a1a",
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
}

#: Width of the book's text column, in inches.
COLUMN_WIDTH = 7.0


def use_book_style() -> None:
    """Apply :data:`STYLE` to every figure made from now on (call once per chapter)."""
    mpl.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, height: float = 3.2, **kwargs):
    """A figure of the column's width, in the book's style, with its axes."""
    with mpl.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(COLUMN_WIDTH, height), **kwargs)
    return fig, axes


def plot_proportion_checks(
    ax, labels: Sequence[str], checks: Sequence, *, xlabel: str = "", ylabel: str = "probability"
):
    """Estimated proportions with their intervals, against the values claimed.

    ``checks`` are :class:`binary_gumbel.montecarlo.ProportionCheck` results: each
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
