"""Logistic noise conditioned on the discrete outcome it produces (REBAR's ``z~``).

With ``p = sigmoid(logit)``, the logit-space sample ``z = logit + log(u / (1 - u))``,
``u ~ Uniform(0, 1)``, is Logistic(logit, 1), and ``b = H(z) = 1[z > 0]`` is
Bernoulli(p). REBAR (Tucker et al. 2017, arXiv:1703.07370, Appendix) and RELAX
(Grathwohl et al. 2018, arXiv:1711.00123) need a second sample ``z~`` with the
law of ``z`` *given* ``b``, drawn from a second uniform ``v`` by inverting the
conditional CDF:

- ``b = 1`` (``z > 0``): ``F_1(s) = (sigmoid(s - logit) - sigmoid(-logit)) / p``
  for ``s >= 0``, and ``z~ = log(1 + v e^logit) - log(1 - v)``;
- ``b = 0`` (``z <= 0``): ``F_0(s) = sigmoid(s - logit) / (1 - p)`` for
  ``s <= 0``, and ``z~ = log v - log(1 + (1 - v) e^-logit)``.

In the paper's notation ``z~ = logit + log(w / (1 - w))`` with
``w = (1 - p) + v p`` for ``b = 1`` and ``w = v (1 - p)`` for ``b = 0``; the forms
above are the same numbers with the cancellation in ``w`` removed, and
:func:`binary_gumbel.verification.conditional_noise_derivation.conditional_noise_derivation`
derives them in SymPy. Mixing the two
conditional laws with weights ``p`` and ``1 - p`` gives back the Logistic.

The derivative that REBAR differentiates through, with ``b`` held fixed, is

- ``d z~ / d logit = sigmoid(logit + log v)`` for ``b = 1``,
- ``d z~ / d logit = sigmoid(log(1 - v) - logit)`` for ``b = 0``,

both in [0, 1] (in exact arithmetic 0 only at ``v = 0`` for ``b = 1`` or ``v = 1`` for
``b = 0``; in floating point they underflow to 0 where ``logit + log v`` (``b = 1``) or
``log(1 - v) - logit`` (``b = 0``) is below about -745).

Numerics: everything is written with ``softplus``, ``log1p`` and log-space
sigmoids, so that extreme logits (``|logit|`` in the hundreds) and ``v`` at 0 or 1
give the limits (``0``, ``+-inf``) without NaN or a floating-point warning.

Errors: ``b`` other than 0 or 1, a NaN or infinite ``logit``, and ``v`` outside
[0, 1] (or NaN) raise ``ValueError`` naming the argument; non-numeric input
raises ``TypeError``.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_finite,
    check_no_nan,
    check_uniform,
)

__all__ = [
    "conditional_logistic_cdf",
    "conditional_logistic_sample",
    "conditional_sample_derivative",
]


def _check_b(b) -> np.ndarray:
    arr = as_float_array(b, "b", np.float64)
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        first = arr[np.unravel_index(int(np.argmax(bad)), arr.shape)] if arr.ndim else arr
        raise ValueError(f"b must be 0 or 1 (the discrete sample); got {float(first)!r}")
    return arr


def _args(v, logit, b):
    v = check_uniform(v, "v", np.float64)
    logit = check_finite(as_float_array(logit, "logit", np.float64), "logit")
    b = _check_b(b)
    return broadcast(v=v, logit=logit, b=b)


def conditional_logistic_sample(v, logit, b):
    """``z~ = g~(v, logit, b)``: a draw of ``z = logit + Logistic`` given ``H(z) = b``.

    Parameters
    ----------
    v : array_like
        Uniform variate in [0, 1], independent of the ``u`` that produced ``b``.
    logit : array_like
        Finite logit ``log p - log(1 - p)``.
    b : array_like
        The discrete sample, 0 or 1.

    Returns
    -------
    ndarray or scalar
        ``log1p(v e^logit) - log1p(-v)`` where ``b = 1`` (in ``[0, inf]``) and
        ``log v - log1p((1 - v) e^-logit)`` where ``b = 0`` (in ``[-inf, 0]``),
        both evaluated as softplus of a log-space argument. ``v = 0`` gives 0
        for ``b = 1`` and ``-inf`` for ``b = 0``; ``v = 1`` gives ``+inf`` and 0.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``b`` is not 0 or 1, ``logit`` is NaN or infinite, ``v`` is outside
        [0, 1] or NaN, or the shapes do not broadcast.
    """
    return _kernels.conditional_logistic(*_args(v, logit, b))[0][()]


def conditional_sample_derivative(v, logit, b):
    """``d z~ / d logit`` at fixed ``v`` and ``b``, the derivative REBAR and RELAX need.

    It is ``sigmoid(logit + log v)`` for ``b = 1`` and ``sigmoid(log(1 - v) - logit)``
    for ``b = 0``; both lie in [0, 1].
    Arguments and errors as in :func:`conditional_logistic_sample`.
    """
    return _kernels.conditional_logistic(*_args(v, logit, b))[1][()]


def conditional_logistic_cdf(z, logit, b):
    """The CDF of ``z~`` given ``b`` at the points ``z``: ``P(z~ <= z | H(z~) = b)``.

    For ``b = 1`` it is ``-expm1(-z) sigmoid(z - logit)`` for ``z >= 0`` (and 0
    below), which equals ``(sigmoid(z - logit) - sigmoid(-logit)) / p``; for
    ``b = 0`` it is ``exp(log sigmoid(z - logit) - log sigmoid(-logit))`` for
    ``z <= 0`` (and 1 above). ``z`` may be ``+-inf``; NaN raises ``ValueError``.
    Where ``z - logit`` is beyond the largest float, it is taken as ``+-inf``, and the
    CDF is its limit there.
    """
    z = check_no_nan(as_float_array(z, "z", np.float64), "z")
    logit = check_finite(as_float_array(logit, "logit", np.float64), "logit")
    b = _check_b(b)
    z, logit, b = broadcast(z=z, logit=logit, b=b)
    pos = np.maximum(z, 0.0)
    neg = np.minimum(z, 0.0)
    with np.errstate(over="ignore"):  # beyond the largest float: ±inf, where the CDF is its limit
        above, below = pos - logit, neg - logit
    one = -np.expm1(-pos) * _kernels.sigmoid(above)
    zero = np.exp(_kernels.log_sigmoid(below) - _kernels.log_sigmoid(-logit))
    return np.where(b == 1, one, np.where(z > 0, 1.0, zero))[()]
