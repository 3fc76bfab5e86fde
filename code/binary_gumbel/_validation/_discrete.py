"""Arguments that take discrete values: integers, sizes and shapes, dtypes, flags and seeds.

Integers of any size (a number of degrees of freedom, an index), counts of things to make
(at most :data:`LARGEST_COUNT`, the most elements an array can hold), a NumPy-style
``size``, a sampler's output shape from ``size``, ``out`` and its parameters, the output
dtype (float32 or float64), a boolean switch, and a random generator or its seed.
Booleans are refused wherever an integer is expected, as the likely slip they are.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from binary_gumbel._validation._numbers import broadcast

#: The most elements any NumPy array can hold: its size in bytes is an ``np.intp``, so this
#: is an array of one-byte items; wider items allow fewer, which NumPy refuses itself
#: ("array is too big"), as a count between the two still meets.
LARGEST_COUNT = int(np.iinfo(np.intp).max)


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
