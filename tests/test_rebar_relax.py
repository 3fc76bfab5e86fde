"""REBAR and RELAX on the toy problem: exact and statistical unbiasedness, gradients, training."""

from __future__ import annotations

import dataclasses

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from scipy import stats

from binary_gumbel import conditional_noise as cn
from binary_gumbel.book import prose
from binary_gumbel.estimators import gradients, optim, rebar, registry, relax, sgd
from binary_gumbel.estimators import relax_training as rt
from binary_gumbel.estimators import statistics as estimator_stats
from binary_gumbel.estimators.toy_noise import toy_noise
from binary_gumbel.noise import sigmoid
from binary_gumbel.verification import rebar_unbiasedness
from binary_gumbel.verification.montecarlo import check_mean, mean_interval
from conftest import same_bits

FALSE_ALARM = 1e-6
TARGETS = (gradients.TARGET_REBAR, gradients.TARGET_RELAX)


def _uv(seed, n=200_000):
    return np.random.default_rng(seed).random((2, n))


@pytest.mark.parametrize(
    ("theta", "temperature", "target"),
    [
        (sp.log(2), sp.Integer(1), sp.Rational(9, 20)),
        (-sp.log(3), sp.Rational(1, 2), sp.Rational(499, 1000)),
    ],
)
def test_rebar_control_variate_has_mean_exactly_zero(theta, temperature, target):
    """E[B] = 0 by exact integration, so E[A + eta B] = L'(theta) for every eta."""
    assert rebar_unbiasedness.rebar_unbiasedness_exact(theta, temperature, target) == 0


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("eta", "temperature"), [(1.0, 0.5), (-0.7, 0.1), (2.0, 2.0)])
def test_rebar_is_unbiased(target, eta, temperature):
    u, v = _uv(21)
    g = rebar.rebar(-1.0, target, u, v, eta=eta, temperature=temperature)
    check = check_mean(g, gradients.exact_gradient(-1.0, target), FALSE_ALARM)
    assert check.consistent, check


@pytest.mark.parametrize("target", TARGETS)
def test_rebar_and_relax_through_the_registry_are_unbiased(target):
    for name in ("REBAR", "RELAX"):
        assert registry.ESTIMATORS[name].uniforms == 2
        r = estimator_stats.estimator_statistics(name, 0.8, target, 0.3, 200_000, rng=22)
        lo, hi = r.bias_interval(FALSE_ALARM)
        assert lo <= 0 <= hi, (name, r)


@pytest.mark.parametrize("target", TARGETS)
def test_relax_is_unbiased_at_a_random_phi(target):
    phi = relax.initial_phi(5, eta=0.6, temperature=0.3, rng=23)
    phi[2:8] = np.random.default_rng(24).normal(scale=0.3, size=6)  # d and a
    u, v = _uv(25)
    check = check_mean(relax.relax(-1.5, target, u, v, phi), gradients.exact_gradient(-1.5, target))
    assert check.consistent, check


def test_the_check_has_power_a_rebar_without_its_correction_is_biased():
    u, v = _uv(26)
    a, b = rebar.rebar_parts(-1.0, 0.45, u, v, temperature=0.5)
    # Drop the last term, -eta d f(s(z~)) / dtheta, from B (eta = 1).
    b_ = (-1.0 + np.log(u) - np.log1p(-u) > 0).astype(float)
    zt = cn.conditional_logistic_sample(v, -1.0, b_)
    dzt = cn.conditional_sample_derivative(v, -1.0, b_)
    s = sigmoid(zt / 0.5)
    df_zt = 2 * (s - 0.45) * s * (1 - s) / 0.5  # d f(s(z~)) / dz~, f(x) = (x - t)^2
    assert not check_mean(a + b + df_zt * dzt, gradients.exact_gradient(-1.0, 0.45)).consistent


def test_rebar_with_an_array_of_temperatures_is_each_temperature_in_turn():
    """A temperature of shape (n,) pairs with the n uniforms; one of shape (3, 1) broadcasts
    against them to (3, n), each row at its own temperature."""
    u, v = _uv(28, 4)
    temperatures = np.array([0.1, 0.5, 2.0, 10.0])
    got = rebar.rebar(0.3, 0.45, u, v, 1.0, temperatures)
    each = [rebar.rebar(0.3, 0.45, u[i], v[i], 1.0, t) for i, t in enumerate(temperatures)]
    np.testing.assert_array_equal(got, each)
    rows = rebar.rebar(0.3, 0.45, u, v, 1.0, temperatures[:3, None])
    assert rows.shape == (3, 4)
    for row, t in zip(rows, temperatures[:3], strict=True):
        np.testing.assert_array_equal(row, rebar.rebar(0.3, 0.45, u, v, 1.0, t))
    assert len(set(rows[:, 1])) == 3, "the temperatures give different estimates"


def test_rebar_with_eta_zero_is_reinforce_on_the_same_u():
    u, v = _uv(27, 1000)
    np.testing.assert_array_equal(
        rebar.rebar(0.3, 0.45, u, v, eta=0.0), gradients.reinforce(0.3, 0.45, u)
    )


def test_existing_estimators_draw_the_same_uniforms_as_before():
    r = estimator_stats.estimator_statistics("REINFORCE", -1.0, 0.45, 1.0, 1000, rng=5)
    g = gradients.reinforce(-1.0, 0.45, np.random.default_rng(5).random(1000))
    assert r.bias == float(g.mean()) - r.exact
    assert registry.ESTIMATORS["relaxed"].uniforms == 1


def test_sgd_runs_with_the_two_uniform_estimators():
    run = sgd.sgd("REBAR", 0.45, 0.5, steps=20, batch=4, rng=1)
    assert np.all(np.isfinite(run.theta))


def test_variance_grid_optimal_eta_minimises():
    grid = rebar.rebar_variance_grid(
        -1.0, 0.45, np.linspace(-0.5, 1.5, 9), [0.1, 0.5, 2.0], 50_000, 1
    )
    assert np.all(grid.optimal_variance[None, :] <= grid.variance * (1 + 1e-12))
    np.testing.assert_allclose(grid.saving, 1 - grid.optimal_variance / grid.reinforce_variance)


def _excess_variance(g, reference, exact, ratio=1.0):
    """``Var(g) - ratio Var(reference)`` of two unbiased estimators of ``exact``, as the
    mean of per-sample terms: ``(g - exact)^2 - ratio (reference - exact)^2``."""
    return check_mean((g - exact) ** 2 - ratio * (reference - exact) ** 2, 0.0, FALSE_ALARM)


@pytest.mark.parametrize(("temperature", "worse"), [(2.0, True), (5.0, False), (10.0, False)])
def test_rebar_at_eta_one_crosses_reinforce(temperature, worse):
    """The chapter once said REBAR with eta = 1 is worse than REINFORCE at every temperature
    (on a grid that stopped at 2): it is worse at 2, and at 5 and 10 its variance is below
    REINFORCE's."""
    u, v = _uv(41)
    exact = gradients.exact_gradient(-1.0, 0.45)
    a, b = rebar.rebar_parts(-1.0, 0.45, u, v, temperature=temperature)
    check = _excess_variance(a + b, a, exact)
    assert (check.low > 0) if worse else (check.high < 0), check


def test_rebar_at_large_temperature_saves_most_of_reinforces_variance():
    """The chapter once said the Concrete control variate saves below 1 % (on a grid that
    stopped at lambda = 2): at lambda = 100, with eta the lambda -> infinity optimum
    c* / (1/2 - t)^2 (computed, not fitted to these samples), it saves more than 95 %,
    and at theta = 2 as well (the first part of exercise ex-rr-eta)."""
    for theta, seed in ((-1.0, 41), (2.0, 43)):
        u, v = _uv(seed)
        exact = gradients.exact_gradient(theta, 0.45)
        a, b = rebar.rebar_parts(theta, 0.45, u, v, temperature=100.0)
        eta = float(rebar.limit_eta(theta, 0.45))
        check = _excess_variance(a + eta * b, a, exact, ratio=0.05)
        assert check.high < 0, (theta, check)


def test_held_out_saving_finds_no_saving_where_the_in_sample_one_is_noise():
    """The chapter once said the study 'estimates the best REBAR's saving at most 0.00207 %'
    at t = 0.499 for lambda <= 10: a saving measured on the samples eta* was fitted to, which
    is above 0 by construction. On fresh noise (four times the chapter's), REBAR with that
    eta* shows no saving distinguishable from 0 at any of them (1e-6 per interval), and at
    the largest lambda it does save most of REINFORCE's variance, as in the sample."""
    lambdas = [0.1, 0.3, 1, 2, 5, 10, 100, 1000, 10_000]
    hard = rebar.rebar_variance_grid(-1.0, gradients.TARGET_RELAX, [1.0], lambdas, n=50_000, rng=5)
    assert np.all(hard.saving[:6] > 0)  # in-sample: the fitted slope explains some noise
    fresh = rebar.held_out_saving(hard, 10_000, n=400_000, rng=46, false_alarm=FALSE_ALARM)
    assert len(fresh) == len(lambdas)
    assert all(s.low <= 0 <= s.high for s in fresh[:6]), fresh[:6]
    assert fresh[-1].low > 0.95, fresh[-1]
    text = prose.held_out_text(fresh[:6], FALSE_ALARM)
    assert text.verdict == "no saving distinguishable from 0 at any of them"
    assert text.familywise == "6×10⁻⁶"  # six intervals at 1e-6 each (Bonferroni)
    with pytest.raises(ValueError, match="^upto must be"):
        rebar.held_out_saving(hard, 0.01)


def test_held_out_text_reads_the_intervals():
    from binary_gumbel.verification.montecarlo import Interval

    gain, loss, zero = Interval(2e-4, 1e-4, 3e-4), Interval(-2e-4, -3e-4, -1e-4), Interval(0, -1, 1)
    verdict = prose.held_out_text([zero, gain], 0.01).verdict
    assert verdict == "a saving above 0 at some of them"
    assert prose.held_out_text([loss, zero], 0.01).verdict.startswith("a loss below 0")
    text = prose.held_out_text([loss, gain], 0.01)
    assert (text.low, text.high, text.familywise) == ("−0.0300 %", "0.0300 %", "2%")


def test_rebar_tends_to_a_constant_baseline():
    """sigmoid(z / lambda) = 1/2 + z / (4 lambda) + O(lambda^-3), so f(sigmoid(z / lambda))
    = (1/2 - t)^2 + (1/2 - t) z / (2 lambda) + O(lambda^-2) (SymPy), and REBAR's B tends
    to -(1/2 - t)^2 (b - p), the score times a constant baseline."""
    z, x, t = sp.symbols("z x t", real=True)  # x = 1 / lambda
    f = (1 / (1 + sp.exp(-z * x)) - t) ** 2
    series = sp.series(f, x, 0, 2).removeO()
    assert (
        sp.simplify(series - ((sp.Rational(1, 2) - t) ** 2 + (sp.Rational(1, 2) - t) * z * x / 2))
        == 0
    )
    # Numerically: |f - c0| <= |1/2 - t| |z| / (2 lam) + z^2 / (16 lam^2), and each
    # reparameterised term is at most 2 * 1 * (1/4) / lam; with |z| < 40, lam = 1e6:
    # |B - B_inf| < 1e-5.
    u, v = _uv(44, 10_000)
    theta, target, lam = -1.0, 0.45, 1e6
    _, b = rebar.rebar_parts(theta, target, u, v, temperature=lam)
    z = theta + np.log(u) - np.log1p(-u)
    assert np.abs(z).max() < 40
    score = (z > 0) - 1 / (1 + np.exp(-theta))
    assert np.max(np.abs(b + (0.5 - target) ** 2 * score)) < 1e-5
    # and the limit's optimal eta is the optimal constant over (1/2 - t)^2
    assert rebar.limit_eta(0.3, 0.45) == pytest.approx(rebar.optimal_baseline(0.3, 0.45) / 0.05**2)
    assert rebar.limit_eta(0.3, 0.5) == np.inf


def test_the_limit_eta_at_targets_beyond_the_doubles_squares():
    """eta* = c* / (1/2 - t)^2 tends to 1 as |t| grows: eta* - 1 = (3/4 - p + t (2p - 1)) /
    (1/2 - t)^2, about (2p - 1) / t, far below an ulp from |t| = 1e150 on. From |t| near
    1e154 both c* and (1/2 - t)^2 overflow (c* itself to inf, its value rounded, with no
    warning, an error here, also where p rounds to 0 or 1 and a square meets a weight of 0),
    and the ratio is the limit, not inf / inf = NaN: 1 within the rounding of (1 - p) + p."""
    theta = np.array([-800.0, -40.0, -3.0, 0.3, 4.0, 40.0, 800.0])
    for target in (1e150, 1e160, -1e200, 1e308, -1.7e308):
        eta = rebar.limit_eta(theta, target)
        np.testing.assert_allclose(eta, np.ones(7), rtol=np.finfo(float).eps, atol=0)
    np.testing.assert_array_equal(rebar.optimal_baseline(theta, 1e160), np.full(7, np.inf))
    np.testing.assert_array_equal(rebar.limit_eta([0.3, 0.3], [0.5, 1e200]), [np.inf, 1.0])


@pytest.mark.parametrize("theta", [-3.0, 0.3, 5.0])
@pytest.mark.parametrize("temperature", [1e20, 1.7e308, np.finfo(float).max])
def test_where_the_relaxation_rounds_to_a_half_the_saving_curve_is_its_limit(theta, temperature):
    """From a temperature near 1e17 to 1e18 sigmoid(z / lambda) rounds to 1/2 at every draw, R1 and
    R2 vanish and so do v11, v12 and v22. The curve is then its limit as lambda -> inf: 0 at
    t = 1/2 (at every lambda, delta = 0 leaves v22 > 0 alone in D), 1 elsewhere (the best
    REBAR is REINFORCE with the exact baseline), its growth 0; not 0 * inf = NaN."""
    curve = rebar.saving_curve(theta, temperature, n=10_000, rng=0)
    assert curve.v11 == curve.v12 == curve.v22 == 0
    targets = [0.5, 0.5 + 2**-53, -2.0, 1.5, 1e300, np.inf]
    np.testing.assert_array_equal(curve.saving(targets), [0, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(curve.growth(targets), np.zeros(6))
    assert curve.saving(0.5) == curve.growth(0.5) == 0


@pytest.mark.parametrize("temperature", [1e20, 1.7e308])
def test_variance_grid_at_a_half_where_the_control_variate_vanishes(temperature):
    """At t = 1/2 (f(1/2) = 0) and a temperature where sigmoid(z / lambda) rounds to 1/2, B is
    0 at every draw: every eta gives Var(A), eta* is 0 (B is uncorrelated with A at t = 1/2 at
    every temperature) with an infinite standard error, not 0 / 0. Var(A) against its exact
    value on the draws: A takes two values, (1 - t)^2 (1 - p) at the k draws with b = 1 and
    -t^2 p at the others; np.cov's n squared deviations and their sum round by at most
    (n + 3) eps of the total."""
    n, theta = 10_000, 0.3
    grid = rebar.rebar_variance_grid(theta, 0.5, [-1.0, 0.0, 2.0], [temperature], n=n, rng=0)
    assert grid.optimal_eta[0] == 0 and grid.optimal_eta_se[0] == np.inf
    np.testing.assert_array_equal(grid.variance[:, 0], np.full(3, grid.optimal_variance[0]))
    uv = np.random.default_rng(0).random((n, 2))  # the grid's draws
    noise = toy_noise(theta, 0.5, uv[:, 0], uv[:, 1])
    p = sp.Rational(*float(np.ravel(noise.p)[0]).as_integer_ratio())
    k = int(np.count_nonzero(noise.b))
    one = sp.Rational(1, 4) * (1 - p)
    zero = -sp.Rational(1, 4) * p
    mean = (k * one + (n - k) * zero) / n
    exact = (k * (one - mean) ** 2 + (n - k) * (zero - mean) ** 2) / (n - 1)
    assert 0 < k < n
    eps = np.finfo(float).eps
    assert abs(grid.optimal_variance[0] - float(exact)) <= (n + 3) * eps * float(exact)


@pytest.mark.parametrize("theta", [-1.0, 2.0])
def test_ex_rr_eta_solution(theta):
    """Exercise ex-rr-eta at t = 3: the solution's call (lambda = 2) gives eta*; on fresh
    noise, REBAR with that eta saves more than 95 % of REINFORCE's variance, and more than
    REINFORCE with the mean baseline. (The old solution said the relaxation does not
    remove the noise there.)"""
    grid = rebar.rebar_variance_grid(theta, 3.0, [1.0], [2.0], n=50_000, rng=5)
    eta = float(grid.optimal_eta[0])
    u, v = _uv(45)
    exact = gradients.exact_gradient(theta, 3.0)
    a, b = rebar.rebar_parts(theta, 3.0, u, v, temperature=2.0)
    with_eta = a + eta * b
    assert _excess_variance(with_eta, a, exact, ratio=0.05).high < 0
    score = (theta + np.log(u) - np.log1p(-u) > 0) - 1 / (1 + np.exp(-theta))
    baseline = a - gradients.objective(theta, 3.0) * score
    check = _excess_variance(with_eta, baseline, exact)
    assert check.high < 0, check


def test_eta_star_standard_error_matches_its_spread_over_seeds():
    """The grid's standard error of eta* (sandwich, HC0) against the spread of eta* over 200
    seeds at ex-rr-eta's far setting, theta = 2, t = 3, lambda = 2: the ratio of the seeds'
    variance to the mean squared error lies in its chi-square interval (199 degrees of
    freedom) at a false-alarm rate of 1e-6. The ordinary slope's error, which assumes one
    residual variance for every B (the grid's old one), lies far outside it."""
    seeds, n = 200, 20_000
    grids = [rebar.rebar_variance_grid(2.0, 3.0, [1.0], [2.0], n=n, rng=s) for s in range(seeds)]
    eta = np.array([g.optimal_eta[0] for g in grids])
    se2 = np.mean([g.optimal_eta_se[0] ** 2 for g in grids])
    df = seeds - 1
    low, high = stats.chi2.ppf([0.5e-6, 1 - 0.5e-6], df) / df
    assert low < eta.var(ddof=1) / se2 < high
    ordinary = []
    for s in range(seeds):
        u, v = np.random.default_rng(s).random((n, 2)).T
        a, b = rebar.rebar_parts(2.0, 3.0, u, v, temperature=2.0)
        slope = -np.cov(a, b)[0, 1] / b.var(ddof=1)
        ordinary.append((a + slope * b).var(ddof=2) / (n * b.var(ddof=1)))
    assert eta.var(ddof=1) / np.mean(ordinary) > high


TARGETS = np.array([-3, -1, -0.5, -0.1, 0, 0.1, 0.25, 0.45, 0.5, 0.55, 0.75, 0.9, 1, 1.1, 1.5, 3])


@pytest.mark.parametrize("theta", [-1.0, 2.0])
def test_ex_rr_eta_saving_grows_with_the_targets_distance_from_a_half(theta):
    """The solution of ex-rr-eta, on why t = 3 suits REBAR and t = 0.45 does not: not
    whether f is monotone on [0, 1]. At lambda = 2 the best REBAR's saving is 0 at t = 1/2
    and grows with |t - 1/2| on both sides; as t reaches 0 or 1, where f becomes monotone
    on [0, 1], its growth slows: the saving rises less per unit of |t - 1/2| from
    0.1 to 0 than from 0.25 to 0.1 (and from 0.9 to 1 than from 0.75 to 0.9), with no
    upturn (for fixed noise the saving is a ratio of polynomials in t; the test of the
    growth's peak below says why it slows).
    The saving of a fitted eta* is biased up by about 1/n (REBAR's held-out test above);
    the differences asserted are at least 20 times that. The test asserted it of every step
    of the grid; the two steps next to 1/2 (0.45 and 0.55 to 0.5) failed it when the seed
    changed: over seeds 5, 106, ..., 914 (ten draws) they ran from 0.2 to 4.9 times 20/n at
    theta = 2 and from 1.6 to 4.9 at -1, while the population step, from the formula with
    moments of 10^6 draws, is about 3 times 20/n: of the order of the sampling error. Those
    two steps are no longer asserted on the draws (a claim that depended on the draw,
    corrected); the chapter's curve (rebar.saving_curve, the formula) grows there, as
    delta^4. Every other step was at least 62 times 20/n over the ten draws."""
    n = 50_000
    saving = np.array(
        [rebar.rebar_variance_grid(theta, t, [1.0], [2.0], n=n, rng=5).saving[0] for t in TARGETS]
    )
    half = int(np.flatnonzero(TARGETS == 0.5)[0])
    assert saving[half] < 20 / n
    below, above = saving[:half], saving[half + 1 :]  # without the steps next to 1/2
    assert np.all(np.diff(below) < -20 / n) and np.all(np.diff(above) > 20 / n)
    curve = rebar.saving_curve(theta, 2.0, n=n, rng=5)
    assert curve.monotone  # the formula grows on both sides of 1/2, next to it too
    at = dict(zip(TARGETS.tolist(), saving, strict=True))

    def slope(t0, t1):  # change of the saving per unit of |t - 1/2|, from t0 to t1
        return (at[t1] - at[t0]) / abs(t1 - t0)

    # As t reaches 0 or 1, where f becomes monotone on [0, 1], the saving's slope lies
    # below that of the step before: it slows, with no upturn there.
    assert slope(0.1, 0.0) < slope(0.25, 0.1)
    assert slope(0.9, 1.0) < slope(0.75, 0.9)


def test_ex_rr_eta_the_two_sides_of_a_half_are_mirror_images():
    """The solution of ex-rr-eta: REBAR's two parts at (theta, t) and noise (u, v) are minus
    those at (-theta, 1 - t) and (1 - u, 1 - v), so the saving at (theta, t) is the one at
    (-theta, 1 - t), and saving(theta, 1/4) - saving(theta, 3/4) is odd in theta. It is not
    0: over 8 seeds its Student-t interval lies below 0 at theta = -1 and above at 2."""
    rng = np.random.default_rng(3)
    u, v = rng.random(1000), rng.random(1000)
    for theta, t, lam in [(2.0, 0.25, 2.0), (-1.0, 0.1, 0.5), (0.7, 3.0, 10.0)]:
        parts = rebar.rebar_parts(theta, t, u, v, temperature=lam)
        mirrored = rebar.rebar_parts(-theta, 1 - t, 1 - u, 1 - v, temperature=lam)
        for part, mirror in zip(parts, mirrored, strict=True):
            np.testing.assert_allclose(part, -mirror, rtol=1e-9, atol=1e-12)

    def saving(theta, t, seed):
        return rebar.rebar_variance_grid(theta, t, [1.0], [2.0], n=50_000, rng=seed).saving[0]

    for theta in (-1.0, 2.0):
        difference = [saving(theta, 0.25, s) - saving(theta, 0.75, s) for s in range(8)]
        interval = mean_interval(difference, FALSE_ALARM)
        assert (interval.low > 0) == (theta > 0) and (interval.high < 0) == (theta < 0)


def _grid_draws(n=50_000):
    """The uniforms ``(u, v)`` that ``rebar_variance_grid(..., n=n, rng=5)`` draws."""
    return np.random.default_rng(5).random((n, 2)).T


def _in_distance(theta, temperature, u, v):
    """REBAR's parts ``A`` and ``B`` as ``c0 + c1 d + c2 d^2`` in ``d = 1/2 - t``, draw by draw,
    from the targets 1/2, -1/2 and 3/2 (``d = 0, 1, -1``): ``[(A0, A1, A2), (B0, B1, B2)]``."""
    middle, plus, minus = (
        rebar.rebar_parts(theta, t, u, v, temperature=temperature) for t in (0.5, -0.5, 1.5)
    )
    return [(c, (p - m) / 2, (p + m) / 2 - c) for c, p, m in zip(middle, plus, minus, strict=True)]


def _score(theta, u, v):
    """``b - p`` on the uniforms ``(u, v)``."""
    noise = toy_noise(theta, 0.5, u, v)
    return noise.b - noise.p


@pytest.mark.parametrize(
    ("theta", "temperature", "target"),
    [
        (sp.log(2), sp.Integer(1), sp.Rational(9, 20)),
        (-sp.log(3), sp.Rational(1, 2), sp.Rational(499, 1000)),
        (sp.log(2), sp.Rational(1, 3), sp.Integer(3)),
    ],
)
def test_rebar_control_variate_given_b_is_minus_f_at_a_half_times_the_score_exactly(
    theta, temperature, target
):
    """E[B | b] = -f(1/2) (b - p), by exact integration, at three points."""
    p = 1 / (1 + sp.exp(-theta))
    for b in (0, 1):
        given = rebar_unbiasedness.rebar_control_variate_given_b_exact(
            theta, temperature, target, b
        )
        assert sp.simplify(given + (sp.Rational(1, 2) - target) ** 2 * (b - p)) == 0


_LOG2, _ONE, _T = sp.log(2), sp.Integer(1), sp.Rational(9, 20)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((sp.nan, _ONE, _T), ValueError, "^theta must be an exact, finite real"),  # was nan
        ((0.5, _ONE, _T), ValueError, "^theta must be an exact"),  # was NoConvergence
        ((sp.I, _ONE, _T), ValueError, "^theta must be an exact"),  # was 0
        ((None, _ONE, _T), TypeError, "^theta"),
        ((_LOG2, sp.Integer(0), _T), ValueError, "^temperature must be 1/k"),  # was 0
        ((_LOG2, sp.Integer(-1), _T), ValueError, "^temperature must be 1/k"),  # was 0
        ((_LOG2, sp.Integer(2), _T), ValueError, "^temperature must be 1/k"),  # did not finish
        ((_LOG2, sp.oo, _T), ValueError, "^temperature must be an exact"),  # was 0
        ((_LOG2, _ONE, 0.45), ValueError, "^target must be an exact"),  # was 2.8e-15
        ((_LOG2, _ONE, sp.oo), ValueError, "^target must be an exact"),  # was nan
        ((_LOG2, _ONE, [1, 2]), TypeError, "^target"),  # was unhashable type
    ],
)
def test_exact_rebar_integration_refuses_parameters_outside_its_domain_by_name(args, error, match):
    """Only exact real parameters, with 1/temperature a positive integer."""
    with pytest.raises(error, match=match):
        rebar_unbiasedness.rebar_unbiasedness_exact(*args)
    with pytest.raises(error, match=match):
        rebar_unbiasedness.rebar_control_variate_given_b_exact(*args, 1)


@pytest.mark.parametrize("theta", [sp.Integer(1), sp.Integer(2), sp.log(2) / 2])
def test_exact_rebar_integration_takes_a_theta_whose_exponential_is_irrational(theta):
    """SymPy integrates there too (E[B] = 0 at theta = 1 and 2, lambda = 1, t = 9/20, in 10
    to 15 s each, too slow for the suite), so the check passes such a theta on unchanged."""
    exact = rebar_unbiasedness._exact_parameters(theta, 1, _T)
    assert exact == (theta, _ONE, _T) and isinstance(exact[1], sp.Integer)


def test_exact_rebar_integration_names_an_unhashable_b():
    with pytest.raises(ValueError, match="^b must be 0 or 1"):
        rebar_unbiasedness.rebar_control_variate_given_b_exact(_LOG2, _ONE, _T, [1])


@pytest.mark.parametrize(
    ("theta", "target", "temperature"),
    [
        (-1.0, 0.45, 0.1),
        (-1.0, 0.25, 2.0),
        (-1.0, 3.0, 10.0),
        (2.0, 0.45, 2.0),
        (2.0, -1.0, 0.5),
        (0.3, 0.5, 2.0),
    ],
)
def test_rebar_control_variate_given_b_is_minus_f_at_a_half_times_the_score(
    theta, target, temperature
):
    """E[B | b] = -f(1/2) (b - p) at every temperature, by Monte Carlo (1e-6 per check)."""
    u, v = _uv(17)
    _, control = rebar.rebar_parts(theta, target, u, v, temperature=temperature)
    noise = toy_noise(theta, target, u, v)
    for b in (0, 1):
        given = control[noise.b == b]
        expected = -((0.5 - target) ** 2) * (b - stats.logistic.cdf(theta))
        assert check_mean(given, expected, FALSE_ALARM).consistent, (b, given.mean(), expected)
        if abs(0.5 - target) >= 1:  # the check has power: E[B | b] is far from 0 there
            assert not check_mean(given, 0.0, FALSE_ALARM).consistent


@pytest.mark.parametrize(("theta", "temperature"), [(-1.0, 2.0), (2.0, 2.0), (2.0, 0.5)])
def test_ex_rr_eta_the_saving_is_the_squared_correlation_of_b_and_the_control_variate(
    theta, temperature
):
    """The solution of ex-rr-eta: A = f(b)(b - p) is a function of b, so on any sample the best
    REBAR's saving is corr(B, b)^2; A's (1/2 - t)^2 term is the score and B's its negative,
    sample by sample; at t = 1/2, where f(1/2) = 0, B is uncorrelated with b, and away from
    1/2 it is not (a heteroskedasticity-robust score statistic against its chi-square(1)
    quantile at 1e-6: B's variance differs between b = 0 and b = 1)."""
    n = 50_000
    u, v = _grid_draws(n)
    for target in (0.5, 0.25, 3.0):
        _, control = rebar.rebar_parts(theta, target, u, v, temperature=temperature)
        b = toy_noise(theta, target, u, v).b
        grid = rebar.rebar_variance_grid(theta, target, [1.0], [temperature], n=n, rng=5)
        squared_correlation = np.corrcoef(control, b)[0, 1] ** 2
        np.testing.assert_allclose(grid.saving[0], squared_correlation, rtol=1e-9)
        x, y = b - b.mean(), control - control.mean()
        robust = np.sum(x * y) ** 2 / np.sum(x**2 * y**2)
        assert (robust < stats.chi2.isf(FALSE_ALARM, 1)) == (target == 0.5), (target, robust)
    (_, _, a2), (_, _, b2) = _in_distance(theta, temperature, u, v)
    score = _score(theta, u, v)
    np.testing.assert_allclose(a2, score, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b2, -score, rtol=0, atol=1e-12)


@pytest.mark.parametrize("theta", [-1.0, 2.0])
def test_ex_rr_eta_the_formula_with_the_draws_own_moments_is_the_grids_saving(theta):
    """The solution of ex-rr-eta: on the grid's own draws, B_1 = -d^2 (b - p) + d R_1 + R_2
    (d = 1/2 - t) draw by draw, and the saving formula with the draws' own Var(b) and
    Cov(R_i, b) in place of p(1 - p) and 0 is the grid's saving; with A = L' + c* (b - p),
    eta* = saving c* Var(b) / (-Cov(b, B_1)), which is saving c*/d^2 in the population."""
    n = 50_000
    u, v = _grid_draws(n)
    _, (r2, r1, _) = _in_distance(theta, 2.0, u, v)
    score = _score(theta, u, v)
    var_b = score.var(ddof=1)
    for target in (0.25, 0.75, 3.0):
        d = 0.5 - target
        rest = d * r1 + r2
        _, control = rebar.rebar_parts(theta, target, u, v, temperature=2.0)
        np.testing.assert_allclose(control, -(d**2) * score + rest, rtol=0, atol=1e-12)
        cov_rest = np.cov(score, rest)[0, 1]
        cov_b = -(d**2) * var_b + cov_rest
        var_control = d**4 * var_b - 2 * d**2 * cov_rest + rest.var(ddof=1)
        grid = rebar.rebar_variance_grid(theta, target, [1.0], [2.0], n=n, rng=5)
        np.testing.assert_allclose(grid.saving[0], cov_b**2 / (var_b * var_control), rtol=1e-9)
        c_star = rebar.optimal_baseline(theta, target)
        np.testing.assert_allclose(
            grid.optimal_eta[0], grid.saving[0] * c_star * var_b / -cov_b, rtol=1e-9
        )


@pytest.mark.parametrize("theta", [-1.0, 2.0])
def test_ex_rr_eta_saving_curve_predicts_the_best_rebar_saving(theta):
    """The curve's formula, with its variances estimated on the grid's draws, against the
    grid's saving at three targets: over 20 seeds the paired differences' Student-t interval
    (1e-6) contains 0 and is narrower than a tenth of the saving."""
    for target in (0.25, 0.75, 3.0):
        curve, grid = zip(
            *(
                (
                    rebar.saving_curve(theta, 2.0, n=50_000, rng=seed).saving(target),
                    rebar.rebar_variance_grid(
                        theta, target, [1.0], [2.0], n=50_000, rng=seed
                    ).saving[0],
                )
                for seed in range(20)
            ),
            strict=True,
        )
        interval = mean_interval(np.subtract(curve, grid), FALSE_ALARM)
        assert interval.low <= 0 <= interval.high, (target, interval)
        assert interval.high - interval.low < 0.1 * np.mean(grid), (target, interval)


def _second_difference(curve, target, h):
    """``(saving(t + h) - 2 saving(t) + saving(t - h)) / h^2``, from the curve's values alone."""
    return (curve.saving(target + h) - 2 * curve.saving(target) + curve.saving(target - h)) / h**2


def _inflections_over_seeds(theta, temperature):
    """The inflections of the saving curve at ``theta`` and ``temperature``, one row per seed
    (0 to 9), from the chapter's 50,000 draws."""
    return np.array(
        [
            rebar.saving_curve(theta, temperature, n=50_000, rng=seed).inflections()
            for seed in range(10)
        ]
    )


def test_ex_rr_eta_the_growth_has_passed_its_peak_as_t_reaches_zero_or_one():
    """The solution of ex-rr-eta, on why, at lambda = 2, the saving's growth slows as t reaches
    0 or 1. Each curve has one inflection on each side of 1/2, where its growth peaks,
    between the grid's targets 0.1 and 0.9 (over 10 seeds, Student-t intervals at 1e-6).
    The test also asserted that those intervals are narrower than 0.01, a statement of
    precision that no sentence of the chapter uses and that depended on the draw: with every
    seed shifted by 101, 202, 303, 404 and 505, the width at theta = 2 was 0.0151, 0.0090,
    0.0137, 0.0109 and 0.0089 (0.0060 unshifted); it was dropped. On the chapter's curves
    (seed 5): concave from 0.1 and 0.9 outwards, so the step to 0 (or 1) rises by less than
    the growth at 0.1 (0.9) times its length; the step before rises by more, as the growth
    at its start, 0.25 (0.75), exceeds that at 0.1 (0.9). 0.25 and 0.75 lie past the peak,
    but for 0.75 at theta = 2, just short of it."""
    for theta in (-1.0, 2.0):
        inflections = _inflections_over_seeds(theta, 2.0)
        assert inflections.shape == (10, 2)
        for side in inflections.T:
            interval = mean_interval(side, FALSE_ALARM)
            assert 0.1 < interval.low and interval.high < 0.9, (theta, interval)
        assert np.all(inflections[:, 0] < 0.5) and np.all(inflections[:, 1] > 0.5)
        curve = rebar.saving_curve(theta, 2.0, n=50_000, rng=5)
        for peak in curve.inflections():
            assert curve.growth(peak) > max(curve.growth(peak - 0.01), curve.growth(peak + 0.01))
        convex = {0.45: True, 0.55: True, 0.25: False, 0.75: theta == 2.0}
        convex |= {t: False for t in (0.1, 0.0, -0.5, 0.9, 1.0, 1.5)}
        for target, expected in convex.items():
            assert (_second_difference(curve, target, 1e-3) > 0) == expected, (theta, target)
        for start, middle, end in ((0.25, 0.1, 0.0), (0.75, 0.9, 1.0)):
            before, after = (
                (curve.saving(b) - curve.saving(a)) / abs(b - a)
                for a, b in ((start, middle), (middle, end))
            )
            assert after < curve.growth(middle) < before, (theta, start, before, after)
            assert curve.growth(start) > curve.growth(middle), (theta, start)


def _exact_saving(v11, v12, v22):
    """``delta``, SymPy's ``pi delta^4 / D`` at p = 2/3 (theta = log 2) and the moments given
    (rationals), and the library's :class:`~binary_gumbel.estimators.rebar.SavingCurve` there."""
    pi = sp.Rational(2, 9)
    delta = sp.symbols("delta", real=True)
    saving = pi * delta**4 / (pi * delta**4 + v11 * delta**2 + 2 * v12 * delta + v22)
    curve = rebar.SavingCurve(float(sp.log(2)), 1.0, 10, float(v11), float(v12), float(v22))
    return delta, saving, curve


def test_saving_curve_growth_is_the_derivative_of_the_saving_in_the_distance_from_a_half():
    """``growth`` against SymPy's derivative of ``pi delta^4 / D`` in ``|delta|`` at exact
    points (p = 2/3), on both sides of 1/2 and on both branches of its computation (|delta|
    below and above 1), and against the saving's central differences; 0 at 1/2 and +-inf, and
    its far limit where delta^4 would overflow."""
    delta, saving, curve = _exact_saving(
        sp.Rational(1, 50), sp.Rational(-1, 400), sp.Rational(1, 2000)
    )
    derivative = sp.diff(saving, delta)
    for d in [sp.Rational(k, 8) for k in (-24, -9, -8, -3, -1, 1, 3, 8, 9, 24)]:
        expected = float(sp.sign(d) * derivative.subs(delta, d))
        np.testing.assert_allclose(curve.growth(float(sp.Rational(1, 2) - d)), expected, rtol=1e-12)
    targets = np.linspace(-4, 5, 91)
    targets = targets[np.abs(targets - 0.5) > 0.01]
    h = 1e-6
    difference = (curve.saving(targets - h) - curve.saving(targets + h)) / (2 * h)
    np.testing.assert_allclose(
        curve.growth(targets), np.sign(0.5 - targets) * difference, rtol=1e-6, atol=1e-9
    )
    np.testing.assert_array_equal(curve.growth([0.5, np.inf, -np.inf]), 0.0)
    # Far away, growth ~ 2 v11 / (pi |delta|^3), where delta^4 itself would overflow.
    far = np.array([-1e80, 1e80])
    np.testing.assert_allclose(
        curve.growth(far),
        2 * curve.v11 / (curve.score_variance * np.abs(0.5 - far) ** 3),
        rtol=1e-9,
    )


def test_ex_rr_eta_at_lambda_0_3_the_growth_still_speeds_up_at_zero_and_one():
    """The solution of ex-rr-eta: where the growth peaks depends on lambda. At lambda = 0.3
    (theta = -1) the curve has one inflection on each side, both outside [0, 1] (over 10
    seeds, Student-t intervals at 1e-6), and at 0 and 1 the chapter's curve (seed 5) is
    still convex, its growth speeding up."""
    cold = _inflections_over_seeds(-1.0, 0.3)
    assert cold.shape == (10, 2)
    assert mean_interval(cold[:, 0], FALSE_ALARM).high < 0
    assert mean_interval(cold[:, 1], FALSE_ALARM).low > 1
    curve = rebar.saving_curve(-1.0, 0.3, n=50_000, rng=5)
    assert _second_difference(curve, 0.0, 1e-3) > 0 and _second_difference(curve, 1.0, 1e-3) > 0


def test_saving_curve_grows_on_both_sides_exactly_when_its_discriminant_is_not_positive():
    """9 v12^2 <= 8 v11 v22 decides whether the saving grows with |t - 1/2| on both sides (if
    not, it dips on the side where delta = 1/2 - t has the sign of -v12), pinned on both sides of
    the bound |correlation| = sqrt(8/9) = 0.9428; far from 1/2, (1/2 - t)^2 (1 - saving) tends
    to v11 / pi; at 1/2 the saving is 0, and at t = +-inf it is 1."""
    # Dense where the dips are (|delta| from 1 to 2 for these correlations), sparse elsewhere.
    distances = np.union1d(np.geomspace(1e-3, 1e3, 2001), np.linspace(1.0, 2.0, 20_001))
    for v12, monotone in [
        (0.9, True),
        (-0.9, True),
        (0.94, True),
        (-0.94, True),
        (0.945, False),
        (-0.945, False),
        (0.99, False),
        (-0.99, False),
    ]:
        curve = rebar.SavingCurve(theta=0.4, temperature=1.0, n=10, v11=1.0, v12=v12, v22=1.0)
        assert curve.monotone == monotone
        for side in (1, -1):
            saving = curve.saving(0.5 - side * distances)
            grows = bool(np.all(np.diff(saving) > 0))
            assert grows == (monotone or side * v12 > 0), (v12, side)
        far = curve.saving(0.5 - 1e4)
        assert abs(1e8 * (1 - far) / curve.far_limit - 1) < 1e-3
        assert curve.saving(0.5) == 0
        np.testing.assert_array_equal(curve.saving([np.inf, -np.inf, 1e300]), 1.0)
    # At the bound itself, 9 v12^2 = 8 v11 v22 exactly: the derivative vanishes at one point
    # only, and the saving still grows on both sides.
    edge = rebar.SavingCurve(theta=0.4, temperature=1.0, n=10, v11=9.0, v12=8.0, v22=8.0)
    assert edge.monotone
    for side in (1, -1):
        assert np.all(np.diff(edge.saving(0.5 - side * distances)) > 0), side


@pytest.mark.parametrize(
    ("v11", "v12", "v22"),
    [
        (sp.Rational(1, 50), sp.Rational(1, 1000), sp.Rational(1, 1000)),
        (sp.Rational(1, 50), sp.Rational(-1, 400), sp.Rational(1, 2000)),
        (sp.Integer(1), sp.Rational(99, 100), sp.Integer(1)),
    ],
)
def test_saving_curve_inflections_are_where_its_exact_second_derivative_vanishes(v11, v12, v22):
    """The real roots of ``d^2/d delta^2 [pi delta^4 / D]``, differentiated by SymPy at exact
    rational moments (p = 2/3), other than delta = 0, are the curve's inflections."""
    delta, saving, curve = _exact_saving(v11, v12, v22)
    numerator = sp.Poly(sp.numer(sp.together(sp.diff(saving, delta, 2))), delta)
    roots = [r for r in sp.real_roots(numerator) if r != 0]
    expected = np.sort([float(sp.Rational(1, 2) - r) for r in roots])
    np.testing.assert_allclose(curve.inflections(), expected, rtol=1e-9)


def test_saving_curve_turns_from_convex_to_concave_on_both_sides_of_a_half():
    """For any moments, Q(0) > 0 and Q's leading coefficient is negative, so the saving has an
    inflection on each side of 1/2; at each, its second difference (from the saving alone)
    changes sign. 200 random positive-definite (v11, v12, v22) and p."""
    rng = np.random.default_rng(11)
    for _ in range(200):
        v11, v22 = 10 ** rng.uniform(-4, 0, 2)
        v12 = rng.uniform(-1, 1) * np.sqrt(v11 * v22)
        curve = rebar.SavingCurve(rng.uniform(-3, 3), 1.0, 10, v11, v12, v22)
        targets = curve.inflections()
        assert np.any(targets < 0.5) and np.any(targets > 0.5), curve
        gaps = np.diff(np.concatenate([[-np.inf], targets, [np.inf]]))
        for target, gap in zip(targets, np.minimum(gaps[:-1], gaps[1:]), strict=True):
            eps = min(0.02 * max(1.0, abs(0.5 - target)), gap / 4)
            before, after = (_second_difference(curve, target + e, eps / 2) for e in (-eps, eps))
            assert before * after < 0, (curve, target)


def test_optimal_constant_baseline_makes_reinforce_exact():
    theta = np.array([-3.0, -1.0, 0.0, 2.0])
    c = rebar.optimal_baseline(theta, 0.499)
    for b in (0.0, 1.0):
        u = 0.999999 if b else 1e-6  # b = 1[u > 1 - p]
        g = gradients.reinforce(theta, 0.499, u, baseline=c)
        np.testing.assert_allclose(g, gradients.exact_gradient(theta, 0.499), rtol=1e-9)


# --- analytic derivatives against finite differences ---


PHI = (
    relax.initial_phi(4, eta=0.8, temperature=0.4, rng=31)
    + np.r_[0, 0, 0.1, [0.3, -0.2, 0.5, 0.1], np.zeros(8)]
)
Z_GRID = np.linspace(-4, 4, 17)
H = 1e-5
# Central differences: truncation h^2 |q'''| / 6 with |q'''| < 1e3 for these smooth functions
# of z and phi on the grid, plus rounding 4 eps |q| / h with |q| < 10.
FD_TOL = H**2 / 6 * 1e3 + 4 * np.finfo(float).eps * 10 / H


def test_control_variate_slope_matches_finite_differences_in_z():
    c_plus, _, _, _ = relax.control_variate(Z_GRID + H, PHI, 0.45)
    c_minus, _, _, _ = relax.control_variate(Z_GRID - H, PHI, 0.45)
    _, slope, _, _ = relax.control_variate(Z_GRID, PHI, 0.45)
    assert np.max(np.abs((c_plus - c_minus) / (2 * H) - slope)) <= FD_TOL


def test_control_variate_phi_gradients_match_finite_differences():
    _, _, d_value, d_slope = relax.control_variate(Z_GRID, PHI, 0.45)
    for k in range(PHI.size):
        step = np.zeros_like(PHI)
        step[k] = H
        cp, sp_, _, _ = relax.control_variate(Z_GRID, PHI + step, 0.45)
        cm, sm, _, _ = relax.control_variate(Z_GRID, PHI - step, 0.45)
        assert np.max(np.abs((cp - cm) / (2 * H) - d_value[k])) <= FD_TOL, k
        assert np.max(np.abs((sp_ - sm) / (2 * H) - d_slope[k])) <= FD_TOL, k


def test_relax_phi_gradient_matches_finite_differences():
    u, v = _uv(32, 64)
    g, dg = relax.relax_and_phi_gradient(-0.5, 0.499, u, v, PHI)
    np.testing.assert_array_equal(g, relax.relax(-0.5, 0.499, u, v, PHI))
    for k in range(PHI.size):
        step = np.zeros_like(PHI)
        step[k] = H
        fd = relax.relax(-0.5, 0.499, u, v, PHI + step) - relax.relax(-0.5, 0.499, u, v, PHI - step)
        assert np.max(np.abs(fd / (2 * H) - dg[k])) <= FD_TOL, k


@pytest.mark.parametrize("log_lambda", [np.log(0.4), -800.0])
@pytest.mark.parametrize("network", [True, False])
@pytest.mark.parametrize("extremes", [False, True])
def test_control_variate_terms_for_some_rows_are_those_rows_of_all_bit_for_bit(
    log_lambda, network, extremes
):
    # control_variate_terms computes only the rows that ``rows`` asks for; each must have
    # the bits it has among all rows, on the plain path (finite z, an ordinary lambda) and
    # on the guarded one (z = ±inf, or lambda beyond the doubles), with and without the
    # network (a = 0 and no network row asked).
    phi = _with_log_lambda(log_lambda)
    if not network:
        phi[3 : 3 + 4] = 0.0
    layout = relax.PhiLayout(4)
    z = (np.r_[Z_GRID, 0.0, -np.inf, np.inf] if extremes else np.r_[Z_GRID, 0.0])[None, :]
    plain = bool(not extremes and log_lambda > -700)
    assert relax._ordinary(z, np.exp(phi[1:2, None])) is plain
    full = relax.control_variate_terms(phi[None, :], layout, z, 0.45, True)
    index = np.arange(layout.size)
    masks = [index == 2, index < 2, index == 1, index >= 3] if network else [index < 3, index == 1]
    for rows in masks:
        value, slope, d_value, d_slope = relax.control_variate_terms(
            phi[None, :], layout, z, 0.45, True, rows
        )
        if network:
            assert same_bits(value, full[0]) and same_bits(slope, full[1]), rows
        else:  # all rows evaluate the network, whose a = 0 adds +0.0: -0.0 becomes 0.0
            np.testing.assert_array_equal(value, full[0])
            np.testing.assert_array_equal(slope, full[1])
        assert same_bits(d_value, full[2][:, rows]), rows
        assert same_bits(d_slope, full[3][:, rows]), rows


def test_control_variate_terms_refuse_rows_that_are_not_one_mask():
    layout = relax.PhiLayout(4)
    phi = _with_log_lambda(np.log(0.4))[None, :]
    z = np.r_[Z_GRID][None, :]
    for rows in (np.ones((2, layout.size), dtype=bool), np.ones(layout.size - 1, dtype=bool)):
        with pytest.raises(ValueError, match="rows must be a mask of shape"):
            relax.control_variate_terms(phi, layout, z, 0.45, True, rows)


def test_control_variate_terms_of_an_empty_batch_are_empty():
    """No phi, so no lambda to guard: ``c`` and ``dc/dz`` are empty, with z finite or not
    (the guard's minimum over no lambda had raised)."""
    layout = relax.PhiLayout(4)
    phi = np.empty((0, layout.size))
    for z in (np.r_[Z_GRID][None, :], np.r_[Z_GRID, np.inf][None, :]):
        value, slope, _, _ = relax.control_variate_terms(phi, layout, z, 0.45, False)
        assert value.shape == slope.shape == (0, z.shape[1])


# --- valid extremes: the limits, with no warning (the tests turn warnings into errors) ---


def _with_log_lambda(log_lambda):
    phi = PHI.copy()
    phi[1] = log_lambda
    return phi


#: What control_variate returns, in order.
NAMES = ("c", "dc/dz", "dc/dphi", "d2c/dz dphi")


#: lambda = exp(log lambda) rounds to inf above log lambda = 709.78 and to 0 below about -745;
#: at log lambda = +-700 it is still a double.
@pytest.mark.parametrize(("beyond", "inside"), [(800.0, 700.0), (-800.0, -700.0), (1e4, 700.0)])
def test_a_temperature_beyond_the_doubles_gives_the_limit(beyond, inside):
    # z = 0 is left out: there dc/dz grows as 1 / lambda (next test).
    z = np.array([-np.inf, -5.0, -1e-3, 1e-3, 2.0, np.inf])
    far = relax.control_variate(z, _with_log_lambda(beyond), 0.45)
    near = relax.control_variate(z, _with_log_lambda(inside), 0.45)
    for name, at_limit, at_double in zip(NAMES, far, near, strict=True):
        # At log lambda = 700 the Concrete slope is about 1e-305, which the limit makes 0.
        np.testing.assert_allclose(at_limit, at_double, rtol=1e-12, atol=1e-300, err_msg=name)


def test_at_a_temperature_below_the_doubles_the_slope_at_zero_is_infinite():
    # dc/dz at z = 0 is eta 2 (1/2 - t) (1/4) / lambda plus the network's finite slope:
    # +inf as lambda -> 0 when eta > 0 and t < 1/2, and exactly its finite part at t = 1/2.
    phi = _with_log_lambda(-800.0)
    c, slope, _, _ = relax.control_variate(np.array([0.0]), phi, 0.45)
    assert np.isposinf(slope[0]) and np.isfinite(c[0])
    _, at_half, _, _ = relax.control_variate(np.array([0.0]), phi, 0.5)
    _, network_only, _, _ = relax.control_variate(np.array([0.0]), _with_log_lambda(0.0), 0.5)
    assert at_half[0] == network_only[0]


def test_a_large_z_at_a_tiny_temperature_gives_finite_gradients():
    # |z| / lambda beyond the doubles with both finite (z = 1e10, lambda = e^-700): q is
    # +-inf, so the products q k and q dg must be guarded; their limits are 0.
    z = np.array([-1e10, 1e10])
    at_tiny = relax.control_variate(z, _with_log_lambda(-700.0), 0.45)
    at_limit = relax.control_variate(z, _with_log_lambda(-800.0), 0.45)
    for name, tiny, limit in zip(NAMES, at_tiny, at_limit, strict=True):
        assert np.all(np.isfinite(tiny)), name
        np.testing.assert_array_equal(tiny, limit, err_msg=name)


@pytest.mark.parametrize("log_lambda", [-800.0, np.log(0.4)])
def test_infinite_z_gives_the_limit_of_large_z(log_lambda):
    # z = +-inf is the sample of u = 1 or 0. Far beyond every scale of phi (1 / |omega| and
    # lambda), z = +-1e300 already has the limits in double precision. (No double is far
    # beyond lambda = e^800: z = +-inf there is checked against lambda = e^700 above.)
    phi = _with_log_lambda(log_lambda)
    at_inf = relax.control_variate(np.array([-np.inf, np.inf]), phi, 0.45)
    at_large = relax.control_variate(np.array([-1e300, 1e300]), phi, 0.45)
    for name, limit, large in zip(NAMES, at_inf, at_large, strict=True):
        assert np.all(np.isfinite(limit)), name
        np.testing.assert_allclose(limit, large, rtol=1e-12, atol=1e-300, err_msg=name)


@pytest.mark.parametrize("log_lambda", [-800.0, 0.0, 800.0])
def test_relax_at_uniforms_of_zero_and_one_is_finite(log_lambda):
    u, v = np.meshgrid([0.0, 0.3, 1.0], [0.0, 0.6, 1.0])
    for theta in (-3.0, 0.3, 40.0):
        g, dg = relax.relax_and_phi_gradient(theta, 0.45, u, v, _with_log_lambda(log_lambda))
        assert np.all(np.isfinite(g)) and np.all(np.isfinite(dg))
        np.testing.assert_array_equal(
            g, relax.relax(theta, 0.45, u, v, _with_log_lambda(log_lambda))
        )


@pytest.mark.parametrize("theta", [-3.0, 0.3, 40.0])
def test_relax_at_uniforms_of_zero_and_one_is_the_limit_of_nearby_uniforms(theta):
    # u, v in {0, 1} put z or z~ at +-inf; the nearest other uniforms put them no further
    # than about 37 + |theta| from 0. With every |omega| >= 1 (and lambda = 0.4) each term
    # has settled by then to within about e^-60 of its limit (sech^2 and the Concrete
    # slope fall as e^-2|omega z| and e^-|z| / lambda), so the two agree to 1e-12.
    phi = PHI.copy()
    omega = phi[3 + 4 : 3 + 8]
    omega[:] = np.sign(omega) * np.maximum(np.abs(omega), 1.0)
    u, v = np.meshgrid([0.0, 0.3, 1.0], [0.0, 0.6, 1.0])
    near_u, near_v = (np.where(w == 0, 1e-300, np.where(w == 1, 1 - 2.0**-53, w)) for w in (u, v))
    at_ends = relax.relax_and_phi_gradient(theta, 0.45, u, v, phi)
    nearby = relax.relax_and_phi_gradient(theta, 0.45, near_u, near_v, phi)
    for name, limit, near in zip(("g", "dg/dphi"), at_ends, nearby, strict=True):
        np.testing.assert_allclose(limit, near, rtol=1e-12, atol=1e-12, err_msg=name)


def _relax_in_mpmath(phi, theta, target, u, v):
    """RELAX's estimate at mpmath's working precision, written out from its definition
    (b = 1 only): ``[(1 - t)^2 - c(z~)] (1 - p) + dc/dz(z) - dz~/dtheta dc/dz(z~)``, with
    ``lambda`` the exact ``exp(log lambda)`` and ``z``, ``z~``, ``dz~/dtheta`` from ``theta, u,
    v``."""
    eta, log_lam, d, *net = (mp.mpf(x) for x in phi)
    h = len(net) // 3
    a, omega, beta = net[:h], net[h : 2 * h], net[2 * h :]
    lam, t, theta, u, v = mp.exp(log_lam), mp.mpf(target), mp.mpf(theta), mp.mpf(u), mp.mpf(v)

    def sig(w):
        return 1 / (1 + mp.exp(-w))

    def c(x):
        hidden = sum(a[j] * mp.tanh(omega[j] * x + beta[j]) for j in range(h))
        return eta * (sig(x / lam) - t) ** 2 + d + hidden

    def dc(x):
        concrete = eta * 2 * (sig(x / lam) - t) * sig(x / lam) * sig(-x / lam) / lam
        return concrete + sum(
            a[j] * omega[j] / mp.cosh(omega[j] * x + beta[j]) ** 2 for j in range(h)
        )

    z = theta + mp.log(u / (1 - u))
    assert z > 0  # b = 1
    z_tilde = mp.log1p(mp.exp(theta + mp.log(v))) - mp.log1p(-v)
    dz_tilde = sig(theta + mp.log(v))
    return ((1 - t) ** 2 - c(z_tilde)) * (1 - sig(theta)) + dc(z) - dz_tilde * dc(z_tilde)


def test_relax_where_the_slope_at_z_tilde_overflows_is_its_finite_value():
    """dz~/dtheta is at most |z~|, so dz~ dc/dz(z~) stays finite at every temperature while
    dc/dz(z~), which grows as 1 / lambda near z~ = 0, does not. At lambda = e^-706 and
    t = 1000, v = lambda puts z~ at about 2 lambda (q~ = 2), where the slope and its eta and
    log lambda rows are beyond the largest double; u = 0.6 puts z = 0.405 far from 0 on the
    scale of lambda, so the s(z) term is finite. RELAX and every dg/dphi are finite there
    (mpmath at 50 digits, derivatives by mp.diff), not +inf or NaN. Stacked with them, the
    estimates at an ordinary phi keep the bits they have alone."""
    phi = PHI.copy()
    phi[1] = -706.0
    theta, target, u, v = 0.0, 1000.0, 0.6, float(np.exp(-706.0))
    g, dg = relax.relax_and_phi_gradient(theta, target, u, v, phi)
    assert relax.relax(theta, target, u, v, phi) == g
    with mp.workdps(50):
        exact = float(_relax_in_mpmath(phi, theta, target, u, v))
        np.testing.assert_allclose(g, exact, rtol=1e-13)
        for k in range(phi.size):

            def along_k(x, k=k):
                moved = [mp.mpf(y) for y in phi]
                moved[k] = x
                return _relax_in_mpmath(moved, theta, target, u, v)

            exact = float(mp.diff(along_k, mp.mpf(phi[k])))
            np.testing.assert_allclose(dg[k], exact, rtol=1e-13, err_msg=f"phi[{k}]")
    # Stacked with an ordinary phi (lambda = 0.4), as the training loop stacks its runs.
    u_row, v_row = [[*np.linspace(0.05, 0.95, 15), u]], [[*np.linspace(0.9, 0.1, 15), v]]

    def noise(rows):
        return toy_noise(theta, target, u_row * rows, v_row * rows)._replace(target=target)

    layout = relax.PhiLayout(4)
    stacked = relax.relax_estimate(np.stack([PHI, phi]), layout, noise(2), True)
    alone = relax.relax_estimate(PHI[None, :], layout, noise(1), True)
    assert same_bits(stacked[0][:1], alone[0]) and same_bits(stacked[1][:1], alone[1])
    assert same_bits(stacked[0][1, -1], g) and same_bits(stacked[1][1, :, -1], dg)


def test_relax_at_a_subnormal_temperature_is_inf_where_its_value_is_beyond_the_doubles():
    """At lambda = e^-745 (5e-324 in doubles), theta = 5e-324, u = 0.5 and v = 5e-324 the
    s(z) term dc/dz(z) is 3.6e322 (mpmath), beyond the doubles, and the z~ term
    dz~ dc/dz(z~) is finite: RELAX is +inf, not inf - inf = NaN, with no warning; so are its
    eta gradient (3.6e322) and log lambda gradient (-1.1e322, -inf)."""
    phi = relax.initial_phi(rng=0)
    phi[1] = -745.0
    g, dg = relax.relax_and_phi_gradient(5e-324, 0.45, 0.5, 5e-324, phi)
    assert g == np.inf and relax.relax(5e-324, 0.45, 0.5, 5e-324, phi) == np.inf
    assert dg[0] == np.inf and dg[1] == -np.inf and np.all(np.isfinite(dg[2:]))


def test_memoryless_adam_takes_the_temperature_beyond_the_doubles_and_training_goes_on():
    # With beta2 = 0 Adam divides each step by the last |g| alone, so a step can be huge:
    # log lambda leaves the doubles' range (the test checks that it does), and every
    # iterate, loss and variance stays finite.
    runs = rt.experiment(
        0.45, ("REBAR", "RELAX"), steps=300, chains=5, batch=3, phi_steps=100, beta2=0.0
    )
    assert max(np.abs(run.phi[:, 1]).max() for run in runs.values()) > 709.79
    for run in runs.values():
        for values in (run.theta, run.loss, run.variance, run.phi):
            assert np.all(np.isfinite(values)), run.method


# --- joint training: the effect the chapter shows ---


#: The chapter's training settings.
SETTINGS = dict(steps=2000, chains=24, batch=8, learning_rate=0.03, phi_learning_rate=0.03)


@pytest.fixture(scope="module")
def runs():
    return rt.experiment(gradients.TARGET_RELAX, rng=0, **SETTINGS)


def test_relax_and_a_learned_baseline_beat_reinforce_and_rebar_does_not(runs):
    # Paired by seed: the signed-rank test, whose smallest p-value over 24 pairs is 2**-24.
    for better in ("RELAX", "baseline"):
        for worse in ("REINFORCE", "REBAR"):
            cmp = rt.compare_final(runs[better], runs[worse], FALSE_ALARM)
            assert cmp.pvalue < FALSE_ALARM and cmp.difference < 0, cmp
    same = rt.compare_final(runs["REBAR"], runs["REINFORCE"], FALSE_ALARM)
    assert same.low <= 0 <= same.high, same
    assert runs["exact"].probability[-1].max() < runs["RELAX"].probability[-1].min()


#: The chapter's false-alarm rate per interval in its training section.
CHAPTER_FALSE_ALARM = 0.01
#: The largest lambda of the chapter's held-out study of REBAR's saving (its ``ho_upto``).
CHAPTER_HELD_OUT_UPTO = 10.0
#: The four comparisons the chapter's training section reads, as (a, b) of "a ... b".
CHAPTER_COMPARISONS = (
    ("RELAX", "REINFORCE"),
    ("REBAR", "REINFORCE"),
    ("RELAX", "REBAR"),
    ("baseline", "RELAX"),
)


def test_hard_target_conclusions_survive_a_last_bit_change(runs):
    """The chapter's runs again with theta's learning rate one unit in the last place larger
    (a change of the size another machine's floating point can make): REINFORCE's and REBAR's
    mean final p move, by less than the half-width of the chapter's interval; RELAX's, the
    learned baseline's and the exact gradient's read the same to the digits the chapter prints;
    each of the chapter's four comparisons reaches the same verdict; and REBAR's learned lambda
    stays on the same side of the end of the chapter's held-out study."""
    nudged = rt.experiment(
        gradients.TARGET_RELAX,
        rng=0,
        **{**SETTINGS, "learning_rate": np.nextafter(SETTINGS["learning_rate"], 1.0)},
    )
    for method in ("REINFORCE", "REBAR"):
        mean, low, high = runs[method].final_probability_interval(CHAPTER_FALSE_ALARM)
        moved = abs(nudged[method].final_probability_interval(CHAPTER_FALSE_ALARM)[0] - mean)
        assert 0 < moved < (high - low) / 2, (method, moved)
    before = prose.final_text(runs, CHAPTER_FALSE_ALARM)
    after = prose.final_text(nudged, CHAPTER_FALSE_ALARM)
    for method in ("relax", "baseline", "exact"):
        assert getattr(after, method) == getattr(before, method), method
    for a, b in CHAPTER_COMPARISONS:
        chapter, again = (
            prose.direction_text(rt.compare_final(r[a], r[b], CHAPTER_FALSE_ALARM))
            for r in (runs, nudged)
        )
        assert again == chapter, (a, b, chapter, again)
    inside = [np.exp(r["REBAR"].phi[:, 1]).max() <= CHAPTER_HELD_OUT_UPTO for r in (runs, nudged)]
    assert inside[0] == inside[1], inside


CHAPTER_PHI_RATE = 0.03


def _baseline(rate, phi_steps=None, **intervention):
    """The learned baseline at the chapter's settings and seed, its d learned at ``rate``
    (for the first ``phi_steps`` steps only, when given); ``intervention`` goes to
    ``rt.train`` too."""
    return rt.train(
        "baseline",
        gradients.TARGET_RELAX,
        phi_steps=phi_steps,
        rng=0,
        **intervention,
        **{**SETTINGS, "phi_learning_rate": rate},
    )


@pytest.fixture(scope="module")
def baseline_rates(runs):
    """The learned baseline at every rate of rt.PHI_LEARNING_RATES, the chapter's run at its."""
    return {
        rate: runs["baseline"] if rate == CHAPTER_PHI_RATE else _baseline(rate)
        for rate in rt.PHI_LEARNING_RATES
    }


def test_ex_rr_baseline_solution(baseline_rates):
    """Exercise ex-rr-baseline: over ``rt.PHI_LEARNING_RATES`` (0.001 to 1) the learned
    baseline's mean final p is smallest at the chapter's rate, 0.03, an interior point of the
    grid. Paired by seed (one-sided signed-rank test at 1e-3 per comparison, at most 6e-3 for
    the six, Bonferroni; over 24 pairs its p-value cannot go below 2**-24), the chapter's rate
    ends lower than every slower rate (0.01 among them) and than 0.3 and 1. Nothing is
    asserted of 0.1: the solution said it "is not resolved" from 0.03, but with the training
    seed 0 replaced by 1 to 5 its p-value was 0.03, 0.0036, 7e-4, 0.32 and 2.7e-5 (0.048 at
    seed 0), resolved at 1e-3 in two draws of six. That claim was dropped as draw-dependent;
    the rest held at every seed (the mean smallest at 0.03; p at most 1e-4 for 0.3, at seed
    0, ten times below the rate, and at most 3e-7 for the others). The old solution said
    that a control variate that learns faster does not bring the run closer, from 0.3
    against 0.03 alone."""
    chapter = 0.03
    rates = rt.PHI_LEARNING_RATES
    assert chapter in rates[1:-1]
    final = baseline_rates
    means = {rate: run.probability[-1].mean() for rate, run in final.items()}
    assert min(means, key=means.get) == chapter, means
    resolved = {
        rate
        for rate, run in final.items()
        if rate != chapter
        and (cmp := rt.compare_final(final[chapter], run, 1e-3)).pvalue < 1e-3
        and cmp.difference < 0
    }
    assert set(rates) - {chapter, 0.1} <= resolved, resolved


def test_ex_rr_baseline_faster_rates_leave_the_baseline_wandering(baseline_rates):
    """The solution of ex-rr-baseline, on the faster rates: over the second half of the runs
    the learned d is within 1e-3 of c*(theta) (root mean square) at the chapter's rate and
    slower; at the faster ones the offset is at least a fifth of the learning rate and
    more than 500 times the chapter rate's ("hundreds of times"), and the estimates'
    variance more than 1e5 times the chapter rate's. (A referee re-ran seeds 0 to 9: the
    offset ran from 0.28 to 4.4 times the rate, at least 530 times the chapter rate's.)"""
    chapter = baseline_rates[CHAPTER_PHI_RATE]
    half = chapter.variance.shape[0] // 2
    chapter_variance = chapter.variance[half:].mean()
    chapter_offset = rt.baseline_offset(chapter)
    for rate, run in baseline_rates.items():
        offset = rt.baseline_offset(run)
        if rate <= CHAPTER_PHI_RATE:
            assert offset < 1e-3, (rate, offset)
        else:
            assert offset > rate / 5 and offset > 500 * chapter_offset, (rate, offset)
            assert run.variance[half:].mean() > 1e5 * chapter_variance


def test_ex_rr_baseline_holding_d_still_brings_theta_back_at_the_faster_rates(baseline_rates):
    """The solution of ex-rr-baseline, by an intervention: the runs of the two faster rates
    whose final p is resolved above the chapter's, 0.3 and 1, again on the same seeds, with
    d held where it is from step rt.PHI_HELD_FROM (250) on, and from step 100, so that theta
    receives L' - (d - c*)(b - p) with a still d. The held d's root mean square offset over
    the second half is then below 2e-3 (seed 0: 0.00096 at 0.3 and 0.0013 at 1), and below
    5e-3 held from step 100 (seed 0: 0.0020 and 0.0029), against at least a fifth of the
    rate free, and the final p is lower than the
    free run's (one-sided signed-rank test at 1e-3 each, paired by seed; 2**-24 is its
    smallest p-value over 24 pairs). At 0.3 the Student-t interval (at 1e-3) of the held
    run's paired difference from the chapter's rate contains 0 and lies within 0.15 times the
    free run's mean excess over the chapter's rate (seed 0: [-0.0017, 0.0025] against 0.040,
    and [-0.0020, 0.0029] held from step 100); at 1 the
    chapter's rate still ends lower than the held run. Held from step rt.PHI_HELD_LATE
    (1000), once the wandering has begun, d stays away from c*: its offset is more than
    rt.LATE_OFFSET_FACTOR (5) times that of d held from step 250, and at 0.3 theta still ends
    above the chapter's rate. (The old bound, an offset above 0.1, held at training seed 0
    (0.152) and 5 (0.354) but not at 1 to 4 (0.065, 0.062, 0.029, 0.060): a false claim,
    corrected. Over seeds 0 to 5 the ratio to the run held from 250 was 18 to 320, and the
    signed-rank p of theta ending above the chapter's rate at most 1.1e-6. A referee re-ran
    seeds 1 to 9: at 250 the p-values against the free runs were at most 8e-5 over seeds 1
    to 5 and up to 6.2e-4 over 6 to 9; the interval at 0.3 within 0.09 times the free excess;
    holding from 100 gave the same verdicts.)"""
    chapter = baseline_rates[CHAPTER_PHI_RATE]
    held_offset = {}
    for rate in (0.3, 1.0):
        free = baseline_rates[rate]
        for held_from, close in ((100, 5e-3), (rt.PHI_HELD_FROM, 2e-3)):
            held = _baseline(rate, held_from)
            held_offset[rate, held_from] = rt.baseline_offset(held)
            assert held_offset[rate, held_from] < close < rate / 5 < rt.baseline_offset(free)
            closer = rt.compare_final(held, free, 1e-3)
            assert closer.pvalue < 1e-3 and closer.difference < 0, (rate, held_from, closer)
            gap = rt.compare_final(held, chapter, 1e-3)
            if rate == 0.3:
                excess = rt.compare_final(free, chapter, 1e-3).difference
                assert gap.low < 0 < gap.high, (held_from, gap)
                assert max(-gap.low, gap.high) < 0.15 * excess, (held_from, gap, excess)
            else:
                below = rt.compare_final(chapter, held, 1e-3)
                assert below.pvalue < 1e-3 and below.difference < 0, (held_from, below)
    late = _baseline(0.3, rt.PHI_HELD_LATE)
    early = held_offset[0.3, rt.PHI_HELD_FROM]
    assert rt.baseline_offset(late) > rt.LATE_OFFSET_FACTOR * early, (late, early)
    still_above = rt.compare_final(chapter, late, 1e-3)
    assert still_above.pvalue < 1e-3 and still_above.difference < 0, still_above


@pytest.fixture(scope="module")
def fastest_held():
    """The learned baseline at the fastest rate of the grid, 1, held from rt.PHI_HELD_FROM."""
    return _baseline(1.0, rt.PHI_HELD_FROM)


def test_ex_rr_baseline_at_the_fastest_rate_theta_moves_less_for_hundreds_of_steps(
    baseline_rates, fastest_held
):
    """The solution of ex-rr-baseline, on the rate whose held run still ends above the
    chapter's (1): with d held from rt.PHI_HELD_FROM (250), theta's steps over steps 250 to
    1000 are shorter than in the chapter's run, paired by seed (the Student-t interval of the
    per-run ratio, at 1e-3, lies below 1; seed 0: 0.57 [0.50, 0.64], seeds 1 and 2 the
    same to 0.02), and from step 1000 to the end the ratio's interval contains 1. At 0.3,
    where holding d closes the gap, it contains 1 over steps 250 to 1000 (seed 0: 0.98)."""
    chapter = baseline_rates[CHAPTER_PHI_RATE]
    steps, held_from = SETTINGS["steps"], rt.PHI_HELD_FROM
    fastest = fastest_held
    shorter = rt.step_ratio(fastest, chapter, held_from, steps // 2, 1e-3)
    assert shorter.high < 1, shorter
    later = rt.step_ratio(fastest, chapter, steps // 2, steps, 1e-3)
    assert later.low < 1 < later.high, later
    alike = rt.step_ratio(_baseline(0.3, held_from), chapter, held_from, steps // 2, 1e-3)
    assert alike.low < 1 < alike.high, alike


def test_ex_rr_baseline_at_the_fastest_rate_adams_second_moment_stays_larger(
    baseline_rates, fastest_held
):
    """Why the held run's steps at rate 1 are shorter (the solution's account): over steps
    250 to 1000 and 1000 to 2000 its root second moment (Adam's divisor) is resolved above
    the chapter run's and the same on both spans to 5 % (seed 0: 2.74 and 2.74), its exact
    gradient is larger and more so on the second span (1.45 then 2.69), and the quotient of
    the two ratios lies inside the step ratio's interval (0.53 in [0.50, 0.64]; 0.98 in
    [0.93, 1.05]). From step 250 on the exact gradient's square is below 3 % of the second
    moment in either run (seed 0: 1.5 %; a referee saw up to 2.2 % over seeds 1 to 3), and
    the held run is behind at the hold. Intervals: Student-t at 1e-3 each."""
    chapter = baseline_rates[CHAPTER_PHI_RATE]
    steps, held_from = SETTINGS["steps"], rt.PHI_HELD_FROM
    spans = ((held_from, steps // 2), (steps // 2, steps))
    ratio = {
        (of, span): rt.step_ratio(fastest_held, chapter, *span, 1e-3, of=of)
        for of in rt.PER_STEP
        for span in spans
    }
    scale = [ratio["root_second_moment", span] for span in spans]
    assert all(s.low > 1 for s in scale), scale
    assert abs(scale[1].estimate / scale[0].estimate - 1) < 0.05, scale
    gradient = [ratio["gradient", span] for span in spans]
    assert 1 < gradient[0].low and gradient[0].high < gradient[1].low, gradient
    for span, g, s in zip(spans, gradient, scale, strict=True):
        step = ratio["step", span]
        assert step.low < g.estimate / s.estimate < step.high, (span, g, s, step)
    for run in (fastest_held, chapter):
        assert (run.per_step("gradient") ** 2 / run.second_moment)[held_from:].max() < 0.03
    assert fastest_held.probability[held_from].mean() > chapter.probability[held_from].mean()


def test_ex_rr_baseline_at_the_fastest_rate_adams_second_moment_keeps_theta_further(
    baseline_rates, fastest_held
):
    """The solution's last intervention: the held run at rate 1, given the chapter run's
    second moment just before step 250 and nothing else, has the held run's iterates up to
    step 250 and then ends close to the chapter's run: the Student-t interval (at 1e-3) of
    its paired final p difference lies within 0.15 times the held run's excess (seed 0:
    [-0.0003, 0.0011] against 0.041; a referee saw 0.0001 and 0.0006 at seeds 1 and 3, and,
    putting the held run at the chapter run's theta instead with its own second moment,
    0.038 [0.028, 0.048]). The test also asserted that the interval contains 0 ("not
    resolved"): with the training seed 0 replaced by 1 to 7 it lay above 0 at seeds 2
    ([0.00017, 0.00118]), 4 and 6 (low 0.00011, 0.00021), so that assertion, a claim that
    depended on the draw, was dropped. Over seeds 0 to 7 the interval's ends were at most
    0.039 times the excess, against the bound 0.15."""
    chapter, held_from = baseline_rates[CHAPTER_PHI_RATE], rt.PHI_HELD_FROM
    swapped = _baseline(
        1.0, held_from, second_moment_at=(held_from, chapter.second_moment[held_from - 1])
    )
    assert np.array_equal(swapped.theta[: held_from + 1], fastest_held.theta[: held_from + 1])
    excess = rt.compare_final(fastest_held, chapter, 1e-3)
    assert excess.low > 0, excess
    level = rt.compare_final(swapped, chapter, 1e-3)
    assert max(-level.low, level.high) < 0.15 * excess.difference, (level, excess)


def test_step_ratio_divides_the_mean_steps_of_each_seed_over_the_window():
    """A run against itself moves 1 times as far; doubled iterates move exactly twice as
    far; a change after the window leaves the ratio over it at 1."""
    run = rt.train("REINFORCE", gradients.TARGET_RELAX, steps=30, chains=4, rng=2)
    assert tuple(rt.step_ratio(run, run, 0, 30)) == (1.0, 1.0, 1.0)
    doubled = dataclasses.replace(run, theta=2 * run.theta)
    assert tuple(rt.step_ratio(doubled, run, 5, 20)) == (2.0, 2.0, 2.0)
    changed = dataclasses.replace(run, theta=np.vstack([run.theta[:21], 3 * run.theta[21:]]))
    assert tuple(rt.step_ratio(changed, run, 0, 20)) == (1.0, 1.0, 1.0)
    assert rt.step_ratio(changed, run, 0, 21).estimate > 1
    for of in rt.PER_STEP:
        assert tuple(rt.step_ratio(run, run, 3, 30, of=of)) == (1.0, 1.0, 1.0)


def test_the_recorded_second_moment_is_adams_average_of_the_squared_gradients():
    """For the exact method every estimate is L'(theta_k), so the second moment after step
    k is sum_j beta2^(k - j) L'(theta_j)^2 / sum_j beta2^(k - j), computed here from the
    iterates alone; per_step reads its root, and a run that does not learn theta has none."""
    beta2 = 0.9
    run = rt.train("exact", 0.45, steps=30, chains=2, beta2=beta2, rng=0)
    squares = gradients.exact_gradient(run.theta[:-1], 0.45) ** 2
    for k in range(30):
        weights = beta2 ** np.arange(k, -1, -1)
        np.testing.assert_allclose(
            run.second_moment[k], weights @ squares[: k + 1] / weights.sum(), rtol=1e-12
        )
    assert np.array_equal(run.per_step("root_second_moment"), np.sqrt(run.second_moment))
    still = rt.train("REINFORCE", 0.45, steps=3, learn_theta=False, rng=0)
    assert still.second_moment is None
    with pytest.raises(ValueError, match="^this run records no second moment"):
        still.per_step("root_second_moment")
    with pytest.raises(ValueError, match="^of must be one of"):
        run.per_step("size")


def test_second_moment_at_sets_the_bias_corrected_moment_before_that_step():
    """Given its own recorded moment before step K, a run goes on as it was (to rounding),
    since second_moment[K - 1] is the bias-corrected moment after K updates; given another
    value, it has the same iterates up to step K and other ones after."""
    kw = dict(method="RELAX", target=gradients.TARGET_RELAX, steps=30, chains=3, rng=4)
    run = rt.train(**kw)
    again = rt.train(second_moment_at=(12, run.second_moment[11]), **kw)
    np.testing.assert_allclose(again.theta, run.theta, rtol=0, atol=1e-12)
    other = rt.train(second_moment_at=(12, 4 * run.second_moment[11]), **kw)
    assert np.array_equal(other.theta[:13], run.theta[:13])
    assert not np.any(np.abs(other.theta[13:] - run.theta[13:]) < 1e-9)


def test_phi_steps_holds_phi_from_that_step_on_and_changes_nothing_before():
    """With the same seed, a run that stops learning phi after K steps has the iterates
    theta[0] to theta[K + 1] of the run that never stops (the last is the step taken with
    the phi of K updates) and no later one, and ends with the phi that a K-step run ends
    with; phi_steps=0 learns nothing; phi_steps equal to steps is the default."""
    kw = dict(method="RELAX", target=gradients.TARGET_RELAX, chains=3, rng=5)
    free = rt.train(steps=40, **kw)
    held = rt.train(steps=40, phi_steps=15, **kw)
    short = rt.train(steps=15, **kw)
    np.testing.assert_array_equal(held.theta[:17], free.theta[:17])
    assert not np.any(held.theta[17:] == free.theta[17:])
    np.testing.assert_array_equal(held.phi, short.phi)
    np.testing.assert_array_equal(rt.train(steps=40, phi_steps=40, **kw).phi, free.phi)
    start = rt.train(steps=40, phi_steps=0, **kw).phi
    np.testing.assert_array_equal(start, rt.train(steps=1, phi_steps=0, **kw).phi)
    assert not np.array_equal(start, short.phi)


def test_the_learned_baseline_method_is_reinforce_with_the_baseline_d():
    """baseline_offset rests on this: RELAX with eta = 0 and a zero network output is
    REINFORCE with the constant baseline d, estimate by estimate."""
    rng = np.random.default_rng(12)
    u, v = rng.random(1000), rng.random(1000)
    phi = relax.initial_phi(5, eta=0.0, rng=3)
    phi[2] = 0.31
    for theta in (-2.0, 0.4):
        got = relax.relax(theta, 0.499, u, v, phi)
        np.testing.assert_array_equal(got, gradients.reinforce(theta, 0.499, u, baseline=0.31))


def test_baseline_offset_reads_d_minus_c_star_from_the_variance():
    """(f(b) - d)(b - p) = L' - (d - c*)(b - p) for either b, exactly; so a step's estimates
    have variance (d - c*)^2 p (1 - p), and baseline_offset inverts it."""
    theta, target = np.array([-2.0, 0.3, 1.5]), 0.499
    p = 1 / (1 + np.exp(-theta))
    c = rebar.optimal_baseline(theta, target)
    for d in (c - 0.2, c + 0.05):
        values = [gradients.reinforce(theta, target, u, baseline=d) for u in (1e-9, 1 - 1e-9)]
        exact = gradients.exact_gradient(theta, target)
        mean = (1 - p) * values[0] + p * values[1]  # b = 0 for small u, 1 for u near 1
        variance = (1 - p) * (values[0] - mean) ** 2 + p * (values[1] - mean) ** 2
        np.testing.assert_allclose(mean, exact, rtol=1e-9)
        np.testing.assert_allclose(variance, (d - c) ** 2 * p * (1 - p), rtol=1e-9)
    steps, runs = 6, 2
    thetas = np.tile(np.linspace(-1, 1, steps + 1)[:, None], (1, runs))
    q = 1 / (1 + np.exp(-thetas[:-1]))
    offsets = np.array([[0.1, 0.2]] * steps)
    made_up = rt.Training(
        "baseline", target, "logit", 0.03, 8, thetas, thetas, offsets**2 * q * (1 - q),
        np.zeros((runs, 3)),
    )  # fmt: skip
    assert rt.baseline_offset(made_up, 0) == pytest.approx(np.sqrt(np.mean(offsets**2)))
    with pytest.raises(ValueError, match="^run must be the 'baseline' method"):
        rt.baseline_offset(dataclasses.replace(made_up, method="RELAX"))
    with pytest.raises(ValueError, match=r"^first_step must lie in \[0, 6\)"):
        rt.baseline_offset(made_up, 6)


def test_at_the_easy_target_reinforce_and_rebar_lag_the_learned_control_variates():
    """At t = 0.45 after 600 steps not every estimator "gets there" alike: REINFORCE and
    REBAR end further from the optimum than RELAX and the learned baseline, on every seed
    or nearly (paired signed-rank test at 1e-6)."""
    settings = dict(steps=600, chains=24, batch=8, learning_rate=0.03, phi_learning_rate=0.03)
    easy = rt.experiment(gradients.TARGET_REBAR, rng=0, **settings)
    for better in ("RELAX", "baseline"):
        for worse in ("REINFORCE", "REBAR"):
            cmp = rt.compare_final(easy[better], easy[worse], FALSE_ALARM)
            assert cmp.pvalue < FALSE_ALARM and cmp.difference < 0, (better, worse, cmp)


def test_descending_the_probability(runs):
    """The chapter's logit-or-probability section: descending p, exact gradient descent
    reaches the clip at 1e-6 within the same steps, and RELAX ends further from the
    optimum than descending the logit (paired by seed, one-sided signed-rank test at a
    false-alarm rate of 1e-4; the chapter reads the Student-t interval at 0.01). The test
    used 1e-6, which held at training seed 0 (p = 1.2e-7) but not at every seed: with seed 0
    replaced by 1 to 7, p was 3e-7, 2.6e-6, 3e-7, 8.3e-7, 3e-7, 6e-7 and 3e-7, so "resolved
    at 1e-6" was a claim of the draw, corrected; at 1e-4 the largest of the eight is 38
    times below the rate."""
    prob = rt.experiment(
        gradients.TARGET_RELAX,
        ("exact", "RELAX"),
        rng=0,
        parameterisation="probability",
        **SETTINGS,
    )
    assert np.all(prob["exact"].probability[-1] == pytest.approx(1e-6, rel=1e-9))
    assert np.all(runs["exact"].probability[-1] > 1e-4)
    cmp = rt.compare_final(runs["RELAX"], prob["RELAX"], 1e-4)
    assert cmp.pvalue < 1e-4 and cmp.difference < 0, cmp


def test_descending_the_probability_keeps_its_direction_after_a_last_bit_change(runs):
    """The chapter's probability-space runs again with theta's learning rate one and two units
    in its last place up and down (changes of the size another machine's floating point can
    make). One of RELAX's 24 runs ends elsewhere: its final p moves by more than 1e-3 (by
    0.39 one unit up), the others' by less (at most 2e-4 here). The interval the chapter
    prints for RELAX changes in at least one of the four (0.371 [0.236, 0.507] became
    0.387 [0.252, 0.522] one unit up), its mean moving by less than half the interval's width
    in each, and the difference it prints changes in at least one too; the direction of the
    comparison with RELAX descending the logit, at the chapter's 0.01, stays. Over 61 rates,
    30 units either side, the mean ran from 0.366 to 0.394 and the difference's upper end
    stayed below -0.18."""

    def in_probability(learning_rate):
        return rt.experiment(
            gradients.TARGET_RELAX,
            ("exact", "RELAX"),
            rng=0,
            parameterisation="probability",
            **{**SETTINGS, "learning_rate": learning_rate},
        )

    def comparison(run):
        return rt.compare_final(runs["RELAX"], run, CHAPTER_FALSE_ALARM)

    def direction(run):
        return prose.direction_text(comparison(run))

    def difference(run):
        return prose.final_comparison_text(comparison(run))

    chapter = in_probability(SETTINGS["learning_rate"])
    printed = prose.final_text(chapter, CHAPTER_FALSE_ALARM).relax
    mean, low, high = chapter["RELAX"].final_probability_interval(CHAPTER_FALSE_ALARM)
    assert direction(chapter["RELAX"]) == "ends lower than"
    printed_difference = difference(chapter["RELAX"])
    moves, reprinted = [], []
    for toward in (1.0, 0.0):
        rate = SETTINGS["learning_rate"]
        for _ in range(2):
            rate = np.nextafter(rate, toward)
            nudged = in_probability(rate)
            assert direction(nudged["RELAX"]) == "ends lower than"
            final = nudged["RELAX"].probability[-1]
            moved = np.abs(final - chapter["RELAX"].probability[-1])
            assert np.count_nonzero(moved > 1e-3) <= 1, moved
            moves.append(moved.max())
            assert abs(final.mean() - mean) < (high - low) / 2
            reprinted.append(
                (prose.final_text(nudged, CHAPTER_FALSE_ALARM).relax, difference(nudged["RELAX"]))
            )
    assert max(moves) > 1e-3, moves
    assert any(text != printed for text, _ in reprinted), reprinted
    assert any(text != printed_difference for _, text in reprinted), reprinted


def test_adams_falling_theta_step_comes_from_its_second_moment_memory(runs):
    """The chapter's logit-or-probability section. In the exact logit run Adam's step in
    theta falls to a few hundredths of the learning rate, with the gradient 100 times Adam's
    eps or more at every step, so eps does not set it. The same run with beta2 = 0, a second
    moment without memory (everything else equal), keeps its step above 0.99 times the
    learning rate at every step whose gradient is above 10 eps, and its theta ends further
    down."""
    floor = 10 * optim.EPS
    default = runs["exact"]
    memoryless = rt.train("exact", gradients.TARGET_RELAX, rng=0, beta2=0.0, **SETTINGS)
    assert default.gradient_size.min() > 10 * floor
    assert rt.smallest_step(default) < 0.05
    assert rt.smallest_step(memoryless, floor) > 0.99
    assert memoryless.theta[-1].max() < default.theta[-1].min() - 5


def test_theta_step_and_gradient_size_follow_their_definitions():
    run = rt.train("exact", 0.45, steps=3, chains=2, learning_rate=0.1, rng=0)
    # The exact runs are deterministic and alike: Adam's first step is the learning rate.
    assert run.theta_step[0] == pytest.approx(0.1, rel=1e-6)
    p = 1 / (1 + np.exp(-run.theta[:-1, 0]))
    np.testing.assert_allclose(run.gradient_size, p * (1 - p) * 0.1, rtol=1e-12)
    prob = rt.train("exact", 0.45, steps=3, chains=2, parameterisation="probability", rng=0)
    np.testing.assert_allclose(prob.gradient_size, 0.1, rtol=1e-12)  # |1 - 2t|
    with pytest.raises(ValueError, match="^run must descend the logit"):
        rt.smallest_step(prob)
    with pytest.raises(ValueError, match="^gradient_above must be below"):
        rt.smallest_step(run, 1.0)


@pytest.mark.parametrize(
    "settings",
    [
        dict(steps=40, chains=3, batch=4),
        dict(steps=40, chains=3, batch=4, parameterisation="probability"),
        dict(steps=40, chains=3, batch=2, phi_steps=10, beta2=0.5),
        dict(steps=40, chains=3, batch=4, learn_theta=False, theta0=1.5),
        dict(steps=40, chains=2, batch=3, second_moment_at=(20, np.array([1e-3, 2e-3]))),
    ],
)
def test_experiment_is_each_methods_own_training_bit_for_bit(settings):
    # experiment trains its methods in one loop, each method's runs as rows of one stack.
    together = rt.experiment(gradients.TARGET_RELAX, rng=4, **settings)
    assert tuple(together) == rt.METHODS
    for method, run in together.items():
        alone = rt.train(method, gradients.TARGET_RELAX, rng=4, **settings)
        for field in dataclasses.fields(run):
            a, b = getattr(run, field.name), getattr(alone, field.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                np.testing.assert_array_equal(a, b, err_msg=f"{method}: {field.name}")
            else:
                assert a == b, (method, field.name)


def test_experiment_shares_one_generators_noise_among_its_methods():
    settings = dict(steps=30, chains=2, batch=3)
    from_generator = rt.experiment(0.45, rng=np.random.default_rng(7), **settings)
    from_seed = rt.experiment(0.45, rng=7, **settings)
    for method in rt.METHODS:
        np.testing.assert_array_equal(from_generator[method].theta, from_seed[method].theta)


def test_training_is_reproducible(runs):
    again = rt.train("RELAX", gradients.TARGET_RELAX, steps=50, chains=2, rng=3)
    assert np.array_equal(
        again.theta, rt.train("RELAX", gradients.TARGET_RELAX, steps=50, chains=2, rng=3).theta
    )


def _toy_run(**kw):
    """A small run for step_ratio's bad input: 8 steps of 3 runs, unless ``kw`` says else."""
    return rt.train("REINFORCE", gradients.TARGET_RELAX, rng=1, **{"steps": 8, "chains": 3, **kw})


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rebar.rebar(0.0, 0.45, 0.5, 0.5, temperature=0.0), ValueError, "^temperature"),
        (lambda: rebar.rebar(0.0, 0.45, 0.5, 0.5, eta=np.nan), ValueError, "^eta"),
        (lambda: rebar.rebar(0.0, 0.45, 0.5, 1.5), ValueError, "^v must"),
        (lambda: rebar.rebar(np.nan, 0.45, 0.5, 0.5), ValueError, "^theta"),
        (lambda: rebar.saving_curve(0.0, 0.0), ValueError, "^temperature"),
        (lambda: rebar.saving_curve(np.nan, 1.0), ValueError, "^theta"),
        (lambda: rebar.saving_curve(0.0, 1.0, n=2), ValueError, "^n must be >= 4"),
        (lambda: rebar.saving_curve(0.0, 1.0, n=100).saving(np.nan), ValueError, "^target"),
        (lambda: rebar.saving_curve(0.0, 1.0, n=100).growth(np.nan), ValueError, "^target"),
        (
            # At theta = 0 and lambda = 1e-300, R1 takes one value at all 50 draws (v11 = 0).
            lambda: rebar.saving_curve(0.0, 1e-300, n=50, rng=0).correlation,
            ValueError,
            r"^the correlation of R1 and R2 needs both to vary over the draws; got v11 = 0\.0",
        ),
        (
            lambda: rebar_unbiasedness.rebar_control_variate_given_b_exact(
                sp.log(2), sp.Integer(1), sp.Rational(9, 20), 2
            ),
            ValueError,
            "^b must be 0 or 1",
        ),
        (lambda: relax.relax(0.0, 0.45, 0.5, 0.5, np.zeros(4)), ValueError, "^phi"),
        (lambda: relax.relax(0.0, 0.45, 0.5, 0.5, "x"), TypeError, "phi"),
        (
            lambda: registry.ESTIMATORS["REBAR"].function(0.0, 0.45, 0.5, np.full(3, 0.5)),
            ValueError,
            "^u must",
        ),
        (lambda: rt.train("bogus", 0.45), ValueError, "^method"),
        (lambda: rt.experiment(0.45, ("RELAX", "bogus")), ValueError, "^method must be one of"),
        (lambda: rt.experiment(0.45, ()), ValueError, "^methods must name at least one"),
        (lambda: rt.experiment(0.45, steps=3, bogus=1), TypeError, "bogus"),
        (lambda: rt.train("RELAX", 0.45, step=3), TypeError, "'step'"),
        (lambda: rt.train("RELAX", 0.45, parameterisation="p"), ValueError, "^parameterisation"),
        (lambda: rt.train("RELAX", 0.45, batch=1), ValueError, "^batch"),
        (lambda: rt.train("RELAX", 0.45, learning_rate=-1.0), ValueError, "^learning_rate"),
        (lambda: rt.train("RELAX", 0.45, rng=True), TypeError, "^rng"),
        (lambda: rt.train("RELAX", 0.45, beta2=1.0), ValueError, "^beta2 must be a number in"),
        (lambda: rt.train("RELAX", 0.45, phi_steps=-1), ValueError, "^phi_steps must be >= 0"),
        (lambda: rt.train("RELAX", 0.45, phi_steps=2.5), TypeError, "^phi_steps must be an int"),
        (
            lambda: rt.train("RELAX", 0.45, steps=3, phi_steps=4),
            ValueError,
            r"^phi_steps must be at most steps \(3\)",
        ),
        (
            lambda: rt.step_ratio(_toy_run(), _toy_run(), 5, 3),
            ValueError,
            r"^start and stop must satisfy 0 <= start < stop <= 8; got 5, 3",
        ),
        (
            lambda: rt.step_ratio(_toy_run(), _toy_run(), 0, 9),
            ValueError,
            r"^start and stop .* <= 8; got 0, 9",
        ),
        (lambda: rt.step_ratio(_toy_run(), _toy_run(), -1, 3), ValueError, "^start must be >= 0"),
        (
            lambda: rt.step_ratio(_toy_run(), _toy_run(), 0, 2.5),
            TypeError,
            "^stop must be an integer",
        ),
        (
            lambda: rt.step_ratio(_toy_run(), _toy_run(steps=9), 0, 3),
            ValueError,
            "^run and reference must have the same steps and runs",
        ),
        (
            lambda: _toy_run(learn_theta=False, second_moment_at=(2, np.ones(3))),
            ValueError,
            r"^second_moment_at needs a run that learns theta \(learn_theta=True\)",
        ),
        (
            lambda: _toy_run(second_moment_at=(0, np.ones(3))),
            ValueError,
            "^second_moment_at's step must be >= 1",
        ),
        (
            lambda: _toy_run(second_moment_at=(8, np.ones(3))),
            ValueError,
            r"^second_moment_at's step must be below steps \(8\); got 8",
        ),
        (
            lambda: _toy_run(second_moment_at=(2, np.ones(2))),
            ValueError,
            r"^second_moment_at's v_hat must hold one positive value per run \(3\)",
        ),
        (
            lambda: _toy_run(second_moment_at=(2, np.array([1.0, 0.0, 1.0]))),
            ValueError,
            "^second_moment_at's v_hat must hold one positive",
        ),
        (
            lambda: _toy_run(second_moment_at=(2, np.array([1.0, np.nan, 1.0]))),
            ValueError,
            "^second_moment_at's v_hat must be finite",
        ),
        (
            lambda: rt.step_ratio(_toy_run(chains=1), _toy_run(chains=1), 0, 3),
            ValueError,
            "^run and reference must hold at least 2 runs; got 1",
        ),
        (
            lambda: rt.step_ratio(_toy_run(), _toy_run(learn_theta=False), 0, 3),
            ValueError,
            "^the step of reference must be positive in every run",
        ),
        (
            lambda: rebar.rebar_variance_grid(-1.0, 0.45, [1.0, np.nan], [2.0], n=10),
            ValueError,
            "^etas must be finite",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_saving_helpers():
    grid = rebar.rebar_variance_grid(-1.0, 0.45, [1.0], [0.1, 2.0, 100.0], 20_000, 3)
    assert rebar.first_temperature_saving(grid, 0.9) == 100.0
    assert rebar.first_temperature_saving(grid, 1.0) == np.inf  # no finite lambda reaches it
    text = prose.saving_text(grid)
    assert text.top_lambda == "100" and text.one_worse == "0.1 and 2"
    with pytest.raises(ValueError, match=r"^temperature 5\.0 is not on the grid"):
        prose.saving_at_text(grid, 5.0)
    with pytest.raises(ValueError, match=r"^small must be"):
        prose.saving_text(grid, small=0.01)
    assert prose.saving_at_text(grid, 2.0).eta == f"{grid.optimal_eta[1]:.3f}"


def test_format_direction_reads_the_paired_interval():
    base = np.linspace(0.1, 0.9, 24)
    lower = rt.Training("a", 0.5, "logit", 0.1, 2, np.vstack([base, base - 0.05]), *[None] * 3)
    same = rt.Training("b", 0.5, "logit", 0.1, 2, np.vstack([base, base]), *[None] * 3)
    higher = rt.Training("c", 0.5, "logit", 0.1, 2, np.vstack([base, base + 0.05]), *[None] * 3)
    # probability is sigmoid(theta), monotone, so the order of theta is the order of p
    assert prose.direction_text(rt.compare_final(lower, same)) == "ends lower than"
    assert prose.direction_text(rt.compare_final(higher, same)) == "ends higher than"
    noisy = rt.Training(
        "d",
        0.5,
        "logit",
        0.1,
        2,
        np.vstack([base, base + np.where(np.arange(24) % 2, 0.05, -0.05)]),
        *[None] * 3,
    )
    assert prose.direction_text(rt.compare_final(noisy, same)) == "is not resolved from"


@pytest.fixture(scope="module")
def small_grid():
    return rebar.rebar_variance_grid(0.0, 0.45, [1.0], [0.5, 1.0], n=100, rng=0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda a, g: rebar.rebar_variance_grid(a, 0.45, [1.0], [0.5], n=100), "theta"),
        (lambda a, g: rebar.rebar_variance_grid(0.0, a, [1.0], [0.5], n=100), "target"),
        (lambda a, g: rebar.held_out_saving(g, a, n=100), "upto"),
        (lambda a, g: rebar.saving_curve(a, 0.5, n=100), "theta"),
        (lambda a, g: rebar.saving_curve(0.0, a, n=100), "temperature"),
        (lambda a, g: rebar.first_temperature_saving(g, a), "fraction"),
        (lambda a, g: rebar.temperature_index(g, a), "temperature"),
        (lambda a, g: relax.initial_phi(eta=a), "eta"),
        (lambda a, g: relax.initial_phi(temperature=a), "temperature"),
        (lambda a, g: rt.train("REINFORCE", a, steps=1), "target"),
        (lambda a, g: rt.train("REINFORCE", 0.45, steps=1, learning_rate=a), "learning_rate"),
        (
            lambda a, g: rt.train("REINFORCE", 0.45, steps=1, phi_learning_rate=a),
            "phi_learning_rate",
        ),
        (lambda a, g: rt.train("REINFORCE", 0.45, steps=1, theta0=a), "theta0"),
    ],
)
def test_an_array_where_one_number_is_expected_is_refused_by_name(call, name, small_grid):
    """REBAR's grids and curves, RELAX's starting ``phi`` and its training take one
    ``theta``, ``target``, temperature, ``eta`` and learning rate: an array of two is a
    ValueError naming the argument and its shape."""
    with pytest.raises(ValueError, match=rf"^{name} must be a single number; got shape \(2,\)"):
        call(np.array([0.1, 0.2]), small_grid)


def test_smallest_step_takes_one_gradient_floor_naming_it():
    run = rt.train("REINFORCE", 0.45, steps=2, chains=1, batch=2, rng=0)
    with pytest.raises(
        ValueError, match=r"^gradient_above must be a single number; got shape \(2,\)"
    ):
        rt.smallest_step(run, np.array([0.0, 0.1]))


def test_rebar_refuses_a_target_whose_square_is_beyond_the_doubles_naming_it():
    """REBAR's parts hold f(b) = (b - t)^2, beyond the largest double at |t| = 1e200, while
    A + eta B need not be: the target is refused by name rather than giving inf - inf."""
    for call in (
        lambda: rebar.rebar(0.0, 1e200, 0.5, 0.5),
        lambda: rebar.rebar_parts(0.0, -1e200, 0.5, 0.5),
        lambda: rebar.rebar_variance_grid(0.0, 1e200, [1.0], [0.5], n=100),
    ):
        with pytest.raises(ValueError, match=r"^target must keep f\(x\) = \(x - target\)\^2"):
            call()
