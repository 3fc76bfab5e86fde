"""The verifier's results formatted for the book's pages: verdict badges and counts, the
verdict table, the evidence blocks and their anchors, and the typo table (the Monte Carlo
evidence behind the verdicts is :mod:`binary_gumbel.book.report.evidence`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from binary_gumbel._validation import check_flag
from binary_gumbel.book.report._results import _check_results
from binary_gumbel.verification.claims import check_claim_id

__all__ = [
    "VERDICT_BADGES",
    "evidence_anchor",
    "evidence_blocks",
    "typo_table",
    "verdict_badge",
    "verdict_counts",
    "verdict_table",
]

#: Each verdict's badge: its CSS class (coloured by ``_static/badges.css``) and its symbol.
#: The badge always shows the verdict's word as well; symbol and colour only add to it.
VERDICT_BADGES: dict[str, tuple[str, str]] = {
    "holds": ("verdict-holds", "✓"),
    "holds in distribution": ("verdict-in-distribution", "≈"),
    "fails": ("verdict-fails", "✗"),
}

_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#~])")


def _text(value: str) -> str:
    """Free text in a table cell: Markdown specials escaped, no line breaks."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _math(latex: str | None) -> str:
    """A LaTeX fragment as inline math, or an em dash when there is none."""
    if not latex:
        return "—"
    if "|" in latex or "$" in latex:
        raise ValueError(f"latex must not contain '|' or '$' inside a table cell; got {latex!r}")
    return "$" + " ".join(latex.split()) + "$"


def _prose(text: str, latex: str = "") -> str:
    """Evidence in a table cell: ``latex`` (prose with inline ``$...$`` math) if given.

    The math passes through as it is, for MathJax to typeset; the prose between is
    escaped as in :func:`_text`, spaces kept. Without ``latex``, ``text`` is escaped whole.
    """
    if not latex:
        return _text(text)
    pieces = " ".join(latex.split()).split("$")
    if len(pieces) % 2 == 0 or "|" in latex:
        raise ValueError(f"latex must hold balanced $...$ math and no '|'; got {latex!r}")
    return "$".join(
        piece if i % 2 else _SPECIAL.sub(r"\\\1", piece) for i, piece in enumerate(pieces)
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def verdict_badge(verdict: str) -> str:
    """A verdict as an inline HTML badge: ``✓ holds``, ``≈ holds in distribution``, ``✗ fails``.

    The badge is ``<span class="verdict verdict-holds">`` around the symbol and the word.
    The symbol is hidden from screen readers, which read the word alone; where the book's
    CSS is absent (a notebook in JupyterLab) the symbol and the word still say it all.
    Raises ``ValueError`` for a verdict the verdict engine does not give.
    """
    if verdict not in VERDICT_BADGES:
        raise ValueError(f"verdict must be one of {sorted(VERDICT_BADGES)}; got {verdict!r}")
    css, symbol = VERDICT_BADGES[verdict]
    return (
        f'<span class="verdict {css}"><span class="verdict-symbol" aria-hidden="true">'
        f"{symbol}</span> {verdict}</span>"
    )


def verdict_counts(results) -> dict[str, int]:
    """How many claims get each verdict, in the order of :data:`VERDICT_BADGES`.

    Every verdict is listed, with 0 when no claim gets it. "holds" covers both the
    identities and the exact laws (such as ``gumbel-difference``), so the claims
    that do not get it are the failures and the statements that hold only in
    distribution, not the claims that are not identities.
    """
    counts = dict.fromkeys(VERDICT_BADGES, 0)
    for r in _check_results(results):
        if r.verdict not in counts:
            raise ValueError(f"results hold an unknown verdict {r.verdict!r} for {r.id!r}")
        counts[r.verdict] += 1
    return counts


def evidence_anchor(claim_id: str) -> str:
    """The anchor (MyST target and HTML id) of a claim's evidence block: ``evidence-step-3``."""
    return f"evidence-{check_claim_id(claim_id, 'claim_id')}"


def verdict_table(results, about: Mapping[str, str] | None = None) -> str:
    """One row per claim: id, what it says, its verdict and the verdict on its correction.

    "What it says" is the statement as written, as inline math; or, when ``about`` maps
    every claim id to a short Markdown description (a phrase, a link to the chapter that
    shows the formula), that description, so that the table fits a text column. Verdicts
    are badges (:func:`verdict_badge`).
    """
    results = _check_results(results)
    if about is not None:
        if not (isinstance(about, Mapping) and all(isinstance(v, str) for v in about.values())):
            raise TypeError("about must map claim ids to strings (Markdown descriptions)")
        missing = [r.id for r in results if r.id not in about]
        if missing:
            raise ValueError(f"about must describe every claim; missing {missing}")
        bad = [k for k, v in about.items() if "|" in v]
        if bad:
            raise ValueError(f"about must hold text without '|' (it would split a cell); see {bad}")
    rows = [
        [
            f"`{r.id}`",
            " ".join(about[r.id].split()) if about is not None else _math(r.statement),
            verdict_badge(r.verdict),
            verdict_badge(r.corrected_verdict) if r.corrected_verdict else "—",
        ]
        for r in results
    ]
    return _table(["claim", "what it says", "verdict", "corrected form"], rows)


def _display(latex: str) -> str:
    """A LaTeX statement as display math, broken into lines where it has parts.

    A ``,\\quad`` between parts and a ``\\ \\text{...}`` gloss after a formula each start
    a new line (``gathered``), so that a statement fits the width of the text column.
    The block is an unnumbered ``equation*`` environment, not ``$$``: JupyterLab
    (jupyterlab-myst) numbers every ``$$`` block, and the book numbers none of these.
    """
    if "$" in latex:
        raise ValueError(f"latex must not contain '$' inside display math; got {latex!r}")
    latex = " ".join(latex.split())
    lines = latex.replace(r",\quad", r", \\").replace(r"\ \text{", r"\\ \text{")
    if lines != latex:
        latex = "\\begin{gathered}" + lines + "\\end{gathered}"
    return "\\begin{equation*}\n" + latex + "\n\\end{equation*}"


def evidence_blocks(results, anchors: bool = False) -> str:
    """One Markdown block per claim: id and verdict, statement as written, evidence, correction.

    The statement and the correction are displayed equations, and the evidence is a
    paragraph of prose with inline math (``ClaimResult.evidence_latex`` if set), so that
    long formulas and long evidence never have to share the width of a table row. With
    ``anchors``, each block starts with the MyST target :func:`evidence_anchor` (a page
    may show a claim's block with its anchor once: labels are unique in the book).
    """
    anchors = check_flag(anchors, "anchors")
    blocks = []
    for r in _check_results(results):
        target = [f"({evidence_anchor(r.id)})="] if anchors else []
        lines = [
            *target,
            f"**`{r.id}`: {_text(r.verdict)}.** As written:",
            "",
            _display(r.statement),
            "",
            "*Evidence.* " + _prose(r.evidence, r.evidence_latex),
        ]
        if r.corrected:
            verdict = f" ({_text(r.corrected_verdict)})" if r.corrected_verdict else ""
            lines += ["", f"*Correction*{verdict}:", "", _display(r.corrected)]
        blocks.append("\n".join(lines))
    return "\n\n---\n\n".join(blocks) + "\n"


def typo_table(results) -> str:
    """The note's typos, read as what was evidently meant (not counted as verdicts)."""
    rows = [
        [f"`{r.id}`", _math(t.as_written), _math(t.read_as), _text(t.reason)]
        for r in _check_results(results)
        for t in r.typos
    ]
    return _table(["claim", "as written", "read as", "why"], rows)
