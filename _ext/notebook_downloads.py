"""Offer every chapter as a notebook, and keep solutions out of the student edition.

The book theme's download menu lists a page's ``.ipynb`` only when a launch
service (Binder, Colab, ...) is configured, which this book has none of. This
extension writes each chapter's executed notebook, written by MyST-NB, next to
its source in ``_sources/`` and tells the theme about it, so every chapter page
offers both its ``.ipynb`` and its MyST ``.md``. The notebook is written as
``prose_values.for_download`` gives it: stable cell ids (two builds give the
same file) and the prose's numbers saved where jupyterlab-myst reads them.
Its first cell says what a reader installs to run it (``INSTALL``).

When ``hide_solutions`` is on (sphinx-exercise's option, set by
``make book-student``), the pages already lack the solutions; this extension
also removes every ``{solution}`` block from the downloadable ``.md`` and
``.ipynb`` files, and every hidden code cell tagged ``solution-only`` (a cell
that computes what only the solutions quote; ``tests/test_student_edition.py`` checks
that the tag is on exactly those cells), so that a student's copy carries the
exercises only, and still runs from the top.
"""

from __future__ import annotations

import re
from pathlib import Path

import myst_nb_adapter
import nbformat
import prose_values
import sphinx_adapter

# A fenced MyST directive, ```{solution} or :::{solution}, up to its closing fence.
SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*(?:\n|\Z)", re.M | re.S
)

#: The tag of a code cell that computes only what the solutions quote.
SOLUTION_ONLY = "solution-only"
# A MyST code cell whose tags include it, up to its closing fence.
SOLUTION_CELL = re.compile(
    r"^(?P<fence>`{3,})\{code-cell\}[^\n]*\n:tags: \[[^\]\n]*\b"
    + SOLUTION_ONLY
    + r"\b[^\]\n]*\]\n.*?^(?P=fence)[ \t]*(?:\n|\Z)",
    re.M | re.S,
)


#: The first cell of every downloaded notebook: what to install to run it.
INSTALL = (
    "To run this notebook, install the book's library with the extra its chapters "
    'need, from a clone of the book\'s repository: `pip install ".[chapters]"` '
    "(NumPy, SciPy, SymPy, Matplotlib, Altair and scikit-learn come with it). Then run the "
    "notebook from the top, in any folder."
)


def with_install_note(notebook):
    """``notebook`` with ``INSTALL`` as its first (markdown) cell."""
    cell = nbformat.v4.new_markdown_cell(INSTALL)
    cell.id = "install"
    notebook.cells.insert(0, cell)
    return notebook


def strip_solutions(markdown: str) -> str:
    """``markdown`` without its ``{solution}`` blocks and ``solution-only`` code cells
    (and the blank line after each)."""
    return re.sub(r"\n{3,}", "\n\n", SOLUTION_CELL.sub("", SOLUTION_BLOCK.sub("", markdown)))


def _offer_notebook(app, pagename, templatename, context, doctree):
    if app.builder.name != "html" or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(myst_nb_adapter.nb_config(app.env).output_folder) / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = prose_values.for_download(nbformat.read(executed, as_version=4))
    nbformat.write(with_install_note(notebook), target)
    sphinx_adapter.offer_notebook(context, f"{pagename}.ipynb")


def _strip_downloads(app, exception):
    if exception is not None or not app.config.hide_solutions:
        return
    sources = Path(app.outdir) / "_sources"
    for path in sources.rglob("*.md"):
        path.write_text(strip_solutions(path.read_text(encoding="utf-8")), encoding="utf-8")
    for path in sources.rglob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [
            cell
            for cell in notebook.cells
            if SOLUTION_ONLY not in cell.get("metadata", {}).get("tags", [])
        ]
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = strip_solutions(cell.source)
                prose_values.keep_shown_values(cell)
        nbformat.write(notebook, path)


def setup(app):
    app.setup_extension("sphinx_exercise")  # defines hide_solutions
    app.setup_extension("myst_nb_adapter")
    app.setup_extension("sphinx_adapter")
    # Before the theme builds its header buttons.
    app.connect(
        "html-page-context", _offer_notebook, priority=sphinx_adapter.HEADER_BUTTONS_PRIORITY - 1
    )
    app.connect("build-finished", _strip_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
