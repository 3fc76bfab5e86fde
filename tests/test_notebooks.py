"""The chapters as a student gets them: notebooks.

Each chapter page offers its notebook and its source for download, and
JupyterLab is set up to open the chapters as notebooks with their MyST
directives rendered. That every chapter runs from a fresh kernel, outside the
book build, is shown by tests/test_lab.py (every chapter run in JupyterLab, as a
student runs it) and tests/test_downloads.py (downloads run in a new
environment, and a second build made of those runs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from book_sources import chapters, is_notebook, source, toc_files
from bs4 import BeautifulSoup

from conftest import ROOT

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]


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
