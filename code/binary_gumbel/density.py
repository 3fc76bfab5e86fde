"""Density and CDF of the binary Concrete distribution.

Maddison, Mnih & Teh (2016), "The Concrete distribution", arXiv:1611.00712,
App. B, Definition 2 and Eq. 17 (BinConcrete). With location ``alpha = exp(logit)`` and temperature
``lambda = tau``, the sample ``x = sigmoid((logit + log u - log(1 - u)) / tau)``
of :func:`binary_gumbel.binary_gumbel_softmax` has, on (0, 1), the density

    p(x) = tau alpha x^(-tau-1) (1-x)^(-tau-1) / (alpha x^(-tau) + (1-x)^(-tau))^2

and the CDF

    F(x) = sigmoid(tau (log x - log(1 - x)) - logit).

Both are evaluated in logit space: ``y = log x - log1p(-x)`` is the Logistic
variable ``(logit + L) / tau``, so with ``l = tau y - logit``

    log p(x) = log tau + log f(l) - log x - log1p(-x),
    log f(l) = -|l| - 2 log1p(exp(-|l|))          (standard Logistic log-density),

which neither overflows nor cancels for ``x`` near 0 or 1 or for small ``tau``
(unlike ``exp(...).log1p()``, which overflows there).
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_no_nan,
    check_tau,
    result_dtype,
)

__all__ = ["binary_concrete_cdf", "binary_concrete_logpdf", "binary_concrete_pdf"]


def _args(x, logit, tau):
    dtype = result_dtype(x=x, logit=logit, tau=tau)
    x = check_no_nan(as_float_array(x, "x", dtype), "x")
    logit = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    tau = check_tau(tau, dtype)
    return broadcast(x=x, logit=logit, tau=tau)


def binary_concrete_logpdf(x, logit, tau):
    """Log-density of BinConcrete(alpha = exp(logit), lambda = tau) at ``x``.

    ``log p(x) = log tau + log f(tau (log x - log(1 - x)) - logit) - log x - log(1 - x)``
    on (0, 1), with ``f`` the standard Logistic density (Maddison, Mnih & Teh
    2016, App. B; see the module docstring).

    Parameters
    ----------
    x : array_like
        Point(s) at which to evaluate; any real value, ``±inf`` included.
    logit : array_like
        ``log alpha = log alpha_1 - log alpha_2``; ``±inf`` allowed, NaN refused.
    tau : array_like
        Temperature ``lambda``, ``0 < tau < inf``.

    Returns
    -------
    ndarray or scalar
        The log-density, with the broadcast shape of the inputs. It is ``-inf``
        outside [0, 1]. At the end points it is the limit from inside: ``+inf``
        for ``tau < 1``, ``-inf`` for ``tau > 1``, and ``-logit`` (at 0) or
        ``+logit`` (at 1) for ``tau = 1``. An infinite logit is a point mass at
        1 (``+inf``) or at 0 (``-inf``): the log-density is then ``+inf`` at
        that point and ``-inf`` elsewhere.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``x`` or ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, or the
        shapes do not broadcast.
    """
    x, logit, tau = _args(x, logit, tau)
    inside = (x > 0) & (x < 1)
    xc = np.where(inside, x, 0.5)
    lx, l1x = np.log(xc), np.log1p(-xc)
    value = (
        np.log(tau)
        + _kernels.logistic_logpdf(_kernels.scaled_minus(tau, lx - l1x, logit))
        - lx
        - l1x
    )
    finite = np.isfinite(logit)
    at_end = np.where(tau < 1, np.inf, np.where(tau > 1, -np.inf, 0))
    at0 = np.where(finite & (tau != 1), at_end, -logit)
    at1 = np.where(finite & (tau != 1), at_end, logit)
    value = np.where(x == 0, at0, np.where(x == 1, at1, value))
    return np.where(inside | (x == 0) | (x == 1), value, -np.inf).astype(x.dtype)[()]


def binary_concrete_pdf(x, logit, tau):
    """Density of BinConcrete(alpha = exp(logit), lambda = tau).

    ``exp`` of :func:`binary_concrete_logpdf`, with the same parameters, limits
    and errors. A density beyond the largest float of the dtype, which the limits at the
    end points approach (``x = 0`` at ``logit = -710``, ``tau = 1``, is ``e^710``), is
    ``inf``, without numpy's overflow warning.
    """
    with np.errstate(over="ignore"):  # beyond the largest float: inf, what it rounds to
        return np.exp(binary_concrete_logpdf(x, logit, tau))


def binary_concrete_cdf(x, logit, tau):
    """CDF ``P(X <= x) = sigmoid(tau (log x - log(1 - x)) - logit)`` of BinConcrete.

    BinConcrete(alpha = exp(logit), lambda = tau) of Maddison, Mnih & Teh
    (2016, App. B, Eq. 16): the law of :func:`binary_gumbel.binary_gumbel_softmax`
    with ``u ~ Uniform(0, 1)``.

    Parameters
    ----------
    x : array_like
        Point(s) at which to evaluate; any real value, ``±inf`` included.
    logit : array_like
        ``log alpha = log alpha_1 - log alpha_2``; ``±inf`` allowed, NaN refused.
    tau : array_like
        Temperature ``lambda``, ``0 < tau < inf``.

    Returns
    -------
    ndarray or scalar
        The CDF, with the broadcast shape of the inputs. It is 0 below 0 and 1
        from 1 on; ``logit = -inf`` (a point mass at 0) gives 1 from ``x = 0``
        on, and ``logit = +inf`` (a point mass at 1) gives 0 below 1.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``x`` or ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, or the
        shapes do not broadcast.
    """
    x, logit, tau = _args(x, logit, tau)
    inside = (x > 0) & (x < 1)
    xc = np.where(inside, x, 0.5)
    z = _kernels.scaled_minus(tau, _kernels.logistic(xc), logit)
    below = np.where((x == 0) & (logit == -np.inf), np.inf, -np.inf)
    z = np.where(inside, z, np.where(x >= 1, np.inf, below))
    return _kernels.sigmoid(z).astype(x.dtype)[()]
