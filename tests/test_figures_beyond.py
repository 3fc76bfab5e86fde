"""The plot helpers of the chapters beyond the note draw what they are given."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from binary_gumbel.book import figures
from binary_gumbel.estimators import registry, sgd
from binary_gumbel.estimators import statistics as estimator_stats


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_density_family_draws_one_labelled_curve_per_entry():
    fig, ax = figures.new_figure()
    grid = np.linspace(0.01, 0.99, 50)
    figures.plot_density_family(ax, grid, {"τ = 1": grid, "τ = 2": 1 - grid})
    assert [line.get_label() for line in ax.get_lines()] == ["τ = 1", "τ = 2"]
    assert len({line.get_linestyle() for line in ax.get_lines()}) == 2
    with pytest.raises(ValueError, match="shape"):
        figures.plot_density_family(ax, grid, {"bad": grid[:-1]})


def test_estimator_study_and_sign_errors_plot_every_estimator():
    # Six estimators: the palette tells seven series apart, and the registry holds more.
    names = list(registry.ESTIMATORS)[:6]
    stats = [
        estimator_stats.estimator_statistics(name, -1.0, 0.45, tau, 2000, rng=1, batch=10)
        for name in names
        for tau in (0.3, 1.0)
    ]
    fig, axes = figures.new_figure(ncols=3)
    figures.plot_estimator_study(axes, stats)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == names
    assert all(ax.get_legend() is None for ax in axes)
    assert all(ax.get_xscale() == "log" for ax in axes)
    fig, ax = figures.new_figure()
    figures.plot_sign_errors(ax, stats)
    assert len(ax.containers) == len(names)
    with pytest.raises(ValueError, match="3 axes"):
        figures.plot_estimator_study(axes[:2], stats)


def test_trajectories_end_where_the_runs_end():
    runs = [sgd.sgd(None, 0.45, 1.0, steps=20), sgd.sgd("relaxed", 0.45, 1.0, steps=20)]
    fig, ax = figures.new_figure()
    figures.plot_trajectories(ax, runs, optimum=0.0)
    ends = {line.get_label(): line.get_ydata()[-1] for line in ax.get_lines()}
    assert np.isclose(ends["exact gradient"], 1 / (1 + np.exp(-runs[0].theta[-1])))
    assert np.isclose(ends["relaxed"], 1 / (1 + np.exp(-runs[1].theta[-1])))


def test_ratio_bars_have_the_given_lengths():
    fig, ax = figures.new_figure()
    figures.plot_ratio_bars(ax, ["a", "b"], [1.0, 3.5], reference="a", xlabel="ratio")
    assert [p.get_width() for p in ax.patches] == [1.0, 3.5]
    with pytest.raises(ValueError, match="length"):
        figures.plot_ratio_bars(ax, ["a"], [1.0, 2.0], reference="a", xlabel="ratio")


# --- one look per series: every series drawn, too many refused by name ------------------------


def test_series_looks_give_each_colour_its_own_marker_and_line_style():
    from binary_gumbel.book.figures import style

    looks = style.series_looks(len(style.SERIES_COLOURS))
    colours, markers, dashes = zip(*looks, strict=True)
    assert list(colours) == style.series_colours(len(style.SERIES_COLOURS))
    assert len(set(markers)) == len(set(map(str, dashes))) == len(looks) == 6
    assert style.PALETTE["black"] not in colours  # black is the references' colour
    assert style.series_looks(2) == looks[:2]
    with pytest.raises(ValueError, match=r"^at most 6 series can be told apart; got 7"):
        style.series_looks(7)
    # A negative count had given five colours (a slice from the end).
    with pytest.raises(ValueError, match=r"^count must be >= 0; got -1"):
        style.series_colours(-1)
    with pytest.raises(TypeError, match=r"^count must be an integer; got 2.0"):
        style.series_colours(2.0)
    assert style.series_colours(0) == []


def test_six_densities_are_drawn_and_a_seventh_is_refused():
    """There had been seven series colours (black the seventh) and six line styles: the
    seventh curve was dropped without a word. Now there are six of each, and a seventh
    series is refused by name."""
    fig, ax = figures.new_figure()
    grid = np.linspace(0.01, 0.99, 20)
    six = {f"τ = {k}": grid * k for k in range(1, 7)}
    figures.plot_density_family(ax, grid, six)
    assert [line.get_label() for line in ax.get_lines()] == list(six)
    assert len({(line.get_color(), str(line.get_linestyle())) for line in ax.get_lines()}) == 6
    with pytest.raises(ValueError, match=r"^at most 6 series"):
        figures.plot_density_family(ax, grid, {**six, "τ = 7": grid})


def _fake_training(method: str, steps: int = 60, chains: int = 3):
    from types import SimpleNamespace

    rng = np.random.default_rng(len(method))
    return SimpleNamespace(
        method=method,
        target=0.45,
        loss=0.3 + rng.random((steps, chains)),
        probability=rng.random((steps, chains)),
        variance=1.0 + rng.random((steps, chains)),
    )


@pytest.mark.parametrize("quantity", ["loss", "probability", "variance"])
def test_training_curves_draw_six_methods_beside_the_exact_one_and_refuse_a_seventh(quantity):
    """A seventh method raised a bare KeyError (its style was never made); it is now refused
    by name. No method is drawn in the exact gradient's black."""
    from binary_gumbel.book.figures import style

    runs = [_fake_training(f"method {k}") for k in range(6)] + [_fake_training("exact")]
    fig, ax = figures.new_figure()
    figures.plot_training_curves(ax, runs, quantity, window=10)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:6] == [f"method {k}" for k in range(6)]
    assert ("exact gradient" in labels) == (quantity != "variance")
    methods = [line for line in ax.get_lines() if line.get_label().startswith("method")]
    assert style.PALETTE["black"] not in {line.get_color() for line in methods}
    with pytest.raises(ValueError, match=r"^at most 6 series"):
        figures.plot_training_curves(ax, [*runs, _fake_training("method 6")], quantity)


def test_the_bias_figure_takes_the_books_looks():
    from binary_gumbel.book.figures import style

    taus = np.geomspace(0.1, 10, 5)
    bias = {f"t = {k}": np.full(5, k / 10) for k in range(6)}
    fig, axes = figures.new_figure(ncols=2)
    figures.plot_bias_against_tau(axes, taus, bias, dict.fromkeys(bias, 1.0))
    drawn = [(line.get_color(), line.get_linestyle()) for line in axes[0].get_lines()[:6]]
    expected = [(colour, dash) for colour, _, dash in style.series_looks(6)]
    assert [c for c, _ in drawn] == [c for c, _ in expected]
    assert [d for _, d in drawn[:4]] == [d for _, d in expected[:4]]  # named styles
    with pytest.raises(ValueError, match=r"^bias\['t = 0'\] must be finite"):
        figures.plot_bias_against_tau(axes, taus, {"t = 0": [np.nan] * 5}, {"t = 0": 1.0})


def test_the_vae_figures_cycle_the_books_colours_markers_and_first_four_line_styles():
    """Series 0 to 65 (6 x 11) differ in colour or marker; the VAE figures' looks are the
    book's, cycled at the periods 6, 11 and 4."""
    from binary_gumbel.book.figures import style, vae

    looks = [vae.series_style(i) for i in range(66)]
    assert len({(s["color"], s["marker"]) for s in looks}) == 66
    assert [s["color"] for s in looks[:6]] == list(style.SERIES_COLOURS)
    assert [s["marker"] for s in looks[:7]] == list(style.MARKERS)
    assert [s["ls"] for s in looks[:4]] == list(style.DASHES[:4])
    assert looks[11]["marker"] == looks[0]["marker"] and looks[4]["ls"] == looks[0]["ls"]
    assert looks[6]["color"] == looks[0]["color"]
    assert style.PALETTE["black"] not in {s["color"] for s in looks}


def test_estimator_study_marks_a_bias_resolved_by_its_student_t_interval():
    """A bias of 10 standard errors from 4 estimates is resolved by the normal quantile at
    1e-6 (4.89) but not by Student-t's with 3 degrees of freedom (about 130): it is drawn
    open, at the square of ``bias_interval``'s end farthest from 0. From 10**6 estimates the
    same bias is resolved, drawn filled at bias²."""
    template = estimator_stats.estimator_statistics("relaxed", -1.0, 0.45, 1.0, 4, rng=1)
    stats = [
        dataclasses.replace(template, tau=tau, bias=bias, bias_se=1.0)
        for tau, bias in ((0.5, -10.0), (1.0, 10.0))
    ]
    fig, axes = figures.new_figure(ncols=3)
    figures.plot_estimator_study(axes, stats, false_alarm=1e-6)
    filled, hollow = axes[0].get_lines()[:2]
    assert np.isnan(filled.get_ydata()).all()
    far = stats[1].bias_interval(1e-6)[1]
    assert far > 100
    np.testing.assert_allclose(hollow.get_ydata(), [far**2, far**2])
    resolved = [dataclasses.replace(s, n=10**6) for s in stats]
    fig, axes = figures.new_figure(ncols=3)
    figures.plot_estimator_study(axes, resolved, false_alarm=1e-6)
    filled, hollow = axes[0].get_lines()[:2]
    np.testing.assert_allclose(filled.get_ydata(), [100.0, 100.0])
    assert len(hollow.get_ydata()) == 0


def test_estimator_study_draws_the_variance_and_mse_intervals_as_error_bars():
    """From 4 estimates the MSE's bars are Student-t's with 3 degrees of freedom (about 12.9
    standard errors at 1e-3), not the normal quantile's (3.3); the variance's are the
    normal ones. The bars' ends are the intervals' ends."""
    stats = [
        estimator_stats.estimator_statistics("relaxed", -1.0, 0.45, tau, 4, rng=1)
        for tau in (0.5, 1.0)
    ]
    fig, axes = figures.new_figure(ncols=3)
    figures.plot_estimator_study(axes, stats, false_alarm=1e-3)
    for ax, interval in ((axes[1], "variance_interval"), (axes[2], "mse_interval")):
        (bars,) = ax.containers
        ends = np.array([[seg[0][1], seg[1][1]] for seg in bars.lines[2][0].get_segments()])
        np.testing.assert_allclose(ends, [getattr(s, interval)(1e-3) for s in stats])
    half = [(high - low) / 2 for low, high in (s.mse_interval(1e-3) for s in stats)]
    assert all(h > 9 * s.mse_se for h, s in zip(half, stats, strict=True))


@pytest.mark.parametrize(
    ("exact", "match"),
    [
        (0.0, r"exact\['t'\] must be nonzero"),
        (1e-320, r"bias\['t'\] / exact\['t'\] must be finite"),
        (float("nan"), r"exact\['t'\] must be finite"),
    ],
)
def test_bias_against_tau_refuses_an_exact_gradient_it_cannot_divide_by(exact, match):
    fig, axes = figures.new_figure(2)
    with pytest.raises(ValueError, match=match):
        figures.plot_bias_against_tau(axes, [0.5, 1.0], {"t": [0.1, 0.2]}, {"t": exact})


def test_figure_helpers_name_the_argument_they_refuse():
    """Each bad input is refused by name, before matplotlib or numpy warns or fails."""
    fig, ax = figures.new_figure()
    grid, samples = np.linspace(0.0, 1.0, 5), np.linspace(0.1, 0.9, 7)
    cases = [
        ("ratios", figures.plot_ratio_bars, (["a", "b"], [0, 0]), dict(reference="r", xlabel="x")),
        ("max_points", figures.plot_qq, (samples, lambda q: q), dict(max_points=0)),
        ("density 'a'", figures.plot_density_family, (grid, {"a": np.full(5, np.nan)}), {}),
        ("ylim", figures.plot_density_family, (grid, {"a": grid}), dict(ylim=(3, 3))),
        ("grid", figures.plot_histogram_density, (samples, grid[::-1], grid), {}),
        ("steps, elbo and log_marginal", figures.plot_bounds, ([1, 2], [1], [1, 2]), {}),
        ("log_marginal", figures.plot_bounds, ([1, 2], [1.0, 2.0], [1.0, np.nan]), {}),
        ("steps", figures.plot_bounds, ([], [], []), {}),
    ]
    for name, plot, args, kwargs in cases:
        with pytest.raises(ValueError, match=f"^{name}"):
            plot(ax, *args, **kwargs)
    with pytest.raises(ValueError, match="max_points"):
        figures.plot_conditional_cdfs(
            ax, {0: samples}, lambda z, logit, b: z, logit=0.0, max_points=0
        )
