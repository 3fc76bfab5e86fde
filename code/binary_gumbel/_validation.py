"""Argument checks shared by the library's public functions.

Every public function converts and checks its arguments here, so that bad input
fails early with one kind of message: the exception names the argument and
says what was expected.

- Non-numeric input (strings, objects, complex numbers) raises ``TypeError``.
- Numeric input with a forbidden value (NaN, a non-positive temperature, a
  probability outside [0, 1], shapes that do not broadcast, a negative size)
  raises ``ValueError``.

Dtype rule: a computation runs in float32 when its floating inputs are float32
(Python scalars do not count, as in NumPy's own promotion rules), and in
float64 otherwise.
"""

from __future__ import annotations

import decimal
import math
import numbers
import operator
import warnings

import numpy as np

__all__ = [
    "as_float_array",
    "as_generator",
    "broadcast",
    "broadcast_finite",
    "LARGEST_COUNT",
    "check_count",
    "check_seed",
    "check_dtype",
    "check_finite",
    "check_gamma",
    "check_index",
    "check_integer",
    "check_zeta",
    "finite_float64",
    "sample_shape",
    "check_flag",
    "check_no_nan",
    "check_nonnegative",
    "check_penalty",
    "check_probability",
    "check_size",
    "check_stretch",
    "check_tau",
    "check_uniform",
    "result_dtype",
]

#: The most elements any NumPy array can hold: its size in bytes is an ``np.intp``, so this
#: is an array of one-byte items; wider items allow fewer, which NumPy refuses itself
#: ("array is too big"), as a count between the two still meets.
LARGEST_COUNT = int(np.iinfo(np.intp).max)


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
    try:  # SymPy's nan is not an extended real, and equals itself
        return math.isnan(float(value))
    except (TypeError, ValueError):  # a complex number
        return False


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


def check_size(size) -> tuple[int, ...] | None:
    """Normalise a NumPy-style ``size``: None, a non-negative int, or a tuple of them.

    The shape may hold at most :data:`LARGEST_COUNT` elements, and no dimension may be
    longer (a zero dimension does not make a longer one possible: NumPy refuses it too).

    Booleans are refused (``size=True`` is almost certainly a slip for another
    argument), as are floats, even integral ones.
    """
    if size is None:
        return None
    items = size if isinstance(size, (tuple, list)) else (size,)
    shape = []
    for item in items:
        try:
            if isinstance(item, (bool, np.bool_)):
                raise TypeError
            dim = operator.index(item)
        except TypeError:
            raise TypeError(
                f"size must be None, an integer or a tuple of integers; got {size!r}"
            ) from None
        if dim < 0:
            raise ValueError(f"size must be non-negative; got {size!r}")
        shape.append(dim)
    if math.prod(shape) > LARGEST_COUNT or any(dim > LARGEST_COUNT for dim in shape):
        raise ValueError(
            f"size must hold at most {LARGEST_COUNT} elements, the most an array can hold; "
            f"got {size!r}"
        )
    return tuple(shape)


def check_dtype(dtype) -> np.dtype:
    """Convert and check an output dtype: float32 or float64 (or their names).

    A deprecated alias (``"a"`` for bytes) is refused like any other dtype that is not a
    float, without numpy's ``DeprecationWarning``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be float32 or float64; got {dtype!r}") from None
        except DeprecationWarning:
            raise ValueError(
                f"dtype must be float32 or float64; got {dtype!r}, a deprecated alias"
            ) from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dt}")
    return dt


def check_flag(flag, name: str) -> bool:
    """Check a boolean switch: ``True`` or ``False`` (NumPy booleans included)."""
    if not isinstance(flag, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {flag!r}")
    return bool(flag)


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a Generator, a seed, or None.

    Anything :func:`numpy.random.default_rng` accepts is accepted, except a
    boolean, which NumPy would silently take as the seed 0 or 1.
    """
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"{name} must be a numpy.random.Generator, a seed or None; got {rng!r}")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as err:
        raise type(err)(
            f"{name} must be a numpy.random.Generator, a seed or None; got {rng!r} ({err})"
        ) from None


def check_integer(n, name: str, minimum: int = 0) -> int:
    """``n`` as an int of any size (NumPy integers too, booleans refused), ``n >= minimum``;
    ``TypeError`` or ``ValueError`` naming ``name`` otherwise.

    For integers that make no array, and so may exceed :data:`LARGEST_COUNT`: a number of
    degrees of freedom, of intervals in a family. A count of things to make is checked by
    :func:`check_count`, a seed by :func:`check_seed`.
    """
    if isinstance(n, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer; got {n!r}")
    try:
        number = operator.index(n)
    except TypeError:
        raise TypeError(f"{name} must be an integer; got {n!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {number}")
    return number


def check_index(i, name: str, length: int, what: str) -> int:
    """``i`` as an index into ``length`` items, negative from the end: ``-length <= i <
    length``. ``TypeError`` naming ``name`` for what is not an integer, ``ValueError`` naming
    it, and saying ``what`` the items are, outside that range."""
    i = check_integer(i, name, minimum=-length)
    if i >= length:
        raise ValueError(f"{name} must be < {length}, {what}; got {i}")
    return i


def check_count(n, name: str, minimum: int = 1) -> int:
    """``n`` as an int (NumPy integers too, booleans refused), ``minimum <= n <=``
    :data:`LARGEST_COUNT`, the most elements any array can hold: a number of samples, steps
    or categories. ``TypeError`` or ``ValueError`` naming ``name`` otherwise.
    """
    number = check_integer(n, name, minimum)
    if number > LARGEST_COUNT:
        raise ValueError(
            f"{name} must be at most {LARGEST_COUNT}, the most elements an array can hold; "
            f"got {number}"
        )
    return number


def check_seed(seed, name: str = "seed") -> int:
    """A seed for :func:`numpy.random.default_rng`: a non-negative int of any size (NumPy
    integers too), as NumPy accepts. Booleans are refused, as :func:`as_generator` refuses
    them; ``TypeError`` or ``ValueError`` naming ``name`` otherwise."""
    return check_integer(seed, name, 0)


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


def sample_shape(size, out, dtype, **params) -> tuple[int, ...]:
    """The shape of a sampler's output from ``size``/``out`` and the parameters' broadcast shape.

    ``out`` (or None) must be a C-contiguous, writeable ndarray of ``dtype``, of shape ``size``
    when both are given; the parameters must broadcast to that shape.
    """
    size = check_size(size)
    param_shape = broadcast(**params)[0].shape
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a numpy.ndarray; got {type(out).__name__}")
        if out.dtype != dtype:
            raise ValueError(f"out must have dtype {dtype}; got {out.dtype}")
        if not (out.flags.c_contiguous and out.flags.writeable):
            raise ValueError("out must be C-contiguous and writeable")
        if size is not None and size != out.shape:
            raise ValueError(f"size {size} does not match out.shape {out.shape}")
        size = out.shape
    if size is None:
        return param_shape
    try:
        fits = np.broadcast_shapes(size, param_shape) == size
    except ValueError:
        fits = False
    if not fits:
        names = " and ".join(params)
        raise ValueError(
            f"{names} with broadcast shape {param_shape} do not broadcast to size {size}"
        )
    return size
