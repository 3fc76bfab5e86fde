"""Which edition a reader holds: the book's version, build date and licences.

- **Version**: ``[project] version`` of ``pyproject.toml``, the one place it is
  written. Sphinx's ``version`` and ``release`` are set from it.
- **Build date**: the day (UTC) of ``SOURCE_DATE_EPOCH`` when it is set, else of
  the last git commit; never the wall clock, so two builds of one commit give
  the same pages (``tests/test_downloads.py``). Without either (a copy
  of the sources outside git) the date is left out. ``tools/print_pdf.py`` gives
  the PDF's creation and modification dates the same moment (:func:`build_moment`).
- **Licences**: the code is MIT (``LICENSE``), the prose and figures CC BY 4.0
  (``LICENSE-text``).

Every page's footer shows the three (``_templates/book-edition.html``, listed in
``footer_content_items`` in ``_config.yml``). The single-page edition that
``make pdf`` prints opens with them as well (``_templates/layout.html``),
above the printed title and contents, so that the
PDF's first page says which version it is.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import tomllib
from pathlib import Path

from markupsafe import escape

LICENCES = {
    "code": ("MIT", "https://opensource.org/license/mit"),
    "text and figures": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
}


def book_version(root: Path) -> str:
    """The book's version: ``pyproject.toml``'s ``[project] version``."""
    with (root / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def build_moment(root: Path, environ=os.environ) -> datetime.datetime | None:
    """The moment (UTC) of ``SOURCE_DATE_EPOCH`` when it is set, else of the last commit of
    ``root``, else ``None``.

    Raises ``ValueError`` when ``SOURCE_DATE_EPOCH`` is set but is not whole seconds.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC; got {epoch!r}"
            ) from None
    else:
        try:
            run = subprocess.run(
                ["git", "-C", str(root), "log", "-1", "--format=%ct"],
                capture_output=True,
                text=True,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        if not run.stdout.strip():
            return None
        seconds = int(run.stdout)
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)


def build_date(root: Path, environ=os.environ) -> str:
    """``YYYY-MM-DD`` of :func:`build_moment`, or ``""`` when there is none."""
    moment = build_moment(root, environ)
    return moment.date().isoformat() if moment else ""


def edition_html(version: str, date: str) -> str:
    """The line that names the edition and the licences, as HTML."""
    built = f", built {escape(date)}" if date else ""
    licences = "; ".join(
        f'{what}: <a href="{url}">{name}</a>' for what, (name, url) in LICENCES.items()
    )
    return f"Version {escape(version)}{built}. {licences[0].upper()}{licences[1:]}."


def _set_edition(app, config):
    root = Path(app.srcdir)
    version, date = book_version(root), build_date(root)
    config.version = config.release = version
    config.html_context = {**config.html_context, "book_edition": edition_html(version, date)}


def setup(app):
    app.connect("config-inited", _set_edition)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
