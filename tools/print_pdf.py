"""Print the single-page edition of the book to PDF with the system Chromium.

    python tools/print_pdf.py _build/pdf/singlehtml _build/pdf/book.pdf

The page is served on 127.0.0.1 and opened in headless Chromium (driven by
Playwright, with no browser download) with every request to another host
blocked. Printing waits until MathJax has typeset every equation and the fonts
have loaded, and refuses to print if any equation is left as TeX. The PDF comes
from Chromium's own print-to-PDF (the DevTools command behind
``chromium --headless --print-to-pdf``): no LaTeX is involved.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ROOT_PAGE = "intro.html"
FOOTER = (
    '<div style="width:100%;font-size:8px;color:#444;text-align:center">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def _block_other_hosts(route):
    url = route.request.url
    if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def print_pdf(site: Path, pdf: Path) -> int:
    """Print ``site``'s single page to ``pdf``; return the number of equations typeset."""
    if not Path(CHROMIUM).is_file():
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    page_file = site / ROOT_PAGE
    if not page_file.is_file():
        raise SystemExit(f"no single-page book at {page_file}: run `make pdf`")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            page = browser.new_page()
            page.route("**/*", _block_other_hosts)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{ROOT_PAGE}")
            page.evaluate("() => MathJax.startup.promise")
            page.evaluate("() => document.fonts.ready")
            math = page.locator(".math").count()
            raw = page.locator(".math:not(:has(mjx-container))").count()
            if raw:
                raise SystemExit(f"{raw} of {math} equations are still raw TeX: not printing")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.emulate_media(media="print")
            page.pdf(
                path=str(pdf),
                format="A4",
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return math


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the single-page HTML build")
    parser.add_argument("pdf", type=Path, help="the PDF to write")
    args = parser.parse_args(argv)
    math = print_pdf(args.site, args.pdf)
    print(f"Printed {args.pdf} ({math} equations typeset).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
