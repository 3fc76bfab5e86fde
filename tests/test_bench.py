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
