"""Statistical checks at a stated false-alarm rate (binary_gumbel.verification.montecarlo, 1e-6).

Seeds are fixed, so every check either always passes or always fails; the
tolerances come from the sampling distribution, not from hand tuning.
"""

import numpy as np
import pytest
import sympy as sp

from binary_gumbel import (
    binary_concrete_cdf,
    logit_from_probability,
    sample_binary_gumbel_softmax,
)
from binary_gumbel.relaxed import sample_two_class_gumbel_softmax
from binary_gumbel.verification import montecarlo

FALSE_ALARM = 1e-6
CASES = [(0.3, 0.1), (0.5, 1.0), (0.9, 2.5), (0.02, 0.5), (0.7, 0.3)]
N = 20_000


# float32 rounds every x above 1 - 2**-25 to 1.0, an atom of mass P(x > 1 - 2**-25);
# it shifts the KS statistic by at most that mass, so the test against the continuous
# CDF is fair where the mass is far below the KS critical value (about 0.018 here):
# below 1e-4 for these cases, while at tau = 0.1 it would be about 0.07.
F32_CASES = [c for c in CASES if c[1] >= 0.5]


@pytest.mark.parametrize(
    ("p", "tau", "dtype"),
    [(*c, np.float64) for c in CASES] + [(*c, np.float32) for c in F32_CASES],
)
def test_samples_follow_the_exact_cdf(p, tau, dtype):
    logit = float(logit_from_probability(p))
    if dtype == np.float32:
        assert 1 - binary_concrete_cdf(1 - 2.0**-25, logit, tau) < 1e-4
    x = sample_binary_gumbel_softmax(logit, tau, N, rng=int(1000 * p + tau * 10), dtype=dtype)
    check = montecarlo.check_ks(x, lambda s: binary_concrete_cdf(s, logit, tau), FALSE_ALARM)
    assert check.consistent, check


@pytest.mark.parametrize(("p", "tau"), CASES[:3])
def test_two_class_route_has_the_same_distribution(p, tau):
    logit = float(logit_from_probability(p))
    x = sample_two_class_gumbel_softmax(logit, tau, N, rng=99)
    check = montecarlo.check_ks(x, lambda s: binary_concrete_cdf(s, logit, tau), FALSE_ALARM)
    assert check.consistent, check


def test_ks_check_has_power_against_a_wrong_temperature():
    logit = float(logit_from_probability(0.3))
    x = sample_binary_gumbel_softmax(logit, 0.5, N, rng=5)
    assert not montecarlo.check_ks(x, lambda s: binary_concrete_cdf(s, logit, 0.6)).consistent


def test_p_of_x_above_half_is_p_exactly():
    """P(x > 1/2) = 1 - F(1/2) = p at every tau, in SymPy and through the library's CDF.

    F(x) = 1 / (1 + alpha ((1 - x) / x)**tau) with alpha = p / (1 - p) is the
    BinConcrete CDF: its derivative is Maddison et al.'s density (checked
    exactly at rational points, where SymPy decides equality of algebraic
    numbers), it runs from 0 to 1, and at x = 1/2 it is symbolically 1 - p.
    """
    x, tau, p = sp.symbols("x tau p", positive=True)
    alpha = p / (1 - p)
    cdf = 1 / (1 + alpha * ((1 - x) / x) ** tau)
    density = (
        tau
        * alpha
        * x ** (-tau - 1)
        * (1 - x) ** (-tau - 1)
        / (alpha * x ** (-tau) + (1 - x) ** (-tau)) ** 2
    )
    gap = sp.diff(cdf, x) - density
    R = sp.Rational
    for point in [(R(1, 3), R(1, 2), R(1, 5)), (R(3, 4), 2, R(2, 3)), (R(2, 5), R(3, 2), R(9, 10))]:
        assert sp.simplify(gap.subs(dict(zip((x, tau, p), point, strict=True)))) == 0
    assert sp.limit(cdf.subs({tau: R(1, 2)}), x, 0, "+") == 0
    assert sp.limit(cdf.subs({tau: R(1, 2)}), x, 1, "-") == 1
    assert sp.simplify(1 - cdf.subs(x, R(1, 2)) - p) == 0
    # the library's CDF agrees, to rounding, at every temperature
    for pv in (0.02, 0.3, 0.5, 0.97):
        taus = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
        got = 1 - binary_concrete_cdf(0.5, logit_from_probability(pv), taus)
        np.testing.assert_allclose(got, pv, rtol=1e-14)


@pytest.mark.parametrize("tau", [1e-3, 0.3, 1.0, 5.0, 100.0])
def test_p_of_x_above_half_is_p_empirically(tau):
    p = 0.3
    x = sample_binary_gumbel_softmax(logit_from_probability(p), tau, 50_000, rng=17)
    check = montecarlo.check_proportion(int(np.count_nonzero(x > 0.5)), x.size, p, FALSE_ALARM)
    assert check.consistent, check


@pytest.mark.parametrize("p", [0.05, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hard_samples_are_bernoulli(p, dtype):
    b = sample_binary_gumbel_softmax(
        logit_from_probability(p), 0.4, 50_000, rng=23, hard=True, dtype=dtype
    )
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}
    check = montecarlo.check_proportion(int(b.sum()), b.size, p, FALSE_ALARM)
    assert check.consistent, check


def test_hard_samples_detect_a_wrong_probability():
    b = sample_binary_gumbel_softmax(logit_from_probability(0.5), 0.4, 50_000, rng=23, hard=True)
    assert not montecarlo.check_proportion(int(b.sum()), b.size, 0.48, FALSE_ALARM).consistent


# ---- the estimators' statistics: the bias interval of a mean over few estimates ----

from binary_gumbel.estimators import statistics as estimator_stats  # noqa: E402


@pytest.mark.parametrize("n, false_alarm", [(4, 0.05), (10, 1e-3), (100_000, FALSE_ALARM)])
def test_bias_interval_is_the_student_t_interval_of_the_mean(n, false_alarm):
    """The bias is a mean of n estimates: its interval is bias -+ t_{n-1} se (the book's
    convention for a mean), not the normal one, which at n = 4 and 0.05 is 38 % narrower
    (1.96 against 3.18)."""
    row = estimator_stats.estimator_statistics("relaxed", -1.0, 0.45, 1.0, n, rng=3)
    low, high = row.bias_interval(false_alarm)
    q = montecarlo.t_for_false_alarm(false_alarm, n - 1)
    assert row.bias_se > 0
    np.testing.assert_allclose([low, high], row.bias + np.array([-q, q]) * row.bias_se, rtol=1e-12)
    np.testing.assert_allclose((high - low) / 2, q * row.bias_se, rtol=1e-12)
    assert (high - low) / 2 > montecarlo.z_for_false_alarm(false_alarm) * row.bias_se


@pytest.mark.parametrize("n, false_alarm", [(4, 0.05), (10, 1e-3), (100_000, FALSE_ALARM)])
def test_mse_interval_is_the_student_t_interval_of_the_mean_squared_error(n, false_alarm):
    """The MSE is a mean of n squared errors: its interval is mse -+ t_{n-1} se, wider than
    the normal one; the variance's, not a mean, is the normal one."""
    row = estimator_stats.estimator_statistics("relaxed", -1.0, 0.45, 1.0, n, rng=3)
    low, high = row.mse_interval(false_alarm)
    q = montecarlo.t_for_false_alarm(false_alarm, n - 1)
    z = montecarlo.z_for_false_alarm(false_alarm)
    assert row.mse_se > 0
    np.testing.assert_allclose([low, high], row.mse + np.array([-q, q]) * row.mse_se, rtol=1e-12)
    assert (high - low) / 2 > z * row.mse_se
    v_low, v_high = row.variance_interval(false_alarm)
    np.testing.assert_allclose([v_low, v_high], row.variance + np.array([-z, z]) * row.variance_se)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"false_alarm": 2.0}, ValueError, r"^false_alarm must lie in \(0, 1\); got 2\.0"),
        ({"false_alarm": 0.0}, ValueError, r"^false_alarm must lie in \(0, 1\); got 0\.0"),
        ({"false_alarm": "0.05"}, TypeError, "^false_alarm must be a real number"),
        ({"theta": [0.0, 1.0]}, ValueError, r"^theta must be a single number; got shape \(2,\)"),
        ({"target": [[0.45]]}, ValueError, r"^target must be a single number; got shape \(1, 1\)"),
        ({"tau": np.ones(2)}, ValueError, r"^tau must be a single number; got shape \(2,\)"),
        ({"n": 10**7 + 1}, ValueError, r"^n // batch, the number of batch means, must be at most"),
    ],
)
def test_estimator_statistics_names_a_bad_argument(kwargs, error, match):
    arguments = {"estimator": "REINFORCE", "theta": 0.0, "target": 0.45, "tau": 1.0, "n": 100}
    with pytest.raises(error, match=match):
        estimator_stats.estimator_statistics(**(arguments | kwargs), rng=0)


def test_sign_error_interval_holds_at_a_tiny_false_alarm():
    """At false_alarm = 1e-17, 1 - false_alarm rounds to 1, and an interval computed at that
    coverage is [0, 1] whatever the data; the sign-error interval is computed at the rate
    itself (montecarlo.proportion_interval), so 100 batch means still bound the rate."""
    row = estimator_stats.estimator_statistics(
        "REINFORCE", 0.0, 0.45, 1.0, 100, rng=0, false_alarm=1e-17
    )
    assert 0.0 < row.sign_error_low < row.sign_error < row.sign_error_high < 1.0
    narrower = montecarlo.proportion_interval(round(row.sign_error * 100), 100, 1e-16)
    assert row.sign_error_low < narrower.low and narrower.high < row.sign_error_high


@pytest.mark.parametrize(
    ("taus", "match"),
    [
        (1.0, r"^taus must be a sequence of temperatures; got shape \(\)"),
        ([[0.5, 1.0]], r"^taus must be a sequence of temperatures; got shape \(1, 2\)"),
        ([1.0, -1.0], r"^taus must be a positive, finite temperature .* at index \(1,\)"),
    ],
)
def test_temperature_sweep_names_bad_temperatures(taus, match):
    with pytest.raises(ValueError, match=match):
        estimator_stats.temperature_sweep(["REINFORCE"], 0.0, 0.45, taus, 10)
