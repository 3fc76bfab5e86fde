"""Every place where the build reaches into Sphinx's, its themes' or Jupyter Book's internals.

Why this exists: a few things the book needs have no public API in Sphinx,
sphinx-book-theme, pydata-sphinx-theme or Jupyter Book, so the extensions and the
tools rely on parts of them that may change in any release:

- Sphinx (its registry, the HTML builder and its logging):

  - :func:`inherit_visitors`, the node visitors registered per builder
    (``app.registry.translation_handlers``): ``single_page`` gives the single-page
    builder the ``html`` visitors that sphinx-exercise's ``singlehtml`` ones hide;
  - :func:`loads_mathjax` and ``MATHJAX_CONFIG_PRIORITY``, ``sphinx.ext.mathjax``'s
    decision whether a page loads MathJax (``app.builder.math_renderer_name``,
    ``app.registry.html_assets_policy``) and the priority of the page's
    ``window.MathJax`` settings: ``offline_mathjax`` adds its script to exactly
    those pages, after the settings;
  - :func:`filter_warnings`, Sphinx's warning handlers (``sphinx.util.logging``'s
    ``NAMESPACE`` and ``WarningStreamHandler``): ``explorable_figures`` drops one
    MyST-NB warning before Sphinx counts it.

- sphinx-book-theme: :func:`offer_notebook` and ``HEADER_BUTTONS_PRIORITY``, the
  context key by which its download menu lists a page's notebook and the priority
  of the handler that reads it: ``notebook_downloads``.
- Jupyter Book: :func:`build_with_jupyter_book`, the function behind ``jupyter-book
  build`` (``jupyter_book.sphinx.build_sphinx``, which Jupyter Book 1 documents only
  through its command line): ``tools/build_edition.py`` builds the other editions
  with it, reading ``_config.yml`` and ``_toc.yml`` as ``make book`` does.
- pydata-sphinx-theme: ``SEARCH_INDEX_TAG``, the tag by which its layout loads the
  search index on every page: ``single_page`` removes it from the single page.
  Two templates rely on its internals too, and cannot call this module:
  ``_templates/layout.html`` overrides its layout's block ``docs_body`` (which
  sphinx-book-theme's layout overrides in turn), and ``_templates/navbar-logo.html``
  includes its ``components/navbar-logo.html``. The pin covers them, and
  ``tests/test_sphinx_adapter.py`` checks that the installed themes have both.

They are all here, so that an upgrade breaks one file (``tests/test_build_adapter.py``
checks that no other extension or tool names them). ``PINNED`` names the versions
this adapter was written against; when an installed version differs, the build
warns (and ``-W`` makes that an error) and ``tests/test_build_adapter.py`` fails,
both naming the pins to check. After checking each function below (and the two
templates) against the new version, update ``PINNED`` (and the pins in
``requirements.txt``). :func:`mismatches` and :func:`warn_on_version_change` are
shared with ``myst_nb_adapter``, which guards MyST-NB's private parts the same way.
"""

from __future__ import annotations

import logging
from importlib import metadata

#: The versions of the packages whose internals this adapter uses.
PINNED = {
    "sphinx": "7.4.7",
    "sphinx-book-theme": "1.3.0",
    "pydata-sphinx-theme": "0.17.1",
    "jupyter-book": "1.0.4.post1",
}

#: The priority at which ``sphinx.ext.mathjax`` adds a page's ``window.MathJax`` settings
#: (``add_js_file``'s default): a script with a higher one comes after them.
MATHJAX_CONFIG_PRIORITY = 500

#: The priority of sphinx-book-theme's ``html-page-context`` handler that builds a page's
#: header buttons, its download menu among them, from the page's context.
HEADER_BUTTONS_PRIORITY = 501

#: The tag by which pydata-sphinx-theme's layout loads the search index (on a page at the
#: site's root).
SEARCH_INDEX_TAG = '<script src="searchindex.js"></script>'


def mismatches(pinned: dict[str, str], adapter: str) -> list[str]:
    """A sentence for each package of ``pinned`` whose installed version differs, naming
    the package, both versions and ``adapter``, the file written for ``pinned``."""
    found = []
    for package, version in pinned.items():
        installed = metadata.version(package)
        if installed != version:
            found.append(
                f"{package} is {installed}, but {adapter} was written for "
                f"{version}: check the adapter's functions against it, then update PINNED"
            )
    return found


def version_mismatches() -> list[str]:
    """A sentence for each package of ``PINNED`` whose installed version differs."""
    return mismatches(PINNED, "_ext/sphinx_adapter.py")


def warn_on_version_change(version_check):
    """A ``config-inited`` handler that warns (an error with ``-W``) with each sentence
    ``version_check()`` returns."""

    def warn(app, config) -> None:
        from sphinx.util import logging as sphinx_logging

        for message in version_check():
            sphinx_logging.getLogger(__name__).warning(message)

    return warn


def inherit_visitors(app, builder: str, fallback: str) -> None:
    """Register for ``builder`` each node visitor that extensions registered for
    ``fallback`` and not for ``builder`` itself.

    Sphinx looks a builder's visitors up under its name, and under its format
    (``fallback``) only when no extension registered any visitor for that name.
    """
    handlers = app.registry.translation_handlers
    for node, visitors in handlers.get(fallback, {}).items():
        handlers.setdefault(builder, {}).setdefault(node, visitors)


def loads_mathjax(app, pagename: str) -> bool:
    """Whether ``sphinx.ext.mathjax`` loads MathJax on ``pagename``: an HTML builder whose
    math renderer is MathJax, and either a page with equations or the assets policy
    ``always`` (``app.set_html_assets_policy``)."""
    if app.builder.format != "html" or app.builder.math_renderer_name != "mathjax":
        return False
    if app.registry.html_assets_policy == "always":
        return True
    return app.env.get_domain("math").has_equations(pagename)


def filter_warnings(kind: type[logging.Filter]) -> None:
    """Put a ``kind()`` first on each of Sphinx's warning handlers that has none yet, so
    that a warning it rejects is neither shown nor counted (``-W`` does not fail on it).

    Call it once Sphinx has set up its logging (``builder-inited``).
    """
    from sphinx.util.logging import NAMESPACE, WarningStreamHandler

    for handler in logging.getLogger(NAMESPACE).handlers:
        if isinstance(handler, WarningStreamHandler) and not any(
            isinstance(f, kind) for f in handler.filters
        ):
            handler.filters.insert(0, kind())


def offer_notebook(context: dict, filename: str) -> None:
    """List ``_sources/<filename>`` in the page's download menu.

    sphinx-book-theme lists the notebook named in the context's ``ipynb_source``
    (which it sets itself only for launch buttons); call this from an
    ``html-page-context`` handler whose priority is below ``HEADER_BUTTONS_PRIORITY``.
    """
    context["ipynb_source"] = filename


def build_with_jupyter_book(root, outdir, config, overrides: dict, builder: str) -> int:
    """Build the book at ``root`` into ``outdir`` with Sphinx's ``builder``, as ``jupyter-book
    build`` does: ``config`` (its ``_config.yml``) turned into Sphinx's configuration, then
    ``overrides`` applied; a warning is an error, and all of them are reported (``-W
    --keep-going``). Sphinx's status, 0 on success; 1 when Sphinx raised (Jupyter Book
    reports the exception and returns it instead of a status)."""
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        root,
        outdir,
        noconfig=True,
        path_config=config,
        confoverrides=overrides,
        builder=builder,
        warningiserror=True,
        keep_going=True,
    )
    return result if isinstance(result, int) else 1


def setup(app):
    app.connect("config-inited", warn_on_version_change(version_mismatches))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
