"""The strings of the hard concrete chapter's sampler checks: the fractions of exact zeros
and ones against the claimed masses, the smallest KS p-value of the interior, and the
false-alarm rates, per check and family-wise, of a list of
:func:`~binary_gumbel.verification.sampler_checks.check_sampler` results."""

from __future__ import annotations

from dataclasses import dataclass

from binary_gumbel.book.prose.numbers import compact, rate_text
from binary_gumbel.verification import montecarlo

__all__ = ["SamplerChecksText", "sampler_checks_text"]


@dataclass(frozen=True)
class SamplerChecksText:
    """The numbers of a list of sampler checks (``verification.sampler_checks``), formatted."""

    n: str
    logits: str
    taus: str
    zero_fractions: str
    zero_claimed: str
    one_fractions: str
    one_claimed: str
    ks_min_pvalue: str
    all_consistent: str  # "every check is consistent", or "a check fails"
    false_alarm: str  # per check
    familywise: str  # the Bonferroni bound over all the checks


def sampler_checks_text(checks) -> SamplerChecksText:
    """The numbers of :func:`~binary_gumbel.verification.sampler_checks.check_sampler`, formatted.

    Lists are comma-separated.

    ``false_alarm`` is the rate of each check, one rate for all of them (``ValueError``
    otherwise); ``familywise`` bounds the rate at which any of the ``3 len(checks)`` checks
    fails on a correct sampler (Bonferroni, at most 1:
    :func:`~binary_gumbel.verification.montecarlo.family_wise`).
    """
    checks = list(checks)
    if not checks:
        raise ValueError("checks must hold at least one SamplerChecks")
    rates = {r.false_alarm for c in checks for r in (c.zeros, c.ones, c.interior)}
    if len(rates) > 1:
        raise ValueError(f"checks must share one false_alarm rate; got {sorted(rates)}")
    (rate,) = rates
    count = 3 * len(checks)

    def join(values, fmt):
        return ", ".join(format(v, fmt) for v in values)

    return SamplerChecksText(
        n=f"{checks[0].zeros.n:,}",
        logits=join(dict.fromkeys(c.logit for c in checks), "g"),
        taus=join((c.tau for c in checks), ".2g"),
        zero_fractions=join((c.zeros.estimate for c in checks), ".4f"),
        zero_claimed=join((c.zeros.expected for c in checks), ".4f"),
        one_fractions=join((c.ones.estimate for c in checks), ".4f"),
        one_claimed=join((c.ones.expected for c in checks), ".4f"),
        ks_min_pvalue=compact(min(c.interior.pvalue for c in checks)),
        all_consistent=(
            "every check is consistent" if all(c.consistent for c in checks) else "a check fails"
        ),
        false_alarm=rate_text(rate),
        familywise=(
            f"{count} checks, at most {rate_text(montecarlo.family_wise(rate, count))} family-wise"
        ),
    )
