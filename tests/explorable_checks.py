"""What the browser tests of the two explorable figures share: opening the page once the
chart is drawn, the figure in the dark theme, and what is shown on paper."""

from __future__ import annotations


def open_explorable(context, url: str, drawn: str):
    """``url`` opened offline (``test_browser.open_offline``), once ``drawn`` is in the chart;
    check its record with ``test_browser.assert_clean``."""
    from test_browser import open_offline

    page, record = open_offline(context, url)
    page.wait_for_selector(drawn, state="attached")
    return page, record


def move_slider(page, name: str, key: str) -> None:
    """Press ``key`` on the explorable's slider ``name``; return once the chart is redrawn
    (Vega redraws the whole view at once, so its title has changed then)."""
    title = page.locator(".explorable .role-title-text").text_content()
    page.focus(f".explorable input[name={name}]")
    page.keyboard.press(key)
    page.wait_for_function(
        "t => document.querySelector('.explorable .role-title-text').textContent !== t", arg=title
    )


def dark_theme_card(browser, open_page) -> tuple[str, str, list[str]]:
    """In the dark theme: the page's theme, the figure card's background, and axe's
    violations of any blocking impact within the figure (the whole page is test_browser's)."""
    from axe_checks import AXE, BLOCKING

    ctx = browser.new_context(color_scheme="dark")
    ctx.add_init_script("['mode', 'theme'].forEach(key => localStorage.setItem(key, 'dark'));")
    try:
        page, _ = open_page(ctx)
        theme = page.evaluate("document.documentElement.dataset.theme")
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.explorable')).backgroundColor"
        )
        found = AXE.run(page, context="figure.explorable-figure").response["violations"]
        violations = [f"{v['id']} ({v['impact']})" for v in found if v["impact"] in BLOCKING]
        page.close()
    finally:
        ctx.close()
    return theme, background, violations


def shown_on_paper(page, still: str) -> dict[str, str]:
    """The CSS display, in print, of the explorable, its figure and the static figure ``still``."""
    page.emulate_media(media="print")
    return page.evaluate(
        """still => ({
          explorable: getComputedStyle(document.querySelector('.explorable')).display,
          figure: getComputedStyle(document.querySelector('figure.explorable-figure')).display,
          still: getComputedStyle(document.querySelector(still)).display,
        })""",
        still,
    )
