"""Numbers in the prose that read the same in the built book and in JupyterLab.

A chapter writes a computed number into its prose as ``{eval}`name```, where
``name`` is a variable of the chapter's kernel, usually a formatted string,
assigned in a code cell above the paragraph. JupyterLab (with jupyterlab-myst)
evaluates the expression in the running kernel, so a student who changes a
parameter and re-runs sees the prose follow.

MyST-NB evaluates ``{eval}`` only in its ``inline`` execution mode, which has
no execution cache. This extension gives the cached mode the same role:

- when the book reads a chapter, one code cell is appended to its notebook (the
  *prose cell*, tagged ``remove-cell`` so it is never shown). It displays the
  value of every ``{eval}`` expression of the chapter, each output labelled with
  its expression. The execution cache keys on the notebook's code, prose cell
  included, so the values are computed, cached and invalidated with the rest;
- the role then takes each value from the prose cell's outputs.

Each chapter assigns a prose variable once (a test checks it), so its value at
the end of the notebook is its value where the prose uses it.

The downloadable notebook leaves the prose cell out, and carries each markdown
cell's values in ``metadata.user_expressions``, the form jupyterlab-myst saves
them in, so the numbers show as soon as it is opened.
"""

from __future__ import annotations

import re

import myst_nb_adapter
import nbformat

#: ``{eval}`expression``` in a markdown cell.
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
#: What an expression may be: a variable name (as MyST-NB's ``eval_name_regex``).
NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
#: The metadata key that labels the prose cell and each of its outputs.
KEY = "prose-eval"


def expressions(notebook) -> list[str]:
    """Every ``{eval}`` expression of the notebook's markdown cells, once, in order."""
    found: dict[str, None] = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            found.update(dict.fromkeys(EVAL_ROLE.findall(cell.source)))
    return list(found)


def prose_cell_source(names: list[str]) -> str:
    """The code of the prose cell: display each name's value, labelled with the name."""
    return (
        "# Added by the book build: the values of this chapter's {eval} expressions.\n"
        f"for _name in {names!r}:\n"
        f"    display(eval(_name), metadata={{{KEY!r}: _name}})"
    )


def add_prose_cell(notebook, source="the notebook"):
    """Append the prose cell to ``notebook`` (read by MyST-NB from ``source``, a path), if
    its prose has expressions.

    Raises ``ValueError``, naming ``source``, when an expression is not a plain variable
    name.
    """
    names = expressions(notebook)
    if not names:
        return notebook
    bad = [name for name in names if not NAME.match(name)]
    if bad:
        raise ValueError(
            f"{source}: {{eval}} takes a variable name; got {', '.join(map(repr, bad))}"
        )
    cell = nbformat.v4.new_code_cell(
        prose_cell_source(names), metadata={"tags": ["remove-cell"], KEY: True}
    )
    cell.id = "prose-values"
    notebook.cells.append(cell)
    source_map = notebook.metadata.get("source_map")
    if source_map is not None:
        source_map.append(source_map[-1] if source_map else 0)
    return notebook


def prose_values(notebook) -> dict[str, dict]:
    """``{expression: output}`` from the executed prose cell of ``notebook``."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get(KEY):
            return {
                output["metadata"][KEY]: output
                for output in cell.get("outputs", [])
                if KEY in output.get("metadata", {})
            }
    return {}


def for_download(notebook):
    """The executed ``notebook`` as a reader downloads it.

    The prose cell is removed; every markdown cell with ``{eval}`` expressions
    carries their values in ``metadata.user_expressions`` (jupyterlab-myst's
    form); every cell gets a stable id, so two builds give the same file. MyST-NB's
    ``source_map`` (each cell's line in the ``.md`` source) is dropped: it numbers
    the cells as read, not those of the download.
    """
    values = prose_values(notebook)
    notebook.cells = [cell for cell in notebook.cells if not cell.metadata.get(KEY)]
    notebook.metadata.pop("source_map", None)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
        if cell.cell_type != "markdown":
            continue
        found = [name for name in dict.fromkeys(EVAL_ROLE.findall(cell.source)) if name in values]
        if found:
            cell.metadata["user_expressions"] = [
                {
                    "expression": name,
                    "result": {"status": "ok", "data": dict(values[name]["data"]), "metadata": {}},
                }
                for name in found
            ]
    return notebook


def keep_shown_values(cell) -> None:
    """Drop the saved values of expressions no longer in ``cell``'s source (a removed solution)."""
    shown = set(EVAL_ROLE.findall(cell.source))
    saved = cell.metadata.get("user_expressions")
    if saved is None:
        return
    kept = [value for value in saved if value["expression"] in shown]
    if kept:
        cell.metadata["user_expressions"] = kept
    else:
        del cell.metadata["user_expressions"]


def prose_outputs(notebook, name: str) -> list:
    """The output to show for ``{eval}`name``` in the executed ``notebook``: the prose cell's
    display of its value (MyST-NB's cached execution evaluates the role with this).

    Raises ``LookupError`` when the prose cell did not display it.
    """
    values = prose_values(notebook)
    if name not in values:
        raise LookupError(f"no value for {{eval}}`{name}`: the prose cell did not display it")
    output = nbformat.from_dict(dict(values[name]))
    output["metadata"] = {}
    return [output]


def setup(app):
    app.setup_extension("myst_nb")
    app.setup_extension("myst_nb_adapter")
    myst_nb_adapter.route_notebooks(add_prose_cell, prose_outputs)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
