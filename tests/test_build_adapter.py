"""The build's one contact with MyST-NB's, MyST-Parser's and jupyter-cache's private parts.

``_ext/myst_nb_adapter.py`` holds every use of them. These tests fail, naming the
versions to check, when an upgrade changes one of those packages, and check that no
other extension reaches into them.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import myst_nb_adapter  # noqa: E402

#: What only the adapter may touch: MyST-NB's reader and client factories, its cache
#: client class, and MyST-Parser's table of a page's anchors.
PRIVATE = re.compile(r"create_nb_reader|create_client|NotebookClientCache|myst_slugs|sphinx_\b")


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


def test_no_other_extension_touches_the_private_parts():
    others = sorted(
        path for path in (ROOT / "_ext").glob("*.py") if path.name != "myst_nb_adapter.py"
    )
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in others
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert not found, "private MyST-NB/MyST-Parser use outside the adapter:\n" + "\n".join(found)
