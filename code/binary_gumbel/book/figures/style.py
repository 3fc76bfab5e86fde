"""The book's one plotting style: the palette, the rc settings, the column-wide figure.

* a colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008),
  with markers and line styles that also tell series apart in grey-scale;
* an opaque white background with dark ink, so that a figure stays legible
  when the page around it switches to the theme's dark mode;
* sizes chosen for the book's text column.

Also the small checks and helpers every subject's plots share.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from binary_gumbel._validation import check_count

__all__ = [
    "COLUMN_WIDTH",
    "DASHES",
    "MARKERS",
    "PALETTE",
    "SERIES_COLOURS",
    "STYLE",
    "checked_range",
    "checked_values",
    "diagonal",
    "legend_below",
    "new_figure",
    "series_colours",
    "series_looks",
    "use_book_style",
]

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

#: The colours of series, in the order they are drawn: the palette without yellow (too pale
#: on white) and black, the colour of what the series are compared with (the exact gradient,
#: a derived curve, a reference line).
SERIES_COLOURS: tuple[str, ...] = tuple(
    c for name, c in PALETTE.items() if name not in ("yellow", "black")
)

#: Markers and line styles, in the order series are drawn, so that grey-scale tells them apart:
#: one of each per colour of :data:`SERIES_COLOURS`, and one more marker for the figures that
#: cycle them (:func:`binary_gumbel.book.figures.vae.series_style`).
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))

#: Width of the book's text column, in inches.
COLUMN_WIDTH = 7.0


def use_book_style() -> None:
    """Apply :data:`STYLE` to every figure made from now on (call once per chapter)."""
    mpl.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, height: float = 3.2, **kwargs):
    """A figure of the column's width, in the book's style, with its axes."""
    with mpl.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(COLUMN_WIDTH, height), **kwargs)
        # The first figure loads the backend, and a notebook's inline backend then
        # turns interactive mode on; leaving the context would restore it to off,
        # and no later figure of the notebook would be shown.
        interactive = mpl.is_interactive()
    mpl.interactive(interactive)
    return fig, axes


def series_colours(count: int) -> list[str]:
    """The first ``count`` colours of :data:`SERIES_COLOURS`; ``ValueError`` for more series
    than there are colours or a negative ``count``, ``TypeError`` for a ``count`` that is not
    an integer."""
    count = check_count(count, "count", 0)
    if count > len(SERIES_COLOURS):
        raise ValueError(f"at most {len(SERIES_COLOURS)} series can be told apart; got {count}")
    return list(SERIES_COLOURS[:count])


def series_looks(count: int) -> list[tuple[str, str, object]]:
    """``(colour, marker, line style)`` of each of ``count`` series, in the order drawn: the
    colours of :func:`series_colours` (``ValueError`` for more series than colours) with as
    many :data:`MARKERS` and :data:`DASHES`, so that every series is drawn and tells apart in
    grey-scale too."""
    colours = series_colours(count)
    return list(zip(colours, MARKERS[:count], DASHES[:count], strict=True))


def checked_values(data, name: str, ndim: int = 1) -> np.ndarray:
    """Finite float data of ``ndim`` dimensions, not empty; errors name the argument."""
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers") from None
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def checked_range(limits, name: str) -> tuple[float, float]:
    """An axis range ``(low, high)`` of finite numbers with ``low < high``; errors name it."""
    limits = checked_values(limits, name)
    if limits.shape != (2,) or not limits[0] < limits[1]:
        raise ValueError(
            f"{name} must be (low, high) with low < high; got {tuple(limits.tolist())}"
        )
    return float(limits[0]), float(limits[1])


def diagonal(ax, low: float, high: float, label: str) -> None:
    """The dashed line ``y = x`` from ``low`` to ``high``, labelled."""
    ax.plot([low, high], [low, high], "--", color=PALETTE["black"], lw=1, label=label)


def legend_below(axes, ncols: int | None = None) -> None:
    """One legend for all of ``axes``, under the panels: each label once, in the order drawn.

    ``ncols`` defaults to one column per label (a single row).
    """
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    ncols = len(labels) if ncols is None else ncols
    axes[0].figure.legend(handles, labels, loc="outside lower center", ncols=ncols)
