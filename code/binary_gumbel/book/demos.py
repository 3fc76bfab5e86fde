"""The seeded Monte Carlo demonstrations that the book's chapters show.

Each function draws its noise from an explicit ``rng`` (anything
:func:`numpy.random.default_rng` accepts), computes the samples with the
library's samplers or with the note's formulas as written (lambdified from
:mod:`binary_gumbel.verification.note`), and returns them together with the
statistical checks of :mod:`binary_gumbel.verification.montecarlo` that the chapter reports.

References: Jang, Gu & Poole (2016), arXiv:1611.01144 (the Gumbel-softmax);
Maddison, Mnih & Teh (2016), arXiv:1611.00712 (the binary Concrete); Gumbel
(1954) for the Gumbel-max and Gumbel-difference facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_finite,
    check_penalty,
    check_tau,
    finite_number,
    single_number,
)
from binary_gumbel.categorical import gumbel_softmax
from binary_gumbel.noise import (
    gumbel_from_uniform,
    log_sigmoid,
    logistic_cdf,
    logistic_from_uniform,
    sigmoid,
)
from binary_gumbel.relaxed import binary_gumbel_softmax, logit_from_unnormalized
from binary_gumbel.verification import engine
from binary_gumbel.verification.derivation_montecarlo import sample_expression
from binary_gumbel.verification.montecarlo import (
    KSCheck,
    ProportionCheck,
    check_ks,
    check_proportion,
)

__all__ = [
    "ExceedanceCurve",
    "SignFlipFit",
    "argmax_frequencies",
    "coupled_binary_and_two_class",
    "exceedance_curve",
    "gumbel_difference",
    "logistic_by_inversion",
    "rescaled_samples",
    "sign_flip_fit",
    "simplex_samples",
]


def _check_weights(alpha) -> np.ndarray:
    alpha = check_finite(as_float_array(alpha, "alpha"), "alpha")
    if alpha.ndim != 1 or alpha.size < 2:
        raise ValueError(
            f"alpha must be a 1-D array of at least 2 weights; got shape {alpha.shape}"
        )
    if np.any(alpha <= 0):
        raise ValueError(f"alpha must hold positive weights; got {alpha.tolist()}")
    return alpha


def _gumbels(rng, shape) -> np.ndarray:
    return gumbel_from_uniform(as_generator(rng).random(shape))


def argmax_frequencies(alpha, tau, n, rng=None) -> list[ProportionCheck]:
    """How often each category is the argmax of the relaxed sample, against ``alpha_k / sum alpha``.

    Draws ``n`` Gumbel-softmax samples (the note's Eq. 3) with weights
    ``alpha`` at temperature ``tau`` and returns, per category, the
    Clopper-Pearson check of its argmax frequency against the Gumbel-max
    probability ``alpha_k / sum_i alpha_i``. As ``tau -> 0`` the sample
    becomes the one-hot vector of that argmax.
    """
    alpha, n = _check_weights(alpha), check_count(n, "n", 2)
    x = gumbel_softmax(np.log(alpha), tau, _gumbels(rng, (n, alpha.size)))
    counts = np.bincount(x.argmax(axis=-1), minlength=alpha.size)
    share = alpha / alpha.sum()
    return [check_proportion(c, n, s) for c, s in zip(counts, share, strict=True)]


def simplex_samples(alpha, taus: Sequence[float], n, rng=None) -> dict[float, np.ndarray]:
    """Gumbel-softmax samples for the same noise at several temperatures.

    Returns ``{tau: x}`` with ``x`` of shape ``(n, len(alpha))``: one draw of
    Gumbel noise is shared by every temperature, so each point moves from the
    centre of the simplex (large ``tau``) towards a vertex (small ``tau``).
    """
    alpha, n = _check_weights(alpha), check_count(n, "n", 2)
    taus = [float(t) for t in check_tau(taus).ravel()]
    gumbels = _gumbels(rng, (n, alpha.size))
    return {t: gumbel_softmax(np.log(alpha), t, gumbels) for t in taus}


def gumbel_difference(loc1, loc2, n, rng=None) -> tuple[np.ndarray, KSCheck]:
    """``X1 - X2`` for independent ``Gumbel(loc1)``, ``Gumbel(loc2)``, and its KS check.

    The check is a Kolmogorov-Smirnov test against the ``Logistic(loc1 - loc2, 1)``
    CDF ``sigma(z - (loc1 - loc2))`` (Gumbel 1954).
    """
    n = check_count(n, "n", 2)
    loc1 = finite_number(loc1, "loc1")
    loc2 = finite_number(loc2, "loc2")
    u = as_generator(rng).random((2, n))
    diff = gumbel_from_uniform(u[0], loc1) - gumbel_from_uniform(u[1], loc2)
    return diff, check_ks(diff, lambda z: logistic_cdf(z, loc1 - loc2))


def logistic_by_inversion(n, rng=None) -> tuple[np.ndarray, KSCheck]:
    """``log u - log(1 - u)`` for ``u ~ Uniform(0, 1)``, and its KS check against ``sigma``."""
    samples = logistic_from_uniform(as_generator(rng).random(check_count(n, "n", 2)))
    return samples, check_ks(samples, logistic_cdf)


def coupled_binary_and_two_class(logit, tau, n, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """The binary form and the two-class Gumbel-softmax, computed from the same noise.

    Draws Gumbels ``g1, g2`` and returns ``(binary, two_class)``:
    ``two_class`` is the first coordinate of Eq. (3) with weights
    ``[sigma(logit), sigma(-logit)]``, and ``binary`` is
    ``sigma((logit + log(u / (1 - u))) / tau)`` with the coupled uniform
    ``u = sigma(g1 - g2)``, whose Logistic transform is exactly ``g1 - g2``.
    The two agree sample for sample, up to rounding.
    """
    logit = finite_number(logit, "logit")
    g = _gumbels(rng, (check_count(n, "n", 2), 2))
    log_alpha = np.array([log_sigmoid(logit), log_sigmoid(-logit)])
    two_class = gumbel_softmax(log_alpha, tau, g)[:, 0]
    binary = binary_gumbel_softmax(logit, tau, sigmoid(g[:, 0] - g[:, 1]))
    return binary, two_class


def rescaled_samples(alpha1, alpha2, scales: Sequence[float], tau, n, rng=None) -> np.ndarray:
    """Binary samples for the weights ``(c alpha1, c alpha2)`` at each scale ``c``, same noise.

    Returns an array of shape ``(len(scales), n)``. The logit
    ``log(c alpha1) - log(c alpha2)`` does not depend on ``c``, so the rows agree
    up to the rounding of the two logarithms.
    """
    scales = as_float_array(scales, "scales").ravel()
    if not np.all((scales > 0) & np.isfinite(scales)):
        raise ValueError(f"scales must be positive and finite; got {scales.tolist()}")
    u = as_generator(rng).random(check_count(n, "n", 2))
    logits = logit_from_unnormalized(scales * alpha1, scales * alpha2)
    return binary_gumbel_softmax(logits[:, np.newaxis], tau, u)


@dataclass(frozen=True)
class ExceedanceCurve:
    """``P(x > 1/2)`` of a binary relaxation at several parameter points.

    ``claimed`` is the probability the note claims at each point, ``checks`` the
    Monte Carlo estimates (each a Clopper-Pearson check against ``claimed``) and
    ``exact`` the probability the verdict engine computes. Because
    ``x = sigma(A / tau)``, the event ``x > 1/2`` is ``A > 0`` at every
    temperature, so it is also the event ``lim_{tau -> 0} x = 1``.
    """

    claimed: np.ndarray
    exact: np.ndarray
    checks: tuple[ProportionCheck, ...]

    @property
    def estimates(self) -> np.ndarray:
        return np.array([c.estimate for c in self.checks])


def _exact(value) -> sp.Rational:
    """The exact rational of the number ``value``, the simplest one where that is the same double.

    ``nsimplify`` gives a short rational (``0.3 -> 3/10``) that the formulas then evaluate
    exactly; it is kept only where it rounds to ``value`` itself. Otherwise (``1 - 1e-9``,
    which ``nsimplify`` makes 1, where ``log(p / (1 - p))`` is infinite) the point is the
    value's own binary fraction.
    """
    simple = sp.nsimplify(value, rational=True)
    return simple if float(simple) == value else sp.Rational(value)


def exceedance_curve(expr, points: Sequence[Mapping], claimed, n, seed: int = 0) -> ExceedanceCurve:
    """Estimate ``P(x > 1/2)`` for the SymPy relaxation ``expr`` at each parameter point.

    ``expr`` is a formula of :mod:`binary_gumbel.verification.note` (for example the
    note's ``EQ1`` as written, or ``CORRECTED_EQ1``), evaluated as written by
    :func:`binary_gumbel.verification.derivation_montecarlo.sample_expression` with ``n``
    draws of its noise per point; ``claimed`` is a SymPy expression of the same
    parameters. The same seed is used at every point.
    """
    n = check_count(n, "n", 2)
    if not points:
        raise ValueError("points must hold at least one parameter point")
    exact_expr = engine.limit_probability(expr)
    claimed_values, exact_values, checks = [], [], []
    for raw in points:
        point = {k: _exact(v) for k, v in raw.items()}
        values = sample_expression(expr, point, n, seed=seed)
        target = float(sp.sympify(claimed).subs(point))
        claimed_values.append(target)
        exact_values.append(float(exact_expr.subs(point)))
        checks.append(check_proportion(int(np.count_nonzero(values > 0.5)), n, target))
    return ExceedanceCurve(np.array(claimed_values), np.array(exact_values), tuple(checks))


@dataclass(frozen=True)
class SignFlipFit:
    """The logit fitted with the corrected Eq. (1) and with the note's Eq. (1) as written.

    ``prob_*`` is ``P(x > 1/2)`` of the samples at the fitted logit, the Bernoulli the
    relaxation stands for: ``sigma(logit)`` for the corrected form, ``sigma(-logit)`` for
    the note's. ``loss_*`` is the minimal loss.
    """

    logit_corrected: float
    logit_note: float
    prob_corrected: float
    prob_note: float
    loss_corrected: float
    loss_note: float


def _bernoulli_kl(q, prior) -> float:
    """``KL(Bernoulli(q) || Bernoulli(prior))``, with ``0 log 0 = 0``."""
    terms = [(q, prior), (1.0 - q, 1.0 - prior)]
    return float(sum(a * (np.log(a) - np.log(b)) for a, b in terms if a > 0))


def sign_flip_fit(target, tau, prior=0.5, weight=0.0, penalty="kl", nodes=4096) -> SignFlipFit:
    """Fit the logit with the note's Eq. (1) and with the corrected form, and compare.

    The loss is ``E[(x - target)^2] + weight * R(sigma(logit))``: a term that sees the
    logit only through the samples ``x``, plus a term that reads it directly. ``penalty``
    chooses ``R``: ``"kl"``, ``KL(Bernoulli(sigma(logit)) || Bernoulli(prior))`` as a
    variational KL to a prior; ``"l0"``, the expected L0 norm ``sigma(logit)`` of a
    Bernoulli gate (Louizos et al. 2018, Eq. 3; ``prior`` unused). The corrected form samples
    ``x = sigma((logit + Z) / tau)``, the note's ``x = sigma(-(logit + Z) / tau)``, with
    ``Z = log u - log(1 - u)``. The expectation is a midpoint rule over ``nodes`` values
    of ``u``, symmetric under ``u -> 1 - u`` like the Logistic law, so that with
    ``weight = 0`` the note's loss at ``logit`` equals the corrected loss at ``-logit``
    exactly: the note's optimum is the corrected one with the logit negated, and its
    samples have the same law. With ``weight > 0`` and ``prior != 1/2`` the KL term
    tells the two apart. Each loss is minimised over ``logit`` in [-30, 30] (bounded
    Brent); an optimum at that bound raises ``RuntimeError``.
    """
    from scipy.optimize import minimize_scalar

    tau = single_number(check_tau(tau), "tau")
    target = finite_number(target, "target")
    prior = finite_number(prior, "prior")
    if not 0.0 < prior < 1.0:
        raise ValueError(f"prior must be a probability in (0, 1); got {prior}")
    weight = single_number(check_penalty(weight, "weight"), "weight")
    penalties = {"kl": lambda q: _bernoulli_kl(q, prior), "l0": float}
    if penalty not in penalties:
        raise ValueError(f"penalty must be one of {sorted(penalties)}; got {penalty!r}")
    reads_logit = penalties[penalty]
    u = (np.arange(check_count(nodes, "nodes", 2)) + 0.5) / nodes
    z = logistic_from_uniform(u)

    def loss(logit, sign):
        x = sigmoid(sign * (logit + z) / tau)
        return float(np.mean((x - target) ** 2)) + weight * reads_logit(sigmoid(logit))

    fits = []
    for sign in (1.0, -1.0):
        best = minimize_scalar(
            loss, bounds=(-30.0, 30.0), args=(sign,), method="bounded",
            options={"xatol": 1e-10},
        )  # fmt: skip
        if abs(best.x) > 29.0:
            raise RuntimeError(f"the optimum logit {best.x:.3g} sits at the search bound")
        fits.append((float(best.x), float(best.fun)))
    (corrected, loss_corrected), (note, loss_note) = fits
    return SignFlipFit(
        corrected, note, float(sigmoid(corrected)), float(sigmoid(-note)), loss_corrected, loss_note
    )
