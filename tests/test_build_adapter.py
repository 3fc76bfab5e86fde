"""The build's one contact with each set of other packages' private parts.

``_ext/myst_nb_adapter.py`` holds every use of MyST-NB's, MyST-Parser's and
jupyter-cache's private parts, ``_ext/sphinx_adapter.py`` every use of Sphinx's,
sphinx-book-theme's, pydata-sphinx-theme's and Jupyter Book's internals. These tests fail,
naming the versions to check, when an upgrade changes one of those packages, and check
that no other extension, and no tool, reaches into them.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import myst_nb_adapter  # noqa: E402
import sphinx_adapter  # noqa: E402

#: What only the adapter may touch: MyST-NB's and MyST-Parser's modules (an import of
#: either), MyST-NB's reader and client factories, its cache client class and the methods
#: the book overrides, its notebook reader, its and MyST-Parser's configuration on the
#: environment, MyST-Parser's table of a page's anchors, and jupyter-cache's database file.
PRIVATE = re.compile(
    r"(?:from|import) (?:myst_nb|myst_parser)\b|create_nb_reader|create_client"
    r"|NotebookClientCache|start_client|eval_variable|read_myst_markdown_notebook"
    r"|mystnb_config|myst_config|myst_slugs|sphinx_\b|global\.db"
)

#: What only the Sphinx adapter may touch: Sphinx's registry (its visitors per builder,
#: its assets policy, but not the public ``set_html_assets_policy``), the HTML builder's
#: math renderer, Sphinx's logging namespace and warning handler, sphinx-book-theme's
#: context key for a notebook download, pydata-sphinx-theme's search index script, and
#: the priorities of ``sphinx.ext.mathjax``'s settings and of the theme's header buttons
#: written as numbers, and Jupyter Book's build function.
SPHINX_PRIVATE = re.compile(
    r"\.registry\b|translation_handlers|(?<!set_)html_assets_policy|math_renderer_name"
    r"|\bNAMESPACE\b|WarningStreamHandler|ipynb_source|[\"']searchindex\.js[\"']"
    r"|priority\s*=\s*50[01]\b|jupyter_book\.sphinx|from jupyter_book import|build_sphinx"
)

#: Each adapter's file, module and guard.
ADAPTERS = {
    "myst_nb_adapter.py": (myst_nb_adapter, PRIVATE),
    "sphinx_adapter.py": (sphinx_adapter, SPHINX_PRIVATE),
}


@pytest.mark.parametrize("name", ADAPTERS)
def test_the_installed_versions_are_the_ones_the_adapter_was_written_for(name):
    adapter, _ = ADAPTERS[name]
    installed = {package: metadata.version(package) for package in adapter.PINNED}
    assert not adapter.version_mismatches(), (
        f"The book's build adapter (_ext/{name}) uses private parts of "
        f"{', '.join(f'{p} {v}' for p, v in adapter.PINNED.items())}; installed: "
        f"{', '.join(f'{p} {v}' for p, v in installed.items())}. Check each of its functions "
        f"against the new versions, then update PINNED."
    )


@pytest.mark.parametrize("name", ADAPTERS)
def test_the_pins_agree_with_requirements(name):
    adapter, _ = ADAPTERS[name]
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for package, version in adapter.PINNED.items():
        assert pins.get(package, "").strip() == version, f"{package}: requirements.txt differs"


def test_the_sphinx_adapter_pins_sphinx_both_themes_and_jupyter_book():
    assert set(sphinx_adapter.PINNED) == {
        "sphinx",
        "sphinx-book-theme",
        "pydata-sphinx-theme",
        "jupyter-book",
    }


@pytest.mark.parametrize("name", ADAPTERS)
def test_every_package_an_adapter_imports_is_pinned(name):
    """The distributions of the modules each adapter imports (outside the standard library
    and the book's own extensions) are among its pins: an adapter cannot start using a
    package its version check misses."""
    tree = ast.parse((ROOT / "_ext" / name).read_text())
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }
    own = {path.stem for path in (ROOT / "_ext").glob("*.py")}
    owners = metadata.packages_distributions()
    third_party = {
        owner.lower().replace("_", "-")
        for module in modules - set(sys.stdlib_module_names) - {"__future__"} - own
        for owner in owners.get(module, [module])
    }
    assert third_party, f"_ext/{name} imports no package of its own pins"
    assert third_party <= set(ADAPTERS[name][0].PINNED), third_party


@pytest.mark.parametrize(
    ("name", "package"), [("myst_nb_adapter.py", "myst-nb"), ("sphinx_adapter.py", "sphinx")]
)
def test_a_changed_version_is_named(monkeypatch, name, package):
    adapter, _ = ADAPTERS[name]
    monkeypatch.setattr(adapter, "PINNED", {package: "0.0.1"})
    (message,) = adapter.version_mismatches()
    assert f"{package} is " in message and "written for 0.0.1" in message
    assert f"_ext/{name} was written" in message


def _private_uses(paths, private: re.Pattern) -> list[str]:
    return [
        f"{path.parent.name}/{path.name}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if private.search(line)
    ]


@pytest.mark.parametrize("name", ADAPTERS)
def test_no_other_extension_or_tool_touches_the_private_parts(name):
    _, private = ADAPTERS[name]
    others = sorted(
        path
        for path in [*(ROOT / "_ext").glob("*.py"), *(ROOT / "tools").glob("*.py")]
        if path.name != name
    )
    assert len(others) > 10
    found = _private_uses(others, private)
    assert not found, f"private use outside _ext/{name}:\n" + "\n".join(found)


#: For each adapter, every use it took over from an extension or a tool.
PLANTED = {
    "myst_nb_adapter.py": [
        "from myst_nb.core.read import read_myst_markdown_notebook",
        "import myst_parser.mdit_to_docutils",
        "config = env.mystnb_config",
        'exists = (cache / "global.db").is_file()',
        "class Client(NotebookClientCache):",
        "    def start_client(self):",
        "    def eval_variable(self, name):",
        'slugs = env.metadata[env.docname]["myst_slugs"]',
        "import myst_nb.sphinx_ as sphinx_parser",
    ],
    "sphinx_adapter.py": [
        "handlers = app.registry.translation_handlers",
        'if app.registry.html_assets_policy != "always":',
        'if app.builder.math_renderer_name != "mathjax":',
        "from sphinx.util.logging import NAMESPACE, WarningStreamHandler",
        "for handler in logging.getLogger(sphinx.util.logging.NAMESPACE).handlers:",
        'context["ipynb_source"] = f"{pagename}.ipynb"',
        "SEARCH_INDEX = '<script src=\"searchindex.js\"></script>'",
        'app.connect("html-page-context", _offer_notebook, priority=500)',
        "app.builder.add_js_file(None, body=body, priority=501)",
        "from jupyter_book.sphinx import build_sphinx",
        "from jupyter_book import sphinx as jb_sphinx",
    ],
}


@pytest.mark.parametrize("name", ADAPTERS)
def test_the_guard_sees_each_private_use(tmp_path, name):
    """Each use the adapter took over from an extension or a tool is caught by the guard."""
    _, private = ADAPTERS[name]
    uses = PLANTED[name]
    path = tmp_path / "extension.py"
    path.write_text("\n".join(uses) + "\n")
    assert len(_private_uses([path], private)) == len(uses)


def test_the_sphinx_guard_lets_the_public_api_and_prose_pass(tmp_path):
    """The guard does not flag the public setter of the assets policy, a docstring that
    names the search index file, or another priority."""
    path = tmp_path / "extension.py"
    path.write_text(
        'app.set_html_assets_policy("always")\n'
        "asks every page for ``searchindex.js``: the page\n"
        'app.connect("write-started", _empty_static, priority=0)\n'
    )
    assert _private_uses([path], SPHINX_PRIVATE) == []
