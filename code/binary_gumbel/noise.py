"""The two noise distributions of the Gumbel-softmax: Gumbel and Logistic.

Both come from a uniform variate ``u`` by inverting their CDFs:

- standard Gumbel: ``g = -log(-log u)``, with CDF ``exp(-exp(-g))``;
- standard Logistic: ``l = log u - log(1 - u)``, with CDF ``sigmoid(l)``.

The difference of two independent standard Gumbels is a standard Logistic. This
reduces the two-class Gumbel-softmax (Jang, Gu & Poole 2016, arXiv:1611.01144,
Sec. 2, Eq. 2) to the binary form (Maddison, Mnih & Teh 2016, arXiv:1611.00712,
App. B, Eqs. 15-16).

Every function of a distribution takes a location ``loc`` (finite; default 0) and unit
scale (:func:`sigmoid` and :func:`log_sigmoid`, the standard Logistic CDF and its log,
take none), converts and checks its arguments with :mod:`binary_gumbel._validation`, and
returns an array of the broadcast shape (a scalar for scalar input), in float32
when the floating inputs are float32 and float64 otherwise.

- Non-numeric input raises ``TypeError``; a NaN, a ``u`` outside [0, 1], an
  infinite ``loc`` or shapes that do not broadcast raise ``ValueError``.
- Valid extremes give the limits: ``u = 0`` gives ``-inf`` and ``u = 1`` gives
  ``+inf``; at ``x = -inf`` the CDFs are 0 and at ``x = +inf`` they are 1, and
  the densities are 0 (log-density ``-inf``) at both.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    broadcast,
    check_finite,
    check_no_nan,
    check_uniform,
    result_dtype,
)

__all__ = [
    "gumbel_cdf",
    "gumbel_from_uniform",
    "gumbel_logpdf",
    "gumbel_pdf",
    "logistic_cdf",
    "logistic_from_uniform",
    "logistic_logpdf",
    "logistic_pdf",
    "log_sigmoid",
    "sigmoid",
]


def sigmoid(w):
    """The logistic sigmoid ``1 / (1 + exp(-w))``, accurate in relative terms on the whole line.

    For ``w < 0`` it evaluates ``e / (1 + e)`` with ``e = exp(w)``, so a tiny
    result comes out as the correctly scaled (possibly subnormal) number rather
    than being flushed to 0: within a few roundings (4 units of ``2**-53``) of the
    exact value in relative terms where it is a normal double, and within the
    subnormal spacing below. ``sigmoid(-inf) = 0`` and ``sigmoid(inf) = 1``.
    The dtype follows :func:`binary_gumbel._validation.result_dtype`.
    """
    return _kernels.sigmoid(check_no_nan(as_float_array(w, "w"), "w"))[()]


def log_sigmoid(w):
    """``log sigmoid(w) = -softplus(-w) = -log1p(exp(-w))``, stable for every ``w``.

    Evaluated as ``min(w, 0) - log1p(exp(-|w|))``: no overflow for large
    ``|w|``, and no cancellation.
    """
    return _kernels.log_sigmoid(check_no_nan(as_float_array(w, "w"), "w"))[()]


def _with_loc(value, loc, name: str, check):
    """Convert and check ``value`` (with ``check``) and a finite ``loc``; broadcast them."""
    dtype = result_dtype(**{name: value, "loc": loc})
    value = check(as_float_array(value, name, dtype), name)
    loc = check_finite(as_float_array(loc, "loc", dtype), "loc")
    return broadcast(**{name: value, "loc": loc})


def _centred(x, loc):
    """``z = x - loc`` of a checked ``x`` (NaN refused, ``±inf`` allowed) and ``loc``.

    The argument of every density and CDF below. A difference of two finite values beyond
    the type's largest float is ``±inf``, what it rounds to, without numpy's overflow
    warning: the densities and CDFs there are their limits at ``z = ±inf``.
    """
    x, loc = _with_loc(x, loc, "x", check_no_nan)
    with np.errstate(over="ignore"):
        return x - loc


def _uniform_args(u, loc):
    """``u`` in [0, 1] and ``loc``, for the transforms."""
    return _with_loc(u, loc, "u", check_uniform)


def gumbel_from_uniform(u, loc=0.0):
    """Gumbel(loc, 1) variate by inversion of its CDF: ``g = loc - log(-log u)``.

    With ``u ~ Uniform(0, 1)``, ``g`` is Gumbel(loc, 1), the noise of the
    Gumbel-max trick and of the Gumbel-softmax (Jang, Gu & Poole 2016, Sec. 2;
    Maddison, Mnih & Teh 2016, Sec. 3.1).

    Parameters
    ----------
    u : array_like
        Uniform variate, ``0 <= u <= 1``.
    loc : array_like, optional
        Finite location; broadcasts against ``u``.

    Returns
    -------
    ndarray or scalar
        ``g``; ``u = 0`` gives ``-inf`` and ``u = 1`` gives ``+inf``. ``log u``
        is accurate for ``u`` near 1 (``u - 1`` is exact there), so the upper
        tail keeps full relative precision.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``u`` is NaN or outside [0, 1], ``loc`` is not finite, or the shapes
        do not broadcast.
    """
    u, loc = _uniform_args(u, loc)
    with np.errstate(divide="ignore"):
        return (loc - np.log(-np.log(u)))[()]


def logistic_from_uniform(u, loc=0.0):
    """Logistic(loc, 1) variate by inversion of its CDF: ``l = loc + log u - log1p(-u)``.

    With ``u ~ Uniform(0, 1)``, ``l`` has the law of the difference of two
    independent Gumbels, the noise of the binary form (Maddison, Mnih & Teh
    2016, App. B, Eqs. 15-16).

    Parameters
    ----------
    u : array_like
        Uniform variate, ``0 <= u <= 1``.
    loc : array_like, optional
        Finite location; broadcasts against ``u``.

    Returns
    -------
    ndarray or scalar
        ``l``; ``u = 0`` gives ``-inf`` and ``u = 1`` gives ``+inf``. The two
        logarithms are evaluated separately (not as ``log(u / (1 - u))``), so
        both tails are accurate down to the smallest subnormal ``u`` and up to
        ``u = 1 - 2**-53``.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``u`` is NaN or outside [0, 1], ``loc`` is not finite, or the shapes
        do not broadcast.
    """
    u, loc = _uniform_args(u, loc)
    return (loc + _kernels.logistic(u))[()]


def gumbel_logpdf(x, loc=0.0):
    """Log-density of Gumbel(loc, 1): ``-(x - loc) - exp(-(x - loc))``; ``-inf`` at ``x = ±inf``."""
    z = _centred(x, loc)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-z)
        return np.where(np.isinf(e) | np.isinf(z), -np.inf, -z - e)[()]


def gumbel_pdf(x, loc=0.0):
    """Density of Gumbel(loc, 1): ``exp(-(x - loc) - exp(-(x - loc)))``."""
    return np.exp(gumbel_logpdf(x, loc))


def gumbel_cdf(x, loc=0.0):
    """CDF of Gumbel(loc, 1): ``exp(-exp(-(x - loc)))``."""
    z = _centred(x, loc)
    with np.errstate(over="ignore"):
        return np.exp(-np.exp(-z))[()]


def logistic_logpdf(x, loc=0.0):
    """Log-density of Logistic(loc, 1): ``-|z| - 2 log1p(exp(-|z|))`` with ``z = x - loc``.

    This is ``log sigmoid(z) + log sigmoid(-z)``, written so that it neither
    overflows nor cancels; it is ``-inf`` at ``x = ±inf``.
    """
    return _kernels.logistic_logpdf(_centred(x, loc))[()]


def logistic_pdf(x, loc=0.0):
    """Density of Logistic(loc, 1): ``sigmoid(z) sigmoid(-z)`` with ``z = x - loc``."""
    return np.exp(logistic_logpdf(x, loc))


def logistic_cdf(x, loc=0.0):
    """CDF of Logistic(loc, 1), ``sigmoid(x - loc)``: relatively accurate in the lower tail."""
    return _kernels.sigmoid(_centred(x, loc))[()]
