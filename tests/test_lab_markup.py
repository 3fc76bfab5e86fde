"""Markup that reads the same in JupyterLab (jupyterlab-myst) as in the book.

- JupyterLab renders one notebook at a time, so a ``{prf:ref}`` (or ``{ref}``,
  ``{numref}``) to a label of another chapter shows there as a bare label with a
  warning icon. A chapter refers to another chapter's labelled block with a
  plain Markdown link, ``[the Gumbel-max theorem](categorical.md#thm-gumbel-max)``,
  which ``_ext/anchor_links.py`` resolves in the book (a link to a label that
  does not exist fails the build, which treats warnings as errors).
- jupyterlab-myst numbers every ``$$`` display equation, and shows a ``\\tag``
  a second time beside its own number: "(1) (1)". The book numbers only the
  note's equations, by their ``\\tag``. So display equations are written as
  ``\\begin{equation*} ... \\end{equation*}``, which neither numbers.

tests/test_lab.py checks the rendered result in JupyterLab itself.
"""

from __future__ import annotations

import re
import sys

import pytest
from book_sources import source, toc_files
from docutils import nodes

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import anchor_links  # noqa: E402

PAGES = toc_files()
# A directive's :label: or :name:, and a (name)= target: the labels JupyterLab
# knows. (The name of a figure made by a code cell, in MyST-NB's metadata, is not.)
LABEL = re.compile(r"^(?::label:|:name:)\s*(\S+)\s*$|^\((\S+)\)=\s*$", re.M)
ROLE = re.compile(r"\{(?:prf:ref|ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`")


def labels(name: str) -> set[str]:
    return {a or b for a, b in LABEL.findall(source(name).read_text())}


@pytest.mark.parametrize("name", PAGES)
def test_roles_only_point_inside_their_own_chapter(name):
    own = labels(name)
    elsewhere = sorted(
        label for label in ROLE.findall(source(name).read_text()) if label not in own
    )
    assert not elsewhere, (
        f"{name}: a role to another chapter's label, or to a code cell's figure, shows "
        f"raw in JupyterLab: {elsewhere}; link to another chapter as [text](chapter.md#label), "
        "and name a figure by its place ('the figure below')"
    )


#: Display math that JupyterLab numbers: a ``$$`` line (or ``$$ ... $$`` on one line), a
#: ``{math}`` directive, or a starless numbered environment.
NUMBERED_DISPLAY = re.compile(
    r"^\s*\$\$|^[`:]{3,}\{math\}|\\begin\{(equation|align|gather|multline|eqnarray)\}"
)


@pytest.mark.parametrize("name", PAGES)
def test_display_equations_are_unnumbered_environments(name):
    lines = source(name).read_text().splitlines()
    numbered = [number for number, line in enumerate(lines, 1) if NUMBERED_DISPLAY.search(line)]
    assert not numbered, (
        f"{name}: numbered display math at lines {numbered}: JupyterLab numbers it; "
        "write \\begin{equation*} ... \\end{equation*}"
    )


def test_the_numbered_display_pattern_finds_each_form():
    for line in (
        "$$",
        "$$x = 1$$",
        "```{math}",
        ":::{math}",
        "\\begin{equation}",
        "\\begin{align}",
    ):
        assert NUMBERED_DISPLAY.search(line), line
    for line in ("\\begin{equation*}", "\\begin{align*}", "the price $x$ of $$", "``` python"):
        assert not NUMBERED_DISPLAY.search(line), line


def test_the_extension_finds_directive_labels_and_targets():
    document = nodes.document(None, None)
    theorem = nodes.container(ids=["thm-x"], label="thm-x")
    theorem += nodes.title(text="Gumbel-max")
    named = nodes.paragraph(ids=["evidence-step-1"], names=["evidence-step-1"])
    unnamed = nodes.paragraph(ids=["id3"])
    document += [theorem, named, unnamed]
    assert anchor_links._labels(document) == {
        "thm-x": "Gumbel-max",
        "evidence-step-1": "evidence-step-1",
    }
