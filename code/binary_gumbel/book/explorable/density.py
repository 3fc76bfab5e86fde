"""The density explorer: the binary Concrete density and samples, at each (tau, p).

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

The chart's two sliders select one precomputed frame
(:mod:`binary_gumbel.book.explorable.chart`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    check_count,
    check_open_interval,
    check_seed,
    check_tau,
    single_number,
)
from binary_gumbel.book.explorable.chart import (
    Explorer,
    Slider,
    evenly_spaced,
    keep_frame,
    open_probabilities,
    rounded,
    styled,
)
from binary_gumbel.book.figures.style import PALETTE
from binary_gumbel.density import binary_concrete_pdf
from binary_gumbel.relaxed import logit_from_probability, sample_binary_gumbel_softmax

__all__ = [
    "DEFAULT_PROBABILITIES",
    "DEFAULT_TAUS",
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
    taus = evenly_spaced(check_tau(as_float_array(taus, "taus", np.float64), name="taus"), "taus")
    probabilities = open_probabilities(probabilities, "probabilities")
    grid_points = check_count(grid_points, "grid_points", minimum=2)
    bins = check_count(bins, "bins")
    samples = check_count(samples, "samples")
    seed = check_seed(seed)

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
                "density": rounded(frames.density[i, j]),
                "height": rounded(frames.histogram[i, j]),
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
    refers to the named data sets of :func:`density_datasets`, which
    :class:`~binary_gumbel.book.explorable.chart.Explorer` adds to the specification.
    Each layer keeps the frame nearest to the sliders' values (the filter
    ``|datum.tau - tau| < step / 2`` and the same for ``p``), flattens its array
    and looks ``x`` up by position. The y axis is cut at ``ymax``; the
    density diverges at 0 and 1 for ``tau < 1``.

    Raises
    ------
    ValueError
        If ``tau`` or ``p`` is not one of the frames' values, or ``ymax`` is not one
        positive finite number.
    TypeError
        If ``tau``, ``p`` or ``ymax`` is not a real number.
    """
    import altair as alt

    if not isinstance(frames, DensityFrames):
        raise TypeError(f"frames must be DensityFrames; got {type(frames).__name__}")
    sliders = (
        Slider("tau", "temperature τ ", frames.taus),
        Slider("p", "probability p ", frames.probabilities),
    )
    params = [slider.param(start) for slider, start in zip(sliders, (tau, p), strict=True)]
    ymax = single_number(
        check_open_interval(ymax, "ymax", 0.0, np.inf, "a positive, finite number", np.float64),
        "ymax",
    )

    grid, cells = alt.Data(name="grid"), alt.Data(name="cells")
    legend_names = ["histogram of samples", "density"]
    colour = alt.Scale(domain=legend_names, range=[PALETTE["sky"], PALETTE["vermillion"]])
    legend = alt.Legend(title=None, orient="top", direction="horizontal")
    x_scale = alt.Scale(domain=[0, 1])
    # Six labels, so that they do not collide on a phone's width.
    x_axis = alt.Axis(title="x", values=[0, 0.2, 0.4, 0.6, 0.8, 1], format=".1f")
    y_scale = alt.Scale(domain=[0, ymax])
    base = alt.Chart(alt.Data(name="frames")).transform_filter(keep_frame(sliders))
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
    return styled(
        [bars, curve],
        params,
        title=sliders[0].shown("τ") + " + ',  ' + " + sliders[1].shown("p"),
        description=(
            "Binary Concrete density (line) and a histogram of samples (bars) on the unit "
            "interval, for the temperature and probability chosen with the two sliders."
        ),
    )


def density_explorer(frames: DensityFrames | None = None, **chart_options) -> Explorer:
    """The density explorer of ``frames`` (by default :func:`density_frames` ``()``).

    ``chart_options`` go to :func:`density_chart` (``tau``, ``p``, ``ymax``).
    """
    frames = density_frames() if frames is None else frames
    text = (
        f"<density explorer: {frames.count} frames, "
        f"tau in {frames.taus[0]:g}..{frames.taus[-1]:g}, "
        f"p in {frames.probabilities[0]:g}..{frames.probabilities[-1]:g}>"
    )
    return Explorer(density_chart(frames, **chart_options), frames, density_datasets(frames), text)
