"""The book's figures: one style, and the plots of each subject.

Every figure in the book is made here so that the book has one look
(:mod:`~binary_gumbel.book.figures.style`). The plots are grouped by subject, one module
each: the note's chapters (``checks``), the gradient estimators (``gradients``), the
estimators for binary variables (``estimators``), the hard concrete gate and sparse
regression (``sparsity``), REBAR and RELAX (``rebar``) and the model with binary latents
(``vae``). This package gathers their public plots, so that a chapter calls
``figures.plot_qq(...)`` after ``from binary_gumbel.book import figures``.

Helpers draw on axes they are given (or return a new figure) and never call ``plt.show``;
the chapters display it. Alt text and captions live with the chapter cell that shows it.
"""

from binary_gumbel.book.figures.checks import (
    plot_calibration,
    plot_coupled,
    plot_density_family,
    plot_exceedance,
    plot_histogram_density,
    plot_proportion_checks,
    plot_qq,
    plot_simplex,
)
from binary_gumbel.book.figures.estimators import plot_bias_against_tau
from binary_gumbel.book.figures.gradients import (
    plot_estimator_study,
    plot_ratio_bars,
    plot_sign_errors,
    plot_trajectories,
)
from binary_gumbel.book.figures.rebar import (
    plot_conditional_cdfs,
    plot_learned_relaxation,
    plot_rebar_saving,
    plot_training_curves,
)
from binary_gumbel.book.figures.sparsity import (
    plot_hard_concrete,
    plot_sparsity_sweep,
    plot_switching_paths,
)
from binary_gumbel.book.figures.style import (
    COLUMN_WIDTH,
    PALETTE,
    STYLE,
    new_figure,
    use_book_style,
)
from binary_gumbel.book.figures.vae import (
    plot_bounds,
    plot_learning_rates,
    plot_study,
    plot_test_elbo,
    series_style,
)

__all__ = [
    "COLUMN_WIDTH",
    "PALETTE",
    "STYLE",
    "new_figure",
    "plot_bias_against_tau",
    "plot_bounds",
    "plot_calibration",
    "plot_conditional_cdfs",
    "plot_coupled",
    "plot_density_family",
    "plot_estimator_study",
    "plot_exceedance",
    "plot_hard_concrete",
    "plot_histogram_density",
    "plot_learned_relaxation",
    "plot_learning_rates",
    "plot_proportion_checks",
    "plot_qq",
    "plot_ratio_bars",
    "plot_rebar_saving",
    "plot_sign_errors",
    "plot_simplex",
    "plot_sparsity_sweep",
    "plot_switching_paths",
    "plot_study",
    "plot_test_elbo",
    "plot_training_curves",
    "plot_trajectories",
    "series_style",
    "use_book_style",
]
