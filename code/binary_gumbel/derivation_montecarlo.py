"""Monte Carlo confirmations of the verdict engine's exact results.

The note's formulas are evaluated as written, through :func:`sympy.lambdify` of
their SymPy expressions; the library's samplers stand for the corrected ones.
Every check is a hypothesis test from :mod:`binary_gumbel.montecarlo` at the
false-alarm rate :data:`~binary_gumbel.montecarlo.DEFAULT_FALSE_ALARM`, with a
fixed seed. A confirmation records whether it agrees with the exact verdict;
the caller treats disagreement as a failure of the check itself.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from binary_gumbel.derivation_engine import LAWS, Check
from binary_gumbel.montecarlo import DEFAULT_FALSE_ALARM, check_ks, check_proportion
from binary_gumbel.symbolic import tau

__all__ = ["SEED", "ks_confirmation", "proportion_confirmation", "sample_expression"]

SEED = 20161103  # the arXiv month of both source papers; any fixed value would do
LIMIT_TAU = sp.Rational(1, 10)


def _open_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """Uniform(0, 1) draws that are never exactly 0 or 1: midpoints of a 2**-53 grid."""
    return (rng.integers(0, 2**53, size=n) + 0.5) / 2.0**53


def sample_expression(expr, point, n: int, seed: int = SEED, tau_value=LIMIT_TAU) -> np.ndarray:
    """``n`` draws of the random SymPy expression ``expr`` at parameters ``point``.

    Each random symbol is drawn from its law in :data:`LAWS`; the expression is
    evaluated with :func:`sympy.lambdify`. An ``exp`` overflowing to ``inf`` gives
    the exact limit (``1 / (1 + inf) = 0``), so overflow is silenced locally.
    """
    rng = np.random.default_rng(seed)
    expr = sp.sympify(expr).subs({tau: tau_value, **point})
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
        values = sp.lambdify(noise, expr, "numpy")(*draws)
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))


def proportion_confirmation(name, successes, n, claimed, exact, **data) -> Check:
    """Clopper-Pearson interval for ``P(event)``; agrees when it holds ``exact`` and holds
    ``claimed`` exactly when ``claimed == exact``."""
    claimed, exact = float(claimed), float(exact)
    result = check_proportion(successes, n, claimed, DEFAULT_FALSE_ALARM)
    contains_exact = result.low <= exact <= result.high
    agrees = contains_exact and (result.consistent == (claimed == exact))
    summary = (
        f"{successes}/{n} = {result.estimate:.4f}; {1 - DEFAULT_FALSE_ALARM:.6f} Clopper-Pearson "
        f"interval [{result.low:.4f}, {result.high:.4f}] "
        f"{'contains' if result.consistent else 'excludes'} the claimed {claimed:.4f}"
        f" and {'contains' if contains_exact else 'excludes'} the exact {exact:.4f}."
    )
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
        **data,
    }
    return Check(name, None, "Monte Carlo (Clopper-Pearson)", summary, fields)


def ks_confirmation(name, samples, cdf_expr, at, point, same_law: bool, **data) -> Check:
    """Kolmogorov-Smirnov test of ``samples`` against the SymPy CDF ``cdf_expr(at)``.

    Agrees with the exact verdict when the test accepts exactly if ``same_law``.
    """
    cdf_expr = sp.sympify(cdf_expr).subs(point)
    cdf = sp.lambdify(at, cdf_expr, "numpy")

    def evaluate(values):
        # The CDF is written with log(x / (1 - x)); at x = 0 or 1 it takes the limit 0 or 1.
        with np.errstate(divide="ignore", over="ignore"):
            return cdf(values)

    result = check_ks(samples, evaluate, DEFAULT_FALSE_ALARM)
    agrees = result.consistent == same_law
    summary = (
        f"KS test of {result.n} samples: statistic {result.statistic:.4f}, p-value "
        f"{result.pvalue:.3g}, {'consistent with' if result.consistent else 'rejects'} the law "
        f"at false-alarm {DEFAULT_FALSE_ALARM:g}."
    )
    fields = {
        "n": result.n,
        "statistic": result.statistic,
        "pvalue": result.pvalue,
        "false_alarm": DEFAULT_FALSE_ALARM,
        "seed": SEED,
        "point": {str(k): str(v) for k, v in point.items()},
        "agrees_with_exact": agrees,
        **data,
    }
    return Check(name, None, "Monte Carlo (Kolmogorov-Smirnov)", summary, fields)
