"""Statistical checks for Monte Carlo demonstrations, built on :mod:`scipy.stats`.

Every check here is a hypothesis test run at a *stated false-alarm rate*: the
probability that the check fails although the claim it tests is true. The
tolerances are derived from the sampling distribution, never tuned by hand, so
a passing check means "consistent with the claim at that rate" and a failing one
means "contradicts it, with that rate of being wrong".

The default rate is ``1e-6``: a suite of a few hundred such checks then fails
spuriously with probability below ``1e-3``, and with fixed seeds it either
always passes or always fails.

The book's convention, used by every module and chapter: a mean over few runs
(a few dozen seeded training runs, say) gets a Student-t interval
(:func:`mean_interval`, ``n - 1`` degrees of freedom; over ``10**4`` samples or
more it agrees with the normal one to 0.1 %), a proportion an exact
Clopper-Pearson interval (:func:`proportion_interval`), and two sets of runs
paired by seed (the same noise in both) a paired test (:func:`paired_comparison`:
a Student-t interval for the mean of the per-seed differences and a Wilcoxon
signed-rank p-value), never a test for independent samples such as
Mann-Whitney. The rate is always an argument named ``false_alarm``, the
probability that the interval misses the true value (a 95 % interval is
``false_alarm=0.05``), and it is *per interval*: when a page shows ``k``
intervals, the chance that any of them misses is at most ``k * false_alarm``
(Bonferroni, :func:`family_wise`), and a page that wants a family-wise rate
``a`` uses ``a / k`` per interval.

One module per job, gathered here: the rates and quantiles with the family-wise bound
(``quantiles``), the t test's power (``power``), the intervals (``intervals``) and the checks
(``checks``). The limits of the computations, :data:`NORMAL_DOF`, :data:`SCIPY_T_TAIL_FLOOR`,
:data:`MAX_TRIALS` and :data:`SCIPY_TAIL_FLOOR`, are importable from here too, outside
``__all__``.
"""

from binary_gumbel.verification.montecarlo.checks import (
    KSCheck,
    MeanCheck,
    ProportionCheck,
    check_ks,
    check_mean,
    check_proportion,
)
from binary_gumbel.verification.montecarlo.intervals import (
    MAX_TRIALS,
    SCIPY_TAIL_FLOOR,
    Interval,
    PairedComparison,
    mean_interval,
    mean_intervals,
    paired_comparison,
    proportion_interval,
)
from binary_gumbel.verification.montecarlo.power import t_test_power
from binary_gumbel.verification.montecarlo.quantiles import (
    DEFAULT_FALSE_ALARM,
    NORMAL_DOF,
    SCIPY_T_TAIL_FLOOR,
    family_wise,
    t_for_false_alarm,
    z_for_false_alarm,
)

__all__ = [
    "DEFAULT_FALSE_ALARM",
    "MAX_TRIALS",
    "NORMAL_DOF",
    "SCIPY_TAIL_FLOOR",
    "SCIPY_T_TAIL_FLOOR",
    "Interval",
    "KSCheck",
    "MeanCheck",
    "PairedComparison",
    "ProportionCheck",
    "check_ks",
    "check_mean",
    "check_proportion",
    "family_wise",
    "mean_interval",
    "mean_intervals",
    "paired_comparison",
    "proportion_interval",
    "t_for_false_alarm",
    "t_test_power",
    "z_for_false_alarm",
]
