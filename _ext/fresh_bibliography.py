"""Re-read the bibliography page whenever any other page is re-read.

sphinxcontrib-bibtex numbers the back-links from the bibliography to each
citation when it reads the page holding the ``{bibliography}`` directive. In an
incremental build that page is not re-read when only a chapter changes, so a
chapter's new citations would link to anchors the old bibliography page lacks.
"""

from __future__ import annotations

from pathlib import Path


def _bibliography_pages(env) -> set[str]:
    return {
        docname
        for docname in env.found_docs
        if "{bibliography}" in Path(env.doc2path(docname)).read_text(encoding="utf-8")
    }


def _outdated(app, env, added, changed, removed):
    if not (added or changed or removed):
        return []
    return sorted(_bibliography_pages(env) - set(added) - set(changed))


def setup(app):
    app.connect("env-get-outdated", _outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
