"""Every page of the built book, opened offline in a real browser.

Requests to any host other than this machine are blocked and recorded. On every
page the math must be typeset by the local MathJax, and there must be no
console error, no HTTP error and no attempt to leave the machine.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from conftest import HTML, book_pages

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PAGES = sorted(str(p.relative_to(HTML)) for p in book_pages(HTML))


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def open_offline(context, url: str):
    """Open ``url`` with every non-local request blocked; return the page and what it did."""
    record = {"left": [], "console": [], "http": []}

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            record["left"].append(route.request.url)
            route.abort()

    page = context.new_page()
    page.route("**/*", guard)
    page.on("console", lambda m: m.type == "error" and record["console"].append(m.text))
    page.on("pageerror", lambda e: record["console"].append(str(e)))
    page.on("response", lambda r: r.status >= 400 and record["http"].append((r.status, r.url)))
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax?.startup?.promise")
    page.wait_for_load_state("networkidle")
    return page, record


@pytest.mark.parametrize("path", PAGES)
def test_page_offline(context, site_url, path):
    page, record = open_offline(context, f"{site_url}/{path}")
    try:
        math_total = page.locator(".math").count()
        untypeset = page.locator(".math:not(:has(mjx-container))").count()
        typeset = page.locator("mjx-container").count()
    finally:
        page.close()
    assert record["left"] == [], f"requests tried to leave the machine: {record['left']}"
    assert record["console"] == [], f"console errors: {record['console']}"
    assert record["http"] == [], f"HTTP errors: {record['http']}"
    assert untypeset == 0, f"{untypeset} of {math_total} math elements left as raw TeX"
    if math_total:
        assert typeset >= math_total


def test_math_is_rendered_on_chapter_pages(context, site_url):
    """The pipeline works end to end: a chapter's equations become MathJax output."""
    page, _ = open_offline(context, f"{site_url}/chapters/categorical.html")
    try:
        assert page.locator("mjx-container").count() >= 3
    finally:
        page.close()
