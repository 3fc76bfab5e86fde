"""``python -m binary_gumbel.verify [--json]``: the computed verdict on every claim of the note.

Prints one block per claim (id and verdict, then the claim, evidence, correction and
typos, wrapped to :data:`WIDTH` columns), or with ``--json``
the record ``{"claims": [{"id", "statement", "verdict", "evidence", "corrected",
"corrected_verdict", "typos"}, ...]}``. Exit status 0 when every check reached a
verdict, 2 when a check could not run (its error is reported in place of a verdict).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap

from binary_gumbel.verification.claims import ClaimResult
from binary_gumbel.verification.derivation import CLAIM_IDS, verify_claim

__all__ = ["format_table", "main", "run"]

WIDTH = 100
_LABEL = 12
# Spaces around an operator do not break a line (wrapped as no-break spaces, then restored).
_OPERATOR = re.compile(r" ([=+−<>≤≥→·~⇔]) ")
EXIT_OK, EXIT_COULD_NOT_RUN = 0, 2


def run() -> list[tuple[str, ClaimResult | Exception]]:
    """Every claim id with its :class:`ClaimResult`, or the exception that stopped its check."""
    results: list[tuple[str, ClaimResult | Exception]] = []
    for claim_id in CLAIM_IDS:
        try:
            results.append((claim_id, verify_claim(claim_id)))
        except Exception as error:  # report the failed check, keep checking the others
            results.append((claim_id, error))
    return results


def _record(claim_id: str, result: ClaimResult | Exception) -> dict:
    if isinstance(result, ClaimResult):
        return result.to_json()
    return {
        "id": claim_id, "statement": None, "verdict": None,
        "evidence": {"summary": _error(result), "latex": "", "checks": [], "correction_checks": []},
        "corrected": None, "corrected_verdict": None, "typos": [],
    }  # fmt: skip


def _error(error: Exception) -> str:
    return f"could not run: {type(error).__name__}: {error}"


def _fields(result: ClaimResult | Exception) -> list[tuple[str, str]]:
    if not isinstance(result, ClaimResult):
        return [("error", _error(result))]
    fields = [("claim", result.text), ("evidence", result.evidence)]
    if result.corrected is not None:
        fields.append(("corrected", f"{result.corrected_text}: {result.corrected_verdict}"))
    fields += [("typo", f"{t.text}. {t.reason}") for t in result.typos]
    return fields


def format_table(results) -> str:
    """One block per claim: a rule with the id and verdict, then labelled, wrapped fields.

    A header first counts the claims by verdict, and those whose check could not run.
    """
    blocks = []
    for claim_id, result in results:
        verdict = result.verdict if isinstance(result, ClaimResult) else "COULD NOT RUN"
        lines = [f"{claim_id} {'─' * (WIDTH - len(claim_id) - len(verdict) - 2)} {verdict}"]
        for label, text in _fields(result):
            glued = _OPERATOR.sub("\u00a0\\1\u00a0", text)
            wrapped = textwrap.wrap(glued, WIDTH - _LABEL - 2) or [""]
            lines += [f"  {(label if i == 0 else '').ljust(_LABEL)}{line.replace(chr(160), ' ')}"
                      for i, line in enumerate(wrapped)]  # fmt: skip
        blocks.append("\n".join(lines))
    verdicts = [r.verdict for _, r in results if isinstance(r, ClaimResult)]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in dict.fromkeys(sorted(verdicts)))
    failed = len(results) - len(verdicts)
    if failed:
        counts += f"{', ' if counts else ''}{failed} could not run"
    header = f"{len(results)} claims of the note, checked by computation: {counts}."
    return "\n\n".join([header, *blocks])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m binary_gumbel.verify",
        description="Check every claim and derivation line of the note by computation.",
        epilog=(
            "Each claim gets a computed verdict, with its evidence, its corrected statement "
            "and any typos. Exit status: 0 when every check reached a verdict, 2 when a "
            "check could not run (its error is printed in place of the verdict)."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    args = parser.parse_args(argv)
    results = run()
    if args.json:
        print(json.dumps({"claims": [_record(*item) for item in results]}, indent=2))
    else:
        print(format_table(results))
    complete = all(isinstance(result, ClaimResult) for _, result in results)
    return EXIT_OK if complete else EXIT_COULD_NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
