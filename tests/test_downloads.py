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
first build (``make book``'s ``_build/html``), byte for byte, but for the
wall-clock measurements the pages show, each hidden where it is shown
(``build_differences``): the benchmark's prose values and figure in the numerics
chapter, the time per step in the prose and the table of the VAE training
chapter, and each chapter's execution time on the instructors' page; on those
pages, in their notebook downloads, and in the search index (the words of those
measurements only). Everything else, the training chapter's seeded figures
included, must be identical.
"""

from __future__ import annotations

import ast
import concurrent.futures
import filecmp
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import snowballstemmer
from book_sources import is_notebook, toc_files
from bs4 import BeautifulSoup

from conftest import KERNEL_ON_TCP, ROOT, WALL_CLOCK, download, saved_values

sys.path.insert(0, str(ROOT / "_ext"))
import prose_values  # noqa: E402 - the book's own extension, from _ext/

pytestmark = pytest.mark.book

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]
#: The extra the README and every download's first cell tell a reader to install.
EXTRA = "chapters"
INSTALL_TIMEOUT = 600  # seconds: pip may have to download the pinned wheels
RUN_TIMEOUT = 300


#: The tags with which a code cell's outputs are not shown on the page.
NOT_SHOWN = {"remove-output", "remove-cell"}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_download_holds_outputs_and_prose_values(html_dir, name):
    """Every output the page shows is in the download: as many code cells with outputs
    (those the page shows) as the page has cell outputs; every code cell executed; and
    the value of every ``{eval}`` of its prose, a repr that shows as the value itself once
    its quotes are stripped."""
    notebook = nbformat.read(download(html_dir, name), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    with_outputs = [
        cell for cell in code if cell.outputs and not NOT_SHOWN & set(cell.metadata.get("tags", []))
    ]
    page = BeautifulSoup((html_dir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    shown = len(page.select(".cell_output"))
    assert shown, f"{name}: the page shows no cell output"
    assert len(with_outputs) == shown, (
        f"{name}: {len(with_outputs)} code cells with outputs in the download, "
        f"{shown} cell outputs on the page"
    )
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
    # The page (MyST-NB's eval role) and jupyterlab-myst both show a value's repr without
    # its quotes: a repr with an escape in it (a backslash: a character such as U+202F that
    # Python does not print, a backslash, both kinds of quote) would show the escape.
    escaped = {key: value for key, value in values.items() if "\\" in value}
    assert not escaped, f"{name}: prose values that would show an escape: {escaped}"


# Run by the new environment's Python: execute the notebook as Jupyter does,
# then ask the kernel for each prose value as jupyterlab-myst does (the text/plain
# of the expression, formatted by IPython), and for where the library came from.
# The executed notebook, without that last question, is written to ``out``.
# The kernel talks to the runner over Unix sockets, as in the book's build
# (``_ext/parallel_execution.py``), not over TCP: a TCP port that the kernel
# manager finds free can be taken by another process before the kernel binds it
# (jupyter/jupyter_client#154), and with the suite's browsers, builds and
# kernels running alongside, one run in a fresh-clone CI lost that race
# ("Address already in use", then "Kernel died before replying to kernel_info").
RUNNER = r"""
import json, shutil, sys, tempfile, time
import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

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
sockets = tempfile.mkdtemp(prefix="kernel-")
try:
    NotebookClient(
        notebook, timeout=240, kernel_name="python3",
        record_timing=False,  # no timings in the cells' metadata: the execution cache keys on it
        config=Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/ipc"}}),
    ).execute()
finally:
    shutil.rmtree(sockets, ignore_errors=True)
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
        assert KERNEL_ON_TCP not in run.stderr, f"{name}: its kernel used a TCP port"
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

#: The measurements a page shows besides its ``WALL_CLOCK`` prose values, by page: the
#: pattern of each. The "evals / time" column of the VAE training chapter's table gives
#: the time per step relative to the cheapest method's; the instructors' page gives each
#: chapter's execution time in seconds, and their sum.
TIMED_TEXT = {
    "chapters/binary_vae_training": re.compile(r"(?<=\d / )\d+\.\d\d(?=</p></td>| \|)"),
    "teaching": re.compile(r"\d+\.\d(?= s(?:</p></td>| from a fresh kernel| of kernel time))"),
}
#: The figures that show a wall-clock measurement, by page: their labels.
TIMED_FIGURES = {"chapters/numerics": {"fig-nu-bench"}}
#: A prose value as MyST-NB renders it on a page (``_ext/prose_values.py``).
EVAL_SPAN = re.compile(r'(<span class="output text_plain">)(.*?)(</span>)', re.S)
#: Sphinx's typographic quotes (its smartquotes), back to the typed ones.
PLAIN_QUOTES = str.maketrans("‘’“”", "''\"\"")
#: What stands in for a measurement when two builds are compared.
MASK = "[wall clock]"
SEARCH_INDEX = "searchindex.js"
STEM = snowballstemmer.stemmer("porter").stemWord


def _files(folder: Path) -> dict[str, Path]:
    return {
        path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()
    }


def _figure_image(build: Path, page: str, label: str) -> str | None:
    """The file of figure ``label``'s image on ``page`` of ``build``, relative to ``build``."""
    found = re.search(
        rf'<figure\b[^>]*\bid="{re.escape(label)}"[^>]*>\s*<img\b[^>]*\bsrc="([^"]+)"',
        (build / f"{page}.html").read_text(encoding="utf-8"),
    )
    return found and posixpath.normpath(posixpath.join(posixpath.dirname(page), found[1]))


def _prose_order(build: Path, page: str) -> list[str]:
    """The ``{eval}`` expressions of ``page``, in the order its prose shows them."""
    notebook = nbformat.read(download(build, page), as_version=4)
    return [
        expression
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for expression in prose_values.EVAL_ROLE.findall(cell.source)
    ]


def _masked_page(build: Path, page: str, shown: list[str]) -> str:
    """The HTML of ``page`` with every wall-clock measurement it shows replaced by ``MASK``;
    each measurement replaced (as text) is appended to ``shown``."""
    text = (build / f"{page}.html").read_text(encoding="utf-8")

    def hide(value: str) -> str:
        shown.append(html.unescape(value))
        return MASK

    if page in WALL_CLOCK:
        order = _prose_order(build, page)
        spans = EVAL_SPAN.findall(text)
        assert len(spans) == len(order), (
            f"{page}: {len(spans)} prose values on the page, {len(order)} in its download: "
            "which is a wall-clock measurement cannot be told"
        )
        saved = saved_values(nbformat.read(download(build, page), as_version=4))
        names = iter(order)

        def value(span: re.Match) -> str:
            name = next(names)
            if name not in WALL_CLOCK[page]:
                return span[0]
            # The span is this measurement's: it shows the value its download saves.
            shown = html.unescape(span[2]).translate(PLAIN_QUOTES)
            assert shown == ast.literal_eval(saved[name]), f"{page}: {name} is not {shown!r}"
            return span[1] + hide(span[2]) + span[3]

        text = EVAL_SPAN.sub(value, text)
    if page in TIMED_TEXT:
        text, count = TIMED_TEXT[page].subn(lambda m: hide(m[0]), text)
        assert count, f"{page}: none of its timings found (TIMED_TEXT is out of date)"
    for label in TIMED_FIGURES.get(page, ()):
        image = _figure_image(build, page, label)
        assert image, f"{page}: no figure {label} (TIMED_FIGURES is out of date)"
        text = text.replace(posixpath.relpath(image, posixpath.dirname(page) or "."), MASK)
    return text


def _notebook_text(notebook: dict) -> str:
    """A notebook's JSON as the build writes it (``nbformat``'s layout)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _masked_notebook(build: Path, page: str) -> str:
    """The download of ``page`` with the wall-clock measurements among its prose values and
    outputs replaced by ``MASK``: the file itself where there are none."""
    text = download(build, page).read_text(encoding="utf-8")
    notebook = json.loads(text)
    # Masked as JSON, written back as the build writes it: nothing else is lost.
    assert _notebook_text(notebook) == text, f"{page}: the download is not in nbformat's layout"
    timed = TIMED_TEXT.get(page)
    for cell in notebook["cells"]:
        for entry in cell["metadata"].get("user_expressions", []):
            if entry["expression"] in WALL_CLOCK.get(page, ()):
                entry["result"]["data"] = dict.fromkeys(entry["result"]["data"], MASK)
        figure = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime, value in data.items():
                if figure in TIMED_FIGURES.get(page, ()) and mime.startswith("image/"):
                    data[mime] = MASK
                elif timed and mime.startswith("text/"):
                    lines = [value] if isinstance(value, str) else value
                    masked = [timed.sub(MASK, line) for line in lines]
                    data[mime] = masked[0] if isinstance(value, str) else masked
    return _notebook_text(notebook)


def _search_index(text: str) -> dict:
    prefix, suffix = "Search.setIndex(", ")"
    assert text.startswith(prefix) and text.endswith(suffix), "searchindex.js has a new form"
    index = json.loads(text[len(prefix) : -len(suffix)])
    # Compared as JSON, written back as Sphinx writes it: nothing else is lost.
    assert prefix + json.dumps(index, sort_keys=True) + suffix == text, "searchindex.js layout"
    return index


def _term_pages(index: dict) -> set[tuple[str, str]]:
    """Every (search term, page) pair of a search index."""
    return {
        (term, index["docnames"][doc])
        for term, docs in index["terms"].items()
        for doc in (docs if isinstance(docs, list) else [docs])
    }


def _search_differences(first: Path, second: Path, shown: dict[str, list[str]]) -> list[str]:
    """How the two builds' search indexes differ, besides the words of the measurements
    ``shown`` by each page (in either build), which the index holds as they are and stemmed
    as Sphinx stems English."""
    one, two = (
        _search_index((b / SEARCH_INDEX).read_text(encoding="utf-8")) for b in (first, second)
    )
    found = [
        f"{SEARCH_INDEX}: {key!r} differs"
        for key in sorted(one.keys() | two.keys())
        if key != "terms" and one.get(key) != two.get(key)
    ]
    words = {
        page: {
            form
            for value in values
            for word in re.findall(r"\w+", value)
            for form in (word, STEM(word.lower()).lower())
        }
        for page, values in shown.items()
    }
    found += [
        f"{SEARCH_INDEX}: the term {term!r} of {page} is in one build only"
        for term, page in sorted(_term_pages(one) ^ _term_pages(two))
        if term not in words.get(page, ())
    ]
    return found


def build_differences(first: Path, second: Path) -> list[str]:
    """How two builds of one commit differ, besides the wall-clock measurements their pages
    show: the ``WALL_CLOCK`` prose values, the ``TIMED_TEXT`` and the images of the
    ``TIMED_FIGURES``, on the pages, in the downloads and in the search index."""
    files = {build: _files(build) for build in (first, second)}
    timed_images = {
        _figure_image(build, page, label)
        for build in (first, second)
        for page, labels in TIMED_FIGURES.items()
        for label in labels
    }
    found = []
    only = sorted((files[first].keys() ^ files[second].keys()) - timed_images)
    if only:
        found.append(f"files in one build only: {only[:10]}")
    timed_pages = WALL_CLOCK.keys() | TIMED_TEXT.keys() | TIMED_FIGURES.keys()
    masked_files = {f"{page}.html" for page in timed_pages} | {
        download(Path(), page).as_posix() for page in timed_pages if is_notebook(page)
    }
    shown: dict[str, list[str]] = {page: [] for page in timed_pages}
    for name in sorted(files[first].keys() & files[second].keys()):
        if name == SEARCH_INDEX:
            continue
        if name in masked_files:
            page = name.removesuffix(".html").removeprefix("_sources/").removesuffix(".ipynb")
            if name.endswith(".html"):
                same = _masked_page(first, page, shown[page]) == _masked_page(
                    second, page, shown[page]
                )
            else:
                same = _masked_notebook(first, page) == _masked_notebook(second, page)
        else:
            same = filecmp.cmp(files[first][name], files[second][name], shallow=False)
        if not same:
            found.append(f"{name} differs")
    if SEARCH_INDEX in files[first] and SEARCH_INDEX in files[second]:
        found += _search_differences(first, second, shown)
    return found


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
    different = build_differences(html_dir, second_build)
    assert not different, "two builds of one commit differ:\n- " + "\n- ".join(different)


# ---------------------------------------------------------------- the comparison itself

TRAINING = "chapters/binary_vae_training"


def _copy_timed(html_dir: Path, folder: Path) -> Path:
    """The files of ``html_dir`` that show measurements, and their pages' images, in ``folder``."""
    pages = WALL_CLOCK.keys() | TIMED_TEXT.keys() | TIMED_FIGURES.keys()
    names = {SEARCH_INDEX} | {f"{page}.html" for page in pages}
    names |= {download(Path(), page).as_posix() for page in pages if is_notebook(page)}
    for page in pages:
        text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
        names |= {
            posixpath.normpath(posixpath.join(posixpath.dirname(page), src))
            for src in re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', text)
        }
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(html_dir / name, folder / name)
    return folder


def _edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _set_value(build: Path, page: str, expression: str, value: str) -> None:
    """Show ``value`` for ``{eval}`expression``` on ``page`` and in its download."""
    position = _prose_order(build, page).index(expression)
    spans = iter(range(len(_prose_order(build, page))))
    _edit(
        build / f"{page}.html",
        lambda text: EVAL_SPAN.sub(
            lambda m: m[1] + (value if next(spans) == position else m[2]) + m[3], text
        ),
    )
    notebook = json.loads(download(build, page).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for entry in cell["metadata"].get("user_expressions", []):
            if entry["expression"] == expression:
                entry["result"]["data"]["text/plain"] = repr(value)
    download(build, page).write_text(_notebook_text(notebook), encoding="utf-8")


def _remeasure(build: Path) -> None:
    """Change every kind of measurement the builds may differ in, as a second run would."""
    _set_value(build, TRAINING, "ratio_max", "9.99")
    table_cell = TIMED_TEXT[TRAINING]
    _edit(build / f"{TRAINING}.html", lambda text: table_cell.sub("9.99", text, count=1))
    _edit(download(build, TRAINING), lambda text: table_cell.sub("9.99", text, count=1))
    _edit(build / "teaching.html", lambda text: TIMED_TEXT["teaching"].sub("99.9", text, count=1))
    ((page, labels),) = TIMED_FIGURES.items()
    old = _figure_image(build, page, next(iter(labels)))
    new = posixpath.join(posixpath.dirname(old), "remeasured.png")
    (build / old).rename(build / new)
    with (build / new).open("ab") as image:
        image.write(b"remeasured")
    _edit(
        build / f"{page}.html",
        lambda text: text.replace(
            posixpath.relpath(old, posixpath.dirname(page)),
            posixpath.relpath(new, posixpath.dirname(page)),
        ),
    )
    notebook = json.loads(download(build, page).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["metadata"].get("mystnb", {}).get("figure", {}).get("name") in labels:
            for output in cell["outputs"]:
                output["data"]["image/png"] = "cmVtZWFzdXJlZA=="
    download(build, page).write_text(_notebook_text(notebook), encoding="utf-8")
    _add_term(build, "99", TRAINING)  # a word of 9.99


def _add_term(build: Path, term: str, page: str) -> None:
    """Index ``term`` for ``page`` too in ``build``'s search index."""
    index = _search_index((build / SEARCH_INDEX).read_text(encoding="utf-8"))
    docs = index["terms"].get(term, [])
    docs = docs if isinstance(docs, list) else [docs]
    index["terms"][term] = sorted({*docs, index["docnames"].index(page)})
    (build / SEARCH_INDEX).write_text(f"Search.setIndex({json.dumps(index, sort_keys=True)})")


def test_the_build_comparison_hides_the_measurements_and_nothing_else(html_dir, tmp_path):
    """The comparison itself, on copies of the pages that show measurements: every kind of
    measurement changed is not a difference; a seeded figure (the training curves), a prose
    value that is no measurement, the instructors' word counts, a file in one build only and
    a search term that no measurement holds each are."""
    first = _copy_timed(html_dir, tmp_path / "first")
    second = _copy_timed(html_dir, tmp_path / "second")
    assert build_differences(first, second) == []
    _remeasure(second)
    assert build_differences(first, second) == [], "a measurement was not masked"
    curves = _figure_image(html_dir, TRAINING, "fig-vae-training")
    assert curves, "the training chapter has no figure fig-vae-training"

    def found(change) -> list[str]:
        build = tmp_path / f"changed-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(second, build)
        change(build)
        return build_differences(first, build)

    def redraw(build: Path) -> None:
        with (build / curves).open("ab") as image:
            image.write(b"another seed")

    assert found(redraw) == [f"{curves} differs"]
    assert found(lambda b: shutil.copy2(b / curves, b / "_images/extra.png")) == [
        "files in one build only: ['_images/extra.png']"
    ]
    assert found(lambda b: _set_value(b, TRAINING, "rebar_elbo", "−99.99")) == [
        f"{download(Path(), TRAINING).as_posix()} differs",
        f"{TRAINING}.html differs",
    ]
    assert found(
        lambda b: _edit(b / "teaching.html", lambda t: t.replace(" words", " words.", 1))
    ) == ["teaching.html differs"]

    assert found(lambda b: _add_term(b, "zzyzx", TRAINING)) == [
        f"{SEARCH_INDEX}: the term 'zzyzx' of {TRAINING} is in one build only"
    ]
