"""The maintainer's robustness audit (``make audit``): its two perturbations and its report."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import special

from binary_gumbel.verification.montecarlo import proportion_interval
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import audit_robustness  # noqa: E402
import perturbations  # noqa: E402

FALSE_ALARM = 1e-6
STRIDE = perturbations.SEED_STRIDE


def test_shifted_seeds_moves_every_integer_seed_and_nothing_else():
    original = np.random.default_rng
    generator, sequence = original(7), np.random.SeedSequence(7)
    bit_generator = np.random.PCG64(7)
    with perturbations.shifted_seeds(2):
        assert np.random.default_rng is not original
        for seed, moved in ((0, 2 * STRIDE), (np.int64(5), 5 + 2 * STRIDE)):
            assert np.array_equal(np.random.default_rng(seed).random(4), original(moved).random(4))
        for seed in ([3, 9], (3, 9), np.array([3, 9])):
            expected = original([3 + 2 * STRIDE, 9]).random(4)
            assert np.array_equal(np.random.default_rng(seed).random(4), expected)
        assert np.random.default_rng(generator) is generator
        for source in (sequence, bit_generator):
            expected = original(np.random.SeedSequence(7)).random(4)
            assert np.array_equal(np.random.default_rng(source).random(4), expected)
        with pytest.raises(ValueError):
            np.random.default_rng(-1)
    assert np.random.default_rng is original
    with perturbations.shifted_seeds(0):
        assert np.array_equal(np.random.default_rng(11).random(4), original(11).random(4))


def test_the_library_and_the_chapters_seed_only_through_default_rng():
    """shifted_seeds moves default_rng's seeds only, so nothing may seed another way; the one
    exception is the benchmark's PyTorch route (PyTorch is not among the book's requirements,
    and no chapter runs that route)."""
    other = re.compile(
        r"SeedSequence|RandomState|random\.seed\(|PCG64|MT19937|Philox|SFC64"
        r"|manual_seed|random\.Random\(|random_state="
    )
    exempt = {ROOT / "code" / "binary_gumbel" / "bench" / "routes.py": ["manual_seed"]}
    sources = [*(ROOT / "code").rglob("*.py"), ROOT / "intro.md", *(ROOT / "chapters").glob("*.md")]
    found = {p: other.findall(p.read_text()) for p in sources}
    found = {p.relative_to(ROOT): f for p, f in found.items() if f and f != exempt.get(p)}
    assert not found, f"seeded another way than default_rng: {found}"
    assert "torch" not in (ROOT / "requirements.txt").read_text()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("exp", -5, 5),
        ("log", 0.01, 10),
        ("log1p", -0.9, 10),
        ("expm1", -5, 5),
        ("tanh", -3, 3),
        ("sin", -3, 3),
        ("cos", -3, 3),
        ("arctan", -10, 10),
        ("expit", -10, 10),
        ("logit", 0.01, 0.99),
    ],
)
def test_nudged_last_bits_moves_a_quarter_up_and_a_quarter_down_by_one_ulp(name, low, high, dtype):
    module = special if name in perturbations.SCIPY_FUNCTIONS else np
    original = getattr(module, name)
    x = np.random.default_rng(3).uniform(low, high, 20_000).astype(dtype)
    exact = original(x)
    with perturbations.nudged_last_bits(1):
        moved = getattr(module, name)(x)
        assert np.array_equal(getattr(module, name)(x), moved)  # the same input, the same result
        # A NumPy scalar in (and a Python float, for float64): the array's moved result.
        scalar = getattr(module, name)(x[7])
        if dtype is np.float64:
            assert getattr(module, name)(float(x[7])) == moved[7]
    with perturbations.nudged_last_bits(2):
        other_salt = getattr(module, name)(x)
    with perturbations.nudged_last_bits(0):
        assert np.array_equal(getattr(module, name)(x), exact), "salt 0 moved a result"
    assert getattr(module, name) is original
    assert moved.dtype == exact.dtype
    up = moved == np.nextafter(exact, dtype(np.inf))
    down = moved == np.nextafter(exact, dtype(-np.inf))
    assert np.all(up | down | (moved == exact)), "a result moved by more than one ulp"
    for share in (up, down):
        interval = proportion_interval(int(share.sum()), x.size, FALSE_ALARM)
        assert interval.low <= 0.25 <= interval.high, (name, interval)
    assert not np.array_equal(moved, other_salt), "two salts moved the same results"
    assert type(scalar) is dtype and scalar == moved[7]


def test_nudged_last_bits_leaves_exact_results_and_the_ufuncs_methods_alone():
    exact_exp = np.exp
    with np.errstate(divide="ignore"), perturbations.nudged_last_bits(1):
        assert np.exp(0.0) == 1 and np.cos(0.0) == 1 and np.log(1.0) == 0
        assert special.expit(0.0) == 0.5 and special.logit(0.5) == 0
        assert np.exp(-np.inf) == 0 and np.log(0.0) == -np.inf and np.isnan(np.exp(np.nan))
        tiny = np.array([1e-300, -1e-300, 1e-20])
        for name in ("log1p", "expm1", "tanh", "sin", "arctan"):
            assert np.array_equal(getattr(np, name)(tiny), tiny), name
        values = np.linspace(-2, 2, 1001)
        assert np.exp.nin == 1 and np.exp.types == exact_exp.types
        assert not np.array_equal(np.exp(values), exact_exp(values))
        through = values.copy()
        np.exp.at(through, np.arange(values.size))  # a ufunc method: not moved
        assert np.array_equal(through, exact_exp(values))
        into = values.copy()
        assert np.exp(into, out=into) is into
        assert np.array_equal(into, np.exp(values))  # ``out=`` gets the moved results
        zero_d = np.array(0.3)
        assert np.log(zero_d, out=zero_d) is zero_d and zero_d == np.log(0.3)
        assert copy.deepcopy({"f": np.exp})["f"](0.3) == np.exp(0.3)
        mask = values > 0
        kept = np.full_like(values, -1.0)
        np.exp(values, out=kept, where=mask)  # ``where=`` passes through unmoved
    assert np.array_equal(kept[~mask], np.full((~mask).sum(), -1.0))
    assert np.array_equal(kept[mask], np.exp(values[mask]))


def test_perturbations_refuse_bad_arguments():
    with pytest.raises(ValueError, match="k must be a non-negative integer"):
        perturbations.shifted_seeds(-1).__enter__()
    with pytest.raises(ValueError, match="salt must be a non-negative integer"):
        perturbations.nudged_last_bits(-1).__enter__()
    with pytest.raises(ValueError, match="kind must be one of"):
        perturbations.install("weather", 1)


def test_words_ignore_numbers_in_every_notation_but_not_signs_or_words():
    words, change = audit_robustness.words, audit_robustness.word_change
    assert words("0.12 [0.10, 0.15] at 10⁻⁴, 2.5e-07 and 1,000") == "# [#, #] at #, # and #"
    same = [
        ("0.138", "2.50×10⁻⁴"),
        ("7431", "1.03×10⁴"),
        ("−0.000", "0.000"),
        ("$10^{-4}$", "$10^{4}$"),
        ("$2.5 \\times 10^{-3}$", "$0.1$"),
        ("+0.5", "0.5"),
    ]
    for a, b in same:
        assert words(a) == words(b), (a, b)
    assert words("[0.10,0.15]") != words("[0.10,0.15,0.20]")
    assert words("float32, τ=0.5") == "float32, τ=#" != words("float64, τ=0.5")
    assert change("ends lower by 0.1", "ends lower by 0.25") == ""
    assert change("it ends lower by 0.1 than", "it ends higher by 0.2 than") == (
        "…it ends [lower → higher] by # than…"
    )
    assert change("a gain of 0.1", "a gain of −0.1") == "…a gain of [# → −#] …"
    table = "| a | b |\n|---|---|\n| DisARM | 0.1 |\n| ARM | 0.2 |"
    assert change(table, table.replace("DisARM", "RLOO")) == "| DisARM | # | → | RLOO | # |"
    assert change("one\ntwo", "one\ntwo\nthree") == "+ three"


def _run(values, displays=None, error=None):
    return {"values": values, "displays": displays or {}, "error": error}


def test_compare_separates_words_numbers_noise_and_unreached_values():
    shown = {"line 9": "the **best** one"}
    values = {"v": "holds", "n": "0.10", "t": "3 ms", "w": "1 A"}
    runs = {
        "as written": _run(values, shown),
        "as written again": _run({**values, "n": "0.12", "w": "2 A"}, shown),
        "seeds +1": _run(
            {**values, "v": "fails", "n": "0.11", "w": "1 B"}, {"line 9": "the **worst** one"}
        ),
        "seeds +2": _run({"v": "holds"}, error="line 4 ('assert n'): AssertionError: no"),
        "seeds +3": _run(values),
        "last bits 0 (nothing moved)": _run({**values, "t": "fast"}, shown),
    }
    result = audit_robustness.compare(runs)
    assert result["errors"] == {"seeds +2": "line 4 ('assert n'): AssertionError: no"}
    assert result["values"] == 4 and result["numbers_only"] == 1 and result["noise"] == 1
    assert result["words"] == [
        ("`v` = holds", {"seeds +1": "fails"}, False),
        ("`t` = 3 ms", {"last bits 0 (nothing moved)": "fast"}, True),
        ("`w` = 1 A", {"seeds +1": "1 B"}, False),  # the control moved a number only
        ("the display at line 9", {"seeds +1": "…the [**best** → **worst**] one…"}, False),
        ("displays missing from a finished run", {"seeds +3": "line 9"}, False),
    ]


def test_the_report_says_none_where_nothing_changed():
    same = {"as written": _run({"v": "holds"}), "as written again": _run({"v": "holds"})}
    text = audit_robustness.report({"a.md": audit_robustness.compare(same)}, list(same))
    assert "## Runs that stopped at an error\n\nNone.\n" in text
    assert "## Words that change\n\nNone.\n" in text
    assert "## Numbers only\n\n- a.md: 0 of 1 values (0 in a control too)\n" in text
    assert text.endswith("## Corrections that quote a number another machine may move\n\nNone.\n")


def test_moved_numbers_are_those_another_machine_changes_not_another_seed():
    """A value or display counts as moved when a run other than a shifted seed's changes a
    number of it (a sign included) and no word; then all of its numbers are listed, unsigned,
    since another machine may move those this run left. A value whose words change (it may
    drop a parameter it names, such as a temperature) is left to the words' list."""
    values = {
        "r": "0.371 [0.236, 0.507]",
        "v": "is slower at τ = 0.01",
        "s": "0.044",
        "f": "0.012 [−0.003, 0.027]",
    }
    shown = {"line 9": "| RELAX | −0.328 [−0.464, −0.191] |"}
    runs = {
        "as written": _run(values, shown),
        "as written again": _run(values, shown),
        "seeds +1": _run({**values, "s": "0.045"}, {"line 9": "| RELAX | −0.3 [−0.4, −0.2] |"}),
        "last bits 1": _run(
            {**values, "v": "shows no resolved change", "f": "0.013 [0.001, 0.026]"},
            {"line 9": "| RELAX | −0.328 [−0.464, −0.192] |"},
        ),
        "last bits 2": _run({"r": "0.372 [0.236, 0.507]"}, error="line 4: stopped"),
    }
    moved = audit_robustness.moved_numbers(runs)
    assert moved == {
        "0.012": "f",
        "0.003": "f",
        "0.027": "f",
        "0.236": "r",
        "0.371": "r",
        "0.507": "r",
        "0.191": "line 9",
        "0.328": "line 9",
        "0.464": "line 9",
    }


def test_a_correction_that_quotes_a_moved_number_is_listed_once_per_number():
    """Only a number inside the quote's double quotes counts, signed or not, on the
    correction's own page."""
    entries = [
        {"chapter": "chapters/x", "where": "here", "says": '"at 0.371 and 0.371 [...] 0.5" 0.236'},
        {"chapter": "chapters/y", "where": "there", "says": '"at 0.371"'},
        {"chapter": "chapters/x", "where": "elsewhere", "says": '"at 0.372" and "−0.236"'},
    ]
    moved = {"chapters/x.md": {"0.371": "r", "0.236": "r"}, "chapters/y.md": {}}
    assert audit_robustness.quoted_moving_numbers(entries, moved) == [
        "chapters/x, here: 0.371 (in `r`)",
        "chapters/x, elsewhere: 0.236 (in `r`)",
    ]
    text = audit_robustness.report({}, ["as written"], ["chapters/x, here: 0.371 (in `r`)"])
    assert text.endswith("may move\n\n- chapters/x, here: 0.371 (in `r`)\n")


#: The front matter of the probe pages: a MyST notebook with the Python kernel.
FRONT_MATTER = """\
---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

PROBE = (
    FRONT_MATTER
    + """\

# Probe

```{code-cell} ipython3
import numpy as np
from IPython.display import Markdown

x = np.random.default_rng(0).random()
side = "heads" if x < 0.5 else "tails"
x3 = round(x, 3)
e = float(np.exp(0.3))
Markdown(f"The coin shows **{side}**.")
```

```{code-cell} ipython3
assert e == 1.3498588075760032, "this page prints exp(0.3) to its last digit"
```

The coin shows {eval}`side`, at {eval}`x3`; and {eval}`e`.
"""
)


def test_the_audit_finds_a_seeded_word_a_guard_and_last_bits(tmp_path, capsys):
    """At seeds 0 and 1_000_003 the probe's coin shows tails, at 2_000_006 heads (NumPy's
    PCG64 streams); salt 1 moves exp(0.3)'s last bit, which the page's guard catches."""
    page = tmp_path / "probe.md"
    page.write_text(PROBE)
    report = tmp_path / "robustness.md"
    arguments = [str(page), "--seeds", "2", "--salts", "1", "--jobs", "2", "--report", str(report)]

    async def call():
        return audit_robustness.main(arguments)

    # From inside a running event loop, as under Playwright in the same test session (in a
    # thread of its own, since this one may already run Playwright's).
    with ThreadPoolExecutor(1) as thread:
        status = thread.submit(asyncio.run, call()).result()
    text = report.read_text()
    assert status == 1, text
    runs = (
        "as written, as written again, seeds +1, seeds +2, last bits 0 (nothing moved), last bits 1"
    )
    assert f"1 pages; runs: {runs}." in text
    stopped = "line 21 ('assert e == 1.3498588075760032, \"this pa'): AssertionError"
    assert (
        f"- {page}, last bits 1: {stopped}: this page prints exp(0.3) to its last digit\n" in text
    )
    assert "- `side` = 'tails':\n  - seeds +2: 'heads'\n" in text
    assert "- the display at line 10 ('import numpy as np'), output 1, text/markdown:\n" in text
    assert "  - seeds +2: …The coin shows [**tails**. → **heads**.] …\n" in text
    assert f"- {page}: 1 of 3 values (0 in a control too)" in text
    assert text in capsys.readouterr().out
    runs = json.loads(report.with_suffix(".json").read_text())[str(page)]
    assert runs["seeds +2"]["values"]["side"] == "'heads'" and runs["last bits 1"]["error"]


SLOW = (
    FRONT_MATTER
    + """\

# Slow

```{code-cell} ipython3
import time

time.sleep(600)
```
"""
)


def test_a_page_that_times_out_is_reported_as_timed_out_at_its_cell(tmp_path, monkeypatch):
    """nbclient interrupts the cell that runs too long, whose output then says
    KeyboardInterrupt; the audit says where the page timed out instead. The page's only cell
    sleeps, so that no other cell can be the one a loaded machine times out."""
    page = tmp_path / "slow.md"
    page.write_text(SLOW)
    monkeypatch.setattr(audit_robustness, "TIMEOUT", 2)
    as_written = audit_robustness.Perturbation("as written")
    run = audit_robustness.run_page(page, as_written, dict(os.environ))
    with ThreadPoolExecutor(1) as thread:  # a loop of its own, as in the test above
        outcome = thread.submit(asyncio.run, run).result()
    assert outcome["error"] == "line 10 ('import time'): timed out after 2 s"
