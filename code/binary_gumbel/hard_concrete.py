"""The hard concrete gate: a stretched and clipped binary Concrete (Louizos et al. 2018).

Louizos, Welling & Kingma (2018), "Learning Sparse Neural Networks through
L_0 Regularization", ICLR, arXiv:1712.01312, Sec. 4. A binary Concrete sample
(:func:`binary_gumbel.binary_gumbel_softmax`, the corrected Eq. (1) of the note)

    s = sigmoid((logit + log u - log(1 - u)) / tau),      u ~ Uniform(0, 1),

is stretched to the interval (gamma, zeta), with ``gamma < 0 < 1 < zeta``, and
clipped to [0, 1]:

    z = min(1, max(0, gamma + (zeta - gamma) s)).

The gate ``z`` is exactly 0 with positive probability, exactly 1 with positive
probability, and continuous in between. Every probability follows from the
binary Concrete CDF ``F(x) = sigmoid(tau log(x / (1 - x)) - logit)``
(:func:`binary_gumbel.binary_concrete_cdf`), because ``z <= c`` is
``s <= (c - gamma) / (zeta - gamma)`` for ``0 <= c < 1``, and the odds of that
point are ``(c - gamma) / (zeta - c)``:

    P(z = 0)  = F(-gamma / (zeta - gamma)) = sigmoid(tau log(-gamma / zeta) - logit),
    P(z = 1)  = 1 - F((1 - gamma) / (zeta - gamma))
              = sigmoid(logit - tau log((1 - gamma) / (zeta - 1))),
    P(z <= c) = sigmoid(tau log((c - gamma) / (zeta - c)) - logit),   0 <= c < 1.

The expected L0 norm of a gated weight, the penalty of Louizos et al.'s Eq. (12),
is therefore a closed form that is differentiable in ``logit``:

    E[1(z != 0)] = P(z != 0) = 1 - P(z = 0) = sigmoid(logit - tau log(-gamma / zeta)),

since ``1 - sigmoid(a) = sigmoid(-a)``. :func:`expected_l0` evaluates it in that
form, never as ``1 - P(z = 0)``, which loses every digit where ``P(z = 0)`` is
close to 1.

Numerics: each probability is one stable sigmoid (``binary_gumbel._kernels``) of an
argument assembled from ``log(-gamma)``, ``log1p(-gamma)``, ``log(zeta)``,
``log(zeta - 1)``, ``log(c - gamma)`` and ``log(zeta - c)``, all of positive,
exactly or accurately formed quantities. A tail probability is therefore always a
sigmoid of a very negative argument (computed as ``e / (1 + e)``), exact in
relative terms, and never ``1 - (something close to 1)``.

The SymPy derivation of the three laws from the binary Concrete CDF is
:func:`binary_gumbel.verification.hard_concrete_derivation.hard_concrete_masses_expr`; the
Monte Carlo checks of the sampler are :mod:`binary_gumbel.verification.sampler_checks`.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    check_dtype,
    check_no_nan,
    check_probability,
    check_stretch,
    check_tau,
    check_uniform,
    result_dtype,
    sample_shape,
)
from binary_gumbel.relaxed import (
    binary_gumbel_softmax,
    logit_from_probability,
    sample_binary_gumbel_softmax,
)

__all__ = [
    "GAMMA",
    "ZETA",
    "expected_l0",
    "expected_l0_grad",
    "hard_concrete_cdf",
    "hard_concrete_from_uniform",
    "hard_concrete_logpdf",
    "hard_concrete_moments",
    "hard_concrete_pdf",
    "hard_concrete_prob_one",
    "hard_concrete_prob_zero",
    "logit_for_prob_zero",
    "sample_hard_concrete",
]

#: The stretch Louizos et al. (2018) use: (gamma, zeta) = (-0.1, 1.1).
GAMMA, ZETA = -0.1, 1.1


# --- argument checks -----------------------------------------------------------------------


def _params(logit, tau, gamma, zeta, **extra):
    """Convert, check and broadcast ``(*extra, logit, tau, gamma, zeta)`` in one dtype."""
    dtype = result_dtype(**extra, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    checked = {k: check_no_nan(as_float_array(v, k, dtype), k) for k, v in extra.items()}
    checked["logit"] = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    checked["tau"] = check_tau(tau, dtype)
    checked["gamma"], checked["zeta"] = check_stretch(gamma, zeta, dtype)
    return broadcast(**checked)


def _log_odds_zero(gamma, zeta):
    """``log(-gamma / zeta)``: the log-odds of ``s`` at which the stretched sample is 0."""
    return np.log(-gamma) - np.log(zeta)


def _log_odds_one(gamma, zeta):
    """``log((1 - gamma) / (zeta - 1))``: the log-odds of ``s`` at which it is 1."""
    return np.log1p(-gamma) - np.log(zeta - 1)


# --- the law ---------------------------------------------------------------------------------


def hard_concrete_prob_zero(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``P(z = 0) = sigmoid(tau log(-gamma / zeta) - logit)`` for the hard concrete gate.

    ``z = min(1, max(0, gamma + (zeta - gamma) s))`` with ``s`` binary Concrete
    (Louizos, Welling & Kingma 2018, Sec. 4). ``z = 0`` exactly when
    ``s <= -gamma / (zeta - gamma)``, a point whose odds are ``-gamma / zeta``, so
    ``P(z = 0)`` is the binary Concrete CDF there.

    Parameters
    ----------
    logit : array_like
        Location ``log alpha`` of the binary Concrete; ``±inf`` allowed, NaN refused.
    tau : array_like
        Temperature (Louizos et al.'s ``beta``), ``0 < tau < inf``.
    gamma, zeta : array_like, optional
        The stretch interval, ``-inf < gamma < 0`` and ``1 < zeta < inf``;
        by default Louizos et al.'s ``(-0.1, 1.1)``.

    Returns
    -------
    ndarray or scalar
        The probability, with the broadcast shape of the inputs, in float32 when
        the floating inputs are float32. Exact in relative terms in both tails.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, ``gamma`` is not a
        finite negative number, ``zeta`` is not finite and greater than 1, the width
        ``zeta - gamma`` is beyond the largest float of the dtype, or the shapes do not
        broadcast.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    a = _kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), logit)
    return _kernels.sigmoid(a).astype(logit.dtype)[()]


def hard_concrete_prob_one(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``P(z = 1) = sigmoid(logit - tau log((1 - gamma) / (zeta - 1)))`` for the hard concrete gate.

    ``z = 1`` exactly when ``s >= (1 - gamma) / (zeta - gamma)``, a point whose odds
    are ``(1 - gamma) / (zeta - 1)``; ``P(z = 1)`` is one minus the binary Concrete
    CDF there, evaluated as the sigmoid of the negated argument (Louizos, Welling &
    Kingma 2018, Sec. 4).

    Parameters, return value and errors are those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    b = _kernels.scaled_minus(tau, _log_odds_one(gamma, zeta), logit)
    return _kernels.sigmoid(-b).astype(logit.dtype)[()]


def logit_for_prob_zero(prob_zero, tau, gamma=GAMMA, zeta=ZETA):
    """The logit at which the gate is exactly 0 with probability ``prob_zero``.

    Claim 1 solved for the logit: ``logit = tau log(-gamma / zeta) - log(p / (1 - p))``
    with ``p = prob_zero``. It is not ``-log(p / (1 - p))``: at ``logit = 0`` (what
    ``droprate_init = 0.5`` gives in Louizos et al.'s released code, ``l0_layers.py``,
    ``log(1 - droprate_init) - log(droprate_init)``), ``P(z = 0)`` is
    ``sigmoid(tau log(-gamma / zeta))``, 0.168 at their ``tau = 2/3``, not 1/2.

    Parameters
    ----------
    prob_zero : array_like
        ``0 <= prob_zero <= 1``; 0 gives ``+inf`` and 1 gives ``-inf``.
    tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``prob_zero`` is NaN or outside [0, 1], or as in :func:`hard_concrete_prob_zero`.
    """
    log_odds = logit_from_probability(check_probability(prob_zero, "prob_zero"))
    log_odds, tau, gamma, zeta = _params(log_odds, tau, gamma, zeta)
    logit = _kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), log_odds)
    return logit.astype(log_odds.dtype)[()]


def expected_l0(logit, tau, gamma=GAMMA, zeta=ZETA):
    """The expected L0 penalty ``P(z != 0) = sigmoid(logit - tau log(-gamma / zeta))``.

    It is ``1 - P(z = 0)`` (:func:`hard_concrete_prob_zero`), written with
    ``1 - sigmoid(a) = sigmoid(-a)`` so that it keeps its relative accuracy where
    the gate is almost always shut. Louizos, Welling & Kingma (2018), Eq. (12).

    Parameters, return value and errors are those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    a = -_kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), logit)
    return _kernels.sigmoid(a).astype(logit.dtype)[()]


def expected_l0_grad(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``d P(z != 0) / d logit = sigmoid(a) sigmoid(-a)``, ``a = logit - tau log(-gamma / zeta)``.

    The gradient of the closed-form penalty (:func:`expected_l0`) in the gate's
    logit: no sampling is needed for it. Parameters, return value and errors are
    those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    a = -_kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), logit)
    return _kernels.sigmoid_and_slope(a)[1].astype(logit.dtype)[()]


def _interior_argument(z, logit, tau, gamma, zeta):
    """``tau log((c - gamma) / (zeta - c)) - logit`` at ``c = z`` clipped into [0, 1)."""
    inside = (z >= 0) & (z < 1)
    c = np.where(inside, z, 0)
    return _kernels.scaled_minus(tau, np.log(c - gamma) - np.log(zeta - c), logit), inside


def hard_concrete_cdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """CDF ``P(Z <= z)`` of the hard concrete gate, for every real ``z``.

    ``0`` for ``z < 0``; ``sigmoid(tau log((z - gamma) / (zeta - z)) - logit)`` for
    ``0 <= z < 1`` (at ``z = 0`` this is ``P(Z = 0)``, the CDF jumps there); ``1``
    for ``z >= 1`` (a jump of ``P(Z = 1)`` at 1). Louizos, Welling & Kingma (2018), Sec. 4.

    Parameters
    ----------
    z : array_like
        Point(s) at which to evaluate; any real value, ``±inf`` included, NaN refused.
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.

    Returns
    -------
    ndarray or scalar
        The CDF, with the broadcast shape of the inputs.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``z`` or ``logit`` is NaN, or as in :func:`hard_concrete_prob_zero`.
    """
    z, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, z=z)
    arg, inside = _interior_argument(z, logit, tau, gamma, zeta)
    arg = np.where(inside, arg, np.where(z >= 1, np.inf, -np.inf))
    return _kernels.sigmoid(arg).astype(z.dtype)[()]


def hard_concrete_logpdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """Log-density of the continuous part of the hard concrete gate on (0, 1).

    ``f_Z(z) = tau (zeta - gamma) f(a) / ((z - gamma)(zeta - z))`` with
    ``a = tau log((z - gamma) / (zeta - z)) - logit`` and ``f`` the standard
    Logistic density: the derivative of :func:`hard_concrete_cdf` on (0, 1). It
    integrates to ``1 - P(z = 0) - P(z = 1)``; the two point masses are not part of it.

    Parameters, return value and errors are those of :func:`hard_concrete_cdf`;
    the result is ``-inf`` outside the open interval (0, 1).
    """
    z, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, z=z)
    arg, inside = _interior_argument(z, logit, tau, gamma, zeta)
    inside &= z > 0
    c = np.where(inside, z, 0.5)
    log_f = _kernels.logistic_logpdf(np.where(inside, arg, 0))  # -inf for an infinite logit
    value = np.log(tau) + np.log(zeta - gamma) - np.log(c - gamma) - np.log(zeta - c) + log_f
    return np.where(inside, value, -np.inf).astype(z.dtype)[()]


def hard_concrete_pdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """Density of the continuous part on (0, 1): ``exp`` of :func:`hard_concrete_logpdf`.

    A density beyond the largest float of the dtype (near ``z = 0`` for a ``gamma`` close to
    0, where ``1 / (z - gamma)`` is huge) is ``inf``, without numpy's overflow warning.
    """
    with np.errstate(over="ignore"):  # beyond the largest float: inf, what it rounds to
        return np.exp(hard_concrete_logpdf(z, logit, tau, gamma, zeta))


#: The composite Gauss-Legendre rule of :func:`hard_concrete_moments`: 16 panels of
#: 16 nodes on a window of the gate's interior at most 80 long (panels at most 5 long,
#: against poles of the logistic density 3.1 from the real axis: below 1e-15 relative).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_PANELS = 16
#: Half the window: beyond 40 from its nearest point the logistic density is below e^-40 of it.
_WINDOW = 40.0


def hard_concrete_moments(logit, tau, gamma=GAMMA, zeta=ZETA):
    """Mean and variance of the hard concrete gate, ``(E z, Var z)``.

    With ``L = log u - log(1 - u)`` standard logistic (density ``sigmoid(L) sigmoid(-L)``),
    the gate is 0 for ``L <= a = tau log(-gamma / zeta) - logit``, 1 for
    ``L >= b = tau log((1 - gamma) / (zeta - 1)) - logit``, and
    ``z(L) = gamma + (zeta - gamma) sigmoid((logit + L) / tau)`` in between (the gate of
    Louizos, Welling & Kingma 2018), so

        E z       = P(z = 1) + int_a^b z(L) sigmoid(L) sigmoid(-L) dL,
        E (1 - z) = P(z = 0) + int_a^b (1 - z(L)) sigmoid(L) sigmoid(-L) dL,
        Var z     = P(z = 0) m^2 + P(z = 1) (1 - m)^2 + int_a^b (z(L) - m)^2 ... dL,

    with ``m = E z``, ``1 - m`` taken from its own integral and ``z(L) - m`` written as
    ``(1 - m) - (1 - z(L))``: every term is a sum of non-negative parts, so the variance is
    never negative. There is no closed form in general; the integrals are a composite
    Gauss-Legendre rule (16 panels of 16 nodes) on the part of ``(a, b)`` within 40 of its
    point nearest the density's mode, which leaves out less than ``e^-40`` of the
    interior's mass, relatively. On the interior ``z(L) = gamma + (zeta - gamma) s``, which
    cancels to an error of ``eps max(-gamma, zeta)``: at most ``2 eps`` within ``-1 <= gamma``
    and ``zeta <= 2``, where it is kept. For a wider stretch ``z`` and ``1 - z`` are products
    of non-negative factors instead, ``zeta s (1 - e^-(y - y0))`` and
    ``(1 - gamma) (1 - s) (1 - e^-(y1 - y))`` with ``y`` the log-odds of ``s`` and ``y0``,
    ``y1`` those at which the gate is 0 and 1. Where ``a`` and ``b`` are the same infinity (a
    ``tau`` near the largest float), the interior has no mass.

    Accuracy (``eps = 2.2e-16``; measured against mpmath): both moments are within 1e-12 of
    the exact values, relatively (5e-14 at ``logit = 0``, ``tau = 1``, where they are
    rational functions of ``gamma`` and ``zeta``, for ``gamma`` from ``-5e-324`` to
    ``-1.7e308`` and ``zeta`` from ``1 + 1e-7`` to ``1e300``), but in three cases:

    - where the open gate is almost always below ``eps``, the variance has an absolute error
      of about ``eps^2 P(0 < z < 1) + 4 eps m``, from ``(1 - m) - (1 - z)``;
    - in a tail (``a > 0`` or ``b < 0``) the window is ``(a, a + 40)`` (or ``(b - 40, b)``):
      of a longer interior, ``b - a = tau log((1 - gamma) zeta / (-gamma (zeta - 1))) > 40``,
      it leaves out a part where the density is below ``e^-40`` of its value at the
      window's start but the gate may have grown by as much: 2e-13 at ``tau = 1e4`` and
      1e-10 at ``tau = 1e6`` with the default stretch and ``a = 30``, 5e-10 at
      ``logit = -3``, ``tau = 30``, ``gamma = -1e3``, ``zeta = 1.1``, and 13 % (low) at
      ``logit = -50``, ``tau = 1``, ``gamma = -1e-20``, ``zeta = 1.1``;
    - the log-odds of ``s`` cross ``log((1 - gamma) zeta / (-gamma (zeta - 1)))`` on the
      interior: where that exceeds about 200 (``-gamma`` or ``zeta - 1`` below about
      ``1e-90``) the 256 nodes resolve the gate to about 1e-10 (2.5e-12 at ``logit = 0``,
      ``tau = 1e-6``, ``gamma = -1e-100``, ``zeta = 1.1``; 2e-10 at ``gamma = -1e-300``,
      ``zeta = 1.9``).

    Parameters, errors and the dtype of the result are those of
    :func:`hard_concrete_prob_zero`. ``logit = +inf`` gives ``(1, 0)`` and ``-inf``
    gives ``(0, 0)``; as ``tau -> 0`` the moments tend to those of
    Bernoulli(``sigmoid(logit)``).

    Returns
    -------
    (ndarray or scalar, ndarray or scalar)
        The mean and the variance, each with the broadcast shape of the inputs.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    dtype = logit.dtype
    logit, tau, gamma, zeta = (np.asarray(x, np.float64) for x in (logit, tau, gamma, zeta))
    infinite = np.isinf(logit)
    finite = np.where(infinite, 0.0, logit)
    a = _kernels.scaled_minus(tau, _log_odds_zero(gamma, zeta), finite)
    b = _kernels.scaled_minus(tau, _log_odds_one(gamma, zeta), finite)
    prob_zero, prob_one = _kernels.sigmoid(a), _kernels.sigmoid(-b)
    nearest = np.clip(0.0, a, b)
    beyond = np.isinf(nearest)  # a = b = +-inf: the interior is beyond the doubles, mass 0
    nearest = np.where(beyond, 0.0, nearest)
    low = np.where(beyond, 0.0, np.maximum(a, nearest - _WINDOW))
    high = np.where(beyond, 0.0, np.minimum(b, nearest + _WINDOW))
    width = (high - low) / _PANELS
    # Nodes on (..., panel, node): panel k covers [low + k width, low + (k + 1) width].
    node = np.s_[..., None, None]
    offsets = np.arange(_PANELS)[:, None] + (1 + _GL_NODES) / 2
    L = low[node] + width[node] * offsets
    weight = (width / 2)[node] * _GL_WEIGHTS * _kernels.sigmoid_and_slope(L)[1]
    with np.errstate(over="ignore"):  # beyond the doubles: +-inf, whose sigmoid is the limit
        y = (finite[node] + L) / tau[node]  # the log-odds of s
    z = gamma[node] + (zeta - gamma)[node] * _kernels.sigmoid(y)
    shut = 1 - z  # in (0, 1) on the interior
    wide = (gamma < -1) | (zeta > 2)
    if wide.any():
        # The distances of y from the ends of the interior: from those of L, exact where the
        # window starts at a or ends at b, or from y where that end is beyond the doubles.
        to_zero, to_one = _log_odds_zero(gamma, zeta)[node], _log_odds_one(gamma, zeta)[node]
        with np.errstate(over="ignore"):  # beyond the doubles at a tiny tau: capped below
            above = np.where(
                np.isfinite(a)[node],
                ((low - a)[node] + width[node] * offsets) / tau[node],
                y - to_zero,
            )
            below = np.where(
                np.isfinite(b)[node],
                ((b - high)[node] + width[node] * (_PANELS - offsets)) / tau[node],
                to_one - y,
            )
        z = np.where(wide[node], _gate_from_end(above, to_zero, zeta[node]), z)
        shut = np.where(wide[node], _gate_from_end(below, -to_one, (1 - gamma)[node]), shut)
    mean = prob_one + np.sum(weight * z, axis=(-2, -1))
    gap = prob_zero + np.sum(weight * shut, axis=(-2, -1))  # 1 - mean
    spread = np.sum(weight * (gap[node] - shut) ** 2, axis=(-2, -1))
    variance = prob_zero * mean**2 + prob_one * gap**2 + spread
    mean = np.where(infinite, logit > 0, mean)
    variance = np.where(infinite, 0.0, variance)
    return mean.astype(dtype)[()], variance.astype(dtype)[()]


def _gate_from_end(d, y_end, scale):
    """``scale sigmoid(y_end + d) (1 - e^-d)`` for ``d >= 0``, capped at 1: the gate near an end.

    With ``y`` the log-odds of ``s`` and ``y0 = log(-gamma / zeta)`` those at which the gate
    is 0, ``z = gamma + (zeta - gamma) s = zeta sigmoid(y) (1 - e^-(y - y0))``: this with
    ``d = y - y0``, ``y_end = y0``, ``scale = zeta``. With ``y1 = log((1 - gamma) / (zeta -
    1))``, where it is 1, ``1 - z = (1 - gamma) sigmoid(-y) (1 - e^-(y1 - y))``: this with
    ``d = y1 - y``, ``y_end = -y1``, ``scale = 1 - gamma``. A product of non-negative factors,
    each exact in relative terms, it keeps its accuracy for a stretch of any width, where
    ``gamma + (zeta - gamma) s`` cancels to ``eps max(-gamma, zeta)``. On the interior it lies
    in [0, 1]; the cap holds it there where rounding put a node outside.
    """
    d = np.maximum(d, 0)
    return np.minimum(scale * _kernels.sigmoid(y_end + d) * -np.expm1(-d), 1)


# --- sampling --------------------------------------------------------------------------------


def hard_concrete_from_uniform(logit, tau, u, gamma=GAMMA, zeta=ZETA):
    """The gate ``z = min(1, max(0, gamma + (zeta - gamma) s))`` from a uniform ``u``.

    ``s = sigmoid((logit + log u - log(1 - u)) / tau)`` is
    :func:`binary_gumbel.binary_gumbel_softmax`; with ``u ~ Uniform(0, 1)``, ``z``
    is a hard concrete sample (Louizos, Welling & Kingma 2018, Eq. 10). It is the
    reparameterisation: ``z`` is a deterministic, almost everywhere differentiable
    function of ``logit`` for fixed ``u``.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.
    u : array_like
        Uniform variate(s), ``0 <= u <= 1``.

    Returns
    -------
    ndarray or scalar
        ``z`` in [0, 1], with the broadcast shape of the inputs.

    Raises
    ------
    TypeError, ValueError
        As in :func:`hard_concrete_prob_zero`, and if ``u`` is NaN or outside [0, 1].
    """
    dtype = result_dtype(logit=logit, tau=tau, u=u, gamma=gamma, zeta=zeta)
    u = check_uniform(u, dtype=dtype)
    u, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, u=u)
    s = binary_gumbel_softmax(logit, tau, u)
    return _kernels.stretch_and_clip(s, gamma, zeta).astype(dtype)[()]


def sample_hard_concrete(logit, tau, size=None, rng=None, gamma=GAMMA, zeta=ZETA, dtype=np.float64):
    """Draw hard concrete gates ``z = min(1, max(0, gamma + (zeta - gamma) s))``.

    ``s`` is a binary Concrete sample drawn by
    :func:`binary_gumbel.sample_binary_gumbel_softmax` (the same uniforms, the same
    ``rng`` stream); see :func:`hard_concrete_from_uniform` for the formula and
    Louizos, Welling & Kingma (2018), Sec. 4, for the gate.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`; they broadcast to ``size``.
    size : int or tuple of ints, optional
        Output shape. By default the broadcast shape of the parameters.
    rng : numpy.random.Generator, seed, or None
        Anything :func:`numpy.random.default_rng` accepts, except a boolean.
    dtype : float32 or float64
        The output dtype; the uniforms are drawn in this dtype.

    Returns
    -------
    ndarray or scalar
        Gates in [0, 1] of shape ``size``, with exact zeros (probability
        :func:`hard_concrete_prob_zero`) and exact ones (:func:`hard_concrete_prob_one`).

    Raises
    ------
    TypeError
        If an argument is not real numeric data, ``size`` is not None, an integer
        or a tuple of integers, ``dtype`` is not a dtype, or ``rng`` is not a
        Generator, a seed or None.
    ValueError
        As in :func:`hard_concrete_prob_zero`; also if ``dtype`` is not float32 or
        float64 or the parameters do not broadcast to ``size``.
    """
    dtype = check_dtype(dtype)
    logit = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    tau = check_tau(tau, dtype)
    gamma, zeta = check_stretch(gamma, zeta, dtype)
    shape = sample_shape(size, None, dtype, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    s = sample_binary_gumbel_softmax(logit, tau, shape, as_generator(rng), dtype)
    return _kernels.stretch_and_clip(np.asarray(s), gamma, zeta).astype(dtype)[()]
