"""The results cache shared by a book build's kernels: keyed on the library's source, safe."""

from __future__ import annotations

import pickle
import shutil
import threading
from pathlib import Path

import pytest

from binary_gumbel.verification import results_cache as rc

PACKAGE = Path(rc.__file__).resolve().parents[1]  # all of binary_gumbel
FINGERPRINT = rc.library_fingerprint  # before any test points it at a copy


class Counter:
    """A computation that counts its calls and returns a fresh, picklable result."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"calls": self.calls, "values": [1.5, 2.5]}


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A copy of the package's ``.py`` files, whose fingerprint keys the cache."""
    copy = tmp_path / "library"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(rc, "library_fingerprint", lambda: FINGERPRINT(copy))
    return copy


@pytest.fixture
def build(tmp_path, monkeypatch, library):
    """A build's cache folder (not created yet), named by the environment variable."""
    folder = tmp_path / "results"
    monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(folder))
    return folder


@pytest.mark.parametrize("value", [None, ""])
def test_outside_a_build_every_call_computes_and_nothing_is_stored(value, tmp_path, monkeypatch):
    if value is None:
        monkeypatch.delenv(rc.ENVIRONMENT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, value)
    monkeypatch.chdir(tmp_path)
    compute = Counter()
    assert not rc.enabled()
    assert [rc.cached("study", compute)["calls"] for _ in range(3)] == [1, 2, 3]
    assert list(tmp_path.iterdir()) == []


def test_in_a_build_a_result_is_computed_once_and_stored_under_the_fingerprint(build, library):
    compute = Counter()
    first = rc.cached("study", compute)
    assert rc.enabled() and rc.cached("study", compute) == first and compute.calls == 1
    stored = build / f"study-{rc.library_fingerprint()}.pickle"
    assert [p.name for p in build.iterdir()] == [stored.name]  # no partial file left behind
    assert pickle.loads(stored.read_bytes()) == first
    assert rc.cached("other", compute)["calls"] == 2, "another name is another result"


def test_the_fingerprint_follows_every_source_file_and_nothing_else(library):
    """Path and bytes of each .py file, in sorted order; caches and other files do not count."""
    fingerprint = rc.library_fingerprint
    base = fingerprint()
    assert base == FINGERPRINT(PACKAGE), "the same files give the same key, wherever they are"
    assert len(base) == 64
    source = library / "estimators" / "gradients.py"
    text = source.read_bytes()
    source.write_bytes(text + b"\n")
    edited = fingerprint()
    source.write_bytes(text)
    assert edited != base and fingerprint() == base
    (library / "notes.txt").write_text("not source")
    (library / "__pycache__").mkdir(exist_ok=True)
    (library / "__pycache__" / "stale.py").write_text("x = 1\n")
    assert fingerprint() == base
    source.rename(library / "estimators" / "gradients_old.py")
    assert fingerprint() not in (base, edited), "a renamed file"
    (library / "estimators" / "gradients_old.py").rename(source)
    (library / "extra.py").write_text("")
    assert fingerprint() != base, "an added (even empty) file"


def test_an_edited_library_invalidates_the_stored_result(build, library):
    compute = Counter()
    assert rc.cached("study", compute)["calls"] == 1
    edited = library / "noise.py"
    assert edited.is_file(), "an edit of a module that exists (appending made a new file)"
    with edited.open("a") as source:
        source.write("# an edit\n")
    assert rc.cached("study", compute)["calls"] == 2, "the edit gives a new key"
    assert rc.cached("study", compute)["calls"] == 2, "which is then reused"
    assert len(list(build.glob("study-*.pickle"))) == 2


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a pickle", pickle.dumps({"calls": 0, "values": [1.5, 2.5]})[:-3]],
    ids=["empty", "garbage", "truncated"],
)
def test_a_damaged_stored_result_is_computed_again_and_replaced(build, damage):
    """An unreadable file (say, one renamed into place before a crash flushed it) is a miss."""
    build.mkdir()
    stored = build / f"study-{rc.library_fingerprint()}.pickle"
    stored.write_bytes(damage)
    compute = Counter()
    assert rc.cached("study", compute)["calls"] == 1
    assert pickle.loads(stored.read_bytes())["calls"] == 1
    assert rc.cached("study", compute)["calls"] == 1


@pytest.mark.parametrize("in_build", [False, True])
def test_a_name_that_is_not_an_identifier_is_refused_in_and_out_of_a_build(
    in_build, tmp_path, monkeypatch
):
    if in_build:
        monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(tmp_path))
    else:
        monkeypatch.delenv(rc.ENVIRONMENT_VARIABLE, raising=False)
    with pytest.raises(ValueError, match="^name must be an identifier"):
        rc.cached("../study", Counter())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", [None, 3, b"study"])
def test_a_name_that_is_not_a_string_is_a_type_error(name, tmp_path, monkeypatch):
    """It was a ValueError, as for a string that is no identifier."""
    monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(tmp_path))
    with pytest.raises(TypeError, match=r"^name must be a string \(an identifier\); got "):
        rc.cached(name, Counter())
    assert list(tmp_path.iterdir()) == []


def test_an_unpicklable_result_is_named_and_leaves_no_partial_file(build):
    """A result pickle cannot write (a local function) left a ``.tmp`` file in the folder."""
    with pytest.raises(TypeError, match="^the result of compute must be picklable .*'study'"):
        rc.cached("study", lambda: lambda: 1)
    assert list(build.iterdir()) == []


def test_a_folder_that_is_a_file_is_named(tmp_path, monkeypatch, library):
    """It met a NotADirectoryError on the stored result's path, naming no variable."""
    folder = tmp_path / "results"
    folder.write_text("")
    monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(folder))
    with pytest.raises(ValueError, match=f"^{rc.ENVIRONMENT_VARIABLE} must name a folder"):
        rc.cached("study", Counter())


def test_kernels_storing_the_same_name_at_once_all_get_the_whole_result(build):
    """Each writes its own temporary file and renames it into place: one stored file, whole."""
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(rc.cached("study", lambda: [7] * 10**5)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[7] * 10**5] * 4
    assert [p.suffix for p in build.iterdir()] == [".pickle"]


def test_the_fingerprint_of_what_is_not_a_folder_is_refused(tmp_path):
    """A missing path had no files, so it gave the runtime's key, the same for every one."""
    (tmp_path / "module.py").write_text("")
    for path in (tmp_path / "missing", tmp_path / "module.py"):
        with pytest.raises(ValueError, match="^package must be a folder"):
            FINGERPRINT(path)


@pytest.mark.parametrize("in_build", [False, True])
def test_a_compute_that_is_not_callable_is_named(in_build, tmp_path, monkeypatch):
    """It met "'int' object is not callable", naming no argument."""
    monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(tmp_path) if in_build else "")
    with pytest.raises(TypeError, match="^compute must be callable"):
        rc.cached("study", 3)


def _fail(*args, **kwargs):
    raise PermissionError(13, "Permission denied")


def _disk_full(result, file):
    file.write(b"partial")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize(
    "where, replacement",
    [("tempfile.NamedTemporaryFile", _fail), ("pickle.dump", _disk_full), ("os.replace", _fail)],
    ids=["read-only folder", "full disk", "rename refused"],
)
def test_a_folder_that_cannot_be_written_still_gives_the_result(
    build, monkeypatch, where, replacement
):
    """The OSError escaped and the computed result was lost (with a partial file left behind).

    Root may write anywhere, so the folder's refusal is simulated where the write meets it."""
    build.mkdir()
    monkeypatch.setattr(f"{rc.__name__}.{where}", replacement)
    compute = Counter()
    assert [rc.cached("study", compute)["calls"] for _ in range(2)] == [1, 2]
    assert list(build.iterdir()) == []


def test_a_stored_path_that_cannot_be_read_is_computed(build):
    """A folder in the stored file's place met IsADirectoryError; now a miss, and not stored."""
    stored = build / f"study-{rc.library_fingerprint()}.pickle"
    stored.mkdir(parents=True)
    compute = Counter()
    assert [rc.cached("study", compute)["calls"] for _ in range(2)] == [1, 2]
    assert [p.name for p in build.iterdir()] == [stored.name] and stored.is_dir()


def test_a_folder_that_cannot_be_created_is_named(tmp_path, monkeypatch, library):
    """Its OSError was taken for a read-only folder and the cache silently never stored."""
    (tmp_path / "a file").write_text("")
    monkeypatch.setenv(rc.ENVIRONMENT_VARIABLE, str(tmp_path / "a file" / "results"))
    with pytest.raises(ValueError, match=f"^{rc.ENVIRONMENT_VARIABLE} must name a folder that can"):
        rc.cached("study", Counter())


def _interrupted(result, file):
    file.write(b"partial")
    raise KeyboardInterrupt


def test_a_result_nested_too_deeply_is_named_and_leaves_no_partial_file(build):
    """pickle's RecursionError escaped, leaving the partial file in the folder."""
    nested = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(TypeError, match="^the result of compute must be picklable .*'deep'"):
        rc.cached("deep", lambda: nested)
    assert list(build.iterdir()) == []


def test_an_interrupted_write_leaves_no_partial_file(build, monkeypatch):
    build.mkdir()
    monkeypatch.setattr(f"{rc.__name__}.pickle.dump", _interrupted)
    with pytest.raises(KeyboardInterrupt):
        rc.cached("study", Counter())
    assert list(build.iterdir()) == []
