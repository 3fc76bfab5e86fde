"""The mean and variance of the hard concrete gate, by composite Gauss-Legendre quadrature.

:func:`hard_concrete_moments` integrates the gate over the standard logistic noise on the
interior between its two point masses (the probabilities of
:mod:`binary_gumbel.hard_concrete.law`), with the quadrature rule's constants, and keeps
its relative accuracy for a stretch of any width by writing the gate near each end as a
product of non-negative factors (:func:`_gate_from_end`).
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel.hard_concrete._parameters import (
    GAMMA,
    ZETA,
    _log_odds_one,
    _log_odds_zero,
    _params,
)

__all__ = ["hard_concrete_moments"]


#: The composite Gauss-Legendre rule of :func:`hard_concrete_moments`: 16 panels of
#: 16 nodes on a window of the gate's interior at most 80 long (panels at most 5 long,
#: against poles of the logistic density 3.1 from the real axis: below 1e-15 relative).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_PANELS = 16
#: Half the window: beyond 40 from its nearest point the logistic density is below e^-40 of it.
_WINDOW = 40.0


def hard_concrete_moments(logit, tau, gamma=GAMMA, zeta=ZETA):
    """Mean and variance of the hard concrete gate, ``(E z, Var z)``.

    With ``L = log u - log(1 - u)`` standard logistic (density ``sigmoid(L) sigmoid(-L)``),
    the gate is 0 for ``L <= a = tau log(-gamma / zeta) - logit``, 1 for
    ``L >= b = tau log((1 - gamma) / (zeta - 1)) - logit``, and
    ``z(L) = gamma + (zeta - gamma) sigmoid((logit + L) / tau)`` in between (the gate of
    Louizos, Welling & Kingma 2018), so

        E z       = P(z = 1) + int_a^b z(L) sigmoid(L) sigmoid(-L) dL,
        E (1 - z) = P(z = 0) + int_a^b (1 - z(L)) sigmoid(L) sigmoid(-L) dL,
        Var z     = P(z = 0) m^2 + P(z = 1) (1 - m)^2 + int_a^b (z(L) - m)^2 ... dL,

    with ``m = E z``, ``1 - m`` taken from its own integral and ``z(L) - m`` written as
    ``(1 - m) - (1 - z(L))``: every term is a sum of non-negative parts, so the variance is
    never negative. There is no closed form in general; the integrals are a composite
    Gauss-Legendre rule (16 panels of 16 nodes) on the part of ``(a, b)`` within 40 of its
    point nearest the density's mode, which leaves out less than ``e^-40`` of the
    interior's mass, relatively. On the interior ``z(L) = gamma + (zeta - gamma) s``, which
    cancels to an error of ``eps max(-gamma, zeta)``: at most ``2 eps`` within ``-1 <= gamma``
    and ``zeta <= 2``, where it is kept. For a wider stretch ``z`` and ``1 - z`` are products
    of non-negative factors instead, ``zeta s (1 - e^-(y - y0))`` and
    ``(1 - gamma) (1 - s) (1 - e^-(y1 - y))`` with ``y`` the log-odds of ``s`` and ``y0``,
    ``y1`` those at which the gate is 0 and 1. Where ``a`` and ``b`` are the same infinity (a
    ``tau`` near the largest float), the interior has no mass.

    Accuracy (``eps = 2.2e-16``; measured against mpmath): both moments are within 1e-12 of
    the exact values, relatively (5e-14 at ``logit = 0``, ``tau = 1``, where they are
    rational functions of ``gamma`` and ``zeta``, for ``gamma`` from ``-5e-324`` to
    ``-1.7e308`` and ``zeta`` from ``1 + 1e-7`` to ``1e300``), but in three cases:

    - where the open gate is almost always below ``eps``, the variance has an absolute error
      of about ``eps^2 P(0 < z < 1) + 4 eps m``, from ``(1 - m) - (1 - z)``;
    - in a tail (``a > 0`` or ``b < 0``) the window is ``(a, a + 40)`` (or ``(b - 40, b)``):
      of a longer interior, ``b - a = tau log((1 - gamma) zeta / (-gamma (zeta - 1))) > 40``,
      it leaves out a part where the density is below ``e^-40`` of its value at the
      window's start but the gate may have grown by as much: 2e-13 at ``tau = 1e4`` and
      1e-10 at ``tau = 1e6`` with the default stretch and ``a = 30``, 5e-10 at
      ``logit = -3``, ``tau = 30``, ``gamma = -1e3``, ``zeta = 1.1``, and 13 % (low) at
      ``logit = -50``, ``tau = 1``, ``gamma = -1e-20``, ``zeta = 1.1``;
    - the log-odds of ``s`` cross ``log((1 - gamma) zeta / (-gamma (zeta - 1)))`` on the
      interior: where that exceeds about 200 (``-gamma`` or ``zeta - 1`` below about
      ``1e-90``) the 256 nodes resolve the gate to about 1e-10 (2.5e-12 at ``logit = 0``,
      ``tau = 1e-6``, ``gamma = -1e-100``, ``zeta = 1.1``; 2e-10 at ``gamma = -1e-300``,
      ``zeta = 1.9``).

    Parameters, errors and the dtype of the result are those of
    :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`. ``logit = +inf`` gives
    ``(1, 0)`` and ``-inf`` gives ``(0, 0)``; as ``tau -> 0`` the moments tend to those of
    Bernoulli(``sigmoid(logit)``).

    Returns
    -------
    (ndarray or scalar, ndarray or scalar)
        The mean and the variance, each with the broadcast shape of the inputs.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    dtype = logit.dtype
    logit, tau, gamma, zeta = (np.asarray(x, np.float64) for x in (logit, tau, gamma, zeta))
    infinite = np.isinf(logit)
    finite = np.where(infinite, 0.0, logit)
    a = _kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), finite)
    b = _kernels.scaled_minus(tau, _log_odds_one(gamma, zeta), finite)
    prob_zero, prob_one = _kernels.sigmoid(a), _kernels.sigmoid(-b)
    nearest = np.clip(0.0, a, b)
    beyond = np.isinf(nearest)  # a = b = +-inf: the interior is beyond the doubles, mass 0
    nearest = np.where(beyond, 0.0, nearest)
    low = np.where(beyond, 0.0, np.maximum(a, nearest - _WINDOW))
    high = np.where(beyond, 0.0, np.minimum(b, nearest + _WINDOW))
    width = (high - low) / _PANELS
    # Nodes on (..., panel, node): panel k covers [low + k width, low + (k + 1) width].
    node = np.s_[..., None, None]
    offsets = np.arange(_PANELS)[:, None] + (1 + _GL_NODES) / 2
    L = low[node] + width[node] * offsets
    weight = (width / 2)[node] * _GL_WEIGHTS * _kernels.sigmoid_and_slope(L)[1]
    with np.errstate(over="ignore"):  # beyond the doubles: +-inf, whose sigmoid is the limit
        y = (finite[node] + L) / tau[node]  # the log-odds of s
    z = gamma[node] + (zeta - gamma)[node] * _kernels.sigmoid(y)
    shut = 1 - z  # in (0, 1) on the interior
    wide = (gamma < -1) | (zeta > 2)
    if wide.any():
        # The distances of y from the ends of the interior: from those of L, exact where the
        # window starts at a or ends at b, or from y where that end is beyond the doubles.
        to_zero, to_one = _log_odds_zero(gamma, zeta)[node], _log_odds_one(gamma, zeta)[node]
        with np.errstate(over="ignore"):  # beyond the doubles at a tiny tau: capped below
            above = np.where(
                np.isfinite(a)[node],
                ((low - a)[node] + width[node] * offsets) / tau[node],
                y - to_zero,
            )
            below = np.where(
                np.isfinite(b)[node],
                ((b - high)[node] + width[node] * (_PANELS - offsets)) / tau[node],
                to_one - y,
            )
        z = np.where(wide[node], _gate_from_end(above, to_zero, zeta[node]), z)
        shut = np.where(wide[node], _gate_from_end(below, -to_one, (1 - gamma)[node]), shut)
    mean = prob_one + np.sum(weight * z, axis=(-2, -1))
    gap = prob_zero + np.sum(weight * shut, axis=(-2, -1))  # 1 - mean
    spread = np.sum(weight * (gap[node] - shut) ** 2, axis=(-2, -1))
    variance = prob_zero * mean**2 + prob_one * gap**2 + spread
    mean = np.where(infinite, logit > 0, mean)
    variance = np.where(infinite, 0.0, variance)
    return mean.astype(dtype)[()], variance.astype(dtype)[()]


def _gate_from_end(d, y_end, scale):
    """``scale sigmoid(y_end + d) (1 - e^-d)`` for ``d >= 0``, capped at 1: the gate near an end.

    With ``y`` the log-odds of ``s`` and ``y0 = log(-gamma / zeta)`` those at which the gate
    is 0, ``z = gamma + (zeta - gamma) s = zeta sigmoid(y) (1 - e^-(y - y0))``: this with
    ``d = y - y0``, ``y_end = y0``, ``scale = zeta``. With ``y1 = log((1 - gamma) / (zeta -
    1))``, where it is 1, ``1 - z = (1 - gamma) sigmoid(-y) (1 - e^-(y1 - y))``: this with
    ``d = y1 - y``, ``y_end = -y1``, ``scale = 1 - gamma``. A product of non-negative factors,
    each accurate in relative terms, it keeps its accuracy for a stretch of any width, where
    ``gamma + (zeta - gamma) s`` cancels to ``eps max(-gamma, zeta)``. On the interior it lies
    in [0, 1]; the cap holds it there where rounding put a node outside.
    """
    d = np.maximum(d, 0)
    return np.minimum(scale * _kernels.sigmoid(y_end + d) * -np.expm1(-d), 1)
