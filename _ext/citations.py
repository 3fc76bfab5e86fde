"""Citations that read as author–year in the book and in JupyterLab alike.

JupyterLab cannot resolve a ``{cite}`` role (it has no bibliography), so a
chapter cites with a plain Markdown link whose text is the author–year label:

    [Tucker et al. (2017)](../references.md#tucker2017rebar)     in the text
    ([Tucker et al., 2017](../references.md#tucker2017rebar))    in parentheses

JupyterLab shows the text and opens the references page; the book links to the
entry on the references page. This extension

- gives every bibliography entry the HTML id of its key (``bibtex_cite_id``;
  sphinxcontrib-bibtex passes it through docutils' ``make_id``, which lowercases
  it and turns ``_`` into ``-``: :func:`anchor`), and tells MyST that the
  references page holds those ids, so the links resolve without a warning;
- labels the bibliography's entries author–year, as the text cites them
  (pybtex style ``authoryear``), instead of alpha labels such as [JGP16].

:func:`author_year` is the one rule for a label; a test checks every link's text
against it.
"""

from __future__ import annotations

import myst_nb_adapter
from docutils.nodes import make_id
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle

#: The bibliography entries' ids are their keys (as :func:`anchor` writes them).
CITE_ID = "{key}"


def anchor(key: str) -> str:
    """The HTML id of the entry ``key`` on the references page, which a citation links to:
    ``CITE_ID`` through docutils' ``make_id``, as sphinxcontrib-bibtex writes it
    (``Tucker2017_rebar`` gives ``tucker2017-rebar``)."""
    return make_id(CITE_ID.format(key=key))


def _surname(person) -> str:
    return " ".join(person.prelast_names + person.last_names)


def author_year(entry, parenthetical: bool = False) -> str:
    """``Tucker et al. (2017)``, or ``Tucker et al., 2017`` when ``parenthetical``.

    One author gives ``Gumbel``, two ``Clopper and Pearson``, three or more
    ``Jang et al.``; the name is the first author's (or editor's) surname.
    """
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(person) for person in people]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = entry.fields.get("year", "n.d.")
    return f"{who}, {year}" if parenthetical else f"{who} ({year})"


class AuthorYearLabels(BaseLabelStyle):
    """Bibliography labels as the text cites: ``Tucker et al. (2017)``."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year(entry)


class AuthorYearStyle(UnsrtStyle):
    """The unsrt entry format, sorted by author, year and title, with author–year labels."""

    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def _register_styles() -> None:
    from pybtex.plugin import find_plugin

    try:
        find_plugin("pybtex.style.labels", "authoryear")
    except Exception:
        register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
        register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def _register_entry_ids(app, doctree) -> None:
    """Tell MyST that the bibliography's page holds an anchor per entry key."""
    from sphinxcontrib.bibtex.nodes import bibliography

    if not any(True for _ in doctree.findall(bibliography)):
        return
    domain = app.env.get_domain("cite")
    for entry in domain.bibdata.data.entries.values():
        myst_nb_adapter.add_anchor(app.env, anchor(entry.key), author_year(entry))


def setup(app):
    app.setup_extension("myst_nb_adapter")
    _register_styles()
    app.setup_extension("sphinxcontrib.bibtex")
    app.config.bibtex_cite_id = CITE_ID
    app.config.bibtex_default_style = "authoryear"
    app.connect("doctree-read", _register_entry_ids)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
