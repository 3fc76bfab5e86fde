"""REBAR's limits: its best ``eta`` as the temperature grows, and the best constant baseline.

As ``lambda -> infinity`` REBAR tends to REINFORCE with a constant baseline
(:func:`limit_eta`); the variance-optimal constant baseline of REINFORCE on the toy problem
is :func:`optimal_baseline`, with which every estimate is the exact gradient.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import broadcast_finite

__all__ = ["limit_eta", "optimal_baseline"]


def limit_eta(theta, target):
    """The variance-optimal ``eta`` of REBAR in the limit ``lambda -> infinity``.

    ``sigmoid(z / lambda) = 1/2 + z / (4 lambda) + O(lambda^-3)``, so
    ``eta f(sigmoid(z / lambda)) -> eta (1/2 - t)^2``, a constant, and the two
    reparameterised terms vanish like ``eta / lambda``: REBAR tends to REINFORCE
    with the constant baseline ``eta (1/2 - t)^2``. The best constant is
    :func:`optimal_baseline` ``c*``, so ``eta* -> c* / (1/2 - t)^2`` (infinite at
    ``t = 1/2``, where the limit baseline is 0 for every ``eta``). Where ``c*`` or
    ``(1/2 - t)^2`` is beyond the doubles (``|t|`` from about ``1e154``), each term of
    ``c*`` is divided by ``1/2 - t`` before it is squared (``eta* -> 1`` as ``|t| -> inf``).
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    p = _kernels.sigmoid(theta)
    half = 0.5 - target
    with np.errstate(over="ignore"):
        c0 = half**2
    c = _squares_weighted_by(p, 1 - target, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.divide(c, c0)
    beyond = np.isinf(c) | np.isinf(c0)  # |t| near 1e154 or more: each part divided first
    if np.any(beyond):
        with np.errstate(divide="ignore", invalid="ignore"):  # t = 1/2 is not beyond
            scaled = _squares_weighted_by(p, (1 - target) / half, target / half)
        eta = np.where(beyond, scaled, eta)
    return eta[()]


def optimal_baseline(theta, target):
    """The variance-optimal constant baseline of REINFORCE: ``(1 - t)^2 (1 - p) + t^2 p``.

    It minimises ``E[(f(b) - c)^2 (b - p)^2]``; with it every estimate equals the
    exact gradient, so its variance is 0 (a fact of a single binary variable). Beyond the
    doubles (``|t|`` from about ``1e154``) it is ``inf``, without a warning.
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    return _squares_weighted_by(_kernels.sigmoid(theta), 1 - target, target)[()]


def _squares_weighted_by(p, a, b):
    """``a^2 (1 - p) + b^2 p``: ``c*`` with ``a = 1 - t``, ``b = t``.

    A square beyond the doubles is ``inf`` (no warning); its weight when rounded to an exact
    0 (``p`` at 0 or 1) gives a term of 0, not ``inf * 0 = NaN``: the other term, whose weight
    is then 1, is the larger (both squares exceed ``t^2 / 4`` for large ``|t|``).
    """
    with np.errstate(over="ignore"):
        return _kernels.times(1 - p, a**2) + _kernels.times(p, b**2)
