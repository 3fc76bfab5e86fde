"""Citations: author–year links that read the same in the book and in JupyterLab."""

from __future__ import annotations

import re
import sys

import pytest
from book_sources import source, toc_files
from pybtex.database import parse_file

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import citations  # noqa: E402

ENTRIES = parse_file(ROOT / "references.bib").entries
LINK = re.compile(r"\[([^\]]+)\]\(((?:\.\./)?references\.md)#([^)]+)\)")
PAGES = [name for name in toc_files() if name != "references"]


@pytest.mark.parametrize("name", PAGES)
def test_every_citation_link_names_its_entry_author_year(name):
    text = source(name).read_text()
    assert "{cite" not in text, f"{name}: a {{cite}} role shows as a raw key in JupyterLab"
    expected_path = "../references.md" if name.startswith("chapters/") else "references.md"
    for label, path, key in LINK.findall(text):
        assert key in ENTRIES, f"{name}: {key} is not in references.bib"
        assert path == expected_path, f"{name}: {key} links to {path}"
        entry = ENTRIES[key]
        assert label in {citations.author_year(entry), citations.author_year(entry, True)}, (
            f"{name}: [{label}] does not read as {citations.author_year(entry)!r}"
        )


def test_labels_follow_the_author_count():
    one, two, three = (
        ENTRIES["williams1992simple"],
        ENTRIES["clopper1934use"],
        ENTRIES["jang2016categorical"],
    )
    assert citations.author_year(one) == "Williams (1992)"
    assert citations.author_year(two) == "Clopper and Pearson (1934)"
    assert citations.author_year(three, parenthetical=True) == "Jang et al., 2016"


@pytest.mark.book
def test_bibliography_labels_are_author_year_and_links_resolve(html_dir):
    page = (html_dir / "references.html").read_text()
    assert 'id="tucker2017rebar"' in page and "Tucker et al. (2017)" in page
    assert not re.search(r"\[[A-Z][A-Za-z+]*\d\d\]", page), "alpha labels such as [JGP16] remain"
    chapter = (html_dir / "chapters" / "gradients.html").read_text()
    assert 'href="../references.html#tucker2017rebar"' in chapter
