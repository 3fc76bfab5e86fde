"""The REBAR estimator on the toy problem: its two parts ``(A, B)`` and ``g = A + eta B``.

Tucker et al. (2017), "REBAR", arXiv:1703.07370. On ``L(theta) = E[f(b)]``, ``f(b) = (b - t)^2``
(:mod:`binary_gumbel.estimators.gradients`), with the noise ``z``, ``b``, ``z~`` of
:mod:`binary_gumbel.estimators.toy_noise` and the Concrete relaxation
``f(s_l(z))``, ``s_l(z) = sigmoid(z / lambda)``, scaled by ``eta``::

    [f(b) - eta f(s_l(z~))] (b - p) + eta d/dtheta f(s_l(z)) - eta d/dtheta f(s_l(z~))

where the last derivative is taken at fixed ``v`` and ``b``. It is unbiased for every
``eta`` and ``lambda``: the control-variate terms have mean zero, because mixing the two
conditional laws of ``z~`` gives back the law of ``z``
(:func:`binary_gumbel.verification.rebar_unbiasedness.rebar_unbiasedness_exact` integrates
it exactly). This module computes the estimates; their variance is studied in
:mod:`binary_gumbel.estimators.rebar.variance` and :mod:`binary_gumbel.estimators.rebar.saving`.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation import broadcast, check_tau, finite_float64
from binary_gumbel.estimators import binary_rebar
from binary_gumbel.estimators.binary_rebar import RebarNoise
from binary_gumbel.estimators.gradients import toy_f_grad
from binary_gumbel.estimators.toy_noise import ToyNoise, toy_noise

__all__ = ["rebar", "rebar_parts", "rebar_parts_of"]


def rebar_parts_of(noise: ToyNoise, temperature):
    """``(A, B)`` of :func:`rebar_parts` from drawn noise, at a checked ``temperature``.

    :func:`binary_gumbel.estimators.binary_rebar.rebar_parts` with one latent and
    ``f = (x - t)^2``.
    """
    one_latent = RebarNoise(*(np.asarray(getattr(noise, f))[..., None] for f in RebarNoise._fields))
    lam = np.asarray(temperature)[..., None]
    a, b = binary_rebar.rebar_parts(toy_f_grad(noise.target), one_latent, lam)
    return a[..., 0], b[..., 0]


def rebar_parts(theta, target, u, v, temperature=0.5):
    """The two parts ``(A, B)`` of REBAR, ``g = A + eta B``, one pair per ``(u, v)``.

    ``A = f(b) (b - p)`` is plain REINFORCE, and ``B`` the Concrete control
    variate ``-f(s_l(z~)) (b - p) + d/dtheta f(s_l(z)) - d/dtheta f(s_l(z~))``,
    which has mean zero. The variance of ``A + eta B`` is smallest at
    ``eta* = -Cov(A, B) / Var(B)``.

    Raises ``ValueError`` naming ``theta``, ``target``, ``u``, ``v`` or
    ``temperature`` for NaN, a uniform outside [0, 1] or a non-positive temperature, and
    naming ``target`` where ``f(b) = (b - t)^2`` is beyond the largest double (``|t|``
    above about ``1.34e154``: :mod:`binary_gumbel.estimators.gradients` says why).
    """
    lam = check_tau(temperature, np.float64, "temperature")
    a, b_ = rebar_parts_of(toy_noise(theta, target, u, v), lam)
    a, b_ = broadcast(a=a, b=b_)
    return a[()], b_[()]


def rebar(theta, target, u, v, eta=1.0, temperature=0.5):
    """REBAR estimates of ``dL/dtheta``, one per pair of uniforms ``(u, v)``.

    ``eta`` scales the Concrete control variate ``f(sigmoid(z / temperature))``;
    ``eta = 0`` is plain REINFORCE. Unbiased for every ``eta`` and ``temperature``.
    """
    eta = finite_float64(eta, "eta")
    a, b = rebar_parts(theta, target, u, v, temperature)
    return (a + eta * b)[()]
