"""The strings a chapter shows, formatted from the library's results, as named fields.

Every formatter returns a string, a Markdown table, or a frozen dataclass whose fields a
chapter reads by name (``ks.p0``): a record is not iterable, so it cannot be unpacked by
position, and reordering its fields cannot swap two numbers in the prose. One module per
subject (``numbers``, ``estimators``, ``sampler_checks``, ``sparsity``, ``gate_failures``);
this package gathers them, so that a chapter calls ``prose.ks_text(...)`` after
``from binary_gumbel.book import prose``.
"""

from binary_gumbel.book.prose.estimators import (
    DriftText,
    FinalText,
    HeldOutText,
    KSText,
    SavingAtText,
    SavingText,
    direction_text,
    drift_text,
    final_comparison_text,
    final_text,
    held_out_text,
    ks_text,
    reinmax_table,
    saving_at_text,
    saving_text,
    statistics_table,
    study_markdown,
    variance_table,
)
from binary_gumbel.book.prose.gate_failures import (
    FailureText,
    SwitchingText,
    failure_table,
    failure_text,
    switching_text,
)
from binary_gumbel.book.prose.numbers import (
    bracketed,
    compact,
    joined,
    number,
    percent,
    rate_text,
    scientific,
)
from binary_gumbel.book.prose.sampler_checks import SamplerChecksText, sampler_checks_text
from binary_gumbel.book.prose.sparsity import (
    ComparisonText,
    GapBelowText,
    ProblemText,
    SweepText,
    bonferroni_text,
    gap_below_text,
    interval_text,
    problem_text,
    shown_intervals,
    subset_comparison_text,
    summary_table,
    sweep_text,
)

__all__ = [
    "HeldOutText",
    "held_out_text",
    "FailureText",
    "failure_table",
    "failure_text",
    "ComparisonText",
    "DriftText",
    "FinalText",
    "GapBelowText",
    "KSText",
    "ProblemText",
    "SamplerChecksText",
    "SavingAtText",
    "SavingText",
    "SweepText",
    "bonferroni_text",
    "bracketed",
    "compact",
    "direction_text",
    "drift_text",
    "final_comparison_text",
    "final_text",
    "gap_below_text",
    "interval_text",
    "joined",
    "ks_text",
    "number",
    "percent",
    "problem_text",
    "rate_text",
    "reinmax_table",
    "sampler_checks_text",
    "saving_at_text",
    "saving_text",
    "scientific",
    "shown_intervals",
    "statistics_table",
    "study_markdown",
    "subset_comparison_text",
    "summary_table",
    "sweep_text",
    "switching_text",
    "SwitchingText",
    "variance_table",
]
