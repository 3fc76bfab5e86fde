"""The errata page's explorable figure: Eq. (1)'s sign, its frames, its chart, and the page.

The frames are the library's own numbers: at each p, the count of b = 1[x > 1/2]
among seeded draws of Eq. (1) as printed and as corrected, each with a
Clopper-Pearson interval. What they must show is decided here by statistics at
a stated false-alarm rate, not by the code that made them: the printed form's
frequency is consistent with 1 - p and not with the claim p (except at p = 1/2),
the corrected form's with p. The chart only selects among the frames; both
explorable figures share one mechanism (``binary_gumbel.book.explorable.chart``). In
the browser, the slider moved with the keyboard must redraw the figure with the
next frame's numbers, with no request leaving the machine and no axe violation.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from explorable_checks import dark_theme_card, move_slider, open_explorable, shown_on_paper
from test_browser import assert_clean

from binary_gumbel.book import explorable
from binary_gumbel.book.explorable import chart, sign
from binary_gumbel.verification.montecarlo import check_proportion

PS = [0.1, 0.3, 0.5, 0.7, 0.9]
N = 4_000
#: The false-alarm rate of each statistical check below; there are 3 * len(PS) of
#: them (printed against 1 - p, corrected against p, printed against p), so the
#: family-wise rate is at most 15 * ALPHA = 1.5e-5 (Bonferroni).
ALPHA = 1e-6


@pytest.fixture(scope="module")
def frames():
    return explorable.sign_frames(PS, samples=N, seed=11)


def curves(frames):
    return frames.curves[sign.PRINTED], frames.curves[sign.CORRECTED]


def test_frames_hold_one_count_per_form_and_p(frames):
    assert frames.count == len(PS)
    assert list(frames.curves) == [sign.PRINTED, sign.CORRECTED]
    for curve in frames.curves.values():
        assert len(curve.checks) == len(PS)
        assert all(c.n == N for c in curve.checks)
        np.testing.assert_allclose(curve.claimed, PS, rtol=0, atol=1e-12)
    assert frames.samples == N and frames.seed == 11
    assert frames.tau > 0


def test_both_forms_transform_the_same_uniforms(frames):
    """b = 1 for the printed form exactly when b = 0 for the corrected one, on the same u.

    The two forms have opposite signs in front of logit(p) + log(u / (1 - u)), so on
    common random numbers their counts add up to n (a tie has probability 0); and as
    p grows the threshold on u moves one way, so the counts are monotone in p.
    """
    printed, corrected = curves(frames)
    for a, b in zip(printed.checks, corrected.checks, strict=True):
        assert a.successes + b.successes == N
    assert np.all(np.diff([c.successes for c in corrected.checks]) >= 0)
    assert np.all(np.diff([c.successes for c in printed.checks]) <= 0)


def test_printed_form_tracks_one_minus_p_and_corrected_form_tracks_p(frames):
    """Clopper-Pearson checks at ALPHA each (family-wise bound in the module's header)."""
    printed, corrected = curves(frames)
    for q, a, b in zip(PS, printed.checks, corrected.checks, strict=True):
        assert check_proportion(a.successes, N, 1 - q, ALPHA).consistent, (q, a.estimate)
        assert check_proportion(b.successes, N, q, ALPHA).consistent, (q, b.estimate)


def test_printed_form_contradicts_the_claim_except_at_one_half(frames):
    """Power: the interval lies within eps = sqrt(log(2 / ALPHA) / (2 N)) of the estimate.

    (Hoeffding; see binary_gumbel.verification.derivation_montecarlo.) Away from p = 1/2 the
    printed form is off by |1 - 2p| >= 0.4 > 2 eps = 0.085, so the claim is rejected
    with probability at least 1 - ALPHA at each such p.
    """
    eps = math.sqrt(math.log(2 / ALPHA) / (2 * N))
    printed, _ = curves(frames)
    for q, a in zip(PS, printed.checks, strict=True):
        claim = check_proportion(a.successes, N, q, ALPHA)
        if q == 0.5:
            assert claim.consistent
        else:
            assert abs(1 - 2 * q) > 2 * eps
            assert not claim.consistent, (q, a.estimate)
    # The frames' own checks are against the claim p: the same verdicts.
    assert [c.consistent for c in printed.checks] == [q == 0.5 for q in PS]


def test_the_exact_probabilities_are_one_minus_p_and_p(frames):
    printed, corrected = curves(frames)
    np.testing.assert_allclose(printed.exact, 1 - np.array(PS), rtol=0, atol=1e-12)
    np.testing.assert_allclose(corrected.exact, PS, rtol=0, atol=1e-12)


def test_the_seed_decides_the_counts(frames):
    def counts(some):
        return [[c.successes for c in curve.checks] for curve in some.curves.values()]

    assert counts(explorable.sign_frames(PS, samples=N, seed=11)) == counts(frames)
    assert counts(explorable.sign_frames(PS, samples=N, seed=12)) != counts(frames)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"probabilities": [0.0, 0.5, 1.0]}, "probabilities"),
        ({"probabilities": [0.2, 1.2]}, "probabilities"),
        ({"probabilities": [0.1, 0.2, 0.5]}, "probabilities"),
        ({"probabilities": [0.5, 0.3]}, "probabilities"),
        ({"probabilities": []}, "probabilities"),
        ({"samples": 1}, "samples"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        explorable.sign_frames(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"samples": 2.5}, "samples"), ({"seed": True}, "seed")]
)
def test_non_integer_counts_raise_type_error_naming_the_argument(kwargs, name):
    with pytest.raises(TypeError, match=name):
        explorable.sign_frames(**kwargs)


@pytest.fixture(scope="module")
def explorer(frames):
    return explorable.sign_explorer(frames, p=0.3)


def test_the_chart_data_are_the_frames_rounded(frames, explorer):
    records = explorer.spec["datasets"]["frames"]
    assert len(records) == 2 * frames.count
    tol = 0.5 * 10.0**-chart.DECIMALS
    for name, curve in frames.curves.items():
        rows = [r for r in records if r["series"] == name]
        assert [r["p"] for r in rows] == PS
        for row, check, exact in zip(rows, curve.checks, curve.exact, strict=True):
            assert abs(row["frequency"] - check.estimate) <= tol
            assert abs(row["low"] - check.low) <= tol and abs(row["high"] - check.high) <= tol
            assert abs(row["exact"] - exact) <= tol
            assert row["low"] <= row["frequency"] <= row["high"]


def test_the_slider_keeps_exactly_one_frame_at_each_of_its_positions(frames, explorer):
    """The page's filter, read from the specification and applied here to the data."""
    (param,) = explorer.spec["params"]
    bind = param["bind"]
    assert param["name"] == "p" and param["value"] == 0.3
    assert bind["input"] == "range" and "p" in bind["name"]
    assert (bind["min"], bind["max"], bind["step"]) == (0.1, 0.9, 0.2)
    filters = {
        t["filter"]
        for layer in explorer.spec["layer"]
        for t in layer.get("transform", [])
        if "filter" in t and "datum.p" in t["filter"]
    }
    assert filters == {"abs(datum.p - p) < 0.1"}
    half = float(filters.pop().rsplit("<", 1)[1])
    records = explorer.spec["datasets"]["frames"]
    for q in PS:
        kept = [r for r in records if abs(r["p"] - q) < half]
        assert sorted(r["series"] for r in kept) == sorted(frames.curves)
        assert {r["p"] for r in kept} == {q}


def test_the_chart_refuses_a_start_that_is_not_a_frame(frames):
    with pytest.raises(ValueError, match="p must"):
        explorable.sign_chart(frames, p=0.2)
    with pytest.raises(TypeError, match="frames"):
        explorable.sign_chart(explorable.density_frames(samples=1))


def test_the_title_shows_p_with_the_grids_decimals(explorer):
    assert "format(p, '.1f')" in explorer.spec["title"]["text"]["expr"]
    default = explorable.sign_chart(explorable.sign_frames(samples=2)).to_dict()
    assert "format(p, '.2f')" in default["title"]["text"]["expr"]


def test_the_output_has_vegalite_for_jupyterlab_and_javascript_for_the_page(explorer):
    data, metadata = explorer._repr_mimebundle_()
    assert set(data) == {chart.VEGALITE_MIME_TYPE, "application/javascript", "text/plain"}
    assert data[chart.VEGALITE_MIME_TYPE] == {**explorer.spec, "width": chart.LAB_WIDTH}
    assert metadata[chart.VEGALITE_MIME_TYPE]["embed_options"]["actions"] is False
    script = data["application/javascript"]
    start = script.index("var spec = ") + len("var spec = ")
    spec, _ = json.JSONDecoder().raw_decode(script[start:])
    assert spec == explorer.spec
    assert "5 frames" in data["text/plain"]


def test_both_explorable_figures_share_one_look(explorer):
    """One mechanism: the same configuration (colours, fonts, card) and the same output."""
    density = explorable.density_explorer(
        explorable.density_frames([0.5, 1.0], [0.3, 0.5], samples=10), tau=0.5, p=0.3
    )
    assert type(density) is type(explorer) is chart.Explorer
    assert density.spec["config"] == explorer.spec["config"]
    assert density.spec["width"] == explorer.spec["width"] == "container"
    assert explorer.spec["$schema"] == density.spec["$schema"]


def test_the_series_are_told_apart_by_colour_and_shape(explorer):
    """Colour alone would fail a reader who cannot tell the two colours apart."""
    shapes = [
        layer["encoding"]["shape"]
        for layer in explorer.spec["layer"]
        if "shape" in layer.get("encoding", {})
    ]
    assert len(shapes) == 1
    scale = shapes[0]["scale"]
    assert scale["domain"] == [sign.PRINTED, sign.CORRECTED]
    assert len(set(scale["range"])) == 2
    description = explorer.spec["description"]
    assert "printed" in description and "corrected" in description and "slider" in description


# --- The built page, in Chromium --------------------------------------------------------


PAGE = "chapters/errata.html"


@pytest.fixture(scope="module")
def book_frames():
    """The frames the chapter draws: ``sign_frames()`` with its defaults."""
    return explorable.sign_frames()


def _open(context, site_url):
    drawn = ".explorable svg .mark-symbol.role-mark path"
    return open_explorable(context, f"{site_url}/{PAGE}", drawn)


def _view(page) -> dict:
    return page.evaluate(
        """() => {
          const fig = document.querySelector(".explorable");
          const input = fig.querySelector("input[type=range][name=p]");
          return {
            value: input.value,
            shown: input.parentElement.textContent.trim(),
            // The chart's own marks (role-mark), not the legend's symbols or the axes' text.
            symbols: [...fig.querySelectorAll(".mark-symbol.role-mark path")]
              .map(s => s.getAttribute("transform")),
            labels: [...fig.querySelectorAll(".mark-text.role-mark text")]
              .map(t => t.textContent),
            title: fig.querySelector(".role-title-text").textContent,
          };
        }"""
    )


def _same_frequencies(labels: list[str], frames, p: float) -> bool:
    """Whether ``labels`` (written to 3 decimals) are the library's frequencies at ``p``."""
    j = int(np.argmin(np.abs(frames.probabilities - p)))
    assert abs(frames.probabilities[j] - p) < 1e-9
    expected = sorted(curve.estimates[j] for curve in frames.curves.values())
    shown = sorted(float(label) for label in labels)
    # Half a unit of the third decimal, the rounding of the text (and a tie either way).
    return len(shown) == 2 and np.allclose(shown, expected, rtol=0, atol=5e-4 + 1e-12)


@pytest.mark.browser
def test_the_slider_moved_with_the_keyboard_shows_the_next_frame(context, site_url, book_frames):
    page, record = _open(context, site_url)
    try:
        before = _view(page)
        move_slider(page, "p", "ArrowRight")
        after = _view(page)
    finally:
        page.close()
    assert_clean(record, "the explorable figure's page")
    assert before["value"] == "0.2" and "0.2" in before["shown"]
    assert after["value"] == "0.25" and "0.25" in after["shown"]
    assert "p = 0.20" in before["title"] and "p = 0.25" in after["title"]
    # One marker per form, moved; beside each, the library's frequency for that frame.
    assert len(before["symbols"]) == len(after["symbols"]) == 2
    assert after["symbols"] != before["symbols"]
    assert _same_frequencies(before["labels"], book_frames, 0.2), before["labels"]
    assert _same_frequencies(after["labels"], book_frames, 0.25), after["labels"]


@pytest.mark.browser
def test_the_slider_is_labelled_and_the_figure_has_a_caption(context, site_url):
    page, _ = _open(context, site_url)
    try:
        sliders = page.get_by_role("slider", name="probability p").count()
        caption = page.locator("figure.explorable-figure figcaption").inner_text()
        svg_label = page.locator(".explorable [role=graphics-document]").get_attribute("aria-label")
        actions = page.locator(".explorable .vega-actions").count()
        cards = page.locator(".explorable").count()
    finally:
        page.close()
    assert sliders == 1 and cards == 1
    assert "printed" in caption and "corrected" in caption and "slider" in caption
    assert svg_label and "printed" in svg_label and "corrected" in svg_label
    assert actions == 0


@pytest.mark.browser
def test_no_axe_violation_in_the_dark_theme_and_the_figure_stays_a_light_card(browser, site_url):
    theme, background, violations = dark_theme_card(browser, lambda ctx: _open(ctx, site_url))
    assert theme == "dark"
    assert background == "rgb(255, 255, 255)"
    assert violations == []


@pytest.mark.browser
def test_on_paper_the_explorable_is_hidden_and_the_static_figure_shown(context, site_url):
    page, _ = _open(context, site_url)
    try:
        shown = shown_on_paper(page, "#fig-errata-sign")
    finally:
        page.close()
    assert shown["explorable"] == "none" and shown["figure"] == "none"
    assert shown["still"] != "none"


def test_frames_near_the_ends_of_the_slider_range():
    """At p = 1 - 1e-9 and p = 1e-200 every draw of the corrected form gives b = 1 and b = 0,
    as its exact probability says (the first frame showed 0 against an exact 1, the second
    raised OverflowError)."""
    for q, b in [(1 - 1e-9, 1.0), (1e-200, 0.0)]:
        corrected = explorable.sign_frames([q], samples=20).curves[sign.CORRECTED]
        assert corrected.estimates.tolist() == [b]
        assert round(float(corrected.exact[0])) == b
