"""The note's symbols and the SymPy expressions its derivations are built from.

The symbols carry the note's assumptions (``p`` and ``tau`` positive, the Gumbel locations
real), so that every derivation and the verdict engine speak of the same ``p``. Beside them
are the building blocks: the sigmoid and its inverse the logit, the Gumbel and Logistic CDFs
and the Gumbel density, Eq. (3) of the note, the change to odds that makes identities on
(0, 1) simplify, and the unevaluated ``σ(·)`` and ``P(·)`` the displays show.
"""

from __future__ import annotations

import numbers

import sympy as sp

__all__ = [
    "Probability",
    "Sigmoid",
    "alpha1",
    "alpha2",
    "ell",
    "fold_sigmoids",
    "g1",
    "g2",
    "gumbel_cdf",
    "gumbel_pdf",
    "gumbel_softmax_expr",
    "in_odds",
    "logistic_cdf",
    "logit",
    "mu1",
    "mu2",
    "odds",
    "p",
    "sigmoid",
    "tau",
    "u",
    "x",
    "z",
]

# The note's symbols.  ``p`` lies in (0, 1); ``alpha1``, ``alpha2`` are the
# unnormalised class weights (> 0); ``mu1``, ``mu2`` are the Gumbel locations
# the note also calls alpha_1, alpha_2 in "Gumbel(alpha_1)".
p = sp.Symbol("p", positive=True)
tau = sp.Symbol("tau", positive=True)
u = sp.Symbol("u", positive=True)
g1, g2 = sp.symbols("g_1 g_2", real=True)
alpha1, alpha2 = sp.symbols("alpha_1 alpha_2", positive=True)
mu1, mu2 = sp.symbols("alpha_1 alpha_2", real=True)
x = sp.Symbol("x", positive=True)
z = sp.Symbol("z", real=True)
#: The logit of the numerics chapter, written ``ell`` there (``L`` in the density).
ell = sp.Symbol("ell", real=True)
#: The odds ``r = q / (1 - q) > 0`` of a quantity ``q`` in (0, 1); see :func:`in_odds`.
odds = sp.Symbol("r", positive=True)


class Sigmoid(sp.Function):
    """The logistic sigmoid ``sigma(y) = 1 / (1 + exp(-y))``, kept unevaluated for display."""

    nargs = 1

    def _eval_rewrite_as_exp(self, y, **kwargs):
        return sigmoid(y)

    def _latex(self, printer):
        return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"


class Probability(sp.Function):
    """``P(event)`` for a relational ``event``, kept unevaluated for display."""

    nargs = 1

    def _latex(self, printer):
        return r"P\left(" + printer._print(self.args[0]) + r"\right)"


def sigmoid(y):
    """``sigma(y) = 1 / (1 + exp(-y))`` as an explicit SymPy expression."""
    return 1 / (1 + sp.exp(-y))


def _ratio_sigmoid(expr):
    """``y`` when ``expr`` is ``exp(y) / (exp(y) + 1)``, else None."""
    if expr.is_Mul and len(expr.args) == 2:
        for top, bottom in (expr.args, expr.args[::-1]):
            if isinstance(top, sp.exp) and bottom.is_Pow and bottom.exp == -1:
                if sp.expand(bottom.base - top - 1) == 0:
                    return top.args[0]
    return None


def _reciprocal_sigmoid(expr):
    """``-y`` when ``expr`` is ``1 / (1 + exp(y))``, else None."""
    if expr.is_Pow and expr.exp == -1 and expr.base.is_Add and len(expr.base.args) == 2:
        one, other = sorted(expr.base.args, key=lambda a: a != 1)
        if one == 1 and isinstance(other, sp.exp):
            return -other.args[0]
    return None


def fold_sigmoids(expr):
    """``expr`` with every ``exp(y)/(exp(y) + 1)`` and ``1/(1 + exp(-y))`` shown as ``σ(y)``."""
    expr = sp.sympify(expr)
    for argument in (_ratio_sigmoid, _reciprocal_sigmoid):  # ratios first: they contain 1/(..)
        expr = expr.replace(lambda e, f=argument: f(e) is not None,
                            lambda e, f=argument: Sigmoid(f(e)))  # fmt: skip
    return expr


def logit(q):
    """``log(q / (1 - q))``, the inverse of :func:`sigmoid`: the log-odds of a probability ``q``.

    ``q`` is a SymPy expression or a real number; at exactly 0 and 1 the result is the
    one-sided limit, ``-oo`` and ``oo`` (the formula gives SymPy's unsigned ``zoo`` there, or
    divides by zero). A ``q`` that is not an expression or a real number raises
    ``TypeError``, a number outside [0, 1] or a NaN ``ValueError``, each naming ``q``.
    """
    if isinstance(q, bool) or not isinstance(q, (numbers.Real, sp.Expr)):
        raise TypeError(f"q must be a SymPy expression or a real number; got {type(q).__name__}")
    value = sp.sympify(q)
    if value.is_number and not (value.is_nonnegative and (1 - value).is_nonnegative):
        raise ValueError(f"q must be a probability in [0, 1]; got {q!r}")
    if value.is_zero:
        return -sp.oo
    if (1 - value).is_zero:
        return sp.oo
    return sp.log(q / (1 - q))


def in_odds(expr, var=x):
    """``expr`` with ``var = r / (1 + r)``, ``r > 0``: for a ``var`` that lies in (0, 1).

    ``r`` is the odds ``var / (1 - var)``. ``var`` only declared positive leaves
    ``1 - var`` of unknown sign, so that SymPy keeps ``log(1 - var)`` and ``log(var - 1)``
    apart; after the substitution both ``var = r/(1 + r)`` and ``1 - var = 1/(1 + r)`` are
    positive, and identities on (0, 1) simplify.
    """
    return expr.subs(var, odds / (1 + odds))


def logistic_cdf(value, loc=0, scale=1):
    """CDF of ``Logistic(loc, scale)`` at ``value``: ``sigma((value - loc) / scale)``."""
    return sigmoid((value - loc) / scale)


def gumbel_cdf(value, loc=0):
    """CDF of ``Gumbel(loc)`` (scale 1): ``exp(-exp(-(value - loc)))``."""
    return sp.exp(-sp.exp(-(value - loc)))


def gumbel_pdf(value, loc=0):
    """Density of ``Gumbel(loc)`` (scale 1): ``exp(-(value - loc) - exp(-(value - loc)))``."""
    return sp.exp(-(value - loc) - sp.exp(-(value - loc)))


def gumbel_softmax_expr(alphas, gumbels, k=0, temperature=tau):
    """Eq. (3): ``exp((log a_k + g_k)/tau) / sum_i exp((log a_i + g_i)/tau)`` (0-based ``k``)."""
    terms = [sp.exp((sp.log(a) + g) / temperature) for a, g in zip(alphas, gumbels, strict=True)]
    return terms[k] / sp.Add(*terms)
