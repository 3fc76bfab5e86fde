"""The L0-penalised least-squares problem, its seeded synthetic data, and its exact solution.

For a design ``X`` (``n x d``) and response ``y`` the objective is

    R_lambda(w) = (1/n) ||y - X w||^2 + lambda ||w||_0 .

With ``d = 12`` it is solved exactly by enumerating the ``2^12 = 4096`` supports: for each
support ``S`` the least-squares fit on ``S`` gives the smallest mean squared error ``m_S``,
and the optimum is the ``S`` minimising ``m_S + lambda |S|`` (:func:`enumerate_subsets`,
:func:`best_subset`). The relaxation that competes with it is
:mod:`binary_gumbel.estimators.l0_gates`; the comparison is
:mod:`binary_gumbel.estimators.sparse_regression`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    check_count,
    check_integer,
    check_penalty,
    check_seed,
    finite_float64,
    finite_number,
    single_number,
)

__all__ = [
    "TRUE_SUPPORT",
    "TRUE_WEIGHTS",
    "Problem",
    "Subsets",
    "best_subset",
    "bic_penalty",
    "enumerate_subsets",
    "make_problems",
    "subset_index",
    "test_mse",
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
    ``N(0, Sigma)`` with ``Sigma_ij = rho^|i - j|``. ``seeds``, ``n``, ``n_test``, ``d`` and
    ``seed`` are integers (``TypeError`` naming them otherwise), with ``seeds > 0``,
    ``n > d > 0``, ``n_test > 0`` and ``seed >= 0``; ``support`` holds distinct integers in
    ``[0, d)``, one per weight; ``weights`` is a sequence of finite numbers, ``noise_sd`` a
    finite positive number and ``rho`` a number in ``(-1, 1)`` (``TypeError`` for what is not
    a real number, ``ValueError`` naming the argument otherwise).
    """
    d = check_count(d, "d", 1)
    seeds, n, n_test = (
        check_count(seeds, "seeds", 0),
        check_count(n, "n", 0),
        check_count(n_test, "n_test", 0),
    )
    seed = check_seed(seed)
    weights = finite_float64(weights, "weights")
    if weights.ndim != 1:
        raise ValueError(f"weights must be a sequence of numbers; got shape {weights.shape}")
    noise_sd = finite_number(noise_sd, "noise_sd")
    rho = single_number(as_float_array(rho, "rho", np.float64), "rho")
    indices = [check_integer(j, f"support[{i}]", 0) for i, j in enumerate(support)]
    if len(weights) != len(indices) or max(indices, default=-1) >= d:
        raise ValueError(f"support must give one index in [0, {d}) per weight")
    if len(set(indices)) != len(indices):
        raise ValueError(f"support must not repeat an index; got {tuple(indices)}")
    if not (seeds > 0 and n > d and n_test > 0):
        raise ValueError(f"need seeds > 0, n > d and n_test > 0; got {seeds}, {n}, {n_test}")
    if not noise_sd > 0:
        raise ValueError(f"noise_sd must be positive; got {noise_sd!r}")
    if not -1 < rho < 1:
        raise ValueError(f"rho must lie in (-1, 1); got {rho!r}")
    rng = np.random.default_rng(seed)
    w = np.zeros(d)
    w[indices] = weights
    idx = np.arange(d)
    chol = np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :]))

    def draw(rows):
        X = rng.standard_normal((seeds, rows, d)) @ chol.T
        return X, X @ w + noise_sd * rng.standard_normal((seeds, rows))

    X_train, y_train = draw(n)
    X_test, y_test = draw(n_test)
    return Problem(X_train, y_train, X_test, y_test, w, noise_sd, rho, seed)


def bic_penalty(problem: Problem) -> float:
    """``noise_sd^2 log(n) / n``: the penalty weight at which ``R_lambda`` is the BIC.

    With the noise variance known, ``n R_lambda / noise_sd^2`` is, up to a constant,
    Schwarz's criterion ``RSS / noise_sd^2 + |S| log n``.
    """
    n = problem.X_train.shape[1]
    return problem.noise_sd**2 * math.log(n) / n


def test_mse(problem: Problem, weights) -> np.ndarray:
    """Mean squared test error of ``weights`` (``(seeds, ..., d)``) on each seed's test set.

    ``weights`` must be finite, with one row of ``d`` weights per seed on its first and last
    axes (``ValueError`` naming it otherwise). An error beyond the largest double is ``inf``,
    as is the error of a prediction that overflows to one infinity; weights whose terms
    overflow to both infinities within one prediction, leaving no prediction (``inf - inf``),
    are refused by name.
    """
    weights = finite_float64(weights, "weights")
    seeds, d = problem.seeds, problem.X_test.shape[-1]
    if weights.ndim < 2 or weights.shape[0] != seeds or weights.shape[-1] != d:
        raise ValueError(
            f"weights must have shape ({seeds}, ..., {d}), one row of d = {d} weights per "
            f"seed; got shape {weights.shape}"
        )
    lead = weights.shape[1:-1]
    w = weights.reshape(seeds, -1, d)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is inf; NaN is refused below
        pred = np.einsum("snd,skd->skn", problem.X_test, w)
        mse = np.mean((problem.y_test[:, None, :] - pred) ** 2, axis=-1)
    if np.isnan(mse).any():
        raise ValueError(
            "weights are too large: the test predictions overflow float64 "
            f"(largest |weight| {float(np.abs(weights).max())!r})"
        )
    return mse.reshape((seeds, *lead))


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


def subset_index(support) -> np.ndarray:
    """The row of ``Subsets.masks`` that holds each boolean ``support`` (last axis ``d``).

    Row ``k`` of the masks is the binary expansion of ``k`` (:func:`enumerate_subsets`), so
    the row of a support is ``sum_j 2^j [j in support]``. ``support`` must be a boolean array
    of at least one dimension (``TypeError`` otherwise) with at most 63 features on its last
    axis, so that the row fits in an int64 (``ValueError`` naming it otherwise).
    """
    support = np.asarray(support)
    if support.dtype != bool or support.ndim == 0:
        raise TypeError(
            f"support must be a boolean array with features on its last axis; got "
            f"{support.dtype} with shape {support.shape}"
        )
    if support.shape[-1] > 63:
        raise ValueError(
            f"support must have at most 63 features (its row must fit in an int64); "
            f"got {support.shape[-1]}"
        )
    return support @ (1 << np.arange(support.shape[-1]))


def best_subset(subsets: Subsets, lam) -> np.ndarray:
    """Index of the exact minimiser of ``mse_S + lam |S|`` per dataset and penalty weight.

    Returns an integer array ``(seeds, len(lam))`` (``(seeds,)`` for a scalar ``lam``)
    of rows of ``subsets.masks``. ``lam`` is finite and non-negative (``ValueError`` naming
    it otherwise); where ``lam |S|`` exceeds the largest double, that support's objective is
    ``inf``, which is below no finite objective (the empty support's), so that a large
    enough ``lam`` selects the empty support.
    """
    lam = check_penalty(lam)
    with np.errstate(over="ignore"):  # lam |S| beyond the doubles: inf, never the minimum
        objective = subsets.mse[:, None, :] + np.atleast_1d(lam)[None, :, None] * subsets.sizes
    best = np.argmin(objective, axis=-1)
    return best[:, 0] if lam.ndim == 0 else best
