"""The mechanism every explorable figure shares: sliders that select a precomputed frame.

An explorable figure is a Vega-Lite chart (built with Altair) over named data
sets that the library computed when the book was built. Each slider is a
Vega-Lite parameter bound to an ``<input type="range">``; every layer that
draws "the current frame" keeps the records whose slider fields lie within half
a step of the sliders' values (:func:`keep_frame`). The page selects, it never
computes, and the mathematics is not written a second time in JavaScript.

:class:`Explorer` is the Jupyter output of such a chart: JupyterLab renders its
Vega-Lite representation natively, and the book's pages (MyST-NB) run its small
JavaScript representation, which hands the same specification to vega-embed,
served from the site itself (see ``_ext/explorable_figures.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import check_probability, finite_float64, finite_number
from binary_gumbel.book.figures.style import STYLE

__all__ = [
    "DECIMALS",
    "EMBED_OPTIONS",
    "INK",
    "LAB_WIDTH",
    "VEGALITE_MIME_TYPE",
    "Explorer",
    "Slider",
    "evenly_spaced",
    "keep_frame",
    "open_probabilities",
    "rounded",
    "styled",
]

#: The output JupyterLab renders natively (Vega-Lite 5, the version Altair 5 writes).
VEGALITE_MIME_TYPE = "application/vnd.vegalite.v5+json"
#: vega-embed's options: SVG (readable by a screen reader and by the tests), no actions menu.
EMBED_OPTIONS = {"actions": False, "renderer": "svg"}
#: The chart's width in pixels in JupyterLab (on the page it fills the text column).
LAB_WIDTH = 560
#: Decimals kept in the chart's data; the frames keep their values unrounded.
DECIMALS = 4

#: The chart's text, in the book's colours (figures.STYLE) on an opaque white card.
INK, EDGE, GRID = STYLE["text.color"], STYLE["axes.edgecolor"], STYLE["grid.color"]
FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"


def evenly_spaced(values, name: str) -> np.ndarray:
    """``values`` as a 1-D, increasing, evenly spaced array of finite floats (a slider's
    positions); errors name it."""
    values = finite_float64(values, name)
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


def open_probabilities(values, name: str = "probabilities") -> np.ndarray:
    """Probabilities strictly between 0 and 1, increasing and evenly spaced; errors name them."""
    values = check_probability(values, name, np.float64)
    if not ((values > 0) & (values < 1)).all():
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {values.tolist()}")
    return evenly_spaced(values, name)


def rounded(values) -> list[float]:
    """``values`` as plain floats rounded to :data:`DECIMALS` decimals (the chart's data)."""
    return [float(v) for v in np.round(np.asarray(values, dtype=np.float64), DECIMALS)]


@dataclass(frozen=True)
class Slider:
    """One slider: the Vega-Lite parameter ``name``, its visible ``label``, its positions.

    ``name`` is also the field that holds the slider's value in each frame's
    records. ``values`` are the frames' values of that field, evenly spaced.
    """

    name: str
    label: str
    values: np.ndarray

    @property
    def step(self) -> float:
        values = self.values
        return float(np.round(values[1] - values[0], 10)) if values.size > 1 else 1.0

    @property
    def keep(self) -> str:
        """The filter that keeps the records of the frame nearest the slider's value."""
        return f"abs(datum.{self.name} - {self.name}) < {self.step / 2}"

    @property
    def format(self) -> str:
        """The d3 format with the fewest decimals (at most 6) that writes the values exactly."""
        values = self.values
        decimals = next(
            (d for d in range(7) if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9)),
            6,
        )
        return f".{decimals}f"

    def shown(self, symbol: str) -> str:
        """A Vega expression for the title: ``'<symbol> = ' + format(<name>, ...)``."""
        return f"'{symbol} = ' + format({self.name}, '{self.format}')"

    def param(self, start: float):
        """The Altair parameter, starting at ``start`` (one of the values), bound to a slider.

        ``start`` is one finite number (``TypeError`` or ``ValueError`` naming the slider
        otherwise).
        """
        import altair as alt

        value = finite_number(start, self.name)
        if not np.isclose(self.values, value, rtol=0, atol=1e-9).any():
            raise ValueError(
                f"{self.name} must be one of the frames' values {self.values.tolist()}; "
                f"got {start!r}"
            )
        bind = alt.binding_range(
            min=float(self.values[0]), max=float(self.values[-1]), step=self.step, name=self.label
        )
        return alt.param(name=self.name, value=value, bind=bind)


def keep_frame(sliders: Sequence[Slider]) -> str:
    """The filter keeping the one frame whose slider fields are the sliders' values."""
    return " && ".join(slider.keep for slider in sliders)


def styled(layers, params, *, title: str, description: str, height: int = 260):
    """The layers as one chart with ``params``, in the book's look (a light card).

    ``title`` is a Vega expression (the sliders' values, see :meth:`Slider.shown`);
    ``description`` becomes the SVG's accessible name. The width follows the
    page's text column (``"container"``).
    """
    import altair as alt

    return (
        alt.layer(*layers)
        .add_params(*params)
        .properties(
            width="container",
            height=height,
            title=alt.Title(alt.ExprRef(title)),
            description=description,
        )
        .configure(
            background="white",
            font=FONT,
            padding=4,
            autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        )
        .configure_view(stroke=None)
        .configure_axis(
            labelColor=EDGE,
            titleColor=INK,
            domainColor=EDGE,
            tickColor=EDGE,
            gridColor=GRID,
            labelFontSize=12,
            titleFontSize=13,
        )
        .configure_legend(labelColor=INK, labelFontSize=12, labelLimit=0, symbolStrokeWidth=3)
        .configure_title(color=INK, fontSize=14, fontWeight="normal")
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


class Explorer:
    """An explorable figure as a Jupyter output: JupyterLab's and the book page's.

    ``spec`` is the Vega-Lite specification (a dict): the chart, validated by
    Altair against the Vega-Lite schema, with ``datasets`` added after
    (validating hundreds of frames against the schema takes seconds).
    Displaying the object gives three representations: Vega-Lite, which
    JupyterLab renders with its own Vega (:data:`LAB_WIDTH` pixels wide, without
    vega-embed's actions menu); JavaScript, which the book's pages run
    (vega-embed from the site's ``_static``); and ``text``, a line of plain text.
    """

    def __init__(self, chart, frames, datasets: dict[str, list[dict]], text: str):
        self.chart = chart
        self.frames = frames
        self.spec = {**chart.to_dict(), "datasets": datasets}
        self.text = text

    def embed_script(self) -> str:
        """The JavaScript that draws the chart on a page that has loaded vega-embed."""
        spec = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"))
        return _EMBED_SCRIPT % {"spec": spec, "options": json.dumps(EMBED_OPTIONS)}

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            # JupyterLab's output area does not give Vega a container width to fill.
            VEGALITE_MIME_TYPE: {**self.spec, "width": LAB_WIDTH},
            "application/javascript": self.embed_script(),
            "text/plain": repr(self),
        }
        metadata = {VEGALITE_MIME_TYPE: {"embed_options": {"actions": False}}}
        return data, metadata
