"""Adam, as the training loops use it (Kingma & Ba 2015, Algorithm 1)."""

from __future__ import annotations

import numpy as np

from binary_gumbel.estimators.optim import Adam


def test_first_step_moves_each_coordinate_by_the_learning_rate_against_its_gradient():
    # With bias correction, the first update is lr * g / (|g| + eps): the sign of g, times lr.
    grad = np.array([3.0, -0.02, 1e4])
    update = Adam(grad.shape, learning_rate=0.1).step(grad)
    np.testing.assert_allclose(update, 0.1 * grad / (np.abs(grad) + 1e-8), rtol=1e-12)


def test_descends_a_badly_scaled_quadratic_to_its_minimum():
    scale, centre = np.array([1e-2, 1.0, 1e2]), np.array([1.0, -2.0, 0.5])
    x = np.zeros(3)
    optimiser = Adam(x.shape, learning_rate=0.05)
    for _ in range(3000):
        x -= optimiser.step(2 * scale * (x - centre))
    np.testing.assert_allclose(x, centre, atol=1e-3)


def test_moments_follow_the_recursion():
    optimiser = Adam((), learning_rate=1.0, beta1=0.5, beta2=0.75)
    optimiser.step(np.float64(2.0))
    optimiser.step(np.float64(-4.0))
    assert optimiser.m == 0.5 * (0.5 * 2.0) + 0.5 * -4.0
    assert optimiser.v == 0.75 * (0.25 * 4.0) + 0.25 * 16.0
