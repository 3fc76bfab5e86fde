"""Build another edition of the book from the same sources and configuration.

    python tools/build_edition.py student _build/student/html
    python tools/build_edition.py print _build/pdf/singlehtml

``student`` is the HTML book without the exercise solutions (sphinx-exercise's
``hide_solutions``); ``print`` is the whole book on a single HTML page, which
``tools/print_pdf.py`` turns into the PDF; ``html`` is the book as ``make book``
builds it (the reproducibility test builds it again with ``--cache`` pointing at
a cache that holds only the downloads' runs in a new environment). All read
``_config.yml`` and ``_toc.yml`` exactly as ``jupyter-book build`` does, with a
few settings overridden, and by default reuse the execution cache of ``make
book`` (``_build/.jupyter_cache``), so that no chapter runs twice and every
edition shows the same outputs. Like ``make book``, a warning fails the build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import sphinx_adapter  # noqa: E402 - the book's own extension, from _ext/

CACHE = ROOT / "_build" / ".jupyter_cache"
#: The book's title, as ``_config.yml`` gives it.
TITLE = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]

# edition: (Sphinx builder, settings overriding _config.yml)
EDITIONS: dict[str, tuple[str, dict[str, object]]] = {
    "html": ("html", {}),
    "student": ("html", {"hide_solutions": True, "html_title": f"{TITLE} (student edition)"}),
    # The whole book with its solutions (printed open: see _static/print.css and
    # tools/print_pdf.py); tests/test_pdf.py expects every solution in the PDF.
    "print": ("singlehtml", {}),
}


def build(edition: str, outdir: Path, cache: Path = CACHE) -> int:
    """Build ``edition`` into ``outdir``; return Sphinx's status (0 on success)."""
    builder, settings = EDITIONS[edition]
    overrides = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        "nb_execution_cache_path": cache.resolve().as_posix(),
        **settings,
    }
    return sphinx_adapter.build_with_jupyter_book(
        ROOT, outdir.resolve(), ROOT / "_config.yml", overrides, builder
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=sorted(EDITIONS))
    parser.add_argument("outdir", type=Path)
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help="execution cache (default: that of make book)"
    )
    args = parser.parse_args(argv)
    return build(args.edition, args.outdir, args.cache)


if __name__ == "__main__":
    sys.exit(main())
