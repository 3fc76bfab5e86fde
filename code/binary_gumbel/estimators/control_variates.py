"""REBAR and RELAX: unbiased gradient estimators that use the relaxation as a control variate.

On the book's toy problem, ``L(theta) = E[f(b)]`` with ``f(b) = (b - t)^2`` and
``b ~ Bernoulli(sigmoid(theta))`` (:mod:`binary_gumbel.estimators.gradients`), both
estimators draw two uniforms per estimate: ``u`` gives the Logistic sample
``z = theta + log(u / (1 - u))`` and ``b = H(z)``, and ``v`` gives ``z~``, a
sample of ``z`` given ``b`` (:mod:`binary_gumbel.conditional_noise`). With
``d log p(b) / d theta = b - p``:

- REBAR (Tucker et al. 2017, arXiv:1703.07370), with the Concrete relaxation
  ``f(sigmoid(z / lambda))`` scaled by ``eta``::

      [f(b) - eta f(s_l(z~))] (b - p) + eta d/dtheta f(s_l(z)) - eta d/dtheta f(s_l(z~))

  where ``s_l(z) = sigmoid(z / lambda)`` and the last derivative is taken at
  fixed ``v`` and ``b`` (``d z~ / d theta`` from
  :func:`~binary_gumbel.conditional_noise.conditional_sample_derivative`).
- RELAX (Grathwohl et al. 2018, arXiv:1711.00123), with a learned control
  variate ``c_phi(z)`` in place of ``eta f(s_l(z))``::

      [f(b) - c_phi(z~)] (b - p) + d/dtheta c_phi(z) - d/dtheta c_phi(z~).

  Here ``c_phi(z) = eta f(s_l(z)) + r(z)`` with
  ``r(z) = d + sum_j a_j tanh(w_j z + c_j)``, a network with one hidden layer of
  ``H`` tanh units (5 by default). ``phi = (eta, log lambda, d, a, w, c)``, in
  that order, is a flat vector of ``3 + 3 H`` numbers (:class:`PhiLayout`). This
  is a variant of the authors' toy (``rebar_toy.py`` in github.com/duvenaud/relax,
  ``Q_func`` and ``relaxed=True``), whose network has 10 tanh units, reads the
  relaxed sample ``2 s_l(z) - 1`` rather than ``z``, is scaled by a trainable
  factor that starts at 0, and is added inside ``eta (f(s_l(z)) + ...)``.

Both are unbiased for every ``eta``, ``lambda`` and ``phi``: the three
control-variate terms have mean zero, because mixing the two conditional laws
of ``z~`` gives back the law of ``z``; the chapter proves it.

The parameters ``phi`` are trained, as in the RELAX paper (Algorithm 1), by descending the
single-sample estimate ``2 g dg/dphi`` of the gradient of the estimator's
variance (its mean does not depend on ``phi``, so ``d Var / d phi = E[2 g dg/dphi]``).

Why the derivatives here are analytic, not automatic: the control variate is a
scalar function of a scalar ``z`` with ``3 + 3 H`` parameters, and the training
signal needs only ``c``, ``dc/dz`` and their ``phi``-gradients, a dozen lines of
closed-form expressions. Writing them out keeps the book free of an autodiff
framework (JAX or PyTorch would be a new, large dependency of the pinned
toolchain and would dominate the chapter's start-up time), keeps the training
loop vectorised over independent seeded runs in plain NumPy, and the tests
check every derivative against central finite differences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    check_tau,
    check_uniform,
)
from binary_gumbel.conditional_noise import sample_and_derivative_unchecked
from binary_gumbel.estimators.gradients import (
    _check_count,
    _float,
    exact_gradient,
    objective,
    scientific,
)
from binary_gumbel.estimators.optim import Adam
from binary_gumbel.noise import _logistic, _sigmoid
from binary_gumbel.verification.montecarlo import PairedComparison, mean_interval, paired_comparison

__all__ = [
    "METHODS",
    "REFERENCE_PHI",
    "PhiLayout",
    "Training",
    "VarianceGrid",
    "control_variate",
    "initial_phi",
    "first_temperature_saving",
    "format_saving",
    "limit_eta",
    "optimal_baseline",
    "saving_at",
    "rebar",
    "rebar_parts",
    "rebar_unbiasedness_exact",
    "rebar_variance_grid",
    "scientific",
    "relax",
    "relax_and_phi_gradient",
    "train",
    "Comparison",
    "compare_final",
    "conditional_ks",
    "conditional_samples",
    "estimator_variance",
    "experiment",
    "learned_relaxation",
]


# --- shared pieces -------------------------------------------------------------------


def _sig_and_slope(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sigmoid(q)`` and ``sigmoid(q) sigmoid(-q)``, the latter without cancellation."""
    e = np.exp(-np.abs(q))
    return np.where(q >= 0, 1 / (1 + e), e / (1 + e)), e / (1 + e) ** 2


def _noise(theta, target, u, v):
    """Checked, broadcast ``theta, target, z, b, p, z~, dz~/dtheta``."""
    theta, target = _float(theta, "theta"), _float(target, "target")
    u, v = check_uniform(u, "u", np.float64), check_uniform(v, "v", np.float64)
    theta, target, u, v = broadcast(theta=theta, target=target, u=u, v=v)
    return _noise_unchecked(theta, target, u, v)


def _noise_unchecked(theta, target, u, v):
    z = theta + _logistic(u)
    b = (z > 0).astype(np.float64)
    zt, dzt = sample_and_derivative_unchecked(v, theta, b)
    return theta, target, z, b, _sigmoid(theta), zt, dzt


# --- REBAR ------------------------------------------------------------------------------


def _concrete(z, target, lam):
    """``f(s_l(z))`` and ``d f(s_l(z)) / dz`` for ``f(x) = (x - t)^2``."""
    s, k = _sig_and_slope(z / lam)
    return (s - target) ** 2, 2 * (s - target) * k / lam


def _rebar_parts(theta, target, z, b, p, zt, dzt, lam):
    f_zt, df_zt = _concrete(zt, target, lam)
    _, df_z = _concrete(z, target, lam)
    score = b - p
    return (b - target) ** 2 * score, -f_zt * score + df_z - df_zt * dzt


def rebar_parts(theta, target, u, v, temperature=0.5):
    """The two parts ``(A, B)`` of REBAR, ``g = A + eta B``, one pair per ``(u, v)``.

    ``A = f(b) (b - p)`` is plain REINFORCE, and ``B`` the Concrete control
    variate ``-f(s_l(z~)) (b - p) + d/dtheta f(s_l(z)) - d/dtheta f(s_l(z~))``,
    which has mean zero. The variance of ``A + eta B`` is smallest at
    ``eta* = -Cov(A, B) / Var(B)``.

    Raises ``ValueError`` naming ``theta``, ``target``, ``u``, ``v`` or
    ``temperature`` for NaN, a uniform outside [0, 1] or a non-positive temperature.
    """
    lam = check_tau(temperature, np.float64, "temperature")
    args = _noise(theta, target, u, v)
    a, b_ = _rebar_parts(*args, lam)
    a, b_ = broadcast(a=a, b=b_)
    return a[()], b_[()]


def rebar(theta, target, u, v, eta=1.0, temperature=0.5):
    """REBAR estimates of ``dL/dtheta``, one per pair of uniforms ``(u, v)``.

    ``eta`` scales the Concrete control variate ``f(sigmoid(z / temperature))``;
    ``eta = 0`` is plain REINFORCE. Unbiased for every ``eta`` and ``temperature``.
    """
    eta = _float(eta, "eta")
    a, b = rebar_parts(theta, target, u, v, temperature)
    return (a + eta * b)[()]


@cache
def rebar_unbiasedness_exact(theta: sp.Expr, temperature: sp.Expr, target: sp.Expr) -> sp.Expr:
    """``E[B]``, the mean of REBAR's control variate, by exact SymPy integration.

    ``theta`` must make ``e^theta`` rational (``log 2``, say) and ``1/temperature``
    a positive integer: then every integrand is a rational function of the
    uniform, and SymPy integrates it in closed form. The result simplifies to 0
    when REBAR is unbiased there, for every ``eta``.
    """
    th = sp.Symbol("theta", real=True)
    u, v = sp.symbols("u v", positive=True)
    lam, t = sp.sympify(temperature), sp.sympify(target)

    def sig(w):
        return 1 / (1 + sp.exp(-w))

    def f(x):
        return (x - t) ** 2

    def mean(expr, var):
        return sp.integrate(sp.cancel(sp.together(sp.simplify(expr.subs(th, theta)))), (var, 0, 1))

    p = sig(th)
    z = th + sp.log(u) - sp.log(1 - u)
    given = {
        1: sp.log(1 + v * sp.exp(th)) - sp.log(1 - v),
        0: sp.log(v) - sp.log(1 + (1 - v) * sp.exp(-th)),
    }
    total = mean(sp.diff(f(sig(z / lam)), th), u)
    for b, zt in given.items():
        pb = (p if b else 1 - p).subs(th, theta)
        total -= pb * (b - p.subs(th, theta)) * mean(f(sig(zt / lam)), v)
        total -= pb * mean(sp.diff(f(sig(zt / lam)), th), v)
    return sp.simplify(total)


@dataclass(frozen=True)
class VarianceGrid:
    """REBAR's single-sample variance over a grid of ``(eta, temperature)`` at one ``theta``.

    ``variance[i, j]`` is at ``etas[i]``, ``temperatures[j]``, computed exactly
    from the sample moments of ``A`` and ``B`` (every grid point uses the same
    ``n`` pairs of uniforms). ``optimal_eta[j] = -Cov(A, B) / Var(B)`` and
    ``optimal_variance[j]`` are the best ``eta`` and its variance at each
    temperature; ``reinforce_variance`` is ``Var(A)`` (``eta = 0``), and
    ``baseline_variance`` that of REINFORCE with the mean baseline ``L(theta)``.
    """

    theta: float
    target: float
    n: int
    etas: np.ndarray
    temperatures: np.ndarray
    variance: np.ndarray
    optimal_eta: np.ndarray
    optimal_eta_se: np.ndarray
    optimal_variance: np.ndarray
    reinforce_variance: float
    baseline_variance: float

    @property
    def saving(self) -> np.ndarray:
        """``1 - Var(A + eta* B) / Var(A)`` at each temperature: the best REBAR's saving."""
        return 1 - self.optimal_variance / self.reinforce_variance

    @property
    def baseline_saving(self) -> float:
        """The saving of REINFORCE with the mean baseline ``L(theta)``."""
        return 1 - self.baseline_variance / self.reinforce_variance

    @property
    def best(self) -> tuple[float, float, float]:
        """``(temperature, eta*, variance)`` of the smallest variance over the temperatures."""
        j = int(np.argmin(self.optimal_variance))
        return (
            float(self.temperatures[j]),
            float(self.optimal_eta[j]),
            float(self.optimal_variance[j]),
        )


def rebar_variance_grid(
    theta: float,
    target: float,
    etas: Sequence[float],
    temperatures: Sequence[float],
    n: int = 100_000,
    rng=None,
) -> VarianceGrid:
    """REBAR's variance against REINFORCE's over ``etas`` x ``temperatures``, at ``theta``.

    ``optimal_eta_se`` is the delta-method standard error of ``eta*`` from the
    ``n`` samples. The same ``(u, v)`` are used at every grid point.
    """
    n = _check_count(n, "n", 4)
    etas = np.asarray(as_float_array(etas, "etas", np.float64), dtype=np.float64).ravel()
    lams = check_tau(temperatures, np.float64, "temperatures").ravel()
    theta, target = float(_float(theta, "theta")), float(_float(target, "target"))
    uv = as_generator(rng).random((n, 2))
    args = _noise_unchecked(np.float64(theta), np.float64(target), uv[:, 0], uv[:, 1])
    var = np.empty((etas.size, lams.size))
    eta_star, eta_se, var_star = (np.empty(lams.size) for _ in range(3))
    a = None
    for j, lam in enumerate(lams):
        a, b = _rebar_parts(*args, lam)
        cov = np.cov(a, b)
        var[:, j] = cov[0, 0] + 2 * etas * cov[0, 1] + etas**2 * cov[1, 1]
        eta_star[j] = -cov[0, 1] / cov[1, 1]
        # eta* is the regression slope of -A on B: its standard error is that of a slope.
        resid = a + eta_star[j] * b
        eta_se[j] = math.sqrt(resid.var(ddof=2) / (n * cov[1, 1]))
        var_star[j] = cov[0, 0] - cov[0, 1] ** 2 / cov[1, 1]
    base = a - objective(theta, target) * (args[3] - args[4])
    return VarianceGrid(
        theta,
        target,
        n,
        etas,
        lams,
        var,
        eta_star,
        eta_se,
        var_star,
        float(a.var(ddof=1)),
        float(base.var(ddof=1)),
    )


def limit_eta(theta, target):
    """The variance-optimal ``eta`` of REBAR in the limit ``lambda -> infinity``.

    ``sigmoid(z / lambda) = 1/2 + z / (4 lambda) + O(lambda^-3)``, so
    ``eta f(sigmoid(z / lambda)) -> eta (1/2 - t)^2``, a constant, and the two
    reparameterised terms vanish like ``eta / lambda``: REBAR tends to REINFORCE
    with the constant baseline ``eta (1/2 - t)^2``. The best constant is
    :func:`optimal_baseline` ``c*``, so ``eta* -> c* / (1/2 - t)^2`` (infinite at
    ``t = 1/2``, where the limit baseline is 0 for every ``eta``).
    """
    c = optimal_baseline(theta, target)
    c0 = (0.5 - _float(target, "target")) ** 2
    with np.errstate(divide="ignore"):
        return np.divide(c, c0)[()]


def optimal_baseline(theta, target):
    """The variance-optimal constant baseline of REINFORCE: ``(1 - t)^2 (1 - p) + t^2 p``.

    It minimises ``E[(f(b) - c)^2 (b - p)^2]``; with it every estimate equals the
    exact gradient, so its variance is 0 (a fact of a single binary variable).
    """
    theta, target = broadcast(theta=_float(theta, "theta"), target=_float(target, "target"))
    p = _sigmoid(theta)
    return ((1 - target) ** 2 * (1 - p) + target**2 * p)[()]


# --- RELAX: the control-variate family ---------------------------------------------------


@dataclass(frozen=True)
class PhiLayout:
    """Where each parameter of ``c_phi`` sits in the flat vector ``phi`` (``hidden = H``)."""

    hidden: int

    @property
    def size(self) -> int:
        return 3 + 3 * self.hidden

    def split(self, phi: np.ndarray):
        """``eta, log_lambda, d, a, w, c`` of ``phi`` (last axis ``size``), as views."""
        h = self.hidden
        return (
            phi[..., 0],
            phi[..., 1],
            phi[..., 2],
            phi[..., 3 : 3 + h],
            phi[..., 3 + h : 3 + 2 * h],
            phi[..., 3 + 2 * h :],
        )


def _check_phi(phi) -> tuple[np.ndarray, PhiLayout]:
    phi = _float(phi, "phi")
    if phi.ndim < 1 or phi.shape[-1] < 3 or (phi.shape[-1] - 3) % 3:
        raise ValueError(f"phi must have a last axis of length 3 + 3 H; got shape {phi.shape}")
    return phi, PhiLayout((phi.shape[-1] - 3) // 3)


def _cv(phi: np.ndarray, layout: PhiLayout, z: np.ndarray, target, grads: bool, rows=None):
    """``c(z), dc/dz`` and, if ``grads``, their ``phi``-gradients (parameter axis -2).

    ``phi`` has shape ``(..., P)`` and ``z`` shape ``(..., m)``; the gradients have
    shape ``(..., P, m)``, or only the parameters where the boolean mask ``rows``
    (length ``P``, whole blocks of :meth:`PhiLayout.split`) is true. The network is
    evaluated only when it contributes: when some output weight ``a`` is non-zero or
    a gradient of ``a``, ``w`` or ``c`` is asked for (with ``a = 0`` it adds exactly 0).
    """
    eta, log_lam, d, a, w, c = (x[..., None] for x in layout.split(phi))  # (..., 1), (..., H, 1)
    h = layout.hidden
    keep = np.ones(layout.size, dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    block = [keep[0], keep[1], keep[2], keep[3 : 3 + h].any(), keep[3 + h : 3 + 2 * h].any()]
    block.append(keep[3 + 2 * h :].any())
    lam = np.exp(log_lam)
    q = z / lam
    s, k = _sig_and_slope(q)
    gap = s - target
    value = eta * gap**2 + d
    slope = eta * 2 * gap * k / lam
    network = bool(np.any(a != 0)) or (grads and any(block[3:]))
    if network:
        zz = z[..., None, :]  # (..., 1, m)
        with np.errstate(invalid="ignore"):
            th = np.tanh(w * zz + c)  # (..., H, m)
        sech2 = 1 - th**2
        value = value + np.sum(a * th, axis=-2)
        slope = slope + np.sum(a * w * sech2, axis=-2)
    if not grads:
        return value, slope, None, None
    # The Concrete part: with q = z / lambda, dq / dlog(lambda) = -q.
    qk = np.where(k > 0, q * k, 0.0)
    g = 2 * gap * k  # d f(sigmoid(q)) / dq
    dg = 2 * k * (k + gap * (1 - 2 * s))  # d g / dq
    qdg = np.where(k > 0, q * dg, 0.0)
    value_rows = [
        lambda: (gap**2)[..., None, :],
        lambda: (eta * 2 * gap * -qk)[..., None, :],
        lambda: np.ones_like(z)[..., None, :],
    ]
    slope_rows = [
        lambda: (g / lam)[..., None, :],
        lambda: (eta * (-qdg - g) / lam)[..., None, :],
        lambda: np.zeros_like(z)[..., None, :],
    ]
    if network:
        zs = np.where(sech2 > 0, zz * sech2, 0.0)
        value_rows += [lambda: th, lambda: a * zs, lambda: a * sech2]
        slope_rows += [
            lambda: w * sech2,
            lambda: a * sech2 - 2 * a * w * zs * th,
            lambda: -2 * a * w * sech2 * th,
        ]
    d_value = np.concatenate([f() for f, on in zip(value_rows, block, strict=False) if on], axis=-2)
    d_slope = np.concatenate([f() for f, on in zip(slope_rows, block, strict=False) if on], axis=-2)
    return value, slope, d_value, d_slope


def control_variate(z, phi, target):
    """``c_phi(z)``, ``dc_phi/dz``, and their gradients with respect to ``phi``.

    ``phi`` is one flat parameter vector (:class:`PhiLayout`); ``z`` is an array of
    logit-space samples. Returns ``(c, dc/dz, dc/dphi, d(dc/dz)/dphi)``, the last
    two with the parameter axis first (shape ``(P,) + z.shape``).
    """
    phi, layout = _check_phi(phi)
    if phi.ndim != 1:
        raise ValueError(f"phi must be one parameter vector; got shape {phi.shape}")
    z = as_float_array(z, "z", np.float64)
    target = float(_float(target, "target"))
    flat = z.reshape(1, -1)
    c, dc, dphi, dslope = _cv(phi[None, :], layout, flat, target, True)
    shape = z.shape
    return (
        c.reshape(shape)[()],
        dc.reshape(shape)[()],
        dphi[0].reshape((layout.size,) + shape),
        dslope[0].reshape((layout.size,) + shape),
    )


def _relax(phi, layout, theta, target, z, b, p, zt, dzt, grads: bool, rows=None):
    # One call on (z~, z) side by side: half the per-call overhead of the training loop.
    m = zt.shape[-1]
    both = np.concatenate([zt, z], axis=-1)
    c, dc, dphi, dslope = _cv(phi, layout, both, target, grads, rows)
    c_zt, dc_zt, dc_z = c[..., :m], dc[..., :m], dc[..., m:]
    if grads:
        dphi_zt, dslope_zt, dslope_z = dphi[..., :m], dslope[..., :m], dslope[..., m:]
    score = b - p
    g = ((b - target) ** 2 - c_zt) * score + dc_z - dc_zt * dzt
    if not grads:
        return g, None
    dg = -dphi_zt * score[..., None, :] + dslope_z - dslope_zt * dzt[..., None, :]
    return g, dg


def _relax_public(theta, target, u, v, phi, grads: bool):
    phi, layout = _check_phi(phi)
    if phi.ndim != 1:
        raise ValueError(f"phi must be one parameter vector; got shape {phi.shape}")
    target = float(_float(target, "target"))
    theta, _, z, b, p, zt, dzt = _noise(theta, target, u, v)
    shape = z.shape
    th, z, b, p, zt, dzt = (np.reshape(x, (1, -1)) for x in (theta, z, b, p, zt, dzt))
    g, dg = _relax(phi[None, :], layout, th, target, z, b, p, zt, dzt, grads)
    return g.reshape(shape)[()], None if dg is None else dg[0].reshape((layout.size,) + shape)


def relax(theta, target, u, v, phi):
    """RELAX estimates of ``dL/dtheta`` with the control variate ``c_phi``, one per ``(u, v)``.

    ``theta``, ``u`` and ``v`` broadcast together; ``target`` is one number and
    ``phi`` one flat parameter vector (:class:`PhiLayout`). Unbiased for every ``phi``.
    """
    return _relax_public(theta, target, u, v, phi, grads=False)[0]


def relax_and_phi_gradient(theta, target, u, v, phi):
    """RELAX estimates ``g`` and ``dg/dphi`` (parameter axis first), for the variance gradient.

    The single-sample estimate of ``d Var(g) / d phi`` is ``2 g dg/dphi``.
    """
    return _relax_public(theta, target, u, v, phi, grads=True)


def initial_phi(hidden: int = 5, eta: float = 1.0, temperature: float = 0.5, rng=None):
    """The starting ``phi``: REBAR's Concrete term (``eta``, ``temperature``) plus ``r = 0``.

    The hidden weights ``w`` and biases ``c`` are standard normal draws from
    ``rng``; the output weights ``a`` and the bias ``d`` are 0, so that ``c_phi``
    starts as REBAR's control variate.
    """
    hidden = _check_count(hidden, "hidden", 1)
    t = float(check_tau(temperature, np.float64, "temperature"))
    rng = as_generator(rng)
    layout = PhiLayout(hidden)
    phi = np.zeros(layout.size)
    phi[0], phi[1] = float(_float(eta, "eta")), math.log(t)
    phi[3 + hidden :] = rng.standard_normal(2 * hidden)
    return phi


#: The fixed ``phi`` of the registry's "RELAX" entry (``gradients.ESTIMATORS``): ``eta = 1``,
#: ``log lambda`` replaced by ``log tau`` at the call, ``d = 0.05`` and a five-unit network
#: with the weights below. It is an arbitrary, non-trivial control variate, not a trained one:
#: RELAX is unbiased for every ``phi``, and the registry entry is there to test that.
REFERENCE_PHI = np.array(
    [1.0, 0.0, 0.05]
    + [0.10, -0.05, 0.08, -0.10, 0.05]  # a
    + [-2.0, -1.0, 0.5, 1.0, 2.0]  # w
    + [0.5, -0.5, 0.0, 0.25, -0.25]  # c
)
REFERENCE_PHI.flags.writeable = False


# --- Joint training of theta and phi ----------------------------------------------------

#: The methods :func:`train` runs, and which parameters of ``phi`` each one learns.
#: "REBAR" learns ``eta`` and ``log lambda`` (its Concrete relaxation keeps its fixed form),
#: "RELAX" learns all of ``phi``, "baseline" only the constant ``d`` (REINFORCE with a learned
#: constant baseline, trained by the same variance gradient), "REINFORCE" and "exact" nothing.
METHODS = ("exact", "REINFORCE", "baseline", "REBAR", "RELAX")


def _trainable(method: str, layout: PhiLayout) -> np.ndarray:
    mask = np.zeros(layout.size, dtype=bool)
    if method == "REBAR":
        mask[:2] = True
    elif method == "RELAX":
        mask[:] = True
    elif method == "baseline":
        mask[2] = True
    return mask


@dataclass(frozen=True)
class Training:
    """``chains`` independent runs of one method: iterates, loss, variance, and final ``phi``.

    ``theta[k, s]`` is the logit of run ``s`` after ``k`` steps (``steps + 1``
    rows); ``loss`` is ``L(theta)`` there. ``variance[k, s]`` is the unbiased
    sample variance of the ``batch`` estimates of step ``k`` (in the chosen
    parameterisation); ``phi`` has shape ``(chains, P)``.
    """

    method: str
    target: float
    parameterisation: str
    learning_rate: float
    batch: int
    theta: np.ndarray
    loss: np.ndarray
    variance: np.ndarray
    phi: np.ndarray

    @property
    def probability(self) -> np.ndarray:
        return _sigmoid(self.theta)

    def final_probability_interval(self, false_alarm: float = 0.05) -> tuple[float, float, float]:
        """Mean of the final ``p`` over the runs, and its Student-t interval at ``false_alarm``."""
        return tuple(mean_interval(self.probability[-1], false_alarm))


def train(
    method: str,
    target: float,
    steps: int = 1000,
    chains: int = 16,
    batch: int = 8,
    learning_rate: float = 0.01,
    phi_learning_rate: float = 0.01,
    theta0: float = 0.0,
    hidden: int = 5,
    eta0: float = 1.0,
    temperature0: float = 0.5,
    parameterisation: str = "logit",
    learn_theta: bool = True,
    rng=None,
) -> Training:
    """Adam on ``theta`` with one estimator, and Adam on ``phi`` by the variance gradient.

    Runs ``chains`` independent runs at once. At each step every run draws
    ``batch`` pairs ``(u, v)``, updates ``theta`` with the mean estimate and
    ``phi`` (the parameters ``method`` learns, see :data:`METHODS`) with the mean
    of ``2 g dg/dphi``. ``parameterisation="logit"`` (the book's) descends
    ``theta``; ``"probability"`` (the RELAX paper's) descends ``p`` directly,
    with estimates ``g / (p (1 - p))`` and ``p`` kept in ``[1e-6, 1 - 1e-6]``.
    ``learn_theta=False`` holds ``theta`` at ``theta0`` and trains ``phi`` only.
    Every run starts from ``initial_phi(hidden, eta0, temperature0)`` with its own draw.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if parameterisation not in ("logit", "probability"):
        raise ValueError(
            f"parameterisation must be 'logit' or 'probability'; got {parameterisation!r}"
        )
    steps = _check_count(steps, "steps", 1)
    chains = _check_count(chains, "chains", 1)
    batch = _check_count(batch, "batch", 2)
    for name, lr in (("learning_rate", learning_rate), ("phi_learning_rate", phi_learning_rate)):
        if not float(_float(lr, name)) > 0:
            raise ValueError(f"{name} must be positive; got {lr!r}")
    target = float(_float(target, "target"))
    rng = as_generator(rng)
    layout = PhiLayout(_check_count(hidden, "hidden", 1))
    phi = np.stack([initial_phi(hidden, eta0, temperature0, rng) for _ in range(chains)])  # (S, P)
    if method in ("REINFORCE", "exact", "baseline"):
        phi[:, 0] = 0.0  # no Concrete term
    mask = _trainable(method, layout)
    learns = bool(mask.any())
    theta = np.full(chains, float(_float(theta0, "theta0")))
    p_param = _sigmoid(theta)
    opt_theta = Adam(chains, learning_rate)
    opt_phi = Adam(phi.shape, phi_learning_rate)
    thetas = np.empty((steps + 1, chains))
    estimates = np.empty((steps, chains, batch))
    thetas[0] = theta
    for k in range(steps):
        uv = rng.random((2, chains, batch))
        th = theta[:, None]
        if method == "exact":
            g = np.broadcast_to(exact_gradient(th, target), (chains, batch))
            dg = None
        else:
            noise = _noise_unchecked(th, target, uv[0], uv[1])
            g, dg = _relax(phi, layout, *noise, grads=learns, rows=mask)
        if parameterisation == "probability":
            scale = 1 / (p_param * (1 - p_param))[:, None]
            g = g * scale
            if dg is not None:
                dg = dg * scale[..., None]
        estimates[k] = g
        if learns:
            grad_phi = np.zeros(phi.shape)
            grad_phi[:, mask] = np.mean(2 * g[:, None, :] * dg, axis=-1)
            phi -= opt_phi.step(grad_phi)
        if learn_theta:
            step = opt_theta.step(g.mean(axis=1))
            if parameterisation == "logit":
                theta = theta - step
            else:
                p_param = np.clip(p_param - step, 1e-6, 1 - 1e-6)
                theta = np.log(p_param) - np.log1p(-p_param)
        thetas[k + 1] = theta
    return Training(
        method,
        target,
        parameterisation,
        float(learning_rate),
        batch,
        thetas,
        objective(thetas, target),
        estimates.var(axis=-1, ddof=1),
        phi,
    )


# --- What the chapter runs --------------------------------------------------------------


def conditional_samples(logit: float, n: int, rng=None) -> dict[int, np.ndarray]:
    """``z~`` for ``n`` draws of ``b`` (from ``u``) and ``v``, split by ``b`` (keys 0 and 1)."""
    n = _check_count(n, "n", 1)
    theta = float(_float(logit, "logit"))
    uv = as_generator(rng).random((2, n))
    b = (theta + _logistic(uv[0]) > 0).astype(np.float64)
    zt, _ = sample_and_derivative_unchecked(uv[1], np.float64(theta), b)
    return {k: zt[b == k] for k in (0, 1)}


def conditional_ks(logit: float, n: int, rng=None, false_alarm: float = 1e-6):
    """KS tests of ``z~`` given ``b = 0`` and ``b = 1`` against the derived CDFs.

    Returns ``(samples, checks)``, two dicts keyed by ``b``; each check is a
    :class:`binary_gumbel.verification.montecarlo.KSCheck` at ``false_alarm``.
    """
    from binary_gumbel.conditional_noise import conditional_logistic_cdf
    from binary_gumbel.verification.montecarlo import check_ks

    samples = conditional_samples(logit, n, rng)
    checks = {
        b: check_ks(s, lambda x, b=b: conditional_logistic_cdf(x, logit, b), false_alarm)
        for b, s in samples.items()
    }
    return samples, checks


def experiment(target: float, methods: Sequence[str] = METHODS, rng=0, **settings):
    """:func:`train` for each method with the same seed, so that the runs share their noise.

    Returns ``{method: Training}``; ``settings`` go to :func:`train`.
    """
    return {m: train(m, target, rng=rng, **settings) for m in methods}


@dataclass(frozen=True)
class Comparison:
    """Final ``p`` of two sets of seeded runs, paired by seed (runs with the same index
    share their noise): the :class:`~binary_gumbel.verification.montecarlo.PairedComparison` of
    ``p_a - p_b`` (Student-t interval, one-sided Wilcoxon signed-rank p-value for
    "``a`` ends lower")."""

    a: str
    b: str
    paired: PairedComparison

    @property
    def difference(self) -> float:
        return self.paired.difference

    @property
    def low(self) -> float:
        return self.paired.low

    @property
    def high(self) -> float:
        return self.paired.high

    @property
    def pvalue(self) -> float:
        return self.paired.pvalue

    @property
    def false_alarm(self) -> float:
        return self.paired.false_alarm


def compare_final(a: Training, b: Training, false_alarm: float = 0.05) -> Comparison:
    """Compare the final ``p`` of runs ``a`` and ``b`` (see :class:`Comparison`)."""
    paired = paired_comparison(a.probability[-1], b.probability[-1], false_alarm)
    return Comparison(a.method, b.method, paired)


def learned_relaxation(
    theta: float, target: float, z, steps: int = 1000, chains: int = 8, rng=0, **settings
):
    """Train RELAX's ``phi`` at a fixed ``theta`` and evaluate ``c_phi`` on the grid ``z``.

    Returns ``(training, curves)`` with ``curves`` of shape ``(chains, len(z))``.
    """
    run = train(
        "RELAX",
        target,
        steps=steps,
        chains=chains,
        theta0=theta,
        learn_theta=False,
        rng=rng,
        **settings,
    )
    z = as_float_array(z, "z", np.float64).ravel()
    layout = PhiLayout((run.phi.shape[1] - 3) // 3)
    c, _, _, _ = _cv(run.phi, layout, np.broadcast_to(z, (chains, z.size)), target, False)
    return run, c


def estimator_variance(theta: float, target: float, phi, n: int = 100_000, rng=None) -> float:
    """The single-sample variance of RELAX at ``phi`` (one vector), from ``n`` draws."""
    uv = as_generator(rng).random((2, _check_count(n, "n", 2)))
    return float(np.var(relax(theta, target, uv[0], uv[1], phi), ddof=1))


# --- The chapter's numbers, as the strings its prose shows ------------------------------


def format_ks(checks) -> dict[str, str]:
    """``ks_n0, ks_p0, ks_n1, ks_p1``: sample sizes and KS p-values given ``b = 0`` and ``1``."""
    return {
        "ks_n0": f"{checks[0].n:,}",
        "ks_p0": f"{checks[0].pvalue:.2f}",
        "ks_n1": f"{checks[1].n:,}",
        "ks_p1": f"{checks[1].pvalue:.2f}",
    }


def _at(grid: VarianceGrid, temperature: float) -> int:
    j = int(np.argmin(np.abs(np.log(grid.temperatures / temperature))))
    if not math.isclose(grid.temperatures[j], temperature, rel_tol=1e-9):
        raise ValueError(f"temperature {temperature!r} is not on the grid {grid.temperatures}")
    return j


def _percent(x: float) -> str:
    """``x`` as a percentage, with enough decimals to tell it from 100 % when it is close."""
    if x < 0.99:
        return f"{100 * x:.3g} %"
    decimals = min(6, max(1, math.ceil(-math.log10(max(1 - x, 1e-12))) - 2))
    return f"{100 * x:.{decimals}f} %"


def format_saving(grid: VarianceGrid, small: float = 2.0) -> dict[str, str]:
    """The saving curve's numbers for the prose: REINFORCE's variance, the best saving up
    to the temperature ``small`` (the end of the chapter's first, truncated grid), the
    saving and ``eta*`` at the largest temperature, the ``lambda -> infinity`` limit of
    ``eta*`` (:func:`limit_eta`), the mean baseline's saving, and, if ``eta = 1`` is on
    the grid, the temperatures where ``eta = 1`` does worse than REINFORCE (estimated on
    the grid's samples) and its variance ratio at the largest temperature."""
    low = grid.temperatures <= small
    if not low.any():
        raise ValueError(f"small must be at least the smallest temperature; got {small!r}")
    out = {
        "sv_reinforce": f"{grid.reinforce_variance:.4f}",
        "sv_small": f"{small:g}",
        "sv_small_saving": _percent(float(grid.saving[low].max())),
        "sv_top_lambda": f"{grid.temperatures[-1]:g}",
        "sv_top_saving": _percent(float(grid.saving[-1])),
        "sv_top_eta": f"{grid.optimal_eta[-1]:.4g}",
        "sv_limit_eta": f"{float(limit_eta(grid.theta, grid.target)):.4g}",
        "sv_baseline": _percent(grid.baseline_saving),
    }
    ones = np.flatnonzero(grid.etas == 1.0)
    if ones.size:
        ratio = grid.variance[ones[0]] / grid.reinforce_variance
        worse = [f"{lam:g}" for lam in grid.temperatures[ratio > 1]]
        out["sv_one_worse"] = (
            ", ".join(worse[:-1]) + " and " + worse[-1] if len(worse) > 1 else "".join(worse)
        ) or "none"
        out["sv_one_top"] = f"{ratio[-1]:.3f}"
    return out


def saving_at(grid: VarianceGrid, temperature: float) -> dict[str, str]:
    """``eta*`` (with its standard error) and the best saving at one temperature of the grid."""
    j = _at(grid, temperature)
    return {
        "eta": f"{grid.optimal_eta[j]:.3f}",
        "eta_se": f"{grid.optimal_eta_se[j]:.1g}",
        "saving": _percent(float(grid.saving[j])),
    }


def first_temperature_saving(grid: VarianceGrid, fraction: float) -> float:
    """The smallest temperature of the grid at which the best REBAR saves ``fraction``
    of REINFORCE's variance, or ``inf`` if none does."""
    hits = grid.temperatures[grid.saving >= fraction]
    return float(hits.min()) if hits.size else math.inf


def format_final(runs: dict[str, Training], false_alarm: float = 0.05) -> dict[str, str]:
    """``p_<method>`` as "mean [low, high]" of the final ``p`` over the seeded runs."""
    out = {}
    for name, run in runs.items():
        mean, low, high = run.final_probability_interval(false_alarm)
        key = "p_" + name.lower()
        if mean < 1e-3:
            out[key] = f"{scientific(mean)} [{scientific(max(low, 0.0))}, {scientific(high)}]"
        else:
            out[key] = f"{mean:.3f} [{max(low, 0.0):.3f}, {high:.3f}]"
    return out


def format_direction(cmp: Comparison) -> str:
    """Where ``a`` ends against ``b``, as the interval of ``p_a - p_b`` decides: "lower than",
    "higher than", or "not resolved from" when the interval contains 0."""
    if cmp.high < 0:
        return "lower than"
    if cmp.low > 0:
        return "higher than"
    return "not resolved from"


def format_comparison(cmp: Comparison) -> str:
    """ "difference [low, high] (one-sided Wilcoxon signed-rank p = ...)" for the prose."""
    return (
        f"{cmp.difference:+.3f} [{cmp.low:+.3f}, {cmp.high:+.3f}]".replace("-", "−")
        + f" (one-sided Wilcoxon signed-rank p = {scientific(cmp.pvalue)})"
    )
