"""Two clean builds of one commit give the same site, byte for byte.

The book is built a second time from the same sources with an empty execution
cache, so every chapter is executed again in fresh kernels, and every file is
compared with the first build (`make book`'s `_build/html`). Only what a page
shows of a wall-clock measurement may differ: the benchmark of the numerics
chapter and the time per step of the VAE training chapter (their pages, their
notebook downloads, their figures, and the search index that holds their text),
and the instructors' page, which shows each chapter's execution time in this
build.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.book

#: Pages that show wall-clock timings, and the files that carry their text.
WALL_CLOCK = {
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
def second_build(html_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("second")
    cache = out / "jupyter_cache"
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_edition.py"), "html", str(out / "html")]
        + ["--cache", str(cache)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"second build failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "executing" in run.stdout, "the second build did not execute the chapters again"
    return out / "html"


def test_two_clean_builds_are_identical(html_dir, second_build):
    first, second = _files(html_dir), _files(second_build)
    timed = {
        name
        for page in WALL_CLOCK
        if page.endswith(".html")
        for name in _images_of(html_dir / page) | _images_of(second_build / page)
    }
    allowed = WALL_CLOCK | {name.removeprefix("../") for name in timed}
    only = (first.keys() ^ second.keys()) - allowed
    assert not only, f"files in one build only: {sorted(only)[:10]}"
    different = [
        name
        for name in sorted(first.keys() & second.keys())
        if name not in allowed and not filecmp.cmp(first[name], second[name], shallow=False)
    ]
    assert not different, f"two builds of one commit differ in {different[:10]}"
