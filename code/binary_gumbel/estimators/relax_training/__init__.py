"""Training with REBAR and RELAX on the toy problem: ``theta`` by Adam, ``phi`` by the variance.

Grathwohl et al. 2018, arXiv:1711.00123, Algorithm 1, with seeded runs of several methods on
shared noise: the training and its records are
:mod:`binary_gumbel.estimators.relax_training.training`, and what is read off the runs (their
final ``p`` compared paired by seed, their steps, the learned ``phi``)
:mod:`binary_gumbel.estimators.relax_training.readings`; this package gathers their names.
"""

from __future__ import annotations

from binary_gumbel.estimators.relax_training.readings import (
    FinalComparison,
    baseline_offset,
    compare_final,
    estimator_variance,
    learned_relaxation,
    smallest_step,
    step_ratio,
)
from binary_gumbel.estimators.relax_training.training import (
    LATE_OFFSET_FACTOR,
    METHODS,
    PER_STEP,
    PHI_HELD_FROM,
    PHI_HELD_LATE,
    PHI_LEARNING_RATES,
    Settings,
    Training,
    experiment,
    train,
)

__all__ = [
    "LATE_OFFSET_FACTOR",
    "METHODS",
    "PER_STEP",
    "PHI_HELD_FROM",
    "PHI_HELD_LATE",
    "PHI_LEARNING_RATES",
    "FinalComparison",
    "Settings",
    "Training",
    "baseline_offset",
    "compare_final",
    "estimator_variance",
    "experiment",
    "learned_relaxation",
    "smallest_step",
    "step_ratio",
    "train",
]
