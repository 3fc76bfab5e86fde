"""L0-regularised sparse linear regression with hard concrete gates, against exact best subset.

The problem, for a design ``X`` (``n x d``) and response ``y``, is the L0-penalised
least-squares objective

    R_lambda(w) = (1/n) ||y - X w||^2 + lambda ||w||_0 .

With ``d = 12`` it is solved exactly by enumerating the ``2^12 = 4096`` supports:
for each support ``S`` the least-squares fit on ``S`` gives the smallest mean squared
error ``m_S``, and the optimum is the ``S`` minimising ``m_S + lambda |S|``
(:func:`enumerate_subsets`, :func:`best_subset`).

Louizos, Welling & Kingma (2018, arXiv:1712.01312) relax it instead: each
weight is ``w_j = theta_j z_j`` with a hard concrete gate ``z_j``
(:mod:`binary_gumbel.hard_concrete`) of logit ``phi_j``, and they minimise

    E_u[(1/n) ||y - X (theta * z(phi, u))||^2] + lambda sum_j P(z_j != 0)

by stochastic gradient: the first term through the reparameterised gate
``z(phi, u)`` (its derivative in ``phi`` is ``(zeta - gamma) s (1 - s) / tau`` where
the gate is not clipped, 0 where it is), the second through its closed form
``P(z != 0) = sigmoid(phi - tau log(-gamma / zeta))`` (their Eq. 12), whose derivative is
``sigmoid(w) sigmoid(-w)``. At test time the gate is Louizos et al.'s deterministic (Eq. 13)
``z_hat = min(1, max(0, sigmoid(phi) (zeta - gamma) + gamma))`` and the selected
support is ``{j : z_hat_j > 0}``.

Everything here is vectorised over datasets (seeds) and penalty weights, so that a
whole sweep trains in one loop of Adam steps (Kingma & Ba 2015) with ``d x d`` Gram
matrices; no step touches the ``n`` observations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import as_generator, check_gamma, check_tau, check_zeta
from binary_gumbel.estimators.optim import Adam
from binary_gumbel.hard_concrete import GAMMA, ZETA, expected_l0, expected_l0_grad
from binary_gumbel.verification import montecarlo

__all__ = [
    "Comparison",
    "GateFit",
    "Problem",
    "REFERENCE_LOGIT_BOUNDS",
    "Subsets",
    "SweepRow",
    "best_subset",
    "bic_penalty",
    "compare",
    "comparison_text",
    "enumerate_subsets",
    "gate_and_derivative",
    "make_problems",
    "objective_and_gradients",
    "mean_interval",
    "problem_text",
    "proportion_interval",
    "summary_table",
    "sweep",
    "sweep_text",
    "test_gate",
    "test_mse",
    "train_gates",
]

#: The true non-zero weights of the synthetic problem (the other d - 4 are 0).
TRUE_WEIGHTS = (1.0, -0.7, 0.5, -0.3)
#: Where they sit among the 12 features.
TRUE_SUPPORT = (0, 3, 6, 9)


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Synthetic regression datasets, one per seed, stacked on the first axis.

    ``X_train`` is ``(seeds, n, d)`` and ``y_train`` ``(seeds, n)``; the test set has
    ``n_test`` rows per seed. The features are Gaussian with correlation
    ``rho^|i - j|``, the noise Gaussian with standard deviation ``noise_sd``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    weights: np.ndarray
    noise_sd: float
    rho: float
    seed: int

    @property
    def support(self) -> np.ndarray:
        """The true support, a boolean vector of length ``d``."""
        return self.weights != 0

    @property
    def seeds(self) -> int:
        return self.X_train.shape[0]

    def gram(self):
        """``(G, b, c) = (X'X / n, X'y / n, y'y / n)`` per dataset: all the fit needs."""
        n = self.X_train.shape[1]
        G = np.einsum("sni,snj->sij", self.X_train, self.X_train) / n
        b = np.einsum("sni,sn->si", self.X_train, self.y_train) / n
        c = np.einsum("sn,sn->s", self.y_train, self.y_train) / n
        return G, b, c


def make_problems(
    seeds: int = 40,
    n: int = 200,
    n_test: int = 1000,
    d: int = 12,
    weights=TRUE_WEIGHTS,
    support=TRUE_SUPPORT,
    noise_sd: float = 1.0,
    rho: float = 0.5,
    seed: int = 2018,
) -> Problem:
    """``seeds`` independent datasets ``y = X w + noise``, drawn from one seeded generator.

    ``w`` is 0 except ``w[support] = weights``; the rows of ``X`` are
    ``N(0, Sigma)`` with ``Sigma_ij = rho^|i - j|``.
    """
    if len(weights) != len(support) or max(support) >= d or min(support) < 0:
        raise ValueError(f"support must give one index in [0, {d}) per weight")
    if not (int(seeds) > 0 and int(n) > d and int(n_test) > 0):
        raise ValueError(f"need seeds > 0, n > d and n_test > 0; got {seeds}, {n}, {n_test}")
    if not (noise_sd > 0 and -1 < rho < 1):
        raise ValueError(f"need noise_sd > 0 and -1 < rho < 1; got {noise_sd}, {rho}")
    rng = np.random.default_rng(seed)
    w = np.zeros(d)
    w[list(support)] = weights
    idx = np.arange(d)
    chol = np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :]))

    def draw(rows):
        X = rng.standard_normal((seeds, rows, d)) @ chol.T
        return X, X @ w + noise_sd * rng.standard_normal((seeds, rows))

    X_train, y_train = draw(n)
    X_test, y_test = draw(n_test)
    return Problem(X_train, y_train, X_test, y_test, w, float(noise_sd), float(rho), int(seed))


def bic_penalty(problem: Problem) -> float:
    """``noise_sd^2 log(n) / n``: the penalty weight at which ``R_lambda`` is the BIC.

    With the noise variance known, ``n R_lambda / noise_sd^2`` is, up to a constant,
    Schwarz's criterion ``RSS / noise_sd^2 + |S| log n``.
    """
    n = problem.X_train.shape[1]
    return problem.noise_sd**2 * math.log(n) / n


class ProblemText(NamedTuple):
    """The sizes of a :class:`Problem`, formatted for the chapter's prose."""

    seeds: str
    n: str
    n_test: str
    d: str
    k: str
    subsets: str
    weights: str
    noise_sd: str
    rho: str
    seed: str


def problem_text(problem: Problem) -> ProblemText:
    """Formatted sizes and parameters of ``problem``."""
    seeds, n, d = problem.X_train.shape
    nonzero = problem.weights[problem.support]
    return ProblemText(
        seeds=str(seeds),
        n=str(n),
        n_test=f"{problem.X_test.shape[1]:,}",
        d=str(d),
        k=str(int(problem.support.sum())),
        subsets=f"{2**d:,}",
        weights=", ".join(f"{w:g}" for w in nonzero).replace("-", "−"),
        noise_sd=f"{problem.noise_sd:g}",
        rho=f"{problem.rho:g}",
        seed=str(problem.seed),
    )


def test_mse(problem: Problem, weights) -> np.ndarray:
    """Mean squared test error of ``weights`` (``(seeds, ..., d)``) on each seed's test set."""
    weights = np.asarray(weights, dtype=np.float64)
    lead = weights.shape[1:-1]
    w = weights.reshape(problem.seeds, -1, weights.shape[-1])
    pred = np.einsum("snd,skd->skn", problem.X_test, w)
    mse = np.mean((problem.y_test[:, None, :] - pred) ** 2, axis=-1)
    return mse.reshape((problem.seeds, *lead))


test_mse.__test__ = False  # a library function, not a pytest test


# --- exact best subset -----------------------------------------------------------------------


@dataclass(frozen=True)
class Subsets:
    """Every support's least-squares fit, for each dataset.

    ``masks`` is ``(2^d, d)`` (row ``k`` is the binary expansion of ``k``);
    ``weights`` is ``(seeds, 2^d, d)``, zero off each support, and ``mse`` the
    training mean squared error ``(seeds, 2^d)``.
    """

    masks: np.ndarray
    weights: np.ndarray
    mse: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return self.masks.sum(axis=1)


def enumerate_subsets(problem: Problem) -> Subsets:
    """Least squares on every one of the ``2^d`` supports (exact, by batched solves).

    For the support mask ``m`` the normal equations restricted to it are solved as
    ``(m m' * G + diag(1 - m)) w = m * b``, which gives ``w = 0`` off the support.
    The training MSE is ``c - 2 b'w + w'G w = c - b'w``.
    """
    G, b, c = problem.gram()
    d = G.shape[-1]
    if d > 16:
        raise ValueError(f"enumeration is for small d (at most 16 features); got d = {d}")
    masks = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(bool)
    m = masks.astype(np.float64)
    outer = m[:, :, None] * m[:, None, :]
    eye = np.eye(d) * (1 - m)[:, :, None]
    weights = np.empty((problem.seeds, 2**d, d))
    for s in range(problem.seeds):
        system = outer * G[s] + eye
        weights[s] = np.linalg.solve(system, (m * b[s])[..., None])[..., 0]
    mse = c[:, None] - np.einsum("skd,sd->sk", weights, b)
    return Subsets(masks, weights, mse)


def best_subset(subsets: Subsets, lam) -> np.ndarray:
    """Index of the exact minimiser of ``mse_S + lam |S|`` per dataset and penalty weight.

    Returns an integer array ``(seeds, len(lam))`` (``(seeds,)`` for a scalar ``lam``)
    of rows of ``subsets.masks``.
    """
    lam = np.asarray(lam, dtype=np.float64)
    if np.any(~(lam >= 0)):
        raise ValueError(f"lam must be non-negative; got {lam}")
    objective = subsets.mse[:, None, :] + np.atleast_1d(lam)[None, :, None] * subsets.sizes
    best = np.argmin(objective, axis=-1)
    return best[:, 0] if lam.ndim == 0 else best


# --- hard concrete gates ---------------------------------------------------------------------


def gate_and_derivative(logit, tau, u, gamma=GAMMA, zeta=ZETA):
    """The gate ``z(logit, u)`` and ``dz / dlogit``, elementwise, for training.

    ``s = sigmoid((logit + log u - log(1 - u)) / tau)``, ``z = clip(gamma + (zeta - gamma) s)``
    (the same ``z`` as :func:`binary_gumbel.hard_concrete.hard_concrete_from_uniform`);
    ``dz/dlogit = (zeta - gamma) s (1 - s) / tau`` where ``0 < gamma + (zeta - gamma) s < 1``
    and 0 where the gate is clipped. Inputs are float arrays with ``0 < u < 1``
    (the training loop's own; no checks here).
    """
    s, slope = _kernels.sigmoid_and_slope((logit + _kernels.logistic(u)) / tau)
    stretched = gamma + (zeta - gamma) * s
    inside = (stretched > 0) & (stretched < 1)
    dz = np.where(inside, (zeta - gamma) * slope / tau, 0.0)
    return _kernels.stretch_and_clip(s, gamma, zeta), dz


def objective_and_gradients(theta, logit, G, b, lam, u, tau, gamma=GAMMA, zeta=ZETA):
    """The sampled objective and its reparameterised gradients in ``theta`` and ``logit``.

    For gates ``z = z(logit, u)`` (:func:`gate_and_derivative`), one per draw on the
    first axis of ``u``, the objective is the mean over draws of
    ``(1/n)||y - X (theta * z)||^2 - c = w'G w - 2 b'w`` (``w = theta * z``; the constant
    ``c = y'y / n`` is left out) plus ``lam sum_j P(z_j != 0)`` in closed form. Its
    gradients: ``d/dtheta = mean(g * z)`` and
    ``d/dlogit = mean(g * theta * dz/dlogit) + lam sigmoid(v) sigmoid(-v)``, with
    ``g = 2 (G w - b)`` and ``v = logit - tau log(-gamma / zeta)``: the penalty and its
    gradient are :func:`binary_gumbel.hard_concrete.expected_l0` and ``expected_l0_grad``.

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


def test_gate(logit, gamma=GAMMA, zeta=ZETA) -> np.ndarray:
    """Louizos et al.'s test-time gate ``clip(sigmoid(logit)(zeta - gamma) + gamma, 0, 1)``.

    Their Eq. (13); in their released code ``sample_z(..., sample=False)`` in
    ``l0_layers.py``. A feature is selected where it is positive.
    """
    return _kernels.stretch_and_clip(_kernels.sigmoid(np.asarray(logit)), gamma, zeta)


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
    from its closed form. ``theta`` starts at 0 and every gate logit at ``init_logit``.
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
    tau = float(check_tau(tau))
    gamma, zeta = float(check_gamma(gamma)), float(check_zeta(zeta))
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    if lam.ndim != 1 or np.any(~(lam >= 0)):
        raise ValueError(f"lam must be a non-negative number or 1-D array; got {lam}")
    steps, samples = int(steps), int(samples)
    if steps < 1 or samples < 1:
        raise ValueError(f"steps and samples must be positive; got {steps}, {samples}")
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
    tiny = np.finfo(np.float64).tiny
    selected = test_gate(logit, gamma, zeta) > 0
    last_flip = np.zeros(shape, dtype=np.int64)
    for step in range(1, steps + 1):
        u = rng.random((samples, *shape))
        np.clip(u, tiny, 1 - 2**-53, out=u)
        _, grads = objective_and_gradients(theta, logit, G, b, lam_b, u, tau, gamma, zeta)
        for p, g, optimiser in zip(params, grads, optimisers, strict=True):
            p -= optimiser.step(g)
        if logit_bounds is not None:
            np.clip(logit, *logit_bounds, out=logit)
        now = test_gate(logit, gamma, zeta) > 0
        last_flip[now != selected] = step
        selected = now
    return GateFit(theta, logit, lam, tau, gamma, zeta, steps, last_flip)


# --- intervals -------------------------------------------------------------------------------


# Intervals follow the book's convention (binary_gumbel.verification.montecarlo): Student-t
# for means over the seeds, Clopper-Pearson for proportions, the rate named ``false_alarm``.
Interval = montecarlo.Interval
proportion_interval = montecarlo.proportion_interval
mean_interval = montecarlo.mean_interval


# --- the comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodResult:
    """One method on every seed: supports ``(seeds, d)`` and test errors ``(seeds,)``."""

    name: str
    support: np.ndarray
    test_mse: np.ndarray


@dataclass(frozen=True)
class Comparison:
    """Best subset, gates and two references at one penalty weight, over every seed.

    ``objective_gap`` is, per seed, the L0 objective ``mse_S + lam |S|`` of the gates'
    support ``S`` (least squares refitted on it) minus the optimum: 0 when the gates
    found the best subset, and always >= 0.
    """

    lam: float
    true_support: np.ndarray
    methods: tuple[MethodResult, ...]
    gates_match_best: np.ndarray
    objective_gap: np.ndarray
    false_alarm: float

    def method(self, name: str) -> MethodResult:
        return next(m for m in self.methods if m.name == name)

    def recovery(self, name: str) -> Interval:
        """Fraction of seeds on which the method's support is exactly the true one."""
        hits = np.all(self.method(name).support == self.true_support, axis=-1)
        return proportion_interval(int(hits.sum()), hits.size, self.false_alarm)

    def error(self, name: str) -> Interval:
        return mean_interval(self.method(name).test_mse, self.false_alarm)

    def excess_over(self, name: str, reference: str) -> Interval:
        """Paired mean difference of test MSE, ``name`` minus ``reference``, per seed."""
        gap = self.method(name).test_mse - self.method(reference).test_mse
        return mean_interval(gap, self.false_alarm)

    def agreement(self) -> Interval:
        """Fraction of seeds on which the gates select the exact best-subset support."""
        m = self.gates_match_best
        return proportion_interval(int(m.sum()), m.size, self.false_alarm)

    def false_counts(self, name: str) -> tuple[float, float]:
        """Mean numbers of false positives and false negatives per seed."""
        s = self.method(name).support
        return (
            float(np.mean(np.sum(s & ~self.true_support, axis=-1))),
            float(np.mean(np.sum(~s & self.true_support, axis=-1))),
        )


BEST, GATES, REFIT, ORACLE, FULL = (
    "best subset",
    "hard concrete gates",
    "gates' support, refitted",
    "oracle support",
    "all features (OLS)",
)


def compare(
    problem: Problem, subsets: Subsets, fit: GateFit, false_alarm: float = 0.05
) -> list[Comparison]:
    """Per penalty weight of ``fit``: best subset, gates, the oracle and full least squares.

    The gates are scored twice: with their own test-time weights ``theta * z_hat``
    (:attr:`GateFit.weights`), which mix the selection with the shrinkage of the
    relaxed fit, and refitted (:data:`REFIT`: least squares on the support they
    select, the weights best subset would use on that support).
    """
    seeds = np.arange(problem.seeds)
    best_idx = best_subset(subsets, fit.lam)
    code = 1 << np.arange(problem.support.size)
    oracle_idx = int(np.sum(code[problem.support]))
    full_idx = subsets.masks.shape[0] - 1
    gates_mse = test_mse(problem, fit.weights)
    reference = test_mse(problem, subsets.weights[:, [oracle_idx, full_idx]])
    out = []
    for j, lam in enumerate(fit.lam):
        best_support = subsets.masks[best_idx[:, j]]
        best_mse = test_mse(problem, subsets.weights[seeds, best_idx[:, j]][:, None])[:, 0]
        gates_idx = fit.support[:, j] @ code
        refit_mse = test_mse(problem, subsets.weights[seeds, gates_idx][:, None])[:, 0]
        n = problem.seeds
        methods = (
            MethodResult(BEST, best_support, best_mse),
            MethodResult(GATES, fit.support[:, j], gates_mse[:, j]),
            MethodResult(REFIT, fit.support[:, j], refit_mse),
            MethodResult(ORACLE, np.tile(problem.support, (n, 1)), reference[:, 0]),
            MethodResult(FULL, np.ones((n, problem.support.size), bool), reference[:, 1]),
        )
        match = np.all(fit.support[:, j] == best_support, axis=-1)
        # The L0 objective of the gates' support (least squares refitted on it) above the optimum.
        objective = subsets.mse + lam * subsets.sizes
        gap = objective[seeds, gates_idx] - objective[seeds, best_idx[:, j]]
        out.append(Comparison(float(lam), problem.support, methods, match, gap, false_alarm))
    return out


def _interval(iv: Interval, fmt: str) -> str:
    return f"{iv.estimate:{fmt}} [{iv.low:{fmt}}, {iv.high:{fmt}}]"


def summary_table(comparison: Comparison) -> str:
    """A Markdown table: each method's exact-recovery rate, error counts and test MSE."""
    pct = int(round(100 * (1 - comparison.false_alarm)))
    rows = [
        f"| method | exact support recovery ({pct}% CI) | false positives | false negatives "
        f"| test MSE ({pct}% CI) |",
        "|---|---|---|---|---|",
    ]
    for m in comparison.methods:
        fp, fn = comparison.false_counts(m.name)
        rows.append(
            f"| {m.name} | {_interval(comparison.recovery(m.name), '.2f')} | {fp:.2f} | {fn:.2f} "
            f"| {_interval(comparison.error(m.name), '.3f')} |"
        )
    return "\n".join(rows)


class ComparisonText(NamedTuple):
    """The numbers of a :class:`Comparison` the chapter's prose shows."""

    lam: str
    seeds: str
    best_recovery: str
    gates_recovery: str
    agreement: str
    gates_excess: str
    best_excess: str
    confidence: str
    refit_excess: str
    refit_change: str
    familywise: str


def comparison_text(comparison: Comparison) -> ComparisonText:
    """Formatted recovery rates, agreement and paired test-error gaps (vs the oracle, and
    the refitted gates' error minus the gates' own), and the Bonferroni bound on the
    family-wise false-alarm rate of the intervals the summary table and these texts show."""
    n = comparison.methods[0].test_mse.size
    return ComparisonText(
        lam=f"{comparison.lam:.4f}",
        seeds=str(n),
        best_recovery=_interval(comparison.recovery(BEST), ".2f"),
        gates_recovery=_interval(comparison.recovery(GATES), ".2f"),
        agreement=_interval(comparison.agreement(), ".2f"),
        gates_excess=_interval(comparison.excess_over(GATES, ORACLE), ".4f"),
        best_excess=_interval(comparison.excess_over(BEST, ORACLE), ".4f"),
        confidence=f"{round(100 * (1 - comparison.false_alarm))}%",
        refit_excess=_interval(comparison.excess_over(REFIT, ORACLE), ".4f"),
        refit_change=_interval(comparison.excess_over(REFIT, GATES), ".4f"),
        familywise=_bonferroni(2 * len(comparison.methods) + 5, comparison.false_alarm),
    )


def _bonferroni(k: int, rate: float) -> str:
    return f"{k} × {rate:.0%} = {montecarlo.family_wise(rate, k):.0%}"


# --- the sweep over the penalty weight -------------------------------------------------------


class SweepRow(NamedTuple):
    """One penalty weight of a sweep: recovery and agreement intervals, mean support sizes,
    test errors, the gates' mean objective gap in units of ``lam`` (one unit is the
    price of one feature), and the mean false positive and negative counts of each method."""

    lam: float
    best_recovery: Interval
    gates_recovery: Interval
    agreement: Interval
    best_size: float
    gates_size: float
    best_mse: Interval
    gates_mse: Interval
    gap_in_lams: float
    best_false: tuple[float, float]
    gates_false: tuple[float, float]


def sweep(comparisons) -> list[SweepRow]:
    """The rows of a penalty-weight sweep, from :func:`compare`'s results."""
    return [
        SweepRow(
            c.lam,
            c.recovery(BEST),
            c.recovery(GATES),
            c.agreement(),
            float(c.method(BEST).support.sum(axis=-1).mean()),
            float(c.method(GATES).support.sum(axis=-1).mean()),
            c.error(BEST),
            c.error(GATES),
            float(np.mean(c.objective_gap) / c.lam) if c.lam > 0 else float("nan"),
            c.false_counts(BEST),
            c.false_counts(GATES),
        )
        for c in comparisons
    ]


class SweepText(NamedTuple):
    """Where along a sweep the gates agree with best subset, and where they do not."""

    threshold: str
    agree_lams: str
    disagree_lams: str
    worst_lam: str
    worst_agreement: str
    largest_gap: str
    lam_range: str
    gap_verdict: str
    peaks: str
    end_recovery: str
    small_false_positives: str
    large_false_negatives: str
    recovery_range: str
    recovery_difference: str
    difference_verdict: str


def _where(rows, i: int) -> str:
    edge = "at the grid's edge" if i in (0, len(rows) - 1) else "inside the grid"
    return f"λ = {rows[i].lam:.3g}, {edge}"


def sweep_text(rows, threshold: float = 0.8) -> SweepText:
    """The penalty weights at which the gates select the best-subset support on at least
    ``threshold`` of the seeds, the others, the worst one with its agreement interval, the
    largest mean objective gap (in units of ``lam``) against one feature's price, where
    best subset's recovery peaks and its test error is lowest (and whether at the grid's
    edge), the exact-recovery rates at both ends of the grid, the mean false positives at
    the smallest ``lam`` and false negatives at the largest (best subset, gates), and best
    subset's recovery range against the largest difference between the two methods'
    recovery rates."""
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one SweepRow")

    def lams(keep):
        chosen = [f"{r.lam:.3g}" for r in rows if keep(r)]
        return ", ".join(chosen) if chosen else "none"

    worst = min(rows, key=lambda r: r.agreement.estimate)
    gap = max(r.gap_in_lams for r in rows)
    recovery = [r.best_recovery.estimate for r in rows]
    mse = [r.best_mse.estimate for r in rows]
    spread = max(recovery) - min(recovery)
    difference = max(abs(r.gates_recovery.estimate - r.best_recovery.estimate) for r in rows)
    return SweepText(
        threshold=f"{threshold:.0%}",
        agree_lams=lams(lambda r: r.agreement.estimate >= threshold),
        disagree_lams=lams(lambda r: r.agreement.estimate < threshold),
        worst_lam=f"{worst.lam:.3g}",
        worst_agreement=_interval(worst.agreement, ".2f"),
        largest_gap=f"{gap:.2f}",
        lam_range=f"{rows[0].lam:.3g} to {rows[-1].lam:.3g}",
        gap_verdict="less than" if gap < 1 else "at least",
        peaks=(
            f"best subset's exact recovery peaks at {_where(rows, int(np.argmax(recovery)))}, "
            f"and its test error is lowest at {_where(rows, int(np.argmin(mse)))}"
        ),
        end_recovery=(
            f"{rows[0].best_recovery.estimate:.2f} and {rows[0].gates_recovery.estimate:.2f} "
            f"of the datasets at the smallest λ, {rows[-1].best_recovery.estimate:.2f} and "
            f"{rows[-1].gates_recovery.estimate:.2f} at the largest"
        ),
        small_false_positives=f"{rows[0].best_false[0]:.2f} and {rows[0].gates_false[0]:.2f}",
        large_false_negatives=f"{rows[-1].best_false[1]:.2f} and {rows[-1].gates_false[1]:.2f}",
        recovery_range=f"{min(recovery):.2f} to {max(recovery):.2f}",
        recovery_difference=f"{difference:.2f}",
        difference_verdict=(
            "smaller than that range: on this problem the choice of λ moves support recovery "
            "more than the choice between the exact and the relaxed solver"
            if difference < spread
            else "not smaller than that range"
        ),
    )
