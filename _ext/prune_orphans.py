"""Remove from the built site every image that no page uses any more.

Sphinx copies a page's images into ``_images/`` and never deletes one: after a
re-execution changes a figure (the numerics benchmark, for example), the old
image stays in the site, so an incremental build would differ from a clean one
and the published site would carry stale files. When an HTML build finishes,
this extension deletes every file of ``_images/`` whose name no HTML page of
the output mentions, so that ``_build/html`` holds what a clean build holds
(``tests/test_book_build.py`` builds, edits the library, builds again and
compares with a clean build).
"""

from __future__ import annotations

from pathlib import Path

FOLDER = "_images"


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


def setup(app):
    app.connect("build-finished", _prune)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
