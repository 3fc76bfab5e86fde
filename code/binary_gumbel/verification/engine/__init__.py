"""The verdict engine: decide, by computation, whether a statement holds.

Three verdicts, always returned with evidence:

* ``holds``: an identity (SymPy reduces ``lhs - rhs`` to 0), or a true
  distributional statement (a CDF or a probability equals the claimed one);
* ``holds in distribution``: two random expressions differ as functions of
  their noise but have the same law (their CDFs agree identically);
* ``fails``: a counterexample at exact rational parameter values.

Random symbols carry a law (:data:`LAWS`, a fixed table). One module per job: the verdict
words and evidence text (``verdicts``), the random symbols (``random_symbols``), exact
comparison (``exact``) and laws and limits (``laws``); this package gathers them. Binary
relaxations are reduced to the canonical form ``x = sigma((a + b Z) / tau)`` with
``Z ~ Logistic(0, 1)`` (Maddison, Mnih & Teh 2016, arXiv:1611.00712); from it follow the CDF
``sigma((tau logit(x) - a) / |b|)`` and ``P(lim_{tau -> 0} x = 1) = P(a + b Z > 0) = sigma(a/|b|)``.
"""

from binary_gumbel.verification.engine.exact import (
    UNIT_INTERVAL,
    ExactComparison,
    as_expression,
    canonical_log,
    check_identity,
    compare_exactly,
    exact_value,
    first_point,
    is_zero,
    logit_of,
    sample_points,
)
from binary_gumbel.verification.engine.laws import (
    BinaryForm,
    Z,
    binary_form,
    cdf_of,
    check_cdf,
    check_limit_probability,
    check_line,
    check_same_law,
    limit_probability,
    noise_of,
)
from binary_gumbel.verification.engine.random_symbols import LAWS, X1, X2, Law
from binary_gumbel.verification.engine.verdicts import (
    FAILS,
    HOLDS,
    HOLDS_IN_DISTRIBUTION,
    RANK,
    Check,
    Phrase,
    UnsupportedStatement,
    capitalised,
    combine,
    formula,
    point_phrase,
    say,
)

__all__ = [
    "BinaryForm",
    "Check",
    "ExactComparison",
    "FAILS",
    "HOLDS",
    "HOLDS_IN_DISTRIBUTION",
    "LAWS",
    "Law",
    "Phrase",
    "RANK",
    "UNIT_INTERVAL",
    "UnsupportedStatement",
    "X1",
    "X2",
    "Z",
    "as_expression",
    "binary_form",
    "canonical_log",
    "capitalised",
    "cdf_of",
    "check_cdf",
    "check_identity",
    "check_limit_probability",
    "check_line",
    "check_same_law",
    "combine",
    "compare_exactly",
    "exact_value",
    "first_point",
    "formula",
    "is_zero",
    "limit_probability",
    "logit_of",
    "noise_of",
    "point_phrase",
    "sample_points",
    "say",
]
