"""Accessibility of every page, checked by axe-core in the same Chromium.

Every page is checked on a desktop (1280 px wide) in ``test_browser.py`` and on
a phone (390 x 844) in ``test_phone.py``, each with the same page load as its
other checks, to keep the tests cheap; here, a chapter with figures and
exercises, one whose wide math scrolls, and the index of theorems in the theme's
dark mode at both sizes.
No page may have an axe violation of any impact; what the theme gets wrong is
fixed in the book's own CSS, markup or templates (``_static/custom.css``,
``_ext/accessible_html.py``, ``_templates/``), never by switching a rule off.
Figures must stay legible in the theme's dark mode: they are opaque, a light
card on the dark page, with dark ink on it. A page opened in dark mode, like
every page, requests nothing from another host, and has no failed request, no
console error and no HTTP error.
"""

from __future__ import annotations

import io

import matplotlib.image as mpimg
import numpy as np
import pytest
from axe_checks import blocking_violations
from test_browser import assert_clean, open_offline

from conftest import DESKTOP, HTML, PHONE, book_pages

pytestmark = pytest.mark.browser

PAGES = sorted(str(p.relative_to(HTML)) for p in book_pages(HTML))


def _dark(browser, viewport):
    ctx = browser.new_context(color_scheme="dark", viewport=viewport)
    ctx.add_init_script("['mode', 'theme'].forEach(key => localStorage.setItem(key, 'dark'));")
    return ctx


@pytest.fixture(scope="module")
def dark_context(browser):
    """A fresh profile whose reader chose the theme's dark mode (desktop)."""
    ctx = _dark(browser, DESKTOP)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def dark_phone_context(browser):
    """The same dark-mode profile on a phone's screen."""
    ctx = _dark(browser, PHONE)
    yield ctx
    ctx.close()


def _chapter_with_a_figure() -> str:
    for path in PAGES:
        if path.startswith("chapters/") and "_images/" in (HTML / path).read_text():
            return path
    pytest.fail("no chapter shows a figure")


def _chapter_with_wide_math() -> str:
    """A chapter whose widest display equation scrolls in its box on a phone (its fade, its
    focus ring and its label are checked too)."""
    return "chapters/numerics.html"


# Sphinx's index tables (here the index of theorems and proofs) have their own styles.
INDEX_PAGE = "prf-prf.html"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_no_axe_violation_in_dark_mode(dark_context, dark_phone_context, site_url, width):
    ctx = dark_context if width == "desktop" else dark_phone_context
    for path in dict.fromkeys([_chapter_with_a_figure(), _chapter_with_wide_math(), INDEX_PAGE]):
        page, record = open_offline(ctx, f"{site_url}/{path}")
        try:
            assert page.evaluate("document.documentElement.dataset.theme") == "dark"
            # What the page itself did, before axe fetches the style sheets again.
            own = {key: list(value) for key, value in record.items()}
            violations = blocking_violations(page)
        finally:
            page.close()
        assert_clean(own, f"{path} in dark mode ({width})")
        assert violations == [], f"{path} in dark mode ({width}): {violations}"


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour with channels in [0, 1]."""
    c = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(l1: float, l2: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula():
    assert contrast(luminance([1, 1, 1]), luminance([0, 0, 0])) == pytest.approx(21)
    assert contrast(luminance([0.5, 0.5, 0.5]), luminance([0.5, 0.5, 0.5])) == 1


def test_figures_are_opaque():
    """Every figure the chapters produce has an opaque background (figures.STYLE)."""
    pngs = sorted((HTML / "_images").glob("*.png"))
    assert pngs, "the book has no figures"
    for png in pngs:
        image = mpimg.imread(png)
        assert image.ndim == 3 and (image.shape[2] == 3 or image[..., 3].min() == 1.0), png.name


def test_figures_stay_legible_in_dark_mode(dark_context, site_url):
    """On the dark page a figure is a light card, and its ink is dark on that card.

    The figure is measured as the browser draws it (the theme dims images in dark
    mode): its background must stand out from the page's (non-text contrast of at
    least 3) and its darkest ink must read against its background (at least 4.5).
    """
    path = _chapter_with_a_figure()
    page, record = open_offline(dark_context, f"{site_url}/{path}")
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        page_rgb = page.evaluate(
            "() => getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number)"
        )
        figure = page.locator("figure img, .cell_output img").first
        figure.scroll_into_view_if_needed()
        shot = mpimg.imread(io.BytesIO(figure.screenshot()), format="png")
        own = {key: list(value) for key, value in record.items()}
    finally:
        page.close()
    assert_clean(own, f"{path} in dark mode")
    page_lum = luminance(np.array(page_rgb[:3]) / 255)
    assert page_lum < 0.05, f"the page is not dark in dark mode: rgb{page_rgb}"
    lum = luminance(shot).ravel()
    values, counts = np.unique(np.round(lum, 3), return_counts=True)
    background = values[counts.argmax()]
    ink = np.quantile(lum, 0.005)
    assert contrast(background, page_lum) >= 3, "the figure does not stand out from the page"
    assert contrast(background, ink) >= 4.5, "the figure's ink is faint on its background"
