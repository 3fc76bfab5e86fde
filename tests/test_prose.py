"""Numbers in the prose: written as ``{eval}`name``` so they read right in the book and in Lab.

JupyterLab evaluates each ``{eval}`` expression when its markdown cell is run,
so the variable must exist by then: it is assigned in a code cell above. The
book shows each variable's value at the end of the notebook, so the two agree
only if it is assigned once. MyST-NB's ``glue`` keys show as raw keys in
JupyterLab, so no chapter uses them.
"""

from __future__ import annotations

import ast
import sys

import jupytext
import pytest
from book_sources import is_notebook, source, toc_files

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import prose_values  # noqa: E402

NOTEBOOKS = [name for name in toc_files() if is_notebook(name)]


def _assigned(code: str) -> list[str]:
    """Every name bound at the top level of ``code`` (assignments, for targets, imports)."""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    names = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
    return names


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_prose_value_is_assigned_once_before_it_is_read(name):
    notebook = jupytext.read(source(name))
    assigned: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for variable in _assigned(cell.source):
                assigned[variable] = assigned.get(variable, 0) + 1
            continue
        for expression in prose_values.EVAL_ROLE.findall(cell.source):
            assert prose_values.NAME.match(expression), (
                f"{name}, cell {index}: {{eval}}`{expression}` must be a variable name"
            )
            assert expression in assigned, (
                f"{name}, cell {index}: {{eval}}`{expression}` is read before any code assigns it"
            )
    for expression in prose_values.expressions(notebook):
        assert assigned.get(expression) == 1, (
            f"{name}: {expression} is assigned {assigned.get(expression)} times; "
            "a prose value is assigned once, so the book and JupyterLab show the same value"
        )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_chapter_uses_glue(name):
    text = source(name).read_text()
    assert "{glue" not in text and "glue(" not in text, (
        f"{name} uses myst_nb glue, whose keys JupyterLab shows raw: use {{eval}}"
    )


def test_prose_cell_reports_every_expression_in_order():
    notebook = jupytext.reads("Value {eval}`b` then {eval}`a` and {eval}`b`.\n", fmt="md:myst")
    assert prose_values.expressions(notebook) == ["b", "a"]
    prose_values.add_prose_cell(notebook)
    assert "['b', 'a']" in notebook.cells[-1].source
    assert notebook.cells[-1].metadata["tags"] == ["remove-cell"]


def test_an_expression_that_is_not_a_name_is_refused():
    notebook = jupytext.reads("Value {eval}`a + 1`.\n", fmt="md:myst")
    with pytest.raises(ValueError, match="variable name"):
        prose_values.add_prose_cell(notebook)


def test_download_drops_the_prose_cell_and_keeps_the_values_for_jupyterlab():
    notebook = jupytext.reads("Value {eval}`a`.\n", fmt="md:myst")
    prose_values.add_prose_cell(notebook)
    notebook.cells[-1].outputs = [
        {
            "output_type": "display_data",
            "data": {"text/plain": "'0.25'"},
            "metadata": {prose_values.KEY: "a"},
        }
    ]
    download = prose_values.for_download(notebook)
    assert [cell.cell_type for cell in download.cells] == ["markdown"]
    (expression,) = download.cells[0].metadata["user_expressions"]
    assert expression["expression"] == "a"
    assert expression["result"]["data"]["text/plain"] == "'0.25'"
    assert download.cells[0].id == "cell-000"


# --- the numbers the prose writes: rates, Bonferroni bounds, lists ----------------------------


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (1e-6, "10⁻⁶"),
        (9e-6, "9×10⁻⁶"),
        (1.5e-5, "1.5×10⁻⁵"),  # was "2×10⁻⁵" here and "1.5×10⁻⁵" in the report
        (1.2e-5, "1.2×10⁻⁵"),
        (0.05, "0.05"),
        (1.0, "1"),
    ],
)
def test_one_rate_formatter_for_the_prose_and_the_report(rate, text):
    from binary_gumbel.book.prose import numbers

    assert numbers.rate_text(rate) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [(0.05, "5%"), (0.65, "65%"), (0.06, "6%"), (1.0, "100%"), (0.005, "0.5%"), (6e-6, "6×10⁻⁶")],
)
def test_rate_percent_never_writes_a_rate_above_0_as_0_percent(rate, text):
    from binary_gumbel.book.prose import numbers

    assert numbers.rate_percent(rate) == text


def test_bonferroni_text_writes_small_rates_and_caps_at_1():
    """``:.0%`` wrote 5 x 0.001 as "5 × 0% = 0%"; the hard concrete chapter's "13 × 5% = 65%"
    is unchanged."""
    from binary_gumbel.book import prose

    assert prose.bonferroni_text(13, 0.05) == "13 × 5% = 65%"
    assert prose.bonferroni_text(5, 0.001) == "5 × 0.1% = 0.5%"
    assert prose.bonferroni_text(30, 0.05) == "30 × 5% = 100%"
    assert prose.bonferroni_text(3, 1e-6) == "3 × 10⁻⁶ = 3×10⁻⁶"
    with pytest.raises(ValueError, match=r"^false_alarm must lie in \(0, 1\)"):
        prose.bonferroni_text(3, 0.0)
    with pytest.raises(ValueError, match=r"^k must be >= 1"):
        prose.bonferroni_text(0, 0.05)
    # a family's count makes no array: one beyond 2**63 is a count like any other
    assert prose.bonferroni_text(2**63, 1e-30).endswith(" = 9.2×10⁻¹²")


def test_held_out_text_writes_a_small_family_wise_rate():
    """Six intervals at 10⁻⁶ read "0%"; the chapter's six at 1 % still read "6%"."""
    from binary_gumbel.book import prose
    from binary_gumbel.verification.montecarlo import Interval

    zero = Interval(0.0, -1.0, 1.0)
    assert prose.held_out_text([zero] * 6, 1e-6).familywise == "6×10⁻⁶"
    assert prose.held_out_text([zero] * 6, 0.01).familywise == "6%"


def _sampler_checks(false_alarm):
    from binary_gumbel.verification import sampler_checks

    return sampler_checks.check_sampler(0.0, 0.5, 2000, rng=5, false_alarm=false_alarm)


def test_sampler_checks_text_caps_the_family_wise_rate_at_1():
    """Six checks at 0.2 summed to 1.2, written "10⁰"; the bound is at most 1."""
    from binary_gumbel.book import prose

    checks = [_sampler_checks(0.2)] * 2
    assert prose.sampler_checks_text(checks).familywise == "6 checks, at most 1 family-wise"
    assert prose.sampler_checks_text(checks).false_alarm == "0.2"


def test_sampler_checks_text_refuses_checks_at_different_rates():
    """The text states one rate per check; checks at two rates have none."""
    from binary_gumbel.book import prose

    with pytest.raises(ValueError, match=r"^checks must share one false_alarm rate"):
        prose.sampler_checks_text([_sampler_checks(1e-6), _sampler_checks(1e-3)])


def test_false_alarm_text_takes_a_numpy_count_and_bounds_by_family_wise():
    import numpy as np

    from binary_gumbel.book import report

    assert (
        report.false_alarm_text(np.int64(3))
        == report.false_alarm_text(3)
        == (
            "at most 10⁻⁶ per interval, and at most 3×10⁻⁶ for the 3 intervals together "
            "(Bonferroni bound)"
        )
    )
    assert "at most 1.5×10⁻⁵ for the 15 tests" in report.false_alarm_text(15, unit="test")


def test_listing_joins_as_the_prose_does_and_refuses_none():
    from binary_gumbel.book import vae_report
    from binary_gumbel.book.prose import numbers

    for names in (["x"], ["x", "y"], ["x", "y", "z"]):
        assert vae_report.listing(names) == numbers.joined(names)
    with pytest.raises(ValueError, match="^names must hold at least one name"):
        vae_report.listing([])


def test_held_out_text_and_the_tables_refuse_empty_or_nan_input_by_name():
    """No interval gave "min() arg is an empty sequence", a NaN one "nan %" and the verdict
    "a loss below 0"; an empty grid a malformed Markdown table."""
    from binary_gumbel.book import prose
    from binary_gumbel.verification.montecarlo import Interval

    with pytest.raises(ValueError, match="^savings must hold at least one interval"):
        prose.held_out_text([], 0.05)
    with pytest.raises(ValueError, match="^savings' interval ends must be finite"):
        prose.held_out_text([Interval(0.1, float("nan"), 0.2)], 0.05)
    with pytest.raises(ValueError, match="^thetas must hold at least one value"):
        prose.variance_table([], 0.45)
    with pytest.raises(ValueError, match="^taus must hold at least one value"):
        prose.reinmax_table(0.2, [0.45], [])
    with pytest.raises(ValueError, match="^targets must hold at least one value"):
        prose.reinmax_table(0.2, [], [1.0])
