"""What the pinned environment leaves out on purpose (``requirements.in`` says why)."""

from __future__ import annotations

import subprocess
import sys

#: Every process that imports one of these imports jsonschema's format checkers: the
#: build (MyST-NB reads notebooks with nbformat), the kernels of the chapters with an
#: explorable figure (Altair), and JupyterLab's server (jupyter-events).
IMPORTERS = ("nbformat", "altair", "jupyter_events.validators")


def test_no_iri_parser_is_compiled_on_import():
    """jsonschema 4.25 and later import rfc3987-syntax when it is installed, which
    compiles its Earley parsers (lark) at import: about 2 s in each such process
    on two cores. ``requirements.in`` keeps jsonschema below 4.25."""
    code = (
        f"import sys\nimport {', '.join(IMPORTERS)}\n"
        "print(' '.join(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.strip()
    assert not loaded, (
        f"importing {', '.join(IMPORTERS)} loads {loaded}: a jsonschema of 4.25 or later "
        "with rfc3987-syntax installed, which compiles parsers on every import"
    )
