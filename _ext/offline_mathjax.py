"""Serve MathJax from the built site instead of a CDN.

Sphinx loads MathJax from ``mathjax_path``; by default that is a CDN, so the
book's equations stay raw TeX offline. This extension points ``mathjax_path``
at a pinned copy vendored in ``vendor/`` and copies that copy into
``_static/mathjax/`` when the build finishes.

The files are copied on ``build-finished`` rather than listed in
``html_static_path``: Jupyter Book adds every ``.js`` file it finds in a static
path as a ``<script>`` on every page, which would load dozens of MathJax
components eagerly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MATHJAX_VERSION = "3.2.2"
VENDORED = Path(__file__).resolve().parent.parent / "vendor" / f"mathjax-{MATHJAX_VERSION}"
ENTRY_POINT = "tex-mml-chtml.js"


def _point_at_local_copy(app, config):
    if not (VENDORED / "es5" / ENTRY_POINT).is_file():
        raise FileNotFoundError(f"vendored MathJax is missing: {VENDORED / 'es5' / ENTRY_POINT}")
    # A relative mathjax_path is resolved against the site's _static directory.
    config.mathjax_path = f"mathjax/{ENTRY_POINT}"


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    shutil.copytree(VENDORED / "es5", target, dirs_exist_ok=True)
    shutil.copy2(VENDORED / "LICENSE", target / "LICENSE")


def setup(app):
    app.connect("config-inited", _point_at_local_copy)
    app.connect("build-finished", _copy_mathjax)
    return {"version": MATHJAX_VERSION, "parallel_read_safe": True, "parallel_write_safe": True}
