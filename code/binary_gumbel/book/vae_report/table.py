"""The "which estimator?" table: its rows (:func:`verdicts`, one :class:`Verdict` per method),
their Markdown (:func:`verdict_markdown`), and the family of paired comparisons of the top
row with every other (:func:`top_family`, a :class:`TopFamily`), at a family-wise rate over
all pairs of the rows, from which the guide reads which methods are shown below the top one;
and :func:`listing`, the methods named in a sentence, which the family's text uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from binary_gumbel._validation import check_false_alarm
from binary_gumbel.book.prose.numbers import bracketed, compact, joined
from binary_gumbel.book.vae_report._checks import _check_numbers, _check_run
from binary_gumbel.book.vae_report.comparison import Paired, paired
from binary_gumbel.estimators.vae_study import GradientStats
from binary_gumbel.estimators.vae_training import Training, method
from binary_gumbel.verification.montecarlo import mean_intervals

__all__ = ["TopFamily", "Verdict", "listing", "top_family", "verdict_markdown", "verdicts"]


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
