"""Checks of the built HTML (``make book`` builds it before the tests run)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from book_sources import toc_files

from conftest import ROOT, book_pages

pytestmark = pytest.mark.book


def pages(html_dir):
    return book_pages(html_dir)


def test_every_toc_entry_is_built(html_dir):
    for name in toc_files():
        assert (html_dir / f"{name}.html").is_file(), f"{name} missing from the build"


def test_no_script_or_style_comes_from_another_host(html_dir):
    remote = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)
    for page in pages(html_dir):
        found = remote.findall(page.read_text())
        assert not found, f"{page.name} loads from another host: {found}"


def test_index_redirects_to_the_front_page(html_dir):
    assert 'url=intro.html"' in (html_dir / "index.html").read_text()


def test_mathjax_is_served_locally(html_dir):
    assert (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    index = (html_dir / "intro.html").read_text()
    assert "_static/mathjax/tex-mml-chtml.js" in index
    # Only the entry point is a <script>; its components load on demand.
    assert index.count("mathjax/") == 1


def test_no_thebe_or_launch_buttons(html_dir):
    for page in pages(html_dir):
        text = page.read_text()
        assert "thebe" not in text.lower(), f"{page.name} still carries thebe"
        assert "launch-buttons" not in text, f"{page.name} has launch buttons"


def test_footer_says_2026(html_dir):
    assert re.search(r"©\s*Copyright\s*2026", (html_dir / "intro.html").read_text())


def test_no_cell_output_shows_an_error(html_dir):
    for page in pages(html_dir):
        text = page.read_text()
        assert "Traceback" not in text, f"{page.name} shows a traceback"
        # MyST-NB writes more classes after these two (``output stderr highlight-...``)
        assert 'class="output stderr' not in text, f"{page.name} shows stderr output"


def test_every_glued_value_is_resolved(html_dir):
    for page in pages(html_dir):
        text = page.read_text()
        assert "glue:text" not in text and "{glue:" not in text, f"unresolved glue in {page.name}"


def test_citations_resolve(html_dir):
    """The chapter's link to Jang et al. reaches its entry on the references page."""
    text = (html_dir / "chapters" / "categorical.html").read_text()
    assert 'href="../references.html#jang2016categorical"' in text
    assert 'id="jang2016categorical"' in (html_dir / "references.html").read_text()


def _dry_run_book(root) -> str:
    result = subprocess.run(
        ["make", "--dry-run", "book"], cwd=root, capture_output=True, text=True, check=True
    )
    return result.stdout


def _skeleton(tmp_path):
    """A scratch copy of the project's skeleton, with every file time set explicitly.

    The Makefile runs there, so the tests neither depend on nor disturb the real build.
    """
    shutil.copy(ROOT / "Makefile", tmp_path)
    files = {
        "requirements": tmp_path / "requirements.txt",
        "pyproject": tmp_path / "pyproject.toml",
        "module": tmp_path / "code" / "binary_gumbel" / "relaxed.py",
        "pinned": tmp_path / ".venv" / ".pinned",
        "ready": tmp_path / ".venv" / ".installed",
        "seen": tmp_path / "_build" / ".library-seen",
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    for t, names in ((1_000, ["requirements", "pyproject", "module"]), (2_000, ["pinned"])):
        for name in names:
            _at(files[name], t)
    _at(files["module"].parent, 1_000)
    _at(files["ready"], 3_000)
    _at(files["seen"], 4_000)
    return files


def _at(path, t):
    os.utime(path, (t, t))


CLEAR_CACHE = "rm -rf _build/.jupyter_cache"
NEW_VENV = "rm -rf .venv"
EDITABLE = "pip install --quiet --no-deps --no-build-isolation -e ."


def test_no_change_rebuild_keeps_everything(tmp_path):
    _skeleton(tmp_path)
    plan = _dry_run_book(tmp_path)
    assert CLEAR_CACHE not in plan and NEW_VENV not in plan and EDITABLE not in plan


def test_library_change_clears_the_execution_cache(tmp_path):
    """Touching or adding a file under code/ makes every chapter re-execute."""
    files = _skeleton(tmp_path)
    _at(files["module"], 5_000)
    assert CLEAR_CACHE in _dry_run_book(tmp_path), "a library change must clear the cache"

    _at(files["module"], 1_000)
    (files["module"].parent / "new_module.py").write_text("")
    assert CLEAR_CACHE in _dry_run_book(tmp_path), "a new library file must clear the cache"


def test_new_pins_rebuild_the_virtual_environment(tmp_path):
    files = _skeleton(tmp_path)
    _at(files["requirements"], 5_000)
    plan = _dry_run_book(tmp_path)
    assert NEW_VENV in plan and EDITABLE in plan


def test_packaging_change_reinstalls_only_the_library(tmp_path):
    files = _skeleton(tmp_path)
    _at(files["pyproject"], 5_000)
    plan = _dry_run_book(tmp_path)
    assert EDITABLE in plan and NEW_VENV not in plan


PROBE_CHAPTER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Probe

```{code-cell} ipython3
value = open("code/binary_gumbel/value.py").read().split("'")[1]
```

```{code-cell} ipython3
import io

from IPython.display import Image
from matplotlib.figure import Figure

figure, png = Figure(figsize=(1, 1)), io.BytesIO()
figure.suptitle(value)
figure.savefig(png, format="png")
Image(png.getvalue())
```

The value in the library is {eval}`value`.

```{code-cell} ipython3
from threadpoolctl import threadpool_info

blas_threads = ",".join(str(pool["num_threads"]) for pool in threadpool_info())
```

Linear algebra runs on {eval}`blas_threads` thread.
"""

PROBE_CONFIG = """title: probe
execute:
  execute_notebooks: cache
sphinx:
  local_extensions:
    prose_values: _ext
    parallel_execution: _ext
    prune_orphans: _ext
"""


def test_library_change_reexecutes_a_real_build(tmp_path):
    """End to end: after a library edit, `make book` shows the new output, not a stale one.

    A one-page book whose prose shows ({eval}) a value read from a file of its "library"
    is built with the project's Makefile, environment and execution extensions (parallel
    pre-execution into the cache, prose values), the file is changed, and the book is
    built again.
    """
    shutil.copy(ROOT / "Makefile", tmp_path)
    for folder in ("_ext", "tools"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "_config.yml").write_text(PROBE_CONFIG)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (tmp_path / "intro.md").write_text(PROBE_CHAPTER)
    module = tmp_path / "code" / "binary_gumbel" / "value.py"
    module.parent.mkdir(parents=True)
    module.write_text("VALUE = 'first'\n")
    stamps = {name: tmp_path / "stamps" / name for name in ("pinned", "ready")}
    stamps["pinned"].parent.mkdir()
    for path in (tmp_path / "requirements.txt", tmp_path / "pyproject.toml", *stamps.values()):
        path.write_text("")
    for path in (tmp_path / "requirements.txt", tmp_path / "pyproject.toml"):
        _at(path, 1_000)
    html = tmp_path / "_build" / "html" / "intro.html"

    def make_book():
        run = subprocess.run(
            ["make", "book", f"VENV={ROOT / '.venv'}"]
            + [f"{name.upper()}={path}" for name, path in stamps.items()],
            cwd=tmp_path, capture_output=True, text=True,
        )  # fmt: skip
        assert run.returncode == 0, f"make book failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
        return re.sub(r"<[^>]+>", "", html.read_text())

    first = make_book()
    assert "The value in the library is first" in first
    # kernels run one per core: each one's BLAS on one thread, or two kernels' matrix
    # products contend for the cores (OpenBLAS takes a thread per core by default)
    assert "Linear algebra runs on 1 thread" in first, re.findall(r"Linear algebra[^.]*", first)
    module.write_text("VALUE = 'second'\n")
    seen = (tmp_path / "_build" / ".library-seen").stat().st_mtime
    _at(module, seen + 10)
    page = make_book()
    assert "The value in the library is second" in page, "the chapter was not re-executed"
    assert "first" not in page, "the page still shows the old library's output"

    # The rebuilt site holds exactly what a clean build of the same sources holds,
    # byte for byte: the first build's figure, which no page uses any more, is gone,
    # and the page links the extensions' static files as a clean build does.
    site = tmp_path / "_build" / "html"

    def files() -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    rebuilt = files()
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    make_book()
    clean = files()
    assert rebuilt.keys() == clean.keys(), (
        f"files in one build only: {sorted(rebuilt.keys() ^ clean.keys())[:10]}"
    )
    # Except the search index: Sphinx prunes it rather than rebuilding it, so a word the
    # edited page no longer has stays in it, pointing at no page (the search finds the same).
    different = sorted(
        name for name in clean if rebuilt[name] != clean[name] and name != "searchindex.js"
    )
    assert not different, f"the rebuilt site differs from a clean build in {different[:10]}"

    # A build with nothing to write leaves the site as it was, static files included.
    make_book()
    again = files()
    assert again == clean, (
        f"a build with no change altered {sorted(again.keys() ^ clean.keys())[:10]}"
    )
