"""Let the single-page HTML builder render every node the HTML builder can.

Sphinx looks up an extension's node visitors under the builder's name and falls
back to its format ("html") only when no extension registered any visitor for
that name. sphinx-exercise registers visitors for ``singlehtml``, so the
``html`` visitors of every other extension (MyST-NB's hidden cells, for one)
are then missing from the single-page build that ``make pdf`` prints. This
copies them over, leaving visitors registered for ``singlehtml`` itself alone.
"""

from __future__ import annotations


def _inherit_html_visitors(app):
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    for node, visitors in handlers.get("html", {}).items():
        handlers.setdefault("singlehtml", {}).setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _inherit_html_visitors)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
