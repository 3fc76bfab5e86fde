"""The binary Gumbel-softmax relaxation (the binary Concrete), its samplers and the two-class route.

The categorical form (Jang, Gu & Poole 2016, arXiv:1611.01144, Sec. 2, Eq. 2; the note's
Eq. 3) is :func:`gumbel_softmax`, defined in :mod:`binary_gumbel.categorical` and exported
here too; the two-class route :func:`sample_two_class_gumbel_softmax` samples through it.

Binary (the binary Concrete of Maddison, Mnih & Teh 2016, arXiv:1611.00712,
App. B, "BinConcrete", Eq. 16 and Definition 2). With two categories only the difference of the
log-weights, ``logit = log alpha_1 - log alpha_2``, and the difference of the
two Gumbels matter; that difference is a standard Logistic ``log u - log(1 - u)``
with ``u ~ Uniform(0, 1)``, so the first coordinate is

    x = sigmoid((logit + log u - log(1 - u)) / tau).

For ``alpha = [p, 1 - p]`` the logit is ``log p - log(1 - p)``, and
``P(x > 1/2) = sigmoid(logit) = p`` at every temperature.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    check_dtype,
    check_flag,
    check_no_nan,
    check_nonnegative,
    check_probability,
    check_tau,
    check_uniform,
    result_dtype,
    sample_shape,
)
from binary_gumbel.categorical import gumbel_softmax
from binary_gumbel.noise import gumbel_from_uniform, log_sigmoid

__all__ = [
    "binary_gumbel_softmax",
    "gumbel_softmax",
    "logit_from_probability",
    "logit_from_unnormalized",
    "sample_binary_gumbel_softmax",
    "sample_two_class_gumbel_softmax",
]

# Elements per block in the sampler: the block and its scratch buffer stay in
# the L2 cache, and the scratch memory stays small.
_BLOCK = 1 << 15


def logit_from_probability(p):
    """The logit ``log p - log(1 - p)`` of a probability ``p``: the note's ``alpha = [p, 1 - p]``.

    With this logit, ``P(x > 1/2) = sigmoid(logit) = p`` for the binary sample
    at every temperature (Maddison, Mnih & Teh 2016, App. B).

    Parameters
    ----------
    p : array_like
        Probability, ``0 <= p <= 1``.

    Returns
    -------
    ndarray or scalar
        ``log p - log1p(-p)``, in the dtype of ``p`` (float32 stays float32).
        ``p = 0`` gives ``-inf`` and ``p = 1`` gives ``+inf``; ``log1p`` keeps
        full precision for ``p`` near 1.

    Raises
    ------
    TypeError
        If ``p`` is not real numeric data.
    ValueError
        If ``p`` is NaN or outside [0, 1].
    """
    p = check_probability(p)
    return _kernels.logistic(p)[()]


def logit_from_unnormalized(alpha1, alpha2):
    """The logit ``log alpha1 - log alpha2`` of unnormalised weights (Eq. 2, corrected).

    The note's Eq. (2) writes ``log(alpha1 / (alpha1 + alpha2))``, a log-probability, in
    this place; the errata chapter shows that the logit is what gives
    ``P(x -> 1) = alpha1 / (alpha1 + alpha2)``.

    It equals ``logit_from_probability(alpha1 / (alpha1 + alpha2))`` and does
    not change when both weights are scaled by the same positive factor
    (Maddison, Mnih & Teh 2016, App. B, Definition 2: BinConcrete has location
    ``alpha = alpha1 / alpha2``).

    Parameters
    ----------
    alpha1, alpha2 : array_like
        Non-negative weights, ``0 <= alpha <= inf``; they broadcast together.

    Returns
    -------
    ndarray or scalar
        ``log alpha1 - log alpha2``, in float32 when the floating inputs are
        float32. A zero ``alpha1`` or an infinite ``alpha2`` gives ``-inf``; a
        zero ``alpha2`` or an infinite ``alpha1`` gives ``+inf``.

    Raises
    ------
    TypeError
        If a weight is not real numeric data.
    ValueError
        If a weight is negative or NaN, if the shapes do not broadcast, or if
        both weights of an element are zero, or both infinite (the logit is
        undefined).
    """
    dtype = result_dtype(alpha1=alpha1, alpha2=alpha2)
    a1 = check_nonnegative(alpha1, "alpha1", dtype)
    a2 = check_nonnegative(alpha2, "alpha2", dtype)
    a1, a2 = broadcast(alpha1=a1, alpha2=a2)
    if np.any((a1 == 0) & (a2 == 0)):
        raise ValueError("alpha1 and alpha2 must not both be zero (the logit is undefined)")
    if np.any(np.isinf(a1) & np.isinf(a2)):
        raise ValueError("alpha1 and alpha2 must not both be infinite (the logit is undefined)")
    with np.errstate(divide="ignore"):
        return (np.log(a1) - np.log(a2))[()]


def _check_logit(logit, dtype) -> np.ndarray:
    return check_no_nan(as_float_array(logit, "logit", dtype), "logit")


class _Relaxer:
    """``x = sigmoid((logit + log u - log(1 - u)) / tau)`` for fixed, validated parameters.

    Fast form, evaluated in place in one scratch buffer:

        x = 1 / (1 + t),   t = exp((log((1 - u) / u) - logit) / tau).

    This is ``sigmoid`` rewritten with ``e**(-z / tau) = ((1 - u) / u)**(1 / tau)
    * e**(-logit / tau)``: one ``log`` and one ``exp`` per sample, no branch.
    (A single ``pow`` would also do, but NumPy's float64 ``pow`` costs more
    than ``log`` and ``exp`` together.) The only rounding errors that ``1 / tau``
    amplifies are those of ``logit + log u - log(1 - u)`` itself: ``1 - u`` and
    the quotient are within one rounding of exact, and ``log`` of a quotient
    near 1 is accurate.

    ``u = 1`` gives ``t = 0`` and ``x = 1``. Where ``t`` overflows (``u = 0``,
    a subnormal ``u``, a result below the normal range) or the logit is
    infinite, the element is recomputed by the direct form :meth:`direct`,
    which returns the correctly scaled subnormal result.
    """

    def __init__(self, logit: np.ndarray, tau: np.ndarray):
        self.logit, self.tau = logit, tau
        self.infinite_logit = np.isinf(logit)
        with np.errstate(over="ignore"):
            self.inv_tau = 1 / tau

    @staticmethod
    def direct(logit, tau, u):
        """``sigmoid((logit + log u - log1p(-u)) / tau)``, with the limits at u in {0, 1}.

        An infinite logit wins over an infinite noise value: ``logit = +inf``
        gives 1 and ``logit = -inf`` gives 0 for every ``u``, including 0 and 1.
        """
        with np.errstate(over="ignore"):
            return _kernels.sigmoid(_kernels.noisy_logit(logit, _kernels.logistic(u)) / tau)

    def __call__(self, u: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        """Write the relaxed sample for ``u`` into ``out`` (which may be ``u`` itself).

        ``out`` and ``scratch`` have the broadcast shape of ``u`` and the parameters.
        """
        t = scratch
        with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
            np.subtract(1, u, out=t)
            np.divide(t, u, out=t)
            np.log(t, out=t)
            np.subtract(t, self.logit, out=t)
            np.multiply(t, self.inv_tau, out=t)
            np.exp(t, out=t)
        # One reduction decides; in the common case no element needs the direct form.
        redo = None
        if not t.max(initial=0) < np.inf or self.infinite_logit.any():
            redo = ~(t < np.inf) | self.infinite_logit
            args = (np.broadcast_to(a, t.shape)[redo] for a in (self.logit, self.tau, u))
            fixed = self.direct(*args)
        np.add(t, 1, out=t)
        np.reciprocal(t, out=out)
        if redo is not None:
            out[redo] = fixed

    def hard(self, u: np.ndarray, out: np.ndarray) -> None:
        """Write the hard sample ``b = 1[logit + log u - log(1 - u) > 0]`` for ``u`` into ``out``.

        ``b = 1[x > 1/2]`` for the relaxed sample ``x`` of the same ``u``, decided by the sign
        of its logit-space argument, which does not depend on ``tau``: ``x`` itself rounds
        to 1/2 at a huge temperature. ``logit = +inf`` gives 1 for every ``u``, including 0,
        and ``logit = -inf`` gives 0. ``out`` may be ``u`` itself.
        """
        out[...] = _kernels.noisy_logit(self.logit, _kernels.logistic(u)) > 0


def binary_gumbel_softmax(logit, tau, u):
    """Binary Gumbel-softmax sample ``x = sigmoid((logit + log(u / (1 - u))) / tau)``.

    This is the first coordinate of the two-class :func:`gumbel_softmax` with
    ``logit = log alpha_1 - log alpha_2``, after replacing the difference of the
    two Gumbels by the Logistic ``log(u / (1 - u))`` (Maddison, Mnih & Teh
    2016, BinConcrete; Jang, Gu & Poole 2016).

    Parameters
    ----------
    logit : array_like
        ``log alpha_1 - log alpha_2``, e.g. :func:`logit_from_probability`.
        ``+-inf`` is allowed (the sample is then 1 or 0); NaN is refused.
    tau : array_like
        Temperature, ``0 < tau < inf``.
    u : array_like
        Uniform variate in [0, 1]. At the ends the result is its limit in
        ``u`` at fixed parameters: 0 at ``u = 0`` and 1 at ``u = 1`` for a
        finite logit; an infinite logit gives its own constant value everywhere.

    Returns
    -------
    ndarray or scalar
        ``x`` in [0, 1], with the broadcast shape of the inputs (a scalar for
        scalar input); float32 when the floating inputs are float32, float64
        otherwise. A tiny temperature gives the hard sample, 0 or 1 (1/2 where
        ``logit + log u - log(1 - u) = 0``); a huge temperature gives 1/2.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, ``u`` is not in
        [0, 1], or the shapes do not broadcast.

    Notes
    -----
    Accuracy: the error is that of rounding ``logit + log u - log(1 - u)`` and
    dividing by ``tau``, plus a few units in the last place of ``x``; tiny
    results come out as the correct subnormal number.
    """
    dtype = result_dtype(logit=logit, tau=tau, u=u)
    logit = _check_logit(logit, dtype)
    tau = check_tau(tau, dtype)
    u = check_uniform(u, dtype=dtype)
    logit, tau, u = broadcast(logit=logit, tau=tau, u=u)
    out = np.empty(u.shape, dtype)
    _Relaxer(logit, tau)(u, out, np.empty_like(out))
    return out[()]


def sample_binary_gumbel_softmax(
    logit, tau, size=None, rng=None, dtype=np.float64, hard=False, out=None
):
    """Draw binary Gumbel-softmax (binary Concrete) samples.

    ``x = sigmoid((logit + log(u / (1 - u))) / tau)`` with ``u ~ Uniform[0, 1)``
    drawn by ``rng.random``; see :func:`binary_gumbel_softmax` for the formula,
    its accuracy and its references.

    Parameters
    ----------
    logit, tau : array_like
        As in :func:`binary_gumbel_softmax`; they broadcast to ``size``.
    size : int or tuple of ints, optional
        Output shape. By default the broadcast shape of ``logit`` and ``tau``.
    rng : numpy.random.Generator, seed, or None
        Anything :func:`numpy.random.default_rng` accepts.
    dtype : float32 or float64
        The output dtype; the uniforms are drawn in this dtype.
    hard : bool
        If True, return the forward value of the straight-through estimator,
        ``1.0`` where ``x > 1/2`` and ``0.0`` elsewhere: a Bernoulli(sigmoid(logit))
        sample, computed from the same uniforms as the relaxed sample. It is
        decided by the sign of ``logit + log(u / (1 - u))``, so it is the same at
        every temperature, also where ``x`` itself rounds to 1/2.
    out : ndarray, optional
        C-contiguous array of dtype ``dtype`` to fill, as in
        :meth:`numpy.random.Generator.random`.

    Returns
    -------
    ndarray or scalar
        Samples in [0, 1] of shape ``size`` (``out`` itself when given; a
        scalar when ``size`` is None and the parameters are scalars). An
        infinite logit gives the constant sample 1 (``+inf``) or 0 (``-inf``).

    Raises
    ------
    TypeError
        If ``logit`` or ``tau`` is not real numeric data, ``size`` is not None,
        an integer or a tuple of integers, ``dtype`` is not a dtype, ``hard``
        is not a boolean, or ``out`` is not an ndarray.
    ValueError
        If ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, ``dtype`` is not
        float32 or float64, the parameters do not broadcast to ``size``, or
        ``out`` does not match ``size``/``dtype`` or is not C-contiguous and
        writeable.

    Notes
    -----
    With scalar ``logit`` and ``tau`` the samples are computed in cache-sized
    blocks, in place: one ``log`` and one ``exp`` per sample, and extra memory
    of one block beyond the output.
    """
    dtype = check_dtype(dtype)
    hard = check_flag(hard, "hard")
    logit = _check_logit(logit, dtype)
    tau = check_tau(tau, dtype)
    shape = sample_shape(size, out, dtype, logit=logit, tau=tau)
    rng = as_generator(rng)
    result = np.empty(shape, dtype) if out is None else out
    flat = result.reshape(-1)
    if logit.size == 1 and tau.size == 1:
        relax = _Relaxer(logit.reshape(()), tau.reshape(()))
        scratch = np.empty(min(_BLOCK, flat.size), dtype)
        for start in range(0, flat.size, _BLOCK):
            block = flat[start : start + _BLOCK]
            rng.random(out=block, dtype=dtype)
            if hard:
                relax.hard(block, block)
            else:
                relax(block, block, scratch[: block.size])
    else:
        rng.random(out=result, dtype=dtype)
        logit, tau = broadcast(logit=logit, tau=tau, out=result)[:2]
        relax = _Relaxer(logit, tau)
        if hard:
            relax.hard(result, result)
        else:
            relax(result, result, np.empty_like(result))
    return result[()] if out is None else out


def sample_two_class_gumbel_softmax(logit, tau, size=None, rng=None, dtype=np.float64):
    """The two-class route that :func:`sample_binary_gumbel_softmax` replaces.

    Draws two independent standard Gumbels per sample and returns the first
    coordinate of the 2-way :func:`gumbel_softmax` with
    ``log_alpha = [log p, log(1 - p)]``, ``p = sigmoid(logit)`` (the note's
    starting point). It has the same distribution as the binary form and
    serves as its reference, in the tests and in the benchmark.
    """
    dtype = check_dtype(dtype)
    logit = _check_logit(logit, dtype)
    tau = check_tau(tau, dtype)
    shape = sample_shape(size, None, dtype, logit=logit, tau=tau)
    rng = as_generator(rng)
    gumbels = gumbel_from_uniform(rng.random((*shape, 2), dtype=dtype))
    log_alpha = np.stack([log_sigmoid(logit), log_sigmoid(-logit)], axis=-1)
    return gumbel_softmax(log_alpha, tau, gumbels)[..., 0]
