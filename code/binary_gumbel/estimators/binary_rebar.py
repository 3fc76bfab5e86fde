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

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    check_no_nan,
    check_tau,
    check_uniform,
    finite_float64,
)
from binary_gumbel.conditional_noise import (
    conditional_logistic_sample,
    conditional_sample_derivative,
)
from binary_gumbel.noise import logistic_from_uniform, sigmoid

__all__ = ["rebar"]


def _concrete(z: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """``s = sigmoid(z / lambda)`` and ``ds/dz = s (1 - s) / lambda``."""
    s = sigmoid(z / lam)
    return s, s * sigmoid(-z / lam) / lam


def rebar(f_grad, logit, tau, u, eta=1.0):
    """REBAR estimates of ``d/dlogit E[f(b)]``, shape ``(..., K)``.

    ``f_grad(x)`` returns ``(f(x), df/dx)`` for ``x`` of shape ``(..., K)`` in
    ``[0, 1]^K`` (binary ``x`` included); ``tau`` is the Concrete temperature
    ``lambda``; ``u`` has shape ``(2, ..., K)``: ``u[0]`` gives ``z`` and ``b``,
    ``u[1]`` the ``v`` of ``z~``. ``eta`` scales the control variate (0: REINFORCE).
    """
    logit = check_no_nan(as_float_array(logit, "logit", np.float64), "logit")
    u = check_uniform(u, dtype=np.float64)
    if u.ndim < 2 or u.shape[0] != 2:
        raise ValueError(f"u must have shape (2, ..., K), (u, v) stacked; got shape {u.shape}")
    lam = float(check_tau(tau, np.float64))
    eta = float(finite_float64(eta, "eta"))
    logit = np.broadcast_to(logit, u.shape[1:])
    z = logit + logistic_from_uniform(u[0])
    b = (z > 0).astype(np.float64)
    zt = conditional_logistic_sample(u[1], logit, b)
    dzt = conditional_sample_derivative(u[1], logit, b)
    s_z, ds_z = _concrete(z, lam)
    s_zt, ds_zt = _concrete(zt, lam)
    f_b, _ = f_grad(b)
    _, grad_z = f_grad(s_z)
    f_zt, grad_zt = f_grad(s_zt)
    score = b - sigmoid(logit)
    return (f_b - eta * f_zt)[..., None] * score + eta * (grad_z * ds_z - grad_zt * ds_zt * dzt)
