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
