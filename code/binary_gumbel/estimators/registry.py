"""The estimators compared on the toy problem, one typed record each.

Every entry is a function of ``(theta, target, tau, u)`` returning one estimate of
``dL/dtheta`` per uniform (or per row of ``u``, for an estimator that takes several), on
``L(theta) = E[(b - t)^2]``, ``b ~ Bernoulli(sigmoid(theta))``
(:mod:`binary_gumbel.estimators.gradients`); ``theta``, ``target``, ``tau`` and ``u``
broadcast together, except in "RELAX", whose ``target`` and ``tau`` are single numbers.
Its :class:`Estimator` record says how many uniforms one estimate takes, whether it has a
temperature, whether it is unbiased and how many evaluations of the objective (or of its
relaxation) one estimate costs. The entries that wrap
:mod:`binary_gumbel.estimators.binary_estimators` take these properties from its
:data:`~binary_gumbel.estimators.binary_estimators.ESTIMATOR_TABLE`, the one description of
those estimators.

- "REINFORCE" (Williams 1992) and "REINFORCE + baseline", whose mean baseline
  ``c = L(theta)`` is an idealisation: it needs the exact objective (in practice a running
  mean of ``f`` stands in for it);
- "relaxed" (the Gumbel-softmax, reparameterised) and "straight-through" (straight-through
  Gumbel-softmax), biased;
- "REBAR" (``eta = 1``, Concrete temperature ``tau``) and "RELAX" (the fixed
  :data:`~binary_gumbel.estimators.relax.REFERENCE_PHI`, temperature ``tau``), which take
  ``u`` of shape ``(..., 2)``;
- "ARM", "DisARM", "RLOO (2 samples)" and "ReinMax"
  (:data:`binary_gumbel.estimators.binary_toy.TOY_ENTRIES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import check_tau, check_uniform, single_number
from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.estimators import binary_toy
from binary_gumbel.estimators.gradients import objective, reinforce, relaxed, straight_through
from binary_gumbel.estimators.rebar import rebar
from binary_gumbel.estimators.relax import REFERENCE_PHI, relax

__all__ = ["ESTIMATORS", "Estimator", "check_estimator", "draw_uniforms"]


@dataclass(frozen=True)
class Estimator:
    """One estimator of the toy problem's gradient.

    ``function(theta, target, tau, u)`` returns one estimate per uniform, or per row of
    ``u`` of shape ``(..., uniforms)`` when ``uniforms > 1``; ``has_temperature`` says
    whether ``tau`` changes its law (without one, ``tau`` is ignored); ``unbiased`` whether
    its mean is the exact gradient; ``evaluations`` how many times one estimate evaluates
    ``f`` (or its relaxation, or ``f``'s gradient for a pathwise estimator).
    """

    name: str
    function: Callable
    uniforms: int
    has_temperature: bool
    unbiased: bool
    evaluations: int


def _from_table(name: str, function: Callable, table_name: str) -> Estimator:
    info = next(e for e in be.ESTIMATOR_TABLE if e.name == table_name)
    return Estimator(
        name, function, info.uniform_vectors, info.has_temperature, info.unbiased, info.evaluations
    )


def _pairs(u) -> np.ndarray:
    u = check_uniform(u, dtype=np.float64)
    if u.ndim < 1 or u.shape[-1] != 2:
        raise ValueError(f"u must have a last axis of length 2, (u, v) pairs; got shape {u.shape}")
    return u


def _rebar_entry(theta, target, tau, u):
    """REBAR with ``eta = 1`` and the Concrete temperature ``lambda = tau``; ``u`` holds pairs."""
    u = _pairs(u)
    return rebar(theta, target, u[..., 0], u[..., 1], eta=1.0, temperature=tau)


def _relax_entry(theta, target, tau, u):
    """RELAX at the fixed ``REFERENCE_PHI``, with ``log lambda = log tau``.

    ``tau`` is one number (it sits in the one parameter vector ``phi``), as is ``target``
    (:func:`binary_gumbel.estimators.relax.relax`): ``ValueError`` naming it otherwise.
    """
    u = _pairs(u)
    tau = single_number(check_tau(tau, np.float64), "tau")
    phi = np.array(REFERENCE_PHI)
    phi[1] = math.log(tau)
    return relax(theta, target, u[..., 0], u[..., 1], phi)


def _reinforce_entry(theta, target, tau, u):
    """REINFORCE without a baseline."""
    return reinforce(theta, target, u)


def _baseline_entry(theta, target, tau, u):
    """REINFORCE with the mean baseline ``c = L(theta)`` (an idealisation)."""
    return reinforce(theta, target, u, baseline=objective(theta, target))


_RECORDS = (
    _from_table("REINFORCE", _reinforce_entry, "REINFORCE"),
    _from_table("REINFORCE + baseline", _baseline_entry, "REINFORCE"),
    _from_table("relaxed", relaxed, "Gumbel-softmax"),
    _from_table("straight-through", straight_through, "straight-through Gumbel-softmax"),
    # f(b), and the relaxation with its slope at z and at z~.
    Estimator("REBAR", _rebar_entry, 2, True, True, 3),
    Estimator("RELAX", _relax_entry, 2, True, True, 3),
    _from_table("ARM", binary_toy.TOY_ENTRIES["ARM"], "ARM"),
    _from_table("DisARM", binary_toy.TOY_ENTRIES["DisARM"], "DisARM"),
    _from_table("RLOO (2 samples)", binary_toy.TOY_ENTRIES["RLOO (2 samples)"], "RLOO"),
    _from_table("ReinMax", binary_toy.TOY_ENTRIES["ReinMax"], "ReinMax"),
)

#: The estimators compared in the book, by name, in the book's order.
ESTIMATORS: dict[str, Estimator] = {e.name: e for e in _RECORDS}


def check_estimator(name: str) -> Estimator:
    """The record of ``name``, or ``ValueError`` listing the known names."""
    if name not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {sorted(ESTIMATORS)}; got {name!r}")
    return ESTIMATORS[name]


def draw_uniforms(rng: np.random.Generator, estimator: Estimator, n: int) -> np.ndarray:
    """``n`` uniforms for ``n`` estimates: shape ``(n,)``, or ``(n, k)`` with ``k`` per estimate.

    One-uniform estimators draw exactly as before, so their results for a seed are unchanged.
    """
    k = estimator.uniforms
    return rng.random(n) if k == 1 else rng.random((n, k))
