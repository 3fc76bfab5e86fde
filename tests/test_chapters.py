"""The structure every chapter page must have, checked on the built HTML.

The chapter list comes from ``_toc.yml``, so a chapter added there is covered
by the same checks. A chapter missing from a partial build (``BOOK_HTML``
pointing at a build of some chapters only) is skipped loudly, and fails in CI.
"""

from __future__ import annotations

import re

import pytest
from book_sources import chapters, toc_files
from bs4 import BeautifulSoup

from conftest import HTML, require_or_skip

pytestmark = pytest.mark.book

CHAPTERS = chapters()
CODE_VERBS = re.compile(r"\b(run|re-run|change|replace|set|add|call|make)\b", re.I)


def soup_of(name: str) -> BeautifulSoup:
    page = HTML / f"{name}.html"
    require_or_skip((HTML / "index.html").is_file(), f"the book is not built in {HTML}")
    require_or_skip(page.is_file(), f"{name} is not in the build at {HTML}")
    return BeautifulSoup(page.read_text(), "html.parser")


def article(name: str):
    return soup_of(name).select_one("article.bd-article")


def test_the_toc_lists_the_chapters_of_the_note_first():
    assert CHAPTERS[:5] == [
        "chapters/categorical",
        "chapters/gumbel_difference",
        "chapters/binary_reduction",
        "chapters/unnormalised",
        "chapters/errata",
    ]


def test_chapters_appear_in_toc_order_in_the_navigation():
    links = soup_of(toc_files()[0]).select("nav.bd-docs-nav a.reference.internal")
    linked = [a["href"].removesuffix(".html") for a in links]
    built = [c for c in CHAPTERS if (HTML / f"{c}.html").is_file()]
    assert [c for c in linked if c in built] == built


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_a_theorem_and_a_proof(name):
    body = article(name)
    statements = body.select("div.proof.theorem, div.proof.lemma, div.proof.proposition")
    proofs = [d for d in body.select("div.proof") if d.get("id", "").startswith("proof")]
    assert statements, f"{name} has no theorem, lemma or proposition"
    assert proofs, f"{name} has no proof"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_exercises_with_collapsible_solutions(name):
    body = article(name)
    exercises = body.select("div.exercise")
    solutions = body.select("div.solution")
    assert len(exercises) >= 2, f"{name} has {len(exercises)} exercises; at least 2 are needed"
    assert len(solutions) >= len(exercises), f"{name}: an exercise has no solution"
    for solution in solutions:
        assert "dropdown" in solution["class"], f"{name}: a solution is not collapsible"
    runnable = [ex for ex in exercises if ex.select("code") and CODE_VERBS.search(ex.get_text(" "))]
    assert runnable, f"{name}: no exercise asks the reader to run or change code"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_has_a_figure_with_alt_text(name):
    images = article(name).select("figure img")
    assert images, f"{name} has no figure"
    for img in images:
        words = img.get("alt", "").split()
        assert len(words) >= 8, f"{name}: figure alt text is too short: {img.get('alt')!r}"
        assert not img.get("alt", "").startswith("_"), f"{name}: alt text is a file name"
    for figure in article(name).select("figure"):
        assert figure.select_one("figcaption"), f"{name}: a figure has no caption"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_shows_a_sympy_result_as_math(name):
    outputs = article(name).select("div.cell_output")
    assert any(o.select(".math") for o in outputs), f"{name}: no cell output is rendered math"


@pytest.mark.parametrize("name", [toc_files()[0], *CHAPTERS])
def test_no_output_shows_an_error(name):
    body = article(name)
    for output in body.select("div.cell_output"):
        text = output.get_text(" ")
        assert "Traceback" not in text, f"{name} shows a traceback"
        assert not re.search(r"\b\w+Error\b", text), f"{name} shows an error: {text[:200]}"
        assert not output.select(".stderr, .traceback, .output.error"), f"{name}: stderr shown"


@pytest.fixture(scope="module")
def verdict_rows() -> dict[str, str]:
    """The intro's verdict table, as ``{claim id: verdict}``."""
    tables = [
        t
        for t in article(toc_files()[0]).select("table")
        if "verdict" in [th.get_text(strip=True) for th in t.select("thead th")]
    ]
    assert len(tables) == 1, f"the intro must have one verdict table; found {len(tables)}"
    header = [th.get_text(strip=True) for th in tables[0].select("thead th")]
    claim, verdict = header.index("claim"), header.index("verdict")
    rows = {}
    for tr in tables[0].select("tbody tr"):
        for hidden in tr.select('[aria-hidden="true"]'):  # a badge's symbol: the word is read
            hidden.extract()
        cells = [td.get_text(" ", strip=True) for td in tr.select("td")]
        rows[cells[claim]] = cells[verdict]
    return rows


def test_the_verdict_table_lists_every_claim_with_the_computed_verdict(verdict_rows):
    from binary_gumbel.verification import derivation

    assert set(verdict_rows) == set(derivation.CLAIM_IDS)
    for result in derivation.verify_all():
        assert verdict_rows[result.id] == result.verdict, f"{result.id}: the table disagrees"
