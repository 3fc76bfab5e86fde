"""What each page costs to execute: the seconds recorded in the execution cache.

    python tools/timings.py [--cache _build/.jupyter_cache] [--budget 15]

Prints one line per executed page, in reading order, with the seconds its
notebook took to run from a fresh kernel when it was last executed, then the
total. A page over the per-chapter budget is marked. `make book` prints this at
the end, and `make timings` prints it on its own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
import myst_nb_adapter  # noqa: E402 - the book's own extensions, from _ext/
from book_pages import toc_pages  # noqa: E402

CACHE = ROOT / "_build" / ".jupyter_cache"
#: Seconds a chapter may take to execute (README, "Writing a chapter").
BUDGET = 15.0


def page_seconds(cache_path: Path, root: Path = ROOT) -> dict[str, float]:
    """``{page: seconds}`` of the newest cache record of each page's notebook."""
    newest: dict[str, tuple] = {}
    for record in get_cache(str(cache_path)).list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        path = Path(record.uri)
        if seconds is None or not path.is_relative_to(root):
            continue
        page = path.relative_to(root).with_suffix("").as_posix()
        if page not in newest or record.created > newest[page][0]:
            newest[page] = (record.created, float(seconds))
    return {page: seconds for page, (_, seconds) in newest.items()}


def report(seconds: dict[str, float], pages: list[str], budget: float = BUDGET) -> str:
    """The table: one line per page with a time, then the total."""
    width = max([len(page) for page in pages if page in seconds] + [len("total")])
    lines = ["Execution time per page (fresh kernel, from the execution cache):"]
    for page in pages:
        if page in seconds:
            flag = f"  over the {budget:g} s budget" if seconds[page] > budget else ""
            lines.append(f"  {page:<{width}}  {seconds[page]:6.1f} s{flag}")
    total = sum(seconds[page] for page in pages if page in seconds)
    lines.append(f"  {'total':<{width}}  {total:6.1f} s (kernel time; pages run in parallel)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--budget", type=float, default=BUDGET, help="seconds per chapter")
    args = parser.parse_args(argv)
    if not myst_nb_adapter.cache_exists(args.cache):
        print(f"No execution cache in {args.cache}: run 'make book' first.")
        return 1
    print(report(page_seconds(args.cache), toc_pages(ROOT), args.budget))
    return 0


if __name__ == "__main__":
    sys.exit(main())
