"""Serve Vega, Vega-Lite and vega-embed to the pages that show an explorable figure.

An explorable figure (``binary_gumbel.book.explorable``) is a cell output with two
representations: Vega-Lite, which JupyterLab renders natively, and a small
JavaScript that hands the same specification to vega-embed, which MyST-NB
puts in the page. This extension

* copies the vendored scripts (``vendor/vega-*``, exact npm versions, with
  their licences) into ``_static/explorable/`` when the build finishes; they
  are not in a static path, where Jupyter Book would add them to every page;
* adds them, deferred, to the pages whose body calls ``vegaEmbed`` and to no
  other page;
* drops MyST-NB's warning that it skips the Vega-Lite representation, which
  it cannot render and does not need, since the JavaScript twin in the same
  output draws the chart. Only that exact warning is dropped, so ``-W`` still
  fails on any other unknown output type. Sphinx's public ``suppress_warnings``
  (``mystnb.unknown_mime_type``) would not do: it silences every unknown type,
  and an output that nothing can render then vanishes from the page without a
  word (``tests/test_explorable.py`` builds both cases).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import sphinx_adapter

VENDOR = Path(__file__).resolve().parent.parent / "vendor"
#: Folder under vendor/ and script, in the order a page loads them.
VERSIONS = {
    "vega-5.33.1": "vega.min.js",
    "vega-lite-5.20.1": "vega-lite.min.js",
    "vega-embed-6.29.0": "vega-embed.min.js",
}
TARGET = "explorable"
MARKER = "vegaEmbed("
SKIPPED_TWIN = "skipping unknown output mime type: application/vnd.vegalite.v5+json"


class _VegaLiteTwinFilter(logging.Filter):
    """Drop MyST-NB's 'skipping unknown output mime type' warning for Vega-Lite only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(SKIPPED_TWIN)


def _check_vendored(app, config):
    for folder, script in VERSIONS.items():
        for name in (script, "LICENSE"):
            if not (VENDOR / folder / name).is_file():
                raise FileNotFoundError(f"vendored file is missing: vendor/{folder}/{name}")


def _install_filter(app):
    # Before Sphinx counts the warning (and -W turns it into an error).
    sphinx_adapter.filter_warnings(_VegaLiteTwinFilter)


def _add_scripts(app, pagename, templatename, context, doctree):
    if MARKER not in context.get("body", ""):
        return
    for script in VERSIONS.values():
        app.add_js_file(f"{TARGET}/{script}", loading_method="defer")


def _copy_scripts(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    target.mkdir(parents=True, exist_ok=True)
    for folder, script in VERSIONS.items():
        shutil.copy2(VENDOR / folder / script, target / script)
        shutil.copy2(VENDOR / folder / "LICENSE", target / f"{folder}.LICENSE")


def setup(app):
    app.setup_extension("sphinx_adapter")
    app.connect("config-inited", _check_vendored)
    app.connect("builder-inited", _install_filter)
    app.connect("html-page-context", _add_scripts)
    app.connect("build-finished", _copy_scripts)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
