"""Hard concrete gates drawn, or computed from given uniforms: the reparameterisation.

:func:`hard_concrete_from_uniform` stretches and clips the binary Concrete sample of
given uniforms, a deterministic function of the logit; :func:`sample_hard_concrete` draws
the uniforms from a generator, the same stream as
:func:`binary_gumbel.sample_binary_gumbel_softmax`. The Monte Carlo checks of the
sampler are :mod:`binary_gumbel.verification.sampler_checks`.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_dtype,
    check_no_nan,
    check_stretch,
    check_tau,
    check_uniform,
    result_dtype,
    sample_shape,
)
from binary_gumbel.hard_concrete._parameters import GAMMA, ZETA, _params
from binary_gumbel.relaxed import binary_gumbel_softmax, sample_binary_gumbel_softmax

__all__ = ["hard_concrete_from_uniform", "sample_hard_concrete"]


def hard_concrete_from_uniform(logit, tau, u, gamma=GAMMA, zeta=ZETA):
    """The gate ``z = min(1, max(0, gamma + (zeta - gamma) s))`` from a uniform ``u``.

    ``s = sigmoid((logit + log u - log(1 - u)) / tau)`` is
    :func:`binary_gumbel.binary_gumbel_softmax`; with ``u ~ Uniform(0, 1)``, ``z``
    is a hard concrete sample (Louizos, Welling & Kingma 2018, Eq. 10). It is the
    reparameterisation: ``z`` is a deterministic, almost everywhere differentiable
    function of ``logit`` for fixed ``u``.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`.
    u : array_like
        Uniform variate(s), ``0 <= u <= 1``.

    Returns
    -------
    ndarray or scalar
        ``z`` in [0, 1], with the broadcast shape of the inputs.

    Raises
    ------
    TypeError, ValueError
        As in :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`, and if ``u`` is
        NaN or outside [0, 1].
    """
    dtype = result_dtype(logit=logit, tau=tau, u=u, gamma=gamma, zeta=zeta)
    u = check_uniform(u, dtype=dtype)
    u, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, u=u)
    s = binary_gumbel_softmax(logit, tau, u)
    return _kernels.stretch_and_clip(s, gamma, zeta).astype(dtype)[()]


def sample_hard_concrete(logit, tau, size=None, rng=None, gamma=GAMMA, zeta=ZETA, dtype=np.float64):
    """Draw hard concrete gates ``z = min(1, max(0, gamma + (zeta - gamma) s))``.

    ``s`` is a binary Concrete sample drawn by
    :func:`binary_gumbel.sample_binary_gumbel_softmax` (the same uniforms, the same
    ``rng`` stream); see :func:`hard_concrete_from_uniform` for the formula and
    Louizos, Welling & Kingma (2018), Sec. 4, for the gate.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`; they broadcast
        to ``size``.
    size : int or tuple of ints, optional
        Output shape. By default the broadcast shape of the parameters.
    rng : numpy.random.Generator, seed, or None
        Anything :func:`numpy.random.default_rng` accepts, except a boolean.
    dtype : float32 or float64
        The output dtype; the uniforms are drawn in this dtype.

    Returns
    -------
    ndarray or scalar
        Gates in [0, 1] of shape ``size``, with exact zeros (probability
        :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`) and exact ones
        (:func:`~binary_gumbel.hard_concrete.hard_concrete_prob_one`).

    Raises
    ------
    TypeError
        If an argument is not real numeric data, ``size`` is not None, an integer
        or a tuple of integers, ``dtype`` is not a dtype, or ``rng`` is not a
        Generator, a seed or None.
    ValueError
        As in :func:`~binary_gumbel.hard_concrete.hard_concrete_prob_zero`; also if
        ``dtype`` is not float32 or float64 or the parameters do not broadcast to ``size``.
    """
    dtype = check_dtype(dtype)
    logit = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    tau = check_tau(tau, dtype)
    gamma, zeta = check_stretch(gamma, zeta, dtype)
    shape = sample_shape(size, None, dtype, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    s = sample_binary_gumbel_softmax(logit, tau, shape, as_generator(rng), dtype)
    return _kernels.stretch_and_clip(np.asarray(s), gamma, zeta).astype(dtype)[()]
