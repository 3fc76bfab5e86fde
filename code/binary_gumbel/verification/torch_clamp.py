"""A NumPy emulation of ``torch.distributions.RelaxedBernoulli``'s float32 route on the CPU.

torch is not a dependency of the book; this module reproduces, operation by
operation and in float32, what its sampler computes, so that the numerics
chapter can state what the clamp does without running torch.

The route (pytorch/pytorch, ``torch/distributions/relaxed_bernoulli.py``,
``LogitRelaxedBernoulli.rsample``, and ``torch/distributions/utils.py``,
``clamp_probs``)::

    probs = clamp_probs(p)                    # to [eps, 1 - eps], eps = finfo(float32).eps
    u = clamp_probs(torch.rand(shape))        # the same clamp on the uniforms
    s = u.log() - (-u).log1p() + probs.log() - (-probs).log1p()   # left to right
    x = sigmoid(s / temperature)              # RelaxedBernoulli's SigmoidTransform

``eps = 2**-23`` in float32. ``torch.rand`` in float32 on the CPU returns ``k * 2**-24`` for
``k = 0 .. 2**24 - 1``: ``uniform_real`` keeps the 24 low bits of a 32-bit draw
and multiplies by ``2**-24`` (``aten/src/ATen/core/TransformationHelper.h``;
``aten/src/ATen/core/DistributionsHelper.h``, ``uniform_real_distribution``).
Correctly rounded float32 ``log``, ``log1p`` and ``exp`` stand in for torch's (:func:`_float32`:
each is evaluated in float64 and rounded to float32), so that the results do not depend on
the processor: NumPy's own float32 routines are not correctly rounded, and NumPy dispatches
them to different SIMD code on different processors.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from binary_gumbel._validation import check_integer, check_probability, check_tau, single_number

__all__ = [
    "FLOAT32_UNIFORMS",
    "clamp_probs",
    "float32_uniforms",
    "log_eps_tie_distance",
    "noise_bound",
    "positive_logit_probability",
    "relaxed_logit",
    "relaxed_sample",
]

#: How many float32 values ``torch.rand`` can return on the CPU: ``k * 2**-24``, ``k < 2**24``.
FLOAT32_UNIFORMS = 2**24

_CHUNK = 1 << 20


def _float32(function, x) -> np.ndarray:
    """``function`` (a NumPy ufunc) at the float32 ``x``, evaluated in float64 and rounded to
    float32: the correctly rounded float32 value, except where the true value lies within
    float64's error (a few float64 ulps, each ``2**-29`` of a float32 ulp) of a rounding
    midpoint."""
    return function(np.asarray(x, dtype=np.float64)).astype(np.float32)


def clamp_probs(p, name: str = "p") -> np.ndarray:
    """torch's ``clamp_probs`` in float32: ``p`` clipped to ``[eps, 1 - eps]``, ``eps = 2**-23``."""
    p = check_probability(p, name, np.float32)
    eps = np.finfo(np.float32).eps
    return np.clip(p, eps, np.float32(1) - eps)


def float32_uniforms(start: int = 0, stop: int = FLOAT32_UNIFORMS) -> np.ndarray:
    """The float32 values ``k * 2**-24``, ``start <= k < stop``, as ``torch.rand`` draws them on
    the CPU. ``start`` and ``stop`` are integers (``TypeError`` naming them otherwise): a
    fractional ``k`` is not on torch's grid."""
    start, stop = check_integer(start, "start", 0), check_integer(stop, "stop", 0)
    if not 0 <= start <= stop <= FLOAT32_UNIFORMS:
        raise ValueError(
            f"start and stop must satisfy 0 <= start <= stop <= 2**24; got {start}, {stop}"
        )
    return np.arange(start, stop, dtype=np.float32) * np.float32(2.0**-24)


def _logistic(u) -> np.ndarray:
    """The route's noise ``log u - log1p(-u)`` in float32, each term correctly rounded."""
    return _float32(np.log, u) - _float32(np.log1p, -u)


def noise_bound() -> np.float32:
    """The largest clamped noise, ``log u - log1p(-u)`` at ``u = 1 - eps``, as the emulated
    route computes it in float32: each term correctly rounded (:func:`_float32`), then their
    difference rounded. In exact arithmetic it is ``log(1 - eps) - log(eps)``, about 15.94."""
    return _logistic(np.float32(1) - np.finfo(np.float32).eps)


def log_eps_tie_distance() -> float:
    """How far ``log(eps) = -23 log 2`` lies from the nearest midpoint between two adjacent
    float32 numbers, in float32 spacings there: a number in ``[0, 1/2]``.

    The route computes ``log(eps)`` twice, with two routines: ``probs.log()`` at
    ``p = eps`` and ``(-u).log1p()`` at ``u = 1 - eps``, whose argument ``-(1 - eps)`` gives
    ``1 + (-(1 - eps)) = eps`` exactly. A routine whose error there is below ``1/2 + distance``
    spacings returns the correctly rounded float32, as the emulation's do; two such routines
    agree, and the two terms cancel in :func:`relaxed_logit`. Evaluated with mpmath at 50
    significant digits.
    """
    with mpmath.workdps(50):
        magnitude = 23 * mpmath.log(2)
        spacing = float(np.spacing(np.float32(magnitude)))
        units = magnitude / spacing
        return float(abs(units - mpmath.floor(units) - mpmath.mpf(1) / 2))


def relaxed_logit(p, u) -> np.ndarray:
    """``s = log u - log1p(-u) + log p - log1p(-p)`` after both clamps, in float32, left to right.

    ``s`` is ``LogitRelaxedBernoulli.rsample`` times the temperature; the relaxed sample
    is ``sigmoid(s / temperature)``, so in exact arithmetic ``x > 1/2`` exactly when ``s > 0``.
    """
    probs = clamp_probs(p)
    u = clamp_probs(u, "u")
    return (_logistic(u) + _float32(np.log, probs)) - _float32(np.log1p, -probs)


def relaxed_sample(p, temperature, u) -> np.ndarray:
    """``x = sigmoid(s / temperature)`` in float32, clamped to ``[tiny, 1 - eps]`` as torch's
    ``SigmoidTransform`` does (``torch/distributions/transforms.py``, ``_clipped_sigmoid``).

    The sigmoid is ``1 / (1 + exp(-y))`` in float32, with the correctly rounded ``exp``
    (:func:`_float32`); torch's own kernel may round differently in the last bit.

    ``temperature`` is one number, a positive finite float32 once cast as torch casts it:
    ``ValueError`` naming it, with the value given, for one that is not (``1e-50`` rounds to
    0, ``1e300`` overflows); ``TypeError`` for what is not a real number.
    """
    temperature = np.float32(
        single_number(check_tau(temperature, np.float32, "temperature"), "temperature")
    )
    finfo = np.finfo(np.float32)
    with np.errstate(over="ignore"):
        x = np.float32(1) / (np.float32(1) + _float32(np.exp, -(relaxed_logit(p, u) / temperature)))
    return np.clip(x, finfo.tiny, np.float32(1) - finfo.eps)


def positive_logit_probability(p) -> Fraction:
    """``P(s > 0)`` over the ``2**24`` equally likely float32 uniforms of ``torch.rand`` (CPU).

    Every uniform is enumerated, so the probability is exact for the emulated route:
    a fraction ``count / 2**24``. Without rounding, it would be 0 whenever ``p`` is at or
    below the clamp (the two clamped noise bounds cancel). ``p`` is one probability
    (``ValueError`` naming it, with its shape, for an array of more).
    """
    p = np.float32(single_number(clamp_probs(p), "p"))
    count = 0
    for start in range(0, FLOAT32_UNIFORMS, _CHUNK):
        s = relaxed_logit(p, float32_uniforms(start, start + _CHUNK))
        count += int(np.count_nonzero(s > 0))
    return Fraction(count, FLOAT32_UNIFORMS)
