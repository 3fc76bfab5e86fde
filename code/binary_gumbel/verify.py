"""``python -m binary_gumbel.verify [--json]``: the computed verdict on every claim of the note.

Prints a table (id, claim, verdict, evidence, correction), or with ``--json``
the record ``{"claims": [{"id", "statement", "verdict", "evidence", "corrected",
"corrected_verdict", "typos"}, ...]}``. Exit status 0 when every check reached a
verdict, 2 when a check could not run (its error is reported in place of a verdict).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from binary_gumbel.derivation import CLAIM_IDS, ClaimResult, verify_claim

__all__ = ["format_table", "main", "run"]

_COLUMNS = (("id", 17), ("claim", 30), ("verdict", 21), ("evidence", 56), ("correction", 28))
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
        "evidence": {"summary": _error(result), "checks": [], "correction_checks": []},
        "corrected": None, "corrected_verdict": None, "typos": [],
    }  # fmt: skip


def _error(error: Exception) -> str:
    return f"could not run: {type(error).__name__}: {error}"


def _row(claim_id: str, result: ClaimResult | Exception) -> list[str]:
    if not isinstance(result, ClaimResult):
        return [claim_id, "-", "COULD NOT RUN", _error(result), "-"]
    correction = "-"
    if result.corrected is not None:
        correction = f"{result.corrected_text}  [{result.corrected_verdict}]"
    typos = "".join(f" [typo read as meant: {t.as_written} → {t.read_as}]" for t in result.typos)
    return [claim_id, result.text + typos, result.verdict, result.evidence, correction]


def format_table(results) -> str:
    """A plain-text table, each cell wrapped to its column width."""
    widths = [w for _, w in _COLUMNS]
    rule = "+".join("-" * (w + 2) for w in widths)
    lines = [" | ".join(name.ljust(w) for name, w in _COLUMNS), rule]
    for claim_id, result in results:
        cells = [textwrap.wrap(c, w, break_long_words=True) or [""] for c, w in
                 zip(_row(claim_id, result), widths, strict=True)]  # fmt: skip
        for i in range(max(map(len, cells))):
            parts = [
                (c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)
            ]
            lines.append(" | ".join(parts).rstrip())
        lines.append(rule)
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m binary_gumbel.verify",
        description="Check every claim and derivation line of the note by computation.",
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
