"""The book's one plotting style, and the plots that recur across chapters.

Every figure in the book is made here so that the book has one look:

* a colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008),
  with markers and line styles that also tell series apart in grey-scale;
* an opaque white background with dark ink, so that a figure stays legible
  when the page around it switches to the theme's dark mode;
* sizes chosen for the book's text column.

Helpers return the :class:`matplotlib.figure.Figure` and never call
``plt.show``; the chapters display or glue it. Alt text and captions live with
the chapter cell that shows the figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "PALETTE",
    "STYLE",
    "new_figure",
    "plot_calibration",
    "plot_coupled",
    "plot_density_family",
    "plot_estimator_study",
    "plot_exceedance",
    "plot_hard_concrete",
    "plot_histogram_density",
    "plot_proportion_checks",
    "plot_qq",
    "plot_ratio_bars",
    "plot_sign_errors",
    "plot_simplex",
    "plot_sparsity_sweep",
    "plot_trajectories",
    "use_book_style",
]

#: Okabe-Ito colours, in the order series are drawn.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Matplotlib rc settings applied to every figure of the book.
STYLE: dict[str, object] = {
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": "#1a1a1a",
    "axes.labelcolor": "#1a1a1a",
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
}

#: Width of the book's text column, in inches.
COLUMN_WIDTH = 7.0


def use_book_style() -> None:
    """Apply :data:`STYLE` to every figure made from now on (call once per chapter)."""
    mpl.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, height: float = 3.2, **kwargs):
    """A figure of the column's width, in the book's style, with its axes."""
    with mpl.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(COLUMN_WIDTH, height), **kwargs)
        # The first figure loads the backend, and a notebook's inline backend then
        # turns interactive mode on; leaving the context would restore it to off,
        # and no later figure of the notebook would be shown.
        interactive = mpl.is_interactive()
    mpl.interactive(interactive)
    return fig, axes


def plot_proportion_checks(
    ax, labels: Sequence[str], checks: Sequence, *, xlabel: str = "", ylabel: str = "probability"
):
    """Estimated proportions with their intervals, against the values claimed.

    ``checks`` are :class:`binary_gumbel.verification.montecarlo.ProportionCheck` results: each
    is drawn as its estimate with its Clopper-Pearson interval, next to the
    expected value as an open marker.
    """
    x = np.arange(len(checks))
    est = np.array([c.estimate for c in checks])
    low = np.array([c.low for c in checks])
    high = np.array([c.high for c in checks])
    expected = np.array([c.expected for c in checks])
    ax.errorbar(
        x - 0.08,
        est,
        yerr=[est - low, high - est],
        fmt="o",
        color=PALETTE["blue"],
        capsize=4,
        label="Monte Carlo estimate and interval",
    )
    ax.plot(x + 0.08, expected, "D", mfc="none", color=PALETTE["vermillion"], label="claimed value")
    ax.set_xticks(x, labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    return ax


# --- Plots for the chapters that mirror the note ---


def _series_colours(count: int) -> list[str]:
    """The first ``count`` palette colours, skipping yellow (too pale on white)."""
    colours = [c for name, c in PALETTE.items() if name != "yellow"]
    if count > len(colours):
        raise ValueError(f"at most {len(colours)} series can be told apart; got {count}")
    return colours[:count]


def _values(data, name: str, ndim: int = 1) -> np.ndarray:
    """Finite float data of ``ndim`` dimensions, not empty; errors name the argument."""
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers") from None
    if arr.ndim != ndim or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def _diagonal(ax, low: float, high: float, label: str) -> None:
    ax.plot([low, high], [low, high], "--", color=PALETTE["black"], lw=1, label=label)


def plot_simplex(axes, samples_by_tau, labels: Sequence[str] = ("1", "2", "3"), max_points=1500):
    """Three-category samples on the probability simplex, one panel per temperature.

    ``samples_by_tau`` maps ``tau`` to an ``(n, 3)`` array whose rows lie on the
    simplex; each row ``x`` is drawn at ``x_2 e_2 + x_3 e_3`` in the triangle
    with vertices ``e_1 = (0, 0)``, ``e_2 = (1, 0)``, ``e_3 = (1/2, sqrt(3)/2)``.
    """
    axes = np.atleast_1d(axes).ravel()
    if len(axes) != len(samples_by_tau):
        raise ValueError(
            f"need one axis per temperature: {len(axes)} axes, {len(samples_by_tau)} taus"
        )
    if len(labels) != 3:
        raise ValueError(f"labels must name the 3 categories; got {len(labels)}")
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    for ax, (tau, samples) in zip(axes, samples_by_tau.items(), strict=True):
        x = _values(samples, f"samples at tau={tau}", ndim=2)
        if x.shape[1] != 3 or np.any(x < 0) or not np.allclose(x.sum(axis=1), 1):
            raise ValueError(f"samples at tau={tau} must be (n, 3) points of the simplex")
        xy = x[:max_points] @ corners
        ax.fill(*corners.T, facecolor="none", edgecolor=PALETTE["black"], lw=0.8)
        ax.scatter(*xy.T, s=4, alpha=0.35, color=PALETTE["blue"], linewidths=0)
        for corner, label, dx in zip(corners, labels, (-0.06, 0.06, 0.0), strict=True):
            ax.annotate(label, corner + [dx, 0.05 if dx == 0 else -0.07], ha="center")
        ax.set_title(f"τ = {tau:g}")
        ax.set_aspect("equal")
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.12, 0.98)
        ax.axis("off")
    return axes


def plot_calibration(ax, checks: Sequence, *, groups: Sequence[int] | None = None, labels=None):
    """Estimated probabilities with their intervals against the claimed ones, on the diagonal.

    ``checks`` are :class:`binary_gumbel.verification.montecarlo.ProportionCheck` results;
    ``groups`` (one integer per check) and ``labels`` (one per group) colour
    them by experiment, for example by weight vector.
    """
    if not checks:
        raise ValueError("checks must hold at least one ProportionCheck")
    groups = np.zeros(len(checks), int) if groups is None else np.asarray(groups)
    if groups.shape != (len(checks),):
        raise ValueError(f"groups must give one group per check; got shape {groups.shape}")
    names = sorted(set(groups.tolist()))
    labels = labels or [None] * len(names)
    if len(labels) != len(names):
        raise ValueError(f"labels must name each of the {len(names)} groups; got {len(labels)}")
    markers = "osD^vP"
    for i, (g, label, colour) in enumerate(
        zip(names, labels, _series_colours(len(names)), strict=True)
    ):
        sel = [c for c, gi in zip(checks, groups, strict=True) if gi == g]
        est = np.array([c.estimate for c in sel])
        ax.errorbar(
            [c.expected for c in sel],
            est,
            yerr=[est - [c.low for c in sel], [c.high for c in sel] - est],
            fmt=markers[i % len(markers)],
            color=colour,
            capsize=3,
            label=label,
        )
    _diagonal(ax, 0, 1, "claimed = estimated")
    ax.set_xlabel("claimed probability")
    ax.set_ylabel("Monte Carlo estimate")
    ax.legend(loc="upper left")
    return ax


def plot_histogram_density(
    ax, samples, grid, density, *, label="samples", curve_label="density", bins=80
):
    """A density-normalised histogram of ``samples`` against the curve ``density`` on ``grid``."""
    samples = _values(samples, "samples")
    grid, density = _values(grid, "grid"), _values(density, "density")
    if grid.shape != density.shape:
        raise ValueError(
            f"grid and density must have the same shape; got {grid.shape}, {density.shape}"
        )
    ax.hist(
        samples,
        bins=bins,
        range=(grid[0], grid[-1]),
        density=True,
        color=PALETTE["sky"],
        alpha=0.6,
        label=label,
    )
    ax.plot(grid, density, color=PALETTE["vermillion"], lw=2, label=curve_label)
    ax.legend(loc="upper right")
    return ax


def plot_qq(ax, samples, quantile, *, label="samples", max_points=400):
    """Quantile-quantile plot: sorted ``samples`` against ``quantile`` at plotting positions.

    ``quantile`` is the claimed distribution's inverse CDF; the points lie on
    the diagonal when the samples follow it. Positions are ``(i - 1/2) / n``.
    """
    samples = np.sort(_values(samples, "samples"))
    if not callable(quantile):
        raise TypeError("quantile must be a callable inverse CDF")
    idx = np.unique(np.linspace(0, samples.size - 1, min(max_points, samples.size)).astype(int))
    theory = np.asarray(quantile((idx + 0.5) / samples.size), dtype=np.float64)
    ax.plot(theory, samples[idx], "o", ms=3, color=PALETTE["blue"], label=label)
    _diagonal(ax, theory[0], theory[-1], "claimed law")
    ax.set_xlabel("claimed quantile")
    ax.set_ylabel("sample quantile")
    ax.legend(loc="upper left")
    return ax


def plot_coupled(ax, first, second, *, xlabel: str, ylabel: str, max_points=3000):
    """Paired values computed from the same noise: on the diagonal when they agree."""
    first, second = _values(first, "first"), _values(second, "second")
    if first.shape != second.shape:
        raise ValueError(f"first and second must pair up; got shapes {first.shape}, {second.shape}")
    ax.scatter(first[:max_points], second[:max_points], s=5, alpha=0.5, color=PALETTE["blue"])
    low, high = min(first.min(), second.min()), max(first.max(), second.max())
    _diagonal(ax, low, high, "equal values")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
    return ax


def plot_exceedance(ax, curves, *, xlabel="claimed probability", ylabel="P(x > 1/2)"):
    """``P(x > 1/2)`` against the claimed probability, one series per formula.

    ``curves`` maps a label to a :class:`binary_gumbel.book.demos.ExceedanceCurve`:
    its exact probability is drawn as a line and its Monte Carlo estimates with
    their intervals as markers. The claim holds where a series follows the
    dashed diagonal.
    """
    if not curves:
        raise ValueError("curves must hold at least one labelled ExceedanceCurve")
    markers = "osD^"
    for i, ((label, curve), colour) in enumerate(
        zip(curves.items(), _series_colours(len(curves)), strict=True)
    ):
        order = np.argsort(curve.claimed)
        est = curve.estimates
        ax.plot(curve.claimed[order], curve.exact[order], "-", color=colour, lw=1.5)
        ax.errorbar(
            curve.claimed,
            est,
            yerr=[est - [c.low for c in curve.checks], [c.high for c in curve.checks] - est],
            fmt=markers[i % len(markers)],
            color=colour,
            capsize=3,
            label=label,
        )
    _diagonal(ax, 0, 1, "claimed")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    return ax


# Plots for the chapters beyond the note.


_MARKERS = ("o", "s", "^", "D", "v", "P")
_DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))


def plot_density_family(ax, grid, densities, *, ylim=(0.0, 4.0)):
    """Densities on ``grid``, one curve per entry of ``densities`` (a label -> values mapping).

    Each curve has its own colour and line style, so that the family reads in grey-scale.
    """
    grid = _values(grid, "grid")
    if not densities:
        raise ValueError("densities must hold at least one curve")
    for (label, values), colour, dash in zip(
        densities.items(), _series_colours(len(densities)), _DASHES, strict=False
    ):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != grid.shape:
            raise ValueError(f"density {label!r} has shape {values.shape}, grid {grid.shape}")
        ax.plot(grid, values, color=colour, ls=dash, lw=1.8, label=label)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    # Above the axes: inside, it would hide the curves that leave the top of the plot.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(densities), 6))
    return ax


def _study_series(stats, estimators):
    taus = np.array(sorted({s.tau for s in stats}))
    by = {(s.estimator, s.tau): s for s in stats}
    for name in estimators:
        yield name, taus, [by[name, t] for t in taus]


def plot_estimator_study(axes, stats, *, false_alarm: float = 1e-6):
    """Bias², variance and MSE against tau, one series per estimator, on three axes.

    ``stats`` are :class:`binary_gumbel.estimators.gradients.EstimatorStats` results on a
    grid of temperatures. Error bars are ``z`` standard errors at ``false_alarm``
    (for bias², those of ``|bias|``, squared); a bias² whose interval reaches 0
    is drawn as an open marker at its upper end. The legend, one entry per
    estimator, goes below the three panels, where it hides no marker.
    """
    from binary_gumbel.verification.montecarlo import z_for_false_alarm

    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (bias², variance, MSE); got {len(axes)}")
    if not stats:
        raise ValueError("stats must not be empty")
    z = z_for_false_alarm(false_alarm)
    names = list(dict.fromkeys(s.estimator for s in stats))
    series = zip(_study_series(stats, names), _series_colours(len(names)), _MARKERS, strict=False)
    for (name, taus, rows), colour, marker in series:
        bias = np.abs([r.bias for r in rows])
        half = z * np.array([r.bias_se for r in rows])
        resolved = bias > half
        upper = (bias + half) ** 2
        kw = dict(color=colour, marker=marker, ms=5, lw=1.4)
        axes[0].plot(taus, np.where(resolved, bias**2, np.nan), label=name, **kw)
        axes[0].plot(taus[~resolved], upper[~resolved], ls="none", mfc="none", **kw)
        for ax, value, err in (
            (axes[1], [r.variance for r in rows], [r.variance_se for r in rows]),
            (axes[2], [r.mse for r in rows], [r.mse_se for r in rows]),
        ):
            ax.errorbar(taus, value, yerr=z * np.asarray(err), capsize=2, label=name, **kw)
    for ax, title in zip(axes, ("bias²", "variance", "mean-squared error"), strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("temperature τ")
        ax.set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].figure.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return axes


def plot_sign_errors(ax, stats):
    """Sign-error rate against tau, with Clopper-Pearson intervals, one series per estimator."""
    if not stats:
        raise ValueError("stats must not be empty")
    names = list(dict.fromkeys(s.estimator for s in stats))
    series = zip(_study_series(stats, names), _series_colours(len(names)), _MARKERS, strict=False)
    for (name, taus, rows), colour, marker in series:
        rate = np.array([r.sign_error for r in rows])
        low = np.array([r.sign_error_low for r in rows])
        high = np.array([r.sign_error_high for r in rows])
        yerr = [rate - low, high - rate]
        kw = dict(color=colour, marker=marker, ms=5, capsize=2, lw=1.4, label=name)
        ax.errorbar(taus, rate, yerr=yerr, **kw)
    ax.axhline(0.5, color=PALETTE["black"], lw=0.8, ls=":", label="coin flip")
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("temperature τ")
    ax.set_ylabel("P(sign of the estimate is wrong)")
    # Right of centre: the curves sit near 0, near 1 and around 0.5 at the small temperatures.
    ax.legend(loc="center right", fontsize=8)
    return ax


def plot_trajectories(ax, trajectories, *, optimum: float):
    """``sigmoid(theta_k)`` along SGD runs, against the exact optimum ``p* = optimum``.

    ``trajectories`` are :class:`binary_gumbel.estimators.gradients.Trajectory` results; the
    one named ``"exact"`` (gradient descent) is drawn in black.
    """
    if not trajectories:
        raise ValueError("trajectories must not be empty")
    others = [t for t in trajectories if t.estimator != "exact"]
    from binary_gumbel.noise import sigmoid

    for tr, colour, dash in zip(others, _series_colours(len(others)), _DASHES, strict=False):
        ax.plot(sigmoid(tr.theta), color=colour, ls=dash, lw=1.5, label=tr.estimator)
    for tr in trajectories:
        if tr.estimator == "exact":
            ax.plot(sigmoid(tr.theta), color=PALETTE["black"], lw=2.2, label="exact gradient")
    ax.axhline(optimum, color=PALETTE["black"], lw=1, ls=":", label="optimum p*")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("p = σ(θ)")
    # Above the axes: the noisy runs fill the plot.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8)
    return ax


def plot_ratio_bars(ax, labels: Sequence[str], ratios, *, reference: str, xlabel: str):
    """Horizontal bars of time ratios (1 is the ``reference`` route), each bar labelled."""
    ratios = _values(ratios, "ratios")
    if len(labels) != ratios.size:
        raise ValueError(f"labels and ratios differ in length: {len(labels)} and {ratios.size}")
    y = np.arange(ratios.size)
    ax.barh(y, ratios, color=_series_colours(ratios.size), height=0.6)
    for yi, r in zip(y, ratios, strict=True):
        ax.text(r, yi, f" {r:.2f}×", va="center")
    ax.axvline(1.0, color=PALETTE["black"], lw=0.8, ls=":")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, ratios.max() * 1.2)
    ax.set_xlabel(xlabel)
    ax.set_title(f"time relative to {reference}")
    ax.grid(axis="y", visible=False)
    return ax


# Plots for the hard concrete chapter.


def plot_hard_concrete(axes, grid, densities, masses, *, ylim=(0.0, 3.0)):
    """The hard concrete law at several temperatures: density on (0, 1) and the two point masses.

    ``axes`` is a pair: the density panel and the point-mass panel. ``densities`` maps
    a label to the continuous part's density on ``grid`` (inside (0, 1)); ``masses``
    maps the same labels to ``(P(z = 0), P(z = 1))``, drawn as paired bars at 0 and at
    1 in the same colours, each bar labelled with its value.
    """
    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes (density, point masses); got {len(axes)}")
    if set(densities) != set(masses) or not densities:
        raise ValueError("densities and masses must have the same, non-empty, labels")
    dens_ax, mass_ax = axes
    grid = _values(grid, "grid")
    colours = _series_colours(len(densities))
    width = 0.8 / len(densities)
    for i, (label, colour, dash) in enumerate(zip(densities, colours, _DASHES, strict=False)):
        values = _values(densities[label], f"density {label!r}")
        if values.shape != grid.shape:
            raise ValueError(f"density {label!r} has shape {values.shape}, grid {grid.shape}")
        dens_ax.plot(grid, values, color=colour, ls=dash, lw=1.8, label=label)
        at = np.array([0.0, 1.0]) + (i - (len(densities) - 1) / 2) * width
        mass = _values(masses[label], f"masses {label!r}")
        bars = mass_ax.bar(at, mass, width=width * 0.9, color=colour, label=label)
        mass_ax.bar_label(bars, fmt="%.2f", fontsize=8)
    dens_ax.set_xlim(0, 1)
    dens_ax.set_ylim(*ylim)
    dens_ax.set_xlabel("z")
    dens_ax.set_ylabel("density on (0, 1)")
    dens_ax.set_title("continuous part")
    dens_ax.legend(loc="upper center", ncols=3)
    mass_ax.set_xticks([0, 1], ["P(z = 0)", "P(z = 1)"])
    mass_ax.set_ylim(0, 1)
    mass_ax.set_ylabel("probability")
    mass_ax.set_title("point masses")
    mass_ax.grid(axis="x", visible=False)
    return axes


def plot_sparsity_sweep(axes, rows, *, true_size: int):
    """A penalty-weight sweep of best subset against hard concrete gates, on three axes.

    ``rows`` are :class:`binary_gumbel.estimators.sparse_regression.SweepRow` results. Left: the
    rate of exact recovery of the true support for each method and the rate at which
    the gates select the best-subset support, with their intervals; middle: the mean
    size of the selected support, against ``true_size``; right: the mean test error
    with its interval. The legend goes below the panels.
    """
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 axes (recovery, size, test error); got {len(axes)}")
    rows = list(rows)
    if not rows:
        raise ValueError("rows must not be empty")
    lam = np.array([r.lam for r in rows])
    blue, orange, green = _series_colours(3)

    def bars(ax, intervals, **kw):
        est = np.array([iv.estimate for iv in intervals])
        err = [est - [iv.low for iv in intervals], [iv.high for iv in intervals] - est]
        ax.errorbar(lam, est, yerr=err, capsize=2, lw=1.4, ms=5, **kw)

    best = dict(color=blue, marker="o", label="best subset (exact)")
    gates = dict(color=orange, marker="s", ls="--", label="hard concrete gates")
    bars(axes[0], [r.best_recovery for r in rows], **best)
    bars(axes[0], [r.gates_recovery for r in rows], **gates)
    bars(axes[0], [r.agreement for r in rows], color=green, marker="^", ls=":",
         label="gates = best subset")  # fmt: skip
    axes[0].set_ylim(-0.03, 1.03)
    axes[0].set_title("rate over seeds")
    axes[1].plot(lam, [r.best_size for r in rows], **best)
    axes[1].plot(lam, [r.gates_size for r in rows], **gates)
    axes[1].axhline(true_size, color=PALETTE["black"], lw=0.8, ls=":", label="true support size")
    axes[1].set_title("mean support size")
    bars(axes[2], [r.best_mse for r in rows], **best)
    bars(axes[2], [r.gates_mse for r in rows], **gates)
    axes[2].set_title("mean test MSE")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("penalty weight λ")
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    axes[0].figure.legend(handles, labels, loc="outside lower center", ncols=2)
    return axes


# --- Plots for the REBAR and RELAX chapter ---


def plot_conditional_cdfs(ax, samples_by_b, cdf, *, logit: float, max_points: int = 2000):
    """Empirical CDFs of ``z~`` given ``b``, against the derived conditional CDFs.

    ``samples_by_b`` maps ``b`` (0 or 1) to samples of ``z~``; ``cdf(z, logit, b)``
    is the derived CDF (:func:`binary_gumbel.conditional_noise.conditional_logistic_cdf`).
    Each empirical CDF is a step line, the derived one a dashed black curve.
    """
    if not samples_by_b:
        raise ValueError("samples_by_b must hold samples for b = 0 or 1")
    colours = _series_colours(len(samples_by_b))
    for (b, samples), colour in zip(sorted(samples_by_b.items()), colours, strict=True):
        x = np.sort(_values(samples, f"samples for b={b}"))
        keep = np.unique(np.linspace(0, x.size - 1, min(max_points, x.size)).astype(int))
        ecdf = (np.arange(x.size) + 1) / x.size
        ax.step(x[keep], ecdf[keep], where="post", color=colour, lw=2.2, label=f"z̃ given b = {b}")
        grid = np.linspace(x[keep[0]], x[keep[-1]], 300)
        ax.plot(grid, cdf(grid, logit, b), "--", color=PALETTE["black"], lw=1.1)
    ax.plot([], [], "--", color=PALETTE["black"], lw=1.1, label="derived CDF")
    ax.set_xlabel("z")
    ax.set_ylabel("P(z̃ ≤ z | b)")
    ax.legend(loc="upper left")
    return ax


def plot_rebar_saving(axes, grids, labels: Sequence[str]):
    """REBAR's variance against its temperature lambda, one series per grid, on two axes.

    ``grids`` are :class:`binary_gumbel.estimators.rebar.VarianceGrid` results over a
    range of temperatures. Left: the variance relative to REINFORCE's at the optimal
    ``eta*`` (solid, markers) and, if ``eta = 1`` is on the grid, at ``eta = 1``
    (dashed), with the mean baseline's ratio as a dotted line; log-log. Right:
    ``eta*`` as a fraction of its ``lambda -> infinity`` limit ``c* / (1/2 - t)^2``
    (:func:`binary_gumbel.estimators.rebar.limit_eta`), which tends to 1.
    """
    from binary_gumbel.estimators.rebar import limit_eta

    if len(axes) != 2:
        raise ValueError(f"axes must hold 2 axes; got {len(axes)}")
    if not grids or len(grids) != len(labels):
        raise ValueError("grids and labels must be non-empty and of the same length")
    left, right = axes
    series = zip(grids, labels, _series_colours(len(grids)), _MARKERS, strict=False)
    for grid, label, colour, marker in series:
        lams = np.asarray(grid.temperatures)
        left.plot(
            lams,
            grid.optimal_variance / grid.reinforce_variance,
            color=colour,
            marker=marker,
            ms=5,
            lw=1.6,
            label=f"{label}, η = η*",
        )
        ones = np.flatnonzero(np.asarray(grid.etas) == 1.0)
        if ones.size:
            ratio = grid.variance[ones[0]] / grid.reinforce_variance
            left.plot(lams, ratio, color=colour, ls="--", lw=1.2, label=f"{label}, η = 1")
        left.axhline(grid.baseline_variance / grid.reinforce_variance, color=colour, ls=":", lw=1.0)
        limit = float(limit_eta(grid.theta, grid.target))
        right.plot(
            lams, grid.optimal_eta / limit, color=colour, marker=marker, ms=5, lw=1.6, label=label
        )
    left.plot([], [], color=PALETTE["black"], ls=":", lw=1.0, label="mean baseline")
    left.axhline(1.0, color=PALETTE["black"], lw=0.8)
    right.axhline(1.0, color=PALETTE["black"], lw=0.8, ls=":", label="λ → ∞ limit")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("temperature λ")
    left.set_yscale("log")
    left.set_ylabel("variance / REINFORCE's")
    right.set_ylabel("η* / (c* / (½ − t)²)")
    left.legend(loc="lower left", fontsize=7)
    right.legend(loc="upper left", fontsize=7)
    return axes


def _window_mean(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Means of consecutive blocks of ``window`` rows, and the block centres."""
    blocks = values.shape[0] // window
    trimmed = values[: blocks * window].reshape(blocks, window, *values.shape[1:])
    return (np.arange(blocks) + 0.5) * window, trimmed.mean(axis=1)


def plot_training_curves(ax, runs, quantity: str, *, window: int = 50, optimum=None):
    """One curve per training run against the step: the mean over its seeded chains.

    ``runs`` are :class:`binary_gumbel.estimators.relax_training.Training` results;
    ``quantity`` is ``"loss"`` (the excess loss ``L - t^2``, log scale, with the
    chains' 10-90 % band), ``"probability"`` (``p = sigmoid(theta)``, with the
    band) or ``"variance"`` (log10 of the single-sample variance, averaged over
    the chains and over blocks of ``window`` steps). The exact gradient, when
    present, is black; it has no variance curve.
    """
    if quantity not in ("loss", "probability", "variance"):
        raise ValueError(f"quantity must be 'loss', 'probability' or 'variance'; got {quantity!r}")
    if not runs:
        raise ValueError("runs must not be empty")
    others = [r for r in runs if r.method != "exact"]
    looks = zip(_series_colours(len(others)), _DASHES, strict=False)
    styles = {r.method: look for r, look in zip(others, looks, strict=False)}
    styles["exact"] = (PALETTE["black"], "-")
    for run in runs:
        colour, dash = styles[run.method]
        label = "exact gradient" if run.method == "exact" else run.method
        if quantity == "variance":
            if run.method == "exact":
                continue
            steps, var = _window_mean(run.variance.mean(axis=1), window)
            ax.plot(steps, np.log10(var), color=colour, ls=dash, lw=1.6, label=label)
            continue
        values = run.loss - run.target**2 if quantity == "loss" else run.probability
        steps = np.arange(values.shape[0])
        ax.plot(steps, values.mean(axis=1), color=colour, ls=dash, lw=1.6, label=label)
        if run.method != "exact":
            low, high = np.quantile(values, [0.1, 0.9], axis=1)
            ax.fill_between(steps, low, high, color=colour, alpha=0.15, lw=0)
    if optimum is not None:
        ax.axhline(optimum, color=PALETTE["black"], lw=0.8, ls=":", label="optimum")
    ax.set_xlabel("step")
    ylabels = {
        "loss": "excess loss L(θ) − t²",
        "probability": "p = σ(θ)",
        "variance": "log₁₀ variance of one estimate",
    }
    ax.set_ylabel(ylabels[quantity])
    if quantity == "loss":
        ax.set_yscale("log")
    return ax


def plot_learned_relaxation(ax, z, learned, concrete, *, baseline=None):
    """RELAX's learned control variates ``c_phi(z)`` against the fixed Concrete one.

    ``learned`` is an ``(runs, len(z))`` array of ``c_phi`` on the grid ``z``, one
    thin line per run; ``concrete`` is ``f(sigmoid(z / lambda))``; ``baseline``, if
    given, the variance-optimal constant baseline, a dotted line.
    """
    z = _values(z, "z")
    learned = _values(learned, "learned", ndim=2)
    concrete = _values(concrete, "concrete")
    if learned.shape[1] != z.size or concrete.size != z.size:
        raise ValueError("learned and concrete must be evaluated on the grid z")
    for k, row in enumerate(learned):
        ax.plot(
            z,
            row,
            color=PALETTE["blue"],
            lw=1.0,
            alpha=0.6,
            label="RELAX c_φ(z), learned" if k == 0 else None,
        )
    ax.plot(
        z,
        concrete,
        color=PALETTE["vermillion"],
        lw=2.0,
        ls="--",
        label="Concrete f(σ(z/λ)) (REBAR)",
    )
    if baseline is not None:
        ax.axhline(
            baseline, color=PALETTE["black"], lw=1.0, ls=":", label="optimal constant baseline"
        )
    ax.axvline(0.0, color="#999999", lw=0.8)
    ax.set_xlabel("z (b = 1 to the right of 0)")
    ax.set_ylabel("control variate")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8)
    return ax
