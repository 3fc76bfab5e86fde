"""Markup fixes for accessibility that CSS cannot make.

docutils writes the bibliography as ``<div role="list">`` holding entries with
``role="doc-biblioentry"``. That role is deprecated in WAI-ARIA and is not a
list item, so assistive technology sees a list without items (axe-core:
``aria-required-children``, critical). Each entry is written here with
``role="listitem"`` instead; the markup is otherwise docutils' own (its
``depart_citation`` closes the entry and the list).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator


def visit_citation(self, node):
    """docutils' ``visit_citation``, with ``role="listitem"`` on the entry."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def setup(app):
    app.add_node(
        nodes.citation, override=True, html=(visit_citation, HTML5Translator.depart_citation)
    )
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
