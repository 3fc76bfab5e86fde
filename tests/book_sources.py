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
