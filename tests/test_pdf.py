"""The printed book (``make pdf``): ``_build/pdf/book.pdf``, read with poppler-utils."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from book_sources import title, toc_files

from conftest import ROOT, require_or_skip

pytestmark = pytest.mark.book

PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / "book.pdf"))
MAX_PAGES_PER_FILE = 40


def poppler(tool: str, *args: str) -> str:
    require_or_skip(shutil.which(tool) is not None, f"{tool} (poppler-utils) is not installed")
    require_or_skip(PDF.is_file(), f"the PDF is not printed at {PDF} (make pdf)")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def text() -> str:
    raw = poppler("pdftotext", str(PDF), "-")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))


def test_page_count_is_plausible():
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(PDF)), re.M).group(1))
    # Every chapter starts on a new page; no file runs to dozens of pages.
    assert len(toc_files()) <= pages <= MAX_PAGES_PER_FILE * len(toc_files())


def test_every_chapter_title_is_printed(text):
    for name in toc_files():
        assert re.sub(r"\s+", " ", title(name)) in text, f"{name}: {title(name)!r} not in the PDF"


def test_equations_are_typeset(text):
    """MathJax's output (Greek letters, operators) is printed, not the TeX of the prose.

    Untypeset math would print between the delimiters Sphinx writes, \\( \\) and
    \\[ \\]. (Code cells may print TeX strings of their own, so control words
    alone prove nothing here; tools/print_pdf.py also refuses to print until
    every equation of the page is typeset.)
    """
    assert not re.search(r"\\[()\[\]]", text), "TeX source of the prose in the PDF"
    for symbol in ("τ", "α", "∑"):
        assert symbol in text, f"{symbol} missing: the equations were not typeset"
