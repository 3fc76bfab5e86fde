"""The student edition (``make book-student``): every exercise, no solution anywhere.

The solutions' text is taken from the full build: every run of words that the
full book shows inside a solution and nowhere else must be absent from every
file of the student edition, pages, search index and downloads alike.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path

import jupytext
import pytest
from book_sources import chapters, is_notebook, source
from bs4 import BeautifulSoup

from conftest import ROOT, require_or_skip

sys.path.insert(0, str(ROOT / "_ext"))
from notebook_downloads import SOLUTION_BLOCK, SOLUTION_ONLY  # noqa: E402 - the book's extension
from prose_values import EVAL_ROLE  # noqa: E402

pytestmark = pytest.mark.book

STUDENT = Path(os.environ.get("BOOK_STUDENT_HTML", ROOT / "_build" / "student" / "html"))
RUN = 6  # words in a row that identify a passage


@pytest.fixture(scope="module")
def student_dir() -> Path:
    require_or_skip(
        (STUDENT / "index.html").is_file(), f"the student edition is not built in {STUDENT}"
    )
    return STUDENT


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(text: str) -> set[str]:
    w = words(text)
    return {" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


def solution_runs(html_dir: Path) -> dict[str, set[str]]:
    """For each solution of the full book, the runs of words found nowhere else in it."""
    solutions, rest = {}, set()
    for page in sorted(html_dir.rglob("*.html")):
        if page.relative_to(html_dir).parts[0] in {"_static", "_sources"}:
            continue
        doc = soup(page)
        for node in doc.select("div.solution"):
            solutions[f"{page.name}#{node.get('id')}"] = runs(node.get_text(" "))
            node.decompose()
        rest |= runs(doc.get_text(" "))
        # Alt text is the page's text too (and travels in the notebooks' cell metadata).
        rest |= runs(" ".join(img.get("alt", "") for img in doc.find_all("img")))
    return {key: found - rest for key, found in solutions.items()}


def exercises(html_dir: Path) -> dict[str, str]:
    """Every exercise of a build: its id and its text."""
    found = {}
    for name in chapters():
        for node in soup(html_dir / f"{name}.html").select("div.exercise"):
            found[f"{name}#{node.get('id')}"] = " ".join(words(node.get_text(" ")))
    return found


def test_the_book_has_solutions_to_hide(html_dir):
    found = solution_runs(html_dir)
    assert found, "the full book shows no solution"
    for key, passage in found.items():
        assert passage, f"solution {key} has no words of its own to look for"


def test_no_solution_text_anywhere_in_the_student_edition(html_dir, student_dir):
    passages = set().union(*solution_runs(html_dir).values())
    for path in sorted(p for p in student_dir.rglob("*") if p.is_file()):
        if path.suffix not in {".html", ".js", ".md", ".ipynb", ".txt", ".json"}:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = soup(path).get_text(" ") if path.suffix == ".html" else raw
        leaked = passages & runs(text)
        where = path.relative_to(student_dir)
        assert not leaked, f"{where} shows solution text: {sorted(leaked)[:3]}"
        # in the markup, not the text: an emptied solution box would leave its class
        assert 'class="solution' not in raw and "{solution}" not in raw, path


#: Answers that prose outside a solution could restate in other words, which the check of
#: runs above cannot see: each exercise's answer as a phrase of its solution, which the
#: prose or the Corrections page once said too. Phrases are compared with the math
#: delimiters taken out (``flat``), so that a page's ``\(1/a\)`` and a download's ``$1/a$``
#: read alike.
ANSWERS = {
    "rebar_relax.html#ex-rr-baseline": "further from the optimum",
    "concrete_density.html#ex-bc-tau-one": "1/a",
    "hard_concrete.html#ex-hc-tail": "in floating point gives",
    "hard_concrete.html#ex-hc-bernoulli-limit": r"tend to -\ell and \ell",
    "binary_estimators.html#ex-be-zero": "for almost every",
}


def flat(text: str) -> str:
    """``text`` on one line, single-spaced, without the delimiters of inline math."""
    for delimiter in ("\\(", "\\)", "$"):
        text = text.replace(delimiter, "")
    return " ".join(text.split())


def notebook_text(path: Path) -> str:
    """A notebook's cells and the text of their outputs (no image data, whose base64 could
    hold any short phrase)."""
    parts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    parts.append("".join(value))
    return "\n".join(parts)


def text_files(folder: Path):
    """Each page of a build as the text a reader sees, and each download (under
    ``_sources``): a Markdown file as it is, a notebook's cells and text outputs."""
    read = {
        ".html": lambda path: soup(path).get_text(" "),
        ".ipynb": notebook_text,
        ".md": lambda path: path.read_text(encoding="utf-8"),
    }
    for path in sorted(p for p in folder.rglob("*") if p.suffix in read):
        if path.relative_to(folder).parts[0] != "_static":
            yield path, read[path.suffix](path)


@pytest.mark.parametrize("key", sorted(ANSWERS))
def test_no_page_of_the_student_edition_restates_an_answer(html_dir, student_dir, key):
    """The chapters' prose, and entries of the Corrections page, once said what the
    solutions of these exercises find."""
    answer = ANSWERS[key]
    page, label = key.split("#")
    (solution,) = [
        node.get_text(" ")
        for node in soup(html_dir / "chapters" / page).select("div.solution")
        if node.select_one(f'p.admonition-title a[href="#{label}"]')
    ]
    assert answer in flat(solution), f"{key}: the answer is not in its solution"
    for path, text in text_files(student_dir):
        assert answer not in flat(text), f"{path} says the answer of {key}"


def test_every_exercise_is_still_there(html_dir, student_dir):
    full = exercises(html_dir)
    assert full, "the full book has no exercise"
    assert exercises(student_dir) == full


def test_student_downloads_keep_the_exercises(student_dir):
    """The student's .md and .ipynb have every exercise of the source, and no solution."""
    for name in chapters():
        text = source(name).read_text()
        md = (student_dir / "_sources" / f"{name}.md").read_text()
        assert md.count("{exercise}") == text.count("{exercise}"), name
        assert "{solution}" not in md, name
        if is_notebook(name):
            assert "{solution}" not in (student_dir / "_sources" / f"{name}.ipynb").read_text()


def _names(code: str, context) -> set[str]:
    """The names ``code`` reads (``ast.Load``) or binds (``ast.Store``, imports included)."""
    tree = ast.parse(code)
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}
    if context is ast.Store:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found


def solution_only_cells(name: str) -> tuple[set[int], set[int]]:
    """The hidden code cells of a chapter that compute what only its solutions quote (none of
    their names is read by a later cell or by the text outside the solutions), and the
    cells tagged ``solution-only``, by index."""
    cells = jupytext.read(source(name)).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    blocks = [block[0] for block in SOLUTION_BLOCK.finditer(text)]
    in_solutions = {n for block in blocks for n in EVAL_ROLE.findall(block)}
    outside = set(EVAL_ROLE.findall(SOLUTION_BLOCK.sub("", text)))
    found, tagged = set(), set()
    for i, cell in enumerate(cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            continue
        if SOLUTION_ONLY in tags:
            tagged.add(i)
        if "remove-cell" not in tags:
            continue
        names = _names(cell.source, ast.Store)
        later = set().union(
            *(_names(c.source, ast.Load) for c in cells[i + 1 :] if c.cell_type == "code")
        )
        if names & in_solutions and not names & (later | outside):
            found.add(i)
    return found, tagged


@pytest.mark.parametrize("name", [n for n in chapters() if is_notebook(n)])
def test_the_solution_only_tag_is_on_exactly_the_cells_that_compute_only_for_solutions(name):
    """So that the student edition can drop them and its notebooks still run from the top."""
    found, tagged = solution_only_cells(name)
    assert tagged == found, f"{name}: tagged {sorted(tagged)}, only for solutions {sorted(found)}"


def test_the_book_has_solution_only_cells():
    assert sum(len(solution_only_cells(n)[1]) for n in chapters() if is_notebook(n)) >= 10


def test_student_downloads_drop_the_solution_only_cells(student_dir):
    for name in chapters():
        md = (student_dir / "_sources" / f"{name}.md").read_text()
        assert SOLUTION_ONLY not in md, name
        assert "# The answer" not in md, name
        if is_notebook(name):
            notebook = (student_dir / "_sources" / f"{name}.ipynb").read_text()
            assert SOLUTION_ONLY not in notebook and "# The answer" not in notebook, name
