"""Gradient estimators through a Bernoulli variable, on the toy objective of REBAR and RELAX.

The objective is

    L(theta) = E_b[f(b)],   b ~ Bernoulli(p),   p = sigmoid(theta),   f(b) = (b - t)^2,

with ``t = 0.45`` (Tucker et al. 2017, "REBAR", arXiv:1703.07370) or the harder
``t = 0.499`` (Grathwohl et al. 2018, "RELAX", arXiv:1711.00123). Its minimum
is at ``theta -> -inf`` (``p -> 0``, ``L -> t^2``) for every ``t < 1/2``, and
its gradient has the closed form ``dL/dtheta = sigmoid'(theta) (1 - 2t)``.

Every estimator below turns uniform variates ``u`` into one gradient estimate
per variate, so that all of them can be run on the same noise. With the
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
- REBAR and RELAX (:mod:`binary_gumbel.estimators.control_variates`) take two uniforms per
  estimate, ``u[..., 0]`` and ``u[..., 1]``; their registry entries say so with an
  attribute ``uniforms = 2`` (see :func:`uniforms_per_estimate`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from scipy import stats

from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    check_finite,
    check_tau,
    check_uniform,
)
from binary_gumbel.estimators import binary_toy
from binary_gumbel.noise import _sigmoid, logistic_from_uniform
from binary_gumbel.verification.montecarlo import z_for_false_alarm

__all__ = [
    "ESTIMATORS",
    "TEMPERATURE_FREE",
    "TARGET_REBAR",
    "TARGET_RELAX",
    "EstimatorStats",
    "Trajectory",
    "estimator_statistics",
    "exact_gradient",
    "objective",
    "objective_gradient_expr",
    "pathwise_derivative_expr",
    "reinforce",
    "relaxed",
    "relaxed_bias_extremum",
    "relaxed_mean_root",
    "relaxed_moments",
    "relaxed_objective_minimiser",
    "relaxed_sample_derivative",
    "scientific",
    "sgd",
    "statistics_table",
    "straight_through",
    "temperature_sweep",
    "uniforms_per_estimate",
]

#: The target of Tucker et al. (2017, REBAR).
TARGET_REBAR = 0.45
#: The harder target of Grathwohl et al. (2018, RELAX): the gradient is 50 times smaller.
TARGET_RELAX = 0.499


def _float(x, name: str) -> np.ndarray:
    return check_finite(as_float_array(x, name, np.float64), name)


def objective(theta, target):
    """``L(theta) = sigmoid(theta) (1 - t)^2 + sigmoid(-theta) t^2``, exactly."""
    theta, target = broadcast(theta=_float(theta, "theta"), target=_float(target, "target"))
    return (_sigmoid(theta) * (1 - target) ** 2 + _sigmoid(-theta) * target**2)[()]


def exact_gradient(theta, target):
    """``dL/dtheta = sigmoid(theta) sigmoid(-theta) (1 - 2t)``, the closed form."""
    theta, target = broadcast(theta=_float(theta, "theta"), target=_float(target, "target"))
    return (_sigmoid(theta) * _sigmoid(-theta) * (1 - 2 * target))[()]


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


def _relaxation(theta, tau, u):
    """``z = (theta + l) / tau`` with ``l = log u - log(1 - u)``, and ``dx/dtheta``."""
    theta = _float(theta, "theta")
    tau = check_tau(tau, np.float64)
    u = check_uniform(u, dtype=np.float64)
    theta, tau, u = broadcast(theta=theta, tau=tau, u=u)
    z = (theta + logistic_from_uniform(u)) / tau
    # x (1 - x) = sigmoid(z) sigmoid(-z) = e / (1 + e)^2 with e = exp(-|z|): no cancellation.
    e = np.exp(-np.abs(z))
    dx = e / (1 + e) ** 2 / tau
    # Where e is subnormal (|z| > 708) it has lost precision, or flushed to 0 (|z| > 745),
    # while e / tau can still be a normal or representable number: exp(-|z| - log tau).
    subnormal = e < np.finfo(np.float64).tiny
    if np.any(subnormal):
        with np.errstate(over="ignore"):
            dx = np.where(subnormal, np.exp(-np.abs(z) - np.log(tau)), dx)
    return z, dx


def relaxed_sample_derivative(theta, tau, u):
    """Pathwise derivative ``dx/dtheta = x (1 - x) / tau`` of ``x = sigmoid((theta + l) / tau)``.

    ``x`` is :func:`binary_gumbel.binary_gumbel_softmax` ``(theta, tau, u)``;
    the derivative is evaluated from ``z = (theta + l) / tau`` so that it keeps
    its relative accuracy where ``x`` rounds to 0 or 1.
    """
    return _relaxation(theta, tau, u)[1][()]


def _target(target) -> np.ndarray:
    return _float(target, "target")


def reinforce(theta, target, u, baseline=None):
    """REINFORCE estimates ``(f(b) - c) (b - p)``, one per uniform ``u``.

    ``b = 1[u > 1 - p]`` is Bernoulli(p), the same ``b`` as the other
    estimators draw from ``u``. ``baseline`` is a constant ``c`` (default 0);
    any ``c`` that does not depend on ``b`` leaves the estimator unbiased.
    """
    theta, target = _float(theta, "theta"), _target(target)
    u = check_uniform(u, dtype=np.float64)
    c = 0.0 if baseline is None else _float(baseline, "baseline")
    theta, target, u, c = broadcast(theta=theta, target=target, u=u, baseline=c)
    p = _sigmoid(theta)
    b = (u > _sigmoid(-theta)).astype(np.float64)
    return (((b - target) ** 2 - c) * (b - p))[()]


def relaxed(theta, target, tau, u):
    """Relaxed (reparameterised) estimates ``2 (x - t) x (1 - x) / tau``, one per ``u``."""
    target = _target(target)
    z, dx = _relaxation(theta, tau, u)
    z, dx, target = broadcast(z=z, dx=dx, target=target)
    return (2 * (_sigmoid(z) - target) * dx)[()]


def straight_through(theta, target, tau, u):
    """Straight-through Gumbel estimates ``2 (b - t) x (1 - x) / tau``, ``b = 1[x > 1/2]``."""
    target = _target(target)
    z, dx = _relaxation(theta, tau, u)
    z, dx, target = broadcast(z=z, dx=dx, target=target)
    return (2 * ((z > 0) - target) * dx)[()]


def _pairs(u) -> np.ndarray:
    u = check_uniform(u, dtype=np.float64)
    if u.ndim < 1 or u.shape[-1] != 2:
        raise ValueError(f"u must have a last axis of length 2, (u, v) pairs; got shape {u.shape}")
    return u


def _rebar_entry(theta, target, tau, u):
    """REBAR with ``eta = 1`` and the Concrete temperature ``lambda = tau``; ``u`` holds pairs."""
    from binary_gumbel.estimators.control_variates import rebar

    u = _pairs(u)
    return rebar(theta, target, u[..., 0], u[..., 1], eta=1.0, temperature=tau)


def _relax_entry(theta, target, tau, u):
    """RELAX at the fixed ``control_variates.REFERENCE_PHI``, with ``lambda = tau``."""
    from binary_gumbel.estimators.control_variates import REFERENCE_PHI, relax

    u = _pairs(u)
    phi = np.array(REFERENCE_PHI)
    phi[1] = math.log(float(check_tau(tau, np.float64)))
    return relax(theta, target, u[..., 0], u[..., 1], phi)


_rebar_entry.uniforms = 2
_relax_entry.uniforms = 2

#: The estimators compared in the book, as functions of ``(theta, target, tau, u)``.
#: "REINFORCE + baseline" uses the mean baseline ``c = L(theta)``: an idealisation, since it
#: needs the exact objective (in practice a running mean of ``f`` stands in for it).
#: "REBAR" (``eta = 1``, Concrete temperature ``tau``) and "RELAX" (the fixed
#: ``control_variates.REFERENCE_PHI``, temperature ``tau``) take ``u`` of shape ``(..., 2)``.
ESTIMATORS: dict[str, Callable] = {
    "REINFORCE": lambda theta, target, tau, u: reinforce(theta, target, u),
    "REINFORCE + baseline": lambda theta, target, tau, u: reinforce(
        theta, target, u, baseline=objective(theta, target)
    ),
    "relaxed": relaxed,
    "straight-through": straight_through,
    "REBAR": _rebar_entry,
    "RELAX": _relax_entry,
    **binary_toy.TOY_ENTRIES,  # ARM, DisARM, "RLOO (2 samples)" (uniforms = 2) and ReinMax
}

#: The estimators whose law does not depend on the temperature (they never relax ``b``).
TEMPERATURE_FREE = frozenset({"REINFORCE", "REINFORCE + baseline"}) | binary_toy.TEMPERATURE_FREE


def _check_count(n, name: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {n}")
    return int(n)


def uniforms_per_estimate(estimator: str) -> int:
    """How many uniforms one estimate of ``estimator`` uses: 1, or 2 for REBAR, RELAX and RLOO."""
    return int(getattr(_check_estimator(estimator), "uniforms", 1))


def _draw(rng: np.random.Generator, fn: Callable, n: int) -> np.ndarray:
    """``n`` uniforms, or ``(n, k)`` when ``fn`` takes ``k > 1`` per estimate.

    One-uniform estimators draw exactly as before, so their results for a seed are unchanged.
    """
    k = int(getattr(fn, "uniforms", 1))
    return rng.random(n) if k == 1 else rng.random((n, k))


def _check_estimator(name: str) -> Callable:
    if name not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {sorted(ESTIMATORS)}; got {name!r}")
    return ESTIMATORS[name]


@dataclass(frozen=True)
class EstimatorStats:
    """Bias, variance, mean-squared error and sign-error rate of one estimator at one ``tau``.

    Each ``*_se`` is a standard error: ``s / sqrt(n)`` for the bias,
    ``sqrt((m4 - s^4 (n - 3) / (n - 1)) / n)`` for the variance (``m4`` the
    fourth central moment) and the sample standard deviation of the squared
    errors over ``sqrt(n)`` for the MSE. ``sign_error`` is the fraction of
    means of ``batch`` estimates whose sign is opposite to the exact gradient's,
    with its Clopper-Pearson interval at coverage ``1 - false_alarm``.
    """

    estimator: str
    tau: float
    n: int
    exact: float
    bias: float
    bias_se: float
    variance: float
    variance_se: float
    mse: float
    mse_se: float
    batch: int
    sign_error: float
    sign_error_low: float
    sign_error_high: float

    def bias_interval(self, false_alarm: float = 1e-6) -> tuple[float, float]:
        """``bias -+ z se`` at the two-sided false-alarm rate ``false_alarm``."""
        half = z_for_false_alarm(false_alarm) * self.bias_se
        return self.bias - half, self.bias + half

    def variance_interval(self, false_alarm: float = 1e-6) -> tuple[float, float]:
        """``variance -+ z se`` at the two-sided false-alarm rate ``false_alarm``."""
        half = z_for_false_alarm(false_alarm) * self.variance_se
        return self.variance - half, self.variance + half


def estimator_statistics(
    estimator: str,
    theta: float,
    target: float,
    tau: float,
    n: int,
    rng=None,
    batch: int = 1,
    false_alarm: float = 1e-6,
) -> EstimatorStats:
    """Monte Carlo bias, variance, MSE and sign-error rate of ``estimator`` at ``(theta, tau)``.

    ``n`` single-sample estimates are drawn from ``n`` uniforms of ``rng``
    (``n`` pairs for the estimators that take two, see :func:`uniforms_per_estimate`)
    (a seed or a :class:`numpy.random.Generator`); the sign-error rate is over
    the ``n // batch`` means of consecutive blocks of ``batch`` estimates.
    Passing generators seeded alike gives every estimator the same noise.
    """
    fn = _check_estimator(estimator)
    n = _check_count(n, "n", 4)
    batch = _check_count(batch, "batch", 1)
    if batch > n:
        raise ValueError(f"batch must be <= n; got batch={batch}, n={n}")
    theta, target = float(_float(theta, "theta")), float(_target(target))
    tau = float(check_tau(tau, np.float64))
    g = fn(theta, target, tau, _draw(as_generator(rng), fn, n))
    exact = float(exact_gradient(theta, target))
    mean, var = float(g.mean()), float(g.var(ddof=1))
    m4 = float(np.mean((g - mean) ** 4))
    sq = (g - exact) ** 2
    means = g[: n // batch * batch].reshape(-1, batch).mean(axis=1)
    wrong = int(np.count_nonzero(means * exact < 0))
    ci = stats.binomtest(wrong, means.size).proportion_ci(1 - false_alarm, method="exact")
    return EstimatorStats(
        estimator=estimator,
        tau=tau,
        n=n,
        exact=exact,
        bias=mean - exact,
        bias_se=math.sqrt(var / n),
        variance=var,
        variance_se=math.sqrt(max(m4 - var**2 * (n - 3) / (n - 1), 0.0) / n),
        mse=float(sq.mean()),
        mse_se=float(sq.std(ddof=1)) / math.sqrt(n),
        batch=batch,
        sign_error=wrong / means.size,
        sign_error_low=float(ci.low),
        sign_error_high=float(ci.high),
    )


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as ``m×10ᵉ`` with ``digits`` decimals in ``m`` (a minus sign, not a hyphen)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa.replace('-', '−')}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def statistics_table(rows: list[EstimatorStats]) -> str:
    """A Markdown table of measured bias, variance, MSE and sign-error rate, with errors.

    The temperature column reads "any" for the estimators in :data:`TEMPERATURE_FREE`.
    """
    lines = [
        "| estimator | τ | bias ± s.e. | variance ± s.e. | MSE | sign-error rate |",
        "|:--|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        tau = "any" if r.estimator in TEMPERATURE_FREE else f"{r.tau:.3g}"
        lines.append(
            f"| {r.estimator} | {tau} "
            f"| {scientific(r.bias, 2)} ± {scientific(r.bias_se, 1)} "
            f"| {scientific(r.variance, 2)} ± {scientific(r.variance_se, 1)} "
            f"| {scientific(r.mse, 2)} | {r.sign_error:.3f} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Trajectory:
    """The iterates ``theta_0 .. theta_steps`` of one SGD run and the loss ``L`` at each."""

    estimator: str
    tau: float
    learning_rate: float
    batch: int
    theta: np.ndarray
    loss: np.ndarray


def sgd(
    estimator: str | None,
    target: float,
    tau: float,
    theta0: float = 0.0,
    learning_rate: float = 10.0,
    steps: int = 200,
    batch: int = 16,
    rng=None,
) -> Trajectory:
    """Plain SGD on ``L``: ``theta <- theta - learning_rate * mean of batch estimates``.

    ``estimator`` is a key of :data:`ESTIMATORS`, or None for the exact gradient
    (gradient descent, the reference path). ``tau`` is ignored by the REINFORCE
    estimators and by the exact gradient.
    """
    fn = None if estimator is None else _check_estimator(estimator)
    steps = _check_count(steps, "steps", 0)
    batch = _check_count(batch, "batch", 1)
    target = float(_target(target))
    tau = float(check_tau(tau, np.float64))
    learning_rate = float(_float(learning_rate, "learning_rate"))
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive; got {learning_rate}")
    rng = as_generator(rng)
    theta = np.empty(steps + 1)
    theta[0] = float(_float(theta0, "theta0"))
    for k in range(steps):
        if fn is None:
            step = float(exact_gradient(theta[k], target))
        else:
            step = float(fn(theta[k], target, tau, _draw(rng, fn, batch)).mean())
        theta[k + 1] = theta[k] - learning_rate * step
    return Trajectory(
        "exact" if estimator is None else estimator,
        tau,
        learning_rate,
        batch,
        theta,
        objective(theta, target),
    )


# Exact moments of the relaxed estimator, by quadrature: the gradients chapter's wide tau sweep.


def relaxed_moments(theta: float, target: float, tau: float) -> tuple[float, float]:
    """Mean and variance of the relaxed estimate ``g = 2 (x - t) x (1 - x) / tau``, by quadrature.

    With ``x = sigmoid(s)``, ``s = (theta + l) / tau`` and ``l`` standard Logistic
    (density ``sigmoid(l) sigmoid(-l)``), ``E[h(g)] = int h(g(l)) f_L(l) dl``, integrated
    by :func:`scipy.integrate.quad` over ``l in [-60, 60]`` (the Logistic mass outside is
    below ``2e-26``) with a break point at ``l = -theta``, where ``x`` rises within a
    window of width about ``tau``. Written with :func:`scipy.special.expit`, independently
    of :func:`relaxed`, so that Monte Carlo runs of that function can be checked against it.
    """
    from scipy import integrate, special

    theta, target = float(_float(theta, "theta")), float(_target(target))
    tau = float(check_tau(tau, np.float64))

    def estimate(noise):
        s = (theta + noise) / tau
        return 2 * (special.expit(s) - target) * special.expit(s) * special.expit(-s) / tau

    def expectation(fn):
        def integrand(noise):
            return fn(noise) * special.expit(noise) * special.expit(-noise)

        return integrate.quad(integrand, -60.0, 60.0, points=[-theta], limit=400)[0]

    mean = expectation(estimate)
    # The central moment directly: E[g^2] - mean^2 would cancel where the variance is tiny.
    return mean, expectation(lambda noise: (estimate(noise) - mean) ** 2)


def relaxed_bias_extremum(theta: float, target: float, low: float, high: float) -> float:
    """The temperature in ``(low, high)`` where the relaxed estimator's ``|bias|`` is largest.

    Maximises ``|E g - L'(theta)|`` from :func:`relaxed_moments` over ``log tau`` (bounded
    Brent search). Raises ValueError when the maximum sits at either end of the bracket,
    so a caller never reports a bracket's edge as an interior extremum.
    """
    from scipy import optimize

    exact = float(exact_gradient(theta, target))
    low, high = float(check_tau(low, np.float64)), float(check_tau(high, np.float64))
    if not low < high:
        raise ValueError(f"low must be below high; got low={low}, high={high}")

    def negative_abs_bias(log_tau):
        return -abs(relaxed_moments(theta, target, math.exp(log_tau))[0] - exact)

    found = optimize.minimize_scalar(
        negative_abs_bias,
        bounds=(math.log(low), math.log(high)),
        method="bounded",
        options={"xatol": 1e-4},
    )
    tau = math.exp(found.x)
    if not low * 1.01 < tau < high / 1.01:
        raise ValueError(f"the largest |bias| in ({low}, {high}) is at its edge, tau = {tau:.4g}")
    return tau


def relaxed_mean_root(theta: float, target: float, low: float, high: float) -> float:
    """The temperature in ``(low, high)`` where the relaxed estimator's mean changes sign.

    Brent's root of ``E g`` from :func:`relaxed_moments` in ``log tau``; the mean must
    have opposite signs at ``low`` and ``high`` (a ValueError otherwise).
    """
    from scipy import optimize

    low, high = float(check_tau(low, np.float64)), float(check_tau(high, np.float64))

    def mean(log_tau):
        return relaxed_moments(theta, target, math.exp(log_tau))[0]

    if mean(math.log(low)) * mean(math.log(high)) >= 0:
        raise ValueError(f"the relaxed mean has the same sign at low={low} and high={high}")
    return math.exp(optimize.brentq(mean, math.log(low), math.log(high), xtol=1e-6))


def relaxed_objective_minimiser(target: float, tau: float, low: float = -20.0, high: float = 20.0):
    """The ``theta`` in ``(low, high)`` that minimises the relaxed objective ``E[(x - t)^2]``.

    The relaxed estimator is unbiased for ``d/dtheta E[(x - t)^2]`` (its mean, from
    :func:`relaxed_moments`), so its expected descent stops where that mean is 0: Brent's
    root in ``theta``. A ValueError when the mean has the same sign at both ends.
    """
    from scipy import optimize

    def mean(theta):
        return relaxed_moments(theta, target, tau)[0]

    if mean(float(low)) * mean(float(high)) >= 0:
        raise ValueError(f"the relaxed mean has the same sign at theta = {low} and {high}")
    return optimize.brentq(mean, float(low), float(high), xtol=1e-9)


def temperature_sweep(
    estimators, theta: float, target: float, taus, n: int, rng=2026, batch: int = 1
) -> list[EstimatorStats]:
    """:func:`estimator_statistics` for every estimator at every ``tau``, estimator by estimator.

    Every call draws from a generator seeded with ``rng`` (an int), so all estimators and
    temperatures share their noise. An estimator in :data:`TEMPERATURE_FREE` ignores ``tau``
    and would return the same statistics at every ``tau`` from the same noise, so it is run
    once and its row repeated with each ``tau``.
    """
    import dataclasses

    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be an integer seed, shared by every run; got {rng!r}")
    taus = [float(check_tau(tau, np.float64)) for tau in taus]
    rows = []
    for name in estimators:
        _check_estimator(name)
        if name in TEMPERATURE_FREE:
            once = estimator_statistics(name, theta, target, taus[0], n, rng=rng, batch=batch)
            rows += [dataclasses.replace(once, tau=tau) for tau in taus]
        else:
            rows += [
                estimator_statistics(name, theta, target, tau, n, rng=rng, batch=batch)
                for tau in taus
            ]
    return rows
