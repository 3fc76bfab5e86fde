"""A variational autoencoder with K binary latents, linear encoder and decoder, by hand.

The model is the "linear" benchmark of Dong, Mnih & Tucker (2020, "DisARM",
arXiv:2006.10680; their code ``disarm/binary/experiment_launcher_singlelayer.py``,
``encoder_type == 'linear'``: one linear layer each way and a learned prior logit),
at the scale of 8 x 8 digits (:mod:`binary_gumbel.estimators.digits`). For a binary image
``x`` (D pixels) and a binary latent ``b`` (K bits):

- prior ``p(b) = prod_k Bernoulli(b_k; sigmoid(eta_k))``, ``eta`` learned;
- decoder ``p(x | b) = prod_j Bernoulli(x_j; sigmoid(h_j))``, ``h = V b + d``;
- encoder ``q(b | x) = prod_k Bernoulli(b_k; sigmoid(a_k))``, ``a = W x + c``,
  the ``logit`` of the estimators in :mod:`binary_gumbel.estimators.binary_estimators`.

The ELBO of one image is ``E_q[f(b)]`` with the learning signal

    f(b) = log p(x | b) + log p(b) - log q(b | x)
         = sum_j [x_j h_j - softplus(h_j)] + sum_k b_k (eta_k - a_k)
           - sum_k softplus(eta_k) + sum_k softplus(a_k),

in which ``a`` is held fixed: the gradient of ``E_q[f]`` through ``f``'s own
``a`` is ``-E_q[d log q / d a] = 0``, so an estimator of ``d/da E_q[f(b)]`` at
fixed ``f`` is an estimator of ``dELBO/da``. ``f`` is linear in ``b`` except
for the softplus of ``h``, so it extends to ``b`` in ``[0, 1]^K`` for the
relaxed estimators, with ``df/db = V^T (x - sigmoid(h)) + eta - a``. Then
``dELBO/dW = (dELBO/da) x^T`` and ``dELBO/dc = dELBO/da``.

The decoder and the prior get the pathwise gradient of ``log p(x | b) + log p(b)``
at the points where an estimator evaluated ``f`` (:class:`LearningSignal` records
them): ``(x - sigmoid(h)) b^T`` for ``V``, ``x - sigmoid(h)`` for ``d`` and
``b - sigmoid(eta)`` for ``eta``, averaged over those points and the images.
At discrete ``b`` these are unbiased; at relaxed ones (the Gumbel-softmax
estimator) they are the relaxed model's.

All arrays carry leading "run" axes: a :class:`Params` with leading shape ``(R,)``
holds ``R`` models, which train side by side in the same array operations.
The derivatives are written out by hand (the model is linear) and the tests
check each one against central finite differences of the enumerated ELBO
(:mod:`binary_gumbel.estimators.vae_oracle`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel._kernels import logistic, sigmoid, softplus, softplus_and_sigmoid
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_finite,
    check_no_nan,
    check_probability,
    finite_float64,
)

__all__ = [
    "LearningSignal",
    "Params",
    "check_images",
    "encoder_gradient",
    "encoder_logit",
    "initial_params",
]


_FIELDS = ("encoder_weight", "encoder_bias", "decoder_weight", "decoder_bias", "prior_logit")


@dataclass(frozen=True)
class Params:
    """The model's parameters, with any leading run axes ``...``.

    ``encoder_weight`` W ``(..., K, D)``, ``encoder_bias`` c ``(..., K)``,
    ``decoder_weight`` V ``(..., D, K)``, ``decoder_bias`` d ``(..., D)``,
    ``prior_logit`` eta ``(..., K)``. A gradient has the same layout.
    """

    encoder_weight: np.ndarray
    encoder_bias: np.ndarray
    decoder_weight: np.ndarray
    decoder_bias: np.ndarray
    prior_logit: np.ndarray

    def __post_init__(self):
        for name in _FIELDS:
            check_finite(as_float_array(getattr(self, name), name, np.float64), name)
        w, c, v, d, eta = self.arrays()
        k, dim = np.shape(w)[-2:]
        lead = np.shape(w)[:-2]
        expected = {
            "encoder_bias": lead + (k,),
            "decoder_weight": lead + (dim, k),
            "decoder_bias": lead + (dim,),
            "prior_logit": lead + (k,),
        }
        for name, shape in expected.items():
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(
                    f"{name} must have shape {shape} to match encoder_weight "
                    f"{np.shape(w)}; got {np.shape(getattr(self, name))}"
                )

    @classmethod
    def unchecked(cls, *arrays: np.ndarray) -> Params:
        """``Params`` of arrays the library computed itself, without the checks (speed)."""
        obj = object.__new__(cls)
        for name, a in zip(_FIELDS, arrays, strict=True):
            object.__setattr__(obj, name, a)
        return obj

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def flatten(self) -> np.ndarray:
        """All parameters of each run in one row: shape ``runs + (P,)``, fields in order."""
        lead = self.runs
        return np.concatenate([a.reshape(lead + (-1,)) for a in self.arrays()], axis=-1)

    @classmethod
    def from_flat(cls, flat: np.ndarray, latents: int, pixels: int) -> Params:
        """The inverse of :meth:`flatten` (views into ``flat``), unchecked."""
        k, d = latents, pixels
        shapes = ((k, d), (k,), (d, k), (d,), (k,))
        lead = flat.shape[:-1]
        out, start = [], 0
        for shape in shapes:
            size = math.prod(shape)
            out.append(flat[..., start : start + size].reshape(lead + shape))
            start += size
        if start != flat.shape[-1]:
            raise ValueError(f"flat must have {start} parameters per run; got {flat.shape[-1]}")
        return cls.unchecked(*out)

    @property
    def latents(self) -> int:
        return int(np.shape(self.encoder_weight)[-2])

    @property
    def pixels(self) -> int:
        return int(np.shape(self.encoder_weight)[-1])

    @property
    def runs(self) -> tuple[int, ...]:
        """The leading run shape."""
        return tuple(np.shape(self.encoder_weight)[:-2])

    def map(self, fn, *others: Params) -> Params:
        """``Params`` of ``fn(a, *b)`` field by field."""
        return Params(
            *(fn(a, *(o.arrays()[i] for o in others)) for i, a in enumerate(self.arrays()))
        )

    def take(self, index) -> Params:
        """The runs at ``index`` of the leading axis."""
        return self.map(lambda a: np.asarray(a)[index])


def initial_params(latents: int, pixel_mean, runs: int = 1, scale: float = 0.1, rng=None) -> Params:
    """One random initial model, repeated for ``runs`` runs (leading axis ``runs``).

    ``W`` and ``V`` are ``scale`` (finite) times standard normal draws from ``rng``, ``c``
    and ``eta`` are 0, and ``d`` is the logit of ``pixel_mean`` (probabilities in [0, 1])
    clipped to [0.001, 0.999], as DisARM's ``initialize_with_bias`` option does.
    ``ValueError`` naming ``pixel_mean`` or ``scale`` for a value outside those.
    """
    k = check_count(latents, "latents")
    runs = check_count(runs, "runs")
    scale = finite_float64(scale, "scale")
    mean = np.clip(check_probability(pixel_mean, "pixel_mean", np.float64), 1e-3, 1 - 1e-3)
    if mean.ndim != 1:
        raise ValueError(f"pixel_mean must be one vector of pixels; got shape {mean.shape}")
    rng = as_generator(rng)
    dim = mean.size
    one = (
        scale * rng.standard_normal((k, dim)),
        np.zeros(k),
        scale * rng.standard_normal((dim, k)),
        logistic(mean),
        np.zeros(k),
    )
    return Params(*(np.repeat(a[None], runs, axis=0) for a in one))


def check_images(x, pixels: int, name: str = "x") -> np.ndarray:
    """Binary images: an array of 0.0 and 1.0 with last axis ``pixels`` and at least one image
    (the mean over the images needs one); else ``ValueError`` naming ``name``."""
    x = as_float_array(x, name, np.float64)
    if x.ndim < 2 or x.shape[-1] != pixels:
        raise ValueError(f"{name} must have shape (..., images, {pixels}); got {x.shape}")
    if x.shape[-2] == 0:
        raise ValueError(f"{name} must hold at least one image; got shape {x.shape}")
    if not np.all((x == 0) | (x == 1)):
        raise ValueError(f"{name} must be binary images (every pixel 0 or 1)")
    return x


def check_params(params) -> Params:
    """``params`` itself if it is a :class:`Params`; ``TypeError`` naming it otherwise."""
    if not isinstance(params, Params):
        raise TypeError(
            f"params must be a binary_gumbel.estimators.vae.Params; got {type(params).__name__}"
        )
    return params


def encoder_logit(params: Params, x) -> np.ndarray:
    """``a = W x + c`` for binary images ``x`` ``(..., N, D)``: shape ``runs + (N, K)``.

    ``ValueError`` naming ``x`` for images that :func:`check_images` refuses, or whose leading
    axes do not broadcast with the runs of ``params``.
    """
    params = check_params(params)
    x = check_images(x, params.pixels)
    try:
        np.broadcast_shapes(x.shape[:-2], params.runs)
    except ValueError:
        raise ValueError(
            f"x with shape {x.shape} must have leading axes that broadcast with the runs "
            f"{params.runs} of params"
        ) from None
    return _logit(params, x)


def _logit(params: Params, x: np.ndarray) -> np.ndarray:
    """:func:`encoder_logit` of checked arguments (the training steps call it)."""
    return x @ np.swapaxes(params.encoder_weight, -1, -2) + params.encoder_bias[..., None, :]


def encoder_gradient(x, logit_gradient) -> tuple[np.ndarray, np.ndarray]:
    """``dW = mean_n G_n x_n^T`` and ``dc = mean_n G_n`` for ``G = logit_gradient``, ``dELBO/da``.

    ``logit_gradient`` (finite) has shape ``runs + (N, K)`` with ``N >= 1``; ``x``, binary
    images, broadcasts to ``runs + (N, D)``. ``ValueError`` naming the argument otherwise.
    """
    g = finite_float64(logit_gradient, "logit_gradient")
    if g.ndim < 2 or g.shape[-2] == 0:
        raise ValueError(
            f"logit_gradient must have shape (..., images, latents) with at least one image; "
            f"got {g.shape}"
        )
    x = check_images(x, np.shape(x)[-1] if np.ndim(x) else 0)
    try:
        np.broadcast_shapes(x.shape[:-1], g.shape[:-1])
    except ValueError:
        raise ValueError(
            f"x with shape {x.shape} and logit_gradient with shape {g.shape} must agree on "
            f"the images and broadcast on the runs"
        ) from None
    return _encoder_gradient(x, g)


def _encoder_gradient(x: np.ndarray, logit_gradient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`encoder_gradient` of checked arguments (the training steps call it)."""
    n = logit_gradient.shape[-2]
    return np.swapaxes(logit_gradient, -1, -2) @ x / n, logit_gradient.mean(axis=-2)


def _is_binary(b: np.ndarray) -> bool:
    return bool(np.all((b == 0) | (b == 1)))


class LearningSignal:
    """``f(b)`` of the module docstring for images ``x`` at ``params``, with ``a`` held fixed.

    ``params`` has one leading run axis ``(R,)`` and ``x``, binary images
    (:func:`check_images`), shape ``(R, N, D)`` or ``(N, D)``. :meth:`value` and
    :meth:`value_and_grad` take ``b`` (no NaN) of a shape that broadcasts to ``(..., R, N, K)``
    (any extra leading sample axes) and record where they were
    evaluated, so that :meth:`model_gradient` can give the decoder and prior their
    gradient there; :attr:`evaluations` counts the evaluations of ``f`` per image, and
    :attr:`binary_evaluations` those at a binary ``b``.
    """

    def __init__(self, params: Params, x):
        if len(check_params(params).runs) != 1:
            raise ValueError(f"params must have one leading run axis; got runs {params.runs}")
        x = check_images(x, params.pixels)
        if x.ndim == 2:
            x = np.broadcast_to(x, params.runs + x.shape)
        elif x.ndim != 3 or x.shape[0] != params.runs[0]:
            raise ValueError(
                f"x must have shape (N, D) or (R, N, D) with R = {params.runs[0]} runs; "
                f"got {x.shape}"
            )
        self.params = params
        self.x = x
        self.logit = _logit(params, self.x)  # (R, N, K)
        eta = params.prior_logit[:, None, :]
        self._slope = eta - self.logit  # d(log p(b) - log q(b|x))/db
        self._offset = np.sum(softplus(self.logit), axis=-1) - np.sum(softplus(eta), axis=-1)
        self._vt = np.swapaxes(params.decoder_weight, -1, -2)
        self._points: list[tuple[np.ndarray, np.ndarray]] = []

    def _decode(self, b):
        b = check_no_nan(as_float_array(b, "b", np.float64), "b")
        try:
            b = np.broadcast_to(b, np.broadcast_shapes(b.shape, self.logit.shape))
        except ValueError:
            raise ValueError(
                f"b must have a shape that broadcasts to (..., R, N, K), here (R, N, K) = "
                f"{self.logit.shape}; got shape {b.shape}"
            ) from None
        extra = b.shape[:-3]
        r, n, k = self.logit.shape
        bt = np.moveaxis(b, -3, 0).reshape(r, -1, n, k)  # (R, E, N, K)
        h = (bt.reshape(r, -1, k) @ self._vt).reshape(bt.shape[:-1] + (-1,))
        h += self.params.decoder_bias[:, None, None, :]
        x = self.x[:, None]
        log_normaliser, mean = softplus_and_sigmoid(h)
        loglik = np.sum(x * h - log_normaliser, axis=-1)
        value = loglik + np.sum(bt * self._slope[:, None], axis=-1) + self._offset[:, None]
        residual = x - mean  # (R, E, N, D)
        self._points.append((bt, residual))
        return np.moveaxis(value, 0, -2).reshape(extra + (r, n)), residual, extra

    def value(self, b) -> np.ndarray:
        """``f(b)``, shape ``b.shape[:-1]``."""
        return self._decode(b)[0]

    def value_and_grad(self, b):
        """``f(b)`` and ``df/db = V^T (x - sigmoid(h)) + eta - a``."""
        value, residual, extra = self._decode(b)
        r, n, k = self.logit.shape
        grad = (residual.reshape(r, -1, residual.shape[-1]) @ self.params.decoder_weight).reshape(
            (r, -1, n, k)
        ) + self._slope[:, None]
        return value, np.moveaxis(grad, 0, -3).reshape(extra + (r, n, k))

    @property
    def evaluations(self) -> float:
        """Evaluations of ``f`` per image so far."""
        return float(sum(b.shape[1] for b, _ in self._points))

    @property
    def binary_evaluations(self) -> float:
        """Evaluations of ``f`` per image so far at a binary ``b`` (every entry 0 or 1)."""
        return float(sum(b.shape[1] for b, _ in self._points if _is_binary(b)))

    def model_gradient(self, logit_gradient: np.ndarray, discrete_only: bool = False) -> Params:
        """The ELBO gradient: encoder from ``logit_gradient``, decoder and prior at the points.

        Each recorded evaluation counts once; the images are averaged. With
        ``discrete_only``, only the evaluations at binary ``b`` (every entry 0 or 1) count.
        """
        points = self._points
        if discrete_only:
            points = [p for p in points if _is_binary(p[0])]
        if not points:
            raise ValueError("the learning signal has not been evaluated (at a binary b) yet")
        r, n, k = self.logit.shape
        b = np.concatenate([p[0] for p in points], axis=1)  # (R, E, N, K)
        res = np.concatenate([p[1] for p in points], axis=1)  # (R, E, N, D)
        count = b.shape[1] * n
        dv = np.swapaxes(res.reshape(r, -1, res.shape[-1]), -1, -2) @ b.reshape(r, -1, k)
        dd = res.sum(axis=(1, 2))
        deta = b.sum(axis=(1, 2)) / count - sigmoid(self.params.prior_logit)
        dw, dc = _encoder_gradient(self.x, logit_gradient)
        return Params.unchecked(dw, dc, dv / count, dd / count, deta)
