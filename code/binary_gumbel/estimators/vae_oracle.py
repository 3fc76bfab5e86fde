"""The exact ELBO, its exact gradient and the exact log-likelihood of the VAE, by enumeration.

With K binary latents there are ``2^K`` configurations ``b``; for K near 8 they
can all be listed, and every expectation over ``q(b | x)`` becomes a finite sum
(:mod:`binary_gumbel.estimators.vae` defines the model and ``f``):

- the ELBO ``sum_b q(b | x) f(b)``;
- its gradient with respect to the encoder logit ``a``: by the score-function
  identity, and since ``E_q[d log q / d a] = 0``,
  ``dELBO/da = sum_b q(b | x) f(b) (b - sigmoid(a))``, then ``W`` and ``c`` by the
  chain rule (:func:`binary_gumbel.estimators.vae.encoder_gradient`);
- the decoder and prior gradients, ``sum_b q(b | x)`` times their pathwise gradients;
- the marginal likelihood ``log p(x) = logsumexp_b [log p(x | b) + log p(b)]``, with no
  importance sampling, and the gap ``log p(x) - ELBO = KL(q(b | x) || p(b | x)) >= 0``;
- the exact mean of an estimator that sees its uniforms only through ``b`` (straight-through,
  ReinMax): ``sum_b q(b | x)`` times its estimate at ``b``.

Bad input raises ``ValueError`` naming the argument: ``K`` above :data:`MAX_LATENTS`,
non-binary images, shapes that do not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from binary_gumbel._kernels import log_sigmoid, sigmoid, softplus
from binary_gumbel._validation import check_count, check_flag, check_integer
from binary_gumbel.estimators.vae import (
    LearningSignal,
    Params,
    check_images,
    check_params,
    encoder_gradient,
    encoder_logit,
)

__all__ = [
    "MAX_LATENTS",
    "exact_elbo",
    "score_identity_residual",
    "Enumeration",
    "configurations",
    "enumerate_latents",
    "exact_gradient",
    "exact_logit_gradient",
    "evaluate_bounds",
    "linear_share",
    "hard_sample_logit_mean",
    "reinforce_error",
]

#: The most latents enumerated: ``2^12`` configurations per image.
MAX_LATENTS = 12


def _check_latents(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"latents must be an integer; got {k!r}")
    if not 1 <= k <= MAX_LATENTS:
        raise ValueError(
            f"latents K = {k} is too large to enumerate its 2^K configurations "
            f"(at most K = {MAX_LATENTS})"
            if k > MAX_LATENTS
            else f"latents must be >= 1; got {k}"
        )
    return int(k)


@cache
def configurations(latents: int) -> np.ndarray:
    """All ``2^K`` binary vectors, shape ``(2^K, K)``, bit ``k`` of row ``i`` in column ``k``."""
    k = _check_latents(latents)
    rows = np.arange(2**k)[:, None] >> np.arange(k)[None, :]
    table = (rows & 1).astype(np.float64)
    table.flags.writeable = False
    return table


@cache
def _sides(latents: int) -> np.ndarray:
    """``[table, 1 - table]`` of :func:`configurations`, shape ``(2^K, 2K)``: which bits are 1,
    then which are 0."""
    table = configurations(latents)
    sides = np.concatenate([table, 1 - table], axis=1)
    sides.flags.writeable = False
    return sides


def _log_bernoulli(logit: np.ndarray) -> np.ndarray:
    """``log prod_k Bernoulli(b_k; sigmoid(logit_k))`` of every configuration ``b``, shape
    ``logit.shape[:-1] + (2^K,)``.

    It is ``sum_k [b_k log sigmoid(logit_k) + (1 - b_k) log sigmoid(-logit_k)]``, a sum of
    terms that are each at most 0. The shorter ``logit . b - sum_k softplus(logit_k)`` cancels
    once a logit is large: at ``logit = (1e16, 1)`` its first product rounds the 1 away.
    """
    both = np.concatenate([log_sigmoid(logit), log_sigmoid(-logit)], axis=-1)
    return _times_table(both, _sides(logit.shape[-1]))


def _times_table(a: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``a @ table.T`` as one flat matrix product (NumPy's stacked one is slow here)."""
    return (a.reshape(-1, a.shape[-1]) @ table.T).reshape(a.shape[:-1] + (table.shape[0],))


def _decoder_logits(params: Params, table: np.ndarray) -> np.ndarray:
    """``h = V b + d`` for every configuration ``b``: shape ``runs + (C, D)``."""
    w = params.decoder_weight
    hv = _times_table(w, table)  # runs + (D, C)
    return np.swapaxes(hv, -1, -2) + params.decoder_bias[..., None, :]


@dataclass(frozen=True)
class Enumeration:
    """Everything over the ``C = 2^K`` configurations, for runs ``R`` and images ``N``.

    ``log_q``, ``log_joint`` (``log p(x, b)``) and ``signal`` (``f(b)``) have shape
    ``runs + (N, C)``; ``logit`` (the encoder's ``a``) ``runs + (N, K)``.
    """

    params: Params
    x: np.ndarray
    logit: np.ndarray
    log_q: np.ndarray
    log_joint: np.ndarray

    @property
    def signal(self) -> np.ndarray:
        return self.log_joint - self.log_q

    @property
    def q(self) -> np.ndarray:
        return np.exp(self.log_q)

    @property
    def elbo(self) -> np.ndarray:
        """The exact ELBO of each image, shape ``runs + (N,)``."""
        return np.sum(self.q * self.signal, axis=-1)

    @property
    def log_marginal(self) -> np.ndarray:
        """The exact ``log p(x)`` of each image, shape ``runs + (N,)``."""
        top = self.log_joint.max(axis=-1, keepdims=True)
        return (top + np.log(np.sum(np.exp(self.log_joint - top), axis=-1, keepdims=True)))[..., 0]


def _check(params: Params, x) -> tuple[Params, np.ndarray]:
    _check_latents(check_params(params).latents)
    return params, check_images(x, params.pixels)


def enumerate_latents(params: Params, x) -> Enumeration:
    """:class:`Enumeration` of the model ``params`` on binary images ``x`` ``(..., N, D)``."""
    params, x = _check(params, x)
    table = configurations(params.latents)  # (C, K)
    a = encoder_logit(params, x)  # runs + (N, K)
    log_q = _log_bernoulli(a)
    h = _decoder_logits(params, table)  # runs + (C, D)
    if x.ndim == 2:  # one set of images for every run: one matrix product
        xh = np.swapaxes((h.reshape(-1, x.shape[-1]) @ x.T).reshape(h.shape[:-1] + (-1,)), -1, -2)
    else:
        xh = x @ np.swapaxes(h, -1, -2)
    loglik = xh - np.sum(softplus(h), axis=-1)[..., None, :]
    log_prior = _log_bernoulli(params.prior_logit)  # runs + (C,)
    return Enumeration(params, x, a, log_q, loglik + log_prior[..., None, :])


def exact_logit_gradient(params: Params, x) -> np.ndarray:
    """``dELBO/da = sum_b q(b | x) f(b) (b - sigmoid(a))`` per image, shape ``runs + (N, K)``."""
    return _logit_gradient(enumerate_latents(params, x))


def _logit_gradient(e: Enumeration) -> np.ndarray:
    weight = e.q * e.signal  # runs + (N, C)
    table = configurations(e.params.latents)
    return _times_table(weight, table.T) - np.sum(weight, axis=-1, keepdims=True) * sigmoid(e.logit)


def exact_gradient(params: Params, x) -> Params:
    """The exact gradient of the mean ELBO over the images ``x``, for every parameter."""
    e = enumerate_latents(params, x)
    table = configurations(params.latents)
    q = e.q
    dw, dc = encoder_gradient(e.x, _logit_gradient(e))
    n = e.x.shape[-2]
    s = sigmoid(_decoder_logits(params, table))  # runs + (C, D)
    qc = q.mean(axis=-2)  # runs + (C,): q averaged over images
    # sum_n sum_b q_nb (x_n - s_b) b^T, then / N
    xq = np.swapaxes(q, -1, -2) @ np.broadcast_to(e.x, q.shape[:-1] + (params.pixels,))  # (C, D)
    resid = xq / n - qc[..., None] * s  # runs + (C, D)
    dv = _times_table(np.swapaxes(resid, -1, -2), table.T)
    dd = resid.sum(axis=-2)
    deta = _times_table(qc, table.T) - sigmoid(params.prior_logit)
    return Params.unchecked(dw, dc, dv, dd, deta)


def hard_sample_logit_mean(params: Params, x, estimator, tau: float | None = None) -> np.ndarray:
    """The exact mean of a pathwise estimate of ``dELBO/da`` that sees its uniforms only through
    ``b = 1[u > sigmoid(-a)]``, per image: shape ``runs + (N, K)``.

    ``estimator`` is such an estimator of :mod:`binary_gumbel.estimators.binary_estimators`
    (``straight_through``; ``reinmax``, with its temperature ``tau``). Its mean is
    ``sum_b q(b | x) g(b)``, with ``g(b)`` its estimate at the uniforms ``u = b`` and ``df/db``
    that of :class:`~binary_gumbel.estimators.vae.LearningSignal`. ``params`` has one run axis.
    """
    params, x = _check(params, x)
    e = enumerate_latents(params, x)
    signal = LearningSignal(params, x)
    table = configurations(params.latents)  # (C, K)
    u = np.broadcast_to(table[:, None, None, :], (table.shape[0],) + signal.logit.shape)
    args = () if tau is None else (tau,)
    estimates = estimator(signal.value_and_grad, signal.logit, *args, u)  # (C, R, N, K)
    return np.sum(np.moveaxis(e.q, -1, 0)[..., None] * estimates, axis=0)


def linear_share(params: Params, x) -> np.ndarray:
    """How linear the learning signal ``f(b)`` is in ``b``, under ``q(b | x)``, per image.

    The share of ``Var_q[f]`` that the best linear function ``beta_0 + beta^T b`` explains,
    ``1 - min_beta E_q[(f - beta_0 - beta^T b)^2] / Var_q[f]`` (weighted least squares over
    the ``2^K`` configurations, weights ``q``), shape ``runs + (N,)``. It is 1 when ``f`` is
    linear in ``b``, as it is when the decoder's weights are 0 (``log q`` and the prior are
    linear in ``b``), and where ``f`` is constant under ``q``. Straight-through is exact for
    a linear ``f``.
    """
    e = enumerate_latents(params, x)
    table = configurations(params.latents)
    design = np.concatenate([np.ones((len(table), 1)), table], axis=1)  # (C, K + 1)
    root = np.sqrt(e.q)[..., None]  # runs + (N, C, 1)
    coef = np.linalg.pinv(root * design) @ (root * e.signal[..., None])  # runs + (N, K + 1, 1)
    residual = e.signal - (design @ coef)[..., 0]
    centred = e.signal - e.elbo[..., None]
    total = np.sum(e.q * centred**2, axis=-1)
    unexplained = np.sum(e.q * residual**2, axis=-1)
    constant = total <= 1e-12 * np.maximum(1.0, e.elbo**2)
    return np.where(constant, 1.0, 1 - unexplained / np.where(constant, 1.0, total))


def reinforce_error(params: Params, x, samples: int = 2, centred: bool = False) -> float:
    """REINFORCE's exact mean squared error for the encoder gradient, relative to ``|g*|^2``.

    The estimand is the gradient ``g*`` of the batch's mean ELBO with respect to the
    encoder's ``(W, c)``, as in :func:`binary_gumbel.estimators.vae_study.gradient_study`.
    Each image's logit gradient is estimated by ``(f(b) - c_n) (b - sigmoid(a_n))``,
    averaged over ``samples`` independent draws of ``b ~ q(b | x_n)``: ``c_n = 0`` (REINFORCE,
    Williams 1992), or with ``centred=True`` ``c_n`` = the image's exact ELBO ``E_q[f]``, an
    oracle baseline that no estimator has, which removes the term ``ELBO_n (b - sigmoid(a_n))``.
    Either way the error ``e_n`` of image ``n`` has mean 0 and the images are independent,
    so, by :func:`binary_gumbel.estimators.vae.encoder_gradient`'s chain rule,

        E|e|^2 = (1 / N^2) sum_n (|x_n|^2 + 1) E|e_n|^2 / samples,
        E|e_n|^2 = sum_b q(b | x_n) |(f(b) - c_n) (b - sigmoid(a_n)) - g*_n|^2,

    every expectation a sum over the ``2^K`` configurations. ``params`` holds one run.
    Where ``g* = 0`` the relative error is undefined: ``ValueError``
    (:func:`check_nonzero_gradient`).
    """
    samples = check_count(samples, "samples", 1)
    centred = check_flag(centred, "centred")
    e = enumerate_latents(params, x)
    if params.runs != (1,):
        raise ValueError(f"params must hold one run (leading shape (1,)); got {params.runs}")
    x = e.x
    exact = _logit_gradient(e)  # (1, N, K)
    score = configurations(params.latents) - sigmoid(e.logit)[..., None, :]  # (1, N, C, K)
    offset = e.elbo[..., None] if centred else 0.0
    error = (e.signal - offset)[..., None] * score - exact[..., None, :]
    per_image = np.sum(e.q * np.sum(error**2, axis=-1), axis=-1)  # (1, N)
    n = x.shape[-2]
    mse = np.sum((np.sum(x**2, axis=-1) + 1) * per_image) / (n**2 * samples)
    dw, dc = encoder_gradient(x, exact)
    return float(mse / check_nonzero_gradient(np.sum(dw**2) + np.sum(dc**2)))


def check_nonzero_gradient(norm2):
    """``norm2``, the exact encoder gradient's ``|g*|^2``, if it is not 0; ``ValueError`` saying
    that an error relative to it is undefined otherwise (at a model whose ELBO is flat in the
    encoder, such as one with every weight 0)."""
    if norm2 == 0:
        raise ValueError(
            "the exact encoder gradient g* is 0 at these params and images, so an error "
            "relative to |g*|^2 is undefined"
        )
    return norm2


def exact_elbo(params: Params, x) -> np.ndarray:
    """The exact ELBO of each image, shape ``runs + (N,)``, enumerating only what must be.

    Under the factorised ``q``, every term of ``f`` but the decoder's softplus has a
    closed-form mean: ``E[x^T h] = x^T (V sigmoid(a) + d)``,
    ``E[log p(b)] = sum_k sigmoid(a_k) eta_k - softplus(eta_k)`` and
    ``E[log q] = sum_k sigmoid(a_k) a_k - softplus(a_k)``. Only
    ``E[sum_j softplus(h_j)] = sum_b q(b | x) S(b)`` is a sum over the configurations,
    with ``S(b)`` free of ``x``. Equal to :attr:`Enumeration.elbo` (the tests check it),
    at a fraction of its cost.
    """
    params, x = _check(params, x)
    table = configurations(params.latents)
    a = encoder_logit(params, x)  # runs + (N, K)
    log_q = _log_bernoulli(a)
    s_b = np.sum(softplus(_decoder_logits(params, table)), axis=-1)  # runs + (C,)
    mean_softplus = np.sum(np.exp(log_q) * s_b[..., None, :], axis=-1)
    m = sigmoid(a)
    mean_h = m @ np.swapaxes(params.decoder_weight, -1, -2) + params.decoder_bias[..., None, :]
    eta = params.prior_logit[..., None, :]
    return (
        np.sum(x * mean_h, axis=-1)
        - mean_softplus
        + np.sum(m * eta - softplus(eta), axis=-1)
        - np.sum(m * a - softplus(a), axis=-1)
    )


def evaluate_bounds(
    params: Params, x, chunk: int = 16, log_marginal: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Mean exact ELBO and mean exact ``log p(x)`` over the images, per run.

    ``params`` has one leading run axis; runs are enumerated ``chunk`` (at least 1) at a
    time to bound the memory (``R x N x 2^K`` numbers per array otherwise). With
    ``log_marginal=False`` only the ELBO is computed (:func:`exact_elbo`), and the
    second array is NaN.
    """
    params, x = _check(params, x)
    if len(params.runs) != 1:
        raise ValueError(f"params must have one leading run axis; got runs {params.runs}")
    chunk = check_integer(chunk, "chunk", 1)
    if not check_flag(log_marginal, "log_marginal"):
        elbo = exact_elbo(params, x).mean(axis=-1)
        return elbo, np.full_like(elbo, np.nan)
    elbo, marginal = [], []
    for start in range(0, params.runs[0], chunk):
        e = enumerate_latents(params.take(slice(start, start + chunk)), x)
        elbo.append(e.elbo.mean(axis=-1))
        marginal.append(e.log_marginal.mean(axis=-1))
    return np.concatenate(elbo), np.concatenate(marginal)


@cache
def score_identity_residual():
    """SymPy, one latent: ``d/da E_q[f_a] - E_q[f_a (b - sigmoid(a))]``, which simplifies to 0.

    ``f_a(b) = g_b - log q_a(b)`` with ``q_a(1) = sigmoid(a)``: the learning signal with its
    own ``a``-dependence, for arbitrary values ``g_0``, ``g_1`` of ``log p(x, b)``.
    """
    import sympy as sp

    a, g0, g1 = sp.symbols("a g_0 g_1", real=True)
    q1 = 1 / (1 + sp.exp(-a))
    f1, f0 = g1 - sp.log(q1), g0 - sp.log(1 - q1)
    elbo = q1 * f1 + (1 - q1) * f0
    identity = q1 * f1 * (1 - q1) + (1 - q1) * f0 * (0 - q1)
    return sp.simplify(sp.diff(elbo, a) - identity)
