"""Plain SGD on the toy problem with one of the registry's estimators, or the exact gradient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import as_generator, check_count, check_tau, finite_float64
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


def _checked(estimator, target, tau, theta0, learning_rate, steps, batch):
    record = None if estimator is None else check_estimator(estimator)
    steps = check_count(steps, "steps", 0)
    batch = check_count(batch, "batch", 1)
    target = float(finite_float64(target, "target"))
    tau = float(check_tau(tau, np.float64))
    learning_rate = float(finite_float64(learning_rate, "learning_rate"))
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive; got {learning_rate}")
    return record, target, tau, float(finite_float64(theta0, "theta0")), learning_rate, steps, batch


def _descend(record, target, tau, theta0, learning_rate, steps, batch, generators) -> np.ndarray:
    """The iterates ``(steps + 1, runs)`` of one run per generator, side by side."""
    theta = np.empty((steps + 1, len(generators)))
    theta[0] = theta0
    for k in range(steps):
        if record is None:
            step = exact_gradient(theta[k], target)
        else:
            u = np.stack([draw_uniforms(g, record, batch) for g in generators])
            step = record.function(theta[k][:, None], target, tau, u).mean(axis=1)
        theta[k + 1] = theta[k] - learning_rate * step
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
    args = _checked(estimator, target, tau, theta0, learning_rate, steps, batch)
    theta = _descend(*args, [as_generator(rng)])[:, 0]
    return Trajectory(
        "exact" if estimator is None else estimator,
        args[2],
        args[4],
        args[6],
        theta,
        objective(theta, args[1]),
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
    args = _checked(estimator, target, tau, theta0, learning_rate, steps, batch)
    generators = as_generator(rng).spawn(check_count(seeds, "seeds", 1))
    return _descend(*args, generators)[-1]
