"""What the VAE chapters report: paired comparisons, the learning-rate check, the verdict table.

Conventions (the book's): means over a few seeds get Student-t intervals
(:func:`binary_gumbel.verification.montecarlo.mean_intervals`); two methods run on the same seeds
see the same data, so they are compared by the paired differences, seed by seed,
with a Student-t interval and the paired t-test; every rate stated is two-sided and
per interval, and a family of ``m`` intervals named in advance has a family-wise rate of at
most ``m`` times it (Bonferroni); where the intervals are picked with the help of the same
runs, as in :func:`top_family`, ``m`` counts every interval they could have been picked from.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from scipy import stats

from binary_gumbel._validation import (
    as_float_array,
    check_false_alarm,
    check_index,
    check_no_nan,
    check_probability,
    finite_float64,
    finite_number,
    single_number,
)
from binary_gumbel.book.prose.numbers import bracketed, compact, joined, number, scientific
from binary_gumbel.estimators.vae_study import GradientStats
from binary_gumbel.estimators.vae_training import Training, method
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = [
    "BiasedReading",
    "Paired",
    "RateCheck",
    "TopFamily",
    "Verdict",
    "biased_reading",
    "listing",
    "paired",
    "rate_check",
    "stricter_reading",
    "top_family",
    "verdict_markdown",
    "verdicts",
]


def _check_numbers(record, names) -> None:
    """Refuse a NaN, an array or a non-number in the fields ``names`` of ``record``, naming the
    field: a NaN would be printed as "nan" in the chapters' prose and tables."""
    for name in names:
        single_number(
            check_no_nan(as_float_array(getattr(record, name), name, np.float64), name), name
        )


@dataclass(frozen=True)
class Paired:
    """Final test ELBO of ``a`` minus that of ``b``, paired by seed.

    ``difference``, ``low`` and ``high`` are numbers (``ValueError`` for NaN), ``pvalue`` a
    probability and ``false_alarm`` a rate in (0, 1).
    """

    a: str
    b: str
    difference: float
    low: float
    high: float
    pvalue: float
    false_alarm: float

    def __post_init__(self):
        _check_numbers(self, ("difference", "low", "high"))
        single_number(check_probability(self.pvalue, "pvalue", np.float64), "pvalue")
        check_false_alarm(self.false_alarm, "false_alarm")

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


def _check_run(run) -> Training:
    """``run`` itself if it is a :class:`Training`; ``TypeError`` naming it otherwise."""
    if not isinstance(run, Training):
        raise TypeError(
            "run must be a Training (binary_gumbel.estimators.vae_training); "
            f"got {type(run).__name__}"
        )
    return run


def _difference(x: np.ndarray, y: np.ndarray, what: str) -> np.ndarray:
    """``x - y`` of two arrays of final ELBOs; ``ValueError`` naming ``what`` where a
    difference lies beyond the largest double."""
    with np.errstate(over="ignore"):
        d = x - y
    if not np.isfinite(d).all():
        raise ValueError(
            f"{what} must differ by at most {np.finfo(np.float64).max:g}, the largest double, "
            "seed by seed"
        )
    return d


#: The range of the largest paired difference in magnitude within which scipy's t-test is
#: taken as it is: squared deviations of that size neither underflow nor overflow.
_PLAIN_RANGE = (2.0**-500, 2.0**500)


def _paired_pvalue(ea: np.ndarray, eb: np.ndarray, d: np.ndarray) -> float:
    """The two-sided p-value of the paired t-test of ``ea`` against ``eb``, ``d = ea - eb``.

    scipy's ``ttest_rel`` where it computes the statistic as it is. Where every difference is
    the same, ``t = mean / 0`` has its limit: p = 1 for a zero difference (``t = 0`` at any
    spread) and p = 0 otherwise (``|t| = inf``). Where the largest difference in magnitude is
    beyond :data:`_PLAIN_RANGE`, or where scipy itself warns (its ``RuntimeWarning`` that the
    differences are nearly identical and its moments imprecise), ``t`` is computed from the
    differences scaled exactly by a power of two (``t`` does not change) and taken about the
    first one (which the nearly equal ones subtract from exactly). Nearly equal differences
    that scipy does not warn about keep scipy's answer, with the precision it has.
    """
    if np.all(d == d[0]):
        return 1.0 if d[0] == 0 else 0.0
    top = float(np.max(np.abs(d)))
    if _PLAIN_RANGE[0] <= top <= _PLAIN_RANGE[1]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                return float(stats.ttest_rel(ea, eb).pvalue)
            except RuntimeWarning:  # nearly equal differences: computed below
                pass
    u = np.ldexp(d, -np.frexp(top)[1])
    e = u - u[0]  # not all 0: scaling by a power of two keeps unequal differences unequal
    t = (u[0] + e.mean()) / (e.std(ddof=1) / np.sqrt(d.size))
    return float(2 * stats.t.sf(abs(t), d.size - 1))


def paired(run: Training, a: str, b: str, rate_index: int = 0, false_alarm: float = 0.05) -> Paired:
    """Compare the final test ELBO of methods ``a`` and ``b`` seed by seed, at the learning rate
    ``run.learning_rates[rate_index]`` (an integer index, negative from the end).

    The p-value of equal differences on every seed is its limit (:func:`_paired_pvalue`).
    """
    rates = len(_check_run(run).learning_rates)
    rate_index = check_index(rate_index, "rate_index", rates, "the run's learning rates")
    ea = finite_float64(run.final_elbo(a, rate_index), f"the final test ELBOs of {a!r}")
    eb = finite_float64(run.final_elbo(b, rate_index), f"the final test ELBOs of {b!r}")
    d = _difference(ea, eb, f"the final test ELBOs of {a!r} and {b!r}")
    mean, low, high = mean_intervals(d, axis=0, false_alarm=false_alarm)
    p = _paired_pvalue(ea, eb, d)
    return Paired(a, b, float(mean), float(low), float(high), p, false_alarm)


def _check_rate(value, rates: tuple[float, ...], name: str) -> None:
    """``ValueError`` naming ``name`` unless ``value`` is one of the learning rates ``rates``:
    a rate that was not run would be printed as if it had been."""
    if value not in rates:
        raise ValueError(f"{name} must be one of the run's learning rates {rates}; got {value}")


@dataclass(frozen=True)
class RateCheck:
    """For each method, its best learning rate and how much the common one gives up.

    ``shortfall[m]`` is the mean over seeds of (final ELBO at the best rate) minus
    (final ELBO at ``common``), paired by seed, with Student-t bounds ``low``, ``high``
    (0 where the best rate is the common one). ``common`` and every ``best`` rate are among
    ``rates`` (``ValueError`` naming the field otherwise).
    """

    methods: tuple[str, ...]
    rates: tuple[float, ...]
    common: float
    best: tuple[float, ...]
    shortfall: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __post_init__(self):
        if not self.rates:
            raise ValueError("rates must hold at least one learning rate")
        for name in ("best", "shortfall", "low", "high"):
            if len(getattr(self, name)) != len(self.methods):
                raise ValueError(
                    f"{name} must hold one value per method ({len(self.methods)}); "
                    f"got {len(getattr(self, name))}"
                )
            check_no_nan(as_float_array(getattr(self, name), name, np.float64), name)
        _check_numbers(self, ("common",))
        _check_rate(self.common, self.rates, "common")
        for b in self.best:
            _check_rate(b, self.rates, "best")

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


def _best_mean(values: np.ndarray, axis) -> int:
    """The index of the highest mean of the finite ``values`` over ``axis`` (the first of
    equal ones); a sum beyond the largest double is taken over the values divided first."""
    with np.errstate(over="ignore"):
        means = values.mean(axis=axis)
    if not np.isfinite(means).all():
        means = np.sum(values / (values.size // means.size), axis=axis)
    return int(np.argmax(means))


def rate_check(run: Training, common: float | None = None, false_alarm: float = 0.05) -> RateCheck:
    """:class:`RateCheck` of a run over several learning rates (final checkpoint).

    ``common`` defaults to the rate with the highest final test ELBO averaged over the
    methods and seeds: the one rate chosen for all methods. The final ELBOs must be finite
    (``ValueError``: a NaN would be picked as the highest).
    """
    rates = tuple(_check_run(run).learning_rates)
    finals = finite_float64(run.test_elbo[:, :, :, -1], "run.test_elbo (final checkpoint)")
    check_false_alarm(false_alarm, "false_alarm")
    if common is None:
        common = rates[_best_mean(finals, (0, 2))]
    else:
        common = finite_number(common, "common")
    _check_rate(common, rates, "common")
    c = rates.index(common)
    best, short, low, high = [], [], [], []
    for name in run.methods:
        final = finals[run.index(name)]  # (rates, seeds)
        i = _best_mean(final, 1)
        best.append(rates[i])
        if i == c:
            short.append(0.0)
            low.append(0.0)
            high.append(0.0)
            continue
        d = _difference(
            final[i], final[c], f"the final test ELBOs of {name!r} at {rates[i]:g} and {common:g}"
        )
        m, lo, hi = mean_intervals(d, axis=0, false_alarm=false_alarm)
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

    def __post_init__(self):
        _check_numbers(self, [f.name for f in fields(self) if f.type == "float"])


def _elbo_interval(run: Training, name: str) -> tuple[float, float, float]:
    """The mean final test ELBO of method ``name`` over the seeds of ``run`` (first learning
    rate) with its 95 % Student-t interval: a :class:`Verdict`'s ``elbo``, ``elbo_low`` and
    ``elbo_high``."""
    e, lo, hi = mean_intervals(run.final_elbo(name), axis=0)
    return float(e), float(lo), float(hi)


def verdicts(run: Training, study: Sequence[GradientStats]) -> list[Verdict]:
    """The table's rows, in the order of ``run.methods`` (the estimators of both)."""
    by = {r.method: r for r in study}
    ratio = _check_run(run).time_ratio()
    rows = []
    for name in run.methods:
        if name not in by:
            continue
        e, lo, hi = _elbo_interval(run, name)
        s = by[name]
        i = run.index(name)
        rows.append(
            Verdict(
                name,
                method(name).unbiased,
                e,
                lo,
                hi,
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


def _check_rows(rows) -> list[Verdict]:
    """``rows`` as a list of :class:`Verdict`, each method once; ``TypeError`` or
    ``ValueError`` naming ``rows`` otherwise."""
    rows = list(rows)
    if not all(isinstance(r, Verdict) for r in rows):
        raise TypeError("rows must hold Verdict objects (see verdicts)")
    names = [r.method for r in rows]
    twice = sorted({m for m in names if names.count(m) > 1})
    if twice:
        raise ValueError(f"rows must hold each method once; got {twice} more than once")
    return rows


def verdict_markdown(rows: Sequence[Verdict]) -> str:
    """The "which estimator?" table in Markdown, best final ELBO first.

    Six narrow columns: a biased estimator's name carries "(biased)"; ELBO and bias
    with two decimals, MSE and variance by :func:`compact`; time as a ratio. ``rows``
    hold at least one method, each once, and no name with a ``|`` (it would split a cell).
    """
    rows = _check_rows(rows)
    if not rows:
        raise ValueError("rows must hold at least one Verdict")
    split = [r.method for r in rows if "|" in r.method]
    if split:
        raise ValueError(f"rows must name methods without '|' (it would split a cell); got {split}")
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


# The guide read off the table. Each reading below is computed from the intervals, so that no
# typed word beside it presupposes one outcome of a seeded training.


def listing(names: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``: names in running prose
    (:func:`~binary_gumbel.book.prose.numbers.joined`), at least one."""
    names = list(names)
    if not names:
        raise ValueError("names must hold at least one name")
    return joined(names)


@dataclass(frozen=True)
class TopFamily:
    """The method with the highest mean final ELBO, paired by seed with every other, each
    difference ``top - other`` with an interval at ``false_alarm``: Bonferroni over all
    ``pairs`` pairs of the methods (see :func:`top_family`)."""

    top: str
    seeds: int
    false_alarm: float
    pairs: int
    comparisons: dict[str, Paired]

    @property
    def not_worse(self) -> tuple[str, ...]:
        """The methods whose interval contains 0: not shown to be worse than the top one."""
        return tuple(m for m, c in self.comparisons.items() if c.low <= 0)

    def shown_below(self, name: str) -> bool:
        """Whether ``name`` was compared with the top method and its interval lies above 0."""
        c = self.comparisons.get(name)
        return c is not None and c.low > 0

    def text(self) -> str:
        """Which methods are not shown to be worse than the top one (prose)."""
        if not self.not_worse:
            return (
                "every other method lies below it: each difference's interval lies above 0, "
                "so each is shown to be worse"
            )
        one = len(self.not_worse) == 1
        return (
            f"the difference{'' if one else 's'} of {listing(self.not_worse)} "
            f"{'contains' if one else 'each contain'} 0, so at {self.seeds} seeds "
            f"{'it is' if one else 'those are'} not shown to be worse (a wide interval does "
            f"not show {'it' if one else 'them'} equal either)"
        )


def top_family(
    run: Training, rows: Sequence[Verdict], family_false_alarm: float = 0.05
) -> TopFamily:
    """:class:`TopFamily` of the table's ``m`` rows, at ``family_false_alarm`` over all their
    pairs.

    The top method is chosen from the same runs, which pushes every ``top - other``
    difference upwards: Bonferroni over its ``m - 1`` comparisons would not hold the
    family-wise rate (``tests/test_vae_training.py`` simulates equal methods). Bonferroni over
    all ``m (m - 1) / 2`` pairs covers every pair at once, so it covers the pairs that the
    choice of the top picks out: each interval is at ``family_false_alarm`` over that count.

    ``rows`` are :func:`verdicts` of ``run`` (all its methods or some): each row's method is
    one of ``run.methods`` and its ``elbo`` the mean final ELBO that ``run`` gives it, to the
    bit (``ValueError`` naming ``rows`` otherwise), so that the top is picked from the run
    that the comparisons are computed on.
    """
    family_false_alarm = check_false_alarm(family_false_alarm, "family_false_alarm")
    rows = _check_rows(rows)
    methods = _check_run(run).methods
    for r in rows:
        if r.method not in methods:
            raise ValueError(f"rows must name methods of run {list(methods)}; got {r.method!r}")
        elbo = _elbo_interval(run, r.method)[0]
        if r.elbo != elbo:
            raise ValueError(
                f"rows must be verdicts of run: {r.method!r} has elbo {float(r.elbo)!r}, "
                f"its mean final ELBO in run is {elbo!r}"
            )
    order = sorted(rows, key=lambda r: -r.elbo)
    if len(order) < 2:
        raise ValueError(f"rows must hold at least 2 methods; got {len(order)}")
    pairs = len(order) * (len(order) - 1) // 2
    rate = family_false_alarm / pairs
    comparisons = {
        r.method: paired(run, order[0].method, r.method, false_alarm=rate) for r in order[1:]
    }
    return TopFamily(order[0].method, run.seeds, rate, pairs, comparisons)


def stricter_reading(listed: Paired, strict: Paired) -> tuple[str, str]:
    """One difference ``a - b`` read at two rates, for a method ``a`` that costs more than
    ``b``: where the stricter interval lies, and what the two verdicts leave of the case
    against ``a`` (prose, the second a sentence): ``(where, so)``."""
    if strict.high < 0:
        return "lies below 0", "So the ELBO and the cost both count against it"
    if strict.low > 0:
        return "lies above 0", "So only the cost counts against it"
    if listed.high < 0:
        so = (
            "So whether its ELBO counts against it depends on the false-alarm rate, while its "
            "cost does at any"
        )
    elif listed.low > 0:
        so = (
            "So its ELBO counts for it only at the list's false-alarm rate, while its cost "
            "counts against it at any"
        )
    else:
        so = "So its ELBO is not shown to count against it; its cost does"
    return "contains 0", so


@dataclass(frozen=True)
class BiasedReading:
    """The guide's line on two biased estimators: its heading, their standing against the top
    method, and whether both fall short of the exact gradient (prose)."""

    head: str
    standing: str
    shortfall: str


def biased_reading(
    first: Verdict, second: Verdict, labels: tuple[str, str], family: TopFamily
) -> BiasedReading:
    """:class:`BiasedReading` of two rows: advice against both (``"Not a, nor b"``, from
    ``labels``) only when both are shown below the top method and both intervals of the
    bias along the exact gradient lie below 0, a shortfall no number of samples repairs."""
    below = [r.method for r in (first, second) if family.shown_below(r.method)]
    if len(below) == 2:
        standing = "both are shown below the top method's, in the family above"
    elif below:
        standing = f"of the two, {below[0]}'s is shown below the top method's, in the family above"
    else:
        standing = "neither is shown below the top method's, in the family above"
    short = first.along_high < 0 and second.along_high < 0
    a, b = labels
    head = f"Not {a}, nor {b}" if short and len(below) == 2 else f"{a[:1].upper()}{a[1:]} and {b}"
    shortfall = (
        "Both intervals lie below 0: their estimates fall short of the exact gradient on "
        "average, which no number of samples repairs"
        if short
        else "Not both intervals lie below 0, so a shortfall of both is not shown here"
    )
    return BiasedReading(head, standing, shortfall)
