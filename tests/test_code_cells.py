"""The code cells a reader sees fit the book's code column: no sideways scrolling at 1280 px.

The chapters' code cells are ruff-formatted at ``format_code_cells.LINE_LENGTH``
characters (``make format``), and no code line is longer, comments and strings
included. In the built book, at a 1280 × 800 window, that many characters fit
in the narrowest code cell (the frame of an unfolded ``hide-input`` cell), and
no code cell, its source or its text output, is wider than its box.
"""

from __future__ import annotations

import sys

import pytest
from book_sources import is_notebook, source, toc_files

from conftest import HTML, ROOT, book_pages, leaves_machine

sys.path.insert(0, str(ROOT / "tools"))
import format_code_cells  # noqa: E402

LINE_LENGTH = format_code_cells.LINE_LENGTH
NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_are_formatted_at_the_column_width(name):
    text = source(name).read_text()
    assert format_code_cells.formatted_text(text) == text, (
        f"{name}.md: its code cells are not ruff-formatted at {LINE_LENGTH} "
        "characters; run `make format`"
    )
    long = format_code_cells.long_lines(text)
    assert not long, f"{name}.md: code lines longer than {LINE_LENGTH} characters " + "; ".join(
        f"line {number} ({len(line)})" for number, line in long
    )


def test_the_formatter_changes_code_only():
    text = (
        "# Title\n\nSome  prose,  kept   as is.\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\n\nx=[1,2 ,3]\n```\n\n"
        "```{code-cell} ipython3\n---\ntags: [hide-input]\n---\nf( x ) ;\n```\n"
        "Trailing  prose.\n"
    )
    assert format_code_cells.formatted_text(text) == text.replace(
        "x=[1,2 ,3]", "x = [1, 2, 3]"
    ).replace("f( x ) ;", "f(x);")
    long_call = "result = function(" + ", ".join(f"argument_{i}" for i in range(9)) + ")\n"
    formatted = format_code_cells.formatted_text(f"```{{code-cell}} ipython3\n{long_call}```\n")
    assert max(len(line) for line in formatted.splitlines()) <= LINE_LENGTH
    assert format_code_cells.long_lines(f"```{{code-cell}} ipython3\n# {'x' * 80}\n```\n") == [
        (2, f"# {'x' * 80}")
    ]


# Every code cell's box on the page, hide-input cells unfolded: its width, how far
# its content reaches, and how many characters of its font fit inside its padding.
MEASURE = """() => {
  document.querySelectorAll("div.cell details").forEach(d => { d.open = true; });
  return [...document.querySelectorAll("div.cell_input pre, div.cell_output pre")]
    .filter(pre => pre.getClientRects().length > 0)
    .map(pre => {
      const probe = document.createElement("span");
      probe.textContent = "x".repeat(100);
      pre.appendChild(probe);
      const char = probe.getBoundingClientRect().width / 100;
      probe.remove();
      const style = getComputedStyle(pre);
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      const inner = pre.clientWidth - padding;
      const lines = pre.textContent.split("\\n");
      return {
        kind: pre.closest(".cell_input") ? "source" : "output",
        client: pre.clientWidth, scroll: pre.scrollWidth, columns: inner / char,
        longest: lines.reduce((a, b) => (b.length > a.length ? b : a), "").trim().slice(0, 60),
      };
    });
}"""

CELL_PAGES = [
    str(p.relative_to(HTML)) for p in book_pages(HTML) if 'class="cell_input' in p.read_text()
]


# Not needed to lay out a code cell (its font is the system's monospace).
SKIPPED = {"image", "font", "media"}


@pytest.fixture(scope="module")
def desktop(browser):
    """One tab at 1280 × 800, offline, without MathJax, images and web fonts."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()

    def guard(route):
        request = route.request
        if (
            leaves_machine(request.url)
            or request.resource_type in SKIPPED
            or "/mathjax/" in request.url
        ):
            route.abort()
        else:
            route.continue_()

    page.route("**/*", guard)
    yield page
    context.close()


@pytest.mark.book
def test_every_notebook_page_has_code_cells_to_measure(html_dir):
    expected = {f"{name}.html" for name in NOTEBOOKS}
    assert expected <= set(CELL_PAGES), sorted(expected - set(CELL_PAGES))


@pytest.mark.browser
@pytest.mark.parametrize("path", CELL_PAGES)
def test_no_code_cell_scrolls_sideways_at_1280_px(desktop, site_url, path):
    desktop.goto(f"{site_url}/{path}", wait_until="load")
    boxes = desktop.evaluate(MEASURE)
    assert boxes, f"{path}: no code cell found"
    narrowest = min(box["columns"] for box in boxes)
    assert narrowest >= LINE_LENGTH, (
        f"{path}: the narrowest code cell holds {narrowest:.1f} characters, fewer than the "
        f"{LINE_LENGTH} the chapters are formatted at (format_code_cells.LINE_LENGTH)"
    )
    wide = [box for box in boxes if box["scroll"] > box["client"]]
    assert not wide, f"{path}: code cells wider than their box at 1280 px: " + "; ".join(
        f"{b['kind']} {b['scroll']} > {b['client']} px: {b['longest']!r}" for b in wide
    )
