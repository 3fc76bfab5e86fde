"""Hard concrete gates on the weights of a linear regression, trained by stochastic gradient.

Louizos, Welling & Kingma (2018, arXiv:1712.01312): each weight is ``w_j = theta_j z_j``
with a hard concrete gate ``z_j`` (:mod:`binary_gumbel.hard_concrete`) of logit
``logit_j``, and they minimise

    E_u[(1/n) ||y - X (theta * z(logit, u))||^2] + lambda sum_j P(z_j != 0)

by stochastic gradient: the first term through the reparameterised gate ``z(logit, u)``
(its derivative in ``logit`` is ``(zeta - gamma) s (1 - s) / tau`` where the gate is not
clipped, 0 where it is), the second through its closed form
``P(z != 0) = sigmoid(logit - tau log(-gamma / zeta))`` (their Eq. 12,
:func:`binary_gumbel.hard_concrete.expected_l0`). At test time the gate is their
deterministic (Eq. 13) ``z_hat = min(1, max(0, sigmoid(logit) (zeta - gamma) + gamma))`` and
the selected support is ``{j : z_hat_j > 0}``.

Everything is vectorised over datasets (seeds) and penalty weights, so that a whole sweep
trains in one loop of Adam steps (Kingma & Ba 2015) with ``d x d`` Gram matrices
(:class:`binary_gumbel.estimators.sparse_regression.Problem`); no step touches the ``n``
observations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_no_nan,
    check_penalty,
    check_stretch,
    check_tau,
    finite_float64,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.optim import Adam
from binary_gumbel.estimators.sparse_data import Problem
from binary_gumbel.hard_concrete import (
    GAMMA,
    ZETA,
    expected_l0,
    expected_l0_grad,
    hard_concrete_moments,
)

__all__ = [
    "GateFit",
    "REFERENCE_LOGIT_BOUNDS",
    "expected_fit",
    "expected_objective",
    "gate_and_derivative",
    "objective_and_gradients",
    "refitted_objective",
    "test_gate",
    "train_gates",
]

#: The smallest normal double: below it a square loses digits (:func:`expected_fit`); the
#: smallest uniform :func:`train_gates` draws.
_TINY = np.finfo(np.float64).tiny


def gate_and_derivative(logit, tau, u, gamma=GAMMA, zeta=ZETA):
    """The gate ``z(logit, u)`` and ``dz / dlogit``, elementwise, for training.

    ``s = sigmoid((logit + log u - log(1 - u)) / tau)``, ``z = clip(gamma + (zeta - gamma) s)``
    (the same ``z`` as :func:`binary_gumbel.hard_concrete.hard_concrete_from_uniform`);
    ``dz/dlogit = (zeta - gamma) s (1 - s) / tau`` where ``0 < gamma + (zeta - gamma) s < 1``
    and 0 where the gate is clipped. Inputs are float arrays with ``0 < u < 1``
    (the training loop's own; no checks here).
    """
    s, ds = _kernels.concrete(logit + _kernels.logistic(u), tau)
    stretched = gamma + (zeta - gamma) * s
    inside = (stretched > 0) & (stretched < 1)
    with np.errstate(over="ignore"):  # at tau below about 1.7e-309: inf, the limit
        dz = np.where(inside, (zeta - gamma) * ds, 0.0)
    return _kernels.stretch_and_clip(s, gamma, zeta), dz


def objective_and_gradients(theta, logit, G, b, lam, u, tau, gamma=GAMMA, zeta=ZETA):
    """The sampled objective and its reparameterised gradients in ``theta`` and ``logit``.

    For gates ``z = z(logit, u)`` (:func:`gate_and_derivative`), one per draw on the
    first axis of ``u``, the objective is the mean over draws of
    ``(1/n)||y - X (theta * z)||^2 - c = w'G w - 2 b'w`` (``w = theta * z``; the constant
    ``c = y'y / n`` is left out) plus ``lam sum_j P(z_j != 0)`` in closed form. Its
    gradients: ``d/dtheta = mean(grad_w * z)`` and
    ``d/dlogit = mean(grad_w * theta * dz/dlogit) + lam sigmoid(v) sigmoid(-v)``, with
    ``grad_w = 2 (G w - b)`` (so at ``theta = 0`` only the penalty moves the logits) and
    ``v = logit - tau log(-gamma / zeta)``: the penalty and its gradient are
    :func:`binary_gumbel.hard_concrete.expected_l0` and ``expected_l0_grad``.

    Shapes: ``theta`` and ``logit`` ``(seeds, k, d)``, ``G`` ``(seeds, d, d)``, ``b``
    ``(seeds, d)``, ``lam`` broadcasting against ``theta`` and ``u``
    ``(draws, seeds, k, d)`` with ``0 < u < 1``. Returns ``(objective, (d_theta,
    d_logit))`` with the objective of shape ``(seeds, k)``.
    """
    z, dz = gate_and_derivative(logit, tau, u, gamma, zeta)
    w = theta * z
    Gw = np.einsum("ksld,sde->ksle", w, G)
    fit = np.mean(np.sum(w * Gw, axis=-1) - 2 * np.sum(w * b[None, :, None, :], axis=-1), axis=0)
    penalty = np.sum(lam * expected_l0(logit, tau, gamma, zeta), axis=-1)
    grad_w = 2 * (Gw - b[None, :, None, :])
    d_theta = np.mean(grad_w * z, axis=0)
    d_logit = np.mean(grad_w * theta * dz, axis=0) + lam * expected_l0_grad(logit, tau, gamma, zeta)
    return fit + penalty, (d_theta, d_logit)


def _one_dataset(G, b, c):
    """``G`` and ``b`` as finite float arrays, ``c`` as a finite float, and ``d``, after checking
    that they describe one dataset (``ValueError`` or ``TypeError`` naming the argument)."""
    G, b = finite_float64(G, "G"), finite_float64(b, "b")
    d = b.shape[-1] if b.ndim == 1 else -1
    if G.shape != (d, d):
        raise ValueError(f"G must be (d, d) and b (d,) for one dataset; got {G.shape}, {b.shape}")
    return G, b, finite_number(c, "c"), d


def _penalty(logit, lam, tau, gamma, zeta):
    """``lam sum_j P(z_j != 0)`` over the last axis, for a finite, non-negative scalar ``lam``."""
    lam = single_number(check_penalty(lam), "lam")
    return lam * np.sum(expected_l0(logit, tau, gamma, zeta), axis=-1)


def expected_fit(mean, variance, G, b, c):
    """The gated regression's expected training error, minimised over ``theta``.

    With independent gates of mean ``m_j`` and variance ``v_j`` and ``w = theta * m``,

        E_u[(1/n)||y - X (theta * z)||^2] = c - 2 b'w + w'G w + sum_j (v_j / m_j^2) G_jj w_j^2,

    because ``E[theta_j z_j theta_k z_k] = w_j w_k`` off the diagonal and
    ``theta_j^2 E z_j^2 = w_j^2 (1 + v_j / m_j^2)`` on it: the random gates act on the
    mean weights as a ridge penalty of strength ``(v_j / m_j^2) G_jj`` per feature. Its
    minimiser is ``w = (G + diag(r G_jj))^(-1) b``, ``r = v / m^2``, with ``w_j = 0`` for
    a gate that is always shut (``m_j = 0``), and the minimum is ``c - b'w``. The strength
    ``r_j`` is the gate's relative variance: 0 for a gate that is always 1, and unbounded as
    the gate shuts, where the fit tends continuously to least squares without feature ``j``;
    a gate whose ``G_jj (1 + r_j)`` is beyond the largest double is taken at that limit, as shut.

    Shapes: ``mean`` and ``variance`` ``(..., d)`` for one dataset, ``G`` ``(d, d)``,
    ``b`` ``(d,)`` and ``c`` a single number (:meth:`Problem.gram` of that dataset), all
    finite. Returns ``(fit, w)``, of shapes ``(...)`` and ``(..., d)``.

    Where the system ``G + diag(r G_jj)`` is singular (a duplicated feature, or one that is 0
    throughout, with its gate always on), the minimiser is not unique but the minimum is: ``w``
    is then the minimiser of least norm (the pseudo-inverse's), and ``fit`` the minimum.
    """
    G, b, c, d = _one_dataset(G, b, c)
    mean, variance = np.broadcast_arrays(
        as_float_array(mean, "mean", np.float64), as_float_array(variance, "variance", np.float64)
    )
    if mean.shape[-1:] != (d,):
        raise ValueError(f"mean must have d = {d} features on its last axis; got {mean.shape}")
    if np.any(~((mean >= 0) & (mean <= 1) & (variance >= 0))):
        raise ValueError("mean must lie in [0, 1] and variance be non-negative, without NaN")
    # r = v / m^2, or (sqrt(v) / m)^2 where m^2 is below the normal doubles (v / m^2 would
    # lose digits there, or divide by an m^2 that underflowed to 0). A gate whose diagonal
    # G_jj + r G_jj is beyond the doubles (or whose m is 0: 0 / 0) takes its limit, shut.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        square = mean**2
        ratio = np.where(square >= _TINY, variance / square, (np.sqrt(variance) / mean) ** 2)
        diagonal = np.diag(G) + ratio * np.diag(G)
    shut = ~np.isfinite(diagonal)
    on_diagonal = np.eye(d, dtype=bool)
    system = np.where(on_diagonal, diagonal[..., None, :], G)
    # A shut gate's row and column become the identity's, so that its weight is 0.
    off = shut[..., :, None] | shut[..., None, :]
    system = np.where(off, on_diagonal, system)
    rhs = np.where(shut, 0.0, b)[..., None]
    try:
        w = np.linalg.solve(system, rhs)[..., 0]
    except np.linalg.LinAlgError:  # singular: the least-norm minimiser
        w = (np.linalg.pinv(system) @ rhs)[..., 0]
    return c - np.sum(b * w, axis=-1), w


def refitted_objective(logit, G, b, c, lam, tau, gamma=GAMMA, zeta=ZETA):
    """The exact expected objective at given gate logits, with ``theta`` at its best for them.

    :func:`expected_fit` of the gates' moments
    (:func:`binary_gumbel.hard_concrete.hard_concrete_moments`) plus the penalty
    ``lam sum_j P(z_j != 0)`` (:func:`binary_gumbel.hard_concrete.expected_l0`): the
    objective that :func:`train_gates` estimates by sampling, minimised over ``theta``.
    ``logit`` is ``(..., d)`` for one dataset; ``lam`` a finite, non-negative scalar; the rest as
    in :func:`expected_fit`. Returns ``(objective, w)``.
    """
    penalty = _penalty(logit, lam, tau, gamma, zeta)
    mean, variance = hard_concrete_moments(logit, tau, gamma, zeta)
    fit, w = expected_fit(mean, variance, G, b, c)
    return fit + penalty, w


def expected_objective(theta, logit, G, b, c, lam, tau, gamma=GAMMA, zeta=ZETA):
    """The exact expected objective at given weights ``theta`` and gate logits.

    ``c - 2 b'w + w'G w + sum_j theta_j^2 Var(z_j) G_jj + lam sum_j P(z_j != 0)`` with
    ``w = theta * E z`` (the expansion of :func:`expected_fit`, before minimising over
    ``theta``): what :func:`objective_and_gradients` samples, with ``c = y'y / n`` put back.
    It is never below :func:`refitted_objective` at the same logits. ``theta`` and
    ``logit`` broadcast, with ``d`` features on the last axis, for one dataset.
    """
    penalty = _penalty(logit, lam, tau, gamma, zeta)
    G, b, c, d = _one_dataset(G, b, c)
    mean, variance = hard_concrete_moments(logit, tau, gamma, zeta)
    theta, mean, variance = np.broadcast_arrays(np.asarray(theta, np.float64), mean, variance)
    if theta.shape[-1:] != (d,):
        raise ValueError(f"theta and logit must have d = {d} features on their last axis")
    w = theta * mean
    fit = c - 2 * w @ b + np.einsum("...j,jk,...k->...", w, G, w)
    spread = np.sum(theta**2 * variance * np.diag(G), axis=-1)
    return fit + spread + penalty


def test_gate(logit, gamma=GAMMA, zeta=ZETA) -> np.ndarray:
    """Louizos et al.'s test-time gate ``clip(sigmoid(logit)(zeta - gamma) + gamma, 0, 1)``.

    Their Eq. (13); in their released code ``sample_z(..., sample=False)`` in
    ``l0_layers.py``. A feature is selected where it is positive. ``logit`` is real numbers
    without NaN (``-inf`` and ``inf`` give 0 and 1, the limits); ``gamma`` and ``zeta`` a
    stretch as :func:`binary_gumbel._validation.check_stretch` takes it (``gamma < 0``,
    ``zeta > 1``, a width within the doubles); ``ValueError`` naming them otherwise.
    """
    logit = check_no_nan(as_float_array(logit, "logit"), "logit")
    gamma, zeta = check_stretch(gamma, zeta, logit.dtype)
    return _kernels.stretch_and_clip(_kernels.sigmoid(logit), gamma, zeta)


test_gate.__test__ = False  # a library function, not a pytest test


@dataclass(frozen=True)
class GateFit:
    """Trained gated weights: ``theta`` and gate logits ``logit``, ``(seeds, len(lam), d)``.

    ``last_flip`` has the same shape: the last step (1 to ``steps``) after which the
    gate's selection (``test_gate > 0``) changed, 0 if it never did.
    """

    theta: np.ndarray
    logit: np.ndarray
    lam: np.ndarray
    tau: float
    gamma: float
    zeta: float
    steps: int
    last_flip: np.ndarray

    @property
    def test_gate(self) -> np.ndarray:
        """:func:`test_gate` of the trained logits."""
        return test_gate(self.logit, self.gamma, self.zeta)

    @property
    def support(self) -> np.ndarray:
        """The selected features, ``test_gate > 0``."""
        return self.test_gate > 0

    @property
    def weights(self) -> np.ndarray:
        """The test-time weights ``theta * test_gate``."""
        return self.theta * self.test_gate


#: The reference code's bounds on the logit, ``[log 0.01, log 100]`` (``constrain_parameters``
#: in ``l0_layers.py``, applied after every optimiser step by ``train_lenet5.py``).
REFERENCE_LOGIT_BOUNDS = (math.log(1e-2), math.log(1e2))


def train_gates(
    problem: Problem,
    lam,
    *,
    tau: float = 2 / 3,
    gamma: float = GAMMA,
    zeta: float = ZETA,
    steps: int = 1500,
    learning_rate: float = 0.05,
    samples: int = 2,
    init_logit: float = 0.0,
    logit_bounds: tuple[float, float] | None = None,
    start: GateFit | None = None,
    rng=None,
) -> GateFit:
    """Fit gated weights to every dataset of ``problem`` at every penalty weight in ``lam``.

    Minimises ``E_u[(1/n)||y - X (theta * z)||^2] + lam sum_j P(z_j != 0)`` by Adam
    (``learning_rate``, betas 0.9 and 0.999), estimating the first term's gradient with
    ``samples`` reparameterised gate draws per step and taking the penalty's gradient
    from its closed form. ``theta`` starts at 0 and every gate logit at ``init_logit``, a
    finite number; ``steps`` and ``samples`` are positive integers, ``learning_rate`` a
    positive finite number (:class:`binary_gumbel.estimators.optim.Adam`).
    The default 0 is what Louizos et al.'s released code sets for its default
    ``droprate_init = 0.5``; the gate's ``P(z = 0)`` there is not 1/2 but
    ``sigmoid(tau log(-gamma / zeta))``, 0.168 at ``tau = 2/3``, their temperature
    (:func:`binary_gumbel.hard_concrete.logit_for_prob_zero`).

    ``logit_bounds = (low, high)`` clips the logits after every step, as the released
    code does with :data:`REFERENCE_LOGIT_BOUNDS`; ``None`` (the default) leaves them
    free. ``start``, a fit of the same problem and ``lam``, continues its ``theta`` and
    logits instead of starting afresh, with new Adam moments; its settings (``tau``,
    ``gamma``, ``zeta``) are used and the step count restarts at 1.
    """
    if start is not None:
        tau, gamma, zeta = start.tau, start.gamma, start.zeta
    tau = single_number(check_tau(tau), "tau")
    gamma, zeta = check_stretch(gamma, zeta)
    gamma, zeta = single_number(gamma, "gamma"), single_number(zeta, "zeta")
    lam = np.atleast_1d(check_penalty(lam))
    if lam.ndim != 1:
        raise ValueError(f"lam must be a number or a 1-D array; got shape {lam.shape}")
    steps, samples = check_count(steps, "steps", 0), check_count(samples, "samples", 0)
    if steps < 1 or samples < 1:
        raise ValueError(f"steps and samples must be positive; got {steps}, {samples}")
    init_logit = finite_number(init_logit, "init_logit")
    if logit_bounds is not None and not logit_bounds[0] < logit_bounds[1]:
        raise ValueError(f"logit_bounds must be (low, high) with low < high; got {logit_bounds}")
    rng = as_generator(rng)
    G, b, _ = problem.gram()
    shape = (problem.seeds, lam.size, G.shape[-1])
    if start is None:
        theta, logit = np.zeros(shape), np.full(shape, float(init_logit))
    elif start.theta.shape == shape and np.array_equal(start.lam, lam):
        theta, logit = start.theta.copy(), start.logit.copy()
    else:
        raise ValueError("start must be a fit of the same problem and lam")
    params = [theta, logit]
    optimisers = [Adam(shape, learning_rate), Adam(shape, learning_rate)]
    lam_b = lam[None, :, None]
    selected = test_gate(logit, gamma, zeta) > 0
    last_flip = np.zeros(shape, dtype=np.int64)
    for step in range(1, steps + 1):
        u = rng.random((samples, *shape))
        np.clip(u, _TINY, 1 - 2**-53, out=u)
        _, grads = objective_and_gradients(theta, logit, G, b, lam_b, u, tau, gamma, zeta)
        for p, g, optimiser in zip(params, grads, optimisers, strict=True):
            p -= optimiser.step(g)
        if logit_bounds is not None:
            np.clip(logit, *logit_bounds, out=logit)
        now = test_gate(logit, gamma, zeta) > 0
        last_flip[now != selected] = step
        selected = now
    return GateFit(theta, logit, lam, tau, gamma, zeta, steps, last_flip)
