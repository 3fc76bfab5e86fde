"""The printed book (``make pdf``): the single page it is printed from, laid out
for print in Chromium, and ``_build/pdf/book.pdf`` itself, read with poppler-utils.

On paper nothing can be clicked or scrolled: no control may be printed, code
must wrap instead of running past the margin, a hide-input cell prints its
output only, and a figure must not be split across two pages. The PDF is dated
by the book's last commit, not by the moment it was printed.
"""

from __future__ import annotations

import collections
import datetime
import html
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from book_sources import title, toc_files

from conftest import ROOT, require_or_skip

sys.path.insert(0, str(ROOT / "_ext"))
import book_edition  # noqa: E402

pytestmark = pytest.mark.book

PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / "book.pdf"))
PRINT_HTML = Path(os.environ.get("BOOK_PRINT_HTML", ROOT / "_build" / "pdf" / "singlehtml"))
MAX_PAGES_PER_FILE = 40
TOGGLE_TEXTS = ("Show code cell", "Hide code cell")


def _print_pdf_module():
    spec = importlib.util.spec_from_file_location("print_pdf", ROOT / "tools" / "print_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def poppler(tool: str, *args: str) -> str:
    require_or_skip(shutil.which(tool) is not None, f"{tool} (poppler-utils) is not installed")
    require_or_skip(PDF.is_file(), f"the PDF is not printed at {PDF} (make pdf)")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def page_texts(*options: str) -> list[str]:
    """The text of each page of the PDF, without its footer (the page number)."""
    raw = _normal(poppler("pdftotext", *options, str(PDF), "-"))
    return [re.sub(r"^\s*\d+ / \d+\s*$", "", page, flags=re.M) for page in raw.split("\f")]


@pytest.fixture(scope="module")
def pages() -> list[str]:
    return page_texts()


@pytest.fixture(scope="module")
def text(pages) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


# What the printed page holds, measured in Chromium once the page is laid out as
# tools/print_pdf.py prints it (print media, at the width of the paper's text).
MEASURE = """
([textWidth, toggleTexts]) => {
  const shown = (e) => e.getClientRects().length > 0
    && e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const where = (e) => {
    const section = e.closest('section[id]');
    const cls = [...e.classList].slice(0, 3).join('.');
    return `${e.tagName.toLowerCase()}${cls ? '.' + cls : ''} in #${section ? section.id : '?'}`;
  };
  const all = (selector) => [...document.querySelectorAll(selector)];
  const controls = 'button, summary, input, select, textarea, [role="button"], .copybtn, '
    + '.toggle-button, details';
  const toggleText = (e) => toggleTexts.some((t) => e.textContent.includes(t));
  const pres = all('pre').filter(shown);
  const article = document.querySelector('.bd-article') || document.body;
  return {
    controlsOnScreen: all('.copybtn').length + all('button.toggle-button').length
      + all('details summary').filter(toggleText).length,
    controls: all(controls).filter(shown).map(where),
    toggleTexts: all('p, span, summary').filter((e) => toggleText(e) && shown(e)).map(where),
    pres: pres.length,
    unwrapped: pres.filter((p) => !/^(pre-wrap|break-spaces)$/.test(getComputedStyle(p).whiteSpace))
      .map(where),
    cut: pres.filter((p) => p.scrollWidth > p.clientWidth)
      .map((p) => `${where(p)}: ${p.scrollWidth} > ${p.clientWidth} px`),
    codeLines: pres.flatMap((p) => p.innerText.split('\\n')),
    tooWide: [...article.querySelectorAll('*')]
      .filter((e) => !e.closest('mjx-assistive-mml, .sr-only, .visually-hidden') && shown(e))
      .filter((e) => { const r = e.getBoundingClientRect();
                       return r.right > textWidth + 0.5 || r.left < -0.5; })
      .map((e) => `${where(e)}: ${Math.round(e.getBoundingClientRect().right)} px`),
    equations: all('mjx-container[display="true"]').filter(shown).length,
    equationsCut: all('mjx-container[display="true"]').filter(shown)
      .filter((e) => e.scrollWidth > Math.min(e.clientWidth, e.parentElement.clientWidth) + 0.5)
      .map(where),
    split: [...all('figure'), ...all('mjx-container[display="true"]')].filter(shown)
      .filter((e) => getComputedStyle(e).breakInside !== 'avoid').map(where),
    captionsAlone: all('figure figcaption').filter(shown)
      .filter((e) => getComputedStyle(e).breakBefore !== 'avoid').map(where),
    images: all('img').filter(shown).map((i) => [i.naturalWidth, i.naturalHeight]),
    hideInput: all('.cell.tag_hide-input').map((cell) => ({
      where: where(cell),
      source: [...cell.querySelectorAll('.cell_input')].some(shown),
      outputs: cell.querySelectorAll('.cell_output').length,
      outputShown: [...cell.querySelectorAll('.cell_output')].some(shown),
      explorable: !!cell.querySelector('.cell_output .explorable'),
    })),
    removeInput: all('.cell.tag_remove-input').map((cell) => ({
      where: where(cell),
      source: cell.querySelectorAll('.cell_input').length,
      outputShown: [...cell.querySelectorAll('.cell_output')].some(shown),
    })),
    exercises: all('.exercise').filter(shown).length,
    solutions: all('.solution').length,
    solutionsHidden: all('.solution').filter((s) => {
      const body = s.querySelector('section');
      return !shown(s) || !body || !shown(body) || body.getBoundingClientRect().height < 1;
    }).map(where),
  };
}
"""


@pytest.fixture(scope="module")
def printed(browser) -> dict:
    """The single page, laid out for print exactly as tools/print_pdf.py prints it, and what
    went wrong as it loaded (``"record"``: requests to other hosts, which it blocks, console
    and HTTP errors)."""
    require_or_skip(
        (PRINT_HTML / "intro.html").is_file(), f"the print edition is not built in {PRINT_HTML}"
    )
    print_pdf = _print_pdf_module()
    with print_pdf.serve(PRINT_HTML) as url:
        printable = print_pdf.open_for_print(browser, url)
        measured = printable.page.evaluate(MEASURE, [print_pdf.TEXT_WIDTH_PX, list(TOGGLE_TEXTS)])
        printable.page.close()
    return {**measured, "record": printable.record}


def directives(name: str) -> int:
    """How many ``{name}`` directives the book's sources hold."""
    pattern = re.compile(rf"^[`:]{{3,}}\{{{name}\}}", re.M)
    return sum(len(pattern.findall((ROOT / f"{f}.md").read_text())) for f in toc_files())


@pytest.mark.browser
def test_the_print_page_loads_cleanly(printed):
    """No request for the page left the machine (tools/print_pdf.py blocks and records
    each), and it logged no console error and got no HTTP error."""
    record = printed["record"]
    assert set(record) == {"blocked", "console", "http"}
    assert record["blocked"] == [], f"requests tried to leave the machine: {record['blocked']}"
    assert record["console"] == [], f"console errors: {record['console']}"
    assert record["http"] == [], f"HTTP errors: {record['http']}"


@pytest.mark.browser
def test_no_control_is_printed(printed):
    # The page has copy buttons, solution toggles and code toggles on screen ...
    assert printed["controlsOnScreen"] > 0
    # ... and prints none of them.
    assert printed["controls"] == []
    assert printed["toggleTexts"] == []


@pytest.mark.browser
def test_code_wraps_within_the_page(printed):
    assert printed["pres"] > 0
    assert printed["unwrapped"] == [], "code printed without wrapping"
    assert printed["cut"] == [], "code wider than its box"
    assert printed["tooWide"] == [], "elements past the right margin"
    assert printed["equations"] > 0
    assert printed["equationsCut"] == [], "display equations wider than the page"


@pytest.mark.browser
def test_figures_and_equations_are_styled_not_to_split(printed):
    """Every shown figure and display equation has ``break-inside: avoid``, and every
    figure caption ``break-before: avoid``, in print (the CSS Chromium paginates by;
    :func:`test_figures_are_printed_whole` checks the PDF's images themselves)."""
    assert printed["split"] == []
    assert printed["captionsAlone"] == []


@pytest.mark.browser
def test_hidden_input_prints_its_output_only(printed):
    cells = printed["hideInput"]
    assert cells, "no hide-input cell: nothing checked"
    assert [c["where"] for c in cells if c["source"]] == [], "hidden source printed"
    assert any(c["outputs"] for c in cells)
    # An explorable figure is the one output kept off paper: the static figures
    # above it stand in for it (tests/test_explorable.py checks them in print).
    assert [
        c["where"] for c in cells if c["outputs"] and not c["outputShown"] and not c["explorable"]
    ] == []
    assert all(not c["outputShown"] for c in cells if c["explorable"]), "an explorable printed"
    removed = printed["removeInput"]
    assert removed, "no remove-input cell: nothing checked"
    assert [c["where"] for c in removed if c["source"] or not c["outputShown"]] == []


@pytest.mark.browser
def test_exercises_and_solutions_are_printed_open(printed):
    # The print edition keeps the solutions (tools/build_edition.py), open.
    assert printed["exercises"] == directives("exercise") > 0
    assert printed["solutions"] == directives("solution") > 0
    assert printed["solutionsHidden"] == []


def test_the_pdf_is_dated_by_its_commit_not_the_clock():
    """Chromium dates a PDF with the moment it prints it; tools/print_pdf.py sets both of its
    dates to the book's build moment (``_ext/book_edition.build_moment``): a commit's
    time, or ``SOURCE_DATE_EPOCH``. The day is the one the PDF's first page prints."""
    info = poppler("pdfinfo", "-isodates", str(PDF))
    dates = {
        key: datetime.datetime.fromisoformat(value)
        for key, value in re.findall(r"^(CreationDate|ModDate):\s+(\S+)\s*$", info, re.M)
    }
    if book_edition.build_moment(ROOT) is None:  # no commit: the PDF has no dates
        assert dates == {}
        return
    assert set(dates) == {"CreationDate", "ModDate"}, info
    assert dates["CreationDate"] == dates["ModDate"]
    moment = dates["CreationDate"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        assert moment.timestamp() == int(epoch)
    else:
        log = ["git", "-C", str(ROOT), "log", "--format=%ct"]
        commits = {
            int(t) for t in subprocess.run(log, capture_output=True, text=True).stdout.split()
        }
        assert moment.timestamp() in commits, f"{moment} is the time of no commit"
    assert f"built {moment.date().isoformat()}." in page_texts("-l", "1")[0]


def test_page_count_is_plausible():
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(PDF)), re.M).group(1))
    # Every chapter starts on a new page; no file runs to dozens of pages.
    assert len(toc_files()) <= pages <= MAX_PAGES_PER_FILE * len(toc_files())


def test_every_chapter_title_is_printed(text):
    for name in toc_files():
        assert re.sub(r"\s+", " ", title(name)) in text, f"{name}: {title(name)!r} not in the PDF"


#: TeX commands of the book's math and the character MathJax typesets for each.
TEX_SYMBOLS = {
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "partial": "∂",
    "nabla": "∇",
    "infty": "∞",
    "mapsto": "↦",
    "sim": "∼",
    "mid": "∣",
    "cdot": "⋅",
    "approx": "≈",
    "ne": "≠",
    "le": "≤",
    "ge": "≥",
    "tau": "τ",
    "alpha": "α",
}
#: The print edition's math, as Sphinx writes it for MathJax: TeX in a span.
MATH_SPAN = re.compile(r'<span class="math notranslate nohighlight">(.*?)</span>', re.S)


def math_and_the_rest() -> tuple[str, str]:
    """The TeX of the print edition's math, and the page's other text (code and outputs
    included), both unescaped."""
    require_or_skip(
        (PRINT_HTML / "intro.html").is_file(), f"the print edition is not built in {PRINT_HTML}"
    )
    page = (PRINT_HTML / "intro.html").read_text(encoding="utf-8")
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    tex = " ".join(MATH_SPAN.findall(page))
    rest = re.sub(r"<[^>]+>", " ", MATH_SPAN.sub(" ", page))
    return _normal(html.unescape(tex)), _normal(html.unescape(rest))


def test_equations_are_typeset(text):
    """Every equation is printed typeset, not as the TeX of the prose.

    Untypeset math would print between the delimiters Sphinx writes, \\( \\) and
    \\[ \\]. A symbol of :data:`TEX_SYMBOLS` that the page shows nowhere but in its
    math (not τ or α, which code and outputs print too) can only come from MathJax:
    the PDF must hold it at least as often as the math's TeX writes it (its command, or
    the character itself). (tools/print_pdf.py also refuses to print until every
    equation of the page is typeset.)
    """
    assert not re.search(r"\\[()\[\]]", text), "TeX source of the prose in the PDF"
    tex, rest = math_and_the_rest()
    commands = collections.Counter(re.findall(r"\\([A-Za-z]+)", tex))
    written = {
        symbol: commands[command] + tex.count(symbol)
        for command, symbol in TEX_SYMBOLS.items()
        if symbol not in rest
    }
    written = {symbol: count for symbol, count in written.items() if count}
    assert len(written) >= 3, f"too few symbols come from the math alone: {written}"
    short = {s: f"{text.count(s)} of {n}" for s, n in written.items() if text.count(s) < n}
    assert short == {}, f"symbols of the math missing from the PDF: {short}"


def test_no_toggle_is_printed(text):
    for toggle in TOGGLE_TEXTS:
        assert toggle not in text


def test_every_line_of_code_is_printed_whole_and_in_order(printed):
    """Each line of code the page shows is in the PDF's text, however it wrapped, after the
    line before it.

    Whitespace is ignored on both sides, as a line may wrap anywhere; a line cut
    at the margin loses its end and is not found. Each line is looked for after
    where the line before it was found, so that a short line cannot be matched by
    text printed elsewhere. (The text is read in the PDF's own order, ``-raw``,
    which keeps a hyphen at the end of a line.)
    """
    printed_text = re.sub(r"\s+", "", "".join(page_texts("-raw")))
    lines = [re.sub(r"\s+", "", _normal(line)) for line in printed["codeLines"]]
    lines = [line for line in lines if line]
    missing, after = [], 0
    for line in lines:
        found = printed_text.find(line, after)
        if found < 0:
            missing.append(line)
        else:
            after = found + len(line)
    assert len(lines) > 100
    assert missing == [], (
        f"{len(missing)} of {len(lines)} lines of code not printed whole, in order: {missing[:5]}"
    )


@pytest.mark.browser
def test_figures_are_printed_whole(printed):
    """Every figure's image is in the PDF once, at its own size.

    A figure split across two pages is drawn on both, and would be counted
    twice; the PDF holds no other picture (such as a box shadow, which Chromium
    prints as a grey image).
    """
    rows = [row.split() for row in poppler("pdfimages", "-list", str(PDF)).splitlines()[2:]]
    in_pdf = sorted((int(row[3]), int(row[4])) for row in rows)
    on_page = sorted(tuple(size) for size in printed["images"])
    assert on_page, "no figure printed: nothing checked"
    assert in_pdf == on_page
