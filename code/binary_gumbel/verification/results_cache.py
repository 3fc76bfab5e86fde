"""Share an expensive computation between the kernels of one book build.

The book build sets ``BINARY_GUMBEL_RESULTS_CACHE`` to a folder; several
chapters then load the verifier's results from it instead of each computing
them again. Without the variable (a student's kernel, the tests, a terminal)
:func:`cached` simply computes.

A result is stored under the hash of the library's own source, every ``.py``
file of this package, and of the versions of Python and of the numerical
packages it runs on. Any edit to the library gives a new key, so a stored
result can never stand for the output of another library.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

__all__ = ["ENVIRONMENT_VARIABLE", "cached", "enabled", "library_fingerprint"]

#: The environment variable naming the folder of stored results.
ENVIRONMENT_VARIABLE = "BINARY_GUMBEL_RESULTS_CACHE"
#: The packages whose versions are part of the key.
_RUNTIME = ("numpy", "scipy", "sympy", "mpmath")

T = TypeVar("T")


def library_fingerprint(package: Path | None = None) -> str:
    """SHA-256 of every ``.py`` file under ``package`` (all of binary_gumbel by default), runtime.

    Files are taken in sorted order of their path relative to ``package``, and
    both the path and the bytes go into the hash, so renaming, adding, removing
    or editing any file changes it. A ``package`` that is not a folder raises ``ValueError``
    (it had no files, so every missing path gave the same key, that of the runtime alone).
    """
    package = Path(package) if package is not None else Path(__file__).resolve().parents[1]
    if not package.is_dir():
        raise ValueError(f"package must be a folder of Python source; got {str(package)!r}")
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(sys.version.encode())
    for name in _RUNTIME:
        digest.update(f"{name}=={metadata.version(name)}".encode())
    return digest.hexdigest()


def enabled() -> bool:
    """Whether ``BINARY_GUMBEL_RESULTS_CACHE`` names a folder of stored results."""
    return bool(os.environ.get(ENVIRONMENT_VARIABLE))


#: What unpickling a damaged file raises (the pickle documentation's list, and ValueError).
_DAMAGED = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, ValueError)
_MISSING = object()


def _load(path: Path):
    """The result stored at ``path``, or ``_MISSING`` if there is none or it cannot be read."""
    try:
        with path.open("rb") as stored:
            return pickle.load(stored)
    except OSError:  # none stored, or a file this process may not read
        return _MISSING
    except _DAMAGED:
        # A file renamed into place before a crash flushed it can be empty or truncated.
        return _MISSING


def _store(result, path: Path, name: str) -> None:
    """Write ``result`` to ``path`` atomically, or not at all where the folder cannot be written.

    A folder that cannot be created is refused (``ValueError`` naming the variable: a path
    mistyped, or where this user may not write). Writing into the folder may still fail
    with an ``OSError`` (read-only, full): then nothing is stored and the caller keeps its
    result. A result that cannot be pickled (or is nested too deeply for pickle) raises
    ``TypeError`` naming ``name``. On every failure the partial file is removed.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE} must name a folder that can be created; "
            f"got {str(path.parent)!r} ({err.strerror or err})"
        ) from err
    try:
        partial = tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp")
    except OSError:
        return
    try:
        with partial:
            pickle.dump(result, partial)
        os.replace(partial.name, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.remove(partial.name)
        if isinstance(err, (pickle.PicklingError, TypeError, AttributeError, RecursionError)):
            raise TypeError(
                f"the result of compute must be picklable to be stored as {name!r}; {err}"
            ) from err
        if not isinstance(err, OSError):
            raise


def cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, stored and reused under ``name`` and the library's fingerprint.

    Only when ``BINARY_GUMBEL_RESULTS_CACHE`` names a folder; otherwise this is
    ``compute()``. ``name`` must be an identifier in both cases (``TypeError`` for what is
    not a string, ``ValueError`` for a string that is not one). The result is written
    atomically (a temporary file renamed into place), so concurrent kernels never read a
    partial file; a stored file that cannot be unpickled is computed again and replaced.
    A folder that is a file is refused (``ValueError`` naming the variable); a result that
    cannot be pickled raises ``TypeError`` and leaves no partial file behind, as does any
    failure of the write. A folder that cannot be created is refused (``ValueError`` naming
    the variable); one that exists but cannot be read or written (read-only, full) is not an
    error: the result is computed and returned, unstored, as without the variable.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string (an identifier); got {type(name).__name__}")
    if not name.isidentifier():
        raise ValueError(f"name must be an identifier; got {name!r}")
    if not callable(compute):
        raise TypeError(f"compute must be callable (a function of no arguments); got {compute!r}")
    folder = os.environ.get(ENVIRONMENT_VARIABLE)
    if not folder:
        return compute()
    if Path(folder).exists() and not Path(folder).is_dir():
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must name a folder; got {folder!r}, a file")
    path = Path(folder) / f"{name}-{library_fingerprint()}.pickle"
    stored = _load(path)
    if stored is not _MISSING:
        return stored
    result = compute()
    _store(result, path, name)
    return result
