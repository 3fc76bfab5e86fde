"""Monte Carlo confirmations of the verdict engine's exact results.

The note's formulas are evaluated as written, through :func:`sympy.lambdify` of
their SymPy expressions; the library's samplers stand for the corrected ones.
Every check is a hypothesis test from :mod:`binary_gumbel.verification.montecarlo` at the
false-alarm rate :data:`~binary_gumbel.verification.montecarlo.DEFAULT_FALSE_ALARM`, with a
fixed seed. A confirmation records whether it agrees with the exact verdict;
the caller treats disagreement as a failure of the check itself.

Power. With ``eps(n) = sqrt(log(2 / alpha) / (2 n))`` (Hoeffding; DKW with Massart's
constant for the KS statistic), the Clopper-Pearson interval lies within ``eps`` of the
estimate and the KS test rejects above ``eps``, so a claim off by at least ``2 eps``
(in probability, or in sup-distance of CDFs) is rejected with probability at least
``1 - alpha``: at ``alpha = 1e-6``, ``2 eps = 0.017`` for ``n = 100,000`` and ``0.038``
for ``n = 20,000``. The note's errors are off by at least 1/2.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from binary_gumbel._validation import (
    check_count,
    check_probability,
    check_tau,
    finite_number,
    single_number,
)
from binary_gumbel.relaxed import sample_binary_gumbel_softmax
from binary_gumbel.verification.engine import (
    LAWS,
    Check,
    Phrase,
    binary_form,
    formula,
    limit_probability,
    say,
)
from binary_gumbel.verification.montecarlo import DEFAULT_FALSE_ALARM, check_ks, check_proportion
from binary_gumbel.verification.symbolic import p, tau, x

__all__ = [
    "N_KS",
    "N_PROPORTION",
    "SEED",
    "ks_confirmation",
    "law_confirmation",
    "library_limit_confirmation",
    "limit_confirmation",
    "proportion_confirmation",
    "sample_expression",
]

SEED = 20161103  # the arXiv month of both source papers; any fixed value would do
LIMIT_TAU = sp.Rational(1, 10)


def _open_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform(0, 1) draws that are never exactly 0 or 1: midpoints of a 2**-52 grid.

    ``(k + 1/2) / 2**52`` with ``k`` uniform on ``{0, ..., 2**52 - 1}`` is exact in
    float64 (``k + 1/2 < 2**52`` needs 53 bits), so the largest draw is ``1 - 2**-53``.
    """
    return (rng.integers(0, 2**52, size=n) + 0.5) / 2.0**52


#: The least magnitude that a correctly rounded conversion to float64 turns into infinity:
#: the largest double plus half its last place, ``2**1024 - 2**970``.
_OVERFLOW = 2**1024 - 2**970


class _Float64Printer(NumPyPrinter):
    """SymPy's NumPy printer, with each exact number beyond the doubles printed as infinity.

    A substituted point can give a constant past float64's range (``((1 - p) / p)**10`` at
    ``p = 10**-200``, with ``tau = 1/10``), which Python cannot turn into a float; this printer
    gives it the value float64 rounds it to, ``±inf``, as an overflowing ``exp`` does. Every
    other number is printed as before: a rational ``a/b`` of Python integers (their quotient
    is correctly rounded), which keeps every value of ordinary points to the bit.
    """

    def _finite_or_infinite(self, expr, exact) -> str:
        """``exact(expr)``, the usual printing, or ``±inf`` for a number beyond the doubles."""
        return self._print(sp.oo * sp.sign(expr)) if abs(expr) >= _OVERFLOW else exact(expr)

    def _print_Integer(self, expr):
        return self._finite_or_infinite(expr, super()._print_Integer)

    def _print_Rational(self, expr):
        return self._finite_or_infinite(expr, super()._print_Rational)


def _at_point(expr, point, tau_value):
    """``expr`` at ``tau_value`` and the parameters of ``point``; ``p = 0`` or ``1`` as a limit.

    At ``p = 0`` or ``1`` the logit ``log(p / (1 - p))`` is infinite and a substitution gives
    SymPy's ``zoo`` (so NaN draws); the one-sided limit ``p -> 0+`` or ``p -> 1-`` of the
    expression, a function of the noise, is the value there. The other values are substituted
    together, in one ``subs``, whose result (and so every bit of the draws) depends on that.
    """
    edge = {k: int(v) for k, v in point.items() if k == p and float(v) in (0.0, 1.0)}
    expr = sp.sympify(expr).subs(
        {tau: tau_value, **{k: v for k, v in point.items() if k not in edge}}
    )
    for symbol, value in edge.items():
        expr = sp.limit(expr, symbol, value, "+" if value == 0 else "-")
    return expr


def _checked_point(point) -> dict:
    """``point`` with its values as exact SymPy numbers, each checked and named.

    The probability ``p`` must lie in [0, 1]; every other parameter must be a finite real
    number. ``ValueError`` or ``TypeError`` names the parameter otherwise.
    """
    checked = {}
    for symbol, value in point.items():
        name = f"the point's {symbol}"
        if symbol == p:
            single_number(check_probability(value, name), name)
        else:
            finite_number(value, name)
        checked[symbol] = sp.sympify(value)
    return checked


def sample_expression(expr, point, n: int, seed: int = SEED, tau_value=LIMIT_TAU) -> np.ndarray:
    """``n`` draws of the random SymPy expression ``expr`` at parameters ``point``.

    ``point`` maps parameters to numbers: the probability ``p`` in [0, 1] (at 0 or 1 the
    expression's one-sided limit), other parameters finite; ``tau_value`` is a positive,
    finite temperature and ``n >= 1``. Otherwise ``ValueError`` or ``TypeError`` names the
    argument. Each random symbol is drawn from its law in :data:`LAWS`; the expression is
    evaluated with :func:`sympy.lambdify`. An ``exp`` overflowing to ``inf`` gives
    the exact limit (``1 / (1 + inf) = 0``), so overflow is silenced locally; so does a
    constant of the substituted expression beyond the doubles, which is evaluated as ``inf``.
    """
    n = check_count(n, "n")
    single_number(check_tau(tau_value, name="tau_value"), "tau_value")
    point = _checked_point(point)
    rng = np.random.default_rng(seed)
    expr = _at_point(expr, point, tau_value)
    noise = sorted((s for s in expr.free_symbols if s in LAWS), key=sp.default_sort_key)
    if expr.free_symbols - set(noise):
        raise ValueError(f"point leaves free parameters in {expr}")
    draws = []
    for symbol in noise:
        law = LAWS[symbol]
        if law.kind == "uniform":
            draws.append(_open_uniform(rng, n))
        else:
            draws.append(rng.gumbel(float(law.loc.subs(point)), 1.0, size=n))
    with np.errstate(over="ignore"):
        values = sp.lambdify(noise, expr, "numpy", printer=_Float64Printer)(*draws)
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _number(value: float, spec: str = ".4f") -> tuple[str, str]:
    """``value`` as (Unicode, LaTeX) notation: ``0.7497``, ``10⁻⁶`` or ``3.1×10⁻⁵⁰``."""
    if value >= 1e-3:
        return format(value, spec), format(value, spec)
    if value == 0:  # below the smallest double: say so rather than print 0
        return "< 10⁻³⁰⁰", "< 10^{-300}"
    exponent = round(math.log10(value))
    if math.isclose(value, 10.0**exponent):
        return f"10{str(exponent).translate(_SUPERSCRIPTS)}", f"10^{{{exponent}}}"
    mantissa, exponent = f"{value:.1e}".split("e")
    exponent = str(int(exponent))
    return (
        f"{mantissa}×10{exponent.translate(_SUPERSCRIPTS)}",
        rf"{mantissa}\times 10^{{{exponent}}}",
    )


def _level() -> Phrase:
    """The coverage ``1−10⁻⁶`` of the tests."""
    text, tex = _number(DEFAULT_FALSE_ALARM)
    return formula((f"1−{text}", f"1-{tex}"))


def _setting(label: str, point, n: int, tau_value) -> Phrase:
    """``Monte Carlo at τ = 1/10, p = 1/4 (n = 100,000, seed 20161103)``."""
    values = {} if tau_value is None else {tau: sp.sympify(tau_value)}
    values.update(point)
    where = [say(" at ", formula(*(sp.Eq(k, v, evaluate=False) for k, v in values.items()),
                                 sep=", "))] if values else []  # fmt: skip
    return say(label, *where, f" (n = {n:,}, seed {SEED})")


def proportion_confirmation(
    name, successes, n, claimed, exact, *, outcome="have x > 1/2", label="Monte Carlo",
    tau_value=LIMIT_TAU, **data,
) -> Check:  # fmt: skip
    """Clopper-Pearson interval for ``P(event)``; agrees when it holds ``exact`` and holds
    ``claimed`` exactly when ``claimed == exact``.

    ``claimed`` and ``exact`` may be exact SymPy numbers (shown as such); ``outcome`` and
    ``label`` only word the summary.
    """
    shown_claimed, shown_exact = sp.nsimplify(claimed), sp.nsimplify(exact)
    claimed, exact = float(claimed), float(exact)
    result = check_proportion(successes, n, claimed, DEFAULT_FALSE_ALARM)
    contains_exact = result.low <= exact <= result.high
    agrees = contains_exact and (result.consistent == (claimed == exact))
    verb = "contains" if result.consistent else "excludes"
    if claimed == exact:
        verdict = say(f" {verb} the claimed and exact value ", shown_claimed)
    else:
        verdict = say(f" {verb} the claimed ", shown_claimed,
                      f" and {'contains' if contains_exact else 'excludes'} the exact ",
                      shown_exact)  # fmt: skip
    estimate = formula(_number(result.estimate))
    text = say(_setting(label, {}, n, tau_value), ": a fraction ", estimate,
               f" of samples {outcome}; its ", _level(), " Clopper–Pearson interval ",
               formula((f"[{result.low:.4f}, {result.high:.4f}]",
                        rf"[{result.low:.4f}, {result.high:.4f}]")), verdict, ".")  # fmt: skip
    fields = {
        "successes": successes,
        "n": n,
        "low": result.low,
        "high": result.high,
        "claimed": claimed,
        "exact": exact,
        "false_alarm": DEFAULT_FALSE_ALARM,
        "seed": SEED,
        "agrees_with_exact": agrees,
        **({} if tau_value is None else {"tau": str(tau_value)}),
        **data,
    }
    return Check(name, None, "Monte Carlo (Clopper-Pearson)", text.plain, fields, text.latex)


def ks_confirmation(
    name, samples, cdf_expr, at, point, same_law: bool, *, against="the exact CDF",
    tau_value=None, **data,
) -> Check:  # fmt: skip
    """Kolmogorov-Smirnov test of ``samples`` against the SymPy CDF ``cdf_expr(at)``.

    Agrees with the exact verdict when the test rejects exactly if not ``same_law``
    (a test that does not reject shows consistency with the law, not equality);
    ``against`` names the law in the summary.
    """
    cdf_expr = sp.sympify(cdf_expr).subs(point)
    cdf = sp.lambdify(at, cdf_expr, "numpy")

    def evaluate(values):
        # The CDF is written with log(x / (1 - x)); at x = 0 or 1 it takes the limit 0 or 1.
        with np.errstate(divide="ignore", over="ignore"):
            return cdf(values)

    result = check_ks(samples, evaluate, DEFAULT_FALSE_ALARM)
    agrees = result.consistent == same_law
    relation = (" ≥ ", r" \ge ") if result.consistent else (" < ", " < ")
    (pvalue, pvalue_tex), (alarm, alarm_tex) = (
        _number(result.pvalue, ".2g"),
        _number(DEFAULT_FALSE_ALARM),
    )
    comparison = (pvalue + relation[0] + alarm, pvalue_tex + relation[1] + alarm_tex)
    text = say(_setting("Monte Carlo", point, result.n, tau_value),
               ": Kolmogorov–Smirnov distance ", formula(_number(result.statistic)), " to ",
               against, ", p-value ", formula(comparison), ", so the test ",
               "does not reject" if result.consistent else "rejects", " that law.")  # fmt: skip
    fields = {
        "n": result.n,
        "statistic": result.statistic,
        "pvalue": result.pvalue,
        "false_alarm": DEFAULT_FALSE_ALARM,
        "seed": SEED,
        "point": {str(k): str(v) for k, v in point.items()},
        "agrees_with_exact": agrees,
        **({} if tau_value is None else {"tau": str(tau_value)}),
        **data,
    }
    return Check(name, None, "Monte Carlo (Kolmogorov-Smirnov)", text.plain, fields, text.latex)


#: Monte Carlo sizes. Their power against the note's errors (off by at least 1/2) is
#: essentially 1; see this module's docstring for the bound.
N_PROPORTION = 100_000
N_KS = 20_000


def limit_confirmation(name, expr, claimed, point) -> Check:
    """Proportion of ``x > 1/2`` at small tau: the event ``lim x = 1`` (``x = sigma(A/tau)``)."""
    values = sample_expression(expr, point, N_PROPORTION, tau_value=LIMIT_TAU)
    exact = limit_probability(expr).subs(point)
    return proportion_confirmation(
        name, int(np.count_nonzero(values > 0.5)), N_PROPORTION,
        sp.sympify(claimed).subs(point), exact, formula="note, lambdified",
    )  # fmt: skip


def library_limit_confirmation(name, logit: float, claimed) -> Check:
    """Proportion of ``x > 1/2`` among the library sampler's draws at small tau."""
    rng = np.random.default_rng(SEED)
    values = sample_binary_gumbel_softmax(logit, float(LIMIT_TAU), size=N_PROPORTION, rng=rng)
    return proportion_confirmation(
        name, int(np.count_nonzero(values > 0.5)), N_PROPORTION, claimed, claimed,
        label="Monte Carlo with the library's sampler",
        formula="library sample_binary_gumbel_softmax",
    )  # fmt: skip


def law_confirmation(name, lhs, rhs, point, same_law: bool, against: str) -> Check:
    """KS test of samples of ``lhs`` (as written, lambdified) against the exact CDF of ``rhs``."""
    tau_value = sp.Rational(1, 2)
    samples = sample_expression(lhs, point, N_KS, tau_value=tau_value)
    cdf = binary_form(rhs).cdf.subs(tau, tau_value)
    return ks_confirmation(
        name, samples, cdf, x, point, same_law, against=against, tau_value=tau_value
    )
