"""Citations: author–year links that read the same in the book and in JupyterLab."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from book_sources import source, toc_files
from pybtex.database import parse_file

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import citations  # noqa: E402

ENTRIES = parse_file(ROOT / "references.bib").entries
#: Each entry by the id a link names: its key as the references page writes it.
ANCHORS = {citations.anchor(key): entry for key, entry in ENTRIES.items()}
LINK = re.compile(r"\[([^\]]+)\]\(((?:\.\./)?references\.md)#([^)]+)\)")
PAGES = [name for name in toc_files() if name != "references"]


@pytest.mark.parametrize("name", PAGES)
def test_every_citation_link_names_its_entry_author_year(name):
    text = source(name).read_text()
    assert "{cite" not in text, f"{name}: a {{cite}} role shows as a raw key in JupyterLab"
    expected_path = "../references.md" if name.startswith("chapters/") else "references.md"
    for label, path, key in LINK.findall(text):
        assert key in ANCHORS, f"{name}: #{key} is the id of no entry of references.bib"
        assert path == expected_path, f"{name}: {key} links to {path}"
        entry = ANCHORS[key]
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


def test_an_entry_id_is_its_key_as_docutils_writes_it():
    assert citations.anchor("tucker2017rebar") == "tucker2017rebar"
    assert citations.anchor("Tucker2017_rebar") == "tucker2017-rebar"


BIB = """@article{Tucker2017_rebar,
  author = {Tucker, George and Mnih, Andriy and Maddison, Chris J. and Sohl-Dickstein, Jascha},
  title = {REBAR},
  journal = {NeurIPS},
  year = {2017}
}
@book{gumbel1958statistics,
  author = {Gumbel, Emil Julius},
  title = {Statistics of Extremes},
  publisher = {Columbia University Press},
  year = {1958}
}
"""


def test_a_key_that_docutils_rewrites_links_to_its_entry(tmp_path):
    """A small Sphinx build: a key with capitals and ``_`` (``Tucker2017_rebar``) gets the id
    ``tucker2017-rebar`` on the references page, and a link to that id resolves (``-W``:
    MyST warns of a link to an anchor the page lacks). The entries are one list of list
    items (``_ext/accessible_html.py``), closed after the last."""
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'citations', 'accessible_html']\n"
        "bibtex_bibfiles = ['references.bib']\n"
    )
    (tmp_path / "references.bib").write_text(BIB)
    (tmp_path / "references.md").write_text("# References\n\n```{bibliography}\n:all:\n```\n")
    (tmp_path / "index.md").write_text(
        "# Text\n\n[Tucker et al. (2017)](references.md#tucker2017-rebar)\n\n"
        "```{toctree}\nreferences\n```\n"
    )
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", tmp_path, tmp_path / "out"],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    page = (tmp_path / "out" / "references.html").read_text()
    assert 'id="tucker2017-rebar"' in page and "Tucker et al. (2017)" in page
    entry = r'<div class="citation" id="[\w-]+" role="listitem">\n(?:(?!</?div).*\n)*</div>\n'
    assert re.search(rf'<div role="list" class="citation-list">\n({entry}){{2}}</div>\n', page)
    assert "doc-biblioentry" not in page
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'href="references.html#tucker2017-rebar"' in index


@pytest.mark.book
def test_bibliography_labels_are_author_year_and_links_resolve(html_dir):
    page = (html_dir / "references.html").read_text()
    assert 'id="tucker2017rebar"' in page and "Tucker et al. (2017)" in page
    assert not re.search(r"\[[A-Z][A-Za-z+]*\d\d\]", page), "alpha labels such as [JGP16] remain"
    chapter = (html_dir / "chapters" / "gradients.html").read_text()
    assert 'href="../references.html#tucker2017rebar"' in chapter
    for key in ENTRIES:
        assert f'id="{citations.anchor(key)}"' in page, f"{key}: no entry with its id"
