"""Unchecked array kernels shared inside the package (private: no argument checks here).

Each takes float arrays already checked by the caller (:mod:`binary_gumbel._validation`)
and is written once, so that every module computes these quantities the same way:

- ``sigmoid(w) = 1 / (1 + exp(-w))``, as ``e / (1 + e)`` with ``e = exp(-|w|)`` for
  ``w < 0``, so that a tiny result keeps its relative precision (no overflow either);
- ``log_sigmoid(w) = min(w, 0) - log1p(exp(-|w|))``, and ``softplus(w) = -log_sigmoid(-w)``;
- ``softplus_and_sigmoid(w)``: both from one ``exp(-|w|)``, equal to the two calls bit for bit;
- ``sigmoid_and_slope(q)``: ``sigmoid(q)`` and its slope ``sigmoid(q) sigmoid(-q)``, a
  product of two factors each accurate in relative terms, so that it does not cancel where
  ``sigmoid(q)`` rounds to 0 or 1;
- ``concrete(w, tau)``: the binary Concrete ``x = sigmoid(w / tau)`` and ``dx/dw``, the
  relaxation every estimator and gate with a fixed temperature differentiates (RELAX, which
  also learns the temperature, takes ``sigmoid_and_slope(w / tau)`` to differentiate in it);
- ``times(derivative, slope)``: their product (``±inf`` beyond the doubles, silently), 0 where
  an exact 0 meets a slope that overflowed;
- ``scaled_minus(tau, y, logit) = tau y - logit``: the argument of the binary Concrete's and
  the hard concrete's CDFs, with its limits where ``tau y`` overflows or ``logit`` is infinite;
- ``logistic(u) = log u - log1p(-u)``: Logistic(0, 1) noise from a uniform ``u`` in [0, 1]
  (``u = 0`` gives ``-inf`` and ``u = 1`` gives ``+inf``, without a warning);
- ``noisy_logit(logit, noise) = logit + noise``, whose sign is the hard sample
  ``b = 1[z > 0]`` of the relaxed sampler and of every estimator, with an infinite logit
  winning over infinite noise;
- ``stretch_and_clip(s, gamma, zeta) = clip(gamma + (zeta - gamma) s, 0, 1)``: the hard
  concrete gate from a binary Concrete sample ``s`` (:mod:`binary_gumbel.hard_concrete`);
- ``conditional_logistic(v, logit, b)``: REBAR's ``z~`` given ``b`` and ``dz~/dlogit``
  (:mod:`binary_gumbel.conditional_noise` checks the arguments and documents the law).
"""

from __future__ import annotations

import numpy as np


def _sigmoid_from(w: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``sigmoid(w)`` from ``e = exp(-|w|)``: ``1 / (1 + e)``, or ``e / (1 + e)`` for ``w < 0``."""
    return np.where(w >= 0, 1.0, e) / (1 + e)


def _softplus_from(w: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``softplus(w)`` given ``e = exp(-|w|)``: ``max(w, 0) + log1p(e)``."""
    return np.maximum(w, 0.0) + np.log1p(e)


def _log_sigmoid_from(w: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``log sigmoid(w)`` given ``e = exp(-|w|)``: ``min(w, 0) - log1p(e)``."""
    return np.minimum(w, 0) - np.log1p(e)


def sigmoid(w: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-w))`` of a float array without NaN, accurate in relative terms."""
    return _sigmoid_from(w, np.exp(-np.abs(w)))


def sigmoid_and_slope(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sigmoid(q)`` and its slope ``sigmoid(q) sigmoid(-q)``, both from ``e = exp(-|q|)``.

    With ``d = 1 + e`` the two sigmoids are ``1 / d`` and ``e / d`` (which is which depends on
    the sign of ``q``), so the slope is their product, the same bits as the two calls.
    """
    return _sigmoid_and_slope_from(q, np.exp(-np.abs(q)))


def _sigmoid_and_slope_from(q: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sigmoid_and_slope` given ``e = exp(-|q|)``."""
    d = 1 + e
    small, large = e / d, 1 / d
    return np.where(q >= 0, large, small), small * large


def concrete(w: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The binary Concrete ``x = sigmoid(w / tau)`` and its slope ``dx/dw = x (1 - x) / tau``.

    ``w = logit + l`` with ``l`` Logistic noise (Maddison, Mnih & Teh 2016; Jang, Gu & Poole
    2016), ``tau > 0`` finite. The slope is ``sigmoid(q) sigmoid(-q) / tau``, ``q = w / tau``,
    which does not cancel where ``x`` rounds to 0 or 1. Where ``e = exp(-|q|)`` is subnormal
    (``|q| > 708``) that product has lost precision or flushed to 0 while ``e / tau`` can still
    be a normal number, so the slope is ``exp(-|q| - log tau)`` there. ``w = ±inf`` gives
    ``x = 1`` or ``0`` and slope 0.
    """
    with np.errstate(over="ignore"):  # beyond the largest double: inf, the limit
        q = w / tau
        e = np.exp(-np.abs(q))
        x, slope = _sigmoid_and_slope_from(q, e)
        slope = slope / tau
    subnormal = e < np.finfo(np.float64).tiny
    if np.any(subnormal):
        with np.errstate(over="ignore"):
            slope = np.where(subnormal, np.exp(-np.abs(q) - np.log(tau)), slope)
    return x, slope


def times(derivative: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """``derivative * slope``, with 0 where the derivative is exactly 0 and the slope is inf.

    That ``inf`` stands for a finite value beyond the largest double, such as the slope
    ``1 / (4 tau)`` at ``tau`` near the smallest one, or a logit-space sample ``z = ±inf`` (a
    uniform at 0 or 1) met by a factor that is 0 at every ``z`` or vanishes faster than
    ``1 / z``, so the product's limit is 0. Every other entry is the plain product: a product
    of finite factors beyond the largest double is ``±inf``, what it rounds to, without
    numpy's overflow warning (a large derivative times the slope at a tiny ``tau``); a NaN
    stays NaN, and an infinite derivative times a slope of 0 gives NaN with numpy's warning,
    as ``*`` does.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # inf * 0: redone below, warned if due
        product = derivative * slope
    if not np.isnan(product).any():
        return product
    overflowed = (derivative == 0) & np.isinf(slope)
    if overflowed.any():
        slope = np.where(overflowed, 0.0, slope)
    with np.errstate(over="ignore", under="ignore"):  # as in the first product
        return derivative * slope


def scaled_minus(tau: np.ndarray, y: np.ndarray, logit: np.ndarray) -> np.ndarray:
    """``tau * y - logit`` for a finite temperature ``tau`` and finite log-odds ``y``.

    The argument of the binary Concrete's CDF ``sigmoid(tau y - logit)`` at ``y = log(x /
    (1 - x))`` (Maddison, Mnih & Teh 2016, App. B) and of the hard concrete's at the log-odds
    of its ends (Louizos, Welling & Kingma 2018). The product of finite ``tau`` and ``y`` may
    exceed the type's largest float: it is then ``±inf``, what the difference rounds to
    beside a finite ``logit``, without numpy's overflow warning. An infinite ``logit`` (a point
    mass) outweighs every finite product: the result is ``-logit`` there, where the plain
    arithmetic would give ``inf - inf = NaN`` once the product overflowed.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # inf - inf: replaced below
        value = tau * y - logit
    return np.where(np.isinf(logit), -logit, value)


def log_sigmoid(w: np.ndarray) -> np.ndarray:
    """``log sigmoid(w) = min(w, 0) - log1p(exp(-|w|))``: no overflow, no cancellation."""
    return _log_sigmoid_from(w, np.exp(-np.abs(w)))


def softplus(w: np.ndarray) -> np.ndarray:
    """``log(1 + exp(w)) = max(w, 0) + log1p(exp(-|w|)) = -log_sigmoid(-w)``."""
    return _softplus_from(w, np.exp(-np.abs(w)))


def softplus_and_sigmoid(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(softplus(w), sigmoid(w))`` from one ``e = exp(-|w|)``: the same bits as the two calls."""
    e = np.exp(-np.abs(w))
    return _softplus_from(w, e), _sigmoid_from(w, e)


def logistic(u: np.ndarray) -> np.ndarray:
    """``log u - log1p(-u)`` of a float array in [0, 1]: the log-odds of ``u``.

    Of a uniform variate, Logistic(0, 1) noise by inversion; of a probability, its logit.
    ``u = 0`` gives ``-inf`` and ``u = 1`` gives ``inf``, without a warning.
    """
    with np.errstate(divide="ignore"):
        return np.log(u) - np.log1p(-u)


def noisy_logit(logit: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``z = logit + noise``: the logit-space sample, whose sign gives ``b = 1[z > 0]``.

    With Logistic noise ``noise = logistic(u)``, ``b`` is Bernoulli(``sigmoid(logit)``)
    and equals ``1[x > 1/2]`` for the binary Concrete ``x = sigmoid(z / tau)`` of the same
    ``u`` at every ``tau`` (deciding by ``z``, not by a rounded ``x``, keeps that at a huge
    ``tau``). An infinite logit wins over infinite noise: ``z = logit`` there, so
    ``logit = +inf`` gives ``b = 1`` and ``-inf`` gives ``b = 0`` at every ``u``; at a
    finite logit ``u = 0`` gives ``z = -inf`` and ``u = 1`` gives ``z = inf``.
    """
    with np.errstate(invalid="ignore"):  # inf - inf where the logit is infinite: replaced
        return np.where(np.isinf(logit), logit, logit + noise)


def logistic_logpdf(w: np.ndarray) -> np.ndarray:
    """``log f(w) = -|w| - 2 log1p(exp(-|w|))``: the standard Logistic log-density.

    ``f(w) = sigmoid(w) sigmoid(-w)``, written so that it neither overflows nor cancels;
    ``-inf`` at ``w = ±inf``.
    """
    a = np.abs(w)
    return -a - 2 * np.log1p(np.exp(-a))


def stretch_and_clip(s: np.ndarray, gamma, zeta) -> np.ndarray:
    """The hard concrete gate ``clip(gamma + (zeta - gamma) s, 0, 1)`` (Louizos et al. 2018)."""
    return np.clip(gamma + (zeta - gamma) * s, 0, 1)


def conditional_logistic(v: np.ndarray, logit: np.ndarray, b: np.ndarray):
    """``(z~, dz~/dlogit)`` of ``z = logit + Logistic`` given ``b = 1[z > 0]``, from ``v``.

    With ``a1 = logit + log v`` and ``a0 = logit - log(1 - v)``:
    ``z~ = softplus(a1) - log(1 - v)`` and ``dz~/dlogit = sigmoid(a1)`` for ``b = 1``;
    ``z~ = log v + log sigmoid(a0)`` and ``dz~/dlogit = sigmoid(-a0)`` for ``b = 0``.
    Each pair shares its ``exp(-|a|)`` (``|-a0| = |a0|``): the same bits as separate calls.
    """
    with np.errstate(divide="ignore"):
        log_v, log_1mv = np.log(v), np.log1p(-v)
    a1 = logit + log_v
    a0 = logit - log_1mv
    e1, e0 = np.exp(-np.abs(a1)), np.exp(-np.abs(a0))
    is_one = b == 1
    sample = np.where(is_one, _softplus_from(a1, e1) - log_1mv, log_v + _log_sigmoid_from(a0, e0))
    return sample, np.where(is_one, _sigmoid_from(a1, e1), _sigmoid_from(-a0, e0))
