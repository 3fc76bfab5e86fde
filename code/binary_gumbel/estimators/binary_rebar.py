"""REBAR for K independent binary latents, with the conditional noise of each latent.

Tucker et al. (2017, "REBAR", arXiv:1703.07370) for ``E[f(b)]``,
``b_k ~ Bernoulli(sigmoid(logit_k))`` independent: with ``z = logit + l`` (``l`` the
Logistic noise of ``u``), ``b = 1[z > 0]``, ``z~`` a draw of ``z`` given ``b`` (each
coordinate from its own uniform ``v_k``, :mod:`binary_gumbel.conditional_noise`; the
coordinates are independent given ``b`` because they are independent under ``q``), and
the Concrete relaxation ``s(z) = sigmoid(z / lambda)`` taken coordinate-wise,

    g_k = [f(b) - eta f(s(z~))] (b_k - p_k)
          + eta df/dx_k(s(z)) s'(z_k) - eta df/dx_k(s(z~)) s'(z~_k) dz~_k/dlogit_k,

with ``s'(z) = s(z) (1 - s(z)) / lambda`` and ``dz~_k/dlogit_k`` at fixed ``v`` and ``b``
(:func:`binary_gumbel.conditional_noise.conditional_sample_derivative`). It is unbiased
for every ``eta`` and ``lambda``: mixing the conditional laws of ``z~`` over ``b`` gives
back the law of ``z``, so ``E[h(z)] = sum_b p(b) E_v[h(z~)]`` for ``h = f o s``, and
differentiating both sides in ``logit_k`` gives exactly the mean-zero control-variate
terms above (the one-latent proof of the REBAR and RELAX chapter, coordinate by
coordinate: ``z~_j`` for ``j != k`` does not depend on ``logit_k``).

Cost: one evaluation of ``f`` at ``b`` and two of ``f`` with its gradient, at ``s(z)``
and at ``s(z~)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    broadcast,
    check_tau,
    check_uniform,
    finite_float64,
)
from binary_gumbel.estimators.binary_estimators import hard_sample_unchecked

__all__ = ["RebarNoise", "rebar", "rebar_noise_unchecked", "rebar_parts"]


class RebarNoise(NamedTuple):
    """REBAR's noise, elementwise: ``z``, ``b``, ``p``, ``z~`` (``z_tilde``), ``dz~/dlogit``."""

    z: np.ndarray
    b: np.ndarray
    p: np.ndarray
    z_tilde: np.ndarray
    dz_tilde: np.ndarray


def rebar_noise_unchecked(logit, u, v) -> RebarNoise:
    """REBAR's noise from uniforms ``u`` and ``v`` on float64 arrays already checked.

    ``z = logit + log u - log(1 - u)``, ``b = 1[z > 0]``, ``p = sigmoid(logit)``, and ``z~``,
    a draw of ``z`` given ``b`` from ``v``, with ``dz~/dlogit`` at fixed ``v`` and ``b``
    (:mod:`binary_gumbel.conditional_noise` documents the law). ``z`` and ``b`` are
    :func:`binary_gumbel.estimators.binary_estimators.hard_sample_unchecked`'s, the ``b``
    the other estimators draw from ``u``. Elementwise, any shapes that broadcast.
    """
    z, b = hard_sample_unchecked(logit, _kernels.logistic(u))
    z_tilde, dz_tilde = _kernels.conditional_logistic(v, logit, b)
    return RebarNoise(z, b, _kernels.sigmoid(logit), z_tilde, dz_tilde)


def rebar_parts(f_grad, noise: RebarNoise, tau) -> tuple[np.ndarray, np.ndarray]:
    """REBAR's two parts ``(A, B)``, ``g = A + eta B``, from drawn noise of shape ``(..., K)``.

    ``A = f(b) (b - p)`` is REINFORCE and ``B`` the control variate, of mean zero,

        B_k = -f(s(z~)) (b_k - p_k)
              + df/dx_k(s(z)) s'(z_k) - df/dx_k(s(z~)) s'(z~_k) dz~_k/dlogit_k,

    with ``s(z) = sigmoid(z / tau)``, ``s'(z) = s(z) (1 - s(z)) / tau`` and ``f_grad`` as in
    :func:`rebar`; ``noise`` is :func:`rebar_noise_unchecked`'s, ``tau`` a checked temperature.
    The variance of ``A + eta B`` is smallest at ``eta* = -Cov(A, B) / Var(B)``.
    """
    s_z, ds_z = _kernels.concrete(noise.z, tau)
    s_zt, ds_zt = _kernels.concrete(noise.z_tilde, tau)
    f_b, _ = f_grad(noise.b)
    _, grad_z = f_grad(s_z)
    f_zt, grad_zt = f_grad(s_zt)
    score = noise.b - noise.p
    a = f_b[..., None] * score
    pathwise_zt = _conditional_pathwise(noise, grad_zt, ds_zt, tau)
    return a, -f_zt[..., None] * score + _kernels.times(grad_z, ds_z) - pathwise_zt


def _conditional_pathwise(noise: RebarNoise, grad, slope, tau) -> np.ndarray:
    """The term ``dz~/dlogit df/dx(s(z~)) s'(z~)`` of :func:`rebar_parts`, never overflowing.

    It is at most ``0.224 |df/dx|`` at every temperature: ``s'(z~) = k(q) / tau`` with
    ``q = z~ / tau`` and ``k(q) = sigmoid(q) sigmoid(-q)``, and ``dz~/dlogit <= |z~|`` (for
    ``b = 1``, ``sigmoid(a1) <= softplus(a1) <= z~``; for ``b = 0``,
    ``sigmoid(-a0) <= softplus(-a0) <= -z~``), so the term is at most
    ``|df/dx| max_q |q| k(q)``, and that maximum is 0.2239. Its product in the order
    written overflows where ``tau`` is so small that ``df/dx s'(z~)`` is beyond the largest
    double (``s'(0) = 1 / (4 tau)`` is, below ``tau = 1.4e-309``) though ``dz~/dlogit`` makes
    it small again; there it is computed in logarithms,
    ``log dz~ + log |df/dx| + log k(q) - log tau`` (to about ``1e-13`` relative), so that
    REBAR's estimate is its ``s(z)`` term, ``±inf`` where that is beyond the doubles, and
    not ``inf - inf``.
    """
    inner = _kernels.times(grad, slope)
    term = _kernels.times(noise.dz_tilde, inner)
    small_again = np.isinf(inner) & np.isfinite(grad) & (noise.dz_tilde > 0)
    if np.any(small_again):
        dz, g, z, lam = (
            np.broadcast_to(x, term.shape)[small_again]
            for x in (noise.dz_tilde, grad, noise.z_tilde, tau)
        )
        log_size = np.log(dz) + np.log(np.abs(g)) + _kernels.logistic_logpdf(z / lam)
        with np.errstate(over="ignore"):  # only at |df/dx| near the largest double: inf
            term[small_again] = np.sign(g) * np.exp(log_size - np.log(lam))
    return term


def rebar(f_grad, logit, tau, u, eta=1.0):
    """REBAR estimates ``A + eta B`` (:func:`rebar_parts`) of ``d/dlogit E[f(b)]``, ``(..., K)``.

    ``f_grad(x)`` returns ``(f(x), df/dx)`` for ``x`` of shape ``(..., K)`` in
    ``[0, 1]^K`` (binary ``x`` included); ``logit`` is finite (``ValueError`` naming it
    otherwise, as for NaN); ``tau`` is the Concrete temperature
    ``lambda``; ``u`` has shape ``(2, ..., K)``: ``u[0]`` gives ``z`` and ``b``,
    ``u[1]`` the ``v`` of ``z~``. ``eta`` scales the control variate (0: REINFORCE).
    ``logit``, ``tau`` and ``eta`` broadcast against ``u[0]`` (``ValueError`` naming the
    shapes otherwise), as ``tau`` does in
    :func:`binary_gumbel.estimators.binary_estimators.gumbel_softmax`.
    """
    logit = finite_float64(logit, "logit")
    u = check_uniform(u, dtype=np.float64)
    if u.ndim < 2 or u.shape[0] != 2:
        raise ValueError(f"u must have shape (2, ..., K), (u, v) stacked; got shape {u.shape}")
    lam = check_tau(tau, np.float64)
    eta = finite_float64(eta, "eta")
    logit, _, lam, eta = broadcast(**{"logit": logit, "u[0]": u[0], "tau": lam, "eta": eta})
    a, b = rebar_parts(f_grad, rebar_noise_unchecked(logit, u[0], u[1]), lam)
    return a + eta * b
