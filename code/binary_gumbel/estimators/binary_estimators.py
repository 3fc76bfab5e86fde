"""Gradient estimators of ``d/dlogit E[f(b)]`` for independent binary variables.

The objective is ``E[f(b)]`` with ``b_k ~ Bernoulli(p_k)``, ``p_k = sigmoid(logit_k)``
independent, the ``K`` latents on the last axis and any leading axes (batch,
seeds, ...) broadcast. Every estimator takes uniform variates ``u`` in [0, 1]
and returns one estimate of the gradient, of shape ``(..., K)``, per leading
index. With the Logistic noise ``l = log u - log(1 - u)`` of the book's first
chapters (:func:`binary_gumbel.logistic_from_uniform`):

- ``z = logit + l`` and the discrete sample ``b = 1[z > 0]``, equal to
  ``1[u > sigmoid(-logit)]`` in exact arithmetic: :func:`hard_sample_unchecked` computes it,
  for every estimator here and for :mod:`binary_gumbel.estimators.binary_rebar`, as the sign
  of ``z`` (a comparison of ``u`` with the rounded ``sigmoid(-logit)`` can disagree with it
  where ``u`` is within an ulp of that: at ``logit = 1e-20`` and ``u = 1/2``, ``z > 0``
  while ``sigmoid(-logit)`` rounds to ``u``);
- the antithetic ``z~ = logit - l`` (the same ``l`` negated: ``u -> 1 - u``) and
  ``b~ = 1[z~ > 0] = 1[u < sigmoid(logit)]``, also Bernoulli(p), computed as ``b`` at
  ``1 - u``;
- the relaxed sample ``x = sigmoid(z / tau)``, the binary Concrete of
  :func:`binary_gumbel.binary_gumbel_softmax`, with ``dx/dlogit = x (1 - x) / tau``.

Two kinds of objective are taken:

- ``f(b)``: a callable mapping ``b`` of shape ``(..., K)`` (floats in {0, 1}) to
  values of shape ``(...)``; used by the score-function estimators
  (REINFORCE, RLOO, ARM, DisARM);
- ``f_grad(x)``: a callable returning ``(value, gradient)`` at ``x`` in
  ``[0, 1]^K``, the value of shape ``(...)`` and the gradient with respect to
  ``x`` of shape ``(..., K)``; used by the pathwise estimators (straight-through,
  Gumbel-softmax, straight-through Gumbel-softmax, ReinMax).

An infinite logit wins over infinite noise (``u`` at 0 or 1), as in
:func:`binary_gumbel.binary_gumbel_softmax`: ``logit = +inf`` gives ``b = 1`` and
``logit = -inf`` gives ``b = 0`` for every ``u``. Every estimate of such a
coordinate is then 0, except ARM's: its factor ``u_k - 1/2`` is then independent
of ``(b, b~)`` and averages to 0, but a single estimate need not be 0.

What ``f`` and ``f_grad`` return must be finite: a NaN or an infinity there is a
``ValueError`` naming ``f(b)`` (or ``f(b~)``), ``f_grad's value`` or ``f_grad's gradient``.
Every finite value of ``f`` (and of REINFORCE's baseline) is valid, even where differences
of them exceed the largest double (``f(b) = 1e308``, ``f(b~) = -1e308``): the estimate is
then computed without that overflow, and is ``±inf``, without numpy's warning, only where
it lies beyond the largest double itself, as a pathwise estimate is where a gradient meets
a slope beyond it.
:data:`ESTIMATOR_TABLE` records each estimator's cost and properties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_finite,
    check_no_nan,
    check_tau,
    check_uniform,
    finite_float64,
)
from binary_gumbel.noise import logistic_from_uniform, sigmoid

__all__ = [
    "ESTIMATOR_TABLE",
    "EstimatorInfo",
    "antithetic_pair",
    "arm",
    "disarm",
    "estimator_table_markdown",
    "gumbel_softmax",
    "hard_sample_unchecked",
    "reinforce",
    "reinmax",
    "rloo",
    "straight_through",
    "straight_through_gumbel",
]

_LARGEST = np.finfo(np.float64).max


def _args(logit, u, min_ndim: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``logit`` (NaN refused, ``±inf`` allowed) and ``u`` in [0, 1], broadcast, float64."""
    logit = check_no_nan(as_float_array(logit, "logit", np.float64), "logit")
    u = check_uniform(u, dtype=np.float64)
    if u.ndim < min_ndim:
        raise ValueError(
            f"u must have at least {min_ndim} axes (the latents on the last one); "
            f"got shape {u.shape}"
        )
    if logit.ndim > u.ndim - min_ndim + 1:
        raise ValueError(
            f"logit must not have more axes than u{' without its sample axis' * (min_ndim > 1)}; "
            f"got logit with shape {logit.shape}, u with shape {u.shape}"
        )
    return broadcast(logit=logit, u=u)


def hard_sample_unchecked(logit: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``z = logit + l`` and ``b = 1[z > 0]`` (float64) from Logistic noise ``l``, unchecked.

    The discrete sample that every estimator of this module and of
    :mod:`binary_gumbel.estimators.binary_rebar` draws from a uniform ``u``, through
    ``l = log u - log(1 - u)`` (``noise``): Bernoulli(p), ``p = sigmoid(logit)``, for
    ``u ~ Uniform(0, 1)``; the relaxed sampler's hard sample is the same ``b`` (both take
    ``z`` from one kernel, whose limits at infinite logits and at ``u = 0`` or 1 they share).
    ``logit`` (no NaN) and ``noise`` (no NaN; ``±inf`` at ``u = 0`` or 1) are float64
    arrays already checked, of shapes that broadcast.
    """
    z = _kernels.noisy_logit(logit, noise)
    return z, (z > 0).astype(np.float64)


def _hard(logit: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``b`` of :func:`hard_sample_unchecked` at the noise of ``u``."""
    return hard_sample_unchecked(logit, logistic_from_uniform(u))[1]


def antithetic_pair(logit, u) -> tuple[np.ndarray, np.ndarray]:
    """The antithetic pair: ``b = 1[logit + l > 0]``, ``b~ = 1[logit - l > 0]``, ``l = L(u)``.

    ``L(u) = log u - log(1 - u)`` is the Logistic noise, and ``b~`` is ``b`` at
    ``1 - u``: ``1[u < sigmoid(logit)]``. Both are Bernoulli(p), ``p = sigmoid(logit)``,
    and they differ with probability ``2 min(p, 1 - p)``.
    """
    logit, u = _args(logit, u)
    return _hard(logit, u), _hard(logit, 1 - u)


def _evaluate(f: Callable, b: np.ndarray, name: str = "f", what: str = "f(b)") -> np.ndarray:
    """``f(b)`` as float64, checked to have the shape ``b.shape[:-1]``.

    ``name`` is the callable's name, ``what`` that of its value, in the errors. That the
    value is finite is checked where it is used, by :func:`_linear_in_f` (with the bound it
    checks anyway) and :func:`_gradient`.
    """
    value = as_float_array(f(b), what, np.float64)
    if value.shape != b.shape[:-1]:
        raise ValueError(
            f"{name} must map b of shape (..., K) = {b.shape} to shape {b.shape[:-1]}; "
            f"got shape {value.shape}"
        )
    return value


def _gradient(f_grad: Callable, x: np.ndarray) -> np.ndarray:
    """The gradient part of ``f_grad(x)`` as float64, checked to have the shape of ``x``; the
    value and the gradient are checked to be finite."""
    out = f_grad(x)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise ValueError("f_grad must return a pair (value, gradient)")
    what = "f_grad's value"
    check_finite(_evaluate(lambda _: out[0], x, what, what), what)
    grad = as_float_array(out[1], "f_grad's gradient", np.float64)
    if grad.shape != x.shape:
        raise ValueError(
            f"f_grad's gradient must have the shape of x, {x.shape}; got shape {grad.shape}"
        )
    return check_finite(grad, "f_grad's gradient")


def _linear_in_f(formula: Callable, values: dict[str, np.ndarray], headroom: int):
    """``formula(*values)`` for a formula linear in the ``values`` (of ``f``, a baseline), which
    must be finite (``ValueError`` naming the value otherwise), without overflow in between.

    No intermediate of the formula exceeds ``headroom`` times the largest ``|value|``, so
    below the largest double over ``headroom`` (every ordinary input; one pass over each
    value, which also shows that it is finite) the formula runs as written. Above, an entry
    whose direct computation overflowed (to ``±inf``, or NaN from ``inf - inf`` or
    ``inf * 0``) is computed from the values divided by a power of 2 of at least ``headroom``
    (exact) and multiplied back: the estimate, or ``±inf`` without numpy's warning where it
    lies beyond the largest double. Other entries keep their direct value.
    """
    bound = _LARGEST / headroom
    if all(np.abs(v).max(initial=0.0) <= bound for v in values.values()):
        return formula(*values.values())
    checked = [check_finite(v, what) for what, v in values.items()]
    scale = float(1 << (headroom - 1).bit_length())  # the least power of 2 >= headroom
    with np.errstate(over="ignore", invalid="ignore"):
        direct = formula(*checked)
        scaled = formula(*(v / scale for v in checked)) * scale
    return np.where(np.isfinite(direct), direct, scaled)


def reinforce(f, logit, u, baseline=0.0):
    """REINFORCE (Williams 1992): ``(f(b) - c) (b - p)``, one estimate per leading index.

    ``b = 1[logit + l > 0]`` from one uniform vector ``u`` of shape ``(..., K)``;
    ``b - p`` is ``d log P(b) / d logit``. ``baseline`` ``c`` (default 0), finite, has the
    shape ``(...)`` of ``f(b)`` or broadcasts to it (a baseline that would add axes to the
    estimate is refused); it must not depend on ``b``, and the estimator is then unbiased.
    """
    logit, u = _args(logit, u)
    c = finite_float64(baseline, "baseline")
    b = _hard(logit, u)
    fb = _evaluate(f, b)
    try:
        fits = np.broadcast(fb, c).shape == fb.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"baseline must have the shape of f(b), {fb.shape}, or broadcast to it; "
            f"got shape {c.shape}"
        )
    score = b - sigmoid(logit)
    values = {"f(b)": fb, "baseline": c}
    return _linear_in_f(lambda fb, c: (fb - c)[..., None] * score, values, 2)


def rloo(f, logit, u):
    """REINFORCE with the leave-one-out baseline (Kool, van Hoof & Welling 2019), averaged.

    ``u`` has shape ``(S, ..., K)``: ``S >= 2`` independent uniform vectors give
    ``b_s = 1[logit + l_s > 0]``, and the estimate is

        (1/S) sum_s (f(b_s) - (1/(S-1)) sum_{j != s} f(b_j)) (b_s - p)
          = (1/(S-1)) sum_s (f(b_s) - mean_j f(b_j)) (b_s - p),

    unbiased since each baseline is independent of ``b_s``. It costs ``S``
    evaluations of ``f``; the result has shape ``(..., K)``.
    """
    logit, u = _args(logit, u, min_ndim=2)
    s = u.shape[0]
    if s < 2:
        raise ValueError(f"u must hold S >= 2 samples on its first axis; got shape {u.shape}")
    b = _hard(logit, u)
    score = b - sigmoid(logit)

    def estimate(fb):
        centred = (fb - fb.mean(axis=0)) * (s / (s - 1))
        return np.mean(centred[..., None] * score, axis=0)

    # With m the largest |f(b)|, the sum in the mean of f(b) is at most S m, the centred
    # values times S / (S - 1) <= 2 at most 4 m, and their sum over the samples 4 S m.
    return _linear_in_f(estimate, {"f(b)": _evaluate(f, b)}, 4 * s)


def arm(f, logit, u):
    """ARM (Yin & Zhou 2019, Theorem 1): ``(f(b) - f(b~)) (u - 1/2)``, vector ``u - 1/2``.

    One uniform vector ``u`` gives the antithetic pair ``b = 1[logit + l > 0]``
    and ``b~ = 1[u < sigmoid(logit)]`` (:func:`antithetic_pair`); two evaluations
    of ``f``. Unbiased.
    """
    logit, u = _args(logit, u)
    b, bt = _hard(logit, u), _hard(logit, 1 - u)
    half = u - 0.5
    values = {"f(b)": _evaluate(f, b), "f(b~)": _evaluate(f, bt)}
    return _linear_in_f(lambda fb, fbt: (fb - fbt)[..., None] * half, values, 2)


def disarm(f, logit, u):
    """DisARM (Dong, Mnih & Tucker 2020): ARM averaged over ``u`` given ``(b, b~)``.

    ``(1/2) (f(b) - f(b~)) (-1)^{b~_k} 1[b_k != b~_k] sigmoid(|logit_k|)``, from the
    same antithetic pair as :func:`arm`: one uniform vector, two evaluations of
    ``f``. Unbiased; it is ``E[ARM | b, b~]``, so its variance is at most ARM's.
    It agrees with the authors' ``disarm`` branch of ``get_layer_grad_estimation``
    in google-research ``disarm/networks.py``.
    """
    logit, u = _args(logit, u)
    b, bt = _hard(logit, u), _hard(logit, 1 - u)
    sign = (1 - 2 * bt) * (b != bt)
    weight = sigmoid(np.abs(logit))
    values = {"f(b)": _evaluate(f, b), "f(b~)": _evaluate(f, bt)}
    return _linear_in_f(lambda fb, fbt: 0.5 * (fb - fbt)[..., None] * sign * weight, values, 2)


def straight_through(f_grad, logit, u):
    """Straight-through with the sigmoid's slope: ``grad f(b) p (1 - p)``.

    After Bengio, Léonard & Courville (2013), whose abstract's version copies ``grad f(b)``
    without the factor ``p (1 - p)``.

    Forward with ``b = 1[logit + l > 0]``, backward as if ``b`` were ``p``:
    ``df/db_k * dp_k/dlogit_k``. One uniform vector, one gradient evaluation; biased.
    Not the straight-through Gumbel estimator, whose backward pass goes through the
    relaxed ``x`` (:func:`straight_through_gumbel`;
    :func:`binary_gumbel.estimators.gradients.straight_through` on the toy problem).
    """
    logit, u = _args(logit, u)
    return _gradient(f_grad, _hard(logit, u)) * _kernels.sigmoid_and_slope(logit)[1]


def _relaxed(logit: np.ndarray, tau, u: np.ndarray):
    """``b`` of :func:`hard_sample_unchecked`, ``x = sigmoid(z / tau)`` and ``dx/dlogit``."""
    tau = check_tau(tau, np.float64)
    logit, u, tau = broadcast(logit=logit, u=u, tau=tau)
    z, b = hard_sample_unchecked(logit, logistic_from_uniform(u))
    return (b, *_kernels.concrete(z, tau))


def gumbel_softmax(f_grad, logit, tau, u):
    """Relaxed (Gumbel-softmax, binary Concrete) estimator: ``grad f(x) x (1 - x) / tau``.

    ``x = sigmoid((logit + log u - log(1 - u)) / tau)`` (Maddison, Mnih & Teh 2016;
    Jang, Gu & Poole 2016), the pathwise derivative of ``f(x)``. One uniform vector,
    one gradient evaluation at the relaxed ``x``; biased, since ``E f(x) != E f(b)``.
    """
    logit, u = _args(logit, u)
    _, x, dx = _relaxed(logit, tau, u)
    return _kernels.times(_gradient(f_grad, x), dx)


def straight_through_gumbel(f_grad, logit, tau, u):
    """Straight-through Gumbel-softmax (Jang, Gu & Poole 2016): ``grad f(b) x (1 - x) / tau``.

    Forward with ``b = 1[x > 1/2] = 1[logit + l > 0]``, backward through the
    relaxed ``x`` of :func:`gumbel_softmax`. One uniform vector, one gradient
    evaluation at ``b``; biased.
    """
    logit, u = _args(logit, u)
    b, _, dx = _relaxed(logit, tau, u)
    return _kernels.times(_gradient(f_grad, b), dx)


def reinmax(f_grad, logit, tau, u):
    """ReinMax (Liu et al. 2023, NeurIPS), for one binary variable per latent.

    ``grad f(b) [2 q (1 - q) - p (1 - p) / 2]`` with ``q = (b + sigmoid(logit / tau)) / 2``
    and ``b = 1[logit + l > 0]``: Heun's method, with ``2 J(q) - J(p) / 2`` in
    place of straight-through's ``J(p) = p (1 - p)``. The backward pass of the
    authors' code (microsoft/ReinMax, commit f140066, ``reinmax/reinmax.py`` lines
    38-46) for two classes with logits ``(logit, 0)`` reduces to this (a test
    transcribes it). Temperature convention: ``tau`` only enters through
    ``sigmoid(logit / tau)`` in the backward pass, without a ``1 / tau`` factor;
    ``b`` is drawn at temperature 1 (lines 17-22). At ``tau = 1`` its mean is the
    trapezoidal rule ``p (1 - p) (df/db_k(b_k=0) + df/db_k(b_k=1)) / 2`` for each
    ``k``, so it is unbiased when ``f`` is at most quadratic in each coordinate.
    The authors' code refuses ``tau < 1``
    (line 94); here any finite ``tau > 0`` is accepted. One uniform vector, one gradient
    evaluation at ``b``; biased.
    """
    logit, u = _args(logit, u)
    tau = check_tau(tau, np.float64)
    logit, u, tau = broadcast(logit=logit, u=u, tau=tau)
    b = _hard(logit, u)
    with np.errstate(over="ignore"):
        q = 0.5 * (b + sigmoid(logit / tau))
    return _gradient(f_grad, b) * (2 * q * (1 - q) - 0.5 * _kernels.sigmoid_and_slope(logit)[1])


@dataclass(frozen=True)
class EstimatorInfo:
    """One estimator's cost per estimate and its properties.

    ``uniform_vectors`` counts the uniform vectors of shape ``(..., K)`` one
    estimate takes; ``evaluations`` counts the calls of ``f`` (or of ``f_grad``,
    when ``pathwise``) on one sample; ``has_temperature`` says whether ``tau``
    is an argument. Each estimator's reference is in its function's docstring.
    """

    name: str
    function: Callable
    uniform_vectors: int
    evaluations: int
    has_temperature: bool
    unbiased: bool
    pathwise: bool


#: The estimators of this module with their costs (RLOO with its two samples).
ESTIMATOR_TABLE: tuple[EstimatorInfo, ...] = (
    EstimatorInfo("REINFORCE", reinforce, 1, 1, False, True, False),
    EstimatorInfo("RLOO", rloo, 2, 2, False, True, False),
    EstimatorInfo("ARM", arm, 1, 2, False, True, False),
    EstimatorInfo("DisARM", disarm, 1, 2, False, True, False),
    EstimatorInfo("straight-through", straight_through, 1, 1, False, False, True),
    EstimatorInfo("Gumbel-softmax", gumbel_softmax, 1, 1, True, False, True),
    EstimatorInfo(
        "straight-through Gumbel-softmax", straight_through_gumbel, 1, 1, True, False, True
    ),
    EstimatorInfo("ReinMax", reinmax, 1, 1, True, False, True),
)


def estimator_table_markdown() -> str:
    """:data:`ESTIMATOR_TABLE` as a Markdown table."""
    yes = {True: "yes", False: "no"}
    lines = [
        "| estimator | function | uniform vectors | evaluations | temperature | unbiased |",
        "|:--|:--|--:|--:|:--|:--|",
    ]
    for e in ESTIMATOR_TABLE:
        kind = "∇f" if e.pathwise else "f"
        lines.append(
            f"| {e.name} | `{e.function.__name__}` | {e.uniform_vectors} "
            f"| {e.evaluations} of {kind} | {yes[e.has_temperature]} | {yes[e.unbiased]} |"
        )
    return "\n".join(lines)
