"""The binary estimators on the toy ``f(b) = (b - t)^2``: registry entries and exact moments.

One binary variable, ``b ~ Bernoulli(p)``, ``p = sigmoid(theta)``; the gradient of
``E[(b - t)^2]`` is ``(1 - 2t) p (1 - p)``
(:func:`binary_gumbel.estimators.gradients.exact_gradient`).

- :func:`toy_objective` gives ``f(b) = (mean_k b_k - t)^n`` and its gradient, for
  ``K`` latents on the last axis; with ``K = 1`` and ``n = 2`` it is the toy.
- :data:`TOY_ENTRIES` adapts ARM, DisARM, RLOO (two samples) and ReinMax of
  :mod:`binary_gumbel.estimators.binary_estimators` to the signature
  ``(theta, target, tau, u)`` of :data:`binary_gumbel.estimators.registry.ESTIMATORS`;
  RLOO takes ``u`` of shape ``(..., 2)`` (the registry's records say how many uniforms,
  from :data:`binary_gumbel.estimators.binary_estimators.ESTIMATOR_TABLE`).
- :func:`exact_moments` gives each estimator's exact mean and variance as SymPy
  expressions in ``p`` and ``t`` (and ``s = sigmoid(theta / tau)`` for
  ReinMax). ARM and DisARM are piecewise linear (DisARM piecewise constant)
  in ``u`` on the three intervals cut by ``min(p, 1 - p)`` and ``max(p, 1 - p)``, and
  SymPy integrates them exactly, separately for ``p <= 1/2`` and ``p >= 1/2``.
  REINFORCE, RLOO and ReinMax depend on ``u`` only through the samples ``b``,
  so their moments are finite sums over ``b``, also exact.
- :func:`moments_by_cells` gives the exact mean and variance, per coordinate, of
  ARM, DisARM and two-sample RLOO on ``K`` latents and any ``f``, by integrating
  the library's estimates over the ``3^K`` cells of the antithetic pair (and
  summing over the ``4^K`` pairs of samples for RLOO).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from binary_gumbel._validation import (
    broadcast,
    check_tau,
    check_uniform,
    finite_float64,
    finite_number,
)
from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.noise import sigmoid

__all__ = [
    "EQUAL_COST",
    "EXACT_ESTIMATORS",
    "TOY_ENTRIES",
    "exact_moments",
    "equal_cost_variances",
    "moments_at",
    "moments_by_cells",
    "reinmax_bias",
    "reinmax_bias_expr",
    "reinmax_zero_mean_taus",
    "toy_objective",
    "p",
    "s",
    "t",
]

p = sp.Symbol("p", positive=True)
t = sp.Symbol("t", real=True)
s = sp.Symbol("s", positive=True)


def _toy_args(theta, target, u, pairs: bool = False):
    theta = finite_float64(theta, "theta")
    target = finite_float64(target, "target")
    u = check_uniform(u, dtype=np.float64)
    if pairs and (u.ndim < 1 or u.shape[-1] != 2):
        raise ValueError(f"u must have a last axis of length 2, two samples; got shape {u.shape}")
    theta, target, u0 = broadcast(theta=theta, target=target, u=u[..., 0] if pairs else u)
    u = np.broadcast_to(u, u0.shape + (2,)) if pairs else u0
    return theta, target, u


def toy_objective(target, power: int = 2) -> tuple[Callable, Callable]:
    """``f(b) = (mean_k b_k - t)^n`` and ``f_grad(x) = (f(x), n (mean_k x_k - t)^(n-1) / K)``.

    The pair that :mod:`binary_gumbel.estimators.binary_estimators` takes, for ``K`` latents on
    the last axis, ``n = power``; ``target`` ``t`` broadcasts against the leading axes.
    With ``K = 1`` and ``n = 2`` it is the toy ``(b - t)^2``.
    """
    if isinstance(power, bool) or not isinstance(power, int) or power < 1:
        raise ValueError(f"power must be a positive integer; got {power!r}")
    target = finite_float64(target, "target")

    def f(b):
        return (np.mean(b, axis=-1) - target) ** power

    def f_grad(x):
        d = np.mean(x, axis=-1) - target
        slope = power * d ** (power - 1) / x.shape[-1]
        return d**power, np.broadcast_to(slope[..., None], x.shape)

    return f, f_grad


def _score_entry(estimator: Callable) -> Callable:
    def entry(theta, target, tau, u):
        theta, target, u = _toy_args(theta, target, u)
        f, _ = toy_objective(target)
        return estimator(f, theta[..., None], u[..., None])[..., 0][()]

    entry.__doc__ = f"``binary_estimators.{estimator.__name__}`` on ``(b - t)^2``."
    return entry


def _rloo_entry(theta, target, tau, u):
    """``binary_estimators.rloo`` with two samples on ``(b - t)^2``; ``u`` holds the pairs."""
    theta, target, u = _toy_args(theta, target, u, pairs=True)
    f, _ = toy_objective(target)
    return be.rloo(f, theta[..., None], np.moveaxis(u, -1, 0)[..., None])[..., 0][()]


def _reinmax_entry(theta, target, tau, u):
    """``binary_estimators.reinmax`` on ``(b - t)^2`` at temperature ``tau``."""
    theta, target, u = _toy_args(theta, target, u)
    tau = check_tau(tau, np.float64)
    _, f_grad = toy_objective(target)
    return be.reinmax(f_grad, theta[..., None], tau[..., None], u[..., None])[..., 0][()]


#: ARM, DisARM, RLOO (two samples) and ReinMax as ``(theta, target, tau, u)`` estimators.
TOY_ENTRIES: dict[str, Callable] = {
    "ARM": _score_entry(be.arm),
    "DisARM": _score_entry(be.disarm),
    "RLOO (2 samples)": _rloo_entry,
    "ReinMax": _reinmax_entry,
}

#: The estimators :func:`exact_moments` knows.
EXACT_ESTIMATORS = ("REINFORCE", "RLOO (2 samples)", "ARM", "DisARM", "ReinMax")


def _fs(b):
    return (b - t) ** 2


def _pair_cases(high: bool):
    """``(u interval, b, b~)`` on [0, 1], for ``p >= 1/2`` (``high``) or ``p <= 1/2``."""
    lo, hi = (1 - p, p) if high else (p, 1 - p)
    return [((0, lo), 0, 1), ((lo, hi), 1 if high else 0, 1 if high else 0), ((hi, 1), 1, 0)]


def _antithetic(name: str, u: sp.Symbol, b: int, bt: int, high: bool) -> sp.Expr:
    delta = _fs(b) - _fs(bt)
    if name == "ARM":
        return delta * (u - sp.Rational(1, 2))
    sigma_abs = p if high else 1 - p  # sigmoid(|theta|) = max(p, 1 - p)
    return sp.Rational(1, 2) * delta * (-1) ** bt * (1 if b != bt else 0) * sigma_abs


def _discrete(name: str) -> list[tuple[sp.Expr, sp.Expr]]:
    """``(probability, estimate)`` over the samples, for the estimators that see ``b`` only."""
    prob = {1: p, 0: 1 - p}
    if name == "REINFORCE":
        return [(prob[b], _fs(b) * (b - p)) for b in (0, 1)]
    if name == "RLOO (2 samples)":
        return [
            (
                prob[b1] * prob[b2],
                ((_fs(b1) - _fs(b2)) * (b1 - p) + (_fs(b2) - _fs(b1)) * (b2 - p)) / 2,
            )
            for b1 in (0, 1)
            for b2 in (0, 1)
        ]
    # ReinMax: 2 (b - t) [2 q (1 - q) - p (1 - p) / 2], q = (b + s) / 2.
    return [
        (prob[b], 2 * (b - t) * (2 * ((b + s) / 2) * (1 - (b + s) / 2) - p * (1 - p) / 2))
        for b in (0, 1)
    ]


@cache
def exact_moments(name: str, high: bool = False) -> tuple[sp.Expr, sp.Expr]:
    """Exact ``(mean, variance)`` of one estimate of ``name`` on ``(b - t)^2``, in ``p``, ``t``.

    ``name`` is one of :data:`EXACT_ESTIMATORS`. For ARM and DisARM, ``high`` picks
    the branch ``p >= 1/2`` (else ``p <= 1/2``): SymPy integrates the estimate over
    ``u`` on each interval where ``(b, b~)`` is constant. The others are sums over
    the samples ``b`` and the same on both branches. ReinMax's expressions also
    hold ``s = sigmoid(theta / tau)``.
    """
    if name not in EXACT_ESTIMATORS:
        raise ValueError(f"name must be one of {EXACT_ESTIMATORS}; got {name!r}")
    if name in ("ARM", "DisARM"):
        u = sp.Symbol("u", positive=True)
        cases = _pair_cases(bool(high))
        m1 = sum(sp.integrate(_antithetic(name, u, b, bt, high), (u, *ab)) for ab, b, bt in cases)
        m2 = sum(
            sp.integrate(_antithetic(name, u, b, bt, high) ** 2, (u, *ab)) for ab, b, bt in cases
        )
    else:
        terms = _discrete(name)
        m1 = sum(w * g for w, g in terms)
        m2 = sum(w * g**2 for w, g in terms)
    return sp.factor(sp.expand(m1)), sp.factor(sp.expand(m2 - m1**2))


@cache
def _moment_functions(name: str) -> tuple[tuple[Callable, Callable], ...]:
    """NumPy functions of ``(p, t, s)`` for the mean and variance, per branch (low, high)."""
    return tuple(
        tuple(sp.lambdify((p, t, s), e, "numpy") for e in exact_moments(name, high))
        for high in (False, True)
    )


def moments_at(name: str, theta, target, tau=1.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exact_moments` evaluated in float64 at ``theta``, ``target`` (and ``tau``)."""
    if name not in EXACT_ESTIMATORS:
        raise ValueError(f"name must be one of {EXACT_ESTIMATORS}; got {name!r}")
    theta = finite_float64(theta, "theta")
    target = finite_float64(target, "target")
    tau = check_tau(tau, np.float64)
    theta, target, tau = broadcast(theta=theta, target=target, tau=tau)
    pv, sv = sigmoid(theta), sigmoid(theta / tau)
    low, high = _moment_functions(name)
    return tuple(
        (np.where(theta >= 0, hi(pv, target, sv), lo(pv, target, sv)) + 0.0 * theta)[()]
        for lo, hi in zip(low, high, strict=True)
    )


@cache
def reinmax_bias_expr() -> sp.Expr:
    """ReinMax's exact bias on the toy, factored: ``(p - s) (p^2 + p s - 3 p t - s t + 2 t)``."""
    mean, _ = exact_moments("ReinMax")
    return sp.factor(mean - (1 - 2 * t) * p * (1 - p))


@cache
def _bias_function() -> Callable:
    return sp.lambdify((p, t, s), reinmax_bias_expr(), "numpy")


def reinmax_bias(theta, target, tau):
    """ReinMax's exact bias on the toy at ``(theta, target, tau)``, from :func:`reinmax_bias_expr`.

    The factored form is exactly 0 in floating point where ``s = p`` (``tau = 1``).
    """
    theta = finite_float64(theta, "theta")
    target = finite_float64(target, "target")
    tau = check_tau(tau, np.float64)
    theta, target, tau = broadcast(theta=theta, target=target, tau=tau)
    bias = _bias_function()
    return (bias(sigmoid(theta), target, sigmoid(theta / tau)) + 0.0 * theta)[()]


@cache
def _mean_coefficients() -> Callable:
    mean, _ = exact_moments("ReinMax")
    return sp.lambdify((p, t), sp.Poly(mean, s).all_coeffs(), "numpy")


def reinmax_zero_mean_taus(theta: float, target: float) -> np.ndarray:
    """The temperatures ``tau > 0`` at which ReinMax's exact mean on the toy is 0.

    The mean is a quadratic in ``s = sigmoid(theta / tau)``; its real roots ``s``
    with ``0 < s < 1`` on the side of 1/2 that ``theta`` is on give
    ``tau = theta / logit(s)``. At ``theta = 0`` no ``tau`` moves ``s``; the result
    is then empty, as it is when the mean never changes sign.
    """
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    if theta == 0:
        return np.empty(0)
    roots = np.roots(_mean_coefficients()(float(sigmoid(theta)), target))
    real = roots[np.abs(roots.imag) <= 1e-12 * np.abs(roots)].real
    real = real[(real > 0) & (real < 1) & (np.sign(real - 0.5) == np.sign(theta))]
    return np.sort(theta / (np.log(real) - np.log1p(-real)))


#: Two evaluations of ``f`` per estimate: REINFORCE averages two independent samples.
EQUAL_COST = {"REINFORCE": 0.5, "RLOO (2 samples)": 1.0, "ARM": 1.0, "DisARM": 1.0}


def equal_cost_variances(theta, target) -> dict[str, np.ndarray]:
    """Exact variance of one estimate costing two evaluations of ``f``, per estimator.

    REINFORCE's is half its single-sample variance (the mean of two independent
    estimates); RLOO uses its two samples, ARM and DisARM their antithetic pair.
    """
    return {name: w * moments_at(name, theta, target)[1] for name, w in EQUAL_COST.items()}


#: Two-point Gauss-Legendre nodes on [0, 1]: exact for polynomials of degree 3.
_GAUSS = 0.5 + np.array([-1.0, 1.0]) / (2 * np.sqrt(3.0))


def moments_by_cells(f: Callable, theta) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Exact ``(mean, variance)`` per coordinate of ARM, DisARM and RLOO (2 samples), ``K`` latents.

    ``theta`` has shape ``(K,)`` (finite; ``K`` small: the cost is ``6^K + 4^K``
    evaluations of each estimator) and ``f`` maps ``b`` of shape ``(..., K)`` to
    ``(...)``. ARM's ``k``-th coordinate is ``(f(b) - f(b~)) (u_k - 1/2)``: on each of
    the ``3^K`` cells cut by ``min(p_k, 1 - p_k)`` and ``max(p_k, 1 - p_k)``, where
    ``(b, b~)`` is constant, it is linear in ``u_k`` and DisARM is constant, so the
    tensor two-point Gauss rule on the cell integrates them and their squares exactly.
    RLOO sees ``u`` only through ``b``: its moments are sums over the ``4^K`` pairs
    ``(b_1, b_2)``. The estimates are the library's
    (:mod:`binary_gumbel.estimators.binary_estimators`).
    """
    theta = finite_float64(theta, "theta")
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"theta must have shape (K,) with K >= 1; got shape {theta.shape}")
    k = theta.size
    lo = np.minimum(sigmoid(theta), sigmoid(-theta))
    edges = np.stack([np.zeros(k), lo, 1 - lo, np.ones(k)])
    cell = np.array(list(itertools.product(range(3), repeat=k)))  # (3^K, K)
    start, width = edges[cell, range(k)], np.diff(edges, axis=0)[cell, range(k)]
    nodes = np.array(list(itertools.product(_GAUSS, repeat=k)))  # (2^K, K)
    u = start[:, None] + width[:, None] * nodes  # (3^K, 2^K, K), inside each cell
    weight = np.repeat(np.prod(width, axis=1) / len(nodes), len(nodes))
    estimates = {"ARM": be.arm(f, theta, u), "DisARM": be.disarm(f, theta, u)}
    bits = np.array(list(itertools.product((0.0, 1.0), repeat=k)))  # (2^K, K)
    q = sigmoid(-theta)  # b_k = 1 exactly for u_k > q_k; draw each b at its cell's midpoint
    u_bits = np.where(bits == 1, (1 + q) / 2, q / 2)
    prob = np.prod(np.where(bits == 1, 1 - q, q), axis=1)
    pair = np.array(list(itertools.product(range(len(bits)), repeat=2))).T  # (2, 4^K)
    estimates["RLOO (2 samples)"] = be.rloo(f, theta, u_bits[pair])
    weights = {"ARM": weight, "DisARM": weight, "RLOO (2 samples)": np.prod(prob[pair], axis=0)}
    out = {}
    for name, g in estimates.items():
        g = g.reshape(-1, k)
        mean = weights[name] @ g
        out[name] = (mean, weights[name] @ (g - mean) ** 2)
    return out
