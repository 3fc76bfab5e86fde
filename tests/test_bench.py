"""The benchmark runs and reports its measurements; no timing is asserted."""

import json

import pytest

from binary_gumbel import bench


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


def test_cli_text(capsys):
    assert bench.main(["--n", "500", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "ns/sample" in out and "goals:" in out


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"n and repeats must be positive"):
        bench.run_benchmark(n=0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "0"], "argument --n: expected a positive integer"),
        (["--repeats", "2.5"], "argument --repeats: expected a positive integer"),
        (["--n", "100", "--repeats", "1", "--tau", "-1"], "tau must be a positive"),
        (["--n", "100", "--repeats", "1", "--p", "2"], "p must be a probability"),
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
    with pytest.raises(ValueError, match="n and repeats must be positive"):
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
