"""The book's pages as the build, the tools and the tests read them, and a directive that
writes Markdown.

The instructors' page (``_ext/teaching.py``) and the corrections page
(``_ext/corrections.py``) are built from the chapters' sources: the table of
contents, each chapter's title, its front matter (the jupytext header) and the
labels of its exercises. They are read here from the files themselves; ``tools/``
and ``tests/book_sources.py`` read them with these same functions, so that a test
can name what a chapter lacks.

:class:`MarkdownDirective` renders the MyST Markdown a subclass generates,
headings included, as if it were written in the page at the directive's place.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

# A fenced ```{exercise} or :::{exercise} and the option lines right after it.
EXERCISE = re.compile(r"^(`{3,}|:{3,})\{exercise\}[^\n]*\n((?:[ \t]*:[\w-]+:[^\n]*\n)*)", re.M)
LABEL = re.compile(r":label:[ \t]*(\S+)")


def tool(root: Path, name: str):
    """The module ``tools/<name>.py`` of the book at ``root``."""
    spec = importlib.util.spec_from_file_location(
        f"book_tools_{name}", root / "tools" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def toc_pages(root: Path) -> list[str]:
    """The pages of ``_toc.yml``, without suffix, in reading order (the root first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


def chapters(root: Path) -> list[str]:
    """The pages of ``_toc.yml`` under ``chapters/``, in reading order, without suffix."""
    return [page for page in toc_pages(root) if page.startswith("chapters/")]


def source(root: Path, page: str) -> str:
    return (root / f"{page}.md").read_text(encoding="utf-8")


def body(root: Path, page: str) -> str:
    """The page's source below its YAML header."""
    text = source(root, page)
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


def front_matter(root: Path, page: str) -> dict:
    """The YAML header of ``page`` (``{}`` when it has none)."""
    text = source(root, page)
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text.split("---\n", 2)[1]) or {}


def title(root: Path, page: str) -> str:
    """The page's first level-one heading below its front matter (where a ``# `` line is a
    YAML comment)."""
    match = re.search(r"^# (.+)$", body(root, page), re.M)
    if not match:
        raise ValueError(f"{page}.md has no level-one heading")
    return match.group(1).strip()


def exercise_labels(root: Path, page: str) -> list[str]:
    """The ``:label:`` of every ``{exercise}`` of ``page``, in order (``""`` if unlabelled)."""
    labels = []
    for match in EXERCISE.finditer(body(root, page)):
        label = LABEL.search(match.group(2))
        labels.append(label.group(1) if label else "")
    return labels


def link(page: str, text: str, anchor: str = "") -> str:
    """A Markdown link, from a page at the book's root, to ``page`` (and a label on it)."""
    return f"[{text}]({page}.md{'#' + anchor if anchor else ''})"


class MarkdownDirective(SphinxDirective):
    """Render the MyST Markdown of :meth:`markdown`, headings as sections."""

    has_content = False

    def markdown(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        lines = StringList(self.markdown().splitlines(), source=self.env.docname)
        self.state.nested_parse(lines, self.content_offset, container, match_titles=True)
        return container.children
