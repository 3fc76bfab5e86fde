"""Explorable figures: frames computed by the library, a chart that chooses among them.

Every number an explorable figure shows is computed in Python when the book is
built; on the page, sliders only select one of those precomputed frames.

* :mod:`binary_gumbel.book.explorable.chart`: the mechanism they share (sliders bound
  to Vega-Lite parameters, the filter that keeps the selected frame, the book's
  look, and the Jupyter output that JupyterLab and the book's pages draw);
* :mod:`binary_gumbel.book.explorable.density`: the binary Concrete density and a
  histogram of samples at each (tau, p) (the binary Concrete chapter);
* :mod:`binary_gumbel.book.explorable.sign`: the frequency of b = 1 under the note's
  Eq. (1) as printed and corrected, at each p (the errata page).

Not imported with :mod:`binary_gumbel`, which stays free of matplotlib and Altair:
``from binary_gumbel.book import explorable``.
"""

from binary_gumbel.book.explorable.chart import (
    DECIMALS,
    EMBED_OPTIONS,
    LAB_WIDTH,
    VEGALITE_MIME_TYPE,
    Explorer,
    Slider,
)
from binary_gumbel.book.explorable.density import (
    DEFAULT_PROBABILITIES,
    DEFAULT_TAUS,
    DensityFrames,
    density_chart,
    density_datasets,
    density_explorer,
    density_frames,
)
from binary_gumbel.book.explorable.sign import (
    SIGN_PROBABILITIES,
    SignFrames,
    sign_chart,
    sign_datasets,
    sign_explorer,
    sign_frames,
)

__all__ = [
    "DECIMALS",
    "DEFAULT_PROBABILITIES",
    "DEFAULT_TAUS",
    "EMBED_OPTIONS",
    "LAB_WIDTH",
    "VEGALITE_MIME_TYPE",
    "DensityFrames",
    "Explorer",
    "SIGN_PROBABILITIES",
    "SignFrames",
    "Slider",
    "density_chart",
    "density_datasets",
    "density_explorer",
    "density_frames",
    "sign_chart",
    "sign_datasets",
    "sign_explorer",
    "sign_frames",
]
