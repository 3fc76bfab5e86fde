"""Stacked training of the VAE and the bias/variance study against the exact gradient."""

import numpy as np
import pytest

from binary_gumbel import digits, vae, vae_study, vae_training

FALSE_ALARM = 1e-6


@pytest.fixture(scope="module")
def data():
    return digits.load(test_size=40, seed=0)


@pytest.fixture(scope="module")
def short_run(data):
    return vae_training.train(
        data, steps=30, seeds=2, batch=8, learning_rates=(0.03,), checkpoints=(0, 30)
    )


def test_every_estimator_uses_two_evaluations_per_image(short_run):
    for name, evals in zip(short_run.methods, short_run.evaluations, strict=True):
        expected = 2.0**8 if name == "exact" else 2.0
        assert evals == expected, name


def test_same_start_and_paired_data(short_run):
    start = short_run.test_elbo[:, 0, :, 0]
    # every method and seed starts from the same model
    assert np.all(start == start[0, 0])
    # the seeds see different data: their runs part after the first steps
    end = short_run.test_elbo[:, 0, :, -1]
    assert np.all(end[:, 0] != end[:, 1])


def test_exact_ascent_raises_the_test_elbo(data):
    run = vae_training.train(
        data, methods=["exact"], steps=100, seeds=2, batch=8, learning_rates=(0.03,)
    )
    e = run.test_elbo[0, 0]
    assert np.all(e[:, -1] > e[:, 0])


def test_training_bad_input(data):
    with pytest.raises(ValueError, match="method"):
        vae_training.train(data, methods=["REBAR?"], steps=2)
    with pytest.raises(ValueError, match="learning_rates"):
        vae_training.train(data, steps=2, learning_rates=(0.0,))
    with pytest.raises(ValueError, match="checkpoints"):
        vae_training.train(data, steps=2, checkpoints=(5,))


def test_t_interval_covers_by_student_t():
    mean, low, high = vae_training.t_interval(np.array([[1.0, 2.0, 3.0]]), false_alarm=0.05)
    # t_{2, 0.975} = 4.302652..., s = 1, n = 3
    np.testing.assert_allclose(high - mean, 4.302652729911275 / np.sqrt(3), rtol=1e-9)


@pytest.fixture(scope="module")
def study(data):
    params = vae.initial_params(8, data.train_mean, runs=1, scale=0.5, rng=1)
    return {
        r.method: r
        for r in vae_study.gradient_study(
            params, data.test[:3], estimates=6000, false_alarm=FALSE_ALARM, rng=2
        )
    }


def test_unbiased_estimators_show_no_bias(study):
    # Family-wise: 4 estimators x 2 statistics at 1e-6 each, at most 8e-6 of a false alarm.
    for name in ("REINFORCE", "RLOO", "ARM", "DisARM"):
        assert study[name].bias_consistent_with_zero, name


def test_the_bias_check_can_fail(study):
    # The relaxation at tau = 1 is biased; the check must see it.
    assert not study["Gumbel-softmax τ=1"].bias_consistent_with_zero


def test_variance_ordering_of_the_antithetic_estimators(study):
    # DisARM is ARM conditioned on (b, b~): its variance is at most ARM's.
    assert study["DisARM"].variance_high < study["ARM"].variance_low


def test_study_bad_input(data):
    params = vae.initial_params(8, data.train_mean, runs=2, rng=1)
    with pytest.raises(ValueError, match="one run"):
        vae_study.gradient_study(params, data.test[:2])
    with pytest.raises(ValueError, match="even"):
        vae_study.gradient_study(params.take(slice(0, 1)), data.test[:2], estimates=7)
