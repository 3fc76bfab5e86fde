"""The law of the hard concrete gate: its point masses, CDF, density and expected L0 norm.

The gate ``z = min(1, max(0, gamma + (zeta - gamma) s))``, with ``s`` binary Concrete,
is exactly 0 with positive probability, exactly 1 with positive probability, and
continuous in between. Every probability follows from the binary Concrete CDF
``F(x) = sigmoid(tau log(x / (1 - x)) - logit)`` (:func:`binary_gumbel.binary_concrete_cdf`),
because ``z <= c`` is ``s <= (c - gamma) / (zeta - gamma)`` for ``0 <= c < 1``, and the
odds of that point are ``(c - gamma) / (zeta - c)``:

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
sigmoid of a very negative argument (computed as ``e / (1 + e)``), accurate in
relative terms, and never ``1 - (something close to 1)``.

The SymPy derivation of the three laws from the binary Concrete CDF is
:func:`binary_gumbel.verification.hard_concrete_derivation.hard_concrete_masses_expr`.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import check_probability
from binary_gumbel.hard_concrete._parameters import (
    GAMMA,
    ZETA,
    _log_odds_one,
    _log_odds_zero,
    _params,
)
from binary_gumbel.relaxed import logit_from_probability

__all__ = [
    "expected_l0",
    "expected_l0_grad",
    "hard_concrete_cdf",
    "hard_concrete_logpdf",
    "hard_concrete_pdf",
    "hard_concrete_prob_one",
    "hard_concrete_prob_zero",
    "logit_for_prob_zero",
]


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
        the floating inputs are float32. Accurate in relative terms in both tails.

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
