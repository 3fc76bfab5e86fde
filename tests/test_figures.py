"""Unit tests of the plotting helpers of the chapters that mirror the note."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from binary_gumbel.book import figures
from binary_gumbel.book.demos import ExceedanceCurve  # noqa: E402
from binary_gumbel.verification.montecarlo import check_proportion  # noqa: E402

PALETTE = {c.lower() for c in figures.PALETTE.values()}


@pytest.fixture
def ax():
    fig, ax = figures.new_figure()
    yield ax
    plt.close(fig)


def colours_of(artists) -> set[str]:
    found = set()
    for artist in artists:
        getters = ("get_color", "get_facecolor", "get_edgecolor")
        for getter in getters:
            if hasattr(artist, getter):
                value = np.atleast_2d(getattr(artist, getter)())
                found |= {to_hex(v, keep_alpha=False) for v in value if len(v) in (3, 4)}
    return found


def test_new_figure_is_a_figure_that_closes_cleanly():
    before = len(plt.get_fignums())
    fig, axes = figures.new_figure(ncols=2)
    assert isinstance(fig, Figure) and len(axes) == 2
    assert fig.get_figwidth() == pytest.approx(figures.COLUMN_WIDTH)
    plt.close(fig)
    assert len(plt.get_fignums()) == before


def test_legend_below_names_each_series_once_in_the_order_drawn():
    from binary_gumbel.book.figures.style import legend_below

    fig, axes = figures.new_figure(ncols=2)
    axes[0].plot([0, 1], label="b")
    axes[0].plot([0, 1], label="a")
    axes[1].plot([0, 1], label="a")
    axes[1].plot([0, 1], label="c")
    legend_below(axes)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["b", "a", "c"]
    plt.close(fig)


def test_simplex_draws_each_sample_at_its_barycentric_point():
    fig, axes = figures.new_figure(ncols=2)
    samples = {1.0: np.array([[1.0, 0, 0], [0, 1.0, 0]]), 0.5: np.array([[0, 0, 1.0]])}
    figures.plot_simplex(axes, samples)
    first = axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(first, [[0, 0], [1, 0]])
    np.testing.assert_allclose(axes[1].collections[0].get_offsets(), [[0.5, np.sqrt(3) / 2]])
    assert axes[0].get_title() == "τ = 1" and axes[1].get_title() == "τ = 0.5"
    assert colours_of(axes[0].collections) <= PALETTE
    plt.close(fig)


@pytest.mark.parametrize(
    "samples, match",
    [
        ({1.0: np.ones((3, 2)) / 2}, "simplex"),
        ({1.0: np.array([[0.5, 0.6, -0.1]])}, "simplex"),
        ({1.0: np.array([[np.nan, 0.5, 0.5]])}, "finite"),
    ],
)
def test_simplex_rejects_points_off_the_simplex(ax, samples, match):
    with pytest.raises(ValueError, match=match):
        figures.plot_simplex([ax], samples)


def test_simplex_needs_one_axis_per_temperature(ax):
    with pytest.raises(ValueError, match="one axis per temperature"):
        figures.plot_simplex([ax], {1.0: np.eye(3), 0.5: np.eye(3)})


def test_calibration_plots_estimates_against_claims(ax):
    checks = [check_proportion(30, 100, 0.3), check_proportion(70, 100, 0.6)]
    figures.plot_calibration(ax, checks, groups=[0, 1], labels=["a", "b"])
    points = [line.get_xydata() for line in ax.lines if line.get_marker() in ("o", "s")]
    np.testing.assert_allclose(np.vstack(points), [[0.3, 0.3], [0.6, 0.7]])
    assert {"a", "b"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    assert colours_of(ax.lines) <= PALETTE


def test_calibration_rejects_mismatched_groups(ax):
    checks = [check_proportion(30, 100, 0.3)]
    with pytest.raises(ValueError, match="groups"):
        figures.plot_calibration(ax, checks, groups=[0, 1])
    with pytest.raises(ValueError, match="labels"):
        figures.plot_calibration(ax, checks, labels=["a", "b"])
    with pytest.raises(ValueError, match="checks"):
        figures.plot_calibration(ax, [])


def test_histogram_density_draws_the_curve_and_a_normalised_histogram(ax):
    rng = np.random.default_rng(0)
    grid = np.linspace(-4, 4, 50)
    curve = np.exp(-(grid**2) / 2) / np.sqrt(2 * np.pi)
    figures.plot_histogram_density(ax, rng.standard_normal(1000), grid, curve, bins=20)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), curve)
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    assert len(heights) == 20
    assert np.sum(heights * widths) <= 1 + 1e-12
    assert colours_of(ax.lines) <= PALETTE


def test_histogram_density_rejects_bad_input(ax):
    grid = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="same shape"):
        figures.plot_histogram_density(ax, [0.5], grid, grid[:-1])
    with pytest.raises(TypeError, match="samples"):
        figures.plot_histogram_density(ax, ["a"], grid, grid)
    with pytest.raises(ValueError, match="samples"):
        figures.plot_histogram_density(ax, [], grid, grid)


def test_qq_of_exact_quantiles_lies_on_the_diagonal(ax):
    n = 200
    samples = (np.arange(n) + 0.5) / n  # the uniform quantiles at the plotting positions
    figures.plot_qq(ax, samples[::-1], lambda q: q)
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(x, y)


def test_qq_needs_a_callable_quantile(ax):
    with pytest.raises(TypeError, match="quantile"):
        figures.plot_qq(ax, [1.0, 2.0], 3.0)


def test_coupled_scatter_draws_the_pairs(ax):
    a, b = np.array([0.1, 0.5]), np.array([0.1, 0.6])
    figures.plot_coupled(ax, a, b, xlabel="a", ylabel="b")
    np.testing.assert_allclose(ax.collections[0].get_offsets(), np.column_stack([a, b]))
    assert ax.get_xlabel() == "a" and ax.get_ylabel() == "b"


def test_coupled_scatter_rejects_unpaired_input(ax):
    with pytest.raises(ValueError, match="pair"):
        figures.plot_coupled(ax, [0.1, 0.2], [0.1], xlabel="a", ylabel="b")


def test_exceedance_draws_exact_lines_and_estimates(ax):
    checks = tuple(check_proportion(k, 100, k / 100) for k in (20, 50, 80))
    curve = ExceedanceCurve(np.array([0.2, 0.5, 0.8]), np.array([0.8, 0.5, 0.2]), checks)
    figures.plot_exceedance(ax, {"as written": curve})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.8, 0.5, 0.2])
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    np.testing.assert_allclose(markers[0].get_ydata(), [0.2, 0.5, 0.8])
    assert colours_of(ax.lines) <= PALETTE


def test_exceedance_needs_curves(ax):
    with pytest.raises(ValueError, match="curves"):
        figures.plot_exceedance(ax, {})
