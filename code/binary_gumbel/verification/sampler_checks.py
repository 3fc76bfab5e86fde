"""Monte Carlo checks of the samplers against their laws, at a stated false-alarm rate.

The hard concrete gate: the fraction of exact zeros and of exact ones (Clopper-Pearson
intervals) and the gates strictly inside (0, 1) (a Kolmogorov-Smirnov test) of
:func:`binary_gumbel.sample_hard_concrete` against the closed forms of
:mod:`binary_gumbel.hard_concrete` (statistics: :mod:`binary_gumbel.verification.montecarlo`).

REBAR's conditional noise ``z~`` given ``b`` (:mod:`binary_gumbel.conditional_noise`):
Kolmogorov-Smirnov tests against the conditional CDFs, given ``b = 0`` and ``b = 1``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_false_alarm,
    finite_number,
    single_number,
)
from binary_gumbel.conditional_noise import conditional_logistic_cdf, conditional_logistic_sample
from binary_gumbel.hard_concrete import (
    GAMMA,
    ZETA,
    hard_concrete_cdf,
    hard_concrete_prob_one,
    hard_concrete_prob_zero,
    sample_hard_concrete,
)
from binary_gumbel.noise import logistic_from_uniform
from binary_gumbel.verification import montecarlo
from binary_gumbel.verification.montecarlo import DEFAULT_FALSE_ALARM, KSCheck, ProportionCheck

__all__ = ["SamplerChecks", "check_sampler", "conditional_ks", "conditional_samples"]


class SamplerChecks(NamedTuple):
    """The three checks of one sampler run: exact zeros, exact ones, interior law."""

    logit: float
    tau: float
    zeros: ProportionCheck
    ones: ProportionCheck
    interior: KSCheck

    @property
    def consistent(self) -> bool:
        return self.zeros.consistent and self.ones.consistent and self.interior.consistent


def check_sampler(
    logit, tau, n, rng=None, gamma=GAMMA, zeta=ZETA, false_alarm=DEFAULT_FALSE_ALARM
) -> SamplerChecks:
    """Draw ``n`` gates and test them against the law at the stated ``false_alarm`` rate.

    The fraction of exact zeros is checked against :func:`hard_concrete_prob_zero`,
    that of exact ones against :func:`hard_concrete_prob_one` (Clopper-Pearson
    intervals), and the gates strictly inside (0, 1) by a Kolmogorov-Smirnov test
    against the CDF conditioned on (0, 1),
    ``(F(c) - P(z = 0)) / (1 - P(z = 0) - P(z = 1))``. ``n`` must be a positive integer,
    ``logit``, ``tau``, ``gamma`` and ``zeta`` single numbers (one law to test; ``ValueError``
    naming the argument for an array of more), and at least one gate must fall strictly
    inside (0, 1) for the last test (``ValueError`` otherwise, naming the chance
    ``P(0 < z < 1)``).

    Domain: at a large ``tau`` the gates bunch within about ``1 / tau`` of their centre,
    where the doubles step by about ``1e-16``, so each value the sampler can return carries a
    chance of about ``1e-16 tau``, and the Kolmogorov-Smirnov test sees those steps (a correct
    sampler, ``n = 10000``, fails it at the default rate from ``tau`` about ``3e14``). A
    ``tau`` is refused (``ValueError`` naming it, before any gate is drawn) where that chance
    could lift the test's false-alarm rate above twice the stated one
    (:func:`_check_resolution`): about ``tau > 5.9e12`` for ``n = 10000`` at the default rate,
    ``tau > 5.9e11`` for ``n = 10**6``.
    """
    n = check_count(n, "n")
    logit_value, tau_value, gamma_value, zeta_value = (
        single_number(as_float_array(value, name), name)
        for value, name in ((logit, "logit"), (tau, "tau"), (gamma, "gamma"), (zeta, "zeta"))
    )
    p0 = float(hard_concrete_prob_zero(logit, tau, gamma, zeta))
    p1 = float(hard_concrete_prob_one(logit, tau, gamma, zeta))
    mass = 1 - p0 - p1
    _check_resolution(logit_value, tau_value, gamma_value, zeta_value, n, mass, false_alarm)
    z = sample_hard_concrete(logit, tau, n, as_generator(rng), gamma, zeta)
    zeros = montecarlo.check_proportion(np.count_nonzero(z == 0), z.size, p0, false_alarm)
    ones = montecarlo.check_proportion(np.count_nonzero(z == 1), z.size, p1, false_alarm)
    inner = z[(z > 0) & (z < 1)]
    if inner.size == 0:
        # 1 - p0 - p1 can round below 0 where the chance is below the doubles' resolution.
        raise ValueError(
            f"none of the n = {n} gates fell strictly inside (0, 1), where P(0 < z < 1) = "
            f"{max(mass, 0.0):.3g} at logit={logit!r}, tau={tau!r}: the interior law cannot "
            f"be tested; draw more gates or take a logit and tau that leave mass inside"
        )

    def conditional_cdf(c):
        return (hard_concrete_cdf(c, logit, tau, gamma, zeta) - p0) / mass

    interior = montecarlo.check_ks(inner, conditional_cdf, false_alarm)
    return SamplerChecks(logit_value, tau_value, zeros, ones, interior)


def _check_resolution(
    logit: float, tau: float, gamma: float, zeta: float, n: int, mass: float, false_alarm
) -> None:
    """Refuse a ``tau`` at which the doubles' steps could decide the interior test.

    The gates' centre is ``s0 = sigmoid(logit / tau)`` before the stretch; when it is
    stretched into (0, 1), as at every large ``tau``, the interior law's chance between
    adjacent values of ``s`` there is ``step = tau spacing / (4 s0 (1 - s0))``, divided
    by ``mass = P(0 < z < 1)`` (the logistic density at its centre is 1/4), where
    ``spacing`` is the doubles' on the wider side of 1/2: at a large ``tau`` half the gates
    lie above 1/2 whichever side the centre is (``spacing(s0)`` alone halved the step below
    1/2, and let the rate reach 2.5 times the stated one at logit -0.5). A centre outside
    (0, 1) (a small ``tau`` against the logit) is left alone: the gates then spread over the
    whole stretch.

    The law the sampler can draw differs from the continuous one by at most ``step`` in its
    CDF, so the test's statistic exceeds its critical distance ``d`` only where the
    statistic against the drawn law exceeds ``d - step``, a chance at most
    ``2 exp(-2 n (d - step)**2)`` (the Dvoretzky-Kiefer-Wolfowitz inequality, with
    Massart's constant). With ``d = sqrt(log(2 / a) / (2 n))``, ``a = false_alarm``, that
    stays within ``2 a`` while ``step <= d - sqrt(log(1 / a) / (2 n))``; a larger ``step``
    is a ``ValueError`` naming ``tau``. ``n`` stands for the interior count, which it bounds,
    so the refusal errs on the side of refusing.
    """
    s0 = float(expit(logit / tau))
    if not 0 < gamma + (zeta - gamma) * s0 < 1:
        return
    step = tau * float(np.spacing(max(s0, 0.5))) / (4 * s0 * (1 - s0) * mass)
    rate = check_false_alarm(false_alarm)
    distance = math.sqrt(math.log(2 / rate) / (2 * n))
    allowed = distance - math.sqrt(math.log(1 / rate) / (2 * n))
    if step > allowed:
        raise ValueError(
            f"tau = {tau!r} is beyond what the interior test can tell at n = {n}: the gates lie "
            f"within about 1/tau of their centre, where each double the sampler can return "
            f"carries a chance of {step:.3g}, more than the {allowed:.3g} that keeps the "
            f"test's false-alarm rate within twice {rate:g}; take a smaller tau or n"
        )


def conditional_samples(logit: float, n: int, rng=None) -> dict[int, np.ndarray]:
    """``z~`` for ``n`` draws of ``b`` (from ``u``) and ``v``, split by ``b`` (keys 0 and 1).

    ``b = 1[logit + Logistic(u) > 0]``, the estimators' and the sampler's ``b``
    (``_kernels.noisy_logit``), and ``z~`` is
    :func:`binary_gumbel.conditional_noise.conditional_logistic_sample` ``(v, logit, b)``.
    ``logit`` must be one finite number (``ValueError`` naming it otherwise).
    """
    n = check_count(n, "n")
    theta = finite_number(logit, "logit")
    uv = as_generator(rng).random((2, n))
    b = (_kernels.noisy_logit(theta, logistic_from_uniform(uv[0])) > 0).astype(np.float64)
    z_tilde = conditional_logistic_sample(uv[1], theta, b)
    return {k: z_tilde[b == k] for k in (0, 1)}


def conditional_ks(logit: float, n: int, rng=None, false_alarm: float = DEFAULT_FALSE_ALARM):
    """KS tests of ``z~`` given ``b = 0`` and ``b = 1`` against the derived CDFs.

    Returns ``(samples, checks)``, two dicts keyed by ``b``; each check is a
    :class:`binary_gumbel.verification.montecarlo.KSCheck` at ``false_alarm``. Each outcome
    must occur at least once among the ``n`` draws (``ValueError`` naming ``n``, ``b`` and
    ``logit`` otherwise).
    """
    samples = conditional_samples(logit, n, rng)
    for b, s in samples.items():
        if s.size == 0:
            raise ValueError(
                f"none of the n = {n} draws gave b = {b} at logit={logit!r}: the law of z~ "
                f"given b = {b} cannot be tested; draw more or take a logit nearer 0"
            )
    checks = {
        b: montecarlo.check_ks(s, lambda x, b=b: conditional_logistic_cdf(x, logit, b), false_alarm)
        for b, s in samples.items()
    }
    return samples, checks
