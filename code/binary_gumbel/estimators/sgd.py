"""Plain SGD on the toy problem with one of the registry's estimators, or the exact gradient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from binary_gumbel._validation import (
    as_generator,
    check_count,
    check_tau,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.gradients import exact_gradient, objective
from binary_gumbel.estimators.registry import check_estimator, draw_uniforms

__all__ = ["Trajectory", "final_thetas", "sgd"]


@dataclass(frozen=True)
class Trajectory:
    """The iterates ``theta_0 .. theta_steps`` of one SGD run and the loss ``L`` at each."""

    estimator: str
    tau: float
    learning_rate: float
    batch: int
    theta: np.ndarray
    loss: np.ndarray


class _Settings(NamedTuple):
    """One run's checked arguments: ``record`` is the registry's entry (None: exact gradient)."""

    record: object
    target: float
    tau: float
    theta0: float
    learning_rate: float
    steps: int
    batch: int


def _checked(estimator, target, tau, theta0, learning_rate, steps, batch) -> _Settings:
    record = None if estimator is None else check_estimator(estimator)
    steps = check_count(steps, "steps", 0)
    batch = check_count(batch, "batch", 1)
    target = finite_number(target, "target")
    tau = single_number(check_tau(tau, np.float64), "tau")
    learning_rate = finite_number(learning_rate, "learning_rate")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive; got {learning_rate}")
    theta0 = finite_number(theta0, "theta0")
    return _Settings(record, target, tau, theta0, learning_rate, steps, batch)


def _descend(run: _Settings, generators) -> np.ndarray:
    """The iterates ``(steps + 1, runs)`` of one run per generator, side by side."""
    theta = np.empty((run.steps + 1, len(generators)))
    theta[0] = run.theta0
    for k in range(run.steps):
        if run.record is None:
            step = exact_gradient(theta[k], run.target)
        else:
            u = np.stack([draw_uniforms(g, run.record, run.batch) for g in generators])
            step = run.record.function(theta[k][:, None], run.target, run.tau, u).mean(axis=1)
        theta[k + 1] = theta[k] - run.learning_rate * step
    return theta


def sgd(
    estimator: str | None,
    target: float,
    tau: float,
    theta0: float = 0.0,
    learning_rate: float = 10.0,
    steps: int = 200,
    batch: int = 16,
    rng=None,
) -> Trajectory:
    """Plain SGD on ``L``: ``theta <- theta - learning_rate * mean of batch estimates``.

    ``estimator`` is a name in :data:`~binary_gumbel.estimators.registry.ESTIMATORS`, or None
    for the exact gradient (gradient descent, the reference path). ``tau`` is ignored by the
    estimators without a temperature and by the exact gradient.
    """
    run = _checked(estimator, target, tau, theta0, learning_rate, steps, batch)
    theta = _descend(run, [as_generator(rng)])[:, 0]
    return Trajectory(
        "exact" if estimator is None else estimator,
        run.tau,
        run.learning_rate,
        run.batch,
        theta,
        objective(theta, run.target),
    )


def final_thetas(
    estimator: str | None,
    target: float,
    tau: float,
    seeds: int,
    theta0: float = 0.0,
    learning_rate: float = 10.0,
    steps: int = 200,
    batch: int = 16,
    rng=None,
) -> np.ndarray:
    """The final ``theta`` of ``seeds`` independent :func:`sgd` runs, run side by side.

    Run ``s`` draws its uniforms from the ``s``-th of ``seeds`` generators spawned from
    ``rng`` (:meth:`numpy.random.Generator.spawn`): it is the run
    ``sgd(..., rng=spawned[s])``. The other arguments are :func:`sgd`'s.
    """
    run = _checked(estimator, target, tau, theta0, learning_rate, steps, batch)
    generators = as_generator(rng).spawn(check_count(seeds, "seeds", 1))
    return _descend(run, generators)[-1]
