"""The chapters as a student gets them: notebooks that run on their own.

Each chapter is executed from a fresh kernel, outside the book build, exactly as
a student's copy would be (jupytext reads the MyST file, nbclient runs it with
the working directory ``chapters/``). Each chapter page offers its notebook and
its source for download, and JupyterLab is set up to open the chapters as
notebooks with their MyST directives rendered.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from book_sources import chapters, is_notebook, run_as_notebook, source, toc_files
from bs4 import BeautifulSoup

from conftest import ROOT

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]
TIMEOUT = 120  # seconds per cell, as in _config.yml


@pytest.fixture(scope="module")
def executed():
    """Every notebook chapter, two at a time (one kernel per core), each in its own process."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        futures = {name: pool.submit(run_as_notebook, name, TIMEOUT) for name in NOTEBOOKS}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_runs_as_a_standalone_notebook(executed, name):
    error, with_output, seconds = executed[name]
    print(f"{name}: {seconds:.1f} s")
    assert error is None, f"{name} fails as a standalone notebook:\n{error}"
    assert with_output, f"{name} produced no output"


def download_links(html_dir, name: str) -> dict[str, str]:
    page = BeautifulSoup((html_dir / f"{name}.html").read_text(), "html.parser")
    menu = page.select(".dropdown-download-buttons a[href]")
    return {a.get_text(strip=True): a["href"] for a in menu}


@pytest.mark.book
@pytest.mark.parametrize("name", chapters())
def test_chapter_page_offers_its_notebook_and_its_source(html_dir, name):
    links = download_links(html_dir, name)
    page_dir = (html_dir / name).parent
    assert ".md" in links, f"{name}: no .md download ({links})"
    md = (page_dir / links[".md"]).resolve()
    assert md.read_text() == source(name).read_text()
    if not is_notebook(name):
        return
    assert ".ipynb" in links, f"{name}: no .ipynb download ({links})"
    notebook = nbformat.read((page_dir / links[".ipynb"]).resolve(), as_version=4)
    nbformat.validate(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert code == [c.source for c in jupytext.read(source(name)).cells if c.cell_type == "code"]


def test_jupyterlab_opens_the_chapters_as_notebooks():
    """jupytext's contents manager serves a chapter as a notebook; make lab makes it the default."""
    from jupytext import TextFileContentsManager

    manager = TextFileContentsManager(root_dir=str(ROOT))
    for name in NOTEBOOKS:
        model = manager.get(f"{name}.md", type="notebook")
        assert model["type"] == "notebook" and model["content"].cells, name
    overrides = json.loads((ROOT / "tools" / "jupyterlab-overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
    # No friction on opening: the preferred kernel (python3, from each chapter's
    # header) starts with no "Select Kernel" dialog, and no prompt about Jupyter news.
    assert overrides["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"
    assert notification["checkForUpdates"] is False
    # Every setting named exists in JupyterLab's schemas, with a value they allow.
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, values in overrides.items():
        package, name = plugin.rsplit(":", 1)
        schema = json.loads((schemas / package / f"{name}.json").read_text())["properties"]
        for key, value in values.items():
            assert key in schema, f"{plugin} has no setting {key}"
            allowed = [choice["const"] for choice in schema[key].get("oneOf", [])]
            assert not allowed or value in allowed, f"{plugin}.{key}: {value!r} not in {allowed}"


def test_jupyterlab_renders_myst():
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for extension in ("jupyterlab-myst", "jupyterlab-jupytext"):
        assert (labextensions / extension / "package.json").is_file(), f"{extension} is missing"
    # jupytext's server extension is what serves a .md file as a notebook.
    server = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "jupytext.json"
    assert json.loads(server.read_text())["ServerApp"]["jpserver_extensions"]["jupyterlab_jupytext"]
