"""Bias, variance and mean squared error of every estimator, against the exact encoder gradient.

At a model ``params`` and a fixed batch of binary images ``x``, the estimand is the
gradient of the batch's mean ELBO with respect to the encoder's parameters
``(W, c)``, a vector of ``K (D + 1)`` numbers, known exactly by enumeration
(:func:`binary_gumbel.estimators.vae_oracle.exact_gradient`). Each method of
:data:`binary_gumbel.estimators.vae_training.METHODS` gives ``M`` independent estimates
``G_i`` of it (each at the method's evaluations of ``f`` per image: two, or REBAR's three), with
errors ``e_i = G_i - g*``. From them, with ``mu = E[e]`` and ``Sigma = Cov(e)``:

- squared bias ``|mu|^2``: the products ``<e_{2i}, e_{2i+1}>`` of disjoint pairs are
  independent and have mean exactly ``|mu|^2`` (the two factors are independent);
- variance ``tr Sigma``: ``|G_{2i} - G_{2i+1}|^2 / 2`` has mean exactly ``tr Sigma``;
- mean squared error ``E|e|^2 = tr Sigma + |mu|^2``: ``|e_i|^2``, reported relative to
  ``|g*|^2``;
- the bias along the exact gradient, relative, ``<mu, g*> / |g*|^2``: the mean of
  ``<e_i, g*> / |g*|^2`` (-0.2: on average the estimate falls 20 % short along ``g*``).
  It resolves a much smaller bias than ``|mu|^2`` does, in that one direction.

Each is the mean of independent, identically distributed terms, and its interval
is :func:`binary_gumbel.verification.montecarlo.check_mean`'s ``mean -+ t s / sqrt(n)``
(Student-t at ``n - 1`` degrees of freedom) at the stated two-sided false-alarm rate per
interval (its coverage rests on the central limit theorem). An unbiased estimator's
squared-bias interval contains 0, except with probability about that rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import as_generator, check_count
from binary_gumbel.estimators.vae import (
    LearningSignal,
    Params,
    check_images,
    check_params,
    encoder_gradient,
)
from binary_gumbel.estimators.vae_oracle import check_nonzero_gradient, exact_gradient
from binary_gumbel.estimators.vae_training import METHODS, method
from binary_gumbel.verification.montecarlo import check_mean

__all__ = ["GradientStats", "exact_along", "gradient_study"]


@dataclass(frozen=True)
class GradientStats:
    """One method's squared bias, variance and relative MSE at one model, with intervals.

    ``*_low`` and ``*_high`` bound each at two-sided rate ``false_alarm`` per interval;
    ``exact_norm2`` is ``|g*|^2``; ``estimates`` is ``M``.
    """

    method: str
    unbiased: bool
    estimates: int
    exact_norm2: float
    bias2: float
    bias2_low: float
    bias2_high: float
    variance: float
    variance_low: float
    variance_high: float
    relative_mse: float
    relative_mse_low: float
    relative_mse_high: float
    along: float
    along_low: float
    along_high: float
    false_alarm: float

    @property
    def bias_consistent_with_zero(self) -> bool:
        """Whether the intervals of the squared bias and of the bias along ``g*`` contain 0."""
        return self.bias2_low <= 0.0 <= self.bias2_high and self.along_low <= 0.0 <= self.along_high


def _encoder_flat(x: np.ndarray, logit_gradient: np.ndarray) -> np.ndarray:
    dw, dc = encoder_gradient(x, logit_gradient)
    return np.concatenate([dw.reshape(dw.shape[0], -1), dc], axis=-1)


def _exact_encoder_flat(params: Params, x: np.ndarray) -> np.ndarray:
    """``g*``, the exact gradient of the batch's mean ELBO in ``(W, c)``, flat."""
    exact = exact_gradient(params, x)
    return np.concatenate([exact.encoder_weight.reshape(1, -1), exact.encoder_bias], axis=-1)[0]


def exact_along(params: Params, x: np.ndarray, logit_mean: np.ndarray) -> float:
    """The bias along the exact gradient, relative, ``<mu, g*> / |g*|^2``, of an estimator whose
    exact mean logit gradient is ``logit_mean`` ``(1, N, K)`` (for example
    :func:`~binary_gumbel.estimators.vae_oracle.hard_sample_logit_mean`): the value that
    :func:`gradient_study`'s ``along`` estimates. ``ValueError`` where ``g* = 0``
    (:func:`~binary_gumbel.estimators.vae_oracle.check_nonzero_gradient`)."""
    x = _check_one_run(params, x)
    g_star = _exact_encoder_flat(params, x)
    mu = _encoder_flat(np.broadcast_to(x, (1,) + x.shape), logit_mean)[0] - g_star
    return float(mu @ g_star / check_nonzero_gradient(g_star @ g_star))


def _check_one_run(params: Params, x) -> np.ndarray:
    """The images ``x`` ``(N, D)`` of a model ``params`` of one run, checked."""
    if check_params(params).runs != (1,):
        raise ValueError(f"params must hold one run (leading shape (1,)); got {params.runs}")
    x = check_images(x, params.pixels)
    if x.ndim != 2:
        raise ValueError(f"x must be one batch of images, shape (N, D); got {x.shape}")
    return x


def gradient_study(
    params: Params,
    x: np.ndarray,
    methods: Sequence[str] | None = None,
    estimates: int = 1000,
    false_alarm: float = 1e-3,
    rng=0,
) -> list[GradientStats]:
    """:class:`GradientStats` of each method at the single model ``params`` (one run).

    ``x`` is a batch of binary images ``(N, D)``; ``estimates`` (even, ``M``) independent
    estimates per method; every method draws from its own stream of ``rng``. ``ValueError``
    where ``g* = 0``, since the relative errors are undefined there
    (:func:`~binary_gumbel.estimators.vae_oracle.check_nonzero_gradient`).
    """
    x = _check_one_run(params, x)
    m_count = check_count(estimates, "estimates", 4)
    if m_count % 2:
        raise ValueError(f"estimates must be even (they are used in pairs); got {m_count}")
    if methods is None:
        chosen = [m for m in METHODS if m.function is not None]
    else:
        chosen = [method(name) for name in methods]
    g_star = _exact_encoder_flat(params, x)
    norm2 = float(check_nonzero_gradient(g_star @ g_star))
    tiled = params.map(lambda a: np.broadcast_to(a, (m_count,) + a.shape[1:]))
    streams = as_generator(rng).spawn(len(chosen))
    out = []
    for meth, stream in zip(chosen, streams, strict=True):
        if meth.function is None:
            raise ValueError("the study compares estimators; 'exact' is the reference")
        signal = LearningSignal(tiled, x)
        u = stream.random(meth.uniform_shape(signal.logit.shape))
        g = _encoder_flat(signal.x, meth.logit_gradient(signal, u))  # (M, P)
        e = g - g_star
        bias = check_mean(np.sum(e[0::2] * e[1::2], axis=-1), 0.0, false_alarm)
        var = check_mean(np.sum((g[0::2] - g[1::2]) ** 2, axis=-1) / 2, 0.0, false_alarm)
        mse = check_mean(np.sum(e**2, axis=-1) / norm2, 0.0, false_alarm)
        along = check_mean(e @ g_star / norm2, 0.0, false_alarm)
        out.append(
            GradientStats(
                meth.name,
                meth.unbiased,
                m_count,
                norm2,
                bias.estimate,
                bias.low,
                bias.high,
                var.estimate,
                var.low,
                var.high,
                mse.estimate,
                mse.low,
                mse.high,
                along.estimate,
                along.low,
                along.high,
                false_alarm,
            )
        )
    return out
