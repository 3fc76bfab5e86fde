"""The hard concrete gate: a stretched and clipped binary Concrete (Louizos et al. 2018).

Louizos, Welling & Kingma (2018), "Learning Sparse Neural Networks through
L_0 Regularization", ICLR, arXiv:1712.01312, Sec. 4. A binary Concrete sample
(:func:`binary_gumbel.binary_gumbel_softmax`, the corrected Eq. (1) of the note)

    s = sigmoid((logit + log u - log(1 - u)) / tau),      u ~ Uniform(0, 1),

is stretched to the interval (gamma, zeta), with ``gamma < 0 < 1 < zeta``, and
clipped to [0, 1]:

    z = min(1, max(0, gamma + (zeta - gamma) s)).

The gate ``z`` is exactly 0 with positive probability, exactly 1 with positive
probability, and continuous in between. Every probability follows from the
binary Concrete CDF ``F(x) = sigmoid(tau log(x / (1 - x)) - logit)``
(:func:`binary_gumbel.binary_concrete_cdf`), because ``z <= c`` is
``s <= (c - gamma) / (zeta - gamma)`` for ``0 <= c < 1``, and the odds of that
point are ``(c - gamma) / (zeta - c)``:

    P(z = 0)  = F(-gamma / (zeta - gamma)) = sigmoid(tau log(-gamma / zeta) - logit),
    P(z = 1)  = 1 - F((1 - gamma) / (zeta - gamma))
              = sigmoid(logit - tau log((1 - gamma) / (zeta - 1))),
    P(z <= c) = sigmoid(tau log((c - gamma) / (zeta - c)) - logit),   0 <= c < 1.

The expected L0 norm of a gated weight, the penalty of Louizos et al.'s Eq. (12),
is therefore a closed form that is differentiable in ``logit``:

    E[1(z != 0)] = P(z != 0) = 1 - P(z = 0) = sigmoid(logit - tau log(-gamma / zeta)),

since ``1 - sigmoid(w) = sigmoid(-w)``. :func:`expected_l0` evaluates it in that
form, never as ``1 - P(z = 0)``, which loses every digit where ``P(z = 0)`` is
close to 1.

Numerics: each probability is one :func:`binary_gumbel.noise.sigmoid` of an
argument assembled from ``log(-gamma)``, ``log1p(-gamma)``, ``log(zeta)``,
``log(zeta - 1)``, ``log(c - gamma)`` and ``log(zeta - c)``, all of positive,
exactly or accurately formed quantities. A tail probability is therefore always a
sigmoid of a very negative argument (computed as ``e / (1 + e)``), exact in
relative terms, and never ``1 - (something close to 1)``.

The SymPy derivation of the three laws from the binary Concrete CDF is
:func:`hard_concrete_masses_expr`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    check_dtype,
    check_no_nan,
    check_open_interval,
    check_probability,
    check_tau,
    result_dtype,
)
from binary_gumbel.noise import _sigmoid
from binary_gumbel.relaxed import (
    _sample_shape,
    binary_gumbel_softmax,
    logit_from_probability,
    sample_binary_gumbel_softmax,
)

if TYPE_CHECKING:
    from binary_gumbel.verification.montecarlo import KSCheck, ProportionCheck

# SymPy and scipy.stats (through montecarlo) are imported where they are used, so that
# ``import binary_gumbel`` stays light.

#: The false-alarm rate of :func:`check_sampler`
#: (that of :mod:`binary_gumbel.verification.montecarlo`).
DEFAULT_FALSE_ALARM = 1e-6

__all__ = [
    "DEFAULT_FALSE_ALARM",
    "GAMMA",
    "ZETA",
    "SamplerChecks",
    "SamplerChecksText",
    "check_sampler",
    "expected_l0",
    "expected_l0_grad",
    "hard_concrete_cdf",
    "hard_concrete_from_uniform",
    "hard_concrete_logpdf",
    "hard_concrete_masses_expr",
    "hard_concrete_pdf",
    "hard_concrete_prob_one",
    "hard_concrete_prob_zero",
    "hard_concrete_residuals",
    "logit_for_prob_zero",
    "sample_hard_concrete",
    "sampler_checks_text",
]

#: The stretch Louizos et al. (2018) use: (gamma, zeta) = (-0.1, 1.1).
GAMMA, ZETA = -0.1, 1.1


# --- argument checks -----------------------------------------------------------------------


def _check_gamma(gamma, dtype) -> np.ndarray:
    return check_open_interval(
        gamma, "gamma", -np.inf, 0.0, "a finite negative number", dtype,
        role=", the lower end of the stretch",
    )  # fmt: skip


def _check_zeta(zeta, dtype) -> np.ndarray:
    return check_open_interval(
        zeta, "zeta", 1.0, np.inf, "a finite number greater than 1", dtype,
        role=", the upper end of the stretch",
    )  # fmt: skip


def _params(logit, tau, gamma, zeta, **extra):
    """Convert, check and broadcast ``(*extra, logit, tau, gamma, zeta)`` in one dtype."""
    dtype = result_dtype(**extra, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    checked = {k: check_no_nan(as_float_array(v, k, dtype), k) for k, v in extra.items()}
    checked["logit"] = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    checked["tau"] = check_tau(tau, dtype)
    checked["gamma"] = _check_gamma(gamma, dtype)
    checked["zeta"] = _check_zeta(zeta, dtype)
    return broadcast(**checked)


def _log_odds_zero(gamma, zeta):
    """``log(-gamma / zeta)``: the log-odds of ``s`` at which the stretched sample is 0."""
    return np.log(-gamma) - np.log(zeta)


def _log_odds_one(gamma, zeta):
    """``log((1 - gamma) / (zeta - 1))``: the log-odds of ``s`` at which it is 1."""
    return np.log1p(-gamma) - np.log(zeta - 1)


# --- the law ---------------------------------------------------------------------------------


def hard_concrete_prob_zero(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``P(z = 0) = sigmoid(tau log(-gamma / zeta) - logit)`` for the hard concrete gate.

    ``z = min(1, max(0, gamma + (zeta - gamma) s))`` with ``s`` binary Concrete
    (Louizos, Welling & Kingma 2018, Sec. 4). ``z = 0`` exactly when
    ``s <= -gamma / (zeta - gamma)``, a point whose odds are ``-gamma / zeta``, so
    ``P(z = 0)`` is the binary Concrete CDF there.

    Parameters
    ----------
    logit : array_like
        Location ``log alpha`` of the binary Concrete; ``±inf`` allowed, NaN refused.
    tau : array_like
        Temperature (Louizos et al.'s ``beta``), ``0 < tau < inf``.
    gamma, zeta : array_like, optional
        The stretch interval, ``-inf < gamma < 0`` and ``1 < zeta < inf``;
        by default Louizos et al.'s ``(-0.1, 1.1)``.

    Returns
    -------
    ndarray or scalar
        The probability, with the broadcast shape of the inputs, in float32 when
        the floating inputs are float32. Exact in relative terms in both tails.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``logit`` is NaN, ``tau`` is not in ``(0, inf)``, ``gamma`` is not a
        finite negative number, ``zeta`` is not finite and greater than 1, or the
        shapes do not broadcast.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    return _sigmoid(tau * _log_odds_zero(gamma, zeta) - logit).astype(logit.dtype)[()]


def hard_concrete_prob_one(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``P(z = 1) = sigmoid(logit - tau log((1 - gamma) / (zeta - 1)))`` for the hard concrete gate.

    ``z = 1`` exactly when ``s >= (1 - gamma) / (zeta - gamma)``, a point whose odds
    are ``(1 - gamma) / (zeta - 1)``; ``P(z = 1)`` is one minus the binary Concrete
    CDF there, evaluated as the sigmoid of the negated argument (Louizos, Welling &
    Kingma 2018, Sec. 4).

    Parameters, return value and errors are those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    return _sigmoid(logit - tau * _log_odds_one(gamma, zeta)).astype(logit.dtype)[()]


def logit_for_prob_zero(prob_zero, tau, gamma=GAMMA, zeta=ZETA):
    """The logit at which the gate is exactly 0 with probability ``prob_zero``.

    Claim 1 solved for the logit: ``logit = tau log(-gamma / zeta) - log(p / (1 - p))``
    with ``p = prob_zero``. It is not ``-log(p / (1 - p))``: at ``logit = 0`` (what
    ``droprate_init = 0.5`` gives in Louizos et al.'s released code, ``l0_layers.py``,
    ``log(1 - droprate_init) - log(droprate_init)``), ``P(z = 0)`` is
    ``sigmoid(tau log(-gamma / zeta))``, 0.168 at their ``tau = 2/3``, not 1/2.

    Parameters
    ----------
    prob_zero : array_like
        ``0 <= prob_zero <= 1``; 0 gives ``+inf`` and 1 gives ``-inf``.
    tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``prob_zero`` is NaN or outside [0, 1], or as in :func:`hard_concrete_prob_zero`.
    """
    odds = logit_from_probability(check_probability(prob_zero, "prob_zero"))
    odds, tau, gamma, zeta = _params(odds, tau, gamma, zeta)
    return (tau * _log_odds_zero(gamma, zeta) - odds).astype(odds.dtype)[()]


def expected_l0(logit, tau, gamma=GAMMA, zeta=ZETA):
    """The expected L0 penalty ``P(z != 0) = sigmoid(logit - tau log(-gamma / zeta))``.

    It is ``1 - P(z = 0)`` (:func:`hard_concrete_prob_zero`), written with
    ``1 - sigmoid(w) = sigmoid(-w)`` so that it keeps its relative accuracy where
    the gate is almost always shut. Louizos, Welling & Kingma (2018), Eq. (12).

    Parameters, return value and errors are those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    return _sigmoid(logit - tau * _log_odds_zero(gamma, zeta)).astype(logit.dtype)[()]


def expected_l0_grad(logit, tau, gamma=GAMMA, zeta=ZETA):
    """``d P(z != 0) / d logit = sigmoid(w) sigmoid(-w)``, ``w = logit - tau log(-gamma / zeta)``.

    The gradient of the closed-form penalty (:func:`expected_l0`) in the gate's
    logit: no sampling is needed for it. Parameters, return value and errors are
    those of :func:`hard_concrete_prob_zero`.
    """
    logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta)
    w = logit - tau * _log_odds_zero(gamma, zeta)
    return (_sigmoid(w) * _sigmoid(-w)).astype(logit.dtype)[()]


def _interior_argument(z, logit, tau, gamma, zeta):
    """``tau log((c - gamma) / (zeta - c)) - logit`` at ``c = z`` clipped into [0, 1)."""
    inside = (z >= 0) & (z < 1)
    c = np.where(inside, z, 0)
    return tau * (np.log(c - gamma) - np.log(zeta - c)) - logit, inside


def hard_concrete_cdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """CDF ``P(Z <= z)`` of the hard concrete gate, for every real ``z``.

    ``0`` for ``z < 0``; ``sigmoid(tau log((z - gamma) / (zeta - z)) - logit)`` for
    ``0 <= z < 1`` (at ``z = 0`` this is ``P(Z = 0)``, the CDF jumps there); ``1``
    for ``z >= 1`` (a jump of ``P(Z = 1)`` at 1). Louizos, Welling & Kingma (2018), Sec. 4.

    Parameters
    ----------
    z : array_like
        Point(s) at which to evaluate; any real value, ``±inf`` included, NaN refused.
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.

    Returns
    -------
    ndarray or scalar
        The CDF, with the broadcast shape of the inputs.

    Raises
    ------
    TypeError
        If an argument is not real numeric data.
    ValueError
        If ``z`` or ``logit`` is NaN, or as in :func:`hard_concrete_prob_zero`.
    """
    z, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, z=z)
    arg, inside = _interior_argument(z, logit, tau, gamma, zeta)
    arg = np.where(inside, arg, np.where(z >= 1, np.inf, -np.inf))
    return _sigmoid(arg).astype(z.dtype)[()]


def hard_concrete_logpdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """Log-density of the continuous part of the hard concrete gate on (0, 1).

    ``f(z) = tau (zeta - gamma) g(a) / ((z - gamma)(zeta - z))`` with
    ``a = tau log((z - gamma) / (zeta - z)) - logit`` and ``g`` the standard
    Logistic density: the derivative of :func:`hard_concrete_cdf` on (0, 1). It
    integrates to ``1 - P(z = 0) - P(z = 1)``; the two point masses are not part of it.

    Parameters, return value and errors are those of :func:`hard_concrete_cdf`;
    the result is ``-inf`` outside the open interval (0, 1).
    """
    z, logit, tau, gamma, zeta = _params(logit, tau, gamma, zeta, z=z)
    arg, inside = _interior_argument(z, logit, tau, gamma, zeta)
    inside &= z > 0
    c = np.where(inside, z, 0.5)
    a = np.abs(np.where(inside, arg, 0))
    with np.errstate(invalid="ignore"):  # a = inf for an infinite logit: the density is 0
        log_g = -a - 2 * np.log1p(np.exp(-a))
    value = np.log(tau) + np.log(zeta - gamma) - np.log(c - gamma) - np.log(zeta - c) + log_g
    return np.where(inside, value, -np.inf).astype(z.dtype)[()]


def hard_concrete_pdf(z, logit, tau, gamma=GAMMA, zeta=ZETA):
    """Density of the continuous part on (0, 1): ``exp`` of :func:`hard_concrete_logpdf`."""
    return np.exp(hard_concrete_logpdf(z, logit, tau, gamma, zeta))


# --- sampling --------------------------------------------------------------------------------


def _stretch_and_clip(s, gamma, zeta):
    return np.clip(gamma + (zeta - gamma) * s, 0, 1)


def hard_concrete_from_uniform(logit, tau, u, gamma=GAMMA, zeta=ZETA):
    """The gate ``z = min(1, max(0, gamma + (zeta - gamma) s))`` from a uniform ``u``.

    ``s = sigmoid((logit + log u - log(1 - u)) / tau)`` is
    :func:`binary_gumbel.binary_gumbel_softmax`; with ``u ~ Uniform(0, 1)``, ``z``
    is a hard concrete sample (Louizos, Welling & Kingma 2018, Eq. 10). It is the
    reparameterisation: ``z`` is a deterministic, almost everywhere differentiable
    function of ``logit`` for fixed ``u``.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`.
    u : array_like
        Uniform variate(s), ``0 <= u <= 1``.

    Returns
    -------
    ndarray or scalar
        ``z`` in [0, 1], with the broadcast shape of the inputs.

    Raises
    ------
    TypeError, ValueError
        As in :func:`hard_concrete_prob_zero`, and if ``u`` is NaN or outside [0, 1].
    """
    dtype = result_dtype(logit=logit, tau=tau, u=u, gamma=gamma, zeta=zeta)
    gamma, zeta = _check_gamma(gamma, dtype), _check_zeta(zeta, dtype)
    s = np.asarray(binary_gumbel_softmax(as_float_array(logit, "logit", dtype), tau, u))
    s, gamma, zeta = broadcast(s=s, gamma=gamma, zeta=zeta)
    return _stretch_and_clip(s, gamma, zeta).astype(dtype)[()]


def sample_hard_concrete(logit, tau, size=None, rng=None, gamma=GAMMA, zeta=ZETA, dtype=np.float64):
    """Draw hard concrete gates ``z = min(1, max(0, gamma + (zeta - gamma) s))``.

    ``s`` is a binary Concrete sample drawn by
    :func:`binary_gumbel.sample_binary_gumbel_softmax` (the same uniforms, the same
    ``rng`` stream); see :func:`hard_concrete_from_uniform` for the formula and
    Louizos, Welling & Kingma (2018), Sec. 4, for the gate.

    Parameters
    ----------
    logit, tau, gamma, zeta : array_like
        As in :func:`hard_concrete_prob_zero`; they broadcast to ``size``.
    size : int or tuple of ints, optional
        Output shape. By default the broadcast shape of the parameters.
    rng : numpy.random.Generator, seed, or None
        Anything :func:`numpy.random.default_rng` accepts, except a boolean.
    dtype : float32 or float64
        The output dtype; the uniforms are drawn in this dtype.

    Returns
    -------
    ndarray or scalar
        Gates in [0, 1] of shape ``size``, with exact zeros (probability
        :func:`hard_concrete_prob_zero`) and exact ones (:func:`hard_concrete_prob_one`).

    Raises
    ------
    TypeError
        If an argument is not real numeric data, ``size`` is not None, an integer
        or a tuple of integers, ``dtype`` is not a dtype, or ``rng`` is not a
        Generator, a seed or None.
    ValueError
        As in :func:`hard_concrete_prob_zero`; also if ``dtype`` is not float32 or
        float64 or the parameters do not broadcast to ``size``.
    """
    dtype = check_dtype(dtype)
    logit = check_no_nan(as_float_array(logit, "logit", dtype), "logit")
    tau = check_tau(tau, dtype)
    gamma, zeta = _check_gamma(gamma, dtype), _check_zeta(zeta, dtype)
    shape = _sample_shape(size, None, dtype, logit=logit, tau=tau, gamma=gamma, zeta=zeta)
    s = sample_binary_gumbel_softmax(logit, tau, shape, as_generator(rng), dtype)
    return _stretch_and_clip(np.asarray(s), gamma, zeta).astype(dtype)[()]


# --- the symbolic derivation -----------------------------------------------------------------


def _symbols():
    import sympy as sp

    from binary_gumbel.verification import symbolic

    cdf = dict(symbolic.binary_concrete_density().steps)["CDF"]
    logit = next(s for s in cdf.free_symbols if s.name == "L")
    gamma = sp.Symbol("gamma", negative=True)
    zeta = sp.Symbol("zeta", positive=True)
    return cdf, logit, gamma, zeta, sp.Symbol("z", positive=True)


@cache
def hard_concrete_masses_expr():
    """The two point masses and the CDF of the hard concrete gate, derived in SymPy.

    Starts from the binary Concrete CDF ``F(x) = sigma(tau log(x/(1 - x)) - L)`` of
    :func:`binary_gumbel.verification.symbolic.binary_concrete_density` (itself derived by change of
    variables) and substitutes the points where the stretched sample
    ``gamma + (zeta - gamma) s`` crosses 0, 1 and ``z``. Their odds ``x / (1 - x)``
    are computed (and factored) by SymPy; :func:`hard_concrete_residuals` checks the
    results against the closed forms the library evaluates.

    Returns
    -------
    binary_gumbel.verification.symbolic.Derivation
        Steps, with sigmoids shown as ``sigma``: ``F``; ``x_0`` (where the stretched
        sample is 0), its odds and ``P(z = 0) = F(x_0)``; ``x_1`` (where it is 1), its
        odds and ``P(z = 1) = 1 - F(x_1)``; the point for ``0 <= z < 1`` and
        ``P(Z <= z)``; ``P(z != 0) = 1 - P(z = 0)``. The result is ``P(z != 0)``.
    """
    import sympy as sp

    from binary_gumbel.verification import symbolic

    cdf, logit, gamma, zeta, c = _symbols()
    tau, s = symbolic.tau, sp.Symbol("s", positive=True)

    def point(level):
        (root,) = sp.solve(sp.Eq(gamma + (zeta - gamma) * s, level), s)
        return root

    def at(where):
        odds = sp.factor(where / (1 - where))
        return odds, symbolic.sigmoid(tau * sp.log(odds) - logit)

    x0, x1, xz = point(0), point(1), point(c)
    odds0, p0 = at(x0)
    odds1, below1 = at(x1)
    oddsz, cdf_z = at(xz)
    fold = symbolic.fold_sigmoids
    return symbolic.Derivation(
        title="Hard concrete point masses and CDF",
        steps=(
            ("binary Concrete CDF F(x)", fold(cdf)),
            ("x_0: the stretched sample is 0", x0),
            ("odds of x_0", odds0),
            ("P(z = 0) = F(x_0)", fold(p0)),
            ("x_1: the stretched sample is 1", x1),
            ("odds of x_1", odds1),
            ("P(z = 1) = 1 - F(x_1)", fold(1 - below1)),
            ("the point where the stretched sample is z", xz),
            ("P(Z <= z) = F of it, 0 <= z < 1", fold(cdf_z)),
            ("P(z != 0) = 1 - P(z = 0)", fold(1 - p0)),
        ),
        result=1 - p0,
    )


@cache
def hard_concrete_residuals() -> dict:
    """Differences between the derived laws and the library's closed forms, simplified.

    Each value is 0 when the closed form evaluated by :func:`hard_concrete_prob_zero`,
    :func:`hard_concrete_prob_one`, :func:`hard_concrete_cdf` and :func:`expected_l0`
    is the expression derived by :func:`hard_concrete_masses_expr` from the binary
    Concrete CDF. The last two entries are the jumps of the CDF at 0 and 1 minus the
    point masses (``lim_{z -> 0+} P(Z <= z) - P(z = 0)`` and
    ``1 - lim_{z -> 1-} P(Z <= z) - P(z = 1)``). ``zeta = 1 + eta`` with ``eta > 0``
    and ``z = r / (1 + r)`` with ``r > 0`` tell SymPy the signs of ``zeta - 1``,
    ``z`` and ``1 - z``.
    """
    import sympy as sp

    from binary_gumbel.verification import symbolic

    _, logit, gamma, zeta, c = _symbols()
    tau, eta = symbolic.tau, sp.Symbol("eta", positive=True)
    derived = dict(hard_concrete_masses_expr().steps)
    sigmoid = symbolic.Sigmoid
    closed = {
        "P(z = 0)": sigmoid(tau * sp.log(-gamma / zeta) - logit),
        "P(z = 1)": sigmoid(logit - tau * sp.log((1 - gamma) / (zeta - 1))),
        "P(Z <= z)": sigmoid(tau * sp.log((c - gamma) / (zeta - c)) - logit),
        "P(z != 0)": sigmoid(logit - tau * sp.log(-gamma / zeta)),
    }
    keys = dict(zip(closed, [k for k, _ in derived.items() if k.startswith("P(")], strict=True))

    def explicit(expr):
        expr = expr.rewrite(sp.exp).subs(zeta, 1 + eta)
        return symbolic.in_odds(expr, c)

    out = {name: sp.simplify(explicit(derived[keys[name]] - form)) for name, form in closed.items()}
    cdf_z = explicit(closed["P(Z <= z)"])
    r = symbolic.odds
    out["jump at 0 - P(z = 0)"] = sp.simplify(
        sp.limit(cdf_z, r, 0, "+") - explicit(closed["P(z = 0)"])
    )
    out["jump at 1 - P(z = 1)"] = sp.simplify(
        1 - sp.limit(cdf_z, r, sp.oo) - explicit(closed["P(z = 1)"])
    )
    return out


# --- the Monte Carlo checks ------------------------------------------------------------------


class SamplerChecks(NamedTuple):
    """The three checks of one sampler run: exact zeros, exact ones, interior law."""

    logit: float
    tau: float
    zeros: ProportionCheck
    ones: ProportionCheck
    interior: KSCheck

    @property
    def consistent(self) -> bool:
        return self.zeros.consistent and self.ones.consistent and self.interior.consistent


def check_sampler(
    logit, tau, n, rng=None, gamma=GAMMA, zeta=ZETA, false_alarm=DEFAULT_FALSE_ALARM
) -> SamplerChecks:
    """Draw ``n`` gates and test them against the law at the stated ``false_alarm`` rate.

    The fraction of exact zeros is checked against :func:`hard_concrete_prob_zero`,
    that of exact ones against :func:`hard_concrete_prob_one` (Clopper-Pearson
    intervals), and the gates strictly inside (0, 1) by a Kolmogorov-Smirnov test
    against the CDF conditioned on (0, 1),
    ``(F(c) - P(z = 0)) / (1 - P(z = 0) - P(z = 1))``.
    """
    from binary_gumbel.verification import montecarlo

    z = sample_hard_concrete(logit, tau, int(n), as_generator(rng), gamma, zeta)
    p0 = float(hard_concrete_prob_zero(logit, tau, gamma, zeta))
    p1 = float(hard_concrete_prob_one(logit, tau, gamma, zeta))
    zeros = montecarlo.check_proportion(np.count_nonzero(z == 0), z.size, p0, false_alarm)
    ones = montecarlo.check_proportion(np.count_nonzero(z == 1), z.size, p1, false_alarm)
    inner = z[(z > 0) & (z < 1)]
    mass = 1 - p0 - p1

    def conditional_cdf(c):
        return (hard_concrete_cdf(c, logit, tau, gamma, zeta) - p0) / mass

    interior = montecarlo.check_ks(inner, conditional_cdf, false_alarm)
    return SamplerChecks(float(logit), float(tau), zeros, ones, interior)


class SamplerChecksText(NamedTuple):
    """Formatted numbers of a list of :class:`SamplerChecks`, for the chapter's prose."""

    n: str
    logits: str
    taus: str
    zero_fractions: str
    zero_claimed: str
    one_fractions: str
    one_claimed: str
    ks_min_pvalue: str
    all_consistent: str  # "every check is consistent", or "a check fails"
    false_alarm: str  # per check
    familywise: str  # the Bonferroni bound over all the checks


def sampler_checks_text(checks) -> SamplerChecksText:
    """The numbers of :func:`check_sampler` results as short strings (comma-separated lists).

    ``false_alarm`` is the rate of each check; ``familywise`` bounds the rate at which any
    of the ``3 len(checks)`` checks fails on a correct sampler (Bonferroni).
    """
    checks = list(checks)
    if not checks:
        raise ValueError("checks must hold at least one SamplerChecks")

    def join(values, fmt):
        return ", ".join(format(v, fmt) for v in values)

    rate_sum = sum(
        c.zeros.false_alarm + c.ones.false_alarm + c.interior.false_alarm for c in checks
    )

    return SamplerChecksText(
        n=f"{checks[0].zeros.n:,}",
        logits=join(dict.fromkeys(c.logit for c in checks), "g"),
        taus=join((c.tau for c in checks), ".2g"),
        zero_fractions=join((c.zeros.estimate for c in checks), ".4f"),
        zero_claimed=join((c.zeros.expected for c in checks), ".4f"),
        one_fractions=join((c.ones.estimate for c in checks), ".4f"),
        one_claimed=join((c.ones.expected for c in checks), ".4f"),
        ks_min_pvalue=f"{min(c.interior.pvalue for c in checks):.3f}",
        all_consistent=(
            "every check is consistent" if all(c.consistent for c in checks) else "a check fails"
        ),
        false_alarm=_rate(checks[0].zeros.false_alarm),
        familywise=f"{3 * len(checks)} checks, at most {_rate(rate_sum)} family-wise",
    )


def _rate(rate: float) -> str:
    return f"{rate:.0e}".replace("e-0", "e-")
