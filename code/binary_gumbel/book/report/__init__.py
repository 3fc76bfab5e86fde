"""The verifier's results and the symbolic derivations, formatted for the book's pages.

The tables and evidence blocks are built from
:class:`binary_gumbel.verification.claims.ClaimResult` objects, so every verdict shown is
the one the verdict engine computed. LaTeX statements become inline math
(``$...$``) in tables and display math in :func:`evidence_blocks`; free text is
escaped so that Markdown never reads it as markup; the verifier's evidence keeps
its inline math (``ClaimResult.evidence_latex``) and only the prose between is
escaped. The chapters display the results with ``Markdown(...)``, which the book and
JupyterLab render as MyST. In the verdict table each verdict is a badge
(:func:`verdict_badge`): its word, a symbol and a colour class styled by the book's
``_static/badges.css``, so that no verdict is told by colour alone. Evidence blocks
can carry a MyST target (:func:`evidence_anchor`) for a link to each one.
:func:`derivation_latex` lays out the steps of a
:class:`binary_gumbel.verification.symbolic.Derivation` as one aligned display.

The package gathers the names of its modules: :mod:`.results` (the badges, the verdict
table, the evidence blocks, the typo table), :mod:`.evidence` (the Monte Carlo evidence
behind the verdicts) and :mod:`.derivation` (the derivations' LaTeX); the check of their
``results`` is in the private :mod:`._results`.
"""

from binary_gumbel.book.report.derivation import derivation_latex
from binary_gumbel.book.report.evidence import (
    MonteCarloCoverage,
    complementary,
    complementary_pairs,
    distinct_checks,
    distinct_estimates,
    false_alarm_text,
    monte_carlo_coverage,
    proportion_evidence,
)
from binary_gumbel.book.report.results import (
    VERDICT_BADGES,
    evidence_anchor,
    evidence_blocks,
    typo_table,
    verdict_badge,
    verdict_counts,
    verdict_table,
)

__all__ = [
    "VERDICT_BADGES",
    "MonteCarloCoverage",
    "complementary",
    "complementary_pairs",
    "derivation_latex",
    "distinct_checks",
    "distinct_estimates",
    "evidence_anchor",
    "evidence_blocks",
    "false_alarm_text",
    "monte_carlo_coverage",
    "proportion_evidence",
    "typo_table",
    "verdict_badge",
    "verdict_counts",
    "verdict_table",
]
