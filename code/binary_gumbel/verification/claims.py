"""The record of one claim's computed verdict, with its evidence, correction and typos."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from binary_gumbel.verification.engine import Check
from binary_gumbel.verification.engine.verdicts import check_verdict
from binary_gumbel.verification.note import CLAIM_TEXT

__all__ = ["CLAIM_ID", "ClaimResult", "Typo", "check_claim_id"]

#: A claim id: lower-case words (letters and digits) joined by ``-``, such as ``step-3``.
#: Reports print it in a table cell and build an HTML anchor from it, so nothing else may appear.
CLAIM_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def check_claim_id(claim_id, name: str = "id") -> str:
    """``claim_id`` if it matches :data:`CLAIM_ID`; otherwise ``TypeError`` or ``ValueError``,
    naming ``name``."""
    if not isinstance(claim_id, str):
        raise TypeError(f"{name} must be a string; got {type(claim_id).__name__}")
    if not CLAIM_ID.fullmatch(claim_id):
        raise ValueError(f"{name} must be lower-case words joined by '-'; got {claim_id!r}")
    return claim_id


@dataclass(frozen=True)
class Typo:
    """A typo of the note (or its transcription), read as what was evidently meant; no verdict."""

    as_written: str
    read_as: str
    reason: str
    #: ``as written → read as`` in plain text, for terminals.
    text: str = ""


@dataclass(frozen=True)
class ClaimResult:
    """The computed verdict on one claim of the note, with evidence and correction."""

    id: str
    statement: str
    verdict: str
    evidence: str
    checks: tuple[Check, ...]
    corrected: str | None = None
    corrected_verdict: str | None = None
    corrected_checks: tuple[Check, ...] = ()
    typos: tuple[Typo, ...] = field(default=())
    corrected_text: str | None = None
    #: ``evidence`` with its math in LaTeX: prose with inline ``$...$``, no ``|``.
    evidence_latex: str = ""

    def __post_init__(self):
        """Refuse, by field name, a field the reports could not print: a text that is not a
        string, an ``id`` that is not :data:`CLAIM_ID` (a ``|`` split the verdict table's row),
        a verdict the engine does not give, checks or typos of another kind.

        The ``id`` need not be one of the note's claims (:attr:`text` names one that is not).
        """
        texts = {"id": self.id, "statement": self.statement, "evidence": self.evidence,
                 "evidence_latex": self.evidence_latex}  # fmt: skip
        optional = {"corrected": self.corrected, "corrected_text": self.corrected_text}
        for name, value in [*texts.items(), *optional.items()]:
            if not isinstance(value, str) and not (name in optional and value is None):
                kind = "a string or None" if name in optional else "a string"
                raise TypeError(f"{name} must be {kind}; got {value!r}")
        check_claim_id(self.id)
        check_verdict(self.verdict)
        if self.corrected_verdict is not None:
            check_verdict(self.corrected_verdict, "corrected_verdict")
        for name, items, kind in (("checks", self.checks, Check),
                                  ("corrected_checks", self.corrected_checks, Check),
                                  ("typos", self.typos, Typo)):  # fmt: skip
            if not (isinstance(items, tuple) and all(isinstance(i, kind) for i in items)):
                raise TypeError(f"{name} must be a tuple of {kind.__name__}; got {items!r}")

    @property
    def text(self) -> str:
        """The claim in plain text, for terminals; ``ValueError`` for an ``id`` the note lacks."""
        if self.id not in CLAIM_TEXT:
            raise ValueError(
                f"id must be one of the note's claims ({', '.join(CLAIM_TEXT)}) to have a text; "
                f"got {self.id!r}"
            )
        return CLAIM_TEXT[self.id]

    def to_json(self) -> dict:
        """The JSON record of ``python -m binary_gumbel.verify --json``."""

        def checks(items):
            return [
                {"name": c.name, "verdict": c.verdict, "method": c.method,
                 "summary": c.summary, "summary_latex": c.summary_latex, "data": c.data}
                for c in items
            ]  # fmt: skip

        return {
            "id": self.id,
            "statement": self.statement,
            "verdict": self.verdict,
            "evidence": {
                "summary": self.evidence,
                "latex": self.evidence_latex,
                "checks": checks(self.checks),
                "correction_checks": checks(self.corrected_checks),
            },
            "corrected": self.corrected,
            "corrected_verdict": self.corrected_verdict,
            "typos": [vars(t) for t in self.typos],
        }
