"""Print the single-page edition of the book to PDF with the system Chromium.

    python tools/print_pdf.py _build/pdf/singlehtml _build/pdf/book.pdf

The page is served on 127.0.0.1 and opened in headless Chromium (driven by
Playwright, with no browser download) with every request to another host
blocked, in a window as wide as the printed page's text. Printing waits until
MathJax has typeset every equation and the fonts have loaded, and refuses to
print if any equation is left as TeX. The page is then laid out for print
exactly as Chromium will print it (print media, and the "beforeprint" event on
which the theme opens every solution), and a display equation wider than the
text is shrunk until it fits; ``_static/print.css`` does the rest (no control
printed, code wrapped). ``tests/test_pdf.py`` checks that layout through
:func:`open_for_print`. The PDF comes from Chromium's own print-to-PDF (the
DevTools command behind ``chromium --headless --print-to-pdf``): no LaTeX is
involved.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
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


def _block_other_hosts(route):
    url = route.request.url
    if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def open_for_print(browser: Browser, url: str) -> tuple[Page, int, list[float]]:
    """Open ``url`` laid out as it prints.

    Returns the page, the number of equations typeset, and the scale of each
    display equation shrunk to fit the page.
    """
    page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 1000})
    page.route("**/*", _block_other_hosts)
    page.goto(url)
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
    return page, math, scales


def print_pdf(site: Path, pdf: Path) -> tuple[int, list[float]]:
    """Print ``site``'s single page to ``pdf``.

    Returns the number of equations typeset and the scales of those shrunk.
    """
    if not Path(CHROMIUM).is_file():
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    if not (site / ROOT_PAGE).is_file():
        raise SystemExit(f"no single-page book at {site / ROOT_PAGE}: run `make pdf`")
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page, math, scales = open_for_print(browser, url)
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
