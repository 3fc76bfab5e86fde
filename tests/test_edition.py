"""The built book says which edition it is, and its back matter is built from its sources.

- every page's footer: the version (``pyproject.toml``), the build date (the last
  commit's) and the licences, code MIT, text and figures CC BY 4.0; the PDF's
  first page says the same;
- every page has the book's icon, and one search box at desktop widths;
- the instructors' page shows every chapter's objectives and exercises, and the
  execution times the execution cache records;
- the corrections page shows every entry of ``corrections.yml``, linked.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from book_sources import chapters, title
from bs4 import BeautifulSoup

from conftest import ROOT, book_pages, require_or_skip

sys.path.insert(0, str(ROOT / "_ext"))

import book_edition  # noqa: E402
import book_pages as sources  # noqa: E402
import corrections  # noqa: E402
import myst_nb_adapter  # noqa: E402
import teaching  # noqa: E402

pytestmark = pytest.mark.book

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
PDF = ROOT / "_build" / "pdf" / "book.pdf"
CACHE = ROOT / "_build" / ".jupyter_cache"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def words(tag) -> str:
    """The text of ``tag`` on one line, with Sphinx's typographic apostrophes undone."""
    return " ".join(tag.get_text(" ").replace("\u2019", "'").split())


def test_every_page_names_its_edition_and_licences(html_dir):
    date = book_edition.build_date(ROOT)
    require_or_skip(bool(date), "a build date (from git or SOURCE_DATE_EPOCH)")
    for page in book_pages(html_dir):
        footer = soup(page).select(".bd-footer-content .book-edition")
        assert len(footer) == 1, f"{page.name}: no edition line in the footer"
        text = footer[0].get_text(" ", strip=True)
        assert f"Version {VERSION}" in text, f"{page.name}: {text}"
        assert f"built {date}" in text, f"{page.name}: {text} (built {date})"
        assert re.search(r"Code: MIT\b.*text and figures: CC BY 4\.0", text), text


def test_the_pdf_says_its_edition_on_its_first_page():
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    require_or_skip(PDF.is_file(), f"the PDF is not printed at {PDF} (make pdf)")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(PDF), "-"], capture_output=True, text=True
    ).stdout
    flat = " ".join(first.split())
    assert f"Version {VERSION}" in flat, flat[:500]
    assert "MIT" in flat and "CC BY 4.0" in flat, flat[:500]


def test_every_page_has_the_books_icon(html_dir):
    for page in book_pages(html_dir):
        icons = soup(page).select('link[rel="icon"]')
        assert len(icons) == 1, f"{page.name}: {len(icons)} icons"
        assert (page.parent / icons[0]["href"]).resolve().is_file(), icons[0]["href"]


def test_one_search_box_at_desktop_widths(html_dir):
    """The sidebar's search field only; the theme hides its header button above 960 px.

    The header bar the theme put a second one in is left empty, and hidden
    (``_static/header.css``).
    """
    for page in book_pages(html_dir):
        page_soup = soup(page)
        fields = page_soup.select(".search-button-field")
        assert len(fields) == 1, f"{page.name}: {len(fields)} search fields"
        assert fields[0].find_parent(id="pst-primary-sidebar"), f"{page.name}: not in the sidebar"
        assert not page_soup.select("#pst-header *"), f"{page.name}: the header bar is not empty"
    assert "#pst-header" in (html_dir / "_static" / "header.css").read_text()


def _article(name: str, html_dir: Path) -> BeautifulSoup:
    return soup(html_dir / f"{name}.html").find("article")


def test_the_instructors_page_shows_every_chapter(html_dir):
    article = _article("teaching", html_dir)
    text = words(article)
    for name in chapters():
        block = yaml.safe_load((ROOT / f"{name}.md").read_text().split("---\n", 2)[1])["teaching"]
        section = article.find(
            lambda tag, name=name: tag.name == "h3" and title(name) in tag.get_text()
        )
        assert section, f"no section for {name}"
        body = words(section.find_parent("section"))
        # every objective and every prerequisite, each stretch of words between its math
        # (compared without spaces: the page's text has one at every tag's edge)
        bare = "".join(body.replace("\u201c", '"').replace("\u201d", '"').split())
        for item in [*block["objectives"], *block["prerequisites"]["knowledge"]]:
            for stretch in re.split(r"\$[^$]*\$", item.replace("\u2019", "'").replace("`", "")):
                if stretch.strip():
                    assert "".join(stretch.split()) in bare, f"{name}: {stretch!r} missing"
        links = {a["href"] for a in section.find_parent("section").select("a[href]")}
        for needed in block["prerequisites"]["chapters"]:
            assert any(
                href.split("#")[0].endswith(f"{needed.split('/')[-1]}.html") for href in links
            ), f"{name}: prerequisite {needed} unlinked"
        for label, difficulty in block["exercises"].items():
            assert any(href.endswith(f"#{label}") for href in links), f"{name}: {label} unlinked"
            assert re.search(rf"{re.escape(label)}\s*\)?\s*:\s*{difficulty}", body), label
    assert "A unit of three lectures" in text and "A unit of six lectures" in text


def _overview_column(html_dir: Path, heading: str) -> dict[str, str]:
    """The instructors' overview table's column ``heading``, by chapter title."""
    article = _article("teaching", html_dir)
    header = [cell.get_text(strip=True) for cell in article.select("table thead th")]
    column = header.index(heading)
    return {
        row.select("td")[0].get_text(strip=True): row.select("td")[column].get_text(strip=True)
        for row in article.select("table tbody tr")
    }


def test_the_instructors_page_shows_the_caches_execution_times(html_dir):
    require_or_skip(myst_nb_adapter.cache_exists(CACHE), f"no execution cache at {CACHE}")
    seconds = sources.tool(ROOT, "timings").page_seconds(CACHE, ROOT)
    rows = _overview_column(html_dir, "Executes in")
    assert set(seconds) >= set(chapters()), set(chapters()) - set(seconds)
    for name in chapters():
        shown = rows[title(name)]
        assert shown == f"{seconds[name]:.1f} s", f"{name}: {shown}, cache {seconds[name]}"


def test_the_instructors_page_gives_each_chapters_prose_in_words(html_dir):
    rows = _overview_column(html_dir, "Prose")
    for name in chapters():
        words_now = teaching.prose_words(ROOT, name)
        assert rows[title(name)] == f"{words_now:,} words", name
        # a chapter's prose, not its source: fewer words than the file, and hundreds
        assert 300 < words_now < len(sources.body(ROOT, name).split()), (name, words_now)


def test_the_corrections_page_lists_every_entry(html_dir):
    entries = corrections.load(ROOT)
    article = _article("corrections", html_dir)
    sections = article.select("section section")
    assert len(sections) == len(entries)
    for section, entry in zip(sections, entries, strict=True):
        text = words(section)
        assert entry["where"] in text and f"version {entry['version']}" in text
        for field in ("It said:", "It says now:", "Decided by:"):
            assert field in text, f"{entry['where']}: {field} missing"
        target = f"{entry['chapter']}.html"
        assert any(a["href"].split("#")[0] == target for a in section.select("a[href]")), (
            f"{entry['where']}: no link to {target}"
        )


def test_every_number_a_correction_quotes_is_on_its_page(html_dir):
    """A correction's "says" quotes the sentence as the page says it now (in double
    quotes, with [...] for what it leaves out); the decimal numbers of each quoted stretch
    must stand on that page in the same order, close together, as in the sentence (a
    stretch with one number is only looked for on the page, as a whole number). Two
    quotes went stale once when library changes moved the numbers (RELAX at 0.372 became
    0.380; a standard error 0.0004 became 0.0005, while 0.0004 stood elsewhere on the
    page), and two when a machine with other last bits moved them (a chaotic training's
    final means): a quote leaves such numbers out, as corrections.yml's header says."""
    stale, pages = [], {}
    for entry in corrections.load(ROOT):
        if entry["chapter"] not in pages:
            pages[entry["chapter"]] = words(_article(entry["chapter"], html_dir))
        page = pages[entry["chapter"]]
        for quote in corrections.quotes(entry):
            for stretch in re.split(r"\[(?:\.\.\.|…)\]", quote):
                numbers = corrections.DECIMAL.findall(stretch)
                if numbers and not _in_order_nearby(numbers, page, 2 * len(stretch) + 200):
                    stale.append(f"{entry['chapter']}, {entry['where']}: {numbers}")
    assert stale == [], stale


#: A cross-reference in a quote (``{doc}`x```, ``{numref}`x```) renders as its target's title
#: or number, which the quote does not spell: windows with one are not compared.
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
#: A quote of what a sentence said before (a history inside "says") is not the page's text.
_HISTORY = re.compile(r"(said|version before|earlier version)[^\"]{0,60}$", re.I)
#: The length of the word windows compared, what marks a window with math (compared in
#: :func:`_math_form`), and what a comparable window may not hold (a cross-reference's
#: mark, and brackets: the page renders them otherwise).
QUOTE_WINDOW = 6
_MATH = re.compile(r"[\\^_{}|]")
_NOT_COMPARED = re.compile(r"[\[\]\u27e8]")
#: What splits a quote into stretches compared apart: a ``[...]`` or other bracketed
#: placeholder, and "(displayed)", which stands before a display equation. A placeholder
#: holds no math and no other bracket, so that a ``[`` in math (``$[0, 1)$``) does not open
#: one that a later placeholder's ``]`` would close.
_QUOTE_GAP = re.compile(r"\[[^\]\[$]*\]|\(displayed\)")
#: TeX that the page may show as text (a computed value the chapter writes in Unicode, as
#: ``10⁻⁶`` or ``1.5×10⁻⁵``) or the other way round: both sides are written one way.
_TEX_AS_TEXT = {
    r"\times": "\u00d7",
    r"\geq": "\u2265",
    r"\ge": "\u2265",
    r"\leq": "\u2264",
    r"\le": "\u2264",
    r"\cdot": "\u00b7",
    r"\approx": "\u2248",
    r"\pm": "\u00b1",
}
_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def _prose(text: str) -> str:
    """``text`` as words to compare: links as their text, roles as a mark, no emphasis, math
    delimiters or code ticks, one kind of quote and space, no space before punctuation."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", _ROLE.sub(" \u27e8ref\u27e9 ", text))
    text = re.sub(r"\*+", "", text)
    for mark in ("\\(", "\\)", "$", "`"):
        text = text.replace(mark, " ")
    text = re.sub(r"[\u201c\u201d\u2018\u2019\"']", "'", text)
    text = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    text = re.sub(r"\s+([,.;:)%'])", r"\1", text)
    return re.sub(r"([(])\s+", r"\1", text)


@functools.cache
def _page_prose(html_dir: Path, chapter: str) -> str:
    """The page's words, its images' alt text and (for quoted objectives) the instructors'
    page's."""
    texts = []
    for name in (chapter, "teaching"):
        page = soup(html_dir / f"{name}.html")
        texts.append(page.find("article").get_text(" "))
        texts += [image.get("alt", "") for image in page.select("article img")]
    return _prose(" ".join(texts))


def stale_windows(quote: str, page: str) -> list[str]:
    """The word windows of ``quote`` (split at its ``[...]`` and other placeholders, and at
    "(displayed)") that do not stand in ``page`` (already :func:`_prose`). A window with math
    is compared in :func:`_math_form`; one with a cross-reference or a bracket, which the
    page renders otherwise, is skipped.

    Windows of :data:`QUOTE_WINDOW` words start every half window, and one more ends at the
    stretch's last word, so that every word is in one; a shorter stretch is one window."""
    stale = []
    for stretch in _QUOTE_GAP.split(quote):
        words = _prose(stretch).split()
        last = max(0, len(words) - QUOTE_WINDOW)
        starts = sorted({*range(0, last + 1, QUOTE_WINDOW // 2), last}) if words else []
        for start in starts:
            window = " ".join(words[start : start + QUOTE_WINDOW])
            if _NOT_COMPARED.search(window):
                continue
            if _MATH.search(window):
                found = _math_form(window) in _math_form(page)
            else:
                found = window in page
            if not found:
                stale.append(window)
    return stale


@functools.cache
def _math_form(text: str) -> str:
    """``text`` with its TeX written as the page may show it in text (:data:`_TEX_AS_TEXT`,
    powers of ten as superscripts), thin spaces dropped, and no spaces: TeX's spacing is
    its own, so ``$10^{-6}$``, ``10^{-6}`` and ``10⁻⁶`` all read ``10⁻⁶``."""
    text = re.sub(r"\\[,;!]|\\q?quad\b", "", text).replace("\u2212", "-")
    for tex, shown in _TEX_AS_TEXT.items():
        text = re.sub(re.escape(tex) + r"(?![A-Za-z])", shown, text)
    text = re.sub(r"\^\{(-?\d+)\}|\^(\d)", lambda m: (m[1] or m[2]).translate(_SUPERSCRIPT), text)
    return re.sub(r"\s+", "", text)


def test_every_correction_quotes_its_page_as_it_reads_now(html_dir):
    """A correction's "says" quotes the page as it reads now; the page changes after the
    entry is written (fifteen quotes had gone stale so, found with this comparison). Every
    window of six words of each quote stands on the page (its math as :func:`_math_form`
    writes it; a window with a cross-reference or a bracket is skipped); quotes of what a
    sentence said before are not the page's."""
    stale = []
    for entry in corrections.load(ROOT):
        page = _page_prose(html_dir, entry["chapter"])
        for match in re.finditer(r'"(.*?)"', entry["says"], re.S):
            if _HISTORY.search(entry["says"][: match.start()]):
                continue
            missing = stale_windows(match.group(1), page)
            if missing:
                stale.append(f"{entry['chapter']}, {entry['where']}: {missing[0]!r}")
    assert stale == [], stale


def test_the_quote_comparison_finds_a_stale_quote():
    page = _prose("The relaxed estimator trades variance for bias, as the proposition says.")
    assert stale_windows("The relaxed estimator trades variance for bias, as", page) == []
    assert stale_windows("The relaxed estimator trades bias for variance, as", page)
    # placeholders are skipped, not compared
    assert stale_windows("[the first] The relaxed estimator trades variance for", page) == []
    # the last words of a stretch, and a stretch shorter than a window, are compared too
    assert stale_windows("The relaxed estimator trades variance for bias, as the book", page)
    assert stale_windows("trades bias [...] as the proposition says", page)
    assert stale_windows("trades variance [...] as the proposition says", page) == []


def test_the_quote_comparison_reads_math_as_the_page_shows_it():
    """A quote writes math in TeX; the page shows a computed power of ten in Unicode, or
    spaces TeX otherwise: those read alike, and a changed symbol or number does not."""
    display = (
        r"\[ \frac{\mathrm{d}^2\,\text{saving}}{\mathrm{d}\delta^2} = \frac{2 p(1 - p)}{D^3} \]"
    )
    page = _prose(
        "each at a rate of at most 10⁻⁶ per test, and at most 1.5×10⁻⁵ for the 15 tests; "
        f"p-value 0.93 \\ge 10^{{-6}}. Its second derivative: {display}"
    )
    quote = r"at most $10^{-6}$ per test, and at most $1.5\times10^{-5}$"
    assert stale_windows(quote, page) == []
    assert stale_windows(quote.replace("-6", "-5"), page)
    assert stale_windows(r"p-value 0.93 $\geq 10^{-6}$.", page) == []
    assert stale_windows(r"p-value 0.93 $\le 10^{-6}$.", page)
    derivative = r"$\frac{\mathrm{d}^2\text{saving}}{\mathrm{d}\delta^2}=\frac{2p(1-p)}{D^3}$"
    assert stale_windows(f"second derivative: (displayed) {derivative}", page) == []
    assert stale_windows(f"second derivative: (displayed) {derivative.replace('D^3', 'D^2')}", page)


def test_a_bracket_in_math_opens_no_placeholder():
    """A ``[`` in math (``$[0, 1)$``) and a later ``[...]``'s ``]`` enclose no placeholder:
    the words between them are still compared; a page's minus sign before a letter reads
    as TeX's hyphen-minus."""
    page = _prose(
        "the CDF at eleven points of [0, 1); its logits are checked through claim 1, to "
        "10^{-9} (tests/test_hard_concrete.py)."
    )
    quote = "points of $[0, 1)$; its logits are checked through claim 1, to $10^{-9}$ [...]."
    assert stale_windows(quote, page) == []
    assert stale_windows(quote.replace("through claim 1", "through claim 2"), page)
    minus = _math_form(_prose("a slope of −x^{2}"))
    assert minus == _math_form(_prose("a slope of $-x^{2}$")) != _math_form("a slope of x^{2}")


def _in_order_nearby(numbers: list[str], page: str, width: int) -> bool:
    """Whether ``numbers`` stand in ``page`` as whole numbers, in order, within ``width``."""
    found = [
        [m.start() for m in re.finditer(rf"(?<![\d.]){re.escape(n)}(?![\d])", page)]
        for n in numbers
    ]
    for start in found[0]:
        at = start
        for places in found[1:]:
            later = [p for p in places if at < p <= start + width]
            if not later:
                break
            at = later[0]
        else:
            return True
    return False
