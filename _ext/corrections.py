"""The book's own errata: the "Corrections" page, rendered from ``corrections.yml``.

Every claim the book changed after publishing it is one entry of
``corrections.yml`` (its header says what each field holds). The directive

    ```{corrections}
    ```

writes one section per entry: where the claim stands (its chapter, linked),
what the book said, what it says now, the computation or test that decided,
and the version that made the change. A wrong entry (a missing field, a page
that is not in the book, an entry for an earlier chapter after one for a later
chapter) is a build warning, so it fails the build;
``tests/test_teaching.py`` checks the same. The page is read again whenever
``corrections.yml`` changes.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from book_pages import MarkdownDirective, link, title, toc_pages
from sphinx.util import logging

logger = logging.getLogger(__name__)

FILE = "corrections.yml"
#: Every field an entry must have, with what it means.
FIELDS = {
    "chapter": "the page, as in _toc.yml",
    "where": "a few words for the heading",
    "said": "the sentence as published",
    "says": "the sentence now",
    "decided_by": "the computation or test that decided",
    "version": "the version that made the correction",
}
OPTIONAL = {"anchor", "solution"}
#: The type of each field's value.
TYPES = {**dict.fromkeys(FIELDS, str), "anchor": str, "solution": bool}
#: What the student edition shows of an entry that corrects a solution or gives one away,
#: in place of its sentences.
WITHHELD = (
    "This correction concerns an exercise's answer, which the student edition leaves out: "
    "the full edition shows its sentences."
)
#: A decimal number as a page prints it and a quote copies it: its sign, thousands
#: separators and a power of ten in superscripts; not inside a word or LaTeX (``$``, ``^{``).
DECIMAL = re.compile(r"(?<![\w.$^{])[−-]?\d[\d,]*\.\d+(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def load(root: Path) -> list[dict]:
    """The entries of ``corrections.yml``, in order (``[]`` for an empty file)."""
    entries = yaml.safe_load((root / FILE).read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{FILE} must hold a list of entries, not {type(entries).__name__}")
    return entries


def quotes(entry: dict) -> list[str]:
    """What ``entry``'s "says" quotes of its page: each part in double quotes, which may
    leave words out with ``[...]``."""
    return re.findall(r'"(.*?)"', entry["says"], re.S)


def problems(entries: list, root: Path) -> list[str]:
    """What is wrong with each entry, one sentence per problem (``[]`` when nothing is)."""
    order = toc_pages(root)
    pages = set(order)
    found = []
    latest = (0, "")  # the position in _toc.yml of the latest chapter seen so far
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            found.append(f"entry {number} is not a mapping of fields")
            continue
        wrong = [
            field
            for field, kind in TYPES.items()
            if entry.get(field) is not None and not isinstance(entry[field], kind)
        ]
        for field in wrong:
            what = "true or false" if TYPES[field] is bool else "text"
            found.append(
                f"entry {number}: '{field}' must be {what}, not a {type(entry[field]).__name__}"
            )
        missing = [
            field
            for field in FIELDS
            if field not in wrong and not str(entry.get(field) or "").strip()
        ]
        if missing:
            found.append(f"entry {number} lacks {', '.join(missing)}")
        unknown = sorted(set(entry) - set(FIELDS) - OPTIONAL)
        if unknown:
            found.append(f"entry {number} has unknown fields {', '.join(unknown)}")
        chapter = None if "chapter" in wrong else entry.get("chapter")
        if chapter and chapter not in pages:
            found.append(f"entry {number} names {chapter!r}, which is not a page of _toc.yml")
        elif chapter:
            if order.index(chapter) < latest[0]:
                found.append(
                    f"entry {number} ({chapter}) comes after an entry for {latest[1]}, a later "
                    "chapter: entries go in the order of the book's chapters"
                )
            latest = max(latest, (order.index(chapter), chapter))
    return found


def markdown(entries: list[dict], root: Path, hide_solutions: bool = False) -> str:
    """The entries as MyST Markdown: one level-two section each.

    With ``hide_solutions`` (the student edition), an entry marked
    ``solution: true`` (it corrects a solution, or a sentence that gave one away)
    keeps its heading and link but not the sentences, which would give the
    solution away.
    """
    if not entries:
        return "The book has changed none of its published claims so far.\n"
    parts = []
    for number, entry in enumerate(entries, start=1):
        page = entry["chapter"]
        name = title(root, page)
        heading = (
            f"## {number}. {name}: {entry['where']}\n\n"
            f"In {link(page, name, entry.get('anchor', ''))}, "
            f"corrected in version {entry['version']}.\n\n"
        )
        if hide_solutions and entry.get("solution"):
            parts.append(f"{heading}{WITHHELD}\n")
            continue
        parts.append(
            f"{heading}"
            f"- **It said:** {entry['said']}\n"
            f"- **It says now:** {entry['says']}\n"
            f"- **Decided by:** {entry['decided_by']}\n"
        )
    return "\n".join(parts)


class Corrections(MarkdownDirective):
    def markdown(self) -> str:
        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / FILE))
        entries = load(root)
        wrong = problems(entries, root)
        for problem in wrong:
            logger.warning(f"{FILE}: {problem}", location=self.get_location())
        hide = bool(getattr(self.config, "hide_solutions", False))
        return "" if wrong else markdown(entries, root, hide_solutions=hide)


def setup(app):
    app.add_directive("corrections", Corrections)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
