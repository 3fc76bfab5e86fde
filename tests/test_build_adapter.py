"""The build's one contact with MyST-NB's, MyST-Parser's and jupyter-cache's private parts.

``_ext/myst_nb_adapter.py`` holds every use of them. These tests fail, naming the
versions to check, when an upgrade changes one of those packages, and check that no
other extension, and no tool, reaches into them.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import myst_nb_adapter  # noqa: E402

#: What only the adapter may touch: MyST-NB's and MyST-Parser's modules (an import of
#: either), MyST-NB's reader and client factories, its cache client class and the methods
#: the book overrides, its notebook reader, its and MyST-Parser's configuration on the
#: environment, MyST-Parser's table of a page's anchors, and jupyter-cache's database file.
PRIVATE = re.compile(
    r"(?:from|import) (?:myst_nb|myst_parser)\b|create_nb_reader|create_client"
    r"|NotebookClientCache|start_client|eval_variable|read_myst_markdown_notebook"
    r"|mystnb_config|myst_config|myst_slugs|sphinx_\b|global\.db"
)


def test_the_installed_versions_are_the_ones_the_adapter_was_written_for():
    installed = {package: metadata.version(package) for package in myst_nb_adapter.PINNED}
    assert not myst_nb_adapter.version_mismatches(), (
        f"The book's build adapter (_ext/myst_nb_adapter.py) uses private parts of "
        f"{', '.join(f'{p} {v}' for p, v in myst_nb_adapter.PINNED.items())}; installed: "
        f"{', '.join(f'{p} {v}' for p, v in installed.items())}. Check each of its functions "
        f"against the new versions, then update PINNED."
    )


def test_the_pins_agree_with_requirements():
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for package, version in myst_nb_adapter.PINNED.items():
        assert pins.get(package, "").strip() == version, f"{package}: requirements.txt differs"


def test_a_changed_version_is_named(monkeypatch):
    monkeypatch.setattr(myst_nb_adapter, "PINNED", {"myst-nb": "0.0.1"})
    (message,) = myst_nb_adapter.version_mismatches()
    assert "myst-nb is " in message and "written for 0.0.1" in message


def _private_uses(paths) -> list[str]:
    return [
        f"{path.parent.name}/{path.name}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE.search(line)
    ]


def test_no_other_extension_or_tool_touches_the_private_parts():
    others = sorted(
        path
        for path in [*(ROOT / "_ext").glob("*.py"), *(ROOT / "tools").glob("*.py")]
        if path.name != "myst_nb_adapter.py"
    )
    assert len(others) > 10
    found = _private_uses(others)
    assert not found, "private MyST-NB/MyST-Parser use outside the adapter:\n" + "\n".join(found)


def test_the_guard_sees_each_private_use(tmp_path):
    """Each use the adapter took over from an extension or a tool is caught by the guard."""
    uses = [
        "from myst_nb.core.read import read_myst_markdown_notebook",
        "import myst_parser.mdit_to_docutils",
        "config = env.mystnb_config",
        'exists = (cache / "global.db").is_file()',
        "class Client(NotebookClientCache):",
        "    def start_client(self):",
        "    def eval_variable(self, name):",
        'slugs = env.metadata[env.docname]["myst_slugs"]',
        "import myst_nb.sphinx_ as sphinx_parser",
    ]
    path = tmp_path / "extension.py"
    path.write_text("\n".join(uses) + "\n")
    assert len(_private_uses([path])) == len(uses)
