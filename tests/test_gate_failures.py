"""Where the hard concrete gates miss best subset: the chapter's diagnostics, and its claims.

The chapter-scale tests run the chapter's own problem, penalty grid and training seed
(``chapter`` below), so that each one re-checks a sentence of chapters/hard_concrete.md.
"""

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import stats

from binary_gumbel import hard_concrete as hc
from binary_gumbel.book import prose
from binary_gumbel.estimators import gate_failures as gf
from binary_gumbel.estimators import l0_gates, sparse_data
from binary_gumbel.estimators import sparse_regression as sr

#: False-alarm rate of the statistical assertions below (the sign test of the misses), per
#: assertion. The other chapter-scale assertions describe the chapter's one seeded run: each
#: bound keeps a margin over what reruns with the training seed shifted showed, and the
#: comment or docstring beside it gives both.
FALSE_ALARM = 1e-3


@pytest.fixture(scope="module")
def small():
    p = sparse_data.make_problems(
        seeds=5, n=60, n_test=50, d=6, weights=(1.0, -0.3), support=(0, 3)
    )
    subsets = sparse_data.enumerate_subsets(p)
    fit = l0_gates.train_gates(p, [0.005, 0.05], rng=3, steps=300)
    return p, subsets, fit, sr.compare(p, subsets, fit)


@pytest.fixture(scope="module")
def chapter():
    """The chapter's sweep: its problem, grid and training seed."""
    problem = sparse_data.make_problems(seeds=40)
    subsets = sparse_data.enumerate_subsets(problem)
    lam_bic = sparse_data.bic_penalty(problem)
    lams = np.sort(np.append(np.geomspace(0.002, 0.3, 8), lam_bic))
    fit = l0_gates.train_gates(problem, lams, rng=7)
    bic = int(np.argmin(np.abs(lams - lam_bic)))
    return problem, subsets, lams, fit, sr.compare(problem, subsets, fit), bic


def test_the_gap_where_the_gates_miss_is_widest_at_the_sweeps_edge_and_grows_below_it(chapter):
    """hard_concrete: averaged over the missed datasets, the gates' objective gap stays below
    one feature's price across the sweep, widest at its smallest lambda; on a grid three
    octaves further down (the chapter's extension), its mean at the bottom is larger than
    the sweep's widest, and its interval is not resolved from that price.

    With the training seed shifted (rng = 7 + 0, 101, ..., 707: eight draws) each of these
    held on every draw: the widest mean gap
    at the sweep's smallest lambda (0.57 to 0.80), the mean at the bottom of the grid
    below larger (0.92 to 1.41; by 0.27 at least), its 95 % interval across 1 (by 0.11
    at least). Two assertions of an earlier version held on the seeded draw only and were
    dropped, and the chapter corrected: that the two 95 % intervals are apart (the
    seeded draw by 0.15; the seven others overlap, by 0.13 to 0.53), and that the mean
    at the bottom exceeds 1 (0.92 at rng = 411). The interval's margin from 1 was smallest on
    the seeded draw itself (its lower end 0.890, so 0.110). The chapter words the first as a
    hypothesis about other training draws; the test asserts no single other draw, since a
    draw is as sensitive to the machine's floating point as to its seed."""
    problem, subsets, lams, _, comps, _ = chapter
    rows = sr.sweep(comps)
    means = [r.mean_miss_gap for r in rows]
    assert int(np.argmax(means)) == 0 and max(means) < 1
    text = prose.sweep_text(rows)
    assert text.largest_gap_where == f"λ = {lams[0]:.3g}, at the grid's edge"
    below_lams = np.geomspace(lams[0] / 8, lams[0], 4)
    fit = l0_gates.train_gates(problem, below_lams, rng=7)
    below = sr.sweep(sr.compare(problem, subsets, fit))
    assert below[0].mean_miss_gap > max(means)
    # With Student-t intervals over the missed datasets (95 %, per interval): not
    # resolved from one feature's price.
    found = prose.gap_below_text(rows, below, comps[0].false_alarm)
    # (its interval cannot then lie below the sweep's widest: it contains its own mean)
    assert found.verdict == "not resolved from"


def test_near_ties_are_the_two_smallest_objectives_by_brute_force(small):
    _, subsets, _, _ = small
    lams = [0.005, 0.05]
    near = gf.near_ties(subsets, lams, within=0.5)
    for s, (j, lam) in itertools.product(range(5), enumerate(lams)):
        values = sorted(subsets.mse[s, k] + lam * subsets.sizes[k] for k in range(64))
        assert near[s, j] == (values[1] - values[0] < 0.5 * lam)
    assert near.shape == (5, 2)
    wider = gf.near_ties(subsets, lams, within=100.0)
    assert wider.all() and np.all(wider >= near)


def test_pooled_miss_rates_count_every_pair(small):
    _, subsets, _, comps = small
    near = gf.near_ties(subsets, [c.lam for c in comps])
    tied, n_tied, clear, n_clear = gf.near_tie_pooled(near, comps)
    agree = np.stack([c.gates_match_best for c in comps], axis=1)
    assert n_tied + n_clear == agree.size and n_tied == near.sum()
    misses = (~agree).sum()
    tied_misses = (~agree[near]).sum()
    assert tied * n_tied == pytest.approx(tied_misses) if n_tied else np.isnan(tied)
    assert clear * n_clear == pytest.approx(misses - tied_misses)
    with pytest.raises(ValueError, match="near has shape"):
        gf.near_tie_pooled(near[:, :1], comps)


def test_near_tie_split_counts_the_misses_by_brute_force(small):
    _, subsets, _, comps = small
    near = gf.near_ties(subsets, [c.lam for c in comps], within=0.5)
    clear, tied = gf.near_tie_split(near, comps)
    assert clear.shape == tied.shape == (len(comps), 2)
    for j, c in enumerate(comps):
        for s, miss in enumerate(~c.gates_match_best):
            target = tied if near[s, j] else clear
            target[j] -= (int(miss), 1)
    assert not clear.any() and not tied.any()
    with pytest.raises(ValueError, match="near has shape"):
        gf.near_tie_split(near[:, :1], comps)


def test_size_errors_count_and_test_the_pairs(small):
    *_, comps = small
    for c in comps:
        e = gf.size_errors(c)
        gates = c.method(sr.GATES).support.sum(-1)
        best = c.method(sr.BEST).support.sum(-1)
        assert (e.over_count, e.under_count) == (np.sum(gates > best), np.sum(gates < best))
        ci = stats.binomtest(e.over_count, 5).proportion_ci(0.95, method="exact")
        assert (e.over.low, e.over.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
        differ = e.over_count + e.under_count
        expected = stats.binomtest(e.over_count, differ).pvalue if differ else 1.0
        assert e.sign_p == pytest.approx(expected)


def test_last_flip_records_the_last_change_of_each_selection():
    p = sparse_data.make_problems(seeds=3, n=60, n_test=10, d=5, weights=(1.0,), support=(0,))
    one = l0_gates.train_gates(p, [0.05, 2.0], rng=1, steps=1)
    # Every gate starts selected (logit 0): after one step it flipped iff it is now off.
    np.testing.assert_array_equal(one.last_flip == 1, ~one.support)
    fit = l0_gates.train_gates(p, [0.05, 2.0], rng=1, steps=200)
    assert fit.last_flip.max() <= 200 and fit.last_flip.min() >= 0
    np.testing.assert_array_equal(fit.support[fit.last_flip == 0], True)
    freeze = gf.freeze_summary(fit)
    np.testing.assert_array_equal(freeze.last_change, fit.last_flip.max(axis=-1))
    assert freeze.share_final_by(200) == 1.0
    assert freeze.median_abs_logit == pytest.approx(np.median(np.abs(fit.logit)))
    # The released code's clip, and a continued fit with new Adam moments.
    clipped = l0_gates.train_gates(p, [0.05, 2.0], rng=1, steps=200, logit_bounds=(-1.0, 1.5))
    assert clipped.logit.min() >= -1.0 and clipped.logit.max() <= 1.5
    more = l0_gates.train_gates(p, [0.05, 2.0], rng=2, steps=5, start=fit)
    assert more.steps == 5 and not np.array_equal(more.logit, fit.logit)
    np.testing.assert_array_equal(l0_gates.test_gate(more.logit), more.test_gate)


def test_bad_input(small):
    p, subsets, fit, _ = small
    with pytest.raises(ValueError, match="^lam must hold positive"):
        gf.near_ties(subsets, [0.0])
    with pytest.raises(ValueError, match="^within must be positive"):
        gf.near_ties(subsets, [0.1], within=0)
    with pytest.raises(ValueError, match="^start must be a fit of the same problem and lam"):
        l0_gates.train_gates(p, [0.1], start=fit)
    with pytest.raises(ValueError, match="^logit_bounds must be"):
        l0_gates.train_gates(p, [0.1], logit_bounds=(1.0, -1.0))


def test_texts_and_table_format_the_diagnostics(small):
    _, subsets, fit, comps = small
    text = prose.failure_text(subsets, comps, fit, headline=1, ends=1)
    assert all(isinstance(v, str) for v in dataclasses.asdict(text).values())
    assert text.steps == "300"
    table = prose.failure_table(subsets, comps)
    assert table.count("\n") == 1 + len(comps) and "/5 (" in table
    with pytest.raises(ValueError, match="^ends must lie"):
        prose.failure_text(subsets, comps, fit, headline=1, ends=2)


def test_switching_paths_switch_each_differing_gate_alone(small):
    p, subsets, fit, comps = small
    column = 1
    paths = gf.switching_paths(p, subsets, fit, column, points=50)
    best = subsets.masks[sparse_data.best_subset(subsets, fit.lam[column])]
    rows, features = np.nonzero(fit.support[:, column] != best)
    differ = set(zip(rows.tolist(), features.tolist(), strict=True))
    assert set(zip(paths.dataset.tolist(), paths.feature.tolist(), strict=True)) == differ
    assert differ
    np.testing.assert_array_equal(paths.closing, fit.support[paths.dataset, column, paths.feature])
    G, b, c = p.gram()
    for row, (s, j) in enumerate(zip(paths.dataset, paths.feature, strict=True)):
        logits = np.repeat(fit.logit[s, column][None], paths.logits.shape[1], axis=0)
        logits[:, j] = paths.logits[row]
        assert paths.logits[row, 0] == fit.logit[s, column, j]
        assert paths.logits[row, -1] == (-np.inf if paths.closing[row] else np.inf)
        direct = l0_gates.refitted_objective(
            logits, G[s], b[s], c[s], fit.lam[column], fit.tau, fit.gamma, fit.zeta
        )[0]
        np.testing.assert_allclose(paths.objective[row], direct, rtol=1e-12)
        logits[:, j] = paths.away_logits[row]
        away = l0_gates.refitted_objective(
            logits, G[s], b[s], c[s], fit.lam[column], fit.tau, fit.gamma, fit.zeta
        )[0]
        np.testing.assert_allclose(paths.away_objective[row], away, rtol=1e-12)
        assert paths.away_logits[row, -1] == (np.inf if paths.closing[row] else -np.inf)
        trained = l0_gates.expected_objective(
            fit.theta[s, column], fit.logit[s, column], G[s], b[s], c[s], fit.lam[column],
            fit.tau, fit.gamma, fit.zeta,
        )  # fmt: skip
        assert paths.trained[row] == trained and trained >= paths.objective[row, 0]
    with pytest.raises(ValueError, match="^column must index fit.lam"):
        gf.switching_paths(p, subsets, fit, 2)
    # An open gate's logit can be as low as logit(1/12) = -2.4: a reach of 1 is too short.
    first = int(np.argmax(paths.closing))
    assert paths.closing[first]
    s, j = paths.dataset[first], paths.feature[first]
    logit = fit.logit.copy()
    logit[s, column, j] = -2.0
    low = dataclasses.replace(fit, logit=logit)
    assert low.support[s, column, j]
    with pytest.raises(ValueError, match="does not lie beyond every switched logit"):
        gf.switching_paths(p, subsets, low, column, reach=1.0)


def test_switching_path_properties_on_made_up_paths():
    logits = np.array([[5.0, 2.0, 0.0, -2.0, -np.inf]] * 3)
    objective = np.array(
        [[0.0, 0.1, 0.3, 0.2, -0.1], [0.0, -0.1, 0.2, 0.1, 0.4], [0.0, 0.0, 0.0, -0.1, -0.2]]
    )
    penalty = np.array([[0.1, 0.08, 0.05, 0.02, 0.0]] * 3)
    away = np.array([[0.0, -0.01, -0.02, -0.02, -0.03], [0.0, 0.01, 0.0, 0.0, 0.0], [0.0] * 5])
    paths = gf.SwitchingPaths(
        0.1, np.arange(3), np.zeros(3, int), np.ones(3, bool), logits, objective, penalty,
        -logits, away, np.array([0.01, 0.0, 0.02]),
    )  # fmt: skip
    np.testing.assert_allclose(paths.rise, [0.3, 0.4, 0.0])
    np.testing.assert_array_equal(paths.peak_logit, [0.0, -np.inf, 5.0])
    np.testing.assert_array_equal(paths.climbs_to_peak, [True, False, True])
    np.testing.assert_array_equal(paths.ends_lower, [True, False, True])
    np.testing.assert_allclose(paths.fit, objective - penalty)
    np.testing.assert_allclose(paths.away_fall, [0.03, 0.0, 0.0])
    np.testing.assert_array_equal(paths.falls_away, [True, False, True])
    np.testing.assert_allclose(paths.trained_excess, [0.01, 0.0, 0.02])


def test_the_switching_figure_draws_every_path_on_its_side(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from binary_gumbel.book import figures

    p, subsets, fit, _ = small
    paths = [gf.switching_paths(p, subsets, fit, j, points=20) for j in range(2)]
    closing = sum(int(x.closing.sum()) for x in paths)
    opening = sum(int((~x.closing).sum()) for x in paths)
    fig, axes = figures.new_figure(ncols=2)
    figures.plot_switching_paths(axes, paths)
    # Each path as a curve and its trained fit as a dot, plus the zero line on each panel.
    assert len(axes[0].lines) == 2 * closing + 1 and len(axes[1].lines) == 2 * opening + 1
    labels = {t.get_text() for t in fig.legends[0].get_texts()}
    assert labels == {"expected objective", "trained logit"}
    with pytest.raises(ValueError, match="axes must hold 2 axes"):
        figures.plot_switching_paths(axes[:1], paths)
    with pytest.raises(ValueError, match="paths must not be empty"):
        figures.plot_switching_paths(axes, [])
    plt.close(fig)


def test_switching_text_refuses_no_paths(small):
    p, subsets, fit, _ = small
    paths = gf.switching_paths(p, subsets, fit, 1)
    empty = paths._replace(**{f: getattr(paths, f)[:0] for f in paths._fields[1:]})
    with pytest.raises(ValueError, match="paths must hold at least one switched gate"):
        prose.switching_text([empty])


# --- the chapter's claims ------------------------------------------------------------------


def test_near_ties_do_not_account_for_the_misses_at_small_lambda(chapter):
    """The chapter once said 'Near-ties are not concentrated at small lambda' and 'do not
    explain where along lambda the gates fail', from the two end points alone. Over the
    three smallest and the three largest lambda, near-ties are more common at the small
    ones on average; but among the datasets without a near-tie the gates still miss more
    often at every small lambda than at any large one. The datasets recur at every lambda,
    so these are descriptive shares of the chapter's seeded sweep."""
    _, subsets, lams, fit, comps, bic = chapter
    near = gf.near_ties(subsets, lams)
    assert near[:, :3].mean() > near[:, -3:].mean()
    clear, _ = gf.near_tie_split(near, comps)
    share = clear[:, 0] / clear[:, 1]
    assert share[:3].min() > share[-3:].max(), share
    text = prose.failure_text(subsets, comps, fit, bic)
    assert text.near_verdict == "more common"
    assert text.account_verdict == "they do not account for the pattern"


def test_at_the_bic_penalty_the_gates_keep_more_features_more_often_and_every_gate_is_open(chapter):
    """The chapter once called the misses at the BIC penalty one-sided: on its sweep the gates
    keep fewer features than best subset on some datasets too, though more on most. It also
    gave the share of selected gates with z_hat exactly 1 pooled over the sweep, in a
    paragraph about the BIC penalty: there, every selected gate is exactly 1.

    An earlier version asserted that the exact sign test on the chapter's forty datasets
    resolves "more" from "fewer" at the page's rate (0.05), and the chapter called the
    misses "mostly one-sided" on that verdict. With the training seed shifted
    (rng = 7 + 0, 101, ..., 707: eight draws) p was 0.021
    to 0.146, below 0.05 on two draws only, while the gates kept more features than best
    subset on more datasets than fewer on every draw (9 to 13 against 2 or 3). That
    assertion backed a claim that depends on the draw; it was dropped, and the chapter
    now gives p for its run only, with a hypothesis about other draws. The excess itself
    is tested with three times the datasets, at 1e-3
    (test_at_the_bic_penalty_the_gates_keep_more_features_more_often_on_120_datasets)."""
    _, subsets, _, fit, comps, bic = chapter
    e = gf.size_errors(comps[bic])
    assert 0 < e.under_count < e.over_count
    text = prose.failure_text(subsets, comps, fit, bic)
    at = fit.test_gate[:, bic]
    assert np.all(at[at > 0] == 1) and text.exact_one == "1.000"
    assert np.mean(fit.test_gate[fit.test_gate > 0] == 1) < 1


def test_at_the_bic_penalty_the_gates_keep_more_features_more_often_on_120_datasets():
    """Three times the chapter's datasets (another generator seed), at the BIC penalty.

    The chapter's claim, that the gates keep more features than best subset more often
    than fewer, is decided by the exact sign test paired by dataset, at FALSE_ALARM.
    With the training seed shifted (rng = 11 + 0, 101, ..., 909: ten draws) it gave
    p = 1.2e-7 to 3.9e-5, 25 times below FALSE_ALARM or more, with 28 to 36 datasets
    over and 3 to 6 under. An earlier version also asserted that the two Clopper-Pearson
    intervals (the shares over and under, at FALSE_ALARM each) are apart. That held on
    the seeded draw by 0.023, by 0.003 to 0.050 on eight other draws and failed on one
    (rng = 617: -0.010): a claim that depends on the draw, and not a valid test of
    paired counts, which the sign test is. It was dropped."""
    p = sparse_data.make_problems(seeds=120, seed=2019)
    subsets = sparse_data.enumerate_subsets(p)
    fit = l0_gates.train_gates(p, [sparse_data.bic_penalty(p)], rng=11)
    (comparison,) = sr.compare(p, subsets, fit, false_alarm=FALSE_ALARM)
    e = gf.size_errors(comparison)
    assert e.over_count > e.under_count
    assert e.sign_p < FALSE_ALARM  # the exact sign test, paired by dataset


def test_the_selection_survives_the_reference_clip_and_fresh_adam_moments(chapter):
    """The old text: a saturated gate 'never flips again' because its penalty gradient
    vanishes. With the released code's clip on the logit the penalty gradient stays away
    from 0; with fresh Adam moments no memory of early gradients shrinks the steps. At the
    BIC penalty and above, neither changes more than a small share of the selections (in
    the chapter's run, none).

    With the training seed shifted (rng = 7 + 0, 101, ..., 909: ten draws), the clip
    changed the selection of 1 of the 200 (dataset, lambda) pairs at the BIC penalty and
    above at rng = 411, and of none on the nine others; the continued fit changed none on
    all ten. An earlier version asked that no selection change, true on the seeded draw
    only; the test now allows a share of 0.05 (ten times the largest seen), and the
    chapter says "at most a few selections, a fraction of the misses". The median |logit|
    of the continued fit was 13.4 to 13.5 against 7.4 trained."""
    problem, _, lams, fit, comps, bic = chapter
    clipped = l0_gates.train_gates(
        problem, lams, rng=7, logit_bounds=l0_gates.REFERENCE_LOGIT_BOUNDS
    )
    # the misses there, (dataset, lambda) pairs where the gates' support is not best subset's
    missed = sum(int(np.sum(~c.gates_match_best)) for c in comps[bic:])
    more = l0_gates.train_gates(problem, lams, rng=8, start=fit)
    assert np.abs(clipped.logit).max() <= np.log(100) + 1e-12
    assert np.median(np.abs(fit.logit)) > np.log(100)  # the book's logits go beyond the clip
    for other in (clipped, more):
        changed = np.any(other.support[:, bic:] != fit.support[:, bic:], axis=-1)
        assert changed.mean() <= 0.05, f"{changed.sum()} of {changed.size} selections changed"
        # so the changes could account for a few of the misses at most
        assert changed.mean() * changed.size * 4 <= missed
    # The continued gates do move: further from the threshold, not across it.
    assert np.median(np.abs(more.logit)) > np.median(np.abs(fit.logit))
    # Over the whole fit, 90 % of the selections were final well before the end: by 0.6 of
    # the steps. (By half of them, asked before, held on thirty draws with the seed shifted
    # by 0.908 to 0.944, 3 of 360 pairs from failing at worst; the step at which 90 % were
    # final was 597 to 707 of 1,500.)
    assert gf.freeze_summary(fit).share_final_by(int(0.6 * fit.steps)) >= 0.9


@pytest.fixture(scope="module")
def open_start(chapter):
    """The chapter's sweep trained from the open start of ex-hc-init."""
    problem, _, lams, *_ = chapter
    return l0_gates.train_gates(problem, lams, rng=7, init_logit=2.0)


def test_exercise_ex_hc_init_solution(chapter, open_start):
    """The solution of ex-hc-init, on the chapter's sweep with init_logit=2.0. (The solution
    once reported only the two penalties where the open start recovers the true support
    more often than best subset, not the fall where recovery had been best; with the
    training seed at 7, 108, 209 and 310 the recovery at the BIC penalty fell from 0.55-0.60
    to 0.10, and the default's best column was the BIC penalty's or the next; its two best
    columns were those two at seeds 7 and 310, not at 108 and 209, where the penalty above
    them tied or passed the BIC penalty's, so the solution says "in this run"; at the
    penalty below the two largest the open start's recovery was one dataset below best
    subset's at seed 7 and equal at 108.)"""
    problem, subsets, lams, fit, comps, bic = chapter
    opened = sr.compare(problem, subsets, open_start)
    for before, after in zip(comps, opened, strict=True):
        gates = after.method(sr.GATES).support.sum(-1).mean()
        assert gates > after.method(sr.BEST).support.sum(-1).mean()
        assert after.agreement().estimate < before.agreement().estimate
    assert opened[bic].agreement().estimate < 0.5
    assert opened[bic].agreement().high < 0.5  # 'well under one half', at 95 %
    for after in opened[-2:]:
        assert after.recovery(sr.GATES).estimate > after.recovery(sr.BEST).estimate
        assert after.false_counts(sr.GATES)[1] < after.false_counts(sr.BEST)[1]
    for after in opened[:-2]:  # 'only at the two largest penalties'
        assert after.recovery(sr.GATES).estimate <= after.recovery(sr.BEST).estimate
    # The two penalties where the default start recovered the true support most often are
    # the BIC penalty and the next one up; there the open start recovers it less often than
    # the default start and than best subset.
    default = [c.recovery(sr.GATES).estimate for c in comps]
    assert min(default[bic], default[bic + 1]) > max(np.delete(default, [bic, bic + 1]))
    for c in (bic, bic + 1):
        fell = opened[c].recovery(sr.GATES).estimate
        assert fell < default[c] and fell < opened[c].recovery(sr.BEST).estimate


def test_exercise_ex_hc_init_open_start_keeps_its_extra_gates_open(chapter, open_start):
    """The solution of ex-hc-init, on how the open start keeps its extra gates: followed
    through checkpoints of both runs (the same seed), and the closing paths of its fit.

    With the training seed shifted (rng = 7 + 0, 101, ..., 707: eight draws) the share of
    the extra gates near their least-squares weight grew at every checkpoint on every
    draw, to 0.987 to 1.0 at the end. Two assertions of an earlier version held on some
    draws only and were loosened, and the solution corrected: that this share passes 0.95
    from step 400 on (0.930 to 0.946 at step 400 on four draws, rng = 209, 310, 613, 714),
    and that every closing path of the open start's fit climbs (at rng = 209, 310 and 613
    one path of 226 to 243 falls from its start, without a climb); the test now asks 0.95
    at the end, and a climb and a fall on at least 0.98 of the closing paths."""
    problem, subsets, lams, _, _, bic = chapter
    opened = open_start
    best = subsets.masks[sparse_data.best_subset(subsets, lams)]
    extra = opened.support & ~best & (np.arange(lams.size) >= bic)[None, :, None]
    steps = np.array([10, 50, 100, 200, 400, opened.steps])
    run = gf.gate_course(problem, subsets, lams, extra, steps, rng=7, init_logit=2.0)
    default = gf.gate_course(problem, subsets, lams, extra, steps, rng=7)
    assert np.all(run.selected == 1)
    assert np.all(np.diff(run.median_logit) > 0)
    assert np.all(np.diff(run.near_refit) > 0) and run.near_refit[-1] >= 0.95
    assert np.all(np.diff(default.median_logit) < 0)
    assert np.all(default.selected[steps >= 200] < 0.5)
    assert np.all(np.diff(default.median_weight) < 0)
    assert default.median_weight[-1] < 0.01 * default.median_weight[0]
    shapes = []
    for column in range(bic, lams.size):
        # 100 points a path: the test asks only whether each path climbs and then falls.
        paths = gf.switching_paths(problem, subsets, opened, column, points=100)
        closing = paths.closing
        assert closing.any()
        climbs = paths.climbs_to_peak[closing] & (paths.rise[closing] > 0)
        top = paths.objective[closing].max(axis=-1)
        shapes.append(climbs & (paths.objective[closing, -1] < top))  # and then falls
    # Seen on eight draws: all but at most one path of 226 to 243 (a share of at least
    # 0.995). Asserted with a margin: 0.98.
    assert np.mean(np.concatenate(shapes)) >= 0.98


def test_gate_course_refuses_bad_input(small):
    p, subsets, fit, _ = small
    chosen = fit.support
    with pytest.raises(TypeError, match="^rng must be an integer seed"):
        gf.gate_course(p, subsets, fit.lam, chosen, [5], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="^steps must be increasing positive step counts"):
        gf.gate_course(p, subsets, fit.lam, chosen, [5, 5], rng=0)
    with pytest.raises(ValueError, match="^chosen must be a boolean mask of shape"):
        gf.gate_course(p, subsets, fit.lam, chosen[:, :1], [5], rng=0)
    with pytest.raises(ValueError, match="^within must be positive"):
        gf.gate_course(p, subsets, fit.lam, chosen, [5], rng=0, within=0)


def test_gate_course_checkpoints_are_the_start_of_one_run(small, monkeypatch):
    """Each checkpoint is the first k steps of one run: the logits a 20-step run holds after
    step k (recorded where train_gates checks its selection after every step) are exactly
    those of a k-step run with the same seed."""
    p, _, fit, _ = small
    seen, original = [], l0_gates.test_gate

    def recording(logit, *args):
        seen.append(np.array(logit, copy=True))
        return original(logit, *args)

    with monkeypatch.context() as patch:
        patch.setattr(l0_gates, "test_gate", recording)
        l0_gates.train_gates(p, fit.lam, steps=20, rng=3)
    assert len(seen) == 21  # the start, then after every step
    for k in (1, 7, 20):
        direct = l0_gates.train_gates(p, fit.lam, steps=k, rng=3)
        np.testing.assert_array_equal(seen[k], direct.logit)
    assert not np.array_equal(seen[7], seen[20])


@pytest.fixture(scope="module")
def switching(chapter):
    """The chapter's switching paths, at the BIC penalty and above."""
    problem, subsets, lams, fit, _, bic = chapter
    return [gf.switching_paths(problem, subsets, fit, j) for j in range(bic, lams.size)]


def test_every_switching_path_at_the_bic_penalty_and_above_climbs_before_it_falls(switching):
    """The chapter's barrier: on every one-gate path from the trained fit towards best
    subset's choice, the exact expected objective climbs, without a dip, before it falls;
    the gate switched all the way ends lower on some paths only, and where no single
    switch ends lower the gates differ from best subset in more than one feature.

    With the training seed shifted (rng = 7 + 0, 101, ..., 1111: twelve draws, 41 to 52
    paths each) every path climbed and then fell on every draw. Two per-path assertions
    of an earlier version held on the seeded draw only and became shares: that each climb
    is below one lambda (one path of 49 climbed 1.16 lambda at rng = 613; the median climb
    was 0.18 to 0.22 lambda, the largest 0.67 to 0.70 on the eleven others), and that the
    objective at the trained weights exceeds the start by less than the climb (one path of
    51 at rng = 310, by 0.004 lambda more; every path on the eleven others). The chapter
    gives the count for its run ("every path in this run") and words other draws as a
    hypothesis."""
    paths = switching
    rows = sum(p.dataset.size for p in paths)
    closing = np.concatenate([p.closing for p in paths])
    assert rows >= 20 and closing.any() and (~closing).any()
    for p in paths:
        assert np.all(p.climbs_to_peak) and np.all(p.rise > 0)
        assert np.all(p.objective[:, -1] < p.objective.max(axis=-1))  # and then falls
        # At the trained weights the objective is higher than refitted (the refit is the
        # lowest over the weights).
        assert np.all(p.trained_excess >= 0)
    rise = np.concatenate([p.rise / p.lam for p in paths])
    excess = np.concatenate([p.trained_excess / p.lam for p in paths])
    # The climbs, in units of one feature's price. Seen on twelve draws: median at most 0.22,
    # and at most one path of a draw above 1 (a share of at least 0.97 below). Asserted with
    # a margin: median below 0.5, a share of 0.9 below 1.
    assert np.median(rise) < 0.5 and np.mean(rise < 1) >= 0.9
    # The climb beyond the excess. Seen: on at least 50 of 51 paths on every draw. Asserted
    # with a margin: a share of 0.9.
    beyond = rise > excess
    assert np.mean(beyond) >= 0.9
    lower = np.concatenate([p.ends_lower for p in paths])
    assert 0 < lower.sum() < lower.size
    text = prose.switching_text(paths)
    assert text.climbing == "every path" and text.rows == str(rows)
    assert text.ends_lower == f"{lower.sum()} of {lower.size}"
    assert text.others_verdict.endswith("on every such dataset")
    every = "every path" if beyond.all() else f"{beyond.sum()} of the {beyond.size} paths"
    assert text.beyond_excess == every


def test_the_fit_climbs_when_a_gate_closes_and_the_penalty_when_it_opens(switching):
    """What makes the climb: along every closing path the refitted fit never falls and the
    penalty never rises; along every opening path the reverse. The penalty moves by at most
    lam. Away from best subset's choice the objective only falls, towards the saturated
    gate, and by less than the climb."""
    paths = switching
    for p in paths:
        sign = np.where(p.closing, 1.0, -1.0)[:, None]
        assert np.all(np.diff(p.fit, axis=-1) * sign >= -1e-12 * p.lam)
        assert np.all(np.diff(p.penalty, axis=-1) * sign <= 0)
        assert np.all(np.ptp(p.penalty, axis=-1) <= p.lam)
        assert np.all(p.falls_away) and np.all(p.away_fall > 0)
        assert np.all(p.away_fall < p.rise)
    text = prose.switching_text(paths)
    assert text.parts_verdict.startswith("on every closing path the error term only rises")
    assert text.falling_away == "every path"


def test_the_error_term_changes_at_larger_logits_than_the_penalty(switching):
    """Along every path the penalty makes half of its change near the logit at which the gate
    is shut half of the time, and the error term at a larger logit. (The order alone does
    not make the climb, which also depends on the sizes of the two changes; the chapter
    says so.)"""
    half_shut = hc.logit_for_prob_zero(0.5, 2 / 3)
    for p in switching:
        penalty, error = p.half_change_logit(p.penalty), p.half_change_logit(p.fit)
        assert np.all(np.abs(penalty - half_shut) < 0.05)
        assert np.all(error > penalty + 0.5)
    text = prose.switching_text(switching)
    assert text.order_verdict == "every path"


def test_half_change_logit_interpolates_the_first_crossing():
    logits = np.array([[4.0, 2.0, 0.0, -2.0, -np.inf], [-4.0, -2.0, 0.0, 2.0, np.inf]])
    values = np.array([[1.0, 1.0, 0.5, 0.0, 0.0], [0.0, 0.2, 0.6, 1.0, 1.0]])
    paths = gf.SwitchingPaths(
        0.1, np.arange(2), np.zeros(2, int), np.array([True, False]), logits, values, values,
        -logits, values, np.zeros(2),
    )  # fmt: skip
    np.testing.assert_allclose(paths.half_change_logit(values), [0.0, -0.5])
    flat = np.ones_like(values)
    np.testing.assert_array_equal(paths.half_change_logit(flat), logits[:, 0])
    # Half the change only past the last finite point: the crossing is the infinite end.
    late = np.array([[0.0, 0.1, 0.2, 0.3, 1.0], [0.0, 0.0, 0.0, 0.1, 1.0]])
    np.testing.assert_array_equal(paths.half_change_logit(late), [-np.inf, np.inf])


def test_near_ties_at_penalties_beyond_the_doubles_and_bad_lam_or_within(small):
    """lam = 1e308 warned of an overflow in lam |S|, lam = inf passed the check and gave NaN
    objectives (inf * 0); a string within failed in a comparison. At lam = 1e308 the
    second-best support costs about lam more than the empty one, far beyond within * lam:
    no near-tie; with within = 10 the bound overflows to inf and holds that gap."""
    _, subsets, _, _ = small
    seeds = subsets.mse.shape[0]
    np.testing.assert_array_equal(gf.near_ties(subsets, 1e308), np.zeros((seeds, 1), bool))
    np.testing.assert_array_equal(
        gf.near_ties(subsets, [1e308], within=10.0), np.ones((seeds, 1), bool)
    )
    for lam in [np.inf, [0.1, np.nan]]:
        with pytest.raises(ValueError, match="^lam must be finite"):
            gf.near_ties(subsets, lam)
    with pytest.raises(ValueError, match="^lam must hold positive"):
        gf.near_ties(subsets, -1.0)
    with pytest.raises(TypeError, match="^within must be a real number"):
        gf.near_ties(subsets, [0.1], within="a")
    with pytest.raises(ValueError, match="^within must be a single number"):
        gf.near_ties(subsets, [0.1], within=[0.1, 0.2])
