"""REBAR on the toy problem: its two parts, its variance over ``(eta, temperature)``, limits.

Tucker et al. (2017), "REBAR", arXiv:1703.07370: REINFORCE with the Concrete relaxation
``f(sigmoid(z / lambda))``, scaled by ``eta``, as its control variate, unbiased for every
``eta`` and ``lambda``. The estimator is :mod:`binary_gumbel.estimators.rebar.estimator`, its
variance over a grid of ``(eta, temperature)`` :mod:`binary_gumbel.estimators.rebar.variance`,
the best REBAR's saving as a function of the target
:mod:`binary_gumbel.estimators.rebar.saving`, and its limits
:mod:`binary_gumbel.estimators.rebar.limits`; the package gathers their names. RELAX, the
learned control variate, is :mod:`binary_gumbel.estimators.relax`.
"""

from __future__ import annotations

from binary_gumbel.estimators.rebar.estimator import rebar, rebar_parts, rebar_parts_of
from binary_gumbel.estimators.rebar.limits import limit_eta, optimal_baseline
from binary_gumbel.estimators.rebar.saving import SavingCurve, saving_curve
from binary_gumbel.estimators.rebar.variance import (
    VarianceGrid,
    first_temperature_saving,
    held_out_saving,
    rebar_variance_grid,
    temperature_index,
)

__all__ = [
    "SavingCurve",
    "VarianceGrid",
    "first_temperature_saving",
    "held_out_saving",
    "limit_eta",
    "optimal_baseline",
    "rebar",
    "rebar_parts",
    "rebar_parts_of",
    "rebar_variance_grid",
    "saving_curve",
    "temperature_index",
]
