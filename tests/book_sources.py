"""The book's sources as the tests see them: the table of contents and its files."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import ROOT


def toc_files() -> list[str]:
    """Every file of ``_toc.yml``, without suffix, in reading order (the root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def chapters() -> list[str]:
    """The toc's files under ``chapters/``."""
    return [name for name in toc_files() if name.startswith("chapters/")]


def source(name: str) -> Path:
    return ROOT / f"{name}.md"


def is_notebook(name: str) -> bool:
    """Whether a toc file is a MyST notebook (a jupytext header with a kernel)."""
    text = source(name).read_text()
    if not text.startswith("---\n"):
        return False
    header = yaml.safe_load(text.split("---\n", 2)[1]) or {}
    return "kernelspec" in header


def title(name: str) -> str:
    """The first level-one heading of a toc file, as the reader sees it."""
    match = re.search(r"^# (.+)$", source(name).read_text(), re.M)
    assert match, f"{name}.md has no title"
    return match.group(1).strip()


def run_as_notebook(name: str, timeout: int) -> tuple[str | None, int, float]:
    """Run toc file ``name`` from a fresh kernel in its own folder, as a student would.

    Returns the error (None if every cell ran), the number of code cells with
    output, and the seconds taken. It returns plain values so that it can run in
    a worker process.
    """
    import time

    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = source(name)
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        return str(error), 0, time.perf_counter() - start
    with_output = sum(1 for c in notebook.cells if c.cell_type == "code" and c.outputs)
    return None, with_output, time.perf_counter() - start
