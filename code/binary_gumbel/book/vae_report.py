"""What the VAE chapters report: paired comparisons, the learning-rate check, the verdict table.

Conventions (the book's): means over a few seeds get Student-t intervals
(:func:`binary_gumbel.verification.montecarlo.mean_intervals`); two methods run on the same seeds
see the same data, so they are compared by the paired differences, seed by seed,
with a Student-t interval and the paired t-test; every rate stated is two-sided and
per interval, and a family of ``m`` intervals has a family-wise rate of at most ``m``
times it (Bonferroni).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from binary_gumbel.book.prose.numbers import bracketed, compact, number, scientific
from binary_gumbel.estimators.vae_study import GradientStats
from binary_gumbel.estimators.vae_training import Training, method
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = [
    "Paired",
    "RateCheck",
    "Verdict",
    "paired",
    "rate_check",
    "verdict_markdown",
    "verdicts",
]


@dataclass(frozen=True)
class Paired:
    """Final test ELBO of ``a`` minus that of ``b``, paired by seed."""

    a: str
    b: str
    difference: float
    low: float
    high: float
    pvalue: float
    false_alarm: float

    @property
    def ordering(self) -> str:
        """Whether "``a`` above ``b``" holds, is reversed, or is not resolved by the interval."""
        if self.low > 0:
            return "holds (interval above 0)"
        if self.high < 0:
            return "is reversed (interval below 0)"
        return "is not resolved (interval contains 0)"

    @property
    def verdict(self) -> str:
        """Which method the interval puts above the other, by name, or that it does not."""
        if self.low > 0:
            return f"{self.a} is above {self.b}"
        if self.high < 0:
            return f"{self.b} is above {self.a}"
        return f"neither {self.a} nor {self.b} is shown above the other"

    @property
    def text(self) -> str:
        """``+0.12 [+0.05, +0.19] nats (paired t-test p = 3.1×10⁻³)``."""
        body = f"{self.difference:+.2f} [{self.low:+.2f}, {self.high:+.2f}] nats"
        return body.replace("-", "−") + f" (paired t-test p = {scientific(self.pvalue)})"


def paired(run: Training, a: str, b: str, rate: int = 0, false_alarm: float = 0.05) -> Paired:
    """Compare the final test ELBO of methods ``a`` and ``b`` seed by seed."""
    ea, eb = run.final_elbo(a, rate), run.final_elbo(b, rate)
    mean, low, high = mean_intervals(ea - eb, axis=0, false_alarm=false_alarm)
    p = float(stats.ttest_rel(ea, eb).pvalue)
    return Paired(a, b, float(mean), float(low), float(high), p, false_alarm)


@dataclass(frozen=True)
class RateCheck:
    """For each method, its best learning rate and how much the common one gives up.

    ``shortfall[m]`` is the mean over seeds of (final ELBO at the best rate) minus
    (final ELBO at ``common``), paired by seed, with Student-t bounds ``low``, ``high``
    (0 where the best rate is the common one).
    """

    methods: tuple[str, ...]
    rates: tuple[float, ...]
    common: float
    best: tuple[float, ...]
    shortfall: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def elsewhere_text(self) -> str:
        """The methods whose mean final ELBO is highest at another rate than the common one,
        by how much, with intervals (prose): a lead whose interval contains 0 is no optimum."""
        parts = [
            f"{m}'s mean is highest at {b:g}, ahead of the common rate by {number(s)} nats "
            f"[{number(lo)}, {number(hi)}]"
            for m, b, s, lo, hi in zip(
                self.methods, self.best, self.shortfall, self.low, self.high, strict=True
            )
            if b != self.common
        ]
        return "; ".join(parts) if parts else "every method's mean is highest at the common rate"

    def edge_text(self) -> str:
        """Which methods do best at an end of the grid (prose)."""
        if not self.at_edge:
            return "No method does best at either end of the grid"
        return "At an end of the grid: " + ", ".join(self.at_edge)

    @property
    def at_edge(self) -> tuple[str, ...]:
        """The methods whose best rate is the smallest or the largest of the grid."""
        edge = (min(self.rates), max(self.rates))
        return tuple(m for m, b in zip(self.methods, self.best, strict=True) if b in edge)


def rate_check(run: Training, common: float | None = None, false_alarm: float = 0.05) -> RateCheck:
    """:class:`RateCheck` of a run over several learning rates (final checkpoint).

    ``common`` defaults to the rate with the highest final test ELBO averaged over the
    methods and seeds: the one rate chosen for all methods.
    """
    rates = tuple(run.learning_rates)
    if common is None:
        common = rates[int(np.argmax(run.test_elbo[:, :, :, -1].mean(axis=(0, 2))))]
    if common not in rates:
        raise ValueError(f"common must be one of the run's learning rates {rates}; got {common}")
    c = rates.index(common)
    best, short, low, high = [], [], [], []
    for name in run.methods:
        final = run.test_elbo[run.index(name), :, :, -1]  # (rates, seeds)
        i = int(np.argmax(final.mean(axis=1)))
        best.append(rates[i])
        if i == c:
            short.append(0.0)
            low.append(0.0)
            high.append(0.0)
            continue
        m, lo, hi = mean_intervals(final[i] - final[c], axis=0, false_alarm=false_alarm)
        short.append(float(m))
        low.append(float(lo))
        high.append(float(hi))
    return RateCheck(
        run.methods, rates, common, tuple(best), np.array(short), np.array(low), np.array(high)
    )


@dataclass(frozen=True)
class Verdict:
    """One row of the "which estimator?" table."""

    method: str
    unbiased: bool
    elbo: float
    elbo_low: float
    elbo_high: float
    along: float
    along_low: float
    along_high: float
    relative_mse: float
    variance: float
    evaluations: float
    time_ratio: float


def verdicts(run: Training, study: Sequence[GradientStats]) -> list[Verdict]:
    """The table's rows, in the order of ``run.methods`` (the estimators of both)."""
    by = {r.method: r for r in study}
    ratio = run.time_ratio()
    rows = []
    for name in run.methods:
        if name not in by:
            continue
        e, lo, hi = mean_intervals(run.final_elbo(name), axis=0)
        s = by[name]
        i = run.index(name)
        rows.append(
            Verdict(
                name,
                method(name).unbiased,
                float(e),
                float(lo),
                float(hi),
                s.along,
                s.along_low,
                s.along_high,
                s.relative_mse,
                s.variance,
                float(run.evaluations[i]),
                float(ratio[i]),
            )
        )
    return rows


def verdict_markdown(rows: Sequence[Verdict]) -> str:
    """The "which estimator?" table in Markdown, best final ELBO first.

    Six narrow columns: a biased estimator's name carries "(biased)"; ELBO and bias
    with two decimals, MSE and variance by :func:`compact`; time as a ratio.
    """
    lines = [
        "| estimator | test ELBO [95 % t] | bias along exact | MSE / ‖exact‖² "
        "| variance | evals / time |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for r in sorted(rows, key=lambda r: -r.elbo):
        name = r.method if r.unbiased else f"{r.method} (biased)"
        elbo = bracketed(r.elbo, r.elbo_low, r.elbo_high)
        along = bracketed(r.along, r.along_low, r.along_high, "+.2f")
        lines.append(
            f"| {name} | {elbo} | {along} | {compact(r.relative_mse)} "
            f"| {compact(r.variance)} | {r.evaluations:g} / {r.time_ratio:.2f} |"
        )
    return "\n".join(lines)
