"""A SymPy derivation laid out for the book's pages: the steps of a
:class:`binary_gumbel.verification.symbolic.Derivation` as one ``aligned`` LaTeX display, each
step's expression computed by SymPy beside its explanation as a ``\\text`` annotation, the
explanation's Greek names, subscripts and signs written in Unicode (:func:`derivation_latex`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from binary_gumbel._validation import check_index
from binary_gumbel.verification.printing import SUBSCRIPTS
from binary_gumbel.verification.symbolic import Derivation

__all__ = ["derivation_latex"]


def derivation_latex(derivation, steps: Sequence[int] | None = None) -> str:
    """The steps of a SymPy derivation as an ``aligned`` LaTeX display, one step per line.

    Each line shows the step's expression, computed by SymPy, with its
    explanation as a ``\\text`` annotation; ``steps`` selects lines by index (integers,
    negative from the end).
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(
            "derivation must be a Derivation (binary_gumbel.verification.symbolic); "
            f"got {type(derivation).__name__}"
        )
    count = len(derivation.steps)
    if steps is None:
        chosen = range(count)
    else:
        try:
            given = list(steps)
        except TypeError:
            raise TypeError(f"steps must be a sequence of step indices; got {steps!r}") from None
        chosen = [check_index(i, "steps", count, "the derivation's steps") for i in given]
    lines = []
    for i in chosen:
        what, expr = derivation.steps[i]
        lines.append(sp.latex(expr) + r" && \text{(" + _latex_text(what) + ")}")
    if not lines:
        raise ValueError("steps must select at least one step of the derivation")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


_TEXT_WORDS = re.compile(r"(?<![A-Za-z])(alpha|mu|sigma|tau|eps)(?![A-Za-z])")
_TEXT_GREEK = {"alpha": "α", "mu": "μ", "sigma": "σ", "tau": "τ", "eps": "ε"}
_TEXT_SIGNS = {"->": "→", "!=": "≠", "<=": "≤", ">=": "≥", " - ": " − "}


def _latex_text(value: str) -> str:
    """A step's explanation for ``\\text{...}``, which MathJax typesets literally.

    Greek names and digit subscripts become Unicode (``alpha_2`` is ``α₂``), as do ``->``,
    ``!=``, ``<=``, ``>=`` and a spaced minus. ``$`` and ``\\`` would leave text mode and
    unbalanced braces would end the argument early, so they are refused.
    """
    if "$" in value or "\\" in value or value.count("{") != value.count("}"):
        raise ValueError(f"a step's explanation must be plain text; got {value!r}")
    text = _TEXT_WORDS.sub(lambda m: _TEXT_GREEK[m.group(1)], value)
    text = re.sub(r"_(\d+)\b", lambda m: m.group(1).translate(SUBSCRIPTS), text)
    for sign, symbol in _TEXT_SIGNS.items():
        text = text.replace(sign, symbol)
    return text
