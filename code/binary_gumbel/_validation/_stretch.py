"""The hard concrete stretch ``(gamma, zeta)``: the checks of its two ends and its width.

The gate of Louizos, Welling & Kingma (2018), arXiv:1712.01312, stretches a binary Concrete
sample to ``(gamma, zeta)`` with ``gamma < 0`` and ``zeta > 1``; each end is checked, and
their width ``zeta - gamma`` must be a finite number of the computation's dtype.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation._numbers import _first_index, check_open_interval


def check_gamma(gamma, dtype=None) -> np.ndarray:
    """The lower end ``gamma`` of the hard concrete stretch: a finite negative number."""
    return check_open_interval(
        gamma, "gamma", -np.inf, 0.0, "a finite negative number", dtype,
        role=", the lower end of the stretch",
    )  # fmt: skip


def check_zeta(zeta, dtype=None) -> np.ndarray:
    """The upper end ``zeta`` of the hard concrete stretch: a finite number greater than 1."""
    return check_open_interval(
        zeta, "zeta", 1.0, np.inf, "a finite number greater than 1", dtype,
        role=", the upper end of the stretch",
    )  # fmt: skip


def check_stretch(gamma, zeta, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    """The hard concrete stretch ``(gamma, zeta)``: each end checked (:func:`check_gamma`,
    :func:`check_zeta`), and their width ``zeta - gamma`` within the largest float of the
    dtype.

    The gate ``gamma + (zeta - gamma) s`` and its law need the width; a width beyond the
    doubles (``gamma = -1e308``, ``zeta = 1e308``) cannot be computed with, so it is named
    rather than turned into NaN. Ends whose shapes do not broadcast are returned as they
    are, for the caller's :func:`broadcast` to name with the other arguments.
    """
    gamma, zeta = check_gamma(gamma, dtype), check_zeta(zeta, dtype)
    try:
        shape = np.broadcast_shapes(gamma.shape, zeta.shape)
    except ValueError:
        return gamma, zeta
    with np.errstate(over="ignore"):
        bad = ~np.isfinite(zeta - gamma)
    if bad.any():
        first = _first_index(bad)
        where = f" at index {tuple(int(i) for i in first)}" if bad.ndim else ""
        raise ValueError(
            f"zeta - gamma, the width of the stretch, must be at most "
            f"{np.finfo(gamma.dtype).max:g}, the largest {gamma.dtype.name}; got gamma = "
            f"{np.broadcast_to(gamma, shape)[first].item()!r} and zeta = "
            f"{np.broadcast_to(zeta, shape)[first].item()!r}{where}"
        )
    return gamma, zeta
