"""Mutation tests.

The verdict engine must say `fails` on wrong variants and `holds` on true ones. The numerical
library is mutated too: each mutant below rewrites one function's source (a small, plausible
slip), and each test that pins it (a test of test_gradients, which passes on the library as it
is) must then fail an assertion. The first six mutants passed every test before those pins.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sympy as sp
import test_binary_estimators
import test_gradients as pins
import test_kernels

from binary_gumbel.verification import engine
from binary_gumbel.verification.engine import FAILS, HOLDS, HOLDS_IN_DISTRIBUTION
from binary_gumbel.verification.note import CORRECTED_EQ1, DEFINITION, STEPS
from binary_gumbel.verification.symbolic import (
    g1,
    g2,
    logistic_cdf,
    mu1,
    mu2,
    p,
    sigmoid,
    tau,
    u,
    z,
)

LOGIT = sp.log(p / (1 - p))
NOISE = sp.log(u / (1 - u))
GAP = sp.log(1 - p) - sp.log(p)


def line_verdict(lhs, rhs):
    return engine.combine(engine.check_line(lhs, rhs, "mutant"))


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        # flipped sign inside the exponential of line 2
        (1 / (1 + sp.exp(-(GAP + g2 - g1) / tau)), STEPS[0]),
        # dropped term: line 3 without -log p
        (1 / (1 + sp.exp((sp.log(1 - p) + NOISE) / tau)), STEPS[1]),
        # dropped term: line 2 without log p
        (1 / (1 + sp.exp((sp.log(1 - p) + g2 - g1) / tau)), STEPS[0]),
        # p swapped with 1 - p in line 1
        (STEPS[0].subs(p, 1 - p), DEFINITION),
        # wrong temperature: 2 tau
        (sigmoid((LOGIT + NOISE) / (2 * tau)), DEFINITION),
        # wrong logit: log p instead of log p/(1-p)
        (sigmoid((sp.log(p) + NOISE) / tau), DEFINITION),
        # Gumbel noise entering with the same sign twice (not a function of g2 - g1 only)
        (1 / (1 + sp.exp((GAP + g2 - g1) / tau)), 1 / (1 + sp.exp((GAP - g2 + g1 + 1) / tau))),
    ],
)
def test_wrong_lines_fail(lhs, rhs):
    assert line_verdict(lhs, rhs) == FAILS


@pytest.mark.parametrize(
    ("lhs", "rhs", "verdict"),
    [
        (STEPS[1], STEPS[0], HOLDS),
        (STEPS[0], DEFINITION, HOLDS),
        # u -> 1 - u reflects the Logistic noise: same law, different random variable
        (sigmoid((LOGIT - NOISE) / tau), sigmoid((LOGIT + NOISE) / tau), HOLDS_IN_DISTRIBUTION),
        (CORRECTED_EQ1, DEFINITION, HOLDS_IN_DISTRIBUTION),
        (STEPS[2], STEPS[1], HOLDS_IN_DISTRIBUTION),
    ],
)
def test_true_lines_hold(lhs, rhs, verdict):
    assert line_verdict(lhs, rhs) == verdict


@pytest.mark.parametrize(
    ("expr", "claimed", "verdict"),
    [
        (CORRECTED_EQ1, p, HOLDS),
        (CORRECTED_EQ1, 1 - p, FAILS),  # p swapped with 1 - p in the claim
        (sigmoid((sp.log(p) + NOISE) / tau), p, FAILS),  # wrong logit
        (sigmoid((LOGIT + NOISE) / (3 * tau)), p, HOLDS),  # tau does not change the limit
        (sigmoid(-(LOGIT + NOISE) / tau), 1 - p, HOLDS),  # the note's Eq. (1), honestly claimed
        (DEFINITION, p, HOLDS),
    ],
)
def test_limit_probability(expr, claimed, verdict):
    assert engine.check_limit_probability(expr, claimed).verdict == verdict


def test_counterexample_is_exact_at_a_rational_point():
    check = engine.check_limit_probability(CORRECTED_EQ1, 1 - p)
    assert check.data["point"] == {"p": "1/4"}
    assert (sp.Rational(check.data["computed"]), sp.Rational(check.data["claimed"])) == (
        sp.Rational(1, 4),
        sp.Rational(3, 4),
    )


X1 = engine.X1
X2 = engine.X2


@pytest.mark.parametrize(
    ("expr", "claimed_cdf", "verdict"),
    [
        (X1 - X2, logistic_cdf(z, mu1 - mu2), HOLDS),
        (X1 - X2, logistic_cdf(z, mu2 - mu1), FAILS),  # flipped sign of the location
        (X1 - X2, logistic_cdf(z, mu1 - mu2, 2), FAILS),  # wrong scale
        (X2 - X1, logistic_cdf(z, mu2 - mu1), HOLDS),
        (NOISE, logistic_cdf(z), HOLDS),
        (-NOISE, logistic_cdf(z), HOLDS),  # the standard Logistic is symmetric
        (NOISE, logistic_cdf(z, 1), FAILS),  # location 1
        (sp.log(u / (1 + u)), logistic_cdf(z), FAILS),  # wrong sampler
        (sp.log(u), logistic_cdf(z), FAILS),  # dropped term
    ],
)
def test_distributional_claims(expr, claimed_cdf, verdict):
    assert engine.check_cdf(expr, claimed_cdf).verdict == verdict


def test_identity_checks():
    assert engine.check_identity(sp.log(p / (1 - p)), sp.log(p) - sp.log(1 - p)).verdict == HOLDS
    wrong = engine.check_identity(sp.log(p / (1 - p)), sp.log(p) + sp.log(1 - p))
    assert wrong.verdict == FAILS
    assert wrong.data["lhs"] != wrong.data["rhs"]


def test_combine_takes_the_weakest_verdict():
    checks = [engine.Check(n, v, "m", "s") for n, v in [("a", HOLDS), ("b", None), ("c", FAILS)]]
    assert engine.combine(checks) == FAILS
    assert engine.combine(checks[:2]) == HOLDS
    with pytest.raises(ValueError, match="at least one verdict"):
        engine.combine(checks[1:2])


def test_unsupported_expressions_raise():
    with pytest.raises(engine.UnsupportedStatement):
        engine.binary_form(sigmoid((g1 + u) / tau))
    with pytest.raises(engine.UnsupportedStatement):
        engine.cdf_of(g1 + g2)
    with pytest.raises(engine.UnsupportedStatement, match="not sigma"):
        engine.binary_form(1 / (1 + sp.exp(-sp.log(u) / tau)))  # not affine in the Logistic


# --- Mutants of the numerical library --------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """``edits`` (old, new) applied to the source of ``module.function``; ``killers`` must fail."""

    name: str
    module: str
    function: str
    edits: tuple[tuple[str, str], ...]
    killers: tuple[Callable[[pytest.MonkeyPatch], None], ...]


def apply_mutant(mutant: Mutant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile the edited source in a copy of the module's namespace and patch it in.

    Every reference the package's modules hold to the function, as an attribute, as a value
    of a dict or as the function of a record in a registry such as ``registry.ESTIMATORS``,
    is replaced for the test's duration. Each
    old text must occur exactly once, so that a mutant that no longer applies fails loudly.
    """
    module = importlib.import_module(mutant.module)
    original = getattr(module, mutant.function)
    source = textwrap.dedent(inspect.getsource(original))
    for old, new in mutant.edits:
        assert source.count(old) == 1, f"{mutant.name}: {old!r} must occur once in the source"
        source = source.replace(old, new)
    namespace = dict(vars(module))
    # `annotations` is the __future__ feature imported above; the library compiles with it too.
    flags = annotations.compiler_flag
    code = compile(source, f"<mutant {mutant.name}>", "exec", flags=flags, dont_inherit=True)
    exec(code, namespace)
    mutated = namespace[mutant.function]
    for name, loaded in list(sys.modules.items()):
        if not name.startswith("binary_gumbel"):
            continue
        if getattr(loaded, mutant.function, None) is original:
            monkeypatch.setattr(loaded, mutant.function, mutated)
        for value in list(vars(loaded).values()):
            if isinstance(value, dict) and value is not vars(loaded).get("__builtins__"):
                for key, entry in list(value.items()):
                    if entry is original:
                        monkeypatch.setitem(value, key, mutated)
                    elif getattr(entry, "function", None) is original:  # a typed registry record
                        monkeypatch.setitem(
                            value, key, dataclasses.replace(entry, function=mutated)
                        )


def _exact_points(name):
    return lambda mp: pins.test_single_estimates_equal_the_definitions_at_exact_points(name)


def _chapter_quadrature(name, tau):
    return lambda mp: pins.test_chapter_bias_variance_and_mse_contain_their_quadrature_values(
        name, tau
    )


def _rebar_is_relax(mp):
    pins.test_rebar_equals_relax_with_its_concrete_term_and_a_silent_network()


_KNOWN_LAW = pins.test_standard_errors_match_their_formulas_and_the_spread_over_replications
# The toy's estimators (test_gradients) run the K-latent ones with one latent: mutated there.
BE, STATS_MODULE = (
    "binary_gumbel.estimators.binary_estimators",
    "binary_gumbel.estimators.statistics",
)
REBAR, RELAX = "binary_gumbel.estimators.binary_rebar", "binary_gumbel.estimators.relax"
KERNELS = "binary_gumbel._kernels"
STATS = "estimator_statistics"

MUTANTS = [
    # The six that no test killed before: unbiased, or inflated errors that intervals forgive.
    Mutant(
        "REBAR control variate sign-flipped",
        REBAR,
        "rebar_parts",
        (
            (
                "-f_zt[..., None] * score + _kernels.times(grad_z, ds_z) - pathwise_zt",
                "-(-f_zt[..., None] * score + _kernels.times(grad_z, ds_z) - pathwise_zt)",
            ),
        ),
        (_rebar_is_relax,),
    ),
    Mutant(
        "REBAR score term with f(s(z)) for f(s(z~))",
        REBAR,
        "rebar_parts",
        (
            ("_, grad_z = f_grad(s_z)", "f_z, grad_z = f_grad(s_z)"),
            ("-f_zt[..., None] * score", "-f_z[..., None] * score"),
        ),
        (_rebar_is_relax,),
    ),
    Mutant(
        "straight-through halved",
        BE,
        "straight_through_gumbel",
        (("_gradient(f_grad, b), dx)", "_gradient(f_grad, b), dx / 2)"),),
        (_exact_points("straight-through"), _chapter_quadrature("straight-through", 0.3)),
    ),
    Mutant(
        "variance_se x3",
        STATS_MODULE,
        STATS,
        (("variance_se=math.sqrt(", "variance_se=3 * math.sqrt("),),
        (_KNOWN_LAW,),
    ),
    Mutant(
        "bias_se x3",
        STATS_MODULE,
        STATS,
        (("bias_se=math.sqrt(var / n)", "bias_se=3 * math.sqrt(var / n)"),),
        (_KNOWN_LAW,),
    ),
    Mutant(
        "mse x2",
        STATS_MODULE,
        STATS,
        (("mse=float(sq.mean())", "mse=2 * float(sq.mean())"),),
        (
            lambda mp: pins.test_mse_is_squared_bias_plus_variance("relaxed"),
            _chapter_quadrature("relaxed", 1.0),
            _KNOWN_LAW,
        ),
    ),
    # Others.
    Mutant(
        "mse_se x2",
        STATS_MODULE,
        STATS,
        (("mse_se=float(sq.std(ddof=1))", "mse_se=2 * float(sq.std(ddof=1))"),),
        (_KNOWN_LAW,),
    ),
    Mutant(
        "variance_se with s^2 for s^4",
        STATS_MODULE,
        STATS,
        (("m4 - var**2 * (n - 3)", "m4 - var * (n - 3)"),),
        (_KNOWN_LAW,),
    ),
    Mutant(
        "sign errors of single estimates, not of batch means",
        STATS_MODULE,
        STATS,
        (("means = g[: n // batch * batch].reshape(-1, batch).mean(axis=1)", "means = g"),),
        (lambda mp: pins.test_chapter_sign_error_of_reinforce_means_is_binomial(0.45, False),),
    ),
    Mutant(
        "tau dropped from the chain rule dx/dtheta",
        KERNELS,
        "concrete",
        (("slope = slope / tau", "slope = slope"),),
        (_exact_points("relaxed"), _exact_points("straight-through")),
    ),
    Mutant(
        "the slope's fallback where exp(-|w / tau|) is subnormal skipped",
        KERNELS,
        "concrete",
        (("if np.any(subnormal):", "if False:"),),
        (
            lambda mp: pins.test_relaxed_derivative_keeps_representable_values_where_exp_flushes(),
            lambda mp: test_kernels.test_concrete_keeps_a_normal_slope_where_exp_is_subnormal(),
            lambda mp: (
                test_binary_estimators.test_gumbel_softmax_keeps_the_slope_where_exp_is_subnormal()
            ),
        ),
    ),
    Mutant(
        "relaxed forward pass at 1 - x",
        BE,
        "gumbel_softmax",
        (("_gradient(f_grad, x)", "_gradient(f_grad, 1 - x)"),),
        (_exact_points("relaxed"), _chapter_quadrature("relaxed", 1.0)),
    ),
    Mutant(
        "REINFORCE baseline added, not subtracted",
        BE,
        "reinforce",
        (("(fb - c)", "(fb + c)"),),
        (
            _exact_points("REINFORCE + baseline"),
            lambda mp: pins.test_chapter_sign_error_of_reinforce_means_is_binomial(0.45, True),
        ),
    ),
    Mutant(
        "REINFORCE with b = 1[u < 1 - p]",
        BE,
        "hard_sample_unchecked",
        (("(z > 0).astype", "(z < 0).astype"),),
        (_exact_points("REINFORCE"),),
    ),
    Mutant(
        "RELAX conditional term with its sign flipped",
        RELAX,
        "relax_estimate",
        (("+ dc_z - pathwise_zt", "+ dc_z + pathwise_zt"),),
        (_rebar_is_relax,),
    ),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_of_the_library_is_killed_by_each_of_its_tests(mutant, monkeypatch):
    apply_mutant(mutant, monkeypatch)
    for killer in mutant.killers:
        with pytest.raises(AssertionError):
            killer(monkeypatch)
