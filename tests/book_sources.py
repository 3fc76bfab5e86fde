"""The book's sources as the tests see them: the table of contents and its files.

They are read with the build's own functions (``_ext/book_pages.py``), so that the tests
and the build agree on the pages, their titles and their front matter.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import book_pages  # noqa: E402


def toc_files() -> list[str]:
    """Every file of ``_toc.yml``, without suffix, in reading order (the root first)."""
    return book_pages.toc_pages(ROOT)


def chapters() -> list[str]:
    """The toc's files under ``chapters/``."""
    return book_pages.chapters(ROOT)


def source(name: str) -> Path:
    return ROOT / f"{name}.md"


def is_notebook(name: str) -> bool:
    """Whether a toc file is a MyST notebook (a jupytext header with a kernel)."""
    return "kernelspec" in book_pages.front_matter(ROOT, name)


def title(name: str) -> str:
    """The first level-one heading of a toc file below its front matter, as the reader
    sees it."""
    return book_pages.title(ROOT, name)
