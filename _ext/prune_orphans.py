"""Keep an incremental build of the site identical to a clean one.

- **Stale images.** Sphinx copies a page's images into ``_images/`` and never
  deletes one: after a re-execution changes a figure (the numerics benchmark,
  for example), the old image stays in the site, and the published site would
  carry stale files. When an HTML build finishes, this extension deletes every
  file of ``_images/`` whose name no HTML page of the output mentions
  (``tests/test_book_build.py`` builds, edits the library, builds again and
  compares with a clean build).
- **Checksums of static files.** Sphinx appends ``?v=<checksum>`` to a page's
  link to a style sheet or script that is already in the output's ``_static/``
  when the page is written. The extensions (MyST-NB, sphinx-proof,
  sphinx-exercise, the book's MathJax) copy theirs only when the build
  finishes, so a clean build links them without a checksum and a rebuild over
  an old output with one. When an HTML build starts writing (Sphinx's
  ``write-started``, just before it copies ``_static/`` again, whole; a build
  with nothing to write never gets there and leaves it alone), this extension
  empties ``_static/``, so that a page is written the same way in either
  (``tests/test_downloads.py`` compares the build that ``make test`` finds with
  a second, clean one).
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = "_images"
STATIC = "_static"


def orphaned_images(outdir: Path) -> list[Path]:
    """The files of ``outdir/_images`` that no ``.html`` file under ``outdir`` names."""
    images = outdir / FOLDER
    if not images.is_dir():
        return []
    pages = "\n".join(p.read_text(encoding="utf-8") for p in outdir.rglob("*.html"))
    return sorted(p for p in images.iterdir() if p.is_file() and p.name not in pages)


def _prune(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for path in orphaned_images(Path(app.outdir)):
        path.unlink()


def _empty_static(app, builder):
    if builder.format == "html":
        shutil.rmtree(Path(app.outdir) / STATIC, ignore_errors=True)


def setup(app):
    # Before any other extension's handler, in case one writes into _static/.
    app.connect("write-started", _empty_static, priority=0)
    app.connect("build-finished", _prune)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
