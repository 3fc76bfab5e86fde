"""Every page of the built book on a phone (390 x 844), in a real browser, offline.

The math must fit the text column, measured in the page with
``getBoundingClientRect`` against the article's content box:

- no in-line equation reaches past the column (MathJax 4 breaks it with the
  text); one inside a box that scrolls on its own (a wide table) counts as inside
  when that box fits the column;
- no display equation is cut: it breaks to fit, or, where it cannot, it scrolls
  inside its own box, which fits the column, can take the keyboard focus and
  carries a label (``_ext/offline_mathjax.py``, ``_static/math.css``);
- at most 5% of the display equations of the whole book are wider than the
  column (the ones that scroll);
- the page itself never scrolls sideways, and every equation number is in view;
- axe-core finds no accessibility violation of any impact at this size (the
  desktop's and dark mode's are in ``test_accessibility.py``).

As in ``test_browser.py``, every request to another host is blocked and counted,
and there may be no console error and no TeX left untypeset or unreadable.
"""

from __future__ import annotations

import pytest
from axe_checks import blocking_violations
from test_browser import PAGES, assert_clean, open_offline

pytestmark = pytest.mark.browser

MAX_WIDE_SHARE = 0.05

# Everything the page shows of its math, measured against the article's text column.
MEASURE = """() => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main");
  const style = getComputedStyle(article);
  const box = article.getBoundingClientRect();
  // One pixel of slack for sub-pixel rounding.
  const left = box.left + parseFloat(style.paddingLeft) - 1;
  const right = box.right - parseFloat(style.paddingRight) + 1;
  const inside = (r) => r.left >= left && r.right <= right;
  const latex = (c) => (c.querySelector("mjx-math")?.getAttribute("data-latex") || "")
    .replace(/\\s+/g, " ").trim().slice(0, 80);
  const scrollingBox = (e) => {
    for (let p = e.parentElement; p && p !== article; p = p.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return p;
    }
    return null;
  };
  const found = {column: right - left, inline: 0, display: 0, inlineOut: [], inlineInBox: [],
                 wide: [], cut: [], labels: [],
                 errors: document.querySelectorAll("mjx-merror").length,
                 pageOverflow: document.documentElement.scrollWidth - window.innerWidth};
  for (const c of article.querySelectorAll("mjx-container")) {
    if (c.getAttribute("display") === "true") {
      found.display++;
      const math = c.querySelector("mjx-math").getBoundingClientRect();
      const excess = Math.round(math.width - (right - left));
      if (excess > 0) found.wide.push([latex(c), excess]);
      const own = c.closest("div.math") || c;
      const shown = own.getBoundingClientRect();
      const overflows = own.scrollWidth > own.clientWidth + 1;
      const scrolls = ["auto", "scroll"].includes(getComputedStyle(own).overflowX);
      const labelled = own.tabIndex >= 0 && !!own.getAttribute("aria-label");
      const clipped = (math.top < shown.top - 1 || math.bottom > shown.bottom + 1)
        && getComputedStyle(own).overflowY !== "visible";
      if (!inside(shown)) found.cut.push([latex(c), "box past the column"]);
      else if (overflows && !(scrolls && labelled)) {
        found.cut.push([latex(c), "no labelled scroll box"]);
      }
      else if (clipped) found.cut.push([latex(c), "clipped at the top or bottom"]);
    } else {
      found.inline++;
      const rects = [...c.getClientRects()];
      if (rects.every(inside)) continue;
      const scroller = scrollingBox(c);
      if (scroller && inside(scroller.getBoundingClientRect())) found.inlineInBox.push(latex(c));
      else {
        const reach = Math.max(...rects.map((r) => r.right));
        found.inlineOut.push([latex(c), Math.round(reach - right)]);
      }
    }
  }
  for (const label of article.querySelectorAll("mjx-labels")) {
    const r = label.getBoundingClientRect();
    found.labels.push([label.textContent, r.width > 0 && inside(r)]);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def measured(phone_context, site_url) -> dict[str, dict]:
    """Every page opened once on the phone: what it requested, how its math sits, what axe finds.

    axe runs after the measures, so that its injected script cannot change them.
    """
    results = {}
    for path in PAGES:
        page, record = open_offline(phone_context, f"{site_url}/{path}")
        try:
            untypeset = page.locator(".math:not(:has(mjx-container))").count()
            found = page.evaluate(MEASURE)
            # What the page itself did; axe then re-fetches the style sheets for its
            # CSS rules, resolving the theme's @import against the wrong folder (a 404
            # for /basic.css that no reader's browser makes).
            own = {key: list(value) for key, value in record.items()}
            axe = blocking_violations(page)
            results[path] = {"record": own, "untypeset": untypeset, "axe": axe, **found}
        finally:
            page.close()
    return results


@pytest.mark.parametrize("path", PAGES)
def test_page_on_a_phone(measured, path):
    found = measured[path]
    record = found["record"]
    assert_clean(record, path)
    assert found["untypeset"] == 0 and found["errors"] == 0, "math left untypeset or unreadable"
    assert found["pageOverflow"] <= 0, f"the page scrolls sideways by {found['pageOverflow']} px"
    assert found["inlineOut"] == [], f"in-line math past the column: {found['inlineOut']}"
    assert found["cut"] == [], f"display math cut: {found['cut']}"
    hidden = [text for text, visible in found["labels"] if not visible]
    assert hidden == [], f"equation numbers out of view: {hidden}"


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violation_on_a_phone(measured, path):
    assert measured[path]["axe"] == [], f"{path} at 390 px: {measured[path]['axe']}"


def test_few_display_equations_are_wider_than_a_phone(measured):
    display = sum(found["display"] for found in measured.values())
    wide = [eq for found in measured.values() for eq in found["wide"]]
    assert display > 0
    assert len(wide) <= MAX_WIDE_SHARE * display, (
        f"{len(wide)} of {display} display equations are wider than the column: {wide}"
    )


def test_tagged_equations_show_their_numbers(measured):
    """The note's Eqs. (1) to (3) keep their numbers, in view, on the pages that show them."""
    labels = {text for found in measured.values() for text, _ in found["labels"]}
    assert {"(1)", "(2)", "(3)"} <= labels


def test_the_measure_finds_math_that_does_not_fit(phone_context, site_url):
    """The checks above can fail: an unbreakable equation, in-line and displayed, is caught.

    A display equation added after the page loaded has no labelled scroll box and
    is reported as cut; once the window is resized the page's script gives it one.
    """
    page, _ = open_offline(phone_context, f"{site_url}/chapters/gradients.html")
    try:
        page.evaluate(
            """async () => {
              const wide = "\\\\frac{" + "a".repeat(60) + "}{b}";
              const p = document.createElement("p");
              p.innerHTML = `<span class="math">\\\\(${wide}\\\\)</span>`;
              const div = document.createElement("div");
              div.className = "math";
              div.textContent = `\\\\[${wide}\\\\]`;
              document.querySelector("article.bd-article section").prepend(p, div);
              await MathJax.typesetPromise([p, div]);
            }"""
        )
        before = page.evaluate(MEASURE)
        page.evaluate("() => window.dispatchEvent(new Event('resize'))")
        page.wait_for_timeout(400)
        after = page.evaluate(MEASURE)
    finally:
        page.close()
    assert [latex for latex, _ in before["inlineOut"]] == [f"\\frac{{{'a' * 60}}}{{b}}"]
    assert [reason for _, reason in before["cut"]] == ["no labelled scroll box"]
    assert len(before["wide"]) == 1
    assert after["cut"] == [], after["cut"]
