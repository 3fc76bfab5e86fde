"""The notebooks a reader downloads, run on their own; and two builds of one commit, identical.

The book offers each chapter's executed ``.ipynb`` (``_ext/notebook_downloads.py``).
It must carry the page's outputs and, for JupyterLab, the values of its
``{eval}`` prose. And it must run away from this repository: in a new virtual
environment where the project was installed as a package (``pip install``, not
editable), from a folder outside the clone, where it shows the same numbers.

Those runs are the second execution of every chapter that the reproducibility
check needs. The book is built a second time, from the same sources, with an
execution cache that holds nothing but the downloads' runs in the new
environment: so every chapter's outputs come from fresh kernels in another
environment, and Sphinx writes every page again. Every file is compared with the
first build (``make book``'s ``_build/html``), byte for byte. Only what a page
shows of a wall-clock measurement may differ: the benchmark of the numerics
chapter and the time per step of the VAE training chapter (their pages, their
notebook downloads, their figures, and the search index that holds their text),
and the instructors' page, which shows each chapter's execution time in this
build.
"""

from __future__ import annotations

import concurrent.futures
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from book_sources import is_notebook, toc_files

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import prose_values  # noqa: E402 - the book's own extension, from _ext/

pytestmark = pytest.mark.book

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]
#: The extra the README and every download's first cell tell a reader to install.
EXTRA = "chapters"
#: Prose values that are wall-clock measurements, which differ from run to run.
WALL_CLOCK = {
    "chapters/numerics": {
        "bench_over_uniform", "bench_library_ns", "bench_two_class", "bench_f64_over_f32",
        "spread_uniform", "spread_two_class", "spread_f64_f32", "uniform_note", "fresh_ratio",
        "fresh_lead", "fresh_so",
        "f32_tau", "f32_tau_verdict", "f64_tau", "f64_tau_verdict",
        "dtype_hot", "dtype_hot_verdict", "dtype_cold", "dtype_cold_verdict",
        "dtype_hot_where", "cost_range",
    },
    "chapters/binary_vae_training": {"cheapest", "dearest", "ratio_max", "rebar_time"},
}  # fmt: skip
INSTALL_TIMEOUT = 600  # seconds: pip may have to download the pinned wheels
RUN_TIMEOUT = 300


def download(html_dir: Path, name: str) -> Path:
    return html_dir / "_sources" / f"{name}.ipynb"


def saved_values(notebook) -> dict[str, str]:
    """The prose values as the download saves them for jupyterlab-myst (text/plain)."""
    return {
        entry["expression"]: entry["result"]["data"]["text/plain"]
        for cell in notebook.cells
        for entry in cell.metadata.get("user_expressions", [])
    }


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_download_holds_outputs_and_prose_values(html_dir, name):
    notebook = nbformat.read(download(html_dir, name), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert any(cell.outputs for cell in code), f"{name}: the download has no outputs"
    assert all(cell.execution_count for cell in code), f"{name}: a code cell was not executed"
    names = {
        n
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for n in prose_values.EVAL_ROLE.findall(cell.source)
    }
    values = saved_values(notebook)
    assert names == set(values), f"{name}: prose values missing for {sorted(names - set(values))}"
    assert all(value.strip() for value in values.values()), f"{name}: an empty prose value"


# Run by the new environment's Python: execute the notebook as Jupyter does,
# then ask the kernel for each prose value as jupyterlab-myst does (the text/plain
# of the expression, formatted by IPython), and for where the library came from.
# The executed notebook, without that last question, is written to ``out``.
RUNNER = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient

path, out, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
notebook = nbformat.read(path, as_version=4)
probe = (
    "import json as _json, binary_gumbel as _bg\n"
    "_format = get_ipython().display_formatter.format\n"
    f"print(_json.dumps({{'library': _bg.__file__, 'values': "
    f"{{_n: _format(eval(_n))[0]['text/plain'] for _n in {names!r}}}}}))"
)
notebook.cells.append(nbformat.v4.new_code_cell(probe))
start = time.perf_counter()
# No timings in the cells' metadata: the execution cache keys on it.
NotebookClient(notebook, timeout=240, kernel_name="python3", record_timing=False).execute()
seconds = time.perf_counter() - start
answer = notebook.cells.pop()
nbformat.write(notebook, out)
print(json.dumps({"seconds": seconds, **json.loads(answer.outputs[0]["text"])}))
"""


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    """A new venv with the project pip-installed (not editable) from a copy of the clone."""
    home = tmp_path_factory.mktemp("standalone")
    project = home / "project"
    project.mkdir()
    for part in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / part, project / part)
    shutil.copytree(ROOT / "code", project / "code", ignore=shutil.ignore_patterns("__pycache__"))
    venv = home / "venv"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.update(
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JUPYTER_PATH=str(home / "jupyter"),
        JUPYTER_DATA_DIR=str(home / "jupyter"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        # The verifier's results (the slowest shared computation, keyed on the
        # library's source) are computed by the first chapter that needs them
        # and loaded by the others, as in the book's build.
        BINARY_GUMBEL_RESULTS_CACHE=str(home / "results"),
    )
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    install = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile",
         "-c", ROOT / "requirements.txt", f"{project}[{EXTRA}]", "ipykernel", "nbclient"],
        capture_output=True, text=True, timeout=INSTALL_TIMEOUT, env=env,
    )  # fmt: skip
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"
    work = home / "reader"  # a reader's folder: no repository around it
    work.mkdir()
    (work / "run.py").write_text(RUNNER)
    return venv / "bin" / "python", work, env


@dataclass(frozen=True)
class Run:
    """One download's run in the new environment."""

    code: int
    stdout: str
    stderr: str
    #: The notebook as executed there (prose cell included), if the run finished.
    executed: Path

    @property
    def answer(self) -> dict:
        """What the run printed last: its seconds, the library's file and the prose values."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_standalone(python: Path, work: Path, env: dict, name: str, notebook) -> Run:
    """Run ``notebook`` (a download, with the book's prose cell appended) in ``work``."""
    stem = Path(name).name
    copy, executed = work / f"{stem}.ipynb", work / f"{stem}.executed.ipynb"
    nbformat.write(notebook, copy)
    names = prose_values.expressions(notebook)
    done = subprocess.run(
        [python, work / "run.py", copy, executed, json.dumps(names)],
        cwd=work, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, executed)


@pytest.fixture(scope="module")
def download_runs(html_dir, standalone) -> dict[str, Run]:
    """Every chapter's download, two at a time, in one environment with the README's extra.

    The prose cell the book's build appends (``_ext/prose_values.py``) is appended
    to each download first, so that the executed notebook is the one the build
    executes, prose values included, and can stand in its execution cache.
    """
    python, work, env = standalone
    notebooks = {
        name: prose_values.add_prose_cell(nbformat.read(download(html_dir, name), as_version=4))
        for name in NOTEBOOKS
    }
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = {
            name: pool.submit(run_standalone, python, work, env, name, notebook)
            for name, notebook in notebooks.items()
        }
    return {name: future.result() for name, future in runs.items()}


def test_every_download_says_what_to_install(html_dir):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'[{EXTRA}]"' in readme, f"the README does not name the extra {EXTRA!r}"
    for name in NOTEBOOKS:
        first = nbformat.read(download(html_dir, name), as_version=4).cells[0]
        assert first.cell_type == "markdown" and f".[{EXTRA}]" in first.source, name


def test_the_core_imports_with_numpy_alone():
    """``import binary_gumbel`` and its samplers need none of the chapters' extra."""
    blocked = ("scipy", "sympy", "matplotlib", "altair", "sklearn")
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError(f'blocked: {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import numpy as np, binary_gumbel as bg\n"
        "x = bg.sample_binary_gumbel_softmax(0.3, 0.5, size=4, rng=np.random.default_rng(0))\n"
        "z = bg.sample_hard_concrete(0.3, 0.5, size=4, rng=np.random.default_rng(0))\n"
        "print(bg.binary_concrete_logpdf(x, 0.3, 0.5).shape, z.shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(4,) (4,)"


def test_every_downloaded_notebook_runs_in_a_new_environment_and_shows_its_numbers(
    html_dir, download_runs
):
    """Every chapter's download, two at a time, in one environment with the README's extra."""
    for name, run in download_runs.items():
        assert run.code == 0, f"{name} failed in the new environment:\n{run.stderr[-3000:]}"
        result = run.answer
        library = Path(result["library"])
        assert ROOT not in library.parents, f"{name} imported the library from the clone: {library}"
        assert "site-packages" in library.parts, f"{name}: the library is not installed: {library}"
        expected = saved_values(nbformat.read(download(html_dir, name), as_version=4))
        timed = WALL_CLOCK.get(name, set())
        assert timed <= set(expected), f"{name}: WALL_CLOCK names a value it lacks"
        shown = {key: value for key, value in result["values"].items() if key not in timed}
        page = {key: value for key, value in expected.items() if key not in timed}
        assert shown == page, f"{name}: the prose differs from the page"


# ---------------------------------------------------------------- two builds

#: Pages that show wall-clock timings, and the files that carry their text.
TIMED_FILES = {
    "chapters/numerics.html",
    "_sources/chapters/numerics.ipynb",
    "chapters/binary_vae_training.html",
    "_sources/chapters/binary_vae_training.ipynb",
    "searchindex.js",
    "teaching.html",
}


def _files(folder: Path) -> dict[str, Path]:
    return {
        path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()
    }


def _images_of(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return {name for name in text.split('"') if name.startswith("../_images/")}


@pytest.fixture(scope="module")
def second_build(html_dir, download_runs, tmp_path_factory):
    """The book built again, its execution cache holding only the downloads' runs."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    out = tmp_path_factory.mktemp("second")
    cache = get_cache(out / "jupyter_cache")
    for name, run in download_runs.items():
        if run.code == 0:  # a chapter whose run failed is executed by the build: see below
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    nbformat.read(run.executed, as_version=4),
                    str(ROOT / f"{name}.md"),
                    data={"execution_seconds": run.answer["seconds"]},
                ),
                check_validity=False,
            )
    build = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_edition.py"), "html", str(out / "html")]
        + ["--cache", str(out / "jupyter_cache")],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, (
        f"second build failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    )
    # The build executes a chapter whose notebook it does not find in the cache.
    executed = re.findall(r"^executing .*$", build.stdout, re.M)
    assert not executed, (
        f"the second build executed chapters itself ({executed}): a download's run is missing "
        "or does not hold its chapter's code"
    )
    return out / "html"


def test_two_clean_builds_are_identical(html_dir, second_build):
    first, second = _files(html_dir), _files(second_build)
    timed = {
        name
        for page in TIMED_FILES
        if page.endswith(".html")
        for name in _images_of(html_dir / page) | _images_of(second_build / page)
    }
    allowed = TIMED_FILES | {name.removeprefix("../") for name in timed}
    only = (first.keys() ^ second.keys()) - allowed
    assert not only, f"files in one build only: {sorted(only)[:10]}"
    different = [
        name
        for name in sorted(first.keys() & second.keys())
        if name not in allowed and not filecmp.cmp(first[name], second[name], shallow=False)
    ]
    assert not different, f"two builds of one commit differ in {different[:10]}"
