"""Tests of the seeded demonstrations the chapters show, and of the tables they glue."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from binary_gumbel.book import demos, explorable, report
from binary_gumbel.verification import derivation, note, symbolic
from binary_gumbel.verification.claims import ClaimResult
from binary_gumbel.verification.montecarlo import check_proportion

N = 20_000


def test_argmax_frequencies_match_the_gumbel_max_probabilities():
    checks = demos.argmax_frequencies([1.0, 2.0, 5.0], 0.5, N, rng=1)
    assert [c.expected for c in checks] == pytest.approx([1 / 8, 2 / 8, 5 / 8])
    assert sum(c.successes for c in checks) == N
    assert all(c.consistent for c in checks)


def test_argmax_frequencies_detect_wrong_weights():
    """A mutant: the frequencies for (1, 2, 5) checked against the weights (5, 2, 1)."""
    checks = demos.argmax_frequencies([1.0, 2.0, 5.0], 0.5, N, rng=1)
    wrong = [
        check_proportion(c.successes, c.n, e)
        for c, e in zip(checks, [5 / 8, 2 / 8, 1 / 8], strict=True)
    ]
    assert not wrong[0].consistent and not wrong[2].consistent


@pytest.mark.parametrize(
    "alpha, error, match",
    [([1.0], ValueError, "at least 2"), ([1.0, -1.0], ValueError, "positive"),
     ([1.0, np.nan], ValueError, "finite"), (["a", "b"], TypeError, "alpha")],
)  # fmt: skip
def test_argmax_frequencies_reject_bad_weights(alpha, error, match):
    with pytest.raises(error, match=match):
        demos.argmax_frequencies(alpha, 0.5, 100)


@pytest.mark.parametrize("n, error", [(1, ValueError), (2.5, TypeError)])
def test_sample_size_is_checked(n, error):
    with pytest.raises(error, match="n"):
        demos.argmax_frequencies([1.0, 1.0], 0.5, n)


def test_simplex_samples_share_the_noise_across_temperatures():
    samples = demos.simplex_samples([1.0, 2.0, 5.0], [2.0, 0.05], 500, rng=3)
    hot, cold = samples[2.0], samples[0.05]
    np.testing.assert_allclose(hot.sum(axis=1), 1)
    np.testing.assert_array_equal(hot.argmax(axis=1), cold.argmax(axis=1))
    assert cold.max(axis=1).mean() > hot.max(axis=1).mean()


def test_simplex_samples_reject_bad_temperatures():
    with pytest.raises(ValueError, match="tau"):
        demos.simplex_samples([1.0, 2.0, 5.0], [1.0, 0.0], 10)


def test_gumbel_difference_is_logistic_and_the_check_can_fail():
    diff, check = demos.gumbel_difference(1.0, -0.5, N, rng=4)
    assert diff.shape == (N,) and check.consistent
    # The same samples against the wrong location are rejected.
    from binary_gumbel import noise
    from binary_gumbel.verification import montecarlo

    assert not montecarlo.check_ks(diff, noise.logistic_cdf).consistent


def test_logistic_by_inversion_passes_its_check():
    samples, check = demos.logistic_by_inversion(N, rng=5)
    assert samples.shape == (N,) and check.consistent and check.n == N


def test_coupled_forms_agree_sample_for_sample():
    binary, two_class = demos.coupled_binary_and_two_class(-0.8, 0.3, N, rng=6)
    assert binary.shape == two_class.shape == (N,)
    np.testing.assert_allclose(binary, two_class, rtol=1e-12, atol=1e-14)


def test_coupled_forms_reject_an_infinite_logit():
    with pytest.raises(ValueError, match="logit"):
        demos.coupled_binary_and_two_class(np.inf, 0.3, 10)


def test_rescaled_samples_do_not_depend_on_the_scale():
    rows = demos.rescaled_samples(1.0, 3.0, [1e-3, 1.0, 1e3], 0.5, 1000, rng=7)
    assert rows.shape == (3, 1000)
    np.testing.assert_allclose(rows, np.broadcast_to(rows[1], rows.shape), rtol=1e-12)
    with pytest.raises(ValueError, match="scales"):
        demos.rescaled_samples(1.0, 3.0, [0.0], 0.5, 10)


def test_exceedance_curve_separates_the_note_from_the_correction():
    points = [{symbolic.p: 0.2}, {symbolic.p: 0.7}]
    written = demos.exceedance_curve(note.EQ1, points, symbolic.p, N, seed=8)
    fixed = demos.exceedance_curve(note.CORRECTED_EQ1, points, symbolic.p, N, seed=8)
    np.testing.assert_allclose(written.claimed, [0.2, 0.7])
    np.testing.assert_allclose(written.exact, [0.8, 0.3])
    np.testing.assert_allclose(fixed.exact, [0.2, 0.7])
    assert all(c.consistent for c in fixed.checks)
    assert not any(c.consistent for c in written.checks)
    # Each estimate is consistent with the engine's exact probability.
    for curve in (written, fixed):
        for check, exact in zip(curve.checks, curve.exact, strict=True):
            assert check.low <= exact <= check.high


def test_exceedance_curve_needs_points():
    with pytest.raises(ValueError, match="points"):
        demos.exceedance_curve(note.EQ1, [], symbolic.p, 10)


# --- report ------------------------------------------------------------------------------------


def fake(claim_id, verdict, statement=r"a_1 < b", evidence="x*y = z_1 | w", **kw) -> ClaimResult:
    return ClaimResult(claim_id, statement, verdict, evidence, (), **kw)


def rows_of(table: str) -> list[list[str]]:
    lines = table.strip().splitlines()
    assert set(lines[1].replace("|", "")) == {"-"}
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]


def test_verdict_table_has_one_row_per_result_with_its_verdict():
    results = [fake("one", "holds"), fake("two", "fails", corrected="b", corrected_verdict="holds")]
    rows = rows_of(report.verdict_table(results))
    badge = report.verdict_badge
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("`one`", badge("holds"), "—"),
        ("`two`", badge("fails"), badge("holds")),
    ]
    assert rows[0][1] == "$a_1 < b$"


def test_verdict_table_can_describe_claims_instead_of_showing_formulas():
    results = [fake("one", "holds"), fake("two", "fails")]
    about = {"one": "the [first](a.md) claim", "two": "the second\n claim"}
    rows = rows_of(report.verdict_table(results, about=about))
    assert [r[1] for r in rows] == ["the [first](a.md) claim", "the second claim"]
    assert "a_1" not in report.verdict_table(results, about=about)
    with pytest.raises(ValueError, match="missing \\['two'\\]"):
        report.verdict_table(results, about={"one": "x"})
    with pytest.raises(ValueError, match="about"):
        report.verdict_table(results, about={"one": "x | y", "two": "z"})


def test_evidence_blocks_display_statement_evidence_and_correction():
    results = [
        fake("one", "holds", statement=r"a,\quad b"),
        fake("two", "fails", corrected=r"c", corrected_verdict="holds"),
    ]
    one, two = report.evidence_blocks(results).split("\n\n---\n\n")
    assert one.startswith("**`one`: holds.**")
    gathered = r"\begin{gathered}a, \\ b\end{gathered}"
    assert "\\begin{equation*}\n" + gathered + "\n\\end{equation*}" in one
    assert r"*Evidence.* x\*y = z\_1 \| w" in one
    assert "Correction" not in one
    assert "*Correction* (holds):" in two and two.rstrip().endswith(
        "\\begin{equation*}\nc\n\\end{equation*}"
    )
    glossed = report.evidence_blocks([fake("one", "holds", statement=r"y = 1\ \text{for } z")])
    assert r"\begin{gathered}y = 1\\ \text{for } z\end{gathered}" in glossed


def test_evidence_keeps_its_math_and_escapes_the_prose_between():
    latex = r"Counterexample: $p = \frac{1}{4}$ gives $x_1 > \frac{3}{4}$, x_1 > 1/2 *here*."
    block = report.evidence_blocks([fake("two", "fails", evidence="plain", evidence_latex=latex)])
    assert r"$p = \frac{1}{4}$ gives $x_1 > \frac{3}{4}$" in block
    assert block.rstrip().endswith(r", x\_1 \> 1/2 \*here\*.")
    assert "plain" not in block


@pytest.mark.parametrize("latex", [r"an $x$ and a $y", r"$\vert x \vert$ or $|x|$"])
def test_evidence_refuses_latex_that_would_break_the_markdown(latex):
    with pytest.raises(ValueError, match="latex"):
        report.evidence_blocks([fake("two", "fails", evidence_latex=latex)])


def test_tables_and_blocks_refuse_latex_that_would_break_them():
    with pytest.raises(ValueError, match="latex"):
        report.verdict_table([fake("one", "holds", statement="|x|")])
    with pytest.raises(ValueError, match="latex"):
        report.evidence_blocks([fake("one", "holds", statement="$x$")])
    with pytest.raises(ValueError, match="results"):
        report.verdict_table([])


def test_derivation_latex_lays_out_the_computed_steps():
    latex = report.derivation_latex(symbolic.logistic_inverse_cdf(), steps=[0])
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")
    assert sp.latex(symbolic.logistic_inverse_cdf().steps[0][1]) in latex
    with pytest.raises(ValueError, match="steps"):
        report.derivation_latex(symbolic.logistic_inverse_cdf(), steps=[])


def test_derivation_latex_names_a_bad_step_or_derivation():
    """Indices are integers within the steps (negative from the end, any iterable of them):
    True was read as step 1, 99 met an IndexError, a bare integer a TypeError from a loop."""
    inverse = symbolic.logistic_inverse_cdf()
    count = len(inverse.steps)
    last = report.derivation_latex(inverse, steps=[count - 1])
    assert report.derivation_latex(inverse, steps=np.array([-1])) == last
    with pytest.raises(ValueError, match=f"steps must be < {count}"):
        report.derivation_latex(inverse, steps=[count])
    for steps in ([True], [1.0], 1):
        with pytest.raises(TypeError, match="steps"):
            report.derivation_latex(inverse, steps=steps)
    with pytest.raises(TypeError, match="derivation must be a Derivation"):
        report.derivation_latex(None)


def test_proportion_evidence_recomputes_the_verifiers_intervals():
    evidence = report.proportion_evidence([derivation.verify_claim("eq1")])
    written = [check for label, _, check in evidence if label == "eq1"]
    corrected = [check for label, _, check in evidence if label == "eq1 (corrected)"]
    assert written and corrected
    assert not any(c.consistent for c in written)
    assert all(c.consistent for c in corrected)


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: demos.argmax_frequencies([1.0, 2.0], 0.1, 10, rng=rng),
        lambda rng: demos.gumbel_difference(0.0, 1.0, 10, rng=rng),
        lambda rng: demos.logistic_by_inversion(10, rng=rng),
        lambda rng: demos.coupled_binary_and_two_class(0.0, 0.5, 10, rng=rng),
    ],
)
def test_a_boolean_rng_is_refused_naming_rng(call):
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator, a seed or None"):
        call(True)


def test_monte_carlo_coverage_names_the_claims_decided_by_sympy_alone():
    """Lines 1 and 2 are identities: the verifier confirms them by SymPy, with no sampling."""
    coverage = report.monte_carlo_coverage(derivation.verify_all())
    assert coverage.symbolic_only == ("step-1", "step-2")
    assert set(coverage.confirmed) | set(coverage.symbolic_only) == set(derivation.CLAIM_IDS)
    counted = sum(
        c.method.startswith("Monte Carlo")
        for r in derivation.verify_all()
        for c in (*r.checks, *r.corrected_checks)
    )
    assert coverage.tests == counted > len(coverage.confirmed)


def test_false_alarm_text_gives_the_per_check_and_the_bonferroni_rate():
    assert report.false_alarm_text(9) == (
        "at most 10⁻⁶ per interval, and at most 9×10⁻⁶ for the 9 intervals together "
        "(Bonferroni bound)"
    )
    assert "1.2×10⁻⁵ for the 12 tests" in report.false_alarm_text(12, unit="test")
    assert "at most 1 for the 300 intervals" in report.false_alarm_text(300, rate=0.01)
    assert report.false_alarm_text(1) == "at most 10⁻⁶ for the one interval"
    with pytest.raises(ValueError, match=r"^count must be >= 1; got 0"):
        report.false_alarm_text(0)
    for bad in (2.5, True):
        with pytest.raises(TypeError, match=r"^count must be an integer"):
            report.false_alarm_text(bad)
    with pytest.raises(ValueError, match="rate"):
        report.false_alarm_text(3, rate=0.0)
    with pytest.raises(TypeError, match="^rate must be a real number"):
        report.false_alarm_text(3, rate=None)


# --- the exercise solutions' own calls ----------------------------------------------------------


def test_unnormalised_wrong_adapter_p_one_is_the_limit_and_only_p_above_one_raises():
    """ex-un-wrong-adapter: p = 1 gives the logit +inf and x = 1; only p > 1 raises."""
    import binary_gumbel as bg

    assert bg.logit_from_probability(1.0) == np.inf
    x = bg.binary_gumbel_softmax(bg.logit_from_probability(1.0), 0.5, [1e-6, 0.5, 0.999])
    np.testing.assert_array_equal(x, 1.0)
    with pytest.raises(ValueError, match="p must be a probability"):
        bg.logit_from_probability(1.5)


def test_unnormalised_rescaling_exercise_with_weights_two_and_three():
    """ex-un-scale: weights (2c, 3c) give the same samples at every c, and P(x > 1/2) = 0.4."""
    n = 100_000
    rows = demos.rescaled_samples(2.0, 3.0, [1e-3, 1.0, 1e3], 0.5, n, np.random.default_rng(3))
    np.testing.assert_allclose(rows, np.broadcast_to(rows[1], rows.shape), rtol=1e-12)
    checks = [check_proportion(int(np.count_nonzero(r > 0.5)), n, 0.4) for r in rows]
    assert all(c.consistent for c in checks)
    assert not any(check_proportion(c.successes, n, 0.25).consistent for c in checks)


def test_categorical_tau_exercise_corner_three_fills_while_the_argmax_share_stays():
    """ex-cat-tau: at tau = 0.01 more samples reach corner 3 (x_3 > 0.99) than at 0.1,
    while the argmax share of category 3 is the same, sample for sample."""
    n = 1500
    warm = demos.simplex_samples([1, 2, 5], [0.1], n, np.random.default_rng(7))[0.1]
    cold = demos.simplex_samples([1, 2, 5], [0.01], n, np.random.default_rng(7))[0.01]
    np.testing.assert_array_equal(warm.argmax(axis=1), cold.argmax(axis=1))
    # Paired by sample: a sample at corner 3 at tau = 0.1 is there at 0.01 too, and the
    # corner gains samples (an exact binomial sign test on the discordant pairs).
    at_warm, at_cold = warm[:, 2] > 0.99, cold[:, 2] > 0.99
    assert not np.any(at_warm & ~at_cold)
    gained = int(np.count_nonzero(at_cold & ~at_warm))
    assert gained > 0 and not check_proportion(0, gained, 0.5).consistent
    share = check_proportion(int(np.count_nonzero(cold.argmax(axis=1) == 2)), n, 5 / 8)
    assert share.consistent


def test_categorical_weights_exercise_intervals_are_wider_net():
    """ex-cat-weights: 20,000 samples for (0.5, 0.5, 9) give intervals wider on average
    than 100,000 samples for the chapter's weights, though narrower than sqrt(5) times."""
    rng = np.random.default_rng(20261127)
    before = [
        c
        for alpha in ([1, 2, 5], [3, 3, 3, 1], [1, 10])
        for c in demos.argmax_frequencies(alpha, 0.1, 100_000, rng)
    ]
    after = demos.argmax_frequencies([0.5, 0.5, 9], 0.1, 20_000, np.random.default_rng(20261127))
    assert all(c.consistent for c in after)
    ratio = np.mean([c.high - c.low for c in after]) / np.mean([c.high - c.low for c in before])
    assert 1.0 < ratio < np.sqrt(5)


# --- the sign error under training -------------------------------------------------------------


@pytest.mark.parametrize("target, tau", [(0.7, 0.5), (0.9, 0.5), (0.3, 1.0)])
def test_a_loss_on_the_samples_alone_absorbs_the_sign_error(target, tau):
    """Without a term that reads the logit, the note's fit is the corrected one, negated."""
    fit = demos.sign_flip_fit(target, tau)
    assert fit.logit_note == pytest.approx(-fit.logit_corrected, abs=1e-6)
    assert fit.prob_note == pytest.approx(fit.prob_corrected, abs=1e-8)
    assert fit.loss_note == pytest.approx(fit.loss_corrected, rel=1e-12)


@pytest.mark.parametrize("weight", [0.1, 0.2])  # 0.1: the chapter's beta
def test_a_kl_term_sees_the_sign_error(weight):
    """binary_reduction: "the error would be absorbed silently" fails once the loss reads the
    logit directly. With a KL term to Bernoulli(0.2), the note's fit samples another law."""
    fit = demos.sign_flip_fit(0.7, 0.5, prior=0.2, weight=weight)
    assert fit.prob_note - fit.prob_corrected > 0.1
    assert fit.logit_note != pytest.approx(-fit.logit_corrected, abs=0.1)
    # The KL term is evaluated at sigma(logit), the complement of what the note samples.
    assert 1 - fit.prob_note < 0.5 < fit.prob_note


@pytest.mark.parametrize("weight", [0.1, 1.0])
def test_a_kl_term_to_a_half_prior_absorbs_the_sign_error(weight):
    """binary_reduction: KL(Bernoulli(q) || Bernoulli(1/2)) = log 2 - H(q) is the same at q
    and 1 - q, so with a prior of one half the note's loss is the corrected loss with the
    logit negated, and the note's fit samples the corrected fit's law (a prior of 0.2 breaks
    it: the test above)."""
    fit = demos.sign_flip_fit(0.7, 0.5, prior=0.5, weight=weight)
    assert fit.logit_note == pytest.approx(-fit.logit_corrected, abs=1e-6)
    assert fit.prob_note == pytest.approx(fit.prob_corrected, abs=1e-8)
    assert fit.loss_note == pytest.approx(fit.loss_corrected, rel=1e-12)
    # The KL term moves the fit: it is not the fit on the samples alone.
    alone = demos.sign_flip_fit(0.7, 0.5)
    assert abs(fit.logit_corrected - alone.logit_corrected) > 0.1


def test_an_l0_penalty_sees_the_sign_error():
    """The expected L0 norm sigma(logit) pushes the corrected gate towards off, relative to
    the fit on the samples alone, and the note's gate towards on."""
    alone = demos.sign_flip_fit(0.7, 0.5)
    fit = demos.sign_flip_fit(0.7, 0.5, weight=0.1, penalty="l0")
    assert fit.prob_corrected < alone.prob_corrected < fit.prob_note
    assert fit.prob_note - fit.prob_corrected > 0.05


def test_a_dominant_kl_term_pins_the_stated_probability_to_the_prior():
    """An independent pin: a huge KL weight forces sigma(logit) to the prior for both forms;
    the corrected form then samples Bernoulli(prior), the note's Bernoulli(1 - prior)."""
    fit = demos.sign_flip_fit(0.7, 0.5, prior=0.2, weight=1e3)
    assert fit.prob_corrected == pytest.approx(0.2, abs=1e-3)
    assert fit.prob_note == pytest.approx(0.8, abs=1e-3)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"prior": 0.0}, "prior"), ({"prior": 1.5}, "prior"), ({"weight": -1.0}, "weight"),
     ({"weight": np.nan}, "weight"), ({"tau": 0.0}, "tau"), ({"target": np.inf}, "target"),
     ({"penalty": "l1"}, "penalty")],
)  # fmt: skip
def test_sign_flip_fit_refuses_bad_input(kwargs, match):
    args = {"target": 0.7, "tau": 0.5, **kwargs}
    with pytest.raises(ValueError, match=match):
        demos.sign_flip_fit(**args)


def test_gumbel_difference_exercise_wrong_law_statistic_is_the_gap_between_the_cdfs():
    """ex-gd-code: shifted by 1.5, the KS statistic against the standard Logistic is the
    largest CDF gap sigma(0.75) - sigma(-0.75), within the DKW bound at 1e-6."""
    from binary_gumbel import noise
    from binary_gumbel.verification import montecarlo

    n = 100_000
    _, equal = demos.gumbel_difference(3.0, 3.0, n, np.random.default_rng(20261127))
    assert equal.consistent
    shifted, _ = demos.gumbel_difference(1.0, -0.5, n, np.random.default_rng(20261127))
    wrong = montecarlo.check_ks(shifted, noise.logistic_cdf)
    gap = noise.sigmoid(0.75) - noise.sigmoid(-0.75)
    dkw = np.sqrt(np.log(2 / 1e-6) / (2 * n))
    assert abs(wrong.statistic - gap) <= dkw
    assert not wrong.consistent and wrong.pvalue < 1e-6


def test_binary_reduction_exercises_coupled_and_sign_only():
    """ex-br-coupled and ex-br-sign: the solutions' own calls."""
    import binary_gumbel as bg

    n = 100_000
    binary, two_class = demos.coupled_binary_and_two_class(
        bg.logit_from_probability(0.9), 0.05, n, np.random.default_rng(20261127)
    )
    np.testing.assert_allclose(binary, two_class, rtol=0, atol=1e-13)
    assert check_proportion(int(np.count_nonzero(binary > 0.5)), n, 0.9).consistent
    u = np.random.default_rng(0).random(n)
    x = bg.binary_gumbel_softmax(bg.logit_from_probability(0.3), 1.0, 1 - u)
    assert check_proportion(int(np.count_nonzero(x > 0.5)), n, 0.3).consistent
    assert not check_proportion(int(np.count_nonzero(x > 0.5)), n, 0.7).consistent


def test_verdict_counts_count_the_laws_that_hold_with_the_identities():
    """Errata: 4 of the 9 claims do not get "holds", yet two laws that are no identities do."""
    results = derivation.verify_all()
    counts = report.verdict_counts(results)
    assert list(counts) == list(report.VERDICT_BADGES)
    assert counts == {"holds": 5, "holds in distribution": 1, "fails": 3}
    # The old wording, "4 do not hold as identities", would leave 5 identities; but
    # gumbel-difference and logistic-sampling are laws, confirmed by Monte Carlo only.
    verdict = {r.id: r.verdict for r in results}
    for law in ("gumbel-difference", "logistic-sampling"):
        assert verdict[law] == "holds"
        assert law in report.monte_carlo_coverage(results).confirmed
    assert report.verdict_counts(results[:1]) == {
        "holds": 0,
        "holds in distribution": 0,
        "fails": 1,
    }
    with pytest.raises(ValueError, match="results"):
        report.verdict_counts([])


def test_distinct_estimates_count_a_repeated_test_once():
    checks = [
        check_proportion(3, 10, 0.3),
        check_proportion(3, 10, 0.5),
        check_proportion(4, 10, 0.3),
    ]
    assert report.distinct_estimates(checks) == 2
    assert report.distinct_checks(checks) == [checks[0], checks[2]]  # the first of each
    assert report.distinct_estimates([check_proportion(3, 20, 0.3), *checks]) == 3
    with pytest.raises(TypeError, match="checks"):
        report.distinct_estimates([0.3])
    with pytest.raises(TypeError, match="checks"):
        report.distinct_checks([0.3])


def test_complementary_counts_give_reflected_intervals():
    """Counts k and n - k: their Clopper-Pearson intervals reflect each other about 1/2, so
    one misses its true value exactly when the other misses its reflection."""
    one, other = check_proportion(24_856, 100_000, 0.25), check_proportion(75_144, 100_000, 0.75)
    assert report.complementary(one, other) and report.complementary(other, one)
    assert other.low == pytest.approx(1 - one.high, abs=1e-15)
    assert other.high == pytest.approx(1 - one.low, abs=1e-15)
    assert not report.complementary(one, check_proportion(75_143, 100_000, 0.75))
    assert not report.complementary(one, check_proportion(75_144, 100_001, 0.75))
    # At another rate the intervals are not reflections: not one test.
    wider = check_proportion(75_144, 100_000, 0.75, false_alarm=1e-2)
    assert wider.high - wider.low < other.high - other.low
    assert not report.complementary(one, wider)
    with pytest.raises(TypeError, match="first and second"):
        report.complementary(one, 0.75)
    # Among several checks: a repeated check is one, and only the complementary pair counts.
    pairs = report.complementary_pairs([one, other, one, check_proportion(3, 10, 0.3)])
    assert pairs == [(one, other)]
    with pytest.raises(TypeError, match="checks"):
        report.complementary_pairs([one, 0.75])


def test_errata_evidence_is_three_tests():
    """Errata: of the 4 distinct estimates, Eq. (1) as written and the corrected Eq. (1)
    count complementary events on the same uniforms: one pair, so 3 tests."""
    evidence = report.proportion_evidence(derivation.verify_all())
    checks = [c for *_, c in evidence]
    distinct = report.distinct_checks(checks)
    pairs = report.complementary_pairs(checks)
    assert len(distinct) == 4 and len(pairs) == 1
    # Each pair once, whichever order the checks come in.
    assert len(report.complementary_pairs(checks[::-1])) == 1
    # The corrected Eq. (1) and Eq. (2) share one estimate (the test above).
    labels = {label for label, _, c in evidence if c in pairs[0]}
    assert labels == {"eq1", "eq1 (corrected)", "eq2 (corrected)"}, labels


def test_errata_sign_frames_printed_counts_are_the_corrected_complements():
    """Errata, "See the sign error": at every p the printed form counts b = 1 on exactly
    the uniforms where the corrected form counts b = 0."""
    sign = explorable.sign_frames()
    printed = sign.curves[explorable.sign.PRINTED].checks
    corrected = sign.curves[explorable.sign.CORRECTED].checks
    assert len(printed) == len(corrected) == sign.count
    assert all(report.complementary(a, b) for a, b in zip(printed, corrected, strict=True))


def test_unnormalised_scales_are_one_check_not_three():
    """Unnormalised: the three rescaled sample sets are the same samples, so one estimate."""
    scales, n = [1e-3, 1.0, 1e3], 100_000
    rescaled = demos.rescaled_samples(1.0, 3.0, scales, 0.5, n, np.random.default_rng(3))
    checks = [check_proportion(np.count_nonzero(row > 0.5), n, 0.25) for row in rescaled]
    assert report.distinct_estimates(checks) == 1 < len(checks)
    assert checks[0].consistent


def test_errata_corrected_confirmations_give_one_estimate():
    """Errata: of the 7 confirmations, the 4 of the corrected forms share one estimate."""
    evidence = report.proportion_evidence(derivation.verify_all())
    corrected = [c for label, _, c in evidence if label.endswith("(corrected)")]
    assert len(corrected) == 4 and report.distinct_estimates(corrected) == 1
    assert len(evidence) == 7 and report.distinct_estimates(c for *_, c in evidence) == 4


def test_gumbel_difference_qq_extremes_stray_while_the_bulk_stays_in_its_band():
    """Gumbel difference, QQ plot at the page's seed: the most extreme samples leave the diagonal.

    Every order statistic stays inside its exact band (the k-th of n uniforms is
    Beta(k, n + 1 - k)), at a family-wise false-alarm rate of at most 10^-6 over the n
    points (Bonferroni); the band is wide at the extremes, and the two most extreme
    samples lie visibly off the diagonal at the plotting positions (i - 1/2) / n.
    """
    from scipy import stats

    from binary_gumbel import noise

    n = 100_000
    diff, _ = demos.gumbel_difference(1.0, -0.5, n, np.random.default_rng(20261127))
    centred = np.sort(diff - 1.5)
    k = np.arange(1, n + 1)
    rate = 1e-6 / n
    low = stats.beta.ppf(rate / 2, k, n + 1 - k)
    high = stats.beta.isf(rate / 2, k, n + 1 - k)
    position = noise.logistic_cdf(centred)
    assert np.all((low <= position) & (position <= high))
    claimed = noise.logistic_from_uniform((k - 0.5) / n)
    assert centred[-1] - claimed[-1] > 1.0 and claimed[0] - centred[0] > 1.0
    # "as extreme order statistics do": at any seed, the extremes' central 95 % ranges are
    # wider than that offset on the figure's scale, the bulk's far narrower (at this seed
    # both extremes stray by more than 1; with the seed shifted they mostly do not).
    ends = np.array([1, n // 2, n])
    typical = [stats.beta.ppf(q, ends, n + 1 - ends) for q in (0.025, 0.975)]
    width = np.diff(noise.logistic_from_uniform(np.array(typical)), axis=0)[0]
    assert width[0] > 1.0 and width[2] > 1.0 and width[1] < 0.1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: demos.gumbel_difference([0.0, 1.0], 0.0, 10), r"^loc1 must be a single number"),
        (lambda: demos.gumbel_difference(0.0, np.zeros((1, 1)), 10), r"^loc2 must be a single"),
        (lambda: demos.coupled_binary_and_two_class([0.5, 1.0], 1.0, 10), r"^logit must be a"),
        (lambda: demos.sign_flip_fit(0.7, [0.5, 1.0]), r"^tau must be a single number"),
        (lambda: demos.sign_flip_fit([0.7, 0.2], 0.5), r"^target must be a single number"),
        (lambda: demos.sign_flip_fit(0.7, 0.5, prior=[0.2]), r"^prior must be a single number"),
        (lambda: demos.sign_flip_fit(0.7, 0.5, weight=[1.0, 2.0]), r"^weight must be a single"),
    ],
)
def test_an_array_where_one_number_is_expected_is_named_with_its_shape(call, match):
    with pytest.raises(ValueError, match=match + r".*; got shape \("):
        call()


def test_sign_flip_fit_names_a_weight_that_is_not_a_number():
    with pytest.raises(TypeError, match="^weight must be a real number"):
        demos.sign_flip_fit(0.7, 0.5, weight="1")


def test_exceedance_curve_evaluates_each_point_at_its_own_value():
    """p = 1 - 1e-9 is not p = 1 (where nsimplify had put it, so that every draw was NaN and
    the corrected form's estimate 0 against its exact 1); p = 1e-200 gives no OverflowError."""
    near_one, tiny = 1 - 1e-9, 1e-200
    points = [{symbolic.p: near_one}, {symbolic.p: tiny}]
    written = demos.exceedance_curve(note.EQ1, points, symbolic.p, 20, seed=8)
    fixed = demos.exceedance_curve(note.CORRECTED_EQ1, points, symbolic.p, 20, seed=8)
    assert written.exact.tolist() == [float(1 - sp.Rational(near_one)), 1.0]
    assert fixed.exact.tolist() == [near_one, tiny]
    assert fixed.estimates.tolist() == [1.0, 0.0]
    assert written.estimates.tolist() == [0.0, 1.0]
