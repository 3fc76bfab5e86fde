"""The intro's verdict table: a badge per verdict, and a link from each line to its evidence.

The library renders each verdict as a badge that says it three ways (a word, a symbol and
a colour class); the unit tests check that rendering. The browser tests open the built
front page, in light and in dark mode, and measure each badge as Chromium draws it: its
text must have a contrast of at least 4.5:1 (WCAG AA) against its own background, and
the three verdicts' badges must differ in their text, not in colour alone. Each
"Line k" of the table must lead to the evidence block of line k on the binary-reduction
page, in the HTML book and in the single-page print edition.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from binary_gumbel.book import report
from binary_gumbel.verification.claims import ClaimResult
from binary_gumbel.verification.derivation import CLAIM_IDS
from conftest import HTML, ROOT, require_or_skip

VERDICTS = ("holds", "holds in distribution", "fails")
STEPS = [claim for claim in CLAIM_IDS if claim.startswith("step-")]
AA = 4.5  # WCAG AA contrast for normal text
PRINT_PAGE = ROOT / "_build" / "pdf" / "singlehtml" / "intro.html"  # the whole book


def badge(verdict: str):
    return BeautifulSoup(report.verdict_badge(verdict), "html.parser").span


def fake(claim_id: str, verdict: str, **kw) -> ClaimResult:
    return ClaimResult(claim_id, "a = b", verdict, "evidence", (), **kw)


# --- the library's rendering ------------------------------------------------------------


def test_the_text_table_counts_the_claims_that_could_not_run():
    """The header counted the verdicts only: a claim whose check failed vanished from it."""
    from binary_gumbel import verify

    ran = [("step-1", fake("step-1", "holds")), ("step-3", fake("step-3", "fails"))]
    header = verify.format_table(ran).splitlines()[0]
    assert header == "2 claims of the note, checked by computation: 1 fails, 1 holds."
    broken = [*ran, ("step-2", RuntimeError("simulated failure"))]
    header = verify.format_table(broken).splitlines()[0]
    assert header == (
        "3 claims of the note, checked by computation: 1 fails, 1 holds, 1 could not run."
    )
    only = verify.format_table([("step-2", RuntimeError("x"))]).splitlines()[0]
    assert only == "1 claims of the note, checked by computation: 1 could not run."


@pytest.mark.parametrize("verdict", VERDICTS)
def test_each_verdict_gets_its_badge_class_and_its_word(verdict):
    span = badge(verdict)
    css, symbol = report.VERDICT_BADGES[verdict]
    assert span.name == "span" and span["class"] == ["verdict", css]
    hidden = span.select('[aria-hidden="true"]')
    assert [h.get_text() for h in hidden] == [symbol]  # the symbol, hidden from readers
    for h in hidden:
        h.extract()
    assert span.get_text(strip=True) == verdict  # what a screen reader reads: the word


def test_the_three_badges_differ_in_class_symbol_and_word():
    assert set(report.VERDICT_BADGES) == set(VERDICTS)
    classes, symbols = zip(*report.VERDICT_BADGES.values(), strict=True)
    assert len(set(classes)) == len(set(symbols)) == len(VERDICTS)
    texts = {badge(v).get_text(" ", strip=True) for v in VERDICTS}
    assert len(texts) == len(VERDICTS)


@pytest.mark.parametrize("verdict", ["", "Holds", "holds ", "fails in distribution", None])
def test_an_unknown_verdict_raises(verdict):
    with pytest.raises(ValueError, match="verdict must be one of"):
        report.verdict_badge(verdict)
    with pytest.raises(ValueError, match="verdict must be one of"):
        report.verdict_table([fake("one", verdict)])


def test_the_table_shows_each_verdict_and_each_corrected_verdict_as_its_badge():
    results = [
        fake("one", "holds"),
        fake("two", "fails", corrected="c = d", corrected_verdict="holds in distribution"),
    ]
    rows = [line for line in report.verdict_table(results).splitlines()[2:]]
    one, two = ([cell.strip() for cell in row.strip("|").split(" | ")] for row in rows)
    assert one[2:] == [report.verdict_badge("holds"), "—"]
    assert two[2:] == [report.verdict_badge("fails"), report.verdict_badge("holds in distribution")]


def test_evidence_blocks_carry_their_anchor_only_when_asked():
    results = [fake("step-1", "holds"), fake("step-4", "fails")]
    plain = report.evidence_blocks(results)
    anchored = report.evidence_blocks(results, anchors=True)
    assert ")=" not in plain
    blocks = anchored.split("\n\n---\n\n")
    for block, r in zip(blocks, results, strict=True):
        target, header = block.splitlines()[:2]
        assert target == f"({report.evidence_anchor(r.id)})="
        assert header.startswith(f"**`{r.id}`: {r.verdict}.**")
    assert report.evidence_anchor("step-3") != report.evidence_anchor("step-4")


@pytest.mark.parametrize("claim_id", ["", "Step-1", "step 1", "step-1)", "-step"])
def test_an_anchor_needs_a_plain_claim_id(claim_id):
    with pytest.raises(ValueError, match="claim_id"):
        report.evidence_anchor(claim_id)


def test_report_functions_name_results_that_are_not_claim_results():
    """Anything but ClaimResult objects in ``results`` met an AttributeError deep inside."""
    for render in (report.verdict_table, report.verdict_counts, report.evidence_blocks):
        with pytest.raises(TypeError, match="results must hold ClaimResult objects"):
            render([fake("step-1", "holds"), None])
        with pytest.raises(TypeError, match="got str"):
            render("step-1")


def test_table_and_blocks_check_their_options():
    results = [fake("step-1", "holds")]
    for about in (["step-1"], {"step-1": 3}):  # a list met .items(), a number `in`
        with pytest.raises(TypeError, match="about must map claim ids to strings"):
            report.verdict_table(results, about=about)
    with pytest.raises(TypeError, match="anchors must be True or False"):
        report.evidence_blocks(results, anchors="no")  # was read as true
    with pytest.raises(TypeError, match="^claim_id must be a string; got NoneType"):
        report.evidence_anchor(None)  # was re's TypeError


# --- the built page, in Chromium ----------------------------------------------------------

# Every badge in the verdict table: its class, its text, its symbol, and its computed
# colours (the text's, and the first opaque background behind it, the badge's own).
BADGES = """() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const alpha = bg.match(/rgba\\(.*,\\s*([\\d.]+)\\)/);
      if (!alpha || parseFloat(alpha[1]) > 0) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  return [...document.querySelectorAll("table .verdict")].map(b => ({
    classes: [...b.classList],
    text: b.textContent.trim(),
    symbol: b.querySelector("[aria-hidden=true]")?.textContent ?? "",
    parts: [b, ...b.querySelectorAll("*")].map(e => ({
      color: getComputedStyle(e).color, background: opaque(e),
    })),
  }));
}"""

# The "Line k" link of each derivation row of the verdict table.
LINE_LINKS = """() => [...document.querySelectorAll("table tbody tr")].map(tr => {
  const link = [...tr.querySelectorAll("a")].find(a => /^Line \\d$/.test(a.textContent.trim()));
  return link && {
    claim: tr.querySelector("td").textContent.trim(),
    href: link.href,
    verdict: tr.querySelector("td .verdict")?.textContent.trim(),
  };
}).filter(Boolean)"""


def _rgb(css: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    assert len(values) == 3, f"not an rgb colour: {css}"
    return tuple(values)


def _luminance(rgb) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in
              (v / 255 for v in rgb)]  # fmt: skip
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_the_wcag_ratio():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)
    assert contrast("rgb(10, 20, 30)", "rgb(10, 20, 30)") == pytest.approx(1)


def _needed(url: str) -> bool:
    """This machine only; and no MathJax or images, which badges and links do not need."""
    parsed = urlparse(url)
    return parsed.hostname in {"127.0.0.1", "localhost"} and not (
        "/mathjax/" in parsed.path or parsed.path.endswith((".png", ".svg", ".woff", ".woff2"))
    )


def _open(context, url: str):
    page = context.new_page()
    page.route(
        "**/*", lambda route: route.continue_() if _needed(route.request.url) else route.abort()
    )
    page.goto(url, wait_until="load")
    return page


@pytest.fixture(scope="module")
def front_page_badges(browser, site_url):
    """The verdict table's badges as drawn in light mode and in dark mode."""
    require_or_skip((HTML / "intro.html").is_file(), "the book is not built")
    drawn = {}
    for mode in ("light", "dark"):
        ctx = browser.new_context(color_scheme=mode)
        ctx.add_init_script(f"['mode', 'theme'].forEach(k => localStorage.setItem(k, '{mode}'));")
        page = _open(ctx, f"{site_url}/intro.html")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        drawn[mode] = page.evaluate(BADGES)
        ctx.close()
    return drawn


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_badge_meets_aa_contrast(front_page_badges, mode):
    badges = front_page_badges[mode]
    assert len(badges) >= len(CLAIM_IDS), "every claim's verdict must be a badge"
    for b in badges:
        for part in b["parts"]:
            ratio = contrast(part["color"], part["background"])
            assert ratio >= AA, f"{mode}: {b['text']!r} has contrast {ratio:.2f} < {AA}"


@pytest.mark.browser
def test_the_verdicts_badges_differ_in_more_than_colour(front_page_badges):
    for mode, badges in front_page_badges.items():
        by_class = {}
        for b in badges:
            (css,) = [c for c in b["classes"] if c != "verdict"]
            by_class.setdefault(css, set()).add((b["text"], b["symbol"]))
        assert all(len(seen) == 1 for seen in by_class.values()), f"{mode}: {by_class}"
        shown = [seen.pop() for seen in by_class.values()]
        assert len(by_class) == len(VERDICTS), f"{mode}: the table shows {sorted(by_class)}"
        assert len({text for text, _ in shown}) == len(VERDICTS), f"{mode}: same text {shown}"
        assert len({symbol for _, symbol in shown}) == len(VERDICTS), f"{mode}: {shown}"
        assert all(text.removeprefix(symbol).strip() in VERDICTS for text, symbol in shown)


@pytest.mark.browser
def test_each_line_links_to_its_own_evidence_block(context, site_url):
    require_or_skip((HTML / "intro.html").is_file(), "the book is not built")
    page = _open(context, f"{site_url}/intro.html")
    links = page.evaluate(LINE_LINKS)
    assert [link["claim"] for link in links] == STEPS
    target_page = None
    for link in links:
        url = urlparse(link["href"])
        assert url.path.endswith("/chapters/binary_reduction.html"), link
        assert url.fragment == report.evidence_anchor(link["claim"]), link
        if target_page is None:
            target_page = _open(context, link["href"])
        block = target_page.evaluate(
            "id => document.getElementById(id)?.textContent ?? null", url.fragment
        )
        assert block is not None, f"{link['claim']}: no element with id {url.fragment!r}"
        # The block starts with the line's id and the verdict the table shows for it.
        words = " ".join(block.split())
        assert words.startswith(f"{link['claim']}: "), words[:80]
        verdict = link["verdict"].lstrip("✓≈✗ ").strip()
        assert words.startswith(f"{link['claim']}: {verdict}."), words[:80]


def test_the_print_edition_keeps_each_line_link_on_its_one_page():
    """In the single-page edition each "Line k" leads to an id on that same page."""
    require_or_skip(PRINT_PAGE.is_file(), "the print edition is not built (make pdf)")
    soup = BeautifulSoup(PRINT_PAGE.read_text(encoding="utf-8"), "html.parser")
    lines = [a for a in soup.select("table a") if re.fullmatch(r"Line \d", a.get_text(strip=True))]
    assert len(lines) == len(STEPS)
    for step, a in zip(STEPS, lines, strict=True):
        href = urlparse(a["href"])
        assert href.path in {"", PRINT_PAGE.name}, a  # this page, not the chapter's own
        assert href.fragment == report.evidence_anchor(step), a
        target = soup.find(id=href.fragment)
        assert target is not None, f"{step}: no element with id {href.fragment!r}"
        assert " ".join(target.get_text().split()).startswith(f"{step}: ")


@pytest.mark.browser
def test_the_table_fits_a_phones_column(phone_context, site_url):
    """At 390 px the four columns fit the text column: no verdict is scrolled out of view."""
    from test_browser import open_offline

    page, _ = open_offline(phone_context, f"{site_url}/intro.html")
    try:
        table, column = page.evaluate(
            "() => { const t = document.querySelector('table:has(.verdict)');"
            " return [t.getBoundingClientRect().width, t.parentElement.clientWidth]; }"
        )
    finally:
        page.close()
    assert table <= column + 0.5, (
        f"the verdict table is {table - column:.0f} px wider than its column"
    )
