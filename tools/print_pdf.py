"""Print the single-page edition of the book to PDF with the system Chromium.

    python tools/print_pdf.py _build/pdf/singlehtml _build/pdf/book.pdf

The page is served on 127.0.0.1 and opened in headless Chromium (driven by
Playwright, with no browser download) with every request to another host
blocked, in a window as wide as the printed page's text. Printing waits until
MathJax has typeset every equation and the fonts have loaded, and refuses to
print if any equation is left as TeX, or if the page asked another host for
anything, logged a console error or got an HTTP error. The page is then laid out for print
exactly as Chromium will print it (print media, and the "beforeprint" event on
which the theme opens every solution), and a display equation wider than the
text is shrunk until it fits; ``_static/print.css`` does the rest (no control
printed, code wrapped). ``tests/test_pdf.py`` checks that layout through
:func:`open_for_print`. The PDF comes from Chromium's own print-to-PDF (the
DevTools command behind ``chromium --headless --print-to-pdf``): no LaTeX is
involved.

Chromium dates the PDF (``/CreationDate`` and ``/ModDate`` of its document
information) with the moment it prints. Both are then set to the book's build
moment, the last commit's or ``SOURCE_DATE_EPOCH``
(``_ext/book_edition.build_moment``), or removed when there is none, so that
two prints of one commit give the same dates (:func:`set_dates`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import http.server
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlparse

# Playwright is imported only where a browser starts: the tests' conftest imports this module.
if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import book_edition  # noqa: E402 - the book's own extension, from _ext/

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Headless as root, and none of Chromium's own traffic (updates, first-run pages) to hosts
#: that the book does not ask for.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: This machine, as the pages that are printed (and tested) name it.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def leaves_machine(url: str) -> bool:
    """Whether a request for ``url`` goes to another host (``data:`` and ``blob:`` stay home)."""
    return not url.startswith(("data:", "blob:")) and urlparse(url).hostname not in LOCAL_HOSTS


ROOT_PAGE = "intro.html"

PAPER = {"format": "A4", "width_mm": 210}
MARGIN_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}
#: The width, in CSS pixels (96 per inch), at which Chromium lays out the text
#: of a printed page: the paper less its side margins.
TEXT_WIDTH_PX = int((PAPER["width_mm"] - MARGIN_MM["left"] - MARGIN_MM["right"]) * 96 / 25.4)
FOOTER = (
    '<div style="width:100%;font-size:8px;color:#444;text-align:center">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)

# Shrink each displayed equation that is wider than the room it has: MathJax
# sizes its output in em, so a smaller font size scales the whole equation.
# Returns the scale of each equation shrunk.
FIT_EQUATIONS = """
() => {
  const scales = [];
  for (const eq of document.querySelectorAll('mjx-container[display="true"]')) {
    if (!eq.getClientRects().length) continue;
    const room = () => Math.min(eq.clientWidth, eq.parentElement.clientWidth);
    if (eq.scrollWidth <= room()) continue;
    const size = parseFloat(getComputedStyle(eq).fontSize);
    let scale = 1;
    for (let i = 0; i < 4 && eq.scrollWidth > room(); i++) {
      scale *= 0.99 * room() / eq.scrollWidth;
      eq.style.fontSize = `${size * scale}px`;
    }
    scales.push(scale);
  }
  return scales;
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1; yield the URL of its root page."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{ROOT_PAGE}"
    finally:
        server.shutdown()
        server.server_close()


class Printable(NamedTuple):
    """A page opened for print by :func:`open_for_print`."""

    page: Page
    #: How many equations MathJax typeset.
    equations: int
    #: The scale of each display equation shrunk to fit the page.
    scales: list[float]
    #: What went wrong while it loaded, each a list of sentences: requests to another
    #: host (``"blocked"``, aborted), console errors (``"console"``) and HTTP errors
    #: (``"http"``). :func:`print_pdf` prints nothing unless all three are empty.
    record: dict[str, list[str]]


#: How long the single page may take to load, in milliseconds. It holds every chapter (about
#: 3,500 equations): on a quiet two-core machine the tests' opening of it (a browser started,
#: the page loaded and typeset) took 21 to 23 s, and on a busy one the load alone took more
#: than Playwright's default of 30 s.
LOAD_TIMEOUT_MS = 180_000


def open_for_print(browser: Browser, url: str) -> Printable:
    """Open ``url`` laid out as it prints, every request to another host aborted."""
    record: dict[str, list[str]] = {"blocked": [], "console": [], "http": []}

    def block_other_hosts(route):
        url = route.request.url
        if leaves_machine(url):
            record["blocked"].append(url)
            route.abort()
        else:
            route.continue_()

    page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 1000})
    page.route("**/*", block_other_hosts)
    page.on("console", lambda m: m.type == "error" and record["console"].append(m.text))
    page.on("pageerror", lambda e: record["console"].append(str(e)))
    page.on("response", lambda r: r.status >= 400 and record["http"].append(f"{r.status} {r.url}"))
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready")
    math = page.locator(".math").count()
    raw = page.locator(".math:not(:has(mjx-container))").count()
    if raw:
        page.close()
        raise SystemExit(f"{raw} of {math} equations are still raw TeX: not printing")
    page.emulate_media(media="print")
    # What Chromium does before it prints, done first so that the equations are
    # fitted to the page as printed (the solutions open).
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    scales = page.evaluate(FIT_EQUATIONS)
    return Printable(page, math, scales, record)


#: The document information's dates as Chromium writes them: ``(D:YYYYMMDDHHmmSS+HH'mm')``.
PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9]{14}[-+Z][0-9]{2}'[0-9]{2}'\)")


def pdf_date(moment: datetime.datetime) -> bytes:
    """``moment`` as a PDF date in UTC, as long as Chromium's: ``D:YYYYMMDDHHmmSS+00'00'``."""
    return moment.astimezone(datetime.UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()


def set_dates(pdf: Path, moment: datetime.datetime | None) -> None:
    """Set ``pdf``'s ``/CreationDate`` and ``/ModDate`` to ``moment``, in place.

    Each value keeps its length, so every byte offset of the file (its cross-reference
    table) stays valid. With ``moment`` ``None`` both entries are blanked out with
    spaces, which a PDF reader skips. Raises ``ValueError`` when the file does not hold
    exactly one of each, in Chromium's form.
    """
    data = pdf.read_bytes()
    found = list(PDF_DATE.finditer(data))
    keys = sorted(match.group(1).decode() for match in found)
    if keys != ["CreationDate", "ModDate"]:
        raise ValueError(
            f"{pdf}: expected one /CreationDate and one /ModDate in Chromium's form "
            f"(D:YYYYMMDDHHmmSS+HH'mm'); found {keys or 'none'}"
        )
    parts, end = [], 0
    for match in found:
        key = match.group(1)
        entry = b"/" + key + b" (" + pdf_date(moment) + b")" if moment else b""
        entry = entry.ljust(match.end() - match.start())  # already that long with a date
        parts += [data[end : match.start()], entry]
        end = match.end()
    pdf.write_bytes(b"".join([*parts, data[end:]]))


def print_pdf(site: Path, pdf: Path) -> tuple[int, list[float]]:
    """Print ``site``'s single page to ``pdf``, dated the book's build moment (:func:`set_dates`).

    Returns the number of equations typeset and the scales of those shrunk.
    """
    if not Path(CHROMIUM).is_file():
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    if not (site / ROOT_PAGE).is_file():
        raise SystemExit(f"no single-page book at {site / ROOT_PAGE}: run `make pdf`")
    from playwright.sync_api import sync_playwright

    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page, math, scales, record = open_for_print(browser, url)
        wrong = [f"{kind}: {what}" for kind, found in record.items() for what in found]
        if wrong:
            browser.close()
            raise SystemExit("the page did not load cleanly: not printing\n" + "\n".join(wrong))
        pdf.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(pdf),
            format=PAPER["format"],
            margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
        )
        browser.close()
    set_dates(pdf, book_edition.build_moment(ROOT))
    return math, scales


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the single-page HTML build")
    parser.add_argument("pdf", type=Path, help="the PDF to write")
    args = parser.parse_args(argv)
    math, scales = print_pdf(args.site, args.pdf)
    shrunk = f", {len(scales)} shrunk to fit (to {min(scales):.0%} at least)" if scales else ""
    print(f"Printed {args.pdf} ({math} equations typeset{shrunk}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
