"""Markdown links to a MyST target on another page: ``[Line 3](page.md#evidence-step-3)``.

MyST resolves the ``#fragment`` of a link to another page only against that
page's heading anchors, and warns for any other id. A link in this form is the
one that also reads in JupyterLab (which opens the page it names), so this
extension tells MyST that every explicit target of a page, ``(name)=``, is an
anchor of that page too. A heading anchor of the same name keeps its meaning.
"""

from __future__ import annotations


def _register_targets(app, doctree) -> None:
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for name, explicit in doctree.nametypes.items():
        node_id = doctree.nameids.get(name)
        node = doctree.ids.get(node_id) if node_id else None
        if explicit and node is not None and "refuri" not in node:  # not a link's own target
            slugs.setdefault(name, (0, node_id, name))


def setup(app):
    app.connect("doctree-read", _register_targets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
