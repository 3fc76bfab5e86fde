"""The categorical Gumbel-softmax relaxation: a point of the simplex from log-weights and noise.

Jang, Gu & Poole 2016, arXiv:1611.01144, Sec. 2, Eq. 2; the note's Eq. 3. For
log-weights ``log_alpha`` and independent standard Gumbels ``g``,

    x_k = exp((log_alpha_k + g_k) / tau) / sum_i exp((log_alpha_i + g_i) / tau).

The binary form, its samplers and the two-class route built on this one are in
:mod:`binary_gumbel.relaxed`, which also exports :func:`gumbel_softmax`.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_no_nan,
    check_tau,
    result_dtype,
)

__all__ = ["gumbel_softmax"]


def gumbel_softmax(log_alpha, tau, gumbels):
    """Gumbel-softmax sample (Jang, Gu & Poole 2016, Sec. 2, Eq. 2; the note's Eq. 3).

    ``x_k = exp((log_alpha_k + g_k) / tau) / sum_i exp((log_alpha_i + g_i) / tau)``,
    with the categories on the last axis.

    Parameters
    ----------
    log_alpha : array_like, shape (..., K)
        Log-weights, ``log alpha_k``, defined up to an additive constant. An
        entry ``-inf`` is a category of weight 0 and gets weight 0; ``+inf`` is
        refused. Each row needs at least one finite entry.
    tau : array_like
        Temperature, ``0 < tau < inf``; broadcasts against ``log_alpha.shape[:-1]``.
    gumbels : array_like, shape (..., K)
        Standard Gumbel noise ``g_k`` (see :func:`binary_gumbel.noise.gumbel_from_uniform`),
        broadcasting against ``log_alpha``. ``+inf`` noise takes all the mass
        (shared equally if several entries of a row are ``+inf``).

    Returns
    -------
    ndarray, the broadcast shape of ``log_alpha``, ``gumbels`` and ``tau[..., None]``
        A point of the probability simplex along the last axis; float32 when
        the floating inputs are float32, float64 otherwise. The maximum of
        ``log_alpha + g`` is subtracted before dividing by ``tau``, so huge
        logits over a tiny temperature give an exact one-hot vector, and a
        huge temperature spreads the mass equally over the categories of
        positive weight. A row where finite ``log_alpha_k`` and ``g_k`` have a
        sum beyond the largest float is summed halved, so that its sums keep
        their order (``log_alpha = [-1e308]`` with ``g = [-1e308]`` gives ``[1.]``).

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``log_alpha`` is a scalar, has an empty last axis, holds NaN or
        ``+inf``, or has a row of ``-inf`` only; if ``gumbels`` holds NaN or is
        ``-inf`` in every category of positive weight of a row; if ``tau`` is
        not in ``(0, inf)``; or if the shapes do not broadcast.
    """
    dtype = result_dtype(log_alpha=log_alpha, tau=tau, gumbels=gumbels)
    la = check_no_nan(as_float_array(log_alpha, "log_alpha", dtype), "log_alpha")
    g = check_no_nan(as_float_array(gumbels, "gumbels", dtype), "gumbels")
    tau = check_tau(tau, dtype)
    if la.ndim == 0 or la.shape[-1] == 0:
        raise ValueError(
            "log_alpha must have the categories on a last axis of length >= 1; "
            f"got shape {la.shape}"
        )
    if np.any(la == np.inf):
        raise ValueError(
            "log_alpha must not be +inf (use finite log-weights, or -inf for weight 0)"
        )
    if np.any(np.all(la == -np.inf, axis=-1)):
        raise ValueError("log_alpha must have at least one finite entry (positive weight) per row")
    la, g, tau = broadcast(log_alpha=la, gumbels=g, tau=tau[..., np.newaxis])
    with np.errstate(invalid="ignore", over="ignore"):
        # A row where a sum of finite terms overflowed is summed halved: finite and in order.
        # Halving is exact but for subnormal terms, which are negligible beside that sum.
        beyond = np.isinf(la + g) & np.isfinite(la) & np.isfinite(g)
        scale = np.where(np.any(beyond, axis=-1, keepdims=True), 0.5, 1.0).astype(la.dtype)
        y = np.where(la == -np.inf, -np.inf, la * scale + g * scale)
        m = y.max(axis=-1, keepdims=True)
        if not np.all(m > -np.inf):
            raise ValueError("gumbels must not be -inf in every category of positive weight")
        z = np.where(y == m, 0, (y - m) / tau / scale)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
