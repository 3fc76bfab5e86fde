"""Explorable figures: frames computed by the library, a chart that chooses among them.

A reader of the binary Concrete chapter moves two sliders, the temperature
``tau`` and the probability ``p``, and sees the density and a histogram of
samples redrawn. Every number of every frame is computed here, in Python, when
the book is built:

* the density of BinConcrete(alpha = p / (1 - p), lambda = tau) on a grid of
  ``x`` in (0, 1), from :func:`binary_gumbel.binary_concrete_pdf`,

      f(x) = tau alpha x^(tau-1) (1-x)^(tau-1) / (alpha (1-x)^tau + x^tau)^2;

* a density-normalised histogram of ``samples`` draws
  ``x = sigmoid((logit + log u - log(1 - u)) / tau)``, ``logit = log p - log(1 - p)``,
  from :func:`binary_gumbel.sample_binary_gumbel_softmax` with
  ``rng = numpy.random.default_rng(seed)`` for each frame. Every frame thus
  transforms the same uniforms ``u`` (common random numbers), so the bars move
  smoothly from one frame to the next instead of jittering.

The chart is a Vega-Lite specification built with Altair. Its two parameters
are bound to ``<input type="range">`` sliders, and a filter keeps the one
precomputed frame whose ``tau`` and ``p`` are the sliders' values: the page
selects, it never computes, and the mathematics is not written a second time
in JavaScript.

:func:`density_explorer` returns an object that Jupyter displays in two ways at
once: JupyterLab renders its Vega-Lite output natively, and the book's pages
(MyST-NB) run its small JavaScript output, which hands the same specification
to vega-embed, served from the site itself (see ``_ext/explorable_figures.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import as_float_array, check_count, check_probability, check_tau
from binary_gumbel.book.figures.style import PALETTE, STYLE
from binary_gumbel.density import binary_concrete_pdf
from binary_gumbel.relaxed import logit_from_probability, sample_binary_gumbel_softmax

__all__ = [
    "DEFAULT_PROBABILITIES",
    "DEFAULT_TAUS",
    "VEGALITE_MIME_TYPE",
    "DensityExplorer",
    "DensityFrames",
    "density_chart",
    "density_datasets",
    "density_explorer",
    "density_frames",
]

#: The temperatures a reader can choose: 0.1, 0.2, ..., 3.0.
DEFAULT_TAUS = np.round(np.arange(1, 31) / 10, 10)
#: The probabilities a reader can choose: 0.1, 0.2, ..., 0.9.
DEFAULT_PROBABILITIES = np.round(np.arange(1, 10) / 10, 10)
#: The output JupyterLab renders natively (Vega-Lite 5, the version Altair 5 writes).
VEGALITE_MIME_TYPE = "application/vnd.vegalite.v5+json"
#: vega-embed's options: SVG (readable by a screen reader and by the tests), no actions menu.
EMBED_OPTIONS = {"actions": False, "renderer": "svg"}
#: The chart's width in pixels in JupyterLab (on the page it fills the text column).
LAB_WIDTH = 560
#: Decimals kept in the chart's data; a frame's values stay unrounded in DensityFrames.
DECIMALS = 4


@dataclass(frozen=True)
class DensityFrames:
    """The precomputed frames of the density explorer.

    Attributes
    ----------
    taus : ndarray, shape (T,)
        The temperatures, evenly spaced and increasing.
    probabilities : ndarray, shape (P,)
        The probabilities ``p``, evenly spaced and increasing, in (0, 1).
    grid : ndarray, shape (G,)
        The points ``x`` at which the density is evaluated: the midpoints of
        ``G`` equal cells of (0, 1).
    density : ndarray, shape (T, P, G)
        ``density[i, j] = binary_concrete_pdf(grid, logit(p_j), tau_i)``.
    bin_edges : ndarray, shape (B + 1,)
        The histogram's bin edges, ``B`` equal bins of [0, 1].
    histogram : ndarray, shape (T, P, B)
        ``histogram[i, j]``: the density-normalised histogram of ``samples``
        draws ``sample_binary_gumbel_softmax(logit(p_j), tau_i, samples,
        rng=numpy.random.default_rng(seed))``.
    samples : int
        The number of draws in each frame.
    seed : int
        The seed of every frame's generator.
    """

    taus: np.ndarray
    probabilities: np.ndarray
    grid: np.ndarray
    density: np.ndarray
    bin_edges: np.ndarray
    histogram: np.ndarray
    samples: int
    seed: int

    @property
    def count(self) -> int:
        """The number of frames, ``T * P``."""
        return self.taus.size * self.probabilities.size


def _evenly_spaced(values: np.ndarray, name: str) -> np.ndarray:
    """A 1-D, increasing, evenly spaced array (a slider's positions); errors name it."""
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence; got shape {values.shape}")
    if values.size > 1:
        steps = np.diff(values)
        if not (steps > 0).all():
            raise ValueError(f"{name} must be increasing; got {values.tolist()}")
        if not np.allclose(steps, steps[0], rtol=1e-6, atol=0.0):
            raise ValueError(
                f"{name} must be evenly spaced (a slider's steps); got {values.tolist()}"
            )
    return values


def density_frames(
    taus=DEFAULT_TAUS,
    probabilities=DEFAULT_PROBABILITIES,
    *,
    grid_points: int = 100,
    bins: int = 25,
    samples: int = 20_000,
    seed: int = 20261201,
) -> DensityFrames:
    """Every frame of the density explorer: the density and a histogram at each (tau, p).

    Parameters
    ----------
    taus : array_like, 1-D
        Temperatures, positive, finite, increasing and evenly spaced.
    probabilities : array_like, 1-D
        Probabilities ``p`` strictly between 0 and 1, increasing and evenly spaced.
    grid_points : int
        How many points ``x`` the density is evaluated at (at least 2).
    bins : int
        How many equal bins of [0, 1] the histogram has.
    samples : int
        How many draws each histogram counts.
    seed : int
        The seed of ``numpy.random.default_rng`` for every frame.

    Returns
    -------
    DensityFrames
        See its attributes for exactly what each array holds.

    Raises
    ------
    ValueError
        Naming the argument: a temperature that is not positive and finite, a
        probability outside (0, 1), values that are not increasing and evenly
        spaced, or a count below its minimum.
    """
    taus = _evenly_spaced(check_tau(as_float_array(taus, "taus", np.float64), name="taus"), "taus")
    probabilities = check_probability(probabilities, "probabilities", np.float64)
    if not ((probabilities > 0) & (probabilities < 1)).all():
        raise ValueError(
            f"probabilities must lie strictly between 0 and 1; got {probabilities.tolist()}"
        )
    probabilities = _evenly_spaced(probabilities, "probabilities")
    grid_points = check_count(grid_points, "grid_points", minimum=2)
    bins = check_count(bins, "bins")
    samples = check_count(samples, "samples")
    seed = check_count(seed, "seed", minimum=0)

    grid = (np.arange(grid_points) + 0.5) / grid_points
    bin_edges = np.linspace(0.0, 1.0, bins + 1)
    logits = logit_from_probability(probabilities)
    # One evaluation for every (tau, p, x): broadcast (T, 1, 1), (1, P, 1), (1, 1, G).
    density = binary_concrete_pdf(grid, logits[None, :, None], taus[:, None, None])
    histogram = np.empty((taus.size, probabilities.size, bins))
    for i, tau in enumerate(taus):
        for j, logit in enumerate(logits):
            draws = sample_binary_gumbel_softmax(
                logit, tau, samples, rng=np.random.default_rng(seed)
            )
            histogram[i, j] = np.histogram(draws, bins=bin_edges, density=True)[0]
    return DensityFrames(taus, probabilities, grid, density, bin_edges, histogram, samples, seed)


def _rounded(values) -> list[float]:
    return [float(v) for v in np.round(np.asarray(values, dtype=np.float64), DECIMALS)]


def _format(values: np.ndarray) -> str:
    """The d3 format with the fewest decimals (at most 6) that writes ``values`` exactly."""
    decimals = next(
        (d for d in range(7) if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9)), 6
    )
    return f".{decimals}f"


def _slider(values: np.ndarray, label: str) -> dict:
    step = float(np.round(values[1] - values[0], 10)) if values.size > 1 else 1.0
    return {"min": float(values[0]), "max": float(values[-1]), "step": step, "name": label}


#: The chart's text, in the book's colours (figures.STYLE) on an opaque white card.
_INK, _EDGE, _GRID = STYLE["text.color"], STYLE["axes.edgecolor"], STYLE["grid.color"]
_FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"


def density_datasets(frames: DensityFrames) -> dict[str, list[dict]]:
    """The chart's data: ``frames`` (one record per frame), ``grid`` and ``cells``.

    ``frames`` holds ``{tau, p, density: [G values], height: [B values]}`` for
    every (tau, p), the values rounded to :data:`DECIMALS` decimals; ``grid``
    holds ``{i, x}`` and ``cells`` ``{i, x0, x1}`` (the bins), with ``i``
    counting from 1 as Vega's ``row_number`` does.
    """
    if not isinstance(frames, DensityFrames):
        raise TypeError(f"frames must be DensityFrames; got {type(frames).__name__}")
    edges = frames.bin_edges
    return {
        "frames": [
            {
                "tau": float(t),
                "p": float(q),
                "density": _rounded(frames.density[i, j]),
                "height": _rounded(frames.histogram[i, j]),
            }
            for i, t in enumerate(frames.taus)
            for j, q in enumerate(frames.probabilities)
        ],
        "grid": [{"i": k + 1, "x": float(x)} for k, x in enumerate(frames.grid)],
        "cells": [
            {"i": k + 1, "x0": float(a), "x1": float(b)}
            for k, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))
        ],
    }


def density_chart(frames: DensityFrames, *, tau: float = 0.5, p: float = 0.3, ymax: float = 5.0):
    """The Vega-Lite chart (an Altair layer chart) of the density explorer.

    Two parameters, ``tau`` and ``p``, start at the given values and are bound
    to sliders over ``frames.taus`` and ``frames.probabilities``. The chart
    refers to the named data sets of :func:`density_datasets`, which the
    specification of :class:`DensityExplorer` adds (Altair validates the chart
    without them: checking 270 frames against the schema takes seconds). Each
    layer keeps
    the frame nearest to the sliders' values (the filter
    ``|datum.tau - tau| < step / 2`` and the same for ``p``), flattens its array
    and looks ``x`` up by position. The y axis is cut at ``ymax``; the
    density diverges at 0 and 1 for ``tau < 1``.

    Raises
    ------
    ValueError
        If ``tau`` or ``p`` is not one of the frames' values, or ``ymax`` is not
        positive.
    """
    import altair as alt

    if not isinstance(frames, DensityFrames):
        raise TypeError(f"frames must be DensityFrames; got {type(frames).__name__}")
    for name, value, values in (("tau", tau, frames.taus), ("p", p, frames.probabilities)):
        if not np.isclose(values, value, rtol=0, atol=1e-9).any():
            raise ValueError(
                f"{name} must be one of the frames' values {values.tolist()}; got {value!r}"
            )
    if not (isinstance(ymax, (int, float)) and np.isfinite(ymax) and ymax > 0):
        raise ValueError(f"ymax must be a positive number; got {ymax!r}")

    grid, cells = alt.Data(name="grid"), alt.Data(name="cells")
    tau_slider = _slider(frames.taus, "temperature τ ")
    p_slider = _slider(frames.probabilities, "probability p ")
    tau_param = alt.param(name="tau", value=float(tau), bind=alt.binding_range(**tau_slider))
    p_param = alt.param(name="p", value=float(p), bind=alt.binding_range(**p_slider))
    keep = (
        f"abs(datum.tau - tau) < {tau_slider['step'] / 2}"
        f" && abs(datum.p - p) < {p_slider['step'] / 2}"
    )
    legend_names = ["histogram of samples", "density"]
    colour = alt.Scale(domain=legend_names, range=[PALETTE["sky"], PALETTE["vermillion"]])
    legend = alt.Legend(title=None, orient="top", direction="horizontal")
    x_scale = alt.Scale(domain=[0, 1])
    # Six labels, so that they do not collide on a phone's width.
    x_axis = alt.Axis(title="x", values=[0, 0.2, 0.4, 0.6, 0.8, 1], format=".1f")
    y_scale = alt.Scale(domain=[0, ymax])
    base = alt.Chart(alt.Data(name="frames")).transform_filter(keep)
    bars = (
        base.transform_flatten(["height"])
        .transform_window(i="row_number()")
        .transform_lookup(lookup="i", from_=alt.LookupData(cells, key="i", fields=["x0", "x1"]))
        .transform_calculate(series=json.dumps(legend_names[0]))
        .mark_rect(opacity=0.6, clip=True)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=x_axis),
            x2="x1:Q",
            y=alt.Y("height:Q", scale=y_scale, title="density"),
            y2=alt.datum(0),
            color=alt.Color("series:N", scale=colour, legend=legend),
        )
    )
    curve = (
        base.transform_flatten(["density"])
        .transform_window(i="row_number()")
        .transform_lookup(lookup="i", from_=alt.LookupData(grid, key="i", fields=["x"]))
        .transform_calculate(series=json.dumps(legend_names[1]))
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=x_axis),
            y=alt.Y("density:Q", scale=y_scale, title="density"),
            color=alt.Color("series:N", scale=colour, legend=legend),
        )
    )
    tau_format, p_format = _format(frames.taus), _format(frames.probabilities)
    title = f"'τ = ' + format(tau, '{tau_format}') + ',  p = ' + format(p, '{p_format}')"
    return (
        alt.layer(bars, curve)
        .add_params(tau_param, p_param)
        .properties(
            width="container",
            height=260,
            title=alt.Title(alt.ExprRef(title)),
            description=(
                "Binary Concrete density (line) and a histogram of samples (bars) on the unit "
                "interval, for the temperature and probability chosen with the two sliders."
            ),
        )
        .configure(
            background="white",
            font=_FONT,
            padding=4,
            autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        )
        .configure_view(stroke=None)
        .configure_axis(
            labelColor=_EDGE,
            titleColor=_INK,
            domainColor=_EDGE,
            tickColor=_EDGE,
            gridColor=_GRID,
            labelFontSize=12,
            titleFontSize=13,
        )
        .configure_legend(labelColor=_INK, labelFontSize=12, labelLimit=0, symbolStrokeWidth=3)
        .configure_title(color=_INK, fontSize=14, fontWeight="normal")
    )


#: The book's page runs this with the specification: vega-embed draws it in a new
#: element (inside a card, whose padding Vega's container width does not count)
#: placed right after the script, once the site's deferred scripts are loaded.
_EMBED_SCRIPT = """(function () {
  var script = document.currentScript;
  var card = document.createElement("div");
  var holder = document.createElement("div");
  card.className = "explorable";
  card.appendChild(holder);
  script.parentNode.insertBefore(card, script.nextSibling);
  var spec = %(spec)s;
  function draw() { vegaEmbed(holder, spec, %(options)s); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();"""


class DensityExplorer:
    """The density explorer as a Jupyter output: JupyterLab's and the book page's.

    ``spec`` is the Vega-Lite specification (a dict). Displaying the object
    gives three representations: Vega-Lite, which JupyterLab renders with its
    own Vega (:data:`LAB_WIDTH` pixels wide, without vega-embed's actions
    menu); JavaScript, which the book's pages run (vega-embed from the site's
    ``_static``); and a line of plain text.
    """

    def __init__(self, chart, frames: DensityFrames):
        self.chart = chart
        self.frames = frames
        # The chart is validated against the Vega-Lite schema; its data are added after.
        self.spec = {**chart.to_dict(), "datasets": density_datasets(frames)}

    def embed_script(self) -> str:
        """The JavaScript that draws the chart on a page that has loaded vega-embed."""
        spec = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"))
        return _EMBED_SCRIPT % {"spec": spec, "options": json.dumps(EMBED_OPTIONS)}

    def __repr__(self) -> str:
        return (
            f"<density explorer: {self.frames.count} frames, "
            f"tau in {self.frames.taus[0]:g}..{self.frames.taus[-1]:g}, "
            f"p in {self.frames.probabilities[0]:g}..{self.frames.probabilities[-1]:g}>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            # JupyterLab's output area does not give Vega a container width to fill.
            VEGALITE_MIME_TYPE: {**self.spec, "width": LAB_WIDTH},
            "application/javascript": self.embed_script(),
            "text/plain": repr(self),
        }
        metadata = {VEGALITE_MIME_TYPE: {"embed_options": {"actions": False}}}
        return data, metadata


def density_explorer(frames: DensityFrames | None = None, **chart_options) -> DensityExplorer:
    """The density explorer of ``frames`` (by default :func:`density_frames` ``()``).

    ``chart_options`` go to :func:`density_chart` (``tau``, ``p``, ``ymax``).
    """
    frames = density_frames() if frames is None else frames
    return DensityExplorer(density_chart(frames, **chart_options), frames)
