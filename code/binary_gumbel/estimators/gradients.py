"""Gradient estimators through a Bernoulli variable, on the toy objective of REBAR and RELAX.

The objective is

    L(theta) = E_b[f(b)],   b ~ Bernoulli(p),   p = sigmoid(theta),   f(b) = (b - t)^2,

with ``t = 0.45`` (Tucker et al. 2017, "REBAR", arXiv:1703.07370) or the harder
``t = 0.499`` (Grathwohl et al. 2018, "RELAX", arXiv:1711.00123). Its minimum
is at ``theta -> -inf`` (``p -> 0``, ``L -> t^2``) for every ``t < 1/2``, and
its gradient has the closed form ``dL/dtheta = sigmoid'(theta) (1 - 2t)``.

Every estimator below turns uniform variates ``u`` into one gradient estimate
per variate, so that all of them can be run on the same noise. Each is the estimator of
:mod:`binary_gumbel.estimators.binary_estimators` with one latent and ``f = (x - t)^2``
(:func:`toy_f_grad`), so that the toy and the model run the same code. With the
Logistic ``l = log u - log(1 - u)``, the relaxed sample is the binary
Gumbel-softmax ``x = sigmoid((theta + l) / tau)`` (Maddison, Mnih & Teh 2016,
arXiv:1611.00712; Jang, Gu & Poole 2016, arXiv:1611.01144) and the discrete
sample is ``b = 1[theta + l > 0]``, a Bernoulli(p) variable.

- REINFORCE (Williams 1992): ``(f(b) - c) (b - p)``, unbiased for every
  constant baseline ``c``, since ``d log P(b) / d theta = b - p``.
- relaxed (reparameterised): ``f'(x) dx/dtheta = 2 (x - t) x (1 - x) / tau``,
  the pathwise derivative of ``f(x)``; biased, because ``E f(x) != E f(b)``.
- straight-through Gumbel (Bengio et al. 2013; Jang et al. 2016): the forward
  pass uses ``b``, the backward pass ``dx/dtheta``: ``2 (b - t) x (1 - x) / tau``.
- REBAR and RELAX (:mod:`binary_gumbel.estimators.rebar`, :mod:`binary_gumbel.estimators.relax`)
  take two uniforms per estimate. All of them, with their properties, are in the typed
  registry :mod:`binary_gumbel.estimators.registry`.

Targets: the closed forms (:func:`objective`, :func:`exact_gradient`, and
:func:`~binary_gumbel.estimators.rebar.optimal_baseline` and
:func:`~binary_gumbel.estimators.rebar.limit_eta`) take every finite ``t``; where a value is
beyond the largest double it is ``inf``, without a warning. The estimators evaluate ``f``
itself (:func:`toy_f_grad`), and REINFORCE's and REBAR's estimates hold ``f(b) (b - p)``,
which is beyond the doubles once ``f`` is while their sum with the control variate need
not be: they take the targets for which ``f(x) = (x - t)^2`` is a double on ``[0, 1]``,
``|t|`` up to about ``1.34e154``, and refuse others with a ``ValueError`` naming ``target``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    broadcast,
    broadcast_finite,
    check_tau,
    check_uniform,
    finite_float64,
)
from binary_gumbel.estimators import binary_estimators
from binary_gumbel.noise import logistic_from_uniform

__all__ = [
    "TARGET_REBAR",
    "TARGET_RELAX",
    "exact_gradient",
    "objective",
    "objective_gradient_expr",
    "pathwise_derivative_expr",
    "reinforce",
    "relaxed",
    "relaxed_sample_derivative",
    "straight_through",
    "toy_f_grad",
]

#: The target of Tucker et al. (2017, REBAR).
TARGET_REBAR = 0.45
#: The harder target of Grathwohl et al. (2018, RELAX): the gradient is 50 times smaller.
TARGET_RELAX = 0.499


def objective(theta, target):
    """``L(theta) = sigmoid(theta) (1 - t)^2 + sigmoid(-theta) t^2``, exactly.

    ``inf`` where a square is beyond the largest double (``|t|`` from about ``1.34e154``),
    without a warning: ``L`` is at least the smaller square, ``(|t| - 1)^2``, beyond the
    doubles there too; a weight that rounds to 0 gives a term of 0, not ``0 * inf``.
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    with np.errstate(over="ignore"):
        f1, f0 = (1 - target) ** 2, target**2
    return (
        _kernels.times(_kernels.sigmoid(theta), f1) + _kernels.times(_kernels.sigmoid(-theta), f0)
    )[()]


def exact_gradient(theta, target):
    """``dL/dtheta = sigmoid(theta) sigmoid(-theta) (1 - 2t)``, the closed form.

    Evaluated as ``2 sigmoid(theta) sigmoid(-theta) (1/2 - t)``, the same bits (doubling
    is exact), so that a target beyond half the largest double gives the finite gradient
    rather than overflowing in ``2t``.
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    return (2 * _kernels.sigmoid_and_slope(theta)[1] * (0.5 - target))[()]


@cache
def objective_gradient_expr() -> tuple[sp.Expr, sp.Expr]:
    """SymPy: ``L(theta)`` summed over ``b in {0, 1}``, and ``dL/dtheta`` factored."""
    theta, t = sp.symbols("theta t", real=True)
    p = 1 / (1 + sp.exp(-theta))
    loss = p * (1 - t) ** 2 + (1 - p) * t**2
    return loss, sp.factor(sp.simplify(sp.diff(loss, theta)))


@cache
def pathwise_derivative_expr() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """SymPy: the relaxed sample ``x(theta)``, ``dx/dtheta``, and ``dx/dtheta - x (1 - x) / tau``.

    The last entry simplifies to 0: the pathwise derivative is ``x (1 - x) / tau``.
    """
    theta, noise = sp.symbols("theta ell", real=True)
    tau = sp.Symbol("tau", positive=True)
    x = 1 / (1 + sp.exp(-(theta + noise) / tau))
    dx = sp.diff(x, theta)
    return x, dx, sp.simplify(dx - x * (1 - x) / tau)


def toy_f_grad(target):
    """``f(x) = (x - t)^2`` and ``df/dx = 2 (x - t)`` on one latent, as the estimators take it.

    The returned callable maps ``x`` of shape ``(..., 1)`` to ``(f(x), df/dx)`` of shapes
    ``(...)`` and ``(..., 1)`` (the ``f_grad`` of
    :mod:`binary_gumbel.estimators.binary_estimators`), with ``target`` broadcast against
    the leading axes. ``ValueError`` naming ``target`` where ``f`` is beyond the largest
    double somewhere on ``[0, 1]`` (``|t|`` above about ``1.34e154``): see the module's note.
    """
    target = finite_float64(target, "target")
    with np.errstate(over="ignore"):
        beyond = ~np.isfinite(np.maximum(target**2, (1 - target) ** 2))
    if beyond.any():
        raise ValueError(
            "target must keep f(x) = (x - target)^2 within the doubles on [0, 1] "
            f"(|target| <= {np.sqrt(np.finfo(np.float64).max):.6g}); "
            f"got {target[beyond].flat[0].item()!r}"
        )

    def f_grad(x):
        gap = x - target[..., None]
        return gap[..., 0] ** 2, 2 * gap

    return f_grad


def _one_latent(theta, target, tau, u):
    """Check ``theta``, ``target``, ``tau`` and ``u``, and broadcast them with one latent axis."""
    theta, target = finite_float64(theta, "theta"), finite_float64(target, "target")
    tau = check_tau(tau, np.float64)
    u = check_uniform(u, dtype=np.float64)
    theta, target, tau, u = broadcast(theta=theta, target=target, tau=tau, u=u)
    return theta[..., None], target, tau[..., None], u[..., None]


def relaxed_sample_derivative(theta, tau, u):
    """Pathwise derivative ``dx/dtheta = x (1 - x) / tau`` of ``x = sigmoid((theta + l) / tau)``.

    ``x`` is :func:`binary_gumbel.binary_gumbel_softmax` ``(theta, tau, u)``;
    the derivative is evaluated from ``z = (theta + l) / tau`` so that it keeps
    its relative accuracy where ``x`` rounds to 0 or 1.
    """
    theta = finite_float64(theta, "theta")
    tau = check_tau(tau, np.float64)
    u = check_uniform(u, dtype=np.float64)
    theta, tau, u = broadcast(theta=theta, tau=tau, u=u)
    return _kernels.concrete(theta + logistic_from_uniform(u), tau)[1][()]


def reinforce(theta, target, u, baseline=None):
    """REINFORCE estimates ``(f(b) - c) (b - p)``, one per uniform ``u``.

    ``b = 1[theta + l > 0]`` is Bernoulli(p), the same ``b`` as the other
    estimators draw from ``u``
    (:func:`binary_gumbel.estimators.binary_estimators.hard_sample_unchecked`).
    ``baseline`` is a constant ``c`` (default 0); any ``c`` that does not depend on ``b``
    leaves the estimator unbiased.
    :func:`binary_gumbel.estimators.binary_estimators.reinforce` with one latent.
    """
    theta, target = finite_float64(theta, "theta"), finite_float64(target, "target")
    u = check_uniform(u, dtype=np.float64)
    c = 0.0 if baseline is None else finite_float64(baseline, "baseline")
    theta, target, u, c = broadcast(theta=theta, target=target, u=u, baseline=c)
    f = toy_f_grad(target)
    g = binary_estimators.reinforce(lambda b: f(b)[0], theta[..., None], u[..., None], c)
    return g[..., 0][()]


def relaxed(theta, target, tau, u):
    """Relaxed (reparameterised) estimates ``2 (x - t) x (1 - x) / tau``, one per ``u``.

    :func:`binary_gumbel.estimators.binary_estimators.gumbel_softmax` with one latent.
    """
    theta, target, tau, u = _one_latent(theta, target, tau, u)
    return binary_estimators.gumbel_softmax(toy_f_grad(target), theta, tau, u)[..., 0][()]


def straight_through(theta, target, tau, u):
    """Straight-through Gumbel estimates ``2 (b - t) x (1 - x) / tau``, ``b = 1[theta + l > 0]``.

    The straight-through Gumbel-softmax estimator (Jang, Gu & Poole 2016): forward with
    ``b``, backward through the relaxed ``x``;
    :func:`binary_gumbel.estimators.binary_estimators.straight_through_gumbel` with one
    latent. Not the straight-through of
    :func:`binary_gumbel.estimators.binary_estimators.straight_through`, whose backward
    pass uses the sigmoid's slope ``p (1 - p)`` instead.
    """
    theta, target, tau, u = _one_latent(theta, target, tau, u)
    g = binary_estimators.straight_through_gumbel(toy_f_grad(target), theta, tau, u)
    return g[..., 0][()]
