"""The benchmark runs and reports its measurements; no timing is asserted."""

import json

import numpy as np
import pytest

from binary_gumbel import bench

#: The most elements a NumPy array can hold.
LARGEST_COUNT = int(np.iinfo(np.intp).max)


def test_run_benchmark_small():
    result = bench.run_benchmark(n=2000, repeats=2)
    routes = [t.route for t in result.timings]
    assert {"library", "two_class", "uniform", "library_float32"} <= set(routes)
    for t in result.timings:
        assert len(t.seconds) == 2 and t.ns_per_sample > 0
    r = result.ratios
    assert r["two_class_over_library"] > 0 and r["library_over_uniform"] > 0
    assert result.peak_memory_ratio["library"] >= 1  # the output itself is allocated
    assert [g.met is None for g in result.goals] == [
        g.value is None for g in result.goals
    ]  # a goal without a measurement has no verdict
    if not result.torch_available:
        assert r["torch_over_library"] is None
    assert "two-class" in bench.format_result(result)


def test_cli_json(capsys):
    assert bench.main(["--n", "1000", "--repeats", "1", "--json", "--dtype", "float32"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"n", "repeats", "tau", "logit", "dtype", "timings", "ratios", "goals"} <= set(data)
    assert data["n"] == 1000 and data["dtype"] == "float32"
    assert {t["route"] for t in data["timings"]} >= {"library", "two_class", "uniform"}


@pytest.mark.parametrize(("p", "logit"), [("0", "-Infinity"), ("1", "Infinity")])
def test_cli_json_is_strict_json_at_p_zero_and_one(capsys, p, logit):
    """The logit ±∞ was printed as the bare -Infinity, which strict JSON parsers refuse."""
    assert bench.main(["--n", "100", "--repeats", "1", "--json", "--p", p]) == 0
    out = capsys.readouterr().out

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    assert json.loads(out, parse_constant=refuse)["logit"] == logit


def test_cli_text(capsys):
    assert bench.main(["--n", "500", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "ns/sample" in out and "goals:" in out


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"^n must be >= 1; got 0"):
        bench.run_benchmark(n=0)


@pytest.mark.parametrize(
    ("run", "kwargs", "message"),
    [
        (bench.run_benchmark, {"n": 2.5}, r"^n must be an integer; got 2\.5"),
        (bench.run_benchmark, {"repeats": 1.9}, r"^repeats must be an integer; got 1\.9"),
        (bench.run_benchmark, {"n": True}, r"^n must be an integer; got True"),
        (bench.uniform_after_two_class, {"n": 1000.5}, r"^n must be an integer"),
        (bench.uniform_after_two_class, {"repeats": 2.5}, r"^repeats must be an integer"),
        (bench.paired_tau_comparison, {"n": 500.7}, r"^n must be an integer"),
        (bench.paired_tau_comparison, {"rounds": 6.9}, r"^rounds must be an integer"),
    ],
)
def test_a_count_that_is_not_a_whole_number_is_refused_not_truncated(run, kwargs, message):
    """``int()`` once cut 2.5 samples to 2 and 1.9 repeats to 1 without a word."""
    with pytest.raises(TypeError, match=message):
        run(**kwargs)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "0"], "argument --n: expected a positive integer"),
        (["--repeats", "2.5"], "argument --repeats: expected a positive integer"),
        (["--n", "100", "--repeats", "1", "--tau", "-1"], "tau must be a positive"),
        (["--n", "100", "--repeats", "1", "--p", "2"], "p must be a probability"),
        (["--n", "100", "--repeats", "1", "--seed", "-1"], "seed must be >= 0; got -1"),
        (["--n", "1e30"], f"n must be at most {LARGEST_COUNT}"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_message(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        bench.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_library_and_uniform_routes_write_into_outputs_allocated_before_the_timing():
    """An allocation inside a timed call made the library-over-uniform ratio depend on the
    route before it (the numerics chapter once said any load slows every route alike)."""
    routes = bench.timed_routes(1000, 0.3, 0.85, "float64", seed=0)
    for name in bench.PREALLOCATED:
        first, second = routes[name](), routes[name]()
        assert first is second and first.size == 1000, name
    assert routes["two_class"]() is not routes["two_class"]()
    result = bench.run_benchmark(n=1000, repeats=3)
    assert {t.route for t in result.timings if t.preallocated} == set(bench.PREALLOCATED)


def test_ratio_ranges_come_from_rounds_that_timed_both_routes():
    result = bench.run_benchmark(n=1000, repeats=4)
    seconds = {t.route: t.seconds for t in result.timings}
    for name, (top, bottom) in bench.RATIOS.items():
        spread = result.ratio_ranges[name]
        if result.ratios[name] is None:
            assert spread is None
            continue
        per_round = [a / b for a, b in zip(seconds[top], seconds[bottom], strict=True)]
        assert spread == (min(per_round), max(per_round))
    assert "per-round" in bench.format_result(result)


def test_uniform_after_two_class_times_both_draws():
    times = bench.uniform_after_two_class(n=1000, repeats=2)
    assert set(times) == {"preallocated", "fresh"} and min(times.values()) > 0
    with pytest.raises(ValueError, match=r"^n must be >= 1; got 0"):
        bench.uniform_after_two_class(n=0)


def test_torch_route_uses_the_requested_dtype(monkeypatch):
    """torch is not installed; a stand-in module records the dtype the route asks for."""
    import sys
    import types

    made = []

    class Relaxed:
        def __init__(self, temperature, logits):
            made.append((temperature, logits))

        def rsample(self, shape):
            return shape

    fake = types.SimpleNamespace(
        float32="float32",
        float64="float64",
        set_num_threads=lambda k: None,
        manual_seed=lambda s: None,
        tensor=lambda value, dtype: dtype,
        distributions=types.SimpleNamespace(RelaxedBernoulli=Relaxed),
    )
    monkeypatch.setitem(sys.modules, "torch", fake)
    for dtype in ("float32", "float64"):
        made.clear()
        routes = bench.timed_routes(10, 0.3, 0.85, dtype, seed=0)
        assert routes["torch"]() == (10,)
        assert made == [(dtype, dtype)]


def test_paired_tau_comparison_interleaves_and_returns_per_round_ratios_and_a_p_value():
    """The numerics chapter once compared temperatures by single runs whose ratios landed on
    either side of 1; the paired measurement times all four routes in every round."""
    paired = bench.paired_tau_comparison(n=500, rounds=6, taus=(0.3, 0.01))
    names = set(paired.seconds)
    assert names == {(d, t) for d in ("float64", "float32") for t in (0.3, 0.01)}
    assert len(paired.order) == 6
    assert all(set(one) == names and len(one) == 4 for one in paired.order)
    assert len({one[0] for one in paired.order[:4]}) == 4  # every route goes first in turn
    for d, ratios in paired.tau_ratios.items():
        expected = np.array(paired.seconds[d, 0.01]) / np.array(paired.seconds[d, 0.3])
        assert np.array_equal(ratios, expected) and ratios.size == 6
    for t, ratios in paired.dtype_ratios.items():
        expected = np.array(paired.seconds["float64", t]) / np.array(paired.seconds["float32", t])
        assert np.array_equal(ratios, expected)
    median, low, high, p = paired.summary(paired.tau_ratios["float32"])
    assert low <= median <= high and 0 < p <= 1
    with pytest.raises(ValueError, match=r"^rounds must be >= 1; got 0"):
        bench.paired_tau_comparison(rounds=0)


def test_paired_verdict_follows_the_signed_rank_test_not_one_ratio():
    """Exact two-sided Wilcoxon p-values: 2 / 2**8 when all 8 rounds agree in sign."""
    slower = np.array([1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8])
    assert bench.PairedTaus.p_value(slower) == pytest.approx(2 / 2**8)
    assert bench.PairedTaus.verdict(slower, 0.01) == "slower"
    assert bench.PairedTaus.verdict(1 / slower, 0.01) == "faster"
    mixed = np.array([0.5, 2.1, 0.6, 1.9, 0.7, 1.8, 0.8, 1.7])
    assert bench.PairedTaus.verdict(mixed, 0.01) == "unresolved"
    assert bench.PairedTaus.verdict(slower, 0.001) == "unresolved"


def test_every_ratio_exactly_one_gives_a_p_value_of_one_without_a_warning():
    """A coarse timer can time both routes alike in every round; SciPy's test, left with no
    non-zero difference, divided 0 by 0."""
    ones = [1.0] * 6
    assert bench.PairedTaus.p_value(ones) == 1.0
    assert bench.PairedTaus.summary(ones) == (1.0, 1.0, 1.0, 1.0)
    assert bench.PairedTaus.verdict(ones, 0.05) == "unresolved"


@pytest.mark.parametrize("method", ["p_value", "summary", "verdict"])
@pytest.mark.parametrize(
    ("ratios", "error", "message"),
    [
        ([], ValueError, r"^ratios must be a non-empty one-dimensional array.*shape \(0,\)"),
        ([[1.1, 1.2]], ValueError, r"^ratios must be a non-empty one-dimensional array"),
        ([0, 1, 2], ValueError, r"^ratios must be positive and finite.*got 0\.0"),
        ([-1, 1, 2], ValueError, r"^ratios must be positive and finite.*got -1\.0"),
        ([np.nan, 1, 2], ValueError, r"^ratios must be positive and finite.*got nan"),
        ([1, np.inf], ValueError, r"^ratios must be positive and finite.*got inf"),
        (None, TypeError, r"^ratios must be a real number"),
    ],
)
def test_ratios_that_have_no_logarithm_or_no_round_are_refused_by_name(
    method, ratios, error, message
):
    """Empty, zero, negative, NaN and infinite ratios once gave NaN or NumPy warnings."""
    args = (ratios, 0.05) if method == "verdict" else (ratios,)
    with pytest.raises(error, match=message):
        getattr(bench.PairedTaus, method)(*args)


@pytest.mark.parametrize("false_alarm", [np.nan, 2, -1, 0, 1])
def test_a_false_alarm_rate_outside_the_unit_interval_is_refused(false_alarm):
    """NaN and 2 once made every ratio "slower", -1 every ratio "unresolved"."""
    with pytest.raises(ValueError, match=r"^false_alarm must lie in \(0, 1\)"):
        bench.PairedTaus.verdict([1.1] * 8, false_alarm)


@pytest.mark.parametrize(
    ("taus", "error", "message"),
    [
        ((0.3,), ValueError, r"^taus must be two different temperatures"),
        ((0.3, 0.3), ValueError, r"^taus must be two different temperatures"),
        ((0.3, 0.01, 5), ValueError, r"^taus must be two different temperatures"),
        (0.3, ValueError, r"^taus must be two different temperatures"),
        ((0.3, 0.0), ValueError, r"^taus must be a positive, finite temperature"),
        ((np.nan, 0.3), ValueError, r"^taus must be a positive, finite temperature"),
        (None, TypeError, r"^taus must be a real number"),
    ],
)
def test_paired_tau_comparison_needs_two_different_temperatures(taus, error, message):
    """One temperature was an IndexError, a repeated one collided in the results, and a
    third was dropped without a word."""
    with pytest.raises(error, match=message):
        bench.paired_tau_comparison(n=10, rounds=1, taus=taus)


def test_spread_over_calls_gives_the_range_of_medians_and_of_rounds():
    calls = [bench.run_benchmark(n=500, repeats=3) for _ in range(2)]
    spread = bench.spread_over_calls(calls)
    medians = [c.ratios["library_over_uniform"] for c in calls]
    lows, highs = zip(*(c.ratio_ranges["library_over_uniform"] for c in calls), strict=True)
    assert spread["library_over_uniform"] == (min(medians), max(medians), min(lows), max(highs))
    if not calls[0].torch_available:
        assert spread["torch_over_library"] is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"seed": -1}, ValueError, r"^seed must be >= 0; got -1"),
        ({"seed": "3"}, TypeError, r"^seed must be an integer; got '3'"),
        ({"seed": 2.5}, TypeError, r"^seed must be an integer; got 2\.5"),
        ({"seed": True}, TypeError, r"^seed must be an integer; got True"),
        ({"dtype": "a"}, ValueError, r"^dtype must be float32 or float64; got 'a', a deprecated"),
        ({"dtype": "float16"}, ValueError, r"^dtype must be float32 or float64; got float16"),
        ({"p": [0.1, 0.2]}, ValueError, r"^p must be a single number; got shape \(2,\)"),
        ({"tau": [0.3]}, ValueError, r"^tau must be a single number; got shape \(1,\)"),
    ],
)
def test_run_benchmark_names_a_bad_seed_dtype_or_parameter(kwargs, error, message):
    """NumPy once answered a bad seed with "expected non-negative integer", dtype "a" with a
    DeprecationWarning, two probabilities with "only 0-dimensional arrays can be converted",
    and a list of one temperature only after the whole run, from ``float()``."""
    with pytest.raises(error, match=message):
        bench.run_benchmark(**{"n": 10, "repeats": 1, **kwargs})


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((-1, 0.3, 0.85, "float64", 0), ValueError, r"^n must be >= 0; got -1"),
        ((2.5, 0.3, 0.85, "float64", 0), TypeError, r"^n must be an integer; got 2\.5"),
        ((10, 0.3, 0.85, "float16", 0), ValueError, r"^dtype must be float32 or float64"),
        ((10, 0.3, 0.85, "float64", -1), ValueError, r"^seed must be >= 0; got -1"),
    ],
)
def test_timed_routes_names_a_bad_size_dtype_or_seed(args, error, message):
    """NumPy's "negative dimensions are not allowed" named no argument, and float16 was
    accepted here and refused by ``Generator.random`` at the first timed call."""
    with pytest.raises(error, match=message):
        bench.timed_routes(*args)


def test_a_seed_beyond_64_bits_seeds_the_routes():
    """A seed is no count: NumPy takes one of any size, and so does the benchmark."""
    first = bench.timed_routes(3, 0.3, 0.85, "float64", seed=2**70)
    again = bench.timed_routes(3, 0.3, 0.85, "float64", seed=2**70)
    other = bench.timed_routes(3, 0.3, 0.85, "float64", seed=0)
    for name, route in first.items():
        sample = np.array(route())
        assert sample.shape == (3,)
        np.testing.assert_array_equal(sample, again[name]())
        assert not np.array_equal(sample, other[name]())


def test_timed_routes_draws_zero_samples():
    routes = bench.timed_routes(0, 0.3, 0.85, "float64", seed=0)
    assert all(np.shape(route()) == (0,) for route in routes.values())


def test_a_size_beyond_any_array_is_refused_by_name():
    """Beyond the address space NumPy's own refusal ("Maximum allowed dimension exceeded")
    did not name n."""
    beyond = LARGEST_COUNT + 1
    with pytest.raises(ValueError, match=rf"^n must be at most {LARGEST_COUNT}, .*got {beyond}"):
        bench.run_benchmark(n=beyond)
    with pytest.raises(ValueError, match=rf"^n must be at most {LARGEST_COUNT}, .*got {beyond}"):
        bench.timed_routes(beyond, 0.3, 0.85, "float64", seed=0)
