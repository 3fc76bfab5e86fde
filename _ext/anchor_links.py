"""Links to a labelled block in another chapter, readable in JupyterLab too.

JupyterLab opens one chapter at a time, so it cannot resolve a ``{prf:ref}``
to a theorem in another chapter: it shows the bare label with a warning icon.
A chapter therefore refers to another chapter's theorem, proposition or
labelled block with a plain Markdown link to its anchor:

    [the Gumbel-max theorem](categorical.md#thm-gumbel-max)

JupyterLab shows the text (and the link opens that chapter). MyST resolves a
``file.md#anchor`` link only against the anchors it knows for that file, which
are its headings; this extension adds every explicit label of the page (a
``:label:`` of a directive, a ``(name)=`` target) to them, so such links
resolve in the book without a warning, and a link to a label that does not
exist still fails the build.
"""

from __future__ import annotations

import myst_nb_adapter
from docutils import nodes


def _labels(doctree) -> dict[str, str]:
    """Every explicitly named element's id, with its title (or the id) as text."""
    found = {}
    for element in doctree.findall(nodes.Element):
        # A (name)= target names its element; a prf directive keeps its :label:.
        names = [*element.get("names", []), element.get("label")]
        for name in names:
            if name and name in element.get("ids", []) and "refuri" not in element:
                title = next(iter(element.findall(nodes.title)), None)
                found[name] = title.astext() if title is not None else name
    return found


def _register_labels(app, doctree) -> None:
    for label, title in _labels(doctree).items():
        myst_nb_adapter.add_anchor(app.env, label, title)


def setup(app):
    app.setup_extension("myst_nb_adapter")
    app.connect("doctree-read", _register_labels)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
