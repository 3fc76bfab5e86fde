"""The hard concrete gate (Louizos, Welling & Kingma 2018): law, accuracy, checks, bad input.

Accuracy is measured against an independent 60-digit mpmath evaluation of the
formulas at the exact floating inputs; statistical checks run at the stated
false-alarm rate of binary_gumbel.verification.montecarlo (1e-6) with fixed seeds; pytest
turns every warning into an error, so no RuntimeWarning escapes.
"""

import dataclasses

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import binary_gumbel as bg
from binary_gumbel import hard_concrete as hc
from binary_gumbel.book import prose
from binary_gumbel.hard_concrete import moments as hc_moments
from binary_gumbel.verification import hard_concrete_derivation, montecarlo, sampler_checks

mp.mp.dps = 60
NAN = float("nan")
FALSE_ALARM = 1e-6
PAIRS = [(-0.1, 1.1), (-0.5, 1.25)]
LOGITS = np.arange(-50.0, 51.0)
TAUS = np.geomspace(0.05, 5.0, 9)
POINTS = np.array([0.0, 1e-9, 1e-6, 1e-3, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999])
RTOL = 1e-12


def _sig(w):
    return 1 / (1 + mp.exp(-w))


def _reference(logit, tau, gamma, zeta, point=None):
    """P(z = 0), P(z = 1), P(z != 0) and the CDF at ``point``, in mpmath at the float inputs."""
    t, ta, g, ze = (mp.mpf(float(v)) for v in (logit, tau, gamma, zeta))
    out = {
        "zero": _sig(ta * mp.log(-g / ze) - t),
        "one": _sig(t - ta * mp.log((1 - g) / (ze - 1))),
        "l0": _sig(t - ta * mp.log(-g / ze)),
    }
    if point is not None:
        c = mp.mpf(float(point))
        out["cdf"] = _sig(ta * mp.log((c - g) / (ze - c)) - t)
    return out


def _relerr(got, exact):
    return float(abs(mp.mpf(float(got)) - exact) / exact)


@pytest.mark.parametrize(("gamma", "zeta"), PAIRS)
def test_point_masses_and_penalty_to_1e_12(gamma, zeta):
    L, T = np.meshgrid(LOGITS, TAUS, indexing="ij")
    got = {
        "zero": hc.hard_concrete_prob_zero(L, T, gamma, zeta),
        "one": hc.hard_concrete_prob_one(L, T, gamma, zeta),
        "l0": hc.expected_l0(L, T, gamma, zeta),
    }
    worst = 0.0
    for idx in np.ndindex(L.shape):
        ref = _reference(L[idx], T[idx], gamma, zeta)
        worst = max(worst, *(_relerr(got[k][idx], ref[k]) for k in got))
    assert worst <= RTOL
    assert got["one"].min() < 1e-20 and got["zero"].min() < 1e-20  # the tails are exercised


@pytest.mark.parametrize(("gamma", "zeta"), PAIRS)
def test_cdf_to_1e_12_including_tiny_points(gamma, zeta):
    L, T, Z = np.meshgrid(LOGITS[::2], TAUS, POINTS, indexing="ij")
    got = hc.hard_concrete_cdf(Z, L, T, gamma, zeta)
    worst = max(
        _relerr(got[i], _reference(L[i], T[i], gamma, zeta, Z[i])["cdf"])
        for i in np.ndindex(L.shape)
    )
    assert worst <= RTOL
    assert not np.isnan(got).any() and got.min() < 1e-20


def test_expected_l0_is_one_minus_prob_zero_and_keeps_its_tail():
    logit, tau = np.linspace(-5, 5, 21), 2 / 3
    p0 = hc.hard_concrete_prob_zero(logit, tau)
    np.testing.assert_allclose(hc.expected_l0(logit, tau), 1 - p0, rtol=1e-12)
    # Where P(z = 0) rounds to 1, 1 - P(z = 0) is 0 but the penalty is not.
    assert hc.hard_concrete_prob_zero(-45.0, 0.5) == 1.0
    assert 0 < hc.expected_l0(-45.0, 0.5) < 1e-19
    # Accurate in relative terms (the ex-hc-tail solution): against 50 digits, within the
    # error that rounding a = -45 + log(11) / 2 alone can cause, 4 |a| 2^-53.
    with mp.workdps(50):
        a = mp.mpf(-45) + mp.log(11) / 2
        exact = 1 / (1 + mp.exp(-a))
        error = abs((mp.mpf(hc.expected_l0(-45.0, 0.5)) - exact) / exact)
    assert error <= 4 * abs(float(a)) * 2.0**-53
    # The same for the gradient (the ex-hc-tail solution): P0 (1 - P0) is 0, the closed form not.
    p0 = hc.hard_concrete_prob_zero(-45.0, 0.5)
    assert p0 * (1 - p0) == 0
    assert hc.expected_l0_grad(-45.0, 0.5) == pytest.approx(hc.expected_l0(-45.0, 0.5), rel=1e-15)


def test_the_initial_gate_is_not_shut_half_of_the_time():
    """At logit 0 (the released code's droprate_init = 0.5) and Louizos et al.'s stretch and
    temperature, P(z = 0) = 1 / (1 + 11^(2/3)) exactly: not 1/2, the old text's claim."""
    exact = 1 / (1 + 11 ** (2 / 3))
    assert hc.hard_concrete_prob_zero(0.0, 2 / 3) == pytest.approx(exact, rel=1e-14)
    assert hc.hard_concrete_prob_one(0.0, 2 / 3) == pytest.approx(exact, rel=1e-14)
    assert abs(hc.hard_concrete_prob_zero(0.0, 2 / 3) - 0.5) > 0.3
    # The logit that does shut the gate half of the time: tau log(1/11) = -(2/3) log 11.
    half = hc.logit_for_prob_zero(0.5, 2 / 3)
    assert half == pytest.approx(-(2 / 3) * np.log(11), rel=1e-15)
    assert hc.hard_concrete_prob_zero(half, 2 / 3) == pytest.approx(0.5, rel=1e-15)


@pytest.mark.parametrize("gamma, zeta", [(-0.1, 1.1), (-0.5, 3.0)])
def test_logit_for_prob_zero_inverts_claim_1(gamma, zeta):
    p = np.array([0.0, 1e-30, 0.01, 0.25, 0.5, 0.9, 1 - 1e-12, 1.0])
    logit = hc.logit_for_prob_zero(p, 0.4, gamma, zeta)
    assert logit[0] == np.inf and logit[-1] == -np.inf
    back = hc.hard_concrete_prob_zero(logit, 0.4, gamma, zeta)
    np.testing.assert_allclose(back[1:-1], p[1:-1], rtol=1e-9)
    assert np.all(np.diff(logit) < 0)
    assert hc.logit_for_prob_zero(np.float32(0.3), 0.4).dtype == np.float32
    with pytest.raises(ValueError, match="^prob_zero must be a probability"):
        hc.logit_for_prob_zero(1.5, 0.4)
    with pytest.raises(ValueError, match="^tau must"):
        hc.logit_for_prob_zero(0.5, 0.0)


def test_exercise_ex_hc_bernoulli_limit_solution():
    """P(z = 1) at logit 0.8 approaches sigmoid(0.8) from below as tau shrinks."""
    taus = (1.0, 0.1, 0.01)
    one = np.array([hc.hard_concrete_prob_one(0.8, t) for t in taus])
    target = 1 / (1 + np.exp(-0.8))
    assert np.all(one < target) and np.all(np.diff(one) > 0)
    assert target - one[-1] < 0.01 * (target - one[0])


def test_expected_l0_grad_is_the_derivative():
    for logit, tau in [(-3.0, 0.5), (0.7, 2 / 3), (40.0, 0.05), (-40.0, 5.0)]:
        exact = mp.diff(
            lambda t, ta=tau: _sig(t - mp.mpf(ta) * mp.log(mp.mpf(0.1) / mp.mpf(1.1))), logit
        )
        assert _relerr(hc.expected_l0_grad(logit, tau), exact) <= 1e-10


def test_cdf_ends_jumps_and_monotonicity():
    logit, tau = 0.4, 0.7
    p0, p1 = hc.hard_concrete_prob_zero(logit, tau), hc.hard_concrete_prob_one(logit, tau)
    z = np.array([-np.inf, -1.0, -1e-300, 0.0, 1.0, 2.0, np.inf])
    np.testing.assert_array_equal(hc.hard_concrete_cdf(z, logit, tau), [0, 0, 0, p0, 1, 1, 1])
    below_one = hc.hard_concrete_cdf(np.nextafter(1.0, 0.0), logit, tau)
    assert below_one == pytest.approx(1 - p1, rel=1e-14)
    grid = np.linspace(0, 1, 2001)
    assert np.all(np.diff(hc.hard_concrete_cdf(grid, logit, tau)) >= 0)


def test_infinite_logits_are_point_masses():
    assert hc.hard_concrete_prob_one(np.inf, 0.5) == 1.0
    assert hc.hard_concrete_prob_zero(np.inf, 0.5) == 0.0
    assert hc.hard_concrete_prob_zero(-np.inf, 0.5) == 1.0
    np.testing.assert_array_equal(hc.hard_concrete_cdf([0.0, 0.5, 1.0], np.inf, 0.5), [0, 0, 1])
    np.testing.assert_array_equal(hc.hard_concrete_pdf([0.3, 0.7], -np.inf, 0.5), [0, 0])
    np.testing.assert_array_equal(bg.sample_hard_concrete(np.inf, 0.5, 4, rng=0), np.ones(4))


def test_a_density_beyond_the_largest_float_is_inf():
    """Near z = 0 with gamma = -5e-324 the density tau (zeta - gamma) f(a) / ((z - gamma)
    (zeta - z)) is 2.27e322 (mpmath), beyond the doubles: inf, without numpy's overflow
    warning (an error here). With gamma = -1e-300 it is a float, to 1e-12."""
    assert hc.hard_concrete_pdf(5e-324, -744.5, 1.0, -5e-324, 1.1) == np.inf

    def exact(z, logit, tau, gamma, zeta):
        z, t, ta, g, ze = (mp.mpf(v) for v in (z, logit, tau, gamma, zeta))
        a = ta * mp.log((z - g) / (ze - z)) - t
        return ta * (ze - g) * _sig(a) * _sig(-a) / ((z - g) * (ze - z))

    assert exact(5e-324, -744.5, 1.0, -5e-324, 1.1) > np.finfo(np.float64).max
    got = hc.hard_concrete_pdf(5e-324, -744.5, 1.0, -1e-300, 1.1)
    assert _relerr(got, exact(5e-324, -744.5, 1.0, -1e-300, 1.1)) <= RTOL


@pytest.mark.parametrize(
    ("logit", "tau", "gamma", "zeta"), [(0.3, 0.5, -0.1, 1.1), (-1.0, 2.0, -0.5, 1.25)]
)
def test_density_is_the_cdf_derivative_and_holds_the_continuous_mass(logit, tau, gamma, zeta):
    from scipy import integrate

    def f(c):
        return hc.hard_concrete_pdf(c, logit, tau, gamma, zeta)

    total, _ = integrate.quad(f, 0, 1, epsabs=1e-12, epsrel=1e-10, limit=200)
    p0 = hc.hard_concrete_prob_zero(logit, tau, gamma, zeta)
    p1 = hc.hard_concrete_prob_one(logit, tau, gamma, zeta)
    assert total == pytest.approx(1 - p0 - p1, rel=1e-8)
    c, h = np.array([0.1, 0.4, 0.9]), 1e-6
    slope = (
        hc.hard_concrete_cdf(c + h, logit, tau, gamma, zeta)
        - hc.hard_concrete_cdf(c - h, logit, tau, gamma, zeta)
    ) / (2 * h)
    np.testing.assert_allclose(f(c), slope, rtol=1e-6)
    np.testing.assert_array_equal(f(np.array([-0.5, 0.0, 1.0, 1.5])), 0.0)


def test_float32_is_kept_and_arguments_broadcast():
    logit = np.zeros((3, 1), np.float32)
    tau = np.array([0.5, 1.0], np.float32)
    for fn in (hc.hard_concrete_prob_zero, hc.hard_concrete_prob_one, hc.expected_l0):
        out = fn(logit, tau)
        assert out.dtype == np.float32 and out.shape == (3, 2)
    assert hc.hard_concrete_cdf(np.float32(0.3), logit, tau).dtype == np.float32
    assert hc.hard_concrete_prob_zero(0.0, 0.5, gamma=[-0.1, -0.2]).shape == (2,)
    assert isinstance(hc.hard_concrete_prob_zero(0.0, 0.5), float)
    z = bg.sample_hard_concrete(np.float32(0.0), 0.5, (2, 3), rng=1, dtype=np.float32)
    assert z.dtype == np.float32 and z.shape == (2, 3)
    with pytest.raises(ValueError, match="do not broadcast to size"):
        bg.sample_hard_concrete([0.0, 1.0], 0.5, 3, rng=0)


def test_sampler_is_the_transform_of_the_same_uniforms():
    z = bg.sample_hard_concrete(0.5, 0.4, 1000, rng=11, gamma=-0.2, zeta=1.3)
    u = np.random.default_rng(11).random(1000)
    np.testing.assert_array_equal(z, hc.hard_concrete_from_uniform(0.5, 0.4, u, -0.2, 1.3))
    assert np.all((z >= 0) & (z <= 1)) and (z == 0).any() and (z == 1).any()


# --- SymPy -------------------------------------------------------------------------------------


def test_sympy_derives_the_closed_forms_from_the_binary_concrete_cdf():
    residuals = hard_concrete_derivation.hard_concrete_residuals()
    assert set(residuals) >= {"P(z = 0)", "P(z = 1)", "P(z <= c)", "P(z != 0)"}
    assert all(value == 0 for value in residuals.values()), residuals


def test_the_derived_expressions_evaluate_to_the_library_values():
    """The derivation's own expressions (not the closed forms) agree with the library."""
    steps = dict(hard_concrete_derivation.hard_concrete_masses_expr().steps)
    names = {s.name: s for e in steps.values() for s in e.free_symbols}
    derived = {
        "zero": steps["P(z = 0) = F(x_0)"],
        "one": steps["P(z = 1) = 1 - F(x_1)"],
        "cdf": steps["P(z <= c) = F of it, 0 <= c < 1"],
        "l0": steps["P(z != 0) = 1 - P(z = 0)"],
    }
    library = {
        "zero": lambda a: hc.hard_concrete_prob_zero(a["L"], a["tau"], a["gamma"], a["zeta"]),
        "one": lambda a: hc.hard_concrete_prob_one(a["L"], a["tau"], a["gamma"], a["zeta"]),
        "cdf": lambda a: hc.hard_concrete_cdf(a["c"], a["L"], a["tau"], a["gamma"], a["zeta"]),
        "l0": lambda a: hc.expected_l0(a["L"], a["tau"], a["gamma"], a["zeta"]),
    }
    for at in [
        dict(L=0.3, tau=0.5, gamma=-0.1, zeta=1.1, c=0.25),
        dict(L=-2.0, tau=3.0, gamma=-0.4, zeta=1.7, c=0.9),
    ]:
        subs = {names[k]: sp.Float(v, 30) for k, v in at.items() if k in names}
        for key, expr in derived.items():
            value = float(expr.rewrite(sp.exp).subs(subs).evalf(30))
            assert library[key](at) == pytest.approx(value, rel=1e-13), key


# --- Monte Carlo -------------------------------------------------------------------------------


def test_false_alarm_rate_is_the_books():
    assert FALSE_ALARM == montecarlo.DEFAULT_FALSE_ALARM


@pytest.mark.parametrize(
    ("logit", "tau", "gamma", "zeta"),
    [
        (0.0, 2 / 3, -0.1, 1.1),
        (2.0, 0.2, -0.1, 1.1),
        (-1.5, 1.5, -0.1, 1.1),
        (0.5, 0.5, -0.5, 1.25),
    ],
)
def test_sampler_matches_zeros_ones_and_interior_law(logit, tau, gamma, zeta):
    checks = sampler_checks.check_sampler(
        logit, tau, 100_000, rng=int(100 * tau) + 7, gamma=gamma, zeta=zeta
    )
    assert checks.zeros.consistent, checks.zeros
    assert checks.ones.consistent, checks.ones
    assert checks.interior.consistent, checks.interior
    assert checks.zeros.successes > 100 and checks.ones.successes > 100


def test_the_checks_have_power_against_a_wrong_temperature():
    z = bg.sample_hard_concrete(0.0, 0.5, 100_000, rng=3)
    wrong = hc.hard_concrete_prob_zero(0.0, 0.6)
    assert not montecarlo.check_proportion(np.count_nonzero(z == 0), z.size, wrong).consistent


def test_sampler_checks_text_formats_the_results():
    checks = [sampler_checks.check_sampler(0.0, t, 20_000, rng=5) for t in (0.5, 1.0)]
    text = prose.sampler_checks_text(checks)
    assert text.n == "20,000" and text.false_alarm == "10⁻⁶"
    assert text.familywise == "6 checks, at most 6×10⁻⁶ family-wise"
    assert (text.logits, text.taus) == ("0", "0.5, 1")
    assert len(text.zero_fractions.split(", ")) == 2
    expected = "every check is consistent" if all(c.consistent for c in checks) else "a check fails"
    assert text.all_consistent == expected
    assert all(isinstance(v, str) for v in dataclasses.asdict(text).values())


def test_sampler_checks_text_writes_a_small_ks_p_value_in_its_significant_figures():
    """A p-value above the false-alarm rate but below 5e-4 reads as such, not as "0.000" next
    to "every check is consistent"."""
    check = sampler_checks.check_sampler(0.0, 0.5, 20_000, rng=5)
    small = check._replace(interior=dataclasses.replace(check.interior, pvalue=2.5e-4))
    text = prose.sampler_checks_text([small])
    assert text.ks_min_pvalue == "2.50×10⁻⁴"
    assert small.consistent and text.all_consistent == "every check is consistent"


def test_check_sampler_never_names_a_negative_chance_inside():
    """At logit = -40, 1 - P(z = 0) - P(z = 1) rounds to -1.3e-18: the message says 0."""
    with pytest.raises(ValueError, match=r"^none of the n = 10 gates .* P\(0 < z < 1\) = 0 at"):
        sampler_checks.check_sampler(-40.0, 0.5, 10, rng=0)


# --- the gate's mean and variance --------------------------------------------------------------


def _moments_by_mpmath(logit, tau, gamma, zeta):
    """E z and Var z from the definition z(u) = clip(gamma + (zeta - gamma) s(u)), in mpmath.

    Integrated over u in (0, 1), split where the gate leaves 0 and reaches 1, so that every
    piece is smooth: an independent route from the library's integral over the logistic.
    """
    t, ta, g, ze = (mp.mpf(float(v)) for v in (logit, tau, gamma, zeta))

    def gate(u):
        s = _sig((t + mp.log(u) - mp.log(1 - u)) / ta)
        return min(mp.mpf(1), max(mp.mpf(0), g + (ze - g) * s))

    u0 = _sig(ta * mp.log(-g / ze) - t)
    u1 = _sig(ta * mp.log((1 - g) / (ze - 1)) - t)
    mean = mp.quad(gate, [0, u0, u1, 1])
    second = mp.quad(lambda u: gate(u) ** 2, [0, u0, u1, 1])
    return mean, second - mean**2


@pytest.mark.parametrize(("gamma", "zeta"), PAIRS)
@pytest.mark.parametrize(
    ("logit", "tau"),
    [(-2.0, 0.5), (0.0, 2 / 3), (1.5, 1.0), (5.0, 0.1), (-1.0, 5.0), (-25.0, 2 / 3),
     (25.0, 2 / 3), (8.0, 100.0)],
)  # fmt: skip
def test_moments_are_the_integrals_of_the_definition(logit, tau, gamma, zeta):
    mean, variance = hc.hard_concrete_moments(logit, tau, gamma, zeta)
    exact_mean, exact_variance = _moments_by_mpmath(logit, tau, gamma, zeta)
    assert _relerr(mean, exact_mean) <= RTOL
    assert _relerr(variance, exact_variance) <= 1e-10  # a difference of moments in mpmath


def test_moments_match_the_sampler():
    """Sample mean and variance of 10^6 gates, within their sampling error at FALSE_ALARM."""
    z = bg.sample_hard_concrete(0.7, 0.6, 10**6, rng=2024)
    mean, variance = hc.hard_concrete_moments(0.7, 0.6)
    k = montecarlo.z_for_false_alarm(FALSE_ALARM)
    assert abs(z.mean() - mean) <= k * np.sqrt(variance / z.size)
    centred = (z - mean) ** 2
    assert abs(centred.mean() - variance) <= k * centred.std() / np.sqrt(z.size)


def test_moments_under_the_symmetric_stretch_and_at_the_limits():
    """With gamma + zeta = 1, 1 - z(logit, u) = z(-logit, 1 - u): the mean reflects, the
    variance does not change. Infinite logits are point masses; tau -> 0 is Bernoulli."""
    logit = np.linspace(-40, 40, 161)
    mean, variance = hc.hard_concrete_moments(logit, 0.4)
    flipped_mean, flipped_variance = hc.hard_concrete_moments(-logit, 0.4)
    np.testing.assert_allclose(mean + flipped_mean, 1.0, rtol=1e-14)
    np.testing.assert_allclose(variance, flipped_variance, rtol=1e-12)
    assert hc.hard_concrete_moments(0.0, 0.4)[0] == pytest.approx(0.5, rel=1e-15)
    assert np.all(variance > 0) and variance.min() < 1e-15  # both tails, never negative
    assert hc.hard_concrete_moments(np.inf, 0.4) == (1.0, 0.0)
    assert hc.hard_concrete_moments(-np.inf, 0.4) == (0.0, 0.0)
    p = 1 / (1 + np.exp(-0.8))
    np.testing.assert_allclose(hc.hard_concrete_moments(0.8, 1e-9), (p, p * (1 - p)), rtol=1e-7)
    m, v = hc.hard_concrete_moments([-800.0, 800.0], [1e-12, 1e12])
    assert np.all(np.isfinite(m)) and np.all(np.isfinite(v)) and np.all(v >= 0)
    out = hc.hard_concrete_moments(np.zeros((3, 1), np.float32), np.array([0.5, 1.0], np.float32))
    assert all(x.dtype == np.float32 and x.shape == (3, 2) for x in out)


@pytest.mark.parametrize("gamma", [-5e-324, -0.5, -1.0, -1.5, -1e3, -1e9, -1e16, -1e100, -1.7e308])
@pytest.mark.parametrize("zeta", [1 + 1e-7, 1.1, 2.0, 2.5, 1e5, 1e300])
def test_moments_keep_their_relative_accuracy_for_a_stretch_of_any_width(gamma, zeta):
    """At logit 0 and tau 1, s = u: the gate is clip(gamma + w u) with w = zeta - gamma, so
    E z = (2 zeta - 1) / (2 w) and E z^2 = (zeta - 2/3) / w, exactly (in fractions). The
    plain gamma + (zeta - gamma) s cancels to eps max(-gamma, zeta): at gamma = -1e16 the
    moments had been 250 % and 850 % off, at -1e9 by 1e-8; gamma = -1 and zeta = 2 are the
    edges of the stretches where it is kept."""
    if not np.isfinite(zeta - gamma):
        pytest.skip("a stretch beyond the doubles is refused (tested below)")
    g, ze = sp.Rational(gamma), sp.Rational(zeta)
    exact_mean = (2 * ze - 1) / (2 * (ze - g))
    exact_variance = (ze - sp.Rational(2, 3)) / (ze - g) - exact_mean**2
    mean, variance = hc.hard_concrete_moments(0.0, 1.0, gamma, zeta)
    assert _relerr(mean, mp.mpf(sp.Float(exact_mean, 60))) <= RTOL
    assert _relerr(variance, mp.mpf(sp.Float(exact_variance, 60))) <= RTOL


def test_moments_in_a_tail_are_accurate_while_the_interior_fits_the_window():
    """The documented limit of hard_concrete_moments: in the lower tail (a > 0) the window is
    (a, a + 40). At logit -50, tau 1, zeta 1.1 and gamma = -1e-9 the interior is 23 long and
    the moments are within 1e-12; at gamma = -1e-20 it is 48.5 long, and the part left out
    holds 13 % of the mean (the docstring says so)."""
    gamma = np.array([-1e-9, -1e-20])
    lengths = np.log((1 - gamma) * 1.1 / (-gamma * 0.1))
    assert lengths[0] < hc_moments._WINDOW < lengths[1]
    mean, variance = hc.hard_concrete_moments(-50.0, 1.0, gamma, 1.1)
    exact_mean, exact_variance = _moments_by_mpmath(-50.0, 1.0, -1e-9, 1.1)
    assert _relerr(mean[0], exact_mean) <= RTOL
    assert _relerr(variance[0], exact_variance) <= RTOL
    exact_mean, _ = _moments_by_mpmath(-50.0, 1.0, -1e-20, 1.1)
    assert 0.12 <= 1 - mean[1] / exact_mean <= 0.14


def test_moments_where_the_interior_lies_beyond_the_doubles():
    """At tau = 1e308 the ends a = tau log(-gamma / zeta) - logit and b of the interior (the
    logistic values where the gate leaves 0 and reaches 1) overflow; where both logarithms
    have one sign they are the same infinity and the gate is 0 (or 1) but on a set of no
    mass: it had given inf - inf, NaN with a warning. Where a = -inf and b = inf, s is 1/2
    on the window and the gate gamma + (zeta - gamma) / 2 = 1/2. A huge logit over a tiny
    tau puts a and b at -1e300, where the density is 0: the square of 1 - z at nodes
    rounding had put outside the interior overflowed there."""
    assert hc.hard_concrete_moments(0.0, 1e308, -100.0, 2.0) == (0.0, 0.0)
    assert hc.hard_concrete_moments(0.0, 1e308, -0.5, 1e5) == (1.0, 0.0)
    mean, variance = hc.hard_concrete_moments(0.0, 1e308, -2.0, 3.0)
    assert mean == 0.5 and 0 <= variance <= np.finfo(np.float64).eps ** 2
    assert hc.hard_concrete_moments(1e300, 1e-16, -1.2e42, 1.26e308) == (1.0, 0.0)


def test_moments_at_extreme_parameters_are_numbers_of_a_law_on_0_1():
    """Every combination of extreme logits, temperatures and stretch ends (warnings are
    errors here): a mean m in [0, 1] and a variance in [0, 1/4], at most m and 1 - m (Var z
    <= E z^2 <= E z for z in [0, 1], and likewise for 1 - z), up to the rounding of 1 - m
    and the variance's absolute error of eps^2 where m is tiny (hard_concrete_moments)."""
    logit = np.array([-1e300, -700.0, -30.0, 0.0, 30.0, 700.0, 1e300])[:, None, None, None]
    tau = np.array([1e-300, 1e-8, 1.0, 1e8, 1e308])[:, None, None]
    gamma = np.array([-1e300, -1e16, -1.5, -0.1, -5e-324])[:, None]
    zeta = np.array([1 + 2**-52, 1.1, 1e16, 1e300])
    mean, variance = hc.hard_concrete_moments(logit, tau, gamma, zeta)
    assert mean.shape == variance.shape == (7, 5, 5, 4)
    assert np.all((mean >= 0) & (mean <= 1))
    eps = np.finfo(np.float64).eps
    assert np.all((variance >= 0) & (variance <= 0.25))
    assert np.all((variance <= mean * (1 + 1e-12) + eps**2) & (variance <= 1 - mean + eps))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_temperature_near_the_largest_float_gives_the_limits(dtype):
    """As tau -> inf the binary Concrete s tends to 1/2, so the gate to gamma + (zeta - gamma) / 2
    clipped to [0, 1] (0.5 for the default stretch) at every finite logit; an infinite logit
    stays a point mass. At tau within a factor 2 of the largest float, tau log(odds)
    overflows: no NaN (from inf - inf at an infinite logit) and no overflow warning (an
    error here) may result. The mean is 1/2 exactly; the variance, (z - 1/2)^2 of a z that
    rounds within an ulp of 1/2 (measured: (eps / 2)^2), is at most eps^2."""
    tau = dtype(np.finfo(dtype).max / 2)
    logit = np.array([-np.inf, -1e30, 0.0, 1e30, np.inf], dtype)
    finite = np.isfinite(logit)
    at_inf = (logit == np.inf).astype(float)
    zero, one = hc.hard_concrete_prob_zero(logit, tau), hc.hard_concrete_prob_one(logit, tau)
    np.testing.assert_array_equal(zero, np.where(finite, 0.0, 1 - at_inf))
    np.testing.assert_array_equal(one, np.where(finite, 0.0, at_inf))
    np.testing.assert_array_equal(hc.expected_l0(logit, tau), 1 - zero)
    np.testing.assert_array_equal(hc.expected_l0_grad(logit, tau), np.zeros(5))
    mean, variance = hc.hard_concrete_moments(logit, tau)
    np.testing.assert_array_equal(mean, np.where(finite, 0.5, at_inf))
    assert np.all((variance >= 0) & (variance <= np.finfo(np.float64).eps ** 2))
    z = np.array([[0.0], [0.25], [0.75]], dtype)
    cdf = np.where(finite, z >= 0.5, np.where(logit == np.inf, 0.0, 1.0))
    np.testing.assert_array_equal(hc.hard_concrete_cdf(z, logit, tau), cdf)
    np.testing.assert_array_equal(hc.hard_concrete_pdf(z, logit, tau), np.zeros((3, 5)))
    prob_zero = np.array([0.0, 0.5, 1.0], dtype)
    assert hc.logit_for_prob_zero(prob_zero, tau).tolist() == [np.inf, -np.inf, -np.inf]


# --- bad input ---------------------------------------------------------------------------------


def _calls(**kw):
    return [
        lambda: hc.hard_concrete_prob_zero(
            kw.get("logit", 0.0), kw.get("tau", 0.5), kw.get("gamma", -0.1), kw.get("zeta", 1.1)
        ),
        lambda: hc.hard_concrete_prob_one(
            kw.get("logit", 0.0), kw.get("tau", 0.5), kw.get("gamma", -0.1), kw.get("zeta", 1.1)
        ),
        lambda: hc.hard_concrete_cdf(
            kw.get("z", 0.5),
            kw.get("logit", 0.0),
            kw.get("tau", 0.5),
            kw.get("gamma", -0.1),
            kw.get("zeta", 1.1),
        ),
        lambda: hc.expected_l0(
            kw.get("logit", 0.0), kw.get("tau", 0.5), kw.get("gamma", -0.1), kw.get("zeta", 1.1)
        ),
        lambda: hc.hard_concrete_moments(
            kw.get("logit", 0.0), kw.get("tau", 0.5), kw.get("gamma", -0.1), kw.get("zeta", 1.1)
        ),
        lambda: bg.sample_hard_concrete(
            kw.get("logit", 0.0),
            kw.get("tau", 0.5),
            3,
            0,
            kw.get("gamma", -0.1),
            kw.get("zeta", 1.1),
        ),
    ]


@pytest.mark.parametrize("gamma", [0.0, 0.1, NAN, -np.inf, [-0.1, 0.0]])
def test_bad_gamma(gamma):
    for call in _calls(gamma=gamma):
        with pytest.raises(ValueError, match=r"^gamma must be a finite negative number"):
            call()


@pytest.mark.parametrize("gamma", [-1e308, [-0.1, -1e308, -0.2]])
def test_a_stretch_wider_than_the_largest_float_is_refused_by_name(gamma):
    """Each end is valid, but the gate gamma + (zeta - gamma) s needs the width, which is
    beyond the largest float of the computation (it had given NaN moments and an infinite
    density): a ValueError names it and the two ends. In float32 the bound is float32's. A
    width just inside is computed: the gate is then 0 or 1 but on a set of s of width about
    1 / half, so the moments are Bernoulli(1/2)'s."""
    refused = r"^zeta - gamma, the width of the stretch, must be at most .*, the largest "
    for call in _calls(gamma=gamma, zeta=1e308):
        with pytest.raises(ValueError, match=refused + "float64; got gamma = -1e\\+308"):
            call()
    low, high = np.float32(-2e38), np.float32(2e38)
    with pytest.raises(ValueError, match=refused + "float32"):
        hc.hard_concrete_cdf(np.float32(0.5), np.float32(0.0), np.float32(0.5), low, high)
    assert bg.sample_hard_concrete(0.0, 0.5, 2, 0, low, high).dtype == np.float64  # fits there
    half = np.finfo(np.float64).max / 2
    assert hc.hard_concrete_moments(0.0, 0.5, -half, half) == (0.5, 0.25)


@pytest.mark.parametrize("zeta", [1.0, 0.5, -2.0, NAN, np.inf, [1.1, 1.0]])
def test_bad_zeta(zeta):
    for call in _calls(zeta=zeta):
        with pytest.raises(ValueError, match=r"^zeta must be a finite number greater than 1"):
            call()


@pytest.mark.parametrize("tau", [0.0, -1.0, NAN, np.inf])
def test_bad_tau(tau):
    for call in _calls(tau=tau):
        with pytest.raises(ValueError, match=r"^tau must be a positive, finite temperature"):
            call()


def test_nan_logit_and_nan_z():
    for call in _calls(logit=[0.0, NAN]):
        with pytest.raises(ValueError, match=r"^logit must not be NaN"):
            call()
    with pytest.raises(ValueError, match=r"^z must not be NaN"):
        hc.hard_concrete_cdf([0.2, NAN], 0.0, 0.5)
    with pytest.raises(ValueError, match=r"^z must not be NaN"):
        hc.hard_concrete_pdf(NAN, 0.0, 0.5)


def test_shapes_that_do_not_broadcast_are_named_as_given():
    """Every function names the arguments whose shapes clash; hard_concrete_from_uniform once
    named ``s``, an intermediate, instead of ``logit``."""
    calls = _calls(logit=[0.0, 1.0], gamma=[-0.1, -0.2, -0.3])
    calls.append(lambda: hc.hard_concrete_from_uniform([0.0, 1.0], 0.5, 0.5, [-0.1, -0.2, -0.3]))
    for call in calls[:-2] + calls[-1:]:  # the sampler's size decides its shape
        with pytest.raises(ValueError, match=r"^shapes do not broadcast") as caught:
            call()
        message = str(caught.value)
        assert "logit with shape (2,)" in message and "gamma with shape (3,)" in message


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match=r"^gamma must be a real number"):
        hc.hard_concrete_prob_zero(0.0, 0.5, gamma="-0.1")
    with pytest.raises(TypeError, match=r"^rng must be"):
        bg.sample_hard_concrete(0.0, 0.5, 3, rng=True)


def test_the_law_figure_draws_every_curve_and_both_atoms():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from binary_gumbel.book import figures

    grid = np.linspace(0.01, 0.99, 50)
    taus = {"τ = 0.5": 0.5, "τ = 2": 2.0}
    dens = {k: hc.hard_concrete_pdf(grid, 0.0, t) for k, t in taus.items()}
    masses = {
        k: (hc.hard_concrete_prob_zero(0.0, t), hc.hard_concrete_prob_one(0.0, t))
        for k, t in taus.items()
    }
    fig, axes = figures.new_figure(ncols=2)
    figures.plot_hard_concrete(axes, grid, dens, masses)
    assert len(axes[0].lines) == 2 and len(axes[1].patches) == 4
    heights = sorted(p.get_height() for p in axes[1].patches)
    assert heights[-1] == pytest.approx(max(max(m) for m in masses.values()))
    with pytest.raises(ValueError, match="same, non-empty, labels"):
        figures.plot_hard_concrete(axes, grid, dens, {"τ = 0.5": (0.1, 0.2)})
    with pytest.raises(ValueError, match="axes must hold 2 axes"):
        figures.plot_hard_concrete(axes[:1], grid, dens, masses)
    three = dict(masses, **{"τ = 2": (0.1, 0.2, 0.3)})
    with pytest.raises(ValueError, match=r"^masses 'τ = 2' must be \(P\(z = 0\), P\(z = 1\)\)"):
        figures.plot_hard_concrete(axes, grid, dens, three)
    with pytest.raises(ValueError, match=r"^ylim must be \(low, high\) with low < high"):
        figures.plot_hard_concrete(axes, grid, dens, masses, ylim=(3.0, 3.0))
    plt.close(fig)


def test_a_count_beyond_any_array_is_named():
    """Was numpy's "Maximum allowed dimension exceeded", or a broadcast error naming the
    sampler's parameters, far from the argument."""
    with pytest.raises(ValueError, match="^n must be at most 9223372036854775807"):
        sampler_checks.check_sampler(0.0, 0.5, 10**20)
    with pytest.raises(ValueError, match="^n must be at most"):
        sampler_checks.conditional_samples(0.0, 10**20)
    for size in ((0, 2**63), (2**62, 4)):
        with pytest.raises(ValueError, match="^size must hold at most"):
            bg.sample_hard_concrete(0.0, 0.5, size)


def test_check_sampler_refuses_a_tau_beyond_the_doubles_resolution():
    """Was a failed check of a correct sampler (p = 2.5e-153 at tau = 1e15). The bound keeps
    the rate within twice the stated one (5.9e12 at n = 10000; at 5e13, inside the earlier
    bound, 300 seeds put the rate near 60 times it); just inside, a correct sampler passes."""
    with pytest.raises(
        ValueError, match="^tau = 1000000000000000.0 is beyond what the interior test"
    ):
        sampler_checks.check_sampler(0.5, 1e15, 10000, 0)
    with pytest.raises(ValueError, match="^tau = 7000000000000.0 is beyond"):
        sampler_checks.check_sampler(0.5, 7e12, 10000, 0)
    assert sampler_checks.check_sampler(0.5, 5e12, 10000, 0).consistent
    # the mirror law is refused at the same tau: below 1/2 the doubles' spacing is half
    # what half its gates, above 1/2, meet
    with pytest.raises(ValueError, match="^tau = 7000000000000.0 is beyond"):
        sampler_checks.check_sampler(-0.5, 7e12, 10000, 0)
    # refused before a gate is drawn: 10**12 gates would need 8 TB
    with pytest.raises(ValueError, match="^tau = 1000000000000000.0 is beyond"):
        sampler_checks.check_sampler(0.5, 1e15, 10**12, 0)
