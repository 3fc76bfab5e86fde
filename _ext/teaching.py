"""The instructors' page, built from each chapter's front matter.

Every chapter's jupytext header holds a ``teaching`` block::

    teaching:
      objectives:            # what a student can do after the chapter
        - ...
      prerequisites:
        chapters: [chapters/categorical]   # earlier pages of _toc.yml
        knowledge:                         # from outside the book
          - ...
      exercises:             # every {exercise} label of the chapter
        ex-cat-weights: easy # easy, medium or hard

The directive

    ```{teaching-chapters}
    ```

writes an overview table and one section per chapter, in reading order: the
length of its prose in words (:func:`prose_words`), its objectives, prerequisites
(linked), exercises with their difficulty (each linked, by its label, to the
exercise; the chapters number exercises across the book, so the page gives no
number of its own), and the seconds the chapter took
to execute from a fresh kernel, read from the execution cache's newest record
for it when the book is built (``tools/timings.py``). The page is read again at
every build, but a chapter the build did not execute again keeps the time of
its last execution. :func:`problems` says what a chapter's block lacks or gets
wrong: the directive warns of each (so the build fails) and writes nothing, and
``tests/test_teaching.py`` fails on any, naming the chapter and the field.
"""

from __future__ import annotations

import re
from pathlib import Path

import myst_nb_adapter
from book_pages import (
    MarkdownDirective,
    body,
    chapters,
    exercise_labels,
    front_matter,
    link,
    title,
    toc_pages,
    tool,
)
from sphinx.util import logging

logger = logging.getLogger(__name__)

DIFFICULTIES = ("easy", "medium", "hard")

#: What :func:`prose_words` leaves out: code cells and other fenced blocks with their
#: options, display and inline math, directive options (``:label: ...``) and the front
#: matter of a figure's cell.
_NOT_PROSE = re.compile(
    r"^(`{3,})\{code-cell\}[\s\S]*?^\1$"  # a code cell
    r"|\$\$[\s\S]*?\$\$"  # display math
    r"|\\begin\{(\w+\*?)\}[\s\S]*?\\end\{\2\}"  # an equation environment
    r"|\$[^$\n]+\$"  # inline math
    r"|^:\w[\w-]*:.*$"  # a directive's option
    r"|^`{3,}.*$",  # a fence line
    re.M,
)
#: What counts as one word: a computed value (``{eval}`name```), a role's target, inline
#: code, and a link's target is dropped (its text stays).
_ONE_WORD = re.compile(r"\{[\w:-]+\}`[^`\n]*`|`[^`\n]+`")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def prose_words(root: Path, page: str) -> int:
    """How many words of prose ``page`` has, solutions included: its source below the
    front matter without code cells (and so without the figures' captions, which are
    cell metadata), math, directive options or link targets. A word is a
    run of letters (with apostrophes and hyphens); a computed value (``{eval}`name```), a
    cross-reference or a stretch of inline code counts as one."""
    text = _NOT_PROSE.sub(" ", body(root, page))
    text = _ONE_WORD.sub(" word ", _LINK_TARGET.sub("]", text))
    return len(_WORD.findall(text))


def block(root: Path, page: str) -> dict:
    """The ``teaching`` block of ``page``'s front matter (``{}`` when it has none)."""
    found = front_matter(root, page).get("teaching")
    return found if isinstance(found, dict) else {}


def _sentences(value) -> bool:
    """Whether ``value`` is a list of non-empty strings."""
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def problems(root: Path, page: str, pages: list[str]) -> list[str]:
    """What ``page``'s ``teaching`` block lacks or gets wrong; ``pages`` is the reading order.

    A field of the wrong type (a list for a mapping, text for a list) is one problem,
    named, and what depends on it is not checked further.
    """
    where = f"{page}.md, front matter"
    teaching = front_matter(root, page).get("teaching")
    if not teaching:
        return [f"{where}: no 'teaching' block (objectives, prerequisites, exercises)"]
    if not isinstance(teaching, dict):
        return [
            f"{where}: 'teaching' must be a mapping of objectives, prerequisites and "
            f"exercises, not a {type(teaching).__name__}"
        ]
    found = []
    objectives = teaching.get("objectives")
    if not objectives or not _sentences(objectives):
        found.append(f"{where}: 'objectives' must be a non-empty list of sentences")
    prerequisites = teaching.get("prerequisites")
    if not isinstance(prerequisites, dict) or not {"chapters", "knowledge"} <= set(prerequisites):
        found.append(f"{where}: 'prerequisites' must have 'chapters' and 'knowledge' lists")
    else:
        for field, what in (("chapters", "earlier pages"), ("knowledge", "sentences")):
            if not _sentences(prerequisites[field] or []):
                found.append(
                    f"{where}: 'prerequisites: {field}' must be a list of {what}, not "
                    f"{type(prerequisites[field]).__name__} {prerequisites[field]!r}"
                )
        earlier = pages[: pages.index(page)] if page in pages else []
        chapters_needed = prerequisites["chapters"] or []
        for chapter in chapters_needed if _sentences(chapters_needed) else []:
            if chapter not in earlier:
                found.append(f"{where}: prerequisite {chapter!r} is not an earlier page")
    difficulty = teaching.get("exercises") or {}
    if not isinstance(difficulty, dict):
        found.append(
            f"{where}: 'exercises' must map each exercise's label to its difficulty "
            f"(exercises: {{ex-label: easy}}), not a {type(difficulty).__name__}"
        )
        return found
    labels = exercise_labels(root, page)
    for label in labels:
        if difficulty.get(label) not in DIFFICULTIES:
            found.append(
                f"{where}: exercise {label or '(unlabelled)'!r} needs a difficulty, "
                f"one of {', '.join(DIFFICULTIES)} (exercises: {{{label}: ...}})"
            )
    for label in sorted(set(difficulty) - set(labels)):
        found.append(f"{where}: 'exercises' names {label!r}, which is no exercise of the page")
    return found


def seconds_text(seconds: float | None) -> str:
    return "not measured yet" if seconds is None else f"{seconds:.1f} s"


def _exercise_counts(exercises: dict) -> str:
    counts = [f"{list(exercises.values()).count(d)} {d}" for d in DIFFICULTIES]
    return ", ".join(count for count in counts if not count.startswith("0 ")) or "none"


def markdown(root: Path, pages: list[str], seconds: dict[str, float]) -> str:
    """The overview table and one section per chapter, as MyST Markdown."""
    titles = {page: title(root, page) for page in pages}
    rows = [
        "| Chapter | Prose | Executes in | Exercises | Earlier chapters it builds on |",
        "|---|---|---|---|---|",
    ]
    sections = []
    for page in pages:
        teaching = block(root, page)
        prerequisites = teaching.get("prerequisites") or {}
        needs = [link(p, titles.get(p, p)) for p in prerequisites.get("chapters") or []]
        exercises = teaching.get("exercises") or {}
        time = seconds_text(seconds.get(page))
        rows.append(
            f"| {link(page, titles[page])} | {prose_words(root, page):,} words | {time} "
            f"| {_exercise_counts(exercises)} "
            f"| {', '.join(needs) or 'none'} |"
        )
        objectives = "\n".join(f"- {o}" for o in teaching.get("objectives") or [])
        knowledge = "; ".join(prerequisites.get("knowledge") or []) or "nothing more"
        listed = "\n".join(
            f"- {link(page, f'`{label}`', label) if label else 'an unlabelled exercise'}: "
            f"{exercises.get(label, '?')}"
            for label in exercise_labels(root, page)
        )
        ran = (
            "has no execution time in the cache yet"
            if page not in seconds
            else f"executed in {time} from a fresh kernel when it last ran"
        )
        sections.append(
            f"### {titles[page]}\n\n"
            f"{link(page, 'The chapter')} {ran}.\n\n"
            f"**After it, a student can:**\n\n{objectives}\n\n"
            f"**It builds on** {', '.join(needs) or 'no earlier chapter'}, "
            f"and from outside the book: {knowledge}.\n\n"
            f"**Exercises** (by label, in the chapter's order):\n\n{listed or '- none'}\n"
        )
    measured = [seconds[page] for page in pages if page in seconds]
    if not measured:
        total = "No chapter has an execution time in the cache yet."
    else:
        which = "All" if len(measured) == len(pages) else f"The {len(measured)} measured"
        total = (
            f"{which} chapters take {sum(measured):.1f} s of kernel time one after "
            "another (the book's build runs them in parallel)."
        )
    return (
        "## The chapters at a glance\n\n"
        + "\n".join(rows)
        + f"\n\n{total}\n\n## Chapter by chapter\n\n"
        + "\n".join(sections)
    )


class TeachingChapters(MarkdownDirective):
    def markdown(self) -> str:
        root = Path(self.env.srcdir)
        # The execution times change at every build, and so may any chapter.
        self.env.note_reread()
        order = toc_pages(root)
        wrong = [problem for page in chapters(root) for problem in problems(root, page, order)]
        for problem in wrong:
            logger.warning(problem, location=self.get_location())
        if wrong:
            return ""
        cache = Path(myst_nb_adapter.nb_config(self.env).execution_cache_path)
        timings = tool(root, "timings")
        seconds = timings.page_seconds(cache, root) if myst_nb_adapter.cache_exists(cache) else {}
        return markdown(root, chapters(root), seconds)


def setup(app):
    app.setup_extension("myst_nb_adapter")
    app.add_directive("teaching-chapters", TeachingChapters)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
