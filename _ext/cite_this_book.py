"""How to cite the book: its BibTeX entry, generated from ``CITATION.cff``.

``CITATION.cff`` is the one description of the book as a citable work (title,
authors, version, year, URL). :func:`bibtex` turns it into a BibTeX entry; the
front page shows that entry in a ``bibtex`` code block of its "How to cite"
section, written in the source so that JupyterLab shows it too. When the book
is built, the entry on the page is compared with the one generated now, and a
difference is a warning (so it fails the build) that gives the entry to paste.
Print it with::

    python _ext/cite_this_book.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

FILE = "CITATION.cff"


def load(root: Path) -> dict:
    """``CITATION.cff`` as a mapping."""
    return yaml.safe_load((root / FILE).read_text(encoding="utf-8"))


def bibtex_name(author: dict) -> str:
    """One CFF author as BibTeX writes it: ``Family, Given``, or an entity in braces."""
    if "name" in author:
        return "{" + author["name"] + "}"
    particle = f"{author['name-particle']} " if author.get("name-particle") else ""
    family = particle + author["family-names"]
    suffix = f", {author['name-suffix']}" if author.get("name-suffix") else ""
    given = f", {author['given-names']}" if author.get("given-names") else ""
    return family + suffix + given


def bibtex(cff: dict) -> str:
    """The book's BibTeX entry (``@misc``, which every BibTeX style knows)."""
    key = re.sub(r"[^a-z0-9]+", "-", cff["title"].lower()).strip("-")
    fields = {
        "title": "{" + cff["title"] + "}",
        "author": " and ".join(bibtex_name(a) for a in cff["authors"]),
        "year": str(cff["date-released"])[:4],
        "version": str(cff["version"]),
        "note": f"Version {cff['version']}",
    }
    url = cff.get("url") or cff.get("repository-code")
    if url:
        fields["url"] = url
    width = max(map(len, fields))
    lines = [f"  {name:<{width}} = {{{value}}}," for name, value in fields.items()]
    return "\n".join([f"@misc{{{key},", *lines, "}"])


def _check_front_page(app, doctree):
    if app.env.docname != app.config.root_doc:
        return
    root = Path(app.srcdir)
    app.env.note_dependency(str(root / FILE))
    expected = bibtex(load(root))
    blocks = [b for b in doctree.findall(nodes.literal_block) if b.get("language") == "bibtex"]
    if len(blocks) != 1:
        logger.warning(
            f"the front page should show one BibTeX entry (a ```bibtex block), "
            f"not {len(blocks)}; {FILE} gives:\n{expected}",
            location=app.env.docname,
        )
    elif blocks[0].astext().strip() != expected:
        logger.warning(
            f"the front page's BibTeX entry differs from {FILE}'s; "
            f"paste this one (python _ext/cite_this_book.py):\n{expected}",
            location=blocks[0],
        )


def setup(app):
    app.connect("doctree-read", _check_front_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(bibtex(load(Path(__file__).resolve().parent.parent)))
    sys.exit(0)
