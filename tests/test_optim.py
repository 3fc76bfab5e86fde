"""Adam, as the training loops use it (Kingma & Ba 2015, Algorithm 1)."""

from __future__ import annotations

import numpy as np
import pytest

from binary_gumbel.estimators.optim import BETA2, LARGEST_GRAD, TINY, Adam


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


def test_bias_corrected_moments_are_weighted_averages_of_the_gradients_so_far():
    """m_hat and v_hat after k steps: sum_j w_j g_j and sum_j w_j g_j^2 with weights
    proportional to beta^(k - j) and summing to 1; the update is lr m_hat / (sqrt v_hat + eps)."""
    grads = np.array([3.0, -1.0, 0.5, 2.0, -0.25])
    optimiser = Adam((), learning_rate=0.1, beta1=0.5, beta2=0.75)
    for k, g in enumerate(grads, start=1):
        update = optimiser.step(np.float64(g))
        for beta, moment, power in ((0.5, optimiser.m_hat, 1), (0.75, optimiser.v_hat, 2)):
            weights = beta ** np.arange(k - 1, -1, -1)
            assert moment == pytest.approx(weights @ grads[:k] ** power / weights.sum(), rel=1e-14)
        assert update == 0.1 * optimiser.m_hat / (np.sqrt(optimiser.v_hat) + 1e-8)


def test_setting_v_hat_sets_the_bias_corrected_second_moment_the_next_step_uses():
    """After k steps, v_hat = x stores v = x (1 - beta2^k); the next step then averages x
    with the new g^2 as if x had been the moment so far, and divides by its root."""
    optimiser = Adam(2, learning_rate=0.1, beta1=0.5, beta2=0.75)
    optimiser.step(np.array([3.0, -1.0]))
    optimiser.step(np.array([1.0, 2.0]))
    optimiser.v_hat = np.array([4.0, 0.25])
    np.testing.assert_allclose(optimiser.v_hat, [4.0, 0.25], rtol=1e-15)
    np.testing.assert_allclose(optimiser.v, np.array([4.0, 0.25]) * (1 - 0.75**2), rtol=1e-15)
    g = np.array([2.0, -0.5])
    m_hat = (0.5 * optimiser.m + 0.5 * g) / (1 - 0.5**3)
    v_hat = (0.75 * optimiser.v + 0.25 * g**2) / (1 - 0.75**3)
    np.testing.assert_allclose(optimiser.step(g), 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-14)


def test_setting_v_hat_before_any_step_is_refused():
    optimiser = Adam(3, learning_rate=0.1)
    with pytest.raises(ValueError, match="^the bias-corrected moments need at least one step"):
        optimiser.v_hat = np.ones(3)


@pytest.mark.parametrize("moment", ["m_hat", "v_hat"])
def test_bias_corrected_moments_before_any_step_are_refused(moment):
    with pytest.raises(ValueError, match="^the bias-corrected moments need at least one step"):
        getattr(Adam(3, learning_rate=0.1), moment)


@pytest.mark.parametrize(
    ("beta1", "beta2", "error", "match"),
    [
        (1.0, 0.999, ValueError, r"^beta1 must be a number in \[0, 1\); got 1\.0"),
        (0.9, -0.1, ValueError, r"^beta2 must be a number in \[0, 1\)"),
        (0.9, np.nan, ValueError, "^beta2 must be finite"),
        (0.9, [0.5, 0.6], ValueError, r"^beta2 must be a single number; got shape \(2,\)"),
        (0.9, "0.9", TypeError, "^beta2 must be a real number"),
    ],
)
def test_bad_decays_are_refused_naming_the_argument(beta1, beta2, error, match):
    with pytest.raises(error, match=match):
        Adam(3, learning_rate=0.1, beta1=beta1, beta2=beta2)


def test_a_second_moment_without_memory_divides_by_the_last_gradient():
    # beta2 = 0: v is the last g**2, so the update is lr * m_hat / (|g| + eps).
    optimiser = Adam((), learning_rate=1.0, beta1=0.5, beta2=0.0)
    optimiser.step(np.float64(2.0))
    update = optimiser.step(np.float64(-4.0))
    m_hat = (0.5 * (0.5 * 2.0) + 0.5 * -4.0) / (1 - 0.5**2)
    assert update == pytest.approx(m_hat / (4.0 + 1e-8), rel=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"learning_rate": np.nan}, ValueError, "^learning_rate must be finite"),
        ({"learning_rate": np.inf}, ValueError, "^learning_rate must be finite"),
        ({"learning_rate": -1.0}, ValueError, "^learning_rate must be a positive number"),
        ({"learning_rate": 0.0}, ValueError, "^learning_rate must be a positive number"),
        (
            {"learning_rate": [0.1, 0.2]},
            ValueError,
            r"^learning_rate must be a single number; got shape \(2,\)",
        ),
        ({"learning_rate": "0.1"}, TypeError, "^learning_rate must be a real number"),
        ({"learning_rate": 0.1, "eps": np.nan}, ValueError, "^eps must be finite"),
        ({"learning_rate": 0.1, "eps": -1e-8}, ValueError, "^eps must be a non-negative number"),
    ],
)
def test_bad_learning_rate_and_eps_are_refused_naming_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        Adam(3, **kwargs)


def test_eps_zero_is_allowed():
    # eps = 0: the first update is lr * g / |g| exactly.
    update = Adam(2, learning_rate=0.5, eps=0.0).step(np.array([3.0, -0.25]))
    np.testing.assert_array_equal(update, [0.5, -0.5])


def test_eps_zero_gives_no_update_to_a_coordinate_whose_gradients_have_all_been_zero():
    # m = v = 0 there: the update is 0, the limit of m_hat / (sqrt(v_hat) + eps) as eps -> 0.
    optimiser = Adam(2, learning_rate=0.1, eps=0.0)
    np.testing.assert_array_equal(optimiser.step(np.array([0.0, 1.0])), [0.0, 0.1])
    np.testing.assert_array_equal(optimiser.step(np.array([0.0, -1.0]))[0], 0.0)


def test_eps_zero_refuses_a_second_moment_that_fell_to_zero_where_the_first_did_not():
    # 1e-200 squared is below the smallest double: v = 0 and m = 1e-201, no update exists.
    optimiser = Adam(2, learning_rate=0.1, eps=0.0)
    with pytest.raises(ValueError, match="^grad: with eps = 0, Adam's second moment fell"):
        optimiser.step(np.array([1e-200, 1.0]))


@pytest.mark.parametrize("g", [6e-161, 1e-155, 4e-153])
def test_eps_zero_refuses_a_second_moment_that_fell_below_the_normal_doubles(g):
    # v = (1 - beta2) g**2 is subnormal: 6e-161 gave an update of 0.854 for the exact 1.0
    # (lr * sign(g)) before; just above sqrt(TINY / (1 - beta2)) the update is 1.0 again, to
    # the rounding of the two bias corrections, the square and the root (two ulps).
    optimiser = Adam(1, learning_rate=1.0, eps=0.0)
    with pytest.raises(ValueError, match="^grad: with eps = 0, Adam's second moment fell"):
        optimiser.step(np.array([g]))
    assert (1 - BETA2) * g**2 < TINY
    edge = 1.01 * np.sqrt(TINY / (1 - BETA2))
    update = Adam(1, learning_rate=1.0, eps=0.0).step([edge])
    np.testing.assert_array_max_ulp(update, np.ones(1), maxulp=2)


def test_the_largest_gradient_moves_by_the_learning_rate_and_a_larger_one_is_refused():
    # A step is about lr * sign(g) at any scale up to LARGEST_GRAD; beyond, g**2 overflows.
    optimiser = Adam(2, learning_rate=0.1)
    np.testing.assert_array_equal(optimiser.step([LARGEST_GRAD, -LARGEST_GRAD]), [0.1, -0.1])
    assert np.all(np.isfinite(optimiser.step([LARGEST_GRAD, 1.0])))
    with pytest.raises(ValueError, match=r"^grad must have \|grad\| <= 2\*\*511 .* got 1e\+200"):
        Adam(2, learning_rate=0.1).step(np.array([1e200, 1.0]))


@pytest.mark.parametrize(
    ("grad", "error", "match"),
    [
        (np.ones(3), ValueError, r"^grad must have the optimiser's shape \(2,\); got shape \(3,\)"),
        (1.0, ValueError, r"^grad must have the optimiser's shape \(2,\); got shape \(\)"),
        ([np.nan, 1.0], ValueError, "^grad must be finite"),
        ([1.0, -np.inf], ValueError, "^grad must be finite"),
        (["a", "b"], TypeError, "^grad must be a real number"),
    ],
)
def test_bad_gradients_are_refused_naming_grad_and_leave_the_moments_alone(grad, error, match):
    optimiser = Adam(2, learning_rate=0.1)
    with pytest.raises(error, match=match):
        optimiser.step(grad)
    assert optimiser.k == 0
    np.testing.assert_array_equal(optimiser.m, [0.0, 0.0])


def test_a_list_gradient_gives_the_update_of_its_array():
    a, b = Adam(2, learning_rate=0.1), Adam(2, learning_rate=0.1)
    np.testing.assert_array_equal(a.step([3.0, -0.5]), b.step(np.array([3.0, -0.5])))
