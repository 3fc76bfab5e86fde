"""What is read off trainings with REBAR and RELAX, and off the ``phi`` they learn.

The runs of :mod:`binary_gumbel.estimators.relax_training.training` are compared here: the
final ``p`` of two methods paired by seed (:func:`compare_final`), a quantity of their steps
against a reference's (:func:`step_ratio`), Adam's smallest step (:func:`smallest_step`) and
a learned baseline's offset from the best constant (:func:`baseline_offset`). RELAX's
relaxation learned at a fixed ``theta`` (:func:`learned_relaxation`) and its variance at a
``phi`` (:func:`estimator_variance`) read what ``phi`` learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import as_float_array, as_generator, check_count, finite_number
from binary_gumbel.estimators.relax import control_variate, relax
from binary_gumbel.estimators.relax_training.training import Training, train
from binary_gumbel.verification.montecarlo import (
    Interval,
    PairedComparison,
    mean_interval,
    paired_comparison,
)

__all__ = [
    "FinalComparison",
    "baseline_offset",
    "compare_final",
    "estimator_variance",
    "learned_relaxation",
    "smallest_step",
    "step_ratio",
]


def smallest_step(run: Training, gradient_above: float = 0.0) -> float:
    """The smallest of ``run.theta_step``, as a multiple of ``run.learning_rate``, over the
    steps whose exact gradient (``run.gradient_size``) is above ``gradient_above``.

    Compares Adam's step with its nominal size ``learning_rate`` away from the steps where
    ``eps`` (:data:`~binary_gumbel.estimators.optim.EPS`) rather than the gradient sets it.
    ``ValueError`` if ``run`` descends the probability, or if no step's gradient is above
    ``gradient_above``.
    """
    if run.parameterisation != "logit":
        raise ValueError(
            f"run must descend the logit (parameterisation 'logit'); got {run.parameterisation!r}"
        )
    floor = finite_number(gradient_above, "gradient_above")
    above = run.gradient_size > floor
    if not above.any():
        raise ValueError(
            f"gradient_above must be below the largest gradient of the run, "
            f"{run.gradient_size.max():.3g}; got {gradient_above!r}"
        )
    return float(run.theta_step[above].min() / run.learning_rate)


def baseline_offset(run: Training, first_step: int | None = None) -> float:
    """Root mean square of ``d - c*(theta)`` from ``first_step`` on (by default the second
    half of the steps), over the runs of a learned constant baseline.

    With a constant baseline ``d`` the estimate is ``(f(b) - d)(b - p)`` in the logit, and
    the best constant ``c*`` (:func:`binary_gumbel.estimators.rebar.optimal_baseline`)
    makes it the exact gradient ``L'`` for either ``b``, so
    ``(f(b) - d)(b - p) = L' - (d - c*)(b - p)``: within a step (fixed ``theta`` and ``d``)
    the ``batch`` estimates have sample variance ``(d - c*)^2`` times that of ``b``, whose
    mean is ``p (1 - p)``. Each step's recorded variance divided by ``p (1 - p)`` is thus an
    unbiased estimate of ``(d - c*)^2``, and the root of their mean over the steps and
    runs is returned. ``ValueError`` unless ``run`` is the "baseline" method descending
    the logit, or if ``first_step`` leaves no step.
    """
    if run.method != "baseline" or run.parameterisation != "logit":
        raise ValueError(
            "run must be the 'baseline' method descending the logit; "
            f"got {run.method!r}, {run.parameterisation!r}"
        )
    steps = run.variance.shape[0]
    first = steps // 2 if first_step is None else int(first_step)
    if not 0 <= first < steps:
        raise ValueError(f"first_step must lie in [0, {steps}); got {first_step!r}")
    p = run.probability[first:-1]
    return float(np.sqrt(np.mean(run.variance[first:] / (p * (1 - p)))))


@dataclass(frozen=True)
class FinalComparison:
    """Final ``p`` of two sets of seeded runs, paired by seed (runs with the same index
    share their noise): the :class:`~binary_gumbel.verification.montecarlo.PairedComparison` of
    ``p_a - p_b`` (Student-t interval, one-sided Wilcoxon signed-rank p-value for
    "``a`` ends lower")."""

    a: str
    b: str
    paired: PairedComparison

    @property
    def difference(self) -> float:
        return self.paired.difference

    @property
    def low(self) -> float:
        return self.paired.low

    @property
    def high(self) -> float:
        return self.paired.high

    @property
    def pvalue(self) -> float:
        return self.paired.pvalue

    @property
    def false_alarm(self) -> float:
        return self.paired.false_alarm


def compare_final(a: Training, b: Training, false_alarm: float = 0.05) -> FinalComparison:
    """Compare the final ``p`` of runs ``a`` and ``b`` (see :class:`FinalComparison`)."""
    paired = paired_comparison(a.probability[-1], b.probability[-1], false_alarm)
    return FinalComparison(a.method, b.method, paired)


def step_ratio(
    run: Training,
    reference: Training,
    start: int,
    stop: int,
    false_alarm: float = 0.05,
    of: str = "step",
) -> Interval:
    """How large a quantity of the steps of ``run`` is, against ``reference``, over steps
    ``start`` to ``stop``: by default the logit's step, how far it moves.

    For each seed ``s`` (runs with the same index share their noise), the mean of
    ``run.per_step(of)[k, s]`` over ``start <= k < stop`` divided by the same mean in
    ``reference``; returns the mean of these ratios over the seeds, with its Student-t
    interval at ``false_alarm``
    (:func:`~binary_gumbel.verification.montecarlo.mean_interval`). ``of`` is one of
    :data:`~binary_gumbel.estimators.relax_training.training.PER_STEP` (see
    :meth:`Training.per_step`). ``ValueError`` unless the two have the same steps and at
    least 2 runs, ``0 <= start < stop <= steps``, and the quantity of ``reference`` is
    positive in every run over those steps.
    """
    if run.theta.shape != reference.theta.shape:
        raise ValueError(
            "run and reference must have the same steps and runs; "
            f"got theta of shapes {run.theta.shape} and {reference.theta.shape}"
        )
    steps, runs = run.theta.shape[0] - 1, run.theta.shape[1]
    if runs < 2:
        raise ValueError(f"run and reference must hold at least 2 runs; got {runs}")
    start, stop = check_count(start, "start", 0), check_count(stop, "stop", 1)
    if not start < stop <= steps:
        raise ValueError(
            f"start and stop must satisfy 0 <= start < stop <= {steps}; got {start}, {stop}"
        )
    mean, mean_reference = (r.per_step(of)[start:stop].mean(axis=0) for r in (run, reference))
    if not np.all(mean_reference > 0):
        raise ValueError(
            f"the {of} of reference must be positive in every run over steps {start} to {stop}"
        )
    return mean_interval(mean / mean_reference, false_alarm)


def learned_relaxation(
    theta: float, target: float, z, steps: int = 1000, chains: int = 8, rng=0, **settings
):
    """Train RELAX's ``phi`` at a fixed ``theta`` and evaluate ``c_phi`` on the grid ``z``.

    Returns ``(training, curves)`` with ``curves`` of shape ``(chains, len(z))``.
    """
    run = train(
        "RELAX",
        target,
        steps=steps,
        chains=chains,
        theta0=theta,
        learn_theta=False,
        rng=rng,
        **settings,
    )
    z = as_float_array(z, "z", np.float64).ravel()
    curves = np.stack([control_variate(z, phi, target)[0] for phi in run.phi])
    return run, curves


def estimator_variance(theta: float, target: float, phi, n: int = 100_000, rng=None) -> float:
    """The single-sample variance of RELAX at ``phi`` (one vector), from ``n`` draws."""
    uv = as_generator(rng).random((2, check_count(n, "n", 2)))
    return float(np.var(relax(theta, target, uv[0], uv[1], phi), ddof=1))
