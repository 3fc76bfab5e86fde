"""The single-page HTML build that ``make pdf`` prints: every node rendered, no search index.

Sphinx looks up an extension's node visitors under the builder's name and falls
back to its format ("html") only when no extension registered any visitor for
that name. sphinx-exercise registers visitors for ``singlehtml``, so the
``html`` visitors of every other extension (MyST-NB's hidden cells, for one)
are then missing from the single-page build that ``make pdf`` prints. This
copies them over, leaving visitors registered for ``singlehtml`` itself alone.

The single-page builder writes no search index, but pydata-sphinx-theme's layout
asks every page for ``searchindex.js``: the page that is printed got a 404 for
it. The tag is removed from the single page once it is written (nothing is
searched on paper).

The builder's visitors and the theme's tag are internals: ``sphinx_adapter`` holds them.
"""

from __future__ import annotations

from pathlib import Path

import sphinx_adapter


def _inherit_html_visitors(app):
    if app.builder.name == "singlehtml":
        sphinx_adapter.inherit_visitors(app, "singlehtml", "html")


def _drop_search_index(app, exception):
    if exception is not None or app.builder.name != "singlehtml":
        return
    for page in Path(app.outdir).glob("*.html"):
        text = page.read_text(encoding="utf-8")
        if sphinx_adapter.SEARCH_INDEX_TAG in text:
            page.write_text(text.replace(sphinx_adapter.SEARCH_INDEX_TAG, ""), encoding="utf-8")


def setup(app):
    app.setup_extension("sphinx_adapter")
    app.connect("builder-inited", _inherit_html_visitors)
    app.connect("build-finished", _drop_search_index)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
