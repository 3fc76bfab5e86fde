"""Reading runs for the intervals and checks of this package: a flat array of at least two
finite values, and the mean and scaled standard error along an axis, right for values near the
largest double or so small that their squared deviations underflow.
"""

from __future__ import annotations

import math

import numpy as np

from binary_gumbel._validation import as_float_array


def _finite_values(values, name: str = "values") -> np.ndarray:
    x = as_float_array(values, name, np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"{name} must hold at least 2 values; got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


#: The sample standard deviations from which :func:`_mean_and_half` keeps the plain
#: formula: each squared deviation that underflows rounds by at most ``2**-1075``, so a
#: variance of at least ``2**-1000`` loses at most ``n 2**-75`` of itself.
_LEAST_PLAIN_SPREAD = 2.0**-500


def _mean_and_half(v: np.ndarray, axis: int, scale: float):
    """The means along ``axis`` of the finite ``v`` and ``scale s / sqrt(n)``, ``s`` the
    sample standard deviation of the ``n`` values.

    By the plain formulas, except in a slice where the mean overflows (the sum is beyond the
    largest double), or where the half-width overflows (squared deviations beyond the largest
    double, or ``scale s`` before the division) or ``s`` is below
    :data:`_LEAST_PLAIN_SPREAD` (or 0, its squares having underflowed): there that one is
    taken from the values scaled exactly by a power of two, ``u = v 2^-k`` with
    ``2^(k-1) <= max |v| < 2^k``, about the one of largest magnitude, ``c``: ``d = u - c``,
    ``mean = (c + mean(d)) 2^k`` (between ``-max |v|`` and ``max |v|``, and ``c`` itself
    when all are ``c``), ``scale s / sqrt(n) = scale (std(d) / sqrt(n)) 2^k`` (0 when
    ``std(d)`` is, and ``inf`` only beyond the largest double). Values below
    ``2^(k - 1075)`` underflow in ``u``: they are below a rounding error of the largest.
    """
    n = v.shape[axis]
    with np.errstate(over="ignore", invalid="ignore"):
        mean = v.mean(axis=axis)
        spread = v.std(axis=axis, ddof=1)
        half = scale * spread / np.sqrt(n)
    mean_kept = np.isfinite(mean)
    half_kept = np.isfinite(half) & (spread >= _LEAST_PLAIN_SPREAD)
    redo = ~(mean_kept & half_kept)
    if not np.any(redo):
        return mean, half
    mean, half = np.array(mean), np.array(half)
    w = np.moveaxis(v, axis, -1)[redo]
    _, k = np.frexp(np.max(np.abs(w), axis=-1))
    u = np.ldexp(w, -k[:, None])
    c = np.take_along_axis(u, np.argmax(np.abs(u), axis=-1)[:, None], axis=-1)
    d = u - c
    error = d.std(axis=-1, ddof=1) / math.sqrt(n)
    scaled = np.multiply(scale, error, out=np.zeros_like(error), where=error > 0)
    with np.errstate(over="ignore"):
        mean[redo] = np.where(mean_kept[redo], mean[redo], np.ldexp(c[:, 0] + d.mean(axis=-1), k))
        half[redo] = np.where(half_kept[redo], half[redo], np.ldexp(scaled, k))
    return mean[()], half[()]
