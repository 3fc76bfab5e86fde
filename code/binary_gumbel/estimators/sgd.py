"""Plain SGD on the toy problem with one of the registry's estimators, or the exact gradient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import as_generator, check_count, check_tau, finite_float64
from binary_gumbel.estimators.gradients import exact_gradient, objective
from binary_gumbel.estimators.registry import check_estimator, draw_uniforms

__all__ = ["Trajectory", "sgd"]


@dataclass(frozen=True)
class Trajectory:
    """The iterates ``theta_0 .. theta_steps`` of one SGD run and the loss ``L`` at each."""

    estimator: str
    tau: float
    learning_rate: float
    batch: int
    theta: np.ndarray
    loss: np.ndarray


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
    record = None if estimator is None else check_estimator(estimator)
    steps = check_count(steps, "steps", 0)
    batch = check_count(batch, "batch", 1)
    target = float(finite_float64(target, "target"))
    tau = float(check_tau(tau, np.float64))
    learning_rate = float(finite_float64(learning_rate, "learning_rate"))
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive; got {learning_rate}")
    rng = as_generator(rng)
    theta = np.empty(steps + 1)
    theta[0] = float(finite_float64(theta0, "theta0"))
    for k in range(steps):
        if record is None:
            step = float(exact_gradient(theta[k], target))
        else:
            u = draw_uniforms(rng, record, batch)
            step = float(record.function(theta[k], target, tau, u).mean())
        theta[k + 1] = theta[k] - learning_rate * step
    return Trajectory(
        "exact" if estimator is None else estimator,
        tau,
        learning_rate,
        batch,
        theta,
        objective(theta, target),
    )
