"""Tests of binary_gumbel.verification.montecarlo, the statistical checks the other tests use."""

import fractions
import functools
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from binary_gumbel.verification import montecarlo
from binary_gumbel.verification.montecarlo.power import _t_test_power_by_quadrature


def test_z_for_false_alarm():
    z = montecarlo.z_for_false_alarm(1e-6)
    # two-sided: P(|Z| > z) = 1e-6, computed independently from the complementary error function
    assert math.isclose(math.erfc(z / math.sqrt(2)), 1e-6, rel_tol=1e-9)
    assert abs(montecarlo.z_for_false_alarm(0.05) - 1.959963984540054) < 1e-12
    assert montecarlo.z_for_false_alarm(1e-3) < z < montecarlo.z_for_false_alarm(1e-9)


@pytest.mark.parametrize("false_alarm", [0.0, 1.0, -0.1, 2.0])
def test_false_alarm_must_be_a_rate(false_alarm):
    with pytest.raises(ValueError, match=r"false_alarm must lie in \(0, 1\)"):
        montecarlo.z_for_false_alarm(false_alarm)
    with pytest.raises(ValueError, match=r"false_alarm"):
        montecarlo.check_proportion(3, 10, 0.3, false_alarm)


def test_clopper_pearson_closed_forms():
    """For 0 or n successes the exact interval has a closed form."""
    n, fa = 50, 1e-3
    zero = montecarlo.check_proportion(0, n, 0.01, fa)
    assert zero.low == 0 and math.isclose(zero.high, 1 - (fa / 2) ** (1 / n), rel_tol=1e-10)
    full = montecarlo.check_proportion(n, n, 0.99, fa)
    assert full.high == 1 and math.isclose(full.low, (fa / 2) ** (1 / n), rel_tol=1e-10)
    assert zero.consistent and full.consistent
    assert not montecarlo.check_proportion(0, n, 0.5, fa).consistent
    mid = montecarlo.check_proportion(30, 100, 0.3)
    assert mid.low < mid.estimate == 0.3 < mid.high


def test_proportion_false_alarm_rate_is_at_most_the_stated_rate():
    """At a loose rate (0.2) the observed rejection rate is measurable, and not above 0.2."""
    rng = np.random.default_rng(0)
    trials, p, n = 2000, 0.3, 40
    rejects = [not montecarlo.check_proportion(k, n, p, 0.2).consistent for k in range(n + 1)]
    rejections = sum(rejects[k] for k in rng.binomial(n, p, trials))
    # one-sided: the rate must not exceed 0.2 (Clopper-Pearson is conservative)
    rate = montecarlo.check_proportion(rejections, trials, 0.2)
    assert rate.low <= 0.2


def test_proportion_argument_checks():
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n"):
        montecarlo.check_proportion(5, 3, 0.5)
    with pytest.raises(ValueError, match=r"need 0 <= successes <= n"):
        montecarlo.check_proportion(0, 0, 0.5)
    with pytest.raises(ValueError, match=r"expected must be a probability"):
        montecarlo.check_proportion(1, 3, 1.5)


def test_check_mean():
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, 40_000)
    ok = montecarlo.check_mean(x, 2.0)
    assert ok.consistent
    t = float(_student_quantile(1e-6, x.size - 1))  # the 50-digit oracle, not SciPy's isf
    assert math.isclose(ok.tolerance, t * x.std(ddof=1) / 200)
    assert ok.low < ok.estimate < ok.high
    assert not montecarlo.check_mean(x, 2.2).consistent  # power: 0.2 is 13 standard errors
    with pytest.raises(ValueError, match=r"at least 2"):
        montecarlo.check_mean([1.0], 1.0)
    with pytest.raises(ValueError, match=r"finite"):
        montecarlo.check_mean([1.0, np.nan], 1.0)


def test_check_ks():
    rng = np.random.default_rng(2)
    x = rng.random(20_000)
    assert montecarlo.check_ks(x, stats.uniform.cdf).consistent
    assert not montecarlo.check_ks(x**1.05, stats.uniform.cdf).consistent
    with pytest.raises(ValueError, match=r"must not be empty"):
        montecarlo.check_ks([], stats.uniform.cdf)


def test_check_ks_refuses_nan_samples_by_name():
    """SciPy's KS test of samples with a NaN returns a NaN statistic, and the check was
    returned as if it had run."""
    with pytest.raises(ValueError, match=r"^samples must not be NaN; got nan at index \(1,\)"):
        montecarlo.check_ks([0.2, np.nan, 0.7], stats.uniform.cdf)


@pytest.mark.parametrize("check", [montecarlo.check_mean, montecarlo.check_ks])
@pytest.mark.parametrize("samples", [["a", "b"], [1 + 2j, 3j], None])
def test_non_numeric_samples_are_a_type_error_naming_samples(check, samples):
    with pytest.raises(TypeError, match=r"^samples must be a real number"):
        check(samples, 0.0 if check is montecarlo.check_mean else stats.norm.cdf)


def test_student_t_quantile_and_the_mean_interval():
    # 24 runs at 95 %: the t quantile with 23 degrees of freedom, not the normal 1.96; the
    # tables print 2.069, and the 50-digit oracle gives it to 1e-12 (SciPy's is good to 1e-13)
    q = montecarlo.t_for_false_alarm(0.05, 23)
    assert round(q, 3) == 2.069 and q > 2.06
    assert math.isclose(q, _student_quantile(0.05, 23), rel_tol=1e-12)
    x = np.random.default_rng(3).normal(1.0, 2.0, 24)
    iv = montecarlo.mean_interval(x, 0.05)
    assert math.isclose(iv.high - iv.estimate, q * x.std(ddof=1) / math.sqrt(24), rel_tol=1e-12)
    assert math.isclose(iv.estimate - iv.low, iv.high - iv.estimate, rel_tol=1e-12)
    # a normal quantile would be too narrow for few runs
    assert iv.high - iv.estimate > montecarlo.z_for_false_alarm(0.05) * x.std(ddof=1) / math.sqrt(
        24
    )
    with pytest.raises(ValueError, match=r"^dof must"):
        montecarlo.t_for_false_alarm(0.05, 0)
    with pytest.raises(ValueError, match=r"at least 2"):
        montecarlo.mean_interval([1.0])


@pytest.mark.parametrize(
    ("effect", "n", "false_alarm", "expected"),
    [
        # one half-width of a five-value 95 % interval (ex-vae-budget's unit)
        (stats.t.ppf(0.975, 4) / math.sqrt(5), 5, 0.05, 0.56),
        (0.66 * stats.t.ppf(0.975, 4) / math.sqrt(5), 5, 0.05, 0.29),
        # the VAE training chapter's Bonferroni rate over six comparisons
        (2.0, 5, 0.05 / 6, 0.50),
        (-0.5, 30, 0.05, 0.75),
        # where scipy's noncentral t warns, the quadrature (one degree of freedom, 1e-6)
        (0.5 * stats.t.isf(5e-7, 1), 2, 1e-6, 0.52),
    ],
)
def test_t_test_power_matches_simulated_t_tests(effect, n, false_alarm, expected):
    """The rejection rate of simulated t-tests on normal values: 200,000 tests per case,
    within 5.33 binomial standard errors (two-sided false alarm 1e-7 each)."""
    power = montecarlo.t_test_power(effect, n, false_alarm)
    assert round(power, 2) == expected
    draws = 200_000
    x = np.random.default_rng(5).standard_normal((draws, n)) + effect
    t = x.mean(axis=1) / (x.std(axis=1, ddof=1) / math.sqrt(n))
    share = np.mean(np.abs(t) > montecarlo.t_for_false_alarm(false_alarm, n - 1))
    assert abs(share - power) < 5.33 * math.sqrt(power * (1 - power) / draws)


@pytest.mark.parametrize("n", [2, 5, 30])
@pytest.mark.parametrize("false_alarm", [0.05, 1e-6])
def test_t_test_power_is_a_rising_probability_from_the_rate_to_1(n, false_alarm):
    """On a dense grid of effects, from 0 to 1e15 standard deviations: the rate at 0, a
    number in [0, 1] that never falls (not by a rounding error either), and 1 at an infinite
    effect. Parts of this grid are
    where scipy's noncentral t returns NaN in its lower tail or warns that its series did
    not converge; the tests run with warnings as errors."""
    power = functools.partial(montecarlo.t_test_power, n=n, false_alarm=false_alarm)
    assert math.isclose(power(0.0), false_alarm, rel_tol=1e-9)
    grid = np.concatenate([np.linspace(0.0, 10.0, 41), np.geomspace(10.0, 1e15, 15)])
    values = np.array([power(float(e)) for e in grid])
    assert np.all((values >= 0) & (values <= 1))
    assert np.all(np.diff(values) >= 0)
    assert values[-1] == 1.0 and power(math.inf) == power(-math.inf) == 1.0
    assert power(0.8) == power(-0.8)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"effect": 1.0, "n": 1}, ValueError, r"^n must be >= 2"),
        ({"effect": 1.0, "n": 5.9}, TypeError, r"^n must be an integer"),
        ({"effect": 1.0, "n": "5"}, TypeError, r"^n must be an integer"),
        ({"effect": math.nan, "n": 5}, ValueError, r"^effect must not be NaN"),
        ({"effect": [1.0, 2.0], "n": 5}, ValueError, r"^effect must be a single number"),
        ({"effect": "x", "n": 5}, TypeError, r"^effect must be a real number"),
        ({"effect": None, "n": 5}, TypeError, r"^effect must be a real number"),
        ({"effect": 1.0, "n": 5, "false_alarm": 0.0}, ValueError, r"^false_alarm must lie"),
    ],
)
def test_t_test_power_refuses_bad_input_by_name(kwargs, error, message):
    with pytest.raises(error, match=message):
        montecarlo.t_test_power(**kwargs)


def test_student_t_interval_covers_at_the_stated_rate():
    """Over 4000 samples of 5 normal values, a 20 % t-interval misses 20 % of the time."""
    rng = np.random.default_rng(4)
    trials = 4000
    misses = 0
    for row in rng.normal(0.0, 1.0, (trials, 5)):
        iv = montecarlo.mean_interval(row, 0.2)
        misses += not iv.low <= 0.0 <= iv.high
    rate = montecarlo.proportion_interval(misses, trials, 1e-6)
    assert rate.low <= 0.2 <= rate.high, rate


def test_proportion_interval_is_clopper_pearson():
    iv = montecarlo.proportion_interval(0, 50, 1e-3)
    assert iv.estimate == 0 and iv.low == 0
    assert math.isclose(iv.high, 1 - (1e-3 / 2) ** (1 / 50), rel_tol=1e-10)
    ci = stats.binomtest(7, 20).proportion_ci(0.95, method="exact")
    iv = montecarlo.proportion_interval(7, 20)
    assert iv.estimate == 0.35
    # SciPy finds the same bounds by root-finding, to its absolute tolerance 2e-12.
    assert abs(iv.low - ci.low) < 1e-11 and abs(iv.high - ci.high) < 1e-11
    with pytest.raises(ValueError, match=r"need 0 <= successes"):
        montecarlo.proportion_interval(3, 2)


def _log_binomial_upper_tail(k, n, p):
    """log P(Bin(n, p) >= k) at 50 digits, for p below k / n: the first term, then the
    others by their ratios r, falling from k on, until the rest, below term r / (1 - r),
    is below 1e-40 of the sum. An oracle in other arithmetic than the library's."""
    with mpmath.workdps(50):
        p = mpmath.mpf(p)
        first = mpmath.binomial(n, k) * p**k * (1 - p) ** (n - k)
        total = term = mpmath.mpf(1)
        for j in range(k, n):
            ratio = mpmath.mpf(n - j) / (j + 1) * p / (1 - p)
            term *= ratio
            total += term
            if term < mpmath.mpf(10) ** -40 * total and ratio < 0.5:
                break
        return float(mpmath.log(first * total))


@pytest.mark.parametrize("false_alarm", [0.05, 1e-6, 1e-16, 1e-20, 2e-300, 5e-324])
@pytest.mark.parametrize(
    ("successes", "n"),
    [(0, 10**6), (3, 40), (39, 40), (40, 40), (574, 606), (1000, 10**6), (10001, 30000)],
)
def test_proportion_interval_bounds_solve_their_tail_equations(successes, n, false_alarm):
    # Each bound's defining equation, against a 50-digit oracle, down to false-alarm rates
    # far below 1 - 2**-53 (where 1 - rate rounds to 1) and to the smallest double (where
    # rate / 2 rounds to 0). Lower: log P(Bin(n, low) >= successes) = log(false_alarm / 2).
    # A root good to 16 eps |log p| relative in p (the stopping rule; SciPy's is as good)
    # moves the log of the chance by d log P / d log p <= n times that.
    iv = montecarlo.proportion_interval(successes, n, false_alarm)
    log_tail = math.log(false_alarm) - math.log(2)
    eps = np.finfo(np.float64).eps
    if successes == 0:
        assert iv.low == 0
    else:
        error = _log_binomial_upper_tail(successes, n, iv.low) - log_tail
        assert abs(error) <= n * 16 * eps * max(1.0, -math.log(iv.low)), error
    # Upper, as the failures' lower bound: log P(Bin(n, 1 - high) >= n - successes) is
    # log(false_alarm / 2), where rounding high to a double moves 1 - high by up to 2**-53,
    # and with it the log of the chance by up to n 2**-53 / (1 - high) more; where the root
    # is below 2**-54, high rounds to 1.
    if successes == n:
        assert iv.high == 1
        return
    gap, failures = 1 - iv.high, n - successes
    if gap == 0:
        assert _log_binomial_upper_tail(failures, n, 2.0**-54) >= log_tail
    else:
        error = _log_binomial_upper_tail(failures, n, gap) - log_tail
        bound = n * 16 * eps * max(1.0, -math.log(gap)) + n * 2.0**-53 / gap
        assert abs(error) <= bound, (error, bound)


@pytest.mark.parametrize(
    ("successes", "n", "false_alarm"),
    [(10680, 30000, 1.387304274310821e-117), (3162, 10**7, 1e-150), (30000, 60000, 1e-101)],
)
def test_proportion_interval_lower_bound_where_the_search_once_failed(successes, n, false_alarm):
    # Where log P's own rounding (1e-12 to 1e-10) exceeded the Newton step's tolerance, the
    # search bisected around the root until it gave up; and log C(n, k) from the integer
    # took 11 s at k = n / 2 = 5e5 (now from log B where k and n - k exceed 10**4). The bound
    # must solve its equation, as above.
    low = montecarlo.proportion_interval(successes, n, false_alarm).low
    error = _log_binomial_upper_tail(successes, n, low) - (math.log(false_alarm) - math.log(2))
    assert abs(error) <= n * 16 * np.finfo(np.float64).eps * max(1.0, -math.log(low)), error


def test_paired_comparison_uses_the_pairing():
    """A small shift under a large shared variation: seen when paired, lost when not."""
    rng = np.random.default_rng(5)
    shared = rng.normal(0.0, 10.0, 24)
    a = shared + rng.normal(-0.5, 0.1, 24)
    cmp = montecarlo.paired_comparison(a, shared, 0.05)
    assert cmp.high < 0 and math.isclose(cmp.difference, float(np.mean(a - shared)))
    # every difference negative: the exact signed-rank p-value is 2**-24
    assert math.isclose(cmp.pvalue, 2.0**-24, rel_tol=1e-9)
    # an unpaired two-sample test cannot see it through the shared variation
    assert stats.mannwhitneyu(a, shared, alternative="less").pvalue > 0.05
    same = montecarlo.paired_comparison(shared, shared)
    assert same.difference == 0 and same.pvalue == 1.0
    with pytest.raises(ValueError, match=r"^a and b must be paired"):
        montecarlo.paired_comparison(a, shared[:-1])


def test_family_wise_bound():
    assert montecarlo.family_wise(0.01, 5) == pytest.approx(0.05)
    assert montecarlo.family_wise(0.3, 5) == 1.0
    with pytest.raises(ValueError, match=r"^count must"):
        montecarlo.family_wise(0.01, 0)


def test_mean_intervals_cover_by_student_t():
    mean, low, high = montecarlo.mean_intervals(np.array([[1.0, 2.0, 3.0]]), false_alarm=0.05)
    # t_{2, 0.975} = 4.302652..., s = 1, n = 3
    np.testing.assert_allclose(high - mean, 4.302652729911275 / np.sqrt(3), rtol=1e-9)


def _normal_quantile(false_alarm):
    """z with erfc(z / sqrt(2)) = false_alarm, at 50 digits (Newton's method in mpmath)."""
    with mpmath.workdps(50):
        rate = mpmath.mpf(false_alarm)
        z = mpmath.findroot(
            lambda z: mpmath.log(mpmath.erfc(z / mpmath.sqrt(2))) - mpmath.log(rate),
            mpmath.sqrt(-2 * mpmath.log(rate)),
        )
        return float(z)


@pytest.mark.parametrize(
    "false_alarm",
    [0.05, 1e-300, 4.450147717014403e-308, 4.4e-308, 1e-310, 1.5e-323, 1e-323, 5e-324],
)
def test_z_for_false_alarm_down_to_the_smallest_double(false_alarm):
    # Where false_alarm / 2 is below the smallest normal double (from 4.45e-308) the halving
    # rounds, to 0 at 5e-324 (and 1.5e-323 / 2 rounds up by a third). From the logarithm
    # instead: the rounding of log(false_alarm) - log 2, near -745, is a few units of 1e-13,
    # which moves z by that over z (about 38), under an ulp; SciPy's normal quantile adds about
    # one more. Four ulps.
    z = montecarlo.z_for_false_alarm(false_alarm)
    expected = _normal_quantile(false_alarm)
    assert abs(z - expected) <= 4 * np.finfo(float).eps * expected, (z, expected)
    if (false_alarm / 2) * 2 == false_alarm:  # an exact halving keeps SciPy's bits
        assert z == stats.norm.isf(false_alarm / 2)


def _student_quantile(false_alarm, dof):
    """q with P(|T_dof| > q) = false_alarm, at 50 digits: cot(pi a / 2) at one degree of
    freedom, else Newton's method in log q on log I_x(dof/2, 1/2), x = dof / (dof + q^2)."""
    with mpmath.workdps(50):
        rate, d = mpmath.mpf(false_alarm), mpmath.mpf(dof)
        if dof == 1:
            return mpmath.cot(mpmath.pi * rate / 2)
        half = mpmath.mpf(1) / 2

        def excess(log_q):
            x = d / (d + mpmath.exp(2 * log_q))
            tail = mpmath.betainc(d / 2, half, 0, x, regularized=True)
            return mpmath.log(tail) - mpmath.log(rate)

        start = max(-mpmath.log(rate) / d, mpmath.log(_normal_quantile(false_alarm)))
        return mpmath.exp(mpmath.findroot(excess, start))


@pytest.mark.parametrize("dof", [1, 2, 3, 5, 23, 39, 40, 41, 1000, 10**6])
@pytest.mark.parametrize(
    "false_alarm", [1.9e-150, 1e-200, 1e-300, 2.2250738585072014e-308, 4e-309, 1e-310, 5e-324]
)
def test_t_for_false_alarm_down_to_the_smallest_double(false_alarm, dof):
    # Below tails of 1e-150 SciPy's quantile drifts (from 1.2e-160 at 3 degrees of freedom),
    # turns to -inf (at 3 degrees of freedom from 8.7e-238, at 5 to about 200 from tails
    # near 1e-270 down to subnormal ones) or to inf (where false_alarm / 2 rounds to 0).
    # Against a 50-digit oracle: at one and two degrees of freedom (2/pi) / a and
    # 1 / sqrt(a) round twice; from three, each logarithm in the tail's excess
    # log P - log a is within a rounding error or two of its size (the powers of two
    # taken apart, so at most about dof), and the slope
    # d log P / d log q is at least about dof / 2: four ulps. Where the quantile is beyond
    # the largest double (one degree of freedom below about 3.5e-309) it is inf. At 39 to 41
    # degrees of freedom log B(dof/2, 1/2) changes from SciPy's betaln to Stirling's series.
    q = montecarlo.t_for_false_alarm(false_alarm, dof)
    expected = _student_quantile(false_alarm, dof)
    if expected > np.finfo(float).max:
        assert q == math.inf
    else:
        assert abs(q - expected) <= 4 * np.finfo(float).eps * expected, (q, expected)


def _exact_mean_and_half(values, false_alarm):
    """The mean of ``values`` and s / sqrt(n) and t s / sqrt(n) at 50 digits: the sums in
    exact rationals, t the two-sided Student-t quantile, in closed form for n = 3 (two degrees
    of freedom, P(|T| > q) = 1 - q / sqrt(2 + q^2))."""
    assert len(values) == 3
    exact = [fractions.Fraction(v) for v in values]
    mean = sum(exact) / 3
    variance = sum((v - mean) ** 2 for v in exact) / 2
    with mpmath.workdps(50):
        a = mpmath.mpf(false_alarm)
        t = (1 - a) * mpmath.sqrt(2 / (a * (2 - a)))
        error = mpmath.sqrt(mpmath.mpf(variance.numerator) / variance.denominator / 3)
        return mpmath.mpf(mean.numerator) / mean.denominator, error, t * error


@pytest.mark.parametrize(
    "values",
    [
        [1e308, 1.5e308, 1.7e308],
        [-1.7e308, 1e308, 1.5e308],
        [1e200, 2e200, 3e200],
        [1e-200, 2e-200, 3e-200],
        [1e-150, 2e-150, 3e-150],
        [5e-310, -1e-309, 2.5e-309],
        [1.0, 2.0, 3.0],
    ],
)
def test_mean_interval_of_huge_and_tiny_values(values):
    # The sum of values near 1e308 overflows, and so do squared deviations from about 1e154;
    # below about 1e-154 they underflow (the half-width was 0 at 1e-200). Against exact sums:
    # the mean within 4 n eps max|v| (each of the n differences from the largest value, and
    # their sum, rounds by at most 2 eps max|v|), the half-width within t / sqrt(n) times
    # that plus four roundings of its own, and of subnormal results one unit of 2**-1074
    # (the absolute rounding there); an end beyond the largest double is inf. Where the sum
    # stays within the doubles the mean is NumPy's, bit for bit.
    eps, biggest = np.finfo(float).eps, max(abs(v) for v in values)
    interval = montecarlo.mean_interval(values, 0.05)
    mean, error, half = _exact_mean_and_half(values, 0.05)
    assert abs(interval.estimate - mean) <= 12 * eps * biggest + 2.0**-1074
    if abs(sum(fractions.Fraction(v) for v in values)) <= np.finfo(float).max:
        assert interval.estimate == np.mean(values)
    tolerance = 4.303 / math.sqrt(3) * 12 * eps * biggest + 4 * eps * half + 2.0**-1074
    for end, exact in ((interval.low, mean - half), (interval.high, mean + half)):
        if abs(exact) > np.finfo(float).max:
            assert end == math.copysign(math.inf, exact)
        else:
            assert abs(end - exact) <= tolerance + eps * abs(exact), (end, exact)
    standard_error = montecarlo.check_mean(values, 0.0).standard_error
    assert abs(standard_error - error) <= 12 * eps * biggest / math.sqrt(3) + 4 * eps * error


def test_mean_intervals_of_identical_values_near_the_largest_double_have_no_width():
    values = np.array([[1.7e308] * 3, [-np.finfo(float).max] * 3, [1.0, 2.0, 3.0]])
    mean, low, high = montecarlo.mean_intervals(values, axis=1)
    np.testing.assert_array_equal(mean[:2], [1.7e308, -np.finfo(float).max])
    np.testing.assert_array_equal(low[:2], mean[:2])
    np.testing.assert_array_equal(high[:2], mean[:2])
    # the ordinary row, along either axis, is the plain formulas' bit for bit
    t = montecarlo.t_for_false_alarm(0.05, 2)
    assert mean[2] == np.mean(values[2])
    assert high[2] == mean[2] + t * np.std(values[2], ddof=1) / np.sqrt(3)
    assert low[2] == mean[2] - t * np.std(values[2], ddof=1) / np.sqrt(3)
    columns = montecarlo.mean_intervals(values.T, axis=0)
    for row, column in zip((mean, low, high), columns, strict=True):
        np.testing.assert_array_equal(row, column)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_mean_intervals_refuses_values_that_are_not_finite(bad):
    values = np.array([[1.0, 2.0, 3.0], [1.0, bad, 2.0]])
    with pytest.raises(ValueError, match="^values must be finite"):
        montecarlo.mean_intervals(values, axis=1)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: montecarlo.mean_intervals(3.0), ValueError, r"^values must be an array with"),
        (lambda: montecarlo.mean_intervals([[1.0, 2.0, 3.0]], axis=2), ValueError,
         r"^axis must be < 2, the dimensions of values; got 2"),
        (lambda: montecarlo.mean_intervals([[1.0, 2.0, 3.0]], axis=-3), ValueError,
         r"^axis must be >= -2; got -3"),
        (lambda: montecarlo.mean_intervals([1.0, 2.0, 3.0], axis=0.0), TypeError,
         r"^axis must be an integer"),
    ],
)  # fmt: skip
def test_mean_intervals_names_a_missing_axis(call, error, message):
    """A single number or an axis the values do not have was a bare IndexError."""
    with pytest.raises(error, match=message):
        call()


def test_mean_intervals_takes_a_negative_axis_as_numpy_does():
    values = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 9.0]])
    for got, want in zip(
        montecarlo.mean_intervals(values, axis=-2),
        montecarlo.mean_intervals(values, axis=0),
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: montecarlo.proportion_interval(5.9, 10), r"^successes must be an integer; got 5"),
        (lambda: montecarlo.proportion_interval(True, 10), r"^successes must be an integer"),
        (lambda: montecarlo.proportion_interval(5, 10.0), r"^n must be an integer; got 10.0"),
        (lambda: montecarlo.check_proportion(5.9, 10, 0.5), r"^successes must be an integer"),
        (lambda: montecarlo.t_for_false_alarm(0.05, 2.5), r"^dof must be an integer; got 2.5"),
        (lambda: montecarlo.t_for_false_alarm(0.05, True), r"^dof must be an integer"),
        (lambda: montecarlo.family_wise(0.01, 2.5), r"^count must be an integer; got 2.5"),
    ],
)
def test_counts_that_are_not_whole_numbers_are_refused_not_truncated(call, message):
    """``int()`` once made 5.9 successes 5 (an estimate of 0.5 from 5.9 / 10), ``True`` one
    success, and 2.5 degrees of freedom 2."""
    with pytest.raises(TypeError, match=message):
        call()


def test_numpy_integer_counts_are_counts():
    assert montecarlo.proportion_interval(np.int64(7), np.int64(20)) == (
        montecarlo.proportion_interval(7, 20)
    )
    q = montecarlo.t_for_false_alarm(0.05, 23)
    assert montecarlo.t_for_false_alarm(0.05, np.int32(23)) == q
    assert montecarlo.family_wise(0.01, np.int64(5)) == montecarlo.family_wise(0.01, 5)
    with pytest.raises(ValueError, match=r"^successes must be >= 0; got -1"):
        montecarlo.proportion_interval(-1, 10)


@pytest.mark.parametrize(
    ("false_alarm", "error", "message"),
    [
        ("x", TypeError, r"^false_alarm must be a real number"),
        (None, TypeError, r"^false_alarm must be a real number"),
        (1 + 0j, TypeError, r"^false_alarm must be a real number"),
        ([0.05, 0.01], ValueError, r"^false_alarm must be a single number; got shape \(2,\)"),
        (math.nan, ValueError, r"^false_alarm must lie in \(0, 1\)"),
    ],
)
def test_a_false_alarm_that_is_not_a_rate_is_named(false_alarm, error, message):
    """A string was "could not convert string to float", None a TypeError without the name."""
    for call in (
        lambda: montecarlo.mean_interval([1.0, 2.0, 3.0], false_alarm),
        lambda: montecarlo.z_for_false_alarm(false_alarm),
        lambda: montecarlo.proportion_interval(3, 10, false_alarm),
    ):
        with pytest.raises(error, match=message):
            call()


def test_a_false_alarm_given_as_another_real_number_is_the_same_rate():
    exact = montecarlo.mean_interval([1.0, 2.0, 3.0], 0.05)
    assert montecarlo.mean_interval([1.0, 2.0, 3.0], fractions.Fraction(1, 20)) == exact
    assert montecarlo.mean_interval([1.0, 2.0, 3.0], np.float32(0.5)) == (
        montecarlo.mean_interval([1.0, 2.0, 3.0], 0.5)
    )


# --- the sampler checks (verification.sampler_checks) ------------------------------------------


@pytest.mark.parametrize(
    ("n", "error", "message"),
    [
        (0, ValueError, r"^n must be >= 1; got 0"),
        (1000.0, TypeError, r"^n must be an integer; got 1000.0"),
        (True, TypeError, r"^n must be an integer"),
    ],
)
def test_check_sampler_names_a_bad_n(n, error, message):
    from binary_gumbel.verification import sampler_checks

    with pytest.raises(error, match=message):
        sampler_checks.check_sampler(0.5, 0.5, n, rng=0)


def test_check_sampler_says_when_no_gate_falls_inside():
    """At logit 60 every gate is exactly 1: the interior law cannot be tested, and the error
    says so (it was "samples must not be empty")."""
    from binary_gumbel.verification import sampler_checks

    with pytest.raises(ValueError, match=r"^none of the n = 1000 gates fell strictly inside"):
        sampler_checks.check_sampler(60.0, 0.5, 1000, rng=0)


# --- extremes and arguments that are not what they should be ----------------------------------


@pytest.mark.parametrize(
    ("effect", "n", "false_alarm", "expected"),
    [
        # effect 0: the rate itself, by the definition of the quantile; SciPy's noncentral t
        # returned 0 at one degree of freedom from rates near 1e-200, and the quadrature's
        # 1 - (chance of a miss) rounded to 0 below 1e-16
        (0.0, 2, 1e-300, 1e-300),
        (0.0, 11, 1e-310, 1e-310),
        # two degrees of freedom: S^2 is Exp(1), so the power is E[1 - exp(-X^2 / q^2)] with
        # X ~ N(shift, 1) and q = 1 / sqrt(rate), (shift^2 + 1) rate to within rate^2
        (1e10, 3, 1e-300, (3e20 + 1) * 1e-300),
    ],
)
def test_t_test_power_near_the_rate_keeps_its_digits(effect, n, false_alarm, expected):
    """The quadrature gave 1 - (chance of a miss): 2.2e-16 where the power is 3e-280."""
    assert math.isclose(montecarlo.t_test_power(effect, n, false_alarm), expected, rel_tol=1e-9)


def test_t_test_power_of_a_huge_effect_is_1_without_a_warning():
    """SciPy's chi survival function overflowed in a square (a RuntimeWarning) at 1e300."""
    assert montecarlo.t_test_power(1e300, 5) == 1.0
    assert montecarlo.t_test_power(-1e300, 3, 1e-300) == 1.0


def test_family_wise_bound_of_a_count_beyond_the_doubles():
    """count * false_alarm raised OverflowError for a count beyond the largest double."""
    assert montecarlo.family_wise(1e-300, 10**400) == 1.0
    # exactly 2**1030 * 2**-1074, though 2**1030 is beyond the doubles
    assert montecarlo.family_wise(5e-324, 2**1030) == 2.0**-44


@pytest.mark.parametrize("dof", [2**63, 10**30, 10**400], ids=["2**63", "10**30", "10**400"])
def test_t_quantile_beyond_the_largest_64_bit_count_is_the_normal_one(dof):
    """SciPy's Student-t quantile refused such a count ("ufunc 'stdtrit' not supported")."""
    for false_alarm in (0.05, 1e-300):
        assert montecarlo.t_for_false_alarm(false_alarm, dof) == (
            montecarlo.z_for_false_alarm(false_alarm)
        )
    # at the largest count SciPy's quantile is the normal one to within its own rounding (the
    # two differ by 1.3e-19 there; SciPy's is two ulps off)
    z = montecarlo.z_for_false_alarm(0.05)
    t = montecarlo.t_for_false_alarm(0.05, montecarlo.NORMAL_DOF)
    assert abs(t - z) <= 4 * np.finfo(float).eps * z


def test_paired_comparison_names_a_difference_beyond_the_doubles():
    """a - b overflowed with a RuntimeWarning."""
    with pytest.raises(ValueError, match=r"^a - b, the per-pair differences, must be within"):
        montecarlo.paired_comparison([1e308, -1e308], [-1e308, 1e308])


@pytest.mark.parametrize(
    ("expected", "error", "message"),
    [
        (math.nan, ValueError, r"^expected must be finite"),
        (math.inf, ValueError, r"^expected must be finite"),
        (None, TypeError, r"^expected must be a real number"),
        ("0.5", TypeError, r"^expected must be a real number"),
        ([0.5, 0.6], ValueError, r"^expected must be a single number; got shape \(2,\)"),
    ],
)
def test_check_mean_refuses_an_expected_mean_that_is_not_one_finite_number(
    expected, error, message
):
    """A NaN was a check that was not consistent, an infinity one that never could be."""
    with pytest.raises(error, match=message):
        montecarlo.check_mean(list(range(10)), expected)


@pytest.mark.parametrize(
    ("expected", "error", "message"),
    [
        (math.nan, ValueError, r"^expected must be a probability in \[0, 1\]"),
        (None, TypeError, r"^expected must be a real number"),
        ("0.5", TypeError, r"^expected must be a real number"),
        (np.array([0.1, 0.2]), ValueError, r"^expected must be a single number"),
    ],
)
def test_check_proportion_refuses_an_expected_proportion_by_name(expected, error, message):
    """float() raised its own TypeError without the argument's name, or took "0.5"."""
    with pytest.raises(error, match=message):
        montecarlo.check_proportion(3, 10, expected)


@pytest.mark.parametrize(
    ("cdf", "error", "message"),
    [
        (None, TypeError, r"^cdf must be a callable"),
        (lambda s: 0.5, ValueError, r"^cdf\(samples\) must have the shape of the samples"),
        (lambda s: s * math.nan, ValueError, r"^cdf\(samples\) must be a probability"),
        (lambda s: s + 1.0, ValueError, r"^cdf\(samples\) must be a probability"),
        (lambda s: s.astype(str), TypeError, r"^cdf\(samples\) must be a real number"),
    ],
)
def test_check_ks_refuses_a_cdf_that_is_not_a_distribution_function(cdf, error, message):
    """A scalar was an AttributeError, a NaN a p-value of NaN, None a comparison error."""
    with pytest.raises(error, match=message):
        montecarlo.check_ks([0.2, 0.5], cdf)


@pytest.mark.parametrize("name", ["logit", "tau", "gamma", "zeta"])
def test_check_sampler_names_an_array_where_one_number_is_expected(name):
    """float() of the array raised "only 0-dimensional arrays can be converted to Python
    scalars", or the sampler a broadcast error, without saying one law is tested at a time."""
    from binary_gumbel.verification import sampler_checks

    arguments = {"logit": 0.5, "tau": 0.5, "gamma": -0.1, "zeta": 1.1}
    arguments[name] = np.array([arguments[name]] * 2)
    with pytest.raises(ValueError, match=rf"^{name} must be a single number; got shape \(2,\)"):
        sampler_checks.check_sampler(n=100, rng=0, **arguments)


@pytest.mark.parametrize("call", ["conditional_samples", "conditional_ks"])
def test_conditional_noise_checks_name_a_logit_that_is_not_one_number(call):
    from binary_gumbel.verification import sampler_checks

    with pytest.raises(ValueError, match=r"^logit must be a single number; got shape \(2,\)"):
        getattr(sampler_checks, call)([0.0, 1.0], 100, rng=0)


@pytest.mark.parametrize(
    ("successes", "n"), [(10**16, 10**17), (1, 10**18), (1, 10**20), (1000, 10**8)]
)
def test_proportion_interval_refuses_more_trials_than_it_computes_to_its_accuracy(successes, n):
    """Beyond 10**7 trials the bounds were NaN (10**16 in 10**17), an upper bound of 0 below
    the estimate (1 in 10**18), a ZeroDivisionError (1 in 10**20 at 1e-300), or a lower bound
    above the estimate (1000 in 10**8 at 1e-20)."""
    for call in (
        lambda: montecarlo.proportion_interval(successes, n, 1e-300),
        lambda: montecarlo.proportion_interval(successes, n, 1e-20),
        lambda: montecarlo.check_proportion(successes, n, 0.5),
    ):
        with pytest.raises(ValueError, match=r"^n must be at most 10000000 \(MAX_TRIALS\)"):
            call()


@pytest.mark.parametrize("false_alarm", [0.05, 1e-6, 1e-300])
def test_proportion_interval_at_the_most_trials_is_within_its_stated_accuracy(false_alarm):
    # With no success the upper bound solves (1 - high)^n = false_alarm / 2: 1 - high is
    # (false_alarm / 2)^(1 / n), whose 1 - . loses digits near 1 / n; still within 2e-7 here.
    # With every trial a success the lower bound is that root itself.
    n = montecarlo.MAX_TRIALS
    edge = -math.expm1((math.log(false_alarm) - math.log(2)) / n)
    assert math.isclose(montecarlo.proportion_interval(0, n, false_alarm).high, edge, rel_tol=2e-7)
    assert math.isclose(
        montecarlo.proportion_interval(n, n, false_alarm).low, 1 - edge, rel_tol=2e-7
    )


@pytest.mark.parametrize(
    ("shift", "q", "dof", "expected", "rel_tol"),
    [
        # at 10**7 degrees of freedom SciPy's gammainc, low by up to 0.7 % from 5 standard
        # deviations below its mean, limits the agreement to about 1.3e-11
        (0.0, 3.0, 10**7, 0.0026998027110371613, 3e-11),
        (3.0, 3.0, 10**7, 0.50000003090726472, 1e-11),
        (2.0, 4.0, 10**6, 0.022750618854636447, 1e-12),
        (5.0, 4.0, 100, 0.83446582866635535, 1e-12),
        (1.0, 2.0, 5, 0.22782179967362729, 1e-12),
    ],
)
def test_t_test_power_quadrature_resolves_the_narrow_step_at_many_degrees_of_freedom(
    shift, q, dof, expected, rel_tol
):
    """``P(|Z + shift| > q S)`` against mpmath at 30 digits, computed as
    ``E[Phi(-q S - shift) + Phi(-q S + shift)]`` over ``dof S^2 / 2 ~ Gamma(dof / 2)``
    (``mpmath.quad`` with breakpoints every quarter standard deviation of the gamma law; it
    agrees with SciPy's noncentral t to 1e-15 here). The quadrature split only at
    ``z + shift = 0`` and ``q`` stepped over the rise of ``F``, about ``q / sqrt(2 dof)``
    wide: 0.0027009871 (4.4e-4 relative) at the first case."""
    power = _t_test_power_by_quadrature(shift, q, dof)
    assert math.isclose(power, expected, rel_tol=rel_tol)


@pytest.mark.parametrize("n", [2**64 + 1, 10**30])
def test_t_test_power_beyond_the_largest_64_bit_count_is_the_normal_tests(n):
    """SciPy's noncentral t refused the degrees of freedom ("ufunc '_nct_sf' not supported")
    from 2**64. At a shift of 1 the t test's power, which SciPy computes at 10**6 and 10**7
    degrees of freedom, approaches this value as 1 / dof: its distance shrinks tenfold from
    10**6 to 10**7. At no effect the power is the rate."""
    limit = montecarlo.t_test_power(1 / math.sqrt(n), n)
    gaps = [
        abs(montecarlo.t_test_power(1 / math.sqrt(m + 1), m + 1) - limit) for m in (10**6, 10**7)
    ]
    assert 8 < gaps[0] / gaps[1] < 12
    assert montecarlo.t_test_power(0.0, n, 1e-6) == pytest.approx(1e-6, rel=1e-12)


def test_t_test_power_beyond_the_doubles_is_the_normal_tests():
    """math.sqrt(n) overflowed ("int too large to convert to float") for such an n. The shift
    effect * sqrt(n) is still computed: 2**-600 * sqrt(4**600) is exactly 1, and 1e-200 *
    sqrt(10**400) is 1 to a rounding, where the normal test's power at 5 % is 0.170."""
    normal = montecarlo.t_test_power(2.0**-600, 4**600)
    q = montecarlo.z_for_false_alarm(0.05)
    assert normal == stats.norm.sf(q - 1) + stats.norm.sf(q + 1)
    assert montecarlo.t_test_power(1e-200, 10**400) == pytest.approx(normal, rel=1e-15)
    for n in (10**400, 10**4000):
        assert montecarlo.t_test_power(0.0, n, 1e-6) == pytest.approx(1e-6, rel=1e-12)
        assert montecarlo.t_test_power(1e-100, n) == 1.0
        assert montecarlo.t_test_power(-math.inf, n) == 1.0
