"""Two perturbations a chapter's typed sentences must survive: another draw, another machine's bits.

``tools/audit_robustness.py`` installs one of them in a chapter's kernel before the
chapter's first cell runs, then compares the chapter's ``{eval}`` values and displayed
outputs with an unperturbed run.

- :func:`shifted_seeds`: another draw. Every integer seed given to
  ``numpy.random.default_rng``, the one way the library and the chapters seed NumPy (a
  test holds them to it), is moved by ``k * SEED_STRIDE``; for a sequence of integers, its
  first entry is. ``None`` stays ``None``, and a ``Generator``, ``BitGenerator`` or
  ``SeedSequence`` passed as a seed goes through unchanged, so that the streams derived
  from one seed move together.
- :func:`nudged_last_bits`: another machine's last bits. The results of NumPy's unary
  transcendental ufuncs (:data:`NUMPY_FUNCTIONS`) and of SciPy's ``expit`` and ``logit``
  move by one unit in the last place: a quarter of them up and a quarter down, chosen by a
  hash of the input's bits, the function's name and ``salt``, so that each function errs
  independently (as two routines of another maths library would) and still returns the
  same result for the same input. Results that a correctly rounded library returns
  exactly are left alone: 0, infinities and NaN; results whose last 16 bits (10 for
  float32) are 0, such as 1, 0.5 and integers below 2**37 (2**14 for float32);
  ``f(x) == x`` for the functions with ``f(x) ~ x`` near 0 (:data:`NEAR_IDENTITY`); and a
  move that would give 0 or infinity. ``salt = 0`` installs the wrappers and moves
  nothing, a control for their cost (they slow every call they wrap).

Both are context managers that restore NumPy and SciPy on exit; :func:`install` enters
one for the rest of the process, as a kernel needs. Only ``float32`` and ``float64``
results of calls with positional input are moved, ``out=`` included; calls with a
``where=`` mask, and the ufuncs' methods (``at``, ``reduce``, ...), pass through unmoved.
A wrapped function is not a ufunc: ``isinstance(np.exp, np.ufunc)`` is false, it cannot be
pickled, and an input's ``__array_ufunc__`` is not consulted (the book relies on none).
"""

from __future__ import annotations

import contextlib
import functools
import zlib
from collections.abc import Iterator

import numpy as np
import numpy.random as npr

__all__ = [
    "KINDS",
    "NEAR_IDENTITY",
    "NUMPY_FUNCTIONS",
    "SCIPY_FUNCTIONS",
    "SEED_STRIDE",
    "install",
    "nudge",
    "nudged_last_bits",
    "shifted_seeds",
]

#: A seed ``s`` becomes ``s + k * SEED_STRIDE``.
SEED_STRIDE = 1_000_003

#: The functions whose last bits :func:`nudged_last_bits` moves.
NUMPY_FUNCTIONS = ("exp", "log", "log1p", "expm1", "tanh", "sin", "cos", "arctan")
SCIPY_FUNCTIONS = ("expit", "logit")
#: Functions with ``f(x) ~ x`` near 0, whose result equal to ``x`` is exact.
NEAR_IDENTITY = frozenset({"log1p", "expm1", "tanh", "sin", "arctan"})


def _shift(seed, delta: int):
    """``seed`` moved by ``delta`` if it is a non-negative integer or a sequence of them."""
    if isinstance(seed, (bool, np.bool_)):
        return seed
    if isinstance(seed, (int, np.integer)):
        return int(seed) + delta if seed >= 0 else seed  # a negative seed keeps NumPy's error
    if isinstance(seed, np.ndarray) and seed.dtype.kind in "iu" and seed.size:
        seed = seed.ravel().tolist()
    if (
        isinstance(seed, (list, tuple))
        and seed
        and all(
            isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) and x >= 0
            for x in seed
        )
    ):
        return [int(seed[0]) + delta, *(int(x) for x in seed[1:])]
    return seed


@contextlib.contextmanager
def shifted_seeds(k: int) -> Iterator[None]:
    """Move every integer seed given to ``default_rng`` by ``k * SEED_STRIDE`` (``k = 0``:
    no change)."""
    if not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a non-negative integer; got {k!r}")
    delta = k * SEED_STRIDE
    default_rng = npr.default_rng

    @functools.wraps(default_rng)
    def shifted_default_rng(seed=None):
        return default_rng(_shift(seed, delta))

    with _replaced(npr, {"default_rng": shifted_default_rng}):
        yield


@contextlib.contextmanager
def _replaced(module, attributes: dict) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in attributes}
    for name, value in attributes.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


_UNSIGNED = {np.dtype(np.float64): np.uint64, np.dtype(np.float32): np.uint32}
#: Results whose last bits (16 of float64's 52, 10 of float32's 23) are all 0 are left alone.
_SHORT = {np.dtype(np.float64): 0xFFFF, np.dtype(np.float32): 0x3FF}


def _mix(bits: np.ndarray, word: int) -> np.ndarray:
    """The splitmix64 finaliser of ``bits + word``: 64 well-mixed bits per element."""
    with np.errstate(over="ignore"):
        z = bits.astype(np.uint64) + np.uint64(word % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def nudge(result: np.ndarray, x: np.ndarray, name: str, salt: int) -> None:
    """Move ``result = name(x)`` (a float32 or float64 array, written in place) as
    :func:`nudged_last_bits` describes; ``x`` broadcasts to ``result``."""
    unsigned = _UNSIGNED.get(result.dtype)
    if unsigned is None or result.size == 0 or not result.flags.writeable:
        return
    with np.errstate(all="ignore"):
        x = np.broadcast_to(np.asarray(x), result.shape)
        movable = np.isfinite(result) & (result != 0)
        movable &= (result.view(unsigned) & unsigned(_SHORT[result.dtype])) != 0
        if name in NEAR_IDENTITY:
            movable &= result != x
        key = np.ascontiguousarray(x, dtype=result.dtype).reshape(result.shape).view(unsigned)
        word = salt * 0x9E3779B97F4A7C15 + zlib.crc32(name.encode()) * 0x100000001B3
        draw = _mix(key, word) >> np.uint64(62)  # 0, 1, 2 or 3, each a quarter of the time
        direction = np.where(draw == 0, np.inf, np.where(draw == 1, -np.inf, result))
        moved = np.nextafter(result, direction.astype(result.dtype))
        movable &= (draw < 2) & np.isfinite(moved) & (moved != 0) & (salt != 0)
    np.copyto(result, moved, where=movable)


class _Nudged:
    """A unary ufunc whose results :func:`nudge` moves; other attributes are the ufunc's."""

    def __init__(self, ufunc, name: str, salt: int):
        self._ufunc, self._name, self._salt = ufunc, name, salt
        self.__name__, self.__doc__ = name, ufunc.__doc__

    def __getattr__(self, attribute):
        if attribute == "_ufunc":  # not yet set: a copy being made
            raise AttributeError(attribute)
        return getattr(self._ufunc, attribute)

    def __call__(self, *args, **kwargs):
        if not args or kwargs.get("where", True) is not True:
            return self._ufunc(*args, **kwargs)
        x, *args = args
        x = np.array(x, copy=True, subok=True)  # before an ``out=`` overwrites it
        result = self._ufunc(x, *args, **kwargs)
        if isinstance(result, np.ndarray):
            nudge(result.view(np.ndarray), x, self._name, self._salt)
            return result
        if isinstance(result, (np.float32, np.float64)):
            moved = np.array(result)  # 0-d, which nudge moves as any array
            nudge(moved, x, self._name, self._salt)
            return moved[()]
        return result


@contextlib.contextmanager
def nudged_last_bits(salt: int) -> Iterator[None]:
    """Move the last bits of the transcendental functions' results, keyed on ``salt``
    (each positive salt is another machine; 0 moves nothing)."""
    if not isinstance(salt, int) or salt < 0:
        raise ValueError(f"salt must be a non-negative integer; got {salt!r}")
    from scipy import special

    with contextlib.ExitStack() as stack:
        for module, names in ((np, NUMPY_FUNCTIONS), (special, SCIPY_FUNCTIONS)):
            wrapped = {n: _Nudged(getattr(module, n), n, salt) for n in names}
            stack.enter_context(_replaced(module, wrapped))
        yield


#: What :func:`install` can install, by name.
KINDS = {"seeds": shifted_seeds, "last bits": nudged_last_bits}
_INSTALLED = contextlib.ExitStack()


def install(kind: str, value: int) -> None:
    """Enter ``KINDS[kind](value)`` until the process ends (a reference is kept, so that
    the context is not closed when its generator would be collected)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}; got {kind!r}")
    _INSTALLED.enter_context(KINDS[kind](value))
