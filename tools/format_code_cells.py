"""Format the code cells of the MyST chapters with ruff, at the width of the book's code column.

    python tools/format_code_cells.py [--check] [FILE.md ...]

Each ```` ```{code-cell} ```` block of each file (by default ``intro.md`` and
``chapters/*.md``) is formatted by ``ruff format`` at ``LINE_LENGTH``
characters, as the cells of one notebook (so a cell's closing ``;`` and any
IPython magic are kept). Everything else in the file, the markdown and each
cell's options, is left byte for byte as it was. With ``--check`` nothing is
written: the command lists the files that would change, and every code line
longer than ``LINE_LENGTH`` (a long string or comment, which ruff does not
rewrap), and exits with 1 if there is any.

``LINE_LENGTH`` is the width of a code cell in the built book at a 1280 px
wide window, counted in characters of its monospace font (77, and 75 in the
frame of an unfolded ``hide-input`` cell): no cell of that width scrolls
sideways (``tests/test_code_cells.py`` checks both, the browser part on the
built book).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE_LENGTH = 75
OPENING = re.compile(r"^```\{code-cell\}")
RUFF = Path(sys.executable).parent / "ruff"


@dataclass
class Cell:
    """The code of one cell: lines ``start`` to ``end`` (exclusive) of its file."""

    start: int
    end: int
    code: str


def chapter_files() -> list[Path]:
    return [ROOT / "intro.md", *sorted((ROOT / "chapters").glob("*.md"))]


def code_cells(lines: list[str], name: str = "the file") -> list[Cell]:
    """The code of every ``{code-cell}`` block, after its options (``---`` YAML or ``:key:``).

    Raises ``ValueError``, naming ``name`` (the file) and the line of the opening fence,
    when a cell's ``---`` options or the cell itself is not closed.
    """

    def closing(i: int, fence: str, opened: int, what: str) -> int:
        """The index of the first line from ``i`` on that is ``fence``."""
        while i < len(lines) and lines[i].rstrip("\n") != fence:
            i += 1
        if i == len(lines):
            raise ValueError(f"{name}:{opened + 1}: {what} is not closed by a {fence!r} line")
        return i

    cells = []
    i = 0
    while i < len(lines):
        if not OPENING.match(lines[i]):
            i += 1
            continue
        opened = i
        i += 1
        if i < len(lines) and lines[i].rstrip("\n") == "---":
            i = closing(i + 1, "---", opened, "the code cell's options")
            i += 1
        else:
            options = i
            while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
                i += 1
            if i > options and i < len(lines) and lines[i].strip() == "":
                i += 1  # the blank line that closes ``:key:`` options
        start = i
        i = closing(i, "```", opened, "the code cell")
        cells.append(Cell(start, i, "".join(lines[start:i])))
        i += 1
    return cells


def ruff_format(sources: list[str], line_length: int = LINE_LENGTH) -> list[str]:
    """``sources`` formatted by ruff as the code cells of one notebook, each ending in a newline."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{index}",
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for index, source in enumerate(sources)
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    result = subprocess.run(
        [
            str(RUFF),
            "format",
            "--line-length",
            str(line_length),
            "--stdin-filename",
            "cells.ipynb",
            "-",
        ],
        input=json.dumps(notebook),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed: {result.stderr.strip()}")
    formatted = json.loads(result.stdout)["cells"]
    out = []
    for cell in formatted:
        text = "".join(cell["source"])
        out.append(text if text.endswith("\n") or not text else text + "\n")
    return out


def formatted_text(text: str, line_length: int = LINE_LENGTH, name: str = "the file") -> str:
    """``text`` (a MyST notebook, the file ``name``) with its code cells formatted, the rest
    unchanged."""
    lines = text.splitlines(keepends=True)
    cells = code_cells(lines, name)
    if not cells:
        return text
    new_sources = ruff_format([cell.code for cell in cells], line_length)
    for cell, new in reversed(list(zip(cells, new_sources, strict=True))):
        lines[cell.start : cell.end] = new.splitlines(keepends=True)
    return "".join(lines)


def long_lines(
    text: str, line_length: int = LINE_LENGTH, name: str = "the file"
) -> list[tuple[int, str]]:
    """(line number, line) of every code-cell line longer than ``line_length`` characters."""
    lines = text.splitlines(keepends=True)
    return [
        (number + 1, lines[number].rstrip("\n"))
        for cell in code_cells(lines, name)
        for number in range(cell.start, cell.end)
        if len(lines[number].rstrip("\n")) > line_length
    ]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    files = [Path(a).resolve() for a in argv if a != "--check"] or chapter_files()
    problems = 0
    for path in files:
        text = path.read_text()
        name = path.relative_to(ROOT)
        new = formatted_text(text, name=str(name))
        if new != text:
            if check:
                print(f"{name}: its code cells are not formatted (run `make format`)")
                problems += 1
            else:
                path.write_text(new)
                print(f"{name}: formatted")
        for number, line in long_lines(new, name=str(name)):
            print(f"{name}:{number}: {len(line)} > {LINE_LENGTH} characters: {line.strip()[:60]}")
            problems += 1
    return 1 if check and problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
