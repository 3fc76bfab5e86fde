"""The noise REBAR and RELAX draw on the toy problem: two uniforms give ``z``, ``b`` and ``z~``.

On the toy ``L(theta) = E[(b - t)^2]``, ``b ~ Bernoulli(sigmoid(theta))``
(:mod:`binary_gumbel.estimators.gradients`), one estimate takes a pair of uniforms
``(u, v)``: ``u`` gives the Logistic sample ``z = theta + log u - log(1 - u)`` and
``b = 1[z > 0]``, and ``v`` gives ``z~``, a sample of ``z`` given ``b``, with its derivative
``dz~/dtheta`` at fixed ``v`` and ``b`` (:mod:`binary_gumbel.conditional_noise`): the
noise of :func:`binary_gumbel.estimators.binary_rebar.rebar_noise_unchecked`, with ``theta``
and ``target`` kept alongside.
``p = sigmoid(theta)``, so that ``d log P(b) / d theta = b - p``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from binary_gumbel._validation import broadcast, check_uniform, finite_float64
from binary_gumbel.estimators.binary_rebar import rebar_noise_unchecked

__all__ = ["ToyNoise", "toy_noise", "toy_noise_unchecked"]


class ToyNoise(NamedTuple):
    """One draw per pair ``(u, v)``, broadcast: ``theta``, ``target``, ``z``, ``b``, ``p``,
    ``z~`` (``z_tilde``) and ``dz~/dtheta`` (``dz_tilde``)."""

    theta: np.ndarray
    target: np.ndarray
    z: np.ndarray
    b: np.ndarray
    p: np.ndarray
    z_tilde: np.ndarray
    dz_tilde: np.ndarray


def toy_noise(theta, target, u, v) -> ToyNoise:
    """Check and broadcast ``theta``, ``target``, ``u`` and ``v``, and draw the noise.

    ``ValueError`` naming the argument for a non-finite ``theta`` or ``target`` and for a
    uniform outside [0, 1] (or NaN).
    """
    theta, target = finite_float64(theta, "theta"), finite_float64(target, "target")
    u, v = check_uniform(u, "u", np.float64), check_uniform(v, "v", np.float64)
    theta, target, u, v = broadcast(theta=theta, target=target, u=u, v=v)
    return toy_noise_unchecked(theta, target, u, v)


def toy_noise_unchecked(theta, target, u, v) -> ToyNoise:
    """:func:`toy_noise` on float64 arrays already checked (a training loop checks once)."""
    return ToyNoise(theta, target, *rebar_noise_unchecked(theta, u, v))
