"""Every place where the book's build and tools reach into MyST-NB, MyST-Parser or jupyter-cache.

Why this exists: the book shows computed numbers in its prose with
``{eval}`name```, which JupyterLab evaluates in the kernel, and it executes its
chapters once, in parallel, into a shared execution cache. MyST-NB evaluates
``{eval}`` only in its ``inline`` execution mode, which has no cache, and it
has no public hook to execute notebooks before Sphinx reads them. So
``prose_values`` and ``parallel_execution`` need MyST-NB's notebook reader,
its configuration and its cache client (``tools/audit_robustness.py`` its
MyST notebook reader), ``notebook_downloads`` and ``teaching`` its
configuration, ``teaching`` and ``tools/timings.py`` the name of
jupyter-cache's database file, and ``anchor_links`` and ``citations`` need
MyST-Parser's table of a page's anchors. None of these is a public API.

They are all here, behind the functions below, so that an upgrade breaks one
file (``tests/test_build_adapter.py`` checks that no other extension or tool
names them). jupyter-cache's public API (``get_cache`` and the cache's methods)
is used directly.
``PINNED`` names the versions this adapter was written against; when an
installed version differs, the build warns (and ``-W`` makes that an error) and
``tests/test_build_adapter.py`` fails, both naming the pins to check. After
checking each function below against the new version, update ``PINNED`` (and
the pins in ``requirements.txt``). The version check is the one of
``sphinx_adapter``, which guards Sphinx's and the themes' internals the same way.
"""

from __future__ import annotations

from pathlib import Path

import sphinx_adapter

#: The versions of the packages whose private parts this adapter uses.
PINNED = {"myst-nb": "1.4.0", "myst-parser": "3.0.1", "jupyter-cache": "1.0.1"}


def version_mismatches() -> list[str]:
    """A sentence for each package of ``PINNED`` whose installed version differs."""
    return sphinx_adapter.mismatches(PINNED, "_ext/myst_nb_adapter.py")


def nb_config(env):
    """MyST-NB's configuration of the build (``execution_mode``, ``execution_cache_path``,
    ``execution_timeout``, ``output_folder``, ...), which it keeps on the environment."""
    return env.mystnb_config


def cache_exists(path) -> bool:
    """Whether jupyter-cache has a cache at ``path`` (``get_cache`` creates one there on its
    first use)."""
    return (Path(path) / "global.db").is_file()


def read_myst_notebook(text: str):
    """The MyST Markdown notebook ``text``, as MyST-NB reads it by default, with the line of
    each cell in ``metadata.source_map``."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(text, add_source_map=True)


def read_notebook(env, path, text: str):
    """``path``'s notebook as MyST-NB reads it (``None`` if it is not a MyST notebook)."""
    import myst_nb.sphinx_ as sphinx_parser
    from myst_nb.core.read import is_myst_markdown_notebook

    if not is_myst_markdown_notebook(text):
        return None
    reader = sphinx_parser.create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
    return reader.read(text)


def route_notebooks(transform, evaluate) -> None:
    """Pass every notebook MyST-NB reads through ``transform(notebook, path)``, and let its
    cached execution evaluate ``{eval}`name``` as ``evaluate(notebook, name)`` (idempotent).

    ``evaluate`` gets the executed notebook and returns the outputs to show. MyST-NB's
    cache client replaces its notebook by a merged copy that holds the outputs, while
    the notebook MyST-NB writes to ``jupyter_execute/`` (and this book offers for
    download) is the one it read, without them: the merged cells are put back into
    that notebook, so that the written file is the executed one.
    """
    import myst_nb.sphinx_ as sphinx_parser
    from myst_nb.core.execute.cache import NotebookClientCache

    if getattr(sphinx_parser, "_book_adapter_routed", False):
        return
    create_nb_reader = sphinx_parser.create_nb_reader
    create_client = sphinx_parser.create_client

    class BookNotebookClientCache(NotebookClientCache):
        def start_client(self):
            read = self.notebook
            super().start_client()
            if self.notebook is not read:
                read.cells = self.notebook.cells
                read.metadata = self.notebook.metadata

        def eval_variable(self, name: str):
            return evaluate(self.notebook, name)

    def reader(path, *args, **kwargs):
        found = create_nb_reader(path, *args, **kwargs)
        if found is not None:
            read = found.read
            found = found.__class__(
                lambda text: transform(read(text), path), found.md_config, found.read_fmt
            )
        return found

    def client(*args, **kwargs):
        made = create_client(*args, **kwargs)
        if type(made) is NotebookClientCache:
            made.__class__ = BookNotebookClientCache
        return made

    sphinx_parser.create_nb_reader = reader
    sphinx_parser.create_client = client
    sphinx_parser._book_adapter_routed = True


def add_anchor(env, name: str, title: str) -> None:
    """Tell MyST-Parser that the page being read has an anchor ``name`` (link text ``title``),
    so that ``[text](page.md#name)`` resolves (and a link to an unknown anchor still warns)."""
    slugs = env.metadata[env.docname].setdefault("myst_slugs", {})
    slugs.setdefault(name, (0, name, title))


def setup(app):
    app.connect("config-inited", sphinx_adapter.warn_on_version_change(version_mismatches))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
