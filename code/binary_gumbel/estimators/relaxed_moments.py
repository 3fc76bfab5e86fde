"""Exact moments of the relaxed and straight-through estimators on the toy problem, by quadrature.

The gradients chapter's wide temperature sweep: the mean and variance of the relaxed
(reparameterised) estimate ``2 (x - t) x (1 - x) / tau`` of
:func:`binary_gumbel.estimators.gradients.relaxed`, integrated over the Logistic noise with
SciPy, independently of that function, and the temperatures and logits where its bias
peaks, where its mean changes sign, and where its expected descent stops.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
from scipy import integrate, optimize, special

from binary_gumbel._validation import check_tau, finite_number, single_number
from binary_gumbel.estimators.gradients import exact_gradient

__all__ = [
    "relaxed_bias_extremum",
    "relaxed_mean_root",
    "relaxed_moments",
    "relaxed_objective_minimiser",
    "straight_through_stationary_point",
]


#: Half-width, in units of ``tau``, of the window around ``l = -theta`` where ``x`` rises:
#: outside it ``x (1 - x) < e^-40``.
WINDOW = 40.0
#: The Logistic noise is integrated over ``[-BOUND, BOUND]`` and over ``BOUND`` either side
#: of ``l = -theta``; the Logistic mass outside the first is below ``2e-26``.
BOUND = 60.0


def _split_expectation(h, theta: float, tau: float) -> tuple[float, float]:
    """``E[h(s) 1[s < 0]] / tau`` and ``E[h(s) 1[s > 0]] / tau`` for ``s = (theta + l) / tau``.

    ``l`` is standard Logistic, ``E[h(s)] = int h((theta + l) / tau) f_L(l) dl`` with
    ``f_L(l) = sigmoid(l) sigmoid(-l)``, over the ``l`` within ``BOUND`` of 0 or of the jump
    ``l = -theta``. While the window where ``x = sigmoid(s)`` rises, ``|s| <= WINDOW``, is
    narrower than that (``WINDOW tau <= BOUND``), it is integrated in ``s`` (``dl = tau ds``,
    which supplies the division by ``tau``), where the rise has width 1 whatever ``tau`` is,
    so that a window of width ``1e-3`` or ``1e-300`` is not stepped over; the rest is
    integrated in ``l`` and divided by ``tau``. A wider window is integrated in ``l``
    throughout. Each piece by :func:`scipy.integrate.quad`, split at the jump ``s = 0``,
    asked for a relative tolerance of ``1e-10`` and no absolute one, so that a result that
    is tiny because its integrand is (far in a tail) keeps its digits; one that is tiny by
    cancellation has an absolute error of about ``1e-16`` times the integral of ``|h|``,
    which can exceed it (``theta = -61``, ``tau = 0.1``, ``t = 0.45``: a mean of ``-7.3e-44``
    at the double nearest 0.45 returned as ``1.8e-43``). A
    piece that rounding keeps from the tolerance is accepted when quad's error estimate
    for it is below ``1e-8`` of the integral of ``|h|`` over the range (a tail of ``1e-30``
    beside a window of ``1e-10``, or a piece where ``h`` changes sign near a root of the
    mean), and the result is then good to that error; otherwise a ``FloatingPointError``.
    """
    jump = -theta
    lo, hi = min(-BOUND, jump - BOUND), max(BOUND, jump + BOUND)

    def in_l(noise):
        return h((theta + noise) / tau) * special.expit(noise) * special.expit(-noise)

    def in_s(s):
        noise = tau * s - theta
        return h(s) * special.expit(noise) * special.expit(-noise)

    if WINDOW * tau > BOUND:
        below = [(in_l, lo, jump, tau)]
        above = [(in_l, jump, hi, tau)]
    else:
        below = [(in_l, lo, jump - WINDOW * tau, tau), (in_s, -WINDOW, 0.0, 1.0)]
        above = [(in_s, 0.0, WINDOW, 1.0), (in_l, jump + WINDOW * tau, hi, tau)]
    if abs(theta) > 2 * BOUND:
        # The stretches within BOUND of 0 and of the jump are apart: a piece in l that
        # spans the gap is cut at their ends, so that quad, which samples a piece about
        # |theta| wide, does not step over the Logistic's peak, about 1 wide, at l = 0.
        ends = (-BOUND, BOUND, jump - BOUND, jump + BOUND)
        below, above = _cut(below, in_l, ends), _cut(above, in_l, ends)
    warned = []  # quad's error estimates of the pieces it warned about, in the result's units

    def integral(fn, a, b, per):
        """``int_a^b fn / per``, asked of quad to a relative ``1e-10``."""
        if not a < b:
            return 0.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", integrate.IntegrationWarning)
            value, error = integrate.quad(fn, a, b, epsabs=0.0, epsrel=1e-10, limit=400)
        if caught:
            warned.append(error / per)
        return value / per

    parts = sum(integral(*piece) for piece in below), sum(integral(*piece) for piece in above)
    if warned:
        # A piece whose own relative tolerance rounding forbids (a tail of 1e-30 beside a
        # window of 1e-10, or a piece whose h changes sign) is accepted when its error is
        # below 1e-8 of the integral of |h|, the scale of the rounding in every piece.
        with warnings.catch_warnings():  # a scale, not a result
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            magnitude = sum(
                integrate.quad(lambda x, fn=fn: abs(fn(x)), a, b, limit=400)[0] / per
                for fn, a, b, per in below + above
                if a < b
            )
        if any(error > 1e-8 * magnitude for error in warned):
            raise FloatingPointError(
                f"the quadrature at theta={theta!r}, tau={tau!r} did not converge"
            )
    return parts


def _cut(pieces, fn, ends):
    """``pieces`` (``(integrand, a, b, per)``) with those of ``fn`` cut at the ``ends`` inside."""
    out = []
    for piece_fn, a, b, per in pieces:
        inside = sorted(e for e in ends if a < e < b) if piece_fn is fn else []
        edges = [a, *inside, b]
        out += [(piece_fn, lo, hi, per) for lo, hi in itertools.pairwise(edges)]
    return out


def relaxed_moments(theta: float, target: float, tau: float) -> tuple[float, float]:
    """Mean and variance of the relaxed estimate ``g = 2 (x - t) x (1 - x) / tau``, by quadrature.

    With ``x = sigmoid(s)``, ``s = (theta + l) / tau`` and ``l`` standard Logistic
    (density ``sigmoid(l) sigmoid(-l)``), ``E[h(g)] = int h(g(l)) f_L(l) dl``, integrated
    by :func:`scipy.integrate.quad` over the ``l`` within 60 of 0 or of ``-theta`` (the
    Logistic mass left out is below ``2e-26``): in ``s`` within ``40 tau`` of
    ``l = -theta``, where ``x`` rises, and in ``l`` elsewhere. As ``tau -> 0`` the mean
    tends to ``(1 - 2t) f_L(-theta)`` and the variance grows as ``1 / tau``; as
    ``tau -> oo``, ``tau`` times the mean tends to ``(1 - 2t) / 4`` and ``tau^4`` times the
    variance to ``pi^2 / 192``. Written with :func:`scipy.special.expit`, independently of
    :func:`relaxed`, so that Monte Carlo runs of that function can be checked against it.
    """
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    tau = single_number(check_tau(tau, np.float64), "tau")
    mean, shift = _mean_and_shift(theta, target, tau)
    # The central moment directly: E[g^2] - mean^2 would cancel where the variance is tiny.
    # Var g = E[(tau g - c)^2] / tau^2 with c = tau E g, and the expectation comes divided
    # by tau. Where s is small over the whole range, tau g differs from its mean by about
    # l / (8 tau): there the deviation is taken from ``_change``, not as the difference of
    # two numbers near tau g at 0.
    if shift is not None:
        spread = _split_expectation(lambda s: (_change(s, target) - shift) ** 2, theta, tau)
    else:
        centre = tau * mean
        spread = _split_expectation(lambda s: (_scaled(s, target) - centre) ** 2, theta, tau)
    return mean, sum(spread) / tau


def _small_s(theta: float, tau: float) -> bool:
    """Whether ``|s| = |theta + l| / tau < 1`` over the whole range of ``l`` integrated."""
    return tau > BOUND + abs(theta)


def _shift(theta: float, target: float, tau: float) -> float:
    """``E[tau g] - tau g`` at ``s = 0``, the mean of :func:`_change`."""
    return tau * sum(_split_expectation(lambda s: _change(s, target), theta, tau))


def _scaled(s, target):
    """``tau g = 2 (x - t) x (1 - x)`` at ``x = sigmoid(s)``: of order 1 at any ``tau``."""
    return 2 * (special.expit(s) - target) * special.expit(s) * special.expit(-s)


def _change(s, target):
    """``tau g`` at ``s`` minus at 0, from ``d = sigmoid(s) - 1/2 = tanh(s / 2) / 2``.

    ``2 (d / 4 - (1/2 - t) d^2 - d^3)``, with no cancellation where ``s`` is small.
    """
    d = 0.5 * math.tanh(0.5 * s)
    return 2 * (0.25 * d - (0.5 - target) * d**2 - d**3)


def _mean_and_shift(theta: float, target: float, tau: float) -> tuple[float, float | None]:
    """``E g`` for checked scalars, and the :func:`_shift` it was built from, if any.

    Where ``s`` is small over the whole range, ``x - t`` would cancel near ``t = 1/2``:
    there ``E g = (tau g(0) + E[_change]) / tau`` with ``tau g(0) = (1/2 - t) / 2``, and
    the shift ``E[_change]`` is returned too; elsewhere it is None.
    """
    if _small_s(theta, tau):
        shift = _shift(theta, target, tau)
        return ((0.5 - target) / 2 + shift) / tau, shift
    return sum(_split_expectation(lambda s: _scaled(s, target), theta, tau)), None


def _mean(theta: float, target: float, tau: float) -> float:
    """``E g`` for checked scalars, as :func:`relaxed_moments` computes it."""
    return _mean_and_shift(theta, target, tau)[0]


def _opposite(a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` are non-zero with opposite signs (no product to underflow)."""
    return (a < 0 < b) or (b < 0 < a)


def relaxed_bias_extremum(
    theta: float, target: float, low: float, high: float, largest: bool = True
) -> float:
    """The temperature in ``(low, high)`` where the relaxed estimator's ``|bias|`` is extremal.

    Maximises (``largest=True``) or minimises (``largest=False``, a local minimum between
    two rises) ``|E g - L'(theta)|`` from :func:`relaxed_moments` over ``log tau`` (bounded
    Brent search). Raises ValueError when the extremum sits at either end of the bracket,
    so a caller never reports a bracket's edge as an interior extremum.
    """
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    exact = float(exact_gradient(theta, target))
    low = single_number(check_tau(low, np.float64, "low"), "low")
    high = single_number(check_tau(high, np.float64, "high"), "high")
    if not low < high:
        raise ValueError(f"low must be below high; got low={low}, high={high}")
    sign = -1.0 if largest else 1.0

    def signed_abs_bias(log_tau):
        return sign * abs(_mean(theta, target, math.exp(log_tau)) - exact)

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
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    low = single_number(check_tau(low, np.float64, "low"), "low")
    high = single_number(check_tau(high, np.float64, "high"), "high")

    def mean(log_tau):
        return _mean(theta, target, math.exp(log_tau))

    if not _opposite(mean(math.log(low)), mean(math.log(high))):
        raise ValueError(f"the relaxed mean has the same sign at low={low} and high={high}")
    return math.exp(optimize.brentq(mean, math.log(low), math.log(high), xtol=1e-6))


def relaxed_objective_minimiser(target: float, tau: float, low: float = -20.0, high: float = 20.0):
    """The ``theta`` in ``(low, high)`` that minimises the relaxed objective ``E[(x - t)^2]``.

    The relaxed estimator is unbiased for ``d/dtheta E[(x - t)^2]`` (its mean, from
    :func:`relaxed_moments`), so its expected descent stops where that mean is 0: Brent's
    root in ``theta``. A ValueError when the mean has the same sign at both ends.
    """
    target = finite_number(target, "target")
    tau = single_number(check_tau(tau, np.float64), "tau")

    def mean(theta):
        return _mean(theta, target, tau)

    return _theta_root(mean, low, high, "relaxed")


def straight_through_stationary_point(
    target: float, tau: float, low: float = -20.0, high: float = 20.0
) -> float:
    """The ``theta`` in ``(low, high)`` where straight-through's mean gradient is 0.

    Straight-through estimates ``2 (b - t) x (1 - x) / tau`` with ``b = 1[theta + l > 0]``;
    its mean is neither ``L'`` nor the relaxed objective's derivative, so its expected
    descent stops where that mean,
    ``int 2 (1[theta + l > 0] - t) sigmoid(s) sigmoid(-s) / tau f_L(l) dl`` with
    ``s = (theta + l) / tau``, vanishes. The mean is integrated like :func:`relaxed_moments`
    (split at the jump ``l = -theta``); Brent's root in ``theta``.
    A ValueError when the mean has the same sign at both ends.
    """
    target = finite_number(target, "target")
    tau = single_number(check_tau(tau, np.float64), "tau")

    def mean(theta):
        def slope(s):  # tau times the estimate's x (1 - x) / tau
            return special.expit(s) * special.expit(-s)

        below, above = _split_expectation(slope, theta, tau)
        return 2 * ((1 - target) * above - target * below)

    return _theta_root(mean, low, high, "straight-through")


def _theta_root(mean, low, high, estimator: str) -> float:
    """Brent's root in ``theta`` of an estimator's ``mean(theta)`` between ``low`` and ``high``.

    ``low`` and ``high`` must be finite (a ValueError naming them otherwise), and the mean
    must have opposite signs at them (a ValueError naming the ``estimator`` otherwise).
    """
    low = finite_number(low, "low")
    high = finite_number(high, "high")
    if not _opposite(mean(low), mean(high)):
        raise ValueError(f"the {estimator} mean has the same sign at theta = {low} and {high}")
    return optimize.brentq(mean, low, high, xtol=1e-9)
