"""The plot helpers of the chapters beyond the note draw what they are given."""

from __future__ import annotations

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
