"""The check the report's modules share: their ``results`` are ClaimResult objects."""

from __future__ import annotations

from binary_gumbel.verification.claims import ClaimResult


def _check_results(results) -> list:
    """``results`` as a non-empty list of ClaimResult objects; ``TypeError`` or ``ValueError``
    naming ``results`` otherwise."""
    results = list(results)
    if not results:
        raise ValueError("results must hold at least one ClaimResult")
    wrong = [type(r).__name__ for r in results if not isinstance(r, ClaimResult)]
    if wrong:
        raise TypeError(
            "results must hold ClaimResult objects (binary_gumbel.verification.claims); "
            f"got {wrong[0]}"
        )
    return results
