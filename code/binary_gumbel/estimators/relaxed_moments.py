"""Exact moments of the relaxed and straight-through estimators on the toy problem, by quadrature.

The gradients chapter's wide temperature sweep: the mean and variance of the relaxed
(reparameterised) estimate ``2 (x - t) x (1 - x) / tau`` of
:func:`binary_gumbel.estimators.gradients.relaxed`, integrated over the Logistic noise with
SciPy, independently of that function, and the temperatures and logits where its bias
peaks, where its mean changes sign, and where its expected descent stops.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, special

from binary_gumbel._validation import check_tau, finite_float64
from binary_gumbel.estimators.gradients import exact_gradient

__all__ = [
    "relaxed_bias_extremum",
    "relaxed_mean_root",
    "relaxed_moments",
    "relaxed_objective_minimiser",
    "straight_through_stationary_point",
]


def relaxed_moments(theta: float, target: float, tau: float) -> tuple[float, float]:
    """Mean and variance of the relaxed estimate ``g = 2 (x - t) x (1 - x) / tau``, by quadrature.

    With ``x = sigmoid(s)``, ``s = (theta + l) / tau`` and ``l`` standard Logistic
    (density ``sigmoid(l) sigmoid(-l)``), ``E[h(g)] = int h(g(l)) f_L(l) dl``, integrated
    by :func:`scipy.integrate.quad` over ``l in [-60, 60]`` (the Logistic mass outside is
    below ``2e-26``) with a break point at ``l = -theta``, where ``x`` rises within a
    window of width about ``tau``. Written with :func:`scipy.special.expit`, independently
    of :func:`relaxed`, so that Monte Carlo runs of that function can be checked against it.
    """
    theta, target = float(finite_float64(theta, "theta")), float(finite_float64(target, "target"))
    tau = float(check_tau(tau, np.float64))

    def estimate(noise):
        s = (theta + noise) / tau
        return 2 * (special.expit(s) - target) * special.expit(s) * special.expit(-s) / tau

    def expectation(fn):
        def integrand(noise):
            return fn(noise) * special.expit(noise) * special.expit(-noise)

        return integrate.quad(integrand, -60.0, 60.0, points=[-theta], limit=400)[0]

    mean = expectation(estimate)
    # The central moment directly: E[g^2] - mean^2 would cancel where the variance is tiny.
    return mean, expectation(lambda noise: (estimate(noise) - mean) ** 2)


def relaxed_bias_extremum(
    theta: float, target: float, low: float, high: float, largest: bool = True
) -> float:
    """The temperature in ``(low, high)`` where the relaxed estimator's ``|bias|`` is extremal.

    Maximises (``largest=True``) or minimises (``largest=False``, a local minimum between
    two rises) ``|E g - L'(theta)|`` from :func:`relaxed_moments` over ``log tau`` (bounded
    Brent search). Raises ValueError when the extremum sits at either end of the bracket,
    so a caller never reports a bracket's edge as an interior extremum.
    """
    exact = float(exact_gradient(theta, target))
    low, high = float(check_tau(low, np.float64)), float(check_tau(high, np.float64))
    if not low < high:
        raise ValueError(f"low must be below high; got low={low}, high={high}")
    sign = -1.0 if largest else 1.0

    def signed_abs_bias(log_tau):
        return sign * abs(relaxed_moments(theta, target, math.exp(log_tau))[0] - exact)

    found = optimize.minimize_scalar(
        signed_abs_bias,
        bounds=(math.log(low), math.log(high)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    tau = math.exp(found.x)
    if not low * 1.01 < tau < high / 1.01:
        which = "largest" if largest else "smallest"
        raise ValueError(f"the {which} |bias| in ({low}, {high}) is at its edge, tau = {tau:.4g}")
    return tau


def relaxed_mean_root(theta: float, target: float, low: float, high: float) -> float:
    """The temperature in ``(low, high)`` where the relaxed estimator's mean changes sign.

    Brent's root of ``E g`` from :func:`relaxed_moments` in ``log tau``; the mean must
    have opposite signs at ``low`` and ``high`` (a ValueError otherwise).
    """
    low, high = float(check_tau(low, np.float64)), float(check_tau(high, np.float64))

    def mean(log_tau):
        return relaxed_moments(theta, target, math.exp(log_tau))[0]

    if mean(math.log(low)) * mean(math.log(high)) >= 0:
        raise ValueError(f"the relaxed mean has the same sign at low={low} and high={high}")
    return math.exp(optimize.brentq(mean, math.log(low), math.log(high), xtol=1e-6))


def relaxed_objective_minimiser(target: float, tau: float, low: float = -20.0, high: float = 20.0):
    """The ``theta`` in ``(low, high)`` that minimises the relaxed objective ``E[(x - t)^2]``.

    The relaxed estimator is unbiased for ``d/dtheta E[(x - t)^2]`` (its mean, from
    :func:`relaxed_moments`), so its expected descent stops where that mean is 0: Brent's
    root in ``theta``. A ValueError when the mean has the same sign at both ends.
    """

    def mean(theta):
        return relaxed_moments(theta, target, tau)[0]

    if mean(float(low)) * mean(float(high)) >= 0:
        raise ValueError(f"the relaxed mean has the same sign at theta = {low} and {high}")
    return optimize.brentq(mean, float(low), float(high), xtol=1e-9)


def straight_through_stationary_point(
    target: float, tau: float, low: float = -20.0, high: float = 20.0
) -> float:
    """The ``theta`` in ``(low, high)`` where straight-through's mean gradient is 0.

    Straight-through estimates ``2 (b - t) x (1 - x) / tau`` with ``b = 1[theta + l > 0]``;
    its mean is neither ``L'`` nor the relaxed objective's derivative, so its expected
    descent stops where that mean,
    ``int 2 (1[theta + l > 0] - t) sigmoid(s) sigmoid(-s) / tau f_L(l) dl`` with
    ``s = (theta + l) / tau``, vanishes. The mean is integrated like :func:`relaxed_moments`
    (over ``l in [-60, 60]``, split at the jump ``l = -theta``); Brent's root in ``theta``.
    A ValueError when the mean has the same sign at both ends.
    """
    target = float(finite_float64(target, "target"))
    tau = float(check_tau(tau, np.float64))

    def mean(theta):
        def density(noise):
            s = (theta + noise) / tau
            logistic = special.expit(noise) * special.expit(-noise)
            return special.expit(s) * special.expit(-s) / tau * logistic

        below = integrate.quad(density, -60.0, -theta, limit=400)[0]
        above = integrate.quad(density, -theta, 60.0, limit=400)[0]
        return 2 * ((1 - target) * above - target * below)

    if mean(float(low)) * mean(float(high)) >= 0:
        raise ValueError(f"the straight-through mean has the same sign at theta = {low} and {high}")
    return optimize.brentq(mean, float(low), float(high), xtol=1e-9)
