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
:func:`conditional_noise_derivation` derives them in SymPy. Mixing the two
conditional laws with weights ``p`` and ``1 - p`` gives back the Logistic.

The derivative that REBAR differentiates through, with ``b`` held fixed, is

- ``d z~ / d logit = sigmoid(logit + log v)`` for ``b = 1``,
- ``d z~ / d logit = sigmoid(log(1 - v) - logit)`` for ``b = 0``,

both in (0, 1).

Numerics: everything is written with ``softplus``, ``log1p`` and log-space
sigmoids, so that extreme logits (``|logit|`` in the hundreds) and ``v`` at 0 or 1
give the limits (``0``, ``+-inf``) without NaN or a floating-point warning.

Errors: ``b`` other than 0 or 1, a NaN or infinite ``logit``, and ``v`` outside
[0, 1] (or NaN) raise ``ValueError`` naming the argument; non-numeric input
raises ``TypeError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_finite,
    check_no_nan,
    check_uniform,
)
from binary_gumbel.noise import _log_sigmoid, _sigmoid

__all__ = [
    "ConditionalNoiseDerivation",
    "conditional_logistic_cdf",
    "conditional_logistic_sample",
    "sample_and_derivative_unchecked",
    "conditional_noise_derivation",
    "conditional_sample_derivative",
]


def _check_b(b) -> np.ndarray:
    arr = as_float_array(b, "b", np.float64)
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        first = arr[np.unravel_index(int(np.argmax(bad)), arr.shape)] if arr.ndim else arr
        raise ValueError(f"b must be 0 or 1 (the discrete sample); got {float(first)!r}")
    return arr


def _args(v, logit, b, v_name: str = "v"):
    v = check_uniform(v, v_name, np.float64)
    logit = check_finite(as_float_array(logit, "logit", np.float64), "logit")
    b = _check_b(b)
    return broadcast(**{v_name: v, "logit": logit, "b": b})


def sample_and_derivative_unchecked(v: np.ndarray, logit: np.ndarray, b: np.ndarray):
    """``(z~, dz~/dlogit)`` on checked, broadcast float arrays (no validation).

    The two share their logarithms and exponentials: with ``a1 = logit + log v``
    and ``a0 = logit - log(1 - v)``, ``z~ = softplus(a1) - log(1 - v)`` and
    ``dz~/dlogit = sigmoid(a1)`` for ``b = 1``, ``z~ = log v + log sigmoid(a0)`` and
    ``dz~/dlogit = sigmoid(-a0)`` for ``b = 0`` (softplus(x) = -log sigmoid(-x)).
    Used by the training loop of :mod:`binary_gumbel.estimators.control_variates`, where the
    arguments are checked once.
    """
    with np.errstate(divide="ignore"):
        log_v, log_1mv = np.log(v), np.log1p(-v)
    a1 = logit + log_v
    a0 = logit - log_1mv
    e1, e0 = np.exp(-np.abs(a1)), np.exp(-np.abs(a0))
    one = -(np.minimum(-a1, 0) - np.log1p(e1)) - log_1mv
    zero = log_v + (np.minimum(a0, 0) - np.log1p(e0))
    d_one = np.where(a1 >= 0, 1 / (1 + e1), e1 / (1 + e1))
    d_zero = np.where(-a0 >= 0, 1 / (1 + e0), e0 / (1 + e0))
    is_one = b == 1
    return np.where(is_one, one, zero), np.where(is_one, d_one, d_zero)


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
    return sample_and_derivative_unchecked(*_args(v, logit, b))[0][()]


def conditional_sample_derivative(v, logit, b):
    """``d z~ / d logit`` at fixed ``v`` and ``b``, the derivative REBAR and RELAX need.

    It is ``sigmoid(logit + log v)`` for ``b = 1`` and ``sigmoid(log(1 - v) - logit)``
    for ``b = 0``; both lie in [0, 1].
    Arguments and errors as in :func:`conditional_logistic_sample`.
    """
    return sample_and_derivative_unchecked(*_args(v, logit, b))[1][()]


def conditional_logistic_cdf(z, logit, b):
    """The CDF of ``z~`` given ``b``: ``P(z <= s | H(z) = b)`` at ``s = z``.

    For ``b = 1`` it is ``-expm1(-s) sigmoid(s - logit)`` for ``s >= 0`` (and 0
    below), which equals ``(sigmoid(s - logit) - sigmoid(-logit)) / p``; for
    ``b = 0`` it is ``exp(log sigmoid(s - logit) - log sigmoid(-logit))`` for
    ``s <= 0`` (and 1 above). ``z`` may be ``+-inf``; NaN raises ``ValueError``.
    """
    z = check_no_nan(as_float_array(z, "z", np.float64), "z")
    logit = check_finite(as_float_array(logit, "logit", np.float64), "logit")
    b = _check_b(b)
    z, logit, b = broadcast(z=z, logit=logit, b=b)
    pos = np.maximum(z, 0.0)
    neg = np.minimum(z, 0.0)
    one = -np.expm1(-pos) * _sigmoid(pos - logit)
    zero = np.exp(_log_sigmoid(neg - logit) - _log_sigmoid(-logit))
    return np.where(b == 1, one, np.where(z > 0, 1.0, zero))[()]


# --- The derivation in SymPy ---


@dataclass(frozen=True)
class ConditionalNoiseDerivation:
    """The conditional law of ``z`` given ``b``, derived in SymPy, and its three checks.

    ``cdf_one``/``cdf_zero`` are the conditional CDFs, obtained by integrating the
    Logistic density over ``(0, s]`` and ``(-inf, s]`` and dividing by
    ``P(b)``; ``sampler_one``/``sampler_zero`` solve ``F_b(s) = v`` for ``s``.
    Every ``*_residual`` is a SymPy expression that simplifies to 0:

    - ``inverse_residuals``: ``F_b(g~_b(v)) - v``, the sampler inverts the CDF;
    - ``closed_form_residuals``: ``exp(g~_b)`` minus the closed forms
      ``(1 + v e^logit) / (1 - v)`` and ``v / (1 + (1 - v) e^-logit)``;
    - ``mixture_residuals``: ``p F_1(s) + (1 - p) F_0(s) - sigmoid(s - logit)`` on
      ``s > 0`` (where ``F_0 = 1``) and on ``s < 0`` (where ``F_1 = 0``);
    - ``derivative_residuals``: ``d g~_b / d logit`` minus ``sigmoid(logit + log v)``
      and ``sigmoid(log(1 - v) - logit)``.
    """

    logit: sp.Symbol
    s: sp.Symbol
    v: sp.Symbol
    cdf_one: sp.Expr
    cdf_zero: sp.Expr
    sampler_one: sp.Expr
    sampler_zero: sp.Expr
    derivative_one: sp.Expr
    derivative_zero: sp.Expr
    inverse_residuals: tuple[sp.Expr, sp.Expr]
    closed_form_residuals: tuple[sp.Expr, sp.Expr]
    mixture_residuals: tuple[sp.Expr, sp.Expr]
    derivative_residuals: tuple[sp.Expr, sp.Expr]

    def all_zero(self) -> bool:
        """Whether every residual simplifies to exactly 0."""
        residuals = (
            self.inverse_residuals
            + self.closed_form_residuals
            + self.mixture_residuals
            + self.derivative_residuals
        )
        return all(sp.simplify(r) == 0 for r in residuals)


@cache
def conditional_noise_derivation() -> ConditionalNoiseDerivation:
    """Derive the law of ``z = logit + Logistic`` given ``b = H(z)`` and its sampler in SymPy."""
    logit, s, x = sp.symbols("theta s x", real=True)
    v = sp.Symbol("v", positive=True)
    big_s = sp.Symbol("S", positive=True)  # e^s

    def sig(w):
        return 1 / (1 + sp.exp(-w))

    density = sp.diff(sig(x - logit), x)  # the Logistic(logit, 1) density
    p = sig(logit)
    cdf_one = sp.simplify(sp.integrate(density, (x, 0, s)) / p)
    cdf_zero = sp.simplify(sp.integrate(density, (x, -sp.oo, s)) / (1 - p))
    samplers = []
    for cdf in (cdf_one, cdf_zero):
        (root,) = sp.solve(sp.Eq(cdf.subs(s, sp.log(big_s)), v), big_s)
        samplers.append(sp.log(sp.factor(root)))
    sampler_one, sampler_zero = samplers
    derivative_one = sp.simplify(sp.diff(sampler_one, logit))
    derivative_zero = sp.simplify(sp.diff(sampler_zero, logit))
    closed = ((1 + v * sp.exp(logit)) / (1 - v), v / (1 + (1 - v) * sp.exp(-logit)))
    return ConditionalNoiseDerivation(
        logit=logit,
        s=s,
        v=v,
        cdf_one=cdf_one,
        cdf_zero=cdf_zero,
        sampler_one=sampler_one,
        sampler_zero=sampler_zero,
        derivative_one=derivative_one,
        derivative_zero=derivative_zero,
        inverse_residuals=tuple(
            sp.simplify(cdf.subs(s, g) - v)
            for cdf, g in ((cdf_one, sampler_one), (cdf_zero, sampler_zero))
        ),
        closed_form_residuals=tuple(
            sp.simplify(sp.exp(g) - c) for g, c in zip(samplers, closed, strict=True)
        ),
        mixture_residuals=(
            sp.simplify(p * cdf_one + (1 - p) - sig(s - logit)),
            sp.simplify((1 - p) * cdf_zero - sig(s - logit)),
        ),
        derivative_residuals=(
            sp.simplify(derivative_one - sig(logit + sp.log(v))),
            sp.simplify(derivative_zero - sig(sp.log(1 - v) - logit)),
        ),
    )
