"""Which of the book's computed words change with another draw or another machine's last bits.

    python tools/audit_robustness.py [--seeds 5] [--salts 3] [--jobs 2] [PAGE.md ...]

Runs every executed page of the book (or those named) from a fresh kernel, as the build
runs it (``_ext/parallel_execution``), with the build's prose cell, which displays the
value of every ``{eval}`` expression (``_ext/prose_values``); but without the build's
shared results store, so that each kernel computes what its page shows, and with
Matplotlib's non-interactive backend. The runs:

- twice as written;
- with every seed shifted (``k`` = 1 to ``--seeds``) and with the transcendental
  functions' last bits moved (``salt`` = 1 to ``--salts``; ``tools/perturbations.py``);
- once more with the last bits' wrappers installed but nothing moved (``salt`` = 0), when
  ``--salts`` is positive: the wrappers slow every call they wrap, and timings follow.

The first run as written is the reference; a change of words that one of the two
controls (the second run as written, salt 0) shows too is marked as noise. One run of each
control can miss a timing's move, so a word computed from a timing may be listed unmarked.
The report (printed, and written to ``--report``, by default
``_build/audit/robustness.md``) lists:

- every run that stopped at an error: a guard of the chapter's own, such as an exercise
  answer's check of the draw it was written from, or a failure. The exit status is then 1;
- every value and displayed Markdown or HTML output whose words change, numbers aside (a
  verdict, the name of the best method, a sign): a sentence built on it may change its
  sense, so each needs a reader. A computed word that follows the computation is fine; a
  typed one next to it may not be;
- how many values change their numbers only;
- every correction (``corrections.yml``) whose quote of a page holds a decimal number that
  a run other than a shifted seed's changes there: another machine may print another
  number, and the test that each quoted number stands on its page would fail there.

Every run's values, displays and error go to the same name with ``.json``.

A maintainer's check, not part of ``make test``: about 15 minutes on two cores
(``make audit``).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent
sys.path[:0] = [str(TOOLS), str(ROOT / "_ext")]
import corrections  # noqa: E402 - the book's own extensions, from _ext/
import myst_nb_adapter  # noqa: E402
import parallel_execution  # noqa: E402
import prose_values  # noqa: E402
from book_pages import toc_pages  # noqa: E402

REPORT = ROOT / "_build" / "audit" / "robustness.md"
#: Seconds a page may run: five times the build's ``timeout`` (``_config.yml``), since the
#: last bits' wrappers slow every call they wrap.
TIMEOUT = 5 * yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
_SUPERSCRIPT = "[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"
_POWER = r"10\^\{?[-−]?\d+\}?"
#: A number in any form the book prints, not inside a word: a power of ten in
#: LaTeX; or a mantissa (with thousands separators or a decimal point) with its sign and
#: exponent (``e-07``, ``×10⁻⁴``, ``\times 10^{-4}``, or superscripts right after it); or
#: superscripts alone.
NUMBER = re.compile(
    r"(?<!\w)"  # not inside a word: float32 is a word
    rf"(?:(?P<power>{_POWER})"
    r"|(?P<sign>[-−+])?(?P<mantissa>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    rf"(?P<exponent>[eE][-+−]?\d+|\s*(?:×|\\times)\s*(?:{_POWER}|10{_SUPERSCRIPT})"
    rf"|{_SUPERSCRIPT})?"
    rf"|{_SUPERSCRIPT})"
)
AS_WRITTEN, AGAIN, WRAPPED = "as written", "as written again", "last bits 0 (nothing moved)"
#: How the label of a run with shifted seeds starts: another draw, not another machine.
SEEDED = "seeds +"
#: The runs whose changes are noise: they perturb nothing but the timings.
CONTROLS = (AGAIN, WRAPPED)


@dataclass(frozen=True)
class Perturbation:
    """A run's perturbation: ``kind`` one of ``perturbations.KINDS`` (``None`` for a run as
    written) and ``value`` its ``k`` or ``salt``."""

    label: str
    kind: str | None = None
    value: int = 0

    def install_source(self) -> str | None:
        """The cell that installs it in the kernel, before the page's first cell."""
        if self.kind is None:
            return None
        return (
            f"import sys\nsys.path.insert(0, {str(TOOLS)!r})\nimport perturbations\n"
            f"sys.path.pop(0)\nperturbations.install({self.kind!r}, {self.value})"
        )


def perturbations(seeds: int, salts: int) -> list[Perturbation]:
    runs = [Perturbation(AS_WRITTEN), Perturbation(AGAIN)]
    runs += [Perturbation(f"{SEEDED}{k}", "seeds", k) for k in range(1, seeds + 1)]
    if salts:
        runs.append(Perturbation(WRAPPED, "last bits", 0))
    runs += [Perturbation(f"last bits {s}", "last bits", s) for s in range(1, salts + 1)]
    return runs


def _text(output) -> str:
    data = output.get("data", {})
    return data.get("text/markdown", data.get("text/plain", ""))


async def run_page(page: Path, perturbation: Perturbation, env: dict) -> dict:
    """Execute ``page`` under ``perturbation`` until it ends or stops at an error.

    Returns its ``values`` (``{expression: text}``, those computed), ``displays``
    (``{where: text}``, every Markdown or HTML output of the page's own cells) and
    ``error`` (``None``, or where the run stopped, and why).
    """
    notebook = myst_nb_adapter.read_myst_notebook(page.read_text())
    lines = notebook.metadata["source_map"]
    cells = list(zip(notebook.cells, lines, strict=True))
    prose_values.add_prose_cell(notebook, page)
    install = perturbation.install_source()
    if install is not None:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(install))
    error = None
    timed_out = False
    try:
        await parallel_execution.execute_notebook(notebook, page, TIMEOUT, env)
    except Exception as stopped:  # a cell raised, the kernel died, or it timed out
        timed_out = isinstance(stopped, CellTimeoutError)
        last = str(stopped).strip().splitlines()
        error = f"{type(stopped).__name__}: {last[-1] if last else ''}"
    displays = {}
    for cell, line in cells:
        shown = [
            output
            for output in cell.get("outputs", [])
            if output["output_type"] in ("display_data", "execute_result")
        ]
        head = cell.source.splitlines()[0][:40] if cell.source else ""
        for index, output in enumerate(shown):
            for mime in ("text/markdown", "text/html"):
                if mime in output.get("data", {}):
                    where = f"line {line} ({head!r}), output {index + 1}, {mime}"
                    displays[where] = output["data"][mime]
        raised = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if raised:
            # A cell that times out is interrupted: its output says KeyboardInterrupt.
            why = (
                f"timed out after {TIMEOUT} s"
                if timed_out
                else f"{raised[0]['ename']}: {raised[0]['evalue']}"
            )
            error = f"line {line} ({head!r}): {why}"
    if install is not None and any(o["output_type"] == "error" for o in notebook.cells[0].outputs):
        error = f"installing the perturbation: {error}"
    values = {name: _text(output) for name, output in prose_values.prose_values(notebook).items()}
    return {"values": values, "displays": displays, "error": error}


def words(text: str) -> str:
    """``text`` with every number replaced by ``#``: a minus sign stays (a word), but not
    on zero."""

    def replace(number: re.Match) -> str:
        sign = number["sign"] or ""
        if sign == "+" or not (number["mantissa"] or "1").strip("0.,"):
            sign = ""
        return f"{sign}#"

    return NUMBER.sub(replace, text)


def word_change(before: str, after: str, context: int = 3) -> str:
    """Where the words of ``after`` differ from ``before``'s, numbers shown as ``#``, or ""
    when only numbers differ. Line by line: a changed table row is shown whole, as
    "old row → new row"; in a changed line of prose, each changed run of words is shown as
    "… [old → new] …" with ``context`` words on each side; lines added or removed are shown
    with "+" or "−"."""
    a_lines, b_lines = words(before).splitlines(), words(after).splitlines()
    changes = []
    lines = difflib.SequenceMatcher(a=a_lines, b=b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        old, new = a_lines[i1:i2], b_lines[j1:j2]
        if tag == "equal":
            continue
        if len(old) != len(new):
            changes += [f"− {line.strip()}" for line in old] + [f"+ {line.strip()}" for line in new]
            continue
        for a_line, b_line in zip(old, new, strict=True):
            if a_line.lstrip().startswith("|"):
                changes.append(f"{a_line.strip()} → {b_line.strip()}")
                continue
            a, b = a_line.split(), b_line.split()
            matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
            for op, k1, k2, l1, l2 in matcher.get_opcodes():
                if op != "equal":
                    lead, tail = (
                        " ".join(a[max(0, k1 - context) : k1]),
                        " ".join(a[k2 : k2 + context]),
                    )
                    changes.append(f"…{lead} [{' '.join(a[k1:k2])} → {' '.join(b[l1:l2])}] {tail}…")
    return "; ".join(changes)


def compare(runs: dict[str, dict]) -> dict:
    """What changes between the runs of one page (``{label: run_page(...)}``), against the
    run :data:`AS_WRITTEN`. A value or display that a run did not reach (it stopped at an
    error first) is not compared; the run's error says where it stopped. A change of words
    that a control (:data:`CONTROLS`) shows too is marked as noise, and so is a change of
    numbers only."""
    reference = runs[AS_WRITTEN]
    errors = {label: run["error"] for label, run in runs.items() if run["error"]}
    changed, numbers_only, noise = [], 0, 0
    for kind in ("values", "displays"):
        for name, text in reference[kind].items():
            reached = {label: run[kind][name] for label, run in runs.items() if name in run[kind]}
            moved = {label: other for label, other in reached.items() if other != text}
            if not moved:
                continue
            in_words = {
                label: (other if kind == "values" else word_change(text, other))
                for label, other in moved.items()
                if words(other) != words(text)
            }
            if in_words:
                shown = f"`{name}` = {text}" if kind == "values" else f"the display at {name}"
                changed.append((shown, in_words, any(label in CONTROLS for label in in_words)))
            elif kind == "values":
                numbers_only += 1
                noise += any(label in CONTROLS for label in moved)
        for label, run in runs.items():
            extra = sorted(set(run[kind]) - set(reference[kind]))
            if extra:
                changed.append((f"{kind} the reference lacks", {label: ", ".join(extra)}, False))
            missing = sorted(set(reference[kind]) - set(run[kind]))
            if missing and not run["error"]:
                changed.append(
                    (f"{kind} missing from a finished run", {label: ", ".join(missing)}, False)
                )
    return {
        "errors": errors,
        "words": changed,
        "numbers_only": numbers_only,
        "noise": noise,
        "values": len(reference["values"]),
    }


def _decimals(text: str) -> set[str]:
    """The decimal numbers of ``text`` as a correction's test finds them, without their
    sign (that test finds ``0.71`` in ``−0.71``)."""
    return {number.lstrip("−-") for number in corrections.DECIMAL.findall(text)}


def moved_numbers(runs: dict[str, dict]) -> dict[str, str]:
    """The decimal numbers (unsigned) of every value or display of the reference run in
    which a run other than a shifted seed's (another machine's last bits, or a timing) moves
    a number, each with the name of the first such value or display. All of its numbers are
    listed, not only those that moved in these runs: another machine can move them too (an
    interval's ends moved there when only its mean moved here). A value whose words change,
    numbers and signs aside, is left to "Words that change", which lists it: it may drop a
    number that it names and does not compute (a parameter)."""
    reference, moved = runs[AS_WRITTEN], {}
    for kind in ("values", "displays"):
        for name, text in reference[kind].items():
            for label, run in runs.items():
                other = run[kind].get(name)
                if label.startswith(SEEDED) or other is None or other == text:
                    continue
                if NUMBER.sub("#", other) == NUMBER.sub("#", text):
                    for number in sorted(_decimals(text)):
                        moved.setdefault(number, name)
    return moved


def quoted_moving_numbers(entries: list[dict], moved: dict[str, dict[str, str]]) -> list[str]:
    """Each number that a correction's quote of its page holds and that may move on that
    page (``moved``: :func:`moved_numbers` by page, named as the audit names it,
    ``chapters/x.md``), once per correction, as "page, where: number (in name)"."""
    found = []
    for entry in entries:
        page = moved.get(f"{entry['chapter']}.md", {})
        quoted = sorted(set().union(*map(_decimals, corrections.quotes(entry))))
        found += [
            f"{entry['chapter']}, {entry['where']}: {number} (in `{page[number]}`)"
            for number in quoted
            if number in page
        ]
    return found


def report(results: dict[str, dict], labels: list[str], quoted: Sequence[str] = ()) -> str:
    lines = ["# Robustness audit", "", f"{len(results)} pages; runs: {', '.join(labels)}."]
    lines += ["", "## Runs that stopped at an error", ""]
    stopped = [
        f"- {page}, {label}: {error}"
        for page, result in results.items()
        for label, error in result["errors"].items()
    ]
    lines += stopped or ["None."]
    lines += ["", "## Words that change", ""]
    if not any(result["words"] for result in results.values()):
        lines += ["None.", ""]
    for page, result in results.items():
        if result["words"]:
            lines.append(f"### {page}")
            for name, changes, noisy in result["words"]:
                lines.append(f"- {name}{' (a control changes it too: noise)' if noisy else ''}:")
                lines += [f"  - {label}: {change}" for label, change in changes.items()]
            lines.append("")
    lines += ["## Numbers only", ""]
    lines += [
        f"- {page}: {r['numbers_only']} of {r['values']} values ({r['noise']} in a control too)"
        for page, r in results.items()
    ]
    lines += ["", "## Corrections that quote a number another machine may move", ""]
    lines += [f"- {line}" for line in quoted] or ["None."]
    return "\n".join(lines) + "\n"


def executed_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` that hold code cells, in reading order."""
    pages = [root / f"{page}.md" for page in toc_pages(root)]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


async def _run_all(jobs: list[tuple[Path, Perturbation]], cores: int, env: dict) -> list[dict]:
    slots = asyncio.Semaphore(cores)

    async def one(page, perturbation):
        async with slots:
            return await run_page(page, perturbation, env)

    return await asyncio.gather(*(one(*job) for job in jobs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to run (default: every one)")
    parser.add_argument("--seeds", type=int, default=5, help="seed shifts k = 1 ... SEEDS")
    parser.add_argument("--salts", type=int, default=3, help="last-bit salts 1 ... SALTS")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    parser.add_argument(
        "--report", type=Path, default=REPORT, help="default: _build/audit/robustness.md"
    )
    args = parser.parse_args(argv)
    for name, least in (("seeds", 0), ("salts", 0), ("jobs", 1)):
        if getattr(args, name) < least:
            parser.error(f"--{name} must be at least {least}")
    pages = [page.resolve() for page in args.pages] or executed_pages()
    missing = [str(page) for page in pages if not page.is_file()]
    if missing:
        parser.error(f"no such page: {', '.join(missing)}")
    runs = perturbations(args.seeds, args.salts)
    # Without the build's results store, every kernel computes what the page shows.
    env = {k: v for k, v in os.environ.items() if k != "BINARY_GUMBEL_RESULTS_CACHE"}
    env["MPLBACKEND"] = "agg"
    jobs = [(page, run) for page in pages for run in runs]
    # A thread of its own gives the kernels an event loop even if the caller runs one
    # (Playwright's synchronous API does, in a test session).
    with ThreadPoolExecutor(1) as thread:
        outcomes = thread.submit(asyncio.run, _run_all(jobs, args.jobs, env)).result()
    by_page: dict[str, dict] = {}
    for (page, run), outcome in zip(jobs, outcomes, strict=True):
        name = str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)
        by_page.setdefault(name, {})[run.label] = outcome
    results = {page: compare(page_runs) for page, page_runs in by_page.items()}
    moved = {page: moved_numbers(page_runs) for page, page_runs in by_page.items()}
    quoted = quoted_moving_numbers(corrections.load(ROOT), moved)
    text = report(results, [run.label for run in runs], quoted)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    runs_file = args.report.with_suffix(".json")
    runs_file.write_text(json.dumps(by_page, indent=1, ensure_ascii=False))
    print(f"{text}\n(Written to {args.report}; every run's outcome to {runs_file}.)")
    return 1 if any(result["errors"] for result in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
