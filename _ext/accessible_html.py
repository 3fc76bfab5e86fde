"""Markup fixes for accessibility that CSS cannot make.

docutils writes the bibliography as ``<div role="list">`` holding entries with
``role="doc-biblioentry"``. That role is deprecated in WAI-ARIA and is not a
list item, so assistive technology sees a list without items (axe-core:
``aria-required-children``, critical). Each entry is written here with
``role="listitem"`` instead; the markup is otherwise docutils' own.
"""

from __future__ import annotations

from docutils import nodes


def visit_citation(self, node):
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node):
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def setup(app):
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
