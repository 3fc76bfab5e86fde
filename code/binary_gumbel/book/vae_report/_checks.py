"""The checks that the VAE report's modules share: a record's number fields, a training run,
and the seed-by-seed difference of two arrays of final ELBOs.

Private to :mod:`binary_gumbel.book.vae_report`: each check raises the ``ValueError`` or
``TypeError`` that names the argument or field, so that a NaN, a wrong run or an overflow
is refused before it reaches a chapter's prose or table.
"""

from __future__ import annotations

import numpy as np

from binary_gumbel._validation import as_float_array, check_no_nan, single_number
from binary_gumbel.estimators.vae_training import Training


def _check_numbers(record, names) -> None:
    """Refuse a NaN, an array or a non-number in the fields ``names`` of ``record``, naming the
    field: a NaN would be printed as "nan" in the chapters' prose and tables."""
    for name in names:
        single_number(
            check_no_nan(as_float_array(getattr(record, name), name, np.float64), name), name
        )


def _check_run(run) -> Training:
    """``run`` itself if it is a :class:`Training`; ``TypeError`` naming it otherwise."""
    if not isinstance(run, Training):
        raise TypeError(
            "run must be a Training (binary_gumbel.estimators.vae_training); "
            f"got {type(run).__name__}"
        )
    return run


def _difference(x: np.ndarray, y: np.ndarray, what: str) -> np.ndarray:
    """``x - y`` of two arrays of final ELBOs; ``ValueError`` naming ``what`` where a
    difference lies beyond the largest double."""
    with np.errstate(over="ignore"):
        d = x - y
    if not np.isfinite(d).all():
        raise ValueError(
            f"{what} must differ by at most {np.finfo(np.float64).max:g}, the largest double, "
            "seed by seed"
        )
    return d
