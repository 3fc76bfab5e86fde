"""The note's claims and derivation lines as SymPy objects, and their computed verdicts.

The note ("Gumbel Softmax Estimation for Binary Random Variables") is encoded as
written; its typos (of the note or of its transcription) are read as what was
evidently meant and listed. Each claim has a stable id and is decided by the verdict engine
(:mod:`binary_gumbel.verification.engine`), with Monte Carlo confirmations
(:mod:`binary_gumbel.verification.derivation_montecarlo`). Every failure gets a correction,
decided by the same engine.

References: Jang, Gu & Poole (2016), arXiv:1611.01144; Maddison, Mnih & Teh
(2016), arXiv:1611.00712.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from binary_gumbel.categorical import gumbel_softmax
from binary_gumbel.verification import engine, results_cache
from binary_gumbel.verification.claims import ClaimResult, Typo
from binary_gumbel.verification.derivation_montecarlo import (
    LIMIT_TAU,
    N_KS,
    N_PROPORTION,
    SEED,
    ks_confirmation,
    law_confirmation,
    library_limit_confirmation,
    limit_confirmation,
    proportion_confirmation,
    sample_expression,
)
from binary_gumbel.verification.engine import (
    FAILS,
    HOLDS,
    Check,
    Phrase,
    combine,
    formula,
    say,
)
from binary_gumbel.verification.note import (
    CORRECTED_EQ1_DISPLAY,
    CORRECTED_EQ2_DISPLAY,
    CORRECTED_STEP4_DISPLAY,
    DEFINITION,
    DEFINITION_UNNORMALISED,
    EQ1,
    EQ2,
    LIMIT_EVENT,
    STEPS,
    display,
    noise_logit,
)
from binary_gumbel.verification.printing import plain
from binary_gumbel.verification.symbolic import (
    Sigmoid,
    alpha1,
    alpha2,
    gumbel_max_probability,
    logistic_cdf,
    logistic_inverse_cdf,
    mu1,
    mu2,
    p,
    tau,
    tau_limits,
    u,
    z,
)

__all__ = [
    "CLAIM_IDS",
    "verify_all",
    "verify_claim",
]


def _confirmed(checks: list[Check]) -> tuple[Check, ...]:
    """Refuse a result whose Monte Carlo confirmation contradicts the exact computation."""
    for check in checks:
        if check.data.get("agrees_with_exact") is False:
            raise RuntimeError(f"Monte Carlo contradicts the exact result: {check.summary}")
    return tuple(checks)


def _reason(checks) -> Phrase:
    """The evidence: the first failing check, else every deciding check, then the first
    Monte Carlo confirmation."""
    deciding = [c for c in checks if c.verdict is not None]
    failing = [c for c in deciding if c.verdict == FAILS]
    confirmations = [c for c in checks if "agrees_with_exact" in c.data]
    chosen = list(dict.fromkeys(c.phrase for c in failing[:1] or deciding))
    return _sentences(*chosen, *(c.phrase for c in confirmations[:1]))


def _sentences(*phrases: Phrase) -> Phrase:
    return Phrase(" ".join(q.plain for q in phrases), " ".join(q.latex for q in phrases))


def _result(claim_id, statement, checks, **fields) -> ClaimResult:
    """A :class:`ClaimResult` whose verdict and evidence come from ``checks``."""
    evidence = fields.pop("evidence", None) or _reason(checks)
    return ClaimResult(
        claim_id, statement, combine(checks), evidence.plain, _confirmed(checks),
        evidence_latex=evidence.latex, **fields,
    )  # fmt: skip


def _binary_claim(claim_id, statement, expr, definition, claimed, corrected_display, typos=()):
    """Eq. (1)/(2): ``expr`` is the two-class Gumbel-softmax in law, with the claimed limit."""
    point = engine.first_point(expr, claimed)
    labels = (f"Eq. ({claim_id[-1]})", "the two-class Gumbel-softmax")
    law_name, two_class = "law vs the two-class Gumbel-softmax", labels[1] + "'s CDF"
    law = engine.check_same_law(expr, definition, law_name, labels)
    checks = [
        engine.check_limit_probability(expr, claimed, "P(lim x = 1)"),
        law,
        limit_confirmation("Monte Carlo: P(lim x = 1)", expr, claimed, point),
        law_confirmation(
            "Monte Carlo: law", expr, definition, point, law.verdict != FAILS, two_class
        ),
    ]
    fields = {"typos": tuple(typos)}
    if combine(checks) == FAILS:
        fixed = display(corrected_display)
        fixed_law = engine.check_same_law(
            fixed, definition, law_name, ("the correction", labels[1])
        )
        corrected_checks = [
            engine.check_limit_probability(fixed, claimed, "P(lim x = 1)"),
            fixed_law,
            limit_confirmation("Monte Carlo: P(lim x = 1)", fixed, claimed, point),
            library_limit_confirmation("Monte Carlo (library): P(lim x = 1)",
                                       float(engine.binary_form(fixed).a.subs(point)),
                                       sp.sympify(claimed).subs(point)),
            law_confirmation("Monte Carlo: law", fixed, definition, point,
                             fixed_law.verdict != FAILS, two_class),
        ]  # fmt: skip
        fields.update(
            corrected=sp.latex(corrected_display) + r",\quad " + LIMIT_EVENT + sp.latex(claimed),
            corrected_text=f"x = {plain(corrected_display)}, P(lim x = 1) = {plain(claimed)}",
            corrected_verdict=combine(corrected_checks),
            corrected_checks=_confirmed(corrected_checks),
        )
    return _result(claim_id, statement, checks, **fields)


def _eq1() -> ClaimResult:
    return _binary_claim(
        "eq1",
        r"x = \sigma\left\{-\frac{1}{\tau}\left(\log\frac{p}{1-p} + \log\frac{u}{1-u}\right)"
        r"\right\}\ \text{is the Gumbel-softmax estimation for } \alpha = [p, 1-p],\quad "
        + LIMIT_EVENT + "p",
        EQ1, DEFINITION, p, CORRECTED_EQ1_DISPLAY,
    )  # fmt: skip


def _eq2() -> ClaimResult:
    result = _binary_claim(
        "eq2",
        r"x = \sigma\left\{-\frac{1}{\tau}\left(\log\frac{\alpha_1}{\alpha_1+\alpha_2} + "
        r"\log\frac{u}{1-u}\right)\right\}\ \text{for } \alpha = [\alpha_1, \alpha_2],\quad "
        + LIMIT_EVENT + r"\frac{\alpha_1}{\alpha_1+\alpha_2}",
        EQ2, DEFINITION_UNNORMALISED, alpha1 / (alpha1 + alpha2), CORRECTED_EQ2_DISPLAY,
    )  # fmt: skip
    # Which edits are needed: each of the two towards the corrected form alone, and, under the
    # minus sign kept, the one term that repairs it (the inverse odds), by the same engine.
    claimed = alpha1 / (alpha1 + alpha2)
    partial = {
        "sign only": Sigmoid((sp.log(alpha1 / (alpha1 + alpha2)) + noise_logit(u)) / tau),
        "logit only": Sigmoid(-(sp.log(alpha1 / alpha2) + noise_logit(u)) / tau),
        "term under the sign only": Sigmoid(-(sp.log(alpha2 / alpha1) + noise_logit(u)) / tau),
    }
    diagnosis = []
    for label, shown in partial.items():
        check = engine.check_limit_probability(display(shown), claimed, "P(lim x = 1)")
        text = say(f"Fixing the {label} gives x = ", shown, f": {check.verdict}. ", check.phrase)
        diagnosis.append(Check(
            f"diagnosis: fix the {label}", None, check.method, text.plain,
            {"verdict_if_only_this_fix": check.verdict, **check.data}, text.latex,
        ))  # fmt: skip
    return ClaimResult(**{**vars(result), "checks": result.checks + tuple(diagnosis)})


def _eq3_limit() -> ClaimResult:
    up, down, vanish = tau_limits().result
    general = gumbel_max_probability()
    a_k, rest = sp.Symbol("alpha_k", positive=True), sp.Symbol("S", positive=True)
    explicit = gumbel_max_probability(3)
    alphas = sorted(explicit.result.free_symbols, key=str)
    limits = say(
        "As ", formula(("τ → 0", r"\tau \to 0")), ", ",
        formula((f"σ(A/τ) → {plain(up)}", rf"\sigma(A/\tau) \to {sp.latex(up)}")), " for A > 0, ",
        formula((f"σ(A/τ) → {plain(down)}", rf"\sigma(A/\tau) \to {sp.latex(down)}")),
        " for A < 0 and ",
        formula((f"exp(−d/τ) → {plain(vanish)}", rf"e^{{-d/\tau}} \to {sp.latex(vanish)}")),
        " for d > 0, so ", formula(("x_k → 1", r"x_k \to 1")), " exactly when ",
        formula(("log α_k + g_k", r"\log\alpha_k + g_k")), " is the largest.",
    )  # fmt: skip
    binary = engine.check_limit_probability(
        DEFINITION_UNNORMALISED, alpha1 / (alpha1 + alpha2), "binary engine, n = 2"
    )
    checks = [
        Check.from_phrase("tau -> 0 limit", HOLDS if (up, down, vanish) == (1, 0, 0) else FAILS,
                      "limit", limits),
        engine.check_identity(general.result, a_k / (a_k + rest), "Gumbel-max, general n"),
        engine.check_identity(explicit.result, alphas[0] / sp.Add(*alphas), "Gumbel-max, n = 3"),
        binary,
    ]  # fmt: skip
    weights = (1, 2, 3)
    rng = np.random.default_rng(SEED)
    gumbels = rng.gumbel(size=(N_PROPORTION, len(weights)))
    relaxed = gumbel_softmax(np.log(weights), float(LIMIT_TAU), gumbels)
    checks.append(proportion_confirmation(
        "Monte Carlo (library gumbel_softmax), n = 3, alpha = (1, 2, 3)",
        int(np.count_nonzero(relaxed.argmax(axis=-1) == 0)), N_PROPORTION,
        weights[0] / sp.Add(*weights),
        explicit.result.subs(dict(zip(alphas, weights, strict=True))),
        label="Monte Carlo with the library's gumbel_softmax for α = (1, 2, 3)",
        outcome="have x₁ largest", formula="library gumbel_softmax",
        event="argmax x = 1 (the limit's event at every tau)",
    ))  # fmt: skip
    evidence = None
    if combine(checks) == HOLDS:
        integral = say(
            "The Gumbel-max integral gives ", general.result, " with ",
            formula(("S = Σ_{i≠k} α_i", r"S = \sum_{i \ne k} \alpha_i")), " for any n and ",
            explicit.result, " for n = 3, and the binary engine gives ",
            engine.limit_probability(DEFINITION_UNNORMALISED), " for n = 2.",
        )  # fmt: skip
        evidence = _sentences(limits, integral, checks[-1].phrase)
    return _result(
        "eq3-limit",
        LIMIT_EVENT.replace("x", "x_k") + r"\frac{\alpha_k}{\sum_i \alpha_i}\ \text{for Eq. (3)}",
        checks, evidence=evidence,
    )  # fmt: skip


def _gumbel_difference() -> ClaimResult:
    x1, x2 = engine.X1, engine.X2  # Gumbel(mu1) and Gumbel(mu2)
    claimed_cdf = logistic_cdf(z, mu1 - mu2)
    law = engine.check_cdf(x1 - x2, claimed_cdf, z, "CDF by convolution")
    point = engine.first_point(claimed_cdf)
    samples = sample_expression(x1 - x2, point, N_KS)
    against = say("the ", formula(("Logistic(α₁ − α₂)", r"\mathrm{Logistic}(\alpha_1 - \alpha_2)")),
                  " CDF")  # fmt: skip
    checks = [
        law,
        ks_confirmation("Monte Carlo", samples, claimed_cdf, z, point, law.verdict != FAILS,
                        against=against),
    ]  # fmt: skip
    notation = say(
        "Gumbel(a) and Logistic(m) are read with a as location (scale 1), as the statement "
        "needs; Eq. (3) places the Gumbels at ", formula(("log α_k", r"\log\alpha_k")),
        ", consistently, so there the locations are ",
        formula(("log α₁", r"\log\alpha_1")), " and ", formula(("log α₂", r"\log\alpha_2")), ".",
    )  # fmt: skip
    return _result(
        "gumbel-difference",
        r"X_1 \sim \mathrm{Gumbel}(\alpha_1),\ X_2 \sim \mathrm{Gumbel}(\alpha_2)\ "
        r"\Rightarrow\ X_1 - X_2 \sim \mathrm{Logistic}(\alpha_1 - \alpha_2)",
        [*checks, Check.from_phrase("notation", None, "reading", notation)],
    )  # fmt: skip


def _logistic_sampling() -> ClaimResult:
    sampler = sp.log(u / (1 - u))
    forward = engine.check_cdf(sampler, logistic_cdf(z), z, "CDF of log(u/(1-u))")
    derivation = logistic_inverse_cdf()
    inverse = engine.check_identity(derivation.result, sampler, "inverse CDF")
    if inverse.verdict == HOLDS:
        text = say(
            "Solving ", formula(Sigmoid(z), u), " for z gives ",
            formula(z, derivation.result, sampler),
            ", the sampler, so the map is a bijection and the equivalence runs both ways.",
        )  # fmt: skip
        inverse = Check.from_phrase(inverse.name, inverse.verdict, inverse.method, text)
    literal = engine.check_cdf(sampler, logistic_cdf(z, 1), z, "literal: location 1")
    literal_text = say(
        "Read with the note's own convention (one argument, the location, as in ",
        formula(("Logistic(α₁ − α₂)", r"\mathrm{Logistic}(\alpha_1 - \alpha_2)")),
        f"), Logistic(1) would have location 1: {literal.verdict}. ", literal.phrase,
    )  # fmt: skip
    samples = sample_expression(sampler, {}, N_KS)
    checks = [
        forward,
        inverse,
        ks_confirmation("Monte Carlo", samples, logistic_cdf(z), z, {}, forward.verdict != FAILS,
                        against="the standard Logistic CDF σ(z)"),
        Check.from_phrase("literal reading", None, literal.method, literal_text,
                      {"verdict_if_literal": literal.verdict, **literal.data}),
    ]  # fmt: skip
    typo = Typo(
        r"\mathrm{Logistic}(1)",
        r"\mathrm{Logistic}(0, 1)",
        "The sentence says 'sampling from a standard logistic distribution'; the 1 is the "
        "scale, while elsewhere the note's single argument is the location.",
        "Logistic(1) → Logistic(0, 1)",
    )
    return _result(
        "logistic-sampling",
        r"x \sim \mathrm{Logistic}(1) \Leftrightarrow x = \log\frac{u}{1-u},\ "
        r"u \sim \mathrm{Uniform}(0, 1)",
        checks, typos=(typo,),
    )  # fmt: skip


_STEP_STATEMENTS = (
    r"\frac{\exp\{(\log p + g_1)/\tau\}}{\exp\exp\{(\log p + g_1)/\tau\} + "
    r"\exp\exp\{(\log(1-p) + g_2)/\tau\}}",
    r"\frac{1}{1 + \exp\{(\log(1-p) - \log p + g_2 - g_1)/\tau\}}",
    r"\frac{1}{1 + \exp\{(\log(1-p) - \log p + \log u - \log(1-u))/\tau\}}",
    r"\sigma\left\{-\frac{1}{\tau}\left(\log\frac{p}{1-p} + \log\frac{u}{1-u}\right)\right\}",
)
_CORRECTED_STEPS = {3: CORRECTED_STEP4_DISPLAY}


def _step(index: int) -> ClaimResult:
    previous = DEFINITION if index == 0 else STEPS[index - 1]
    name = f"step-{index + 1}"
    labels = (f"line {index + 1}", f"line {index}" if index else "Eq. (3) with n = 2")
    checks = engine.check_line(STEPS[index], previous, name, labels)
    if any(c.method.startswith("CDF") for c in checks):
        point = engine.first_point(STEPS[index], previous)
        same_law = checks[-1].verdict != FAILS
        checks.append(law_confirmation("Monte Carlo: law", STEPS[index], previous, point, same_law,
                              f"the CDF of {labels[1]}"))  # fmt: skip
    fields = {}
    if combine(checks) == FAILS:
        shown = _CORRECTED_STEPS[index]
        corrected_checks = engine.check_line(
            display(shown), previous, f"corrected {name}", (f"corrected {labels[0]}", labels[1])
        )
        fields.update(
            corrected=sp.latex(shown),
            corrected_text=f"= {plain(shown)}",
            corrected_verdict=combine(corrected_checks),
            corrected_checks=tuple(corrected_checks),
        )
    if index == 0:
        fields["typos"] = (
            Typo(
                r"\exp\exp\{\cdot\}",
                r"\exp\{\cdot\}",
                "Both denominator terms read 'exp exp'; a doubled exponential matches neither "
                "Eq. (3) nor the next line, and the numerator has a single exp.",
                "exp exp{·} → exp{·}",
            ),
        )
    return _result(name, _STEP_STATEMENTS[index], checks, **fields)


_CLAIMS: dict[str, Callable[[], ClaimResult]] = {
    "eq1": _eq1,
    "eq2": _eq2,
    "eq3-limit": _eq3_limit,
    "gumbel-difference": _gumbel_difference,
    "logistic-sampling": _logistic_sampling,
    **{f"step-{i + 1}": (lambda i=i: _step(i)) for i in range(4)},
}
#: The stable claim ids, in the order of the note.
CLAIM_IDS = tuple(_CLAIMS)


@cache
def _computed(claim_id: str) -> ClaimResult:
    return _CLAIMS[claim_id]()


@cache
def _shared() -> dict[str, ClaimResult]:
    """Every claim's result from the one run of the verifier that a book build shares.

    The chapters' kernels of one build load it through
    :func:`binary_gumbel.verification.results_cache.cached`, keyed on the library's source.
    """
    return results_cache.cached(
        "verdicts", lambda: {claim_id: _computed(claim_id) for claim_id in CLAIM_IDS}
    )


def verify_claim(claim_id: str) -> ClaimResult:
    """The computed :class:`ClaimResult` for one claim id (each is computed once per process)."""
    if claim_id not in _CLAIMS:
        raise ValueError(f"claim_id must be one of {', '.join(CLAIM_IDS)}; got {claim_id!r}")
    if results_cache.enabled():
        return _shared()[claim_id]
    return _computed(claim_id)


def verify_all() -> list[ClaimResult]:
    """Every claim of the note, in order, with its computed verdict."""
    return [verify_claim(claim_id) for claim_id in CLAIM_IDS]
