"""The explorable density figure: its frames, its chart, and the built page in a browser.

The frames are the library's own numbers: each density is
``binary_concrete_pdf`` at that (tau, p), each histogram counts seeded draws of
``sample_binary_gumbel_softmax``. The chart only selects among them. In the
browser, a slider moved with the keyboard must redraw the figure and show the
new value, with no request leaving the machine and no axe violation, in the
light and the dark theme.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from explorable_checks import dark_theme_card, move_slider, open_explorable, shown_on_paper
from test_browser import assert_clean

from binary_gumbel import (
    binary_concrete_pdf,
    logit_from_probability,
    sample_binary_gumbel_softmax,
)
from binary_gumbel.book import explorable

TAUS = [0.25, 0.5, 0.75, 1.0]
PS = [0.2, 0.5, 0.8]


@pytest.fixture(scope="module")
def frames():
    return explorable.density_frames(TAUS, PS, grid_points=40, bins=10, samples=2_000, seed=7)


def test_frames_have_one_density_and_one_histogram_per_tau_and_p(frames):
    assert frames.count == len(TAUS) * len(PS)
    assert frames.density.shape == (len(TAUS), len(PS), 40)
    assert frames.histogram.shape == (len(TAUS), len(PS), 10)
    assert frames.grid.shape == (40,) and frames.bin_edges.shape == (11,)
    assert ((frames.grid > 0) & (frames.grid < 1)).all()
    np.testing.assert_allclose(np.diff(frames.grid), 1 / 40)
    assert frames.bin_edges[0] == 0 and frames.bin_edges[-1] == 1


def test_each_density_frame_is_the_librarys_density_at_its_tau_and_p(frames):
    for i, tau in enumerate(TAUS):
        for j, p in enumerate(PS):
            expected = binary_concrete_pdf(frames.grid, logit_from_probability(p), tau)
            np.testing.assert_allclose(frames.density[i, j], expected, rtol=1e-12)
    # Frames differ: swapping tau or p would be seen.
    assert not np.allclose(frames.density[0, 0], frames.density[1, 0])
    assert not np.allclose(frames.density[0, 0], frames.density[0, 1])


def test_each_histogram_counts_the_seeded_library_samples(frames):
    for i, tau in enumerate(TAUS):
        for j, p in enumerate(PS):
            draws = sample_binary_gumbel_softmax(
                logit_from_probability(p), tau, 2_000, rng=np.random.default_rng(7)
            )
            expected, _ = np.histogram(draws, bins=frames.bin_edges, density=True)
            np.testing.assert_array_equal(frames.histogram[i, j], expected)
    other = explorable.density_frames(TAUS, PS, grid_points=40, bins=10, samples=2_000, seed=8)
    assert not np.array_equal(other.histogram, frames.histogram)
    np.testing.assert_array_equal(other.density, frames.density)


def test_histograms_follow_the_density(frames):
    """Each histogram has unit mass, and its mass above 1/2 is close to p at every tau."""
    widths = np.diff(frames.bin_edges)
    np.testing.assert_allclose(frames.histogram @ widths, 1.0)
    upper = frames.histogram[..., 5:] @ widths[5:]
    # 2,000 draws: the standard error of a proportion is at most 0.011.
    np.testing.assert_allclose(upper, np.broadcast_to(PS, upper.shape), atol=0.06)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"taus": [0.5, 0.0, 1.0]}, "taus"),
        ({"taus": [0.1, 0.2, 0.4]}, "taus"),
        ({"taus": [0.3, 0.2, 0.1]}, "taus"),
        ({"taus": [[0.1, 0.2]]}, "taus"),
        ({"taus": []}, "taus"),
        ({"probabilities": [0.0, 0.5, 1.0]}, "probabilities"),
        ({"probabilities": [0.2, 1.2]}, "probabilities"),
        ({"probabilities": [0.1, 0.2, 0.5]}, "probabilities"),
        ({"grid_points": 1}, "grid_points"),
        ({"bins": 0}, "bins"),
        ({"samples": -5}, "samples"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        explorable.density_frames(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "name"), [({"samples": 2.5}, "samples"), ({"bins": True}, "bins")]
)
def test_non_integer_counts_raise_type_error_naming_the_argument(kwargs, name):
    with pytest.raises(TypeError, match=name):
        explorable.density_frames(**kwargs)


def test_chart_refuses_a_start_that_is_not_a_frame(frames):
    with pytest.raises(ValueError, match="tau"):
        explorable.density_chart(frames, tau=0.3)
    with pytest.raises(ValueError, match="p must"):
        explorable.density_chart(frames, p=0.55)
    with pytest.raises(ValueError, match="ymax"):
        explorable.density_chart(frames, tau=0.5, p=0.5, ymax=0)


@pytest.fixture(scope="module")
def explorer(frames):
    return explorable.density_explorer(frames, tau=0.5, p=0.5)


def test_the_chart_data_are_the_frames_rounded(frames, explorer):
    data = explorer.spec["datasets"]
    assert len(data["frames"]) == frames.count
    by_key = {(r["tau"], r["p"]): r for r in data["frames"]}
    for i, tau in enumerate(TAUS):
        for j, p in enumerate(PS):
            record = by_key[tau, p]
            tol = 0.5 * 10.0**-explorable.DECIMALS
            np.testing.assert_allclose(record["density"], frames.density[i, j], rtol=0, atol=tol)
            np.testing.assert_allclose(record["height"], frames.histogram[i, j], rtol=0, atol=tol)
    assert [g["x"] for g in data["grid"]] == frames.grid.tolist()
    assert [g["i"] for g in data["grid"]] == list(range(1, 41))
    assert [(c["x0"], c["x1"]) for c in data["cells"]] == list(
        zip(frames.bin_edges[:-1].tolist(), frames.bin_edges[1:].tolist(), strict=True)
    )


def test_the_sliders_span_the_frames_and_start_where_asked(explorer):
    params = {p["name"]: p for p in explorer.spec["params"]}
    assert params["tau"]["value"] == 0.5 and params["p"]["value"] == 0.5
    tau, p = params["tau"]["bind"], params["p"]["bind"]
    assert tau["input"] == p["input"] == "range"
    assert (tau["min"], tau["max"], tau["step"]) == (0.25, 1.0, 0.25)
    assert (p["min"], p["max"], p["step"]) == (0.2, 0.8, 0.3)
    assert "τ" in tau["name"] and "p" in p["name"]
    # Each layer keeps the frame within half a step of both sliders, nothing else.
    for layer in explorer.spec["layer"]:
        (keep,) = [t["filter"] for t in layer["transform"] if "filter" in t]
        assert keep == "abs(datum.tau - tau) < 0.125 && abs(datum.p - p) < 0.15"


def test_the_title_shows_tau_and_p_with_the_grids_decimals(explorer):
    title = explorer.spec["title"]["text"]["expr"]
    assert "format(tau, '.2f')" in title and "format(p, '.1f')" in title
    default = explorable.density_chart(explorable.density_frames(samples=1)).to_dict()
    assert "format(tau, '.1f')" in default["title"]["text"]["expr"]


def test_the_output_has_vegalite_for_jupyterlab_and_javascript_for_the_page(explorer):
    data, metadata = explorer._repr_mimebundle_()
    assert set(data) == {explorable.VEGALITE_MIME_TYPE, "application/javascript", "text/plain"}
    assert data[explorable.VEGALITE_MIME_TYPE] == {**explorer.spec, "width": explorable.LAB_WIDTH}
    assert explorer.spec["width"] == "container"
    assert metadata[explorable.VEGALITE_MIME_TYPE]["embed_options"]["actions"] is False
    script = data["application/javascript"]
    assert "vegaEmbed(holder, spec, " in script
    # The page's script holds the same specification, and no actions menu.
    start = script.index("var spec = ") + len("var spec = ")
    spec, _ = json.JSONDecoder().raw_decode(script[start:])
    assert spec == explorer.spec
    assert '{"actions": false, "renderer": "svg"}' in script
    assert "12 frames" in data["text/plain"]


def test_the_spec_is_valid_vega_lite(explorer):
    """Altair validated the chart; its data, added after, are plain numbers in named sets."""
    import altair as alt

    assert explorer.spec["$schema"].endswith(f"{alt.SCHEMA_VERSION}.json")
    assert explorer.spec["data"] == {"name": "frames"}
    assert set(explorer.spec["datasets"]) == {"frames", "grid", "cells"}


def test_the_build_drops_only_the_warning_about_the_vegalite_twin():
    """MyST-NB cannot render the Vega-Lite output (its JavaScript twin draws the chart)."""
    import logging
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "_ext"))
    import explorable_figures

    def record(message):
        return logging.LogRecord("sphinx.mystnb", logging.WARNING, "", 0, message, (), None)

    keep = explorable_figures._VegaLiteTwinFilter().filter
    mime = explorable.VEGALITE_MIME_TYPE
    assert explorable_figures.SKIPPED_TWIN.endswith(mime)
    assert not keep(record(f"skipping unknown output mime type: {mime} [mystnb.unknown_mime_type]"))
    assert keep(record("skipping unknown output mime type: application/x-other [mystnb...]"))
    assert keep(record(f"No mime type available in priority list for builder 'html' ('{mime}')"))


def test_the_build_silences_the_vegalite_twin_but_not_an_output_nothing_renders(tmp_path):
    """MyST-NB cannot render the Vega-Lite output (its JavaScript twin draws the chart).

    One-page builds with ``-W``: with the book's extension, the explorable's two-part
    output passes and an output of another unknown type fails. With Sphinx's public
    ``suppress_warnings`` in its place, that unknown output would pass, dropped silently:
    the reason the extension filters one warning instead.
    """
    import nbformat

    from conftest import ROOT

    def build(data: dict, conf: str) -> subprocess.CompletedProcess:
        source = tmp_path / f"src-{len(list(tmp_path.iterdir()))}"
        source.mkdir()
        (source / "conf.py").write_text(f"nb_execution_mode = 'off'\n{conf}\n")
        output = nbformat.v4.new_output("display_data", data=data)
        notebook = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell("# Probe"),
                nbformat.v4.new_code_cell("chart", outputs=[output]),
            ]
        )
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
        nbformat.write(notebook, source / "index.ipynb")
        return subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(source)]
            + [str(source / "_build")],
            capture_output=True,
            text=True,
        )

    book = (
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'explorable_figures']"
    )
    public = "extensions = ['myst_nb']\nsuppress_warnings = ['mystnb.unknown_mime_type']"
    twin = {explorable.VEGALITE_MIME_TYPE: {"mark": "point"}, "application/javascript": "1;"}
    other = {"application/x-unknown": "?"}
    assert build(twin, book).returncode == 0
    assert build(other, book).returncode != 0, "an output nothing renders must fail the build"
    assert build(other, public).returncode == 0, "suppress_warnings would hide it"


# --- The built page, in Chromium --------------------------------------------------------


PAGE = "chapters/concrete_density.html"


def _open(context, site_url):
    return open_explorable(context, f"{site_url}/{PAGE}", ".explorable svg .mark-line path")


def _view(page) -> dict:
    return page.evaluate(
        """() => {
          const fig = document.querySelector(".explorable");
          const value = name => {
            const input = fig.querySelector(`input[type=range][name=${name}]`);
            return {value: input.value, shown: input.parentElement.textContent.trim()};
          };
          return {
            tau: value("tau"), p: value("p"),
            line: fig.querySelector(".mark-line path").getAttribute("d"),
            bars: [...fig.querySelectorAll(".mark-rect path")].map(b => b.getAttribute("d")),
            title: fig.querySelector(".role-title-text").textContent,
          };
        }"""
    )


@pytest.mark.browser
def test_a_slider_moved_with_the_keyboard_redraws_the_figure(context, site_url):
    page, record = _open(context, site_url)
    try:
        before = _view(page)
        move_slider(page, "tau", "ArrowRight")
        after_tau = _view(page)
        move_slider(page, "p", "ArrowLeft")
        after_p = _view(page)
    finally:
        page.close()
    assert_clean(record, "the explorable figure's page")
    assert before["tau"]["value"] == "0.5" and after_tau["tau"]["value"] == "0.6"
    assert "0.5" in before["tau"]["shown"] and "0.6" in after_tau["tau"]["shown"]
    assert "τ = 0.5,  p = 0.3" in before["title"]
    assert "τ = 0.6,  p = 0.3" in after_tau["title"]
    assert after_tau["bars"] != before["bars"]
    assert after_p["p"]["value"] == "0.2" and "τ = 0.6,  p = 0.2" in after_p["title"]
    assert after_p["line"] != after_tau["line"] and after_p["bars"] != after_tau["bars"]
    assert len(before["bars"]) == 25


@pytest.mark.browser
def test_the_sliders_are_labelled_and_the_figure_has_a_caption(context, site_url):
    page, _ = _open(context, site_url)
    try:
        names = [
            page.get_by_role("slider", name=label).count()
            for label in ("temperature τ", "probability p")
        ]
        caption = page.locator("figure.explorable-figure figcaption").inner_text()
        svg_label = page.locator(".explorable [role=graphics-document]").get_attribute("aria-label")
        actions = page.locator(".explorable .vega-actions").count()
    finally:
        page.close()
    assert names == [1, 1]
    assert "density" in caption and "slider" in caption
    assert svg_label and "histogram" in svg_label
    assert actions == 0


@pytest.mark.browser
def test_no_axe_violation_in_the_dark_theme_and_the_figure_stays_a_light_card(browser, site_url):
    theme, background, violations = dark_theme_card(browser, lambda ctx: _open(ctx, site_url))
    assert theme == "dark"
    assert background == "rgb(255, 255, 255)"
    assert violations == []


@pytest.mark.browser
def test_on_paper_the_explorable_is_hidden_and_the_static_figures_shown(context, site_url):
    page, _ = _open(context, site_url)
    try:
        shown = shown_on_paper(page, "#fig-bc-family")
    finally:
        page.close()
    assert shown["explorable"] == "none" and shown["figure"] == "none"
    assert shown["still"] != "none"


@pytest.mark.parametrize("ymax", [np.float32(3), np.int64(3), 3, 2.5])
def test_chart_takes_ymax_of_any_real_type(frames, ymax):
    """The y axis is cut at ymax, a float whatever the number's type."""
    spec = explorable.density_chart(frames, tau=0.5, p=0.5, ymax=ymax).to_dict()
    domains = [layer["encoding"]["y"]["scale"]["domain"] for layer in spec["layer"]]
    assert domains == [[0, float(ymax)]] * 2
    assert all(type(domain[1]) is float for domain in domains)


@pytest.mark.parametrize(
    ("ymax", "error", "match"),
    [
        (-1.0, ValueError, "ymax must be a positive"),
        (np.inf, ValueError, "ymax must be a positive"),
        (np.nan, ValueError, "ymax must be a positive"),
        ([3.0, 4.0], ValueError, "ymax must be a single number"),
        ("3", TypeError, "ymax must be a real number"),
        (None, TypeError, "ymax must be a real number"),
    ],
)
def test_chart_refuses_a_ymax_that_is_not_one_positive_number(frames, ymax, error, match):
    with pytest.raises(error, match=match):
        explorable.density_chart(frames, tau=0.5, p=0.5, ymax=ymax)


def test_slider_positions_and_start_are_checked_by_name():
    """evenly_spaced takes any real sequence; a start that is not one number names the slider."""
    from binary_gumbel.book.explorable import chart

    np.testing.assert_array_equal(chart.evenly_spaced([1, 2, 3], "positions"), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="positions must be finite"):
        chart.evenly_spaced([1.0, 2.0, np.inf], "positions")
    with pytest.raises(TypeError, match="positions must be a real number"):
        chart.evenly_spaced(["a", "b"], "positions")
    slider = chart.Slider("p", "probability p ", np.array([0.1, 0.2, 0.3]))
    assert slider.param(np.float64(0.2)).param.value == 0.2
    for start, error in ((None, TypeError), ("0.2", TypeError), ([0.1, 0.2], ValueError)):
        with pytest.raises(error, match="p must be"):
            slider.param(start)
    with pytest.raises(ValueError, match=r"p must be one of .*got np\.float32\(0\.2\)"):
        slider.param(np.float32(0.2))
