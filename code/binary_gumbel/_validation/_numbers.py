"""Real-valued arguments: their conversion to float arrays and the checks of their values.

A real number or an array of them becomes a float array in the computation's dtype
(:func:`result_dtype`, :func:`as_float_array`: float32 only when the floating inputs are
float32), and its values are checked against the argument's domain: no NaN, finite, in an
open interval, a temperature, a probability or a uniform variate in [0, 1], non-negative,
a single number; arguments of different shapes are broadcast together with an error that
names them. Each error names the argument and shows the first offending element.
"""

from __future__ import annotations

import decimal
import math
import numbers
import sys

import numpy as np


def _as_real_array(x, name: str) -> np.ndarray:
    """``np.asarray(x)``, refusing anything that is not real-valued numeric data.

    Python's other real numbers (``fractions.Fraction``, ``decimal.Decimal``,
    SymPy rationals) and NumPy scalars held in an object array become float64; a
    finite one beyond the largest double (``10**400``, ``Decimal('1e400')``,
    ``np.longdouble('1e400')``) raises ``ValueError`` naming ``name``. A signaling
    NaN (``Decimal('sNaN')``), which ``float`` refuses, becomes NaN like
    ``Decimal('NaN')``, for the caller's NaN check to name.
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested sequences
        raise TypeError(f"{name} must be a real number or an array of real numbers") from exc
    if arr.dtype == object and all(_is_real_number(v) for v in arr.flat):
        beyond = ValueError(
            f"{name} must fit in float64 (|{name}| <= {np.finfo(np.float64).max:.8g}); "
            f"got a number beyond that range"
        )
        quiet = [math.nan if _is_signaling_nan(v) else v for v in arr.flat]
        try:
            with np.errstate(over="ignore"):  # a np.longdouble beyond the doubles: inf, below
                doubles = np.array(quiet, dtype=np.float64).reshape(arr.shape)
        except OverflowError:  # an int or Fraction beyond the doubles, such as 10**400
            raise beyond from None
        # A Decimal, SymPy Float or np.longdouble beyond the doubles (Decimal('1e400'))
        # rounds to inf; only an infinite number may become one.
        if any(abs(v) != math.inf for v in arr[np.isinf(doubles)]):
            raise beyond
        arr = doubles
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers; "
            f"got {type(x).__name__} with dtype {arr.dtype}"
        )
    return arr


def _is_real_number(value) -> bool:
    """A real number of another Python type: Fraction, Decimal, a real SymPy number.

    SymPy's ``oo``, ``-oo`` and ``nan`` count, as Python's infinities and NaN do (they are
    extended reals, or NaN, not SymPy reals), so that each meets the caller's own check
    or limit; the complex ``zoo`` does not.
    """
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return True
    if getattr(value, "is_number", False) is not True:
        return False
    if getattr(value, "is_extended_real", False) is True:
        return True
    # SymPy's nan (its Float('nan') too) is one object, and not an extended real. It is told
    # by identity: float() of a complex expression may evaluate it at length.
    sympy = sys.modules.get("sympy")  # loaded, since ``value`` is one of its numbers
    return sympy is not None and value is sympy.nan


def _is_signaling_nan(value) -> bool:
    """Whether ``value`` is a signaling NaN, ``Decimal('sNaN')``: ``float`` refuses it."""
    return isinstance(value, decimal.Decimal) and value.is_snan()


def result_dtype(**named) -> np.dtype:
    """The floating dtype of a computation on the named arguments: float32 or float64.

    It is float32 when NumPy's promotion of the arguments gives float32 (for
    example a float32 array together with a Python float), and float64 in every
    other case, including integer, float16 and extended-precision input.
    Non-numeric arguments raise ``TypeError`` naming the argument.
    """
    operands = [
        v if isinstance(v, (bool, int, float)) else _as_real_array(v, k) for k, v in named.items()
    ]
    return np.dtype(np.float32 if np.result_type(*operands) == np.float32 else np.float64)


def as_float_array(x, name: str, dtype=None) -> np.ndarray:
    """Convert ``x`` to a floating array (no copy when it already has the dtype).

    Parameters
    ----------
    x : array_like
        Real numeric data: bool, integer or floating. Anything else raises
        ``TypeError`` naming ``name``.
    name : str
        The argument's name, used in error messages.
    dtype : dtype, optional
        The target dtype. By default :func:`result_dtype` of ``x`` alone. A finite
        value beyond a narrower target's range (``1e40`` for float32) raises
        ``ValueError`` naming ``name``, instead of becoming ``inf``.
    """
    arr = _as_real_array(x, name)
    if dtype is None:
        dtype = result_dtype(**{name: arr})
    dtype = np.dtype(dtype)
    if not (arr.dtype.kind == "f" and arr.dtype.itemsize > dtype.itemsize):
        return arr.astype(dtype, copy=False)
    with np.errstate(over="ignore"):  # a finite value beyond the range: refused below
        out = arr.astype(dtype)
    overflowed = np.isinf(out) & np.isfinite(arr)
    if overflowed.any():
        largest = np.finfo(dtype).max
        raise ValueError(
            f"{name} must fit in {dtype.name} (|{name}| <= {largest:.8g}), the range of "
            f"this computation; {_first_offender(arr, overflowed)}"
        )
    return out


def _first_offender(arr: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first element of ``arr`` flagged by the boolean mask ``bad``."""
    idx = _first_index(bad)
    where = f" at index {tuple(int(i) for i in idx)}" if arr.ndim else ""
    count = int(np.count_nonzero(bad))
    more = f" ({count} of {arr.size} values are invalid)" if count > 1 else ""
    return f"got {arr[idx].item()!r}{where}{more}"


def _first_index(bad: np.ndarray) -> tuple:
    """The index of the first true element of the boolean array ``bad``."""
    return np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()


def check_no_nan(arr: np.ndarray, name: str) -> np.ndarray:
    """Raise ``ValueError`` if ``arr`` holds a NaN anywhere; return ``arr``."""
    bad = np.isnan(arr)
    if bad.any():
        raise ValueError(f"{name} must not be NaN; {_first_offender(arr, bad)}")
    return arr


def check_finite(arr: np.ndarray, name: str) -> np.ndarray:
    """Raise ``ValueError`` unless every element of ``arr`` is finite; return ``arr``."""
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite (no NaN or infinity); {_first_offender(arr, bad)}")
    return arr


def check_open_interval(
    x, name: str, low: float, high: float, what: str, dtype=None, role: str = ""
) -> np.ndarray:
    """Convert and check that every element lies in the open interval ``(low, high)``.

    NaN is refused. The error reads ``{name} must be {what} ({low} < {name} < {high}){role}``
    followed by the first offending element; ``role`` (such as ", the lower end of the
    stretch") says what the argument is for.
    """
    arr = as_float_array(x, name, dtype)
    bad = ~((arr > low) & (arr < high))
    if bad.any():
        # A value that lay in the interval as given and that the cast to a narrower dtype
        # rounded out of it (1e-50 to 0.0 in float32) is named as it was given too.
        given = _as_real_array(x, name)
        first = _first_index(bad)
        rounded = low < given[first] < high
        note = (
            f" ({given[first].item()!r} before it was rounded to {arr.dtype.name})"
            if rounded
            else ""
        )
        raise ValueError(
            f"{name} must be {what} ({low:g} < {name} < {high:g}){role}; "
            f"{_first_offender(arr, bad)}{note}"
        )
    return arr


def check_tau(tau, dtype=None, name: str = "tau") -> np.ndarray:
    """Convert and check a temperature: every element must satisfy ``0 < tau < inf``.

    ``name`` is the argument's name in the error (``tau``, ``temperature``, ...).
    """
    return check_open_interval(tau, name, 0.0, np.inf, "a positive, finite temperature", dtype)


def _check_unit_interval(x, name: str, what: str, dtype) -> np.ndarray:
    arr = as_float_array(x, name, dtype)
    bad = ~((arr >= 0) & (arr <= 1))
    if bad.any():
        raise ValueError(f"{name} must be {what} in [0, 1]; {_first_offender(arr, bad)}")
    return arr


def check_probability(p, name: str = "p", dtype=None) -> np.ndarray:
    """Convert and check a probability: every element must lie in [0, 1] (NaN refused)."""
    return _check_unit_interval(p, name, "a probability", dtype)


def check_uniform(u, name: str = "u", dtype=None) -> np.ndarray:
    """Convert and check a uniform variate: every element must lie in [0, 1] (NaN refused)."""
    return _check_unit_interval(u, name, "a uniform variate", dtype)


def check_nonnegative(x, name: str, dtype=None) -> np.ndarray:
    """Convert and check that every element is ``>= 0`` (NaN refused, +inf allowed)."""
    arr = as_float_array(x, name, dtype)
    bad = ~(arr >= 0)
    if bad.any():
        raise ValueError(f"{name} must be non-negative (>= 0); {_first_offender(arr, bad)}")
    return arr


def check_penalty(x, name: str = "lam") -> np.ndarray:
    """Convert and check a penalty weight: every element finite and ``>= 0`` (float64)."""
    return check_nonnegative(finite_float64(x, name), name)


def broadcast(**named: np.ndarray) -> tuple[np.ndarray, ...]:
    """``np.broadcast_arrays`` of the keyword arguments, with an error naming them.

    Returns read-only broadcast views, in the order the arguments were given.
    """
    try:
        return tuple(np.broadcast_arrays(*named.values()))
    except ValueError:
        shapes = ", ".join(f"{k} with shape {np.shape(v)}" for k, v in named.items())
        raise ValueError(f"shapes do not broadcast together: {shapes}") from None


def single_number(arr: np.ndarray, name: str) -> float:
    """The value of a checked array ``arr`` of one number, as a float; ``ValueError`` naming
    ``name``, with its shape, for an array of more."""
    if arr.ndim:
        raise ValueError(f"{name} must be a single number; got shape {arr.shape}")
    return float(arr)


def finite_number(x, name: str) -> float:
    """``x`` as one finite float: ``TypeError`` for what is not a real number, ``ValueError``
    naming ``name`` for a NaN, an infinity or an array of more than one number."""
    return single_number(finite_float64(x, name), name)


def check_false_alarm(false_alarm, name: str = "false_alarm") -> float:
    """A false-alarm rate as a float in (0, 1): ``TypeError`` for what is not a real number,
    ``ValueError`` for an array or a number outside the interval, each naming it."""
    rate = single_number(as_float_array(false_alarm, name, np.float64), name)
    if not 0.0 < rate < 1.0:
        raise ValueError(f"{name} must lie in (0, 1); got {rate!r}")
    return rate


def finite_float64(x, name: str) -> np.ndarray:
    """``x`` as a float64 array whose every element is finite (``ValueError`` naming ``name``)."""
    return check_finite(as_float_array(x, name, np.float64), name)


def broadcast_finite(**named) -> tuple[np.ndarray, ...]:
    """Each argument as a finite float64 array (:func:`finite_float64`), broadcast together
    (:func:`broadcast`), in the order given."""
    return broadcast(**{name: finite_float64(x, name) for name, x in named.items()})
