"""REBAR on the toy problem: its two parts, its variance over ``(eta, temperature)``, limits.

Tucker et al. (2017), "REBAR", arXiv:1703.07370. On ``L(theta) = E[f(b)]``, ``f(b) = (b - t)^2``
(:mod:`binary_gumbel.estimators.gradients`), with the noise ``z``, ``b``, ``z~`` of
:mod:`binary_gumbel.estimators.toy_noise` and the Concrete relaxation
``f(s_l(z))``, ``s_l(z) = sigmoid(z / lambda)``, scaled by ``eta``::

    [f(b) - eta f(s_l(z~))] (b - p) + eta d/dtheta f(s_l(z)) - eta d/dtheta f(s_l(z~))

where the last derivative is taken at fixed ``v`` and ``b``. It is unbiased for every
``eta`` and ``lambda``: the control-variate terms have mean zero, because mixing the two
conditional laws of ``z~`` gives back the law of ``z``
(:func:`binary_gumbel.verification.rebar_unbiasedness.rebar_unbiasedness_exact` integrates
it exactly). RELAX, the learned control variate, is :mod:`binary_gumbel.estimators.relax`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    broadcast,
    broadcast_finite,
    check_count,
    check_no_nan,
    check_tau,
    finite_float64,
    finite_number,
    single_number,
)
from binary_gumbel.estimators import binary_rebar
from binary_gumbel.estimators.binary_rebar import RebarNoise
from binary_gumbel.estimators.gradients import exact_gradient, objective, toy_f_grad
from binary_gumbel.estimators.toy_noise import ToyNoise, toy_noise, toy_noise_unchecked
from binary_gumbel.verification.montecarlo import Interval, mean_interval

__all__ = [
    "SavingCurve",
    "VarianceGrid",
    "first_temperature_saving",
    "held_out_saving",
    "limit_eta",
    "optimal_baseline",
    "rebar",
    "rebar_parts",
    "rebar_parts_of",
    "rebar_variance_grid",
    "saving_curve",
    "temperature_index",
]


def rebar_parts_of(noise: ToyNoise, temperature):
    """``(A, B)`` of :func:`rebar_parts` from drawn noise, at a checked ``temperature``.

    :func:`binary_gumbel.estimators.binary_rebar.rebar_parts` with one latent and
    ``f = (x - t)^2``.
    """
    one_latent = RebarNoise(*(np.asarray(getattr(noise, f))[..., None] for f in RebarNoise._fields))
    lam = np.asarray(temperature)[..., None]
    a, b = binary_rebar.rebar_parts(toy_f_grad(noise.target), one_latent, lam)
    return a[..., 0], b[..., 0]


def rebar_parts(theta, target, u, v, temperature=0.5):
    """The two parts ``(A, B)`` of REBAR, ``g = A + eta B``, one pair per ``(u, v)``.

    ``A = f(b) (b - p)`` is plain REINFORCE, and ``B`` the Concrete control
    variate ``-f(s_l(z~)) (b - p) + d/dtheta f(s_l(z)) - d/dtheta f(s_l(z~))``,
    which has mean zero. The variance of ``A + eta B`` is smallest at
    ``eta* = -Cov(A, B) / Var(B)``.

    Raises ``ValueError`` naming ``theta``, ``target``, ``u``, ``v`` or
    ``temperature`` for NaN, a uniform outside [0, 1] or a non-positive temperature, and
    naming ``target`` where ``f(b) = (b - t)^2`` is beyond the largest double (``|t|``
    above about ``1.34e154``: :mod:`binary_gumbel.estimators.gradients` says why).
    """
    lam = check_tau(temperature, np.float64, "temperature")
    a, b_ = rebar_parts_of(toy_noise(theta, target, u, v), lam)
    a, b_ = broadcast(a=a, b=b_)
    return a[()], b_[()]


def rebar(theta, target, u, v, eta=1.0, temperature=0.5):
    """REBAR estimates of ``dL/dtheta``, one per pair of uniforms ``(u, v)``.

    ``eta`` scales the Concrete control variate ``f(sigmoid(z / temperature))``;
    ``eta = 0`` is plain REINFORCE. Unbiased for every ``eta`` and ``temperature``.
    """
    eta = finite_float64(eta, "eta")
    a, b = rebar_parts(theta, target, u, v, temperature)
    return (a + eta * b)[()]


@dataclass(frozen=True)
class VarianceGrid:
    """REBAR's single-sample variance over a grid of ``(eta, temperature)`` at one ``theta``.

    ``variance[i, j]`` is at ``etas[i]``, ``temperatures[j]``, computed exactly
    from the sample moments of ``A`` and ``B`` (every grid point uses the same
    ``n`` pairs of uniforms). ``optimal_eta[j] = -Cov(A, B) / Var(B)`` and
    ``optimal_variance[j]`` are the best ``eta`` and its variance at each
    temperature; ``reinforce_variance`` is ``Var(A)`` (``eta = 0``), and
    ``baseline_variance`` that of REINFORCE with the mean baseline ``L(theta)``.
    """

    theta: float
    target: float
    n: int
    etas: np.ndarray
    temperatures: np.ndarray
    variance: np.ndarray
    optimal_eta: np.ndarray
    optimal_eta_se: np.ndarray
    optimal_variance: np.ndarray
    reinforce_variance: float
    baseline_variance: float

    @property
    def saving(self) -> np.ndarray:
        """``1 - Var(A + eta* B) / Var(A)`` at each temperature: the best REBAR's saving."""
        return 1 - self.optimal_variance / self.reinforce_variance

    @property
    def baseline_saving(self) -> float:
        """The saving of REINFORCE with the mean baseline ``L(theta)``."""
        return 1 - self.baseline_variance / self.reinforce_variance

    @property
    def best(self) -> tuple[float, float, float]:
        """``(temperature, eta*, variance)`` of the smallest variance over the temperatures."""
        j = int(np.argmin(self.optimal_variance))
        return (
            float(self.temperatures[j]),
            float(self.optimal_eta[j]),
            float(self.optimal_variance[j]),
        )


def rebar_variance_grid(
    theta: float,
    target: float,
    etas: Sequence[float],
    temperatures: Sequence[float],
    n: int = 100_000,
    rng=None,
) -> VarianceGrid:
    """REBAR's variance against REINFORCE's over ``etas`` x ``temperatures``, at ``theta``.

    ``eta*`` is the least-squares slope of ``-A`` on ``B`` over the ``n`` samples, and
    ``optimal_eta_se`` its heteroscedasticity-robust (HC0, White 1980) standard error,
    ``sqrt(sum (B_i - mean B)^2 (r_i - mean r)^2) / sum (B_i - mean B)^2`` with
    ``r = A + eta* B`` (the residuals of the regression with an intercept, since
    ``E A != 0``): the ordinary slope's error, which assumes one residual variance for
    every ``B``, is half the spread of ``eta*`` over seeds at ``theta = 2``, ``t = 3``,
    ``lambda = 2`` (``tests/test_rebar_relax.py``). The same ``(u, v)`` are used at every
    grid point. Where ``B`` takes one value at every draw (at ``t = 1/2`` once every
    ``|z| / lambda`` is below about ``2^-53``, so that ``sigmoid(z / lambda)`` rounds to 1/2
    and the relaxed terms vanish: from temperatures of about 1e17 to 1e18 at 10**4 to 10**5
    draws), every ``eta`` gives ``Var(A)``: ``eta*`` is then 0 (at ``t = 1/2`` ``B`` is
    uncorrelated with ``A`` at every temperature), its standard error ``inf`` and the
    optimal variance ``Var(A)``. A little below those temperatures (from about 1e15) ``B``
    is rounding noise, and so is ``eta*``.

    ``ValueError`` naming ``temperatures`` if it is empty, and naming ``theta`` if ``b``
    takes one value at all ``n`` draws (for ``|theta|`` above about 37, where ``p`` or
    ``1 - p`` rounds to 1, every draw agrees; at ``|theta| = 20`` it takes about 5e8 draws
    to see both values): ``A = f(b) (b - p)`` is then one number, REINFORCE's variance over
    the draws is 0 and every saving ``1 - Var / Var(A)`` is 0 / 0, undefined. No limit
    stands in for it: the population saving is the squared correlation of ``B`` with ``b``
    (:class:`SavingCurve`), which a sample with one ``b`` does not estimate.
    """
    n = check_count(n, "n", 4)
    etas = finite_float64(etas, "etas").ravel()
    lams = check_tau(temperatures, np.float64, "temperatures").ravel()
    if lams.size == 0:
        raise ValueError("temperatures must hold at least one temperature; got none")
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    uv = as_generator(rng).random((n, 2))
    noise = toy_noise_unchecked(np.float64(theta), np.float64(target), uv[:, 0], uv[:, 1])
    if np.all(noise.b == noise.b[0]):
        raise ValueError(
            f"theta = {theta!r} gives b = {noise.b[0]:g} at all {n} draws "
            f"(p = sigmoid(theta) = {float(noise.p)!r}): b takes one value over the draws, "
            "so REINFORCE's variance is 0 and the saving is undefined"
        )
    var = np.empty((etas.size, lams.size))
    eta_star, eta_se, var_star = (np.empty(lams.size) for _ in range(3))
    for j, lam in enumerate(lams):
        a, b = rebar_parts_of(noise, lam)
        cov = np.cov(a, b)
        var[:, j] = cov[0, 0] + 2 * etas * cov[0, 1] + etas**2 * cov[1, 1]
        if np.all(b == b[0]):
            eta_star[j], eta_se[j], var_star[j] = 0.0, math.inf, cov[0, 0]
            continue
        eta_star[j] = -cov[0, 1] / cov[1, 1]
        # eta* is the regression slope of -A on B; the residual's spread changes with B, so
        # its standard error is the sandwich (HC0) one, not the ordinary slope's.
        resid = a + eta_star[j] * b
        centred = b - b.mean()
        eta_se[j] = math.sqrt(np.sum(centred**2 * (resid - resid.mean()) ** 2)) / np.sum(centred**2)
        var_star[j] = cov[0, 0] - cov[0, 1] ** 2 / cov[1, 1]
    base = a - objective(theta, target) * (noise.b - noise.p)
    return VarianceGrid(
        theta,
        target,
        n,
        etas,
        lams,
        var,
        eta_star,
        eta_se,
        var_star,
        float(a.var(ddof=1)),
        float(base.var(ddof=1)),
    )


def held_out_saving(
    grid: VarianceGrid, upto: float, n: int = 50_000, rng=None, false_alarm: float = 0.05
) -> list[Interval]:
    """REBAR's saving with the grid's ``eta*``, evaluated on ``n`` fresh pairs of uniforms.

    ``eta*`` is fitted on the grid's own samples, so the grid's saving is biased up by
    about ``1/n`` (a fitted regression slope always explains some noise). Here, at each
    temperature ``lambda <= upto``, REBAR with that ``eta*`` is evaluated on fresh noise:
    ``A`` and ``A + eta* B`` are both unbiased for ``L'(theta)``, so the per-sample
    ``(A - L')^2 - (A + eta* B - L')^2`` has mean ``Var(A) - Var(A + eta* B)``. Returns,
    per temperature, its Student-t interval at ``false_alarm`` (per interval) divided by
    REINFORCE's exact variance ``Var(A) = p (1 - p) [(1 - t)^4 (1 - p) + t^4 p] - L'^2``
    (``A = f(b) (b - p)``): the saving ``1 - Var(A + eta* B) / Var(A)``.
    """
    keep = grid.temperatures <= finite_number(upto, "upto")
    if not keep.any():
        raise ValueError(f"upto must be at least the smallest temperature; got {upto!r}")
    n = check_count(n, "n", 4)
    theta, target = np.float64(grid.theta), np.float64(grid.target)
    exact = exact_gradient(theta, target)
    p = _kernels.sigmoid(theta)
    reinforce = p * (1 - p) * ((1 - target) ** 4 * (1 - p) + target**4 * p) - exact**2
    uv = as_generator(rng).random((n, 2))
    noise = toy_noise_unchecked(theta, target, uv[:, 0], uv[:, 1])
    out = []
    for lam, eta in zip(grid.temperatures[keep], grid.optimal_eta[keep], strict=True):
        a, b = rebar_parts_of(noise, lam)
        iv = mean_interval((a - exact) ** 2 - (a + eta * b - exact) ** 2, false_alarm)
        out.append(Interval(*(x / reinforce for x in iv)))
    return out


def _quotient_of_nonzero(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, and 0 where ``numerator`` is 0 (undivided)."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=numerator != 0)


@dataclass(frozen=True)
class SavingCurve:
    """The best REBAR's saving as a function of the target ``t``, at one ``theta`` and ``lambda``.

    Given ``b``, the control variate has mean ``E[B | b] = -f(1/2) (b - p)`` at every
    temperature: integrating ``d/dtheta f(s_l(z))`` by parts in ``z`` leaves only the
    boundary ``z = 0`` that decides ``b``, where ``s_l(0) = 1/2``
    (:func:`~binary_gumbel.verification.rebar_unbiasedness.rebar_control_variate_given_b_exact`
    integrates it exactly). ``A = f(b) (b - p)`` is a function of the one binary ``b``, so
    affine in it, ``A = L'(theta) + c* (b - p)`` (:func:`optimal_baseline`), and the best
    REBAR's saving is the squared correlation of ``B`` with ``b``,
    ``f(1/2)^2 p (1 - p) / Var(B)``. With ``delta = 1/2 - t``,
    ``B = -delta^2 (b - p) + delta R1 + R2``,
    where ``R1`` and ``R2`` are ``B`` for ``f(x) = 2 (x - 1/2)`` and ``(x - 1/2)^2``; both
    functions vanish at 1/2, so ``R1`` and ``R2`` are uncorrelated with ``b``, and::

        saving(t) = delta^4 pi / D,    D = delta^4 pi + delta^2 v11 + 2 delta v12 + v22,

    with ``pi = p (1 - p)``; ``D > 0``, as ``D - delta^4 pi = Var(delta R1 + R2)``.

    ``v11 = Var R1``, ``v22 = Var R2`` and ``v12 = Cov(R1, R2)`` estimated from ``n`` pairs of
    uniforms. ``B`` here is the control variate at ``eta = 1`` (:func:`rebar_parts`); the
    identity holds for any smooth ``f``.
    """

    theta: float
    temperature: float
    n: int
    v11: float
    v12: float
    v22: float

    @property
    def score_variance(self) -> float:
        """``pi = p (1 - p)``, the variance of the score ``b - p``.

        ``ValueError`` naming ``theta`` where ``p = sigmoid(theta)`` rounds to 1 or 0
        (``theta`` above about 37 or below about -745): ``b`` then takes one value, ``pi`` is
        0, and the saving, the squared correlation of ``B`` with ``b``, is undefined (so are
        :meth:`saving`, :meth:`growth`, :meth:`inflections` and :attr:`far_limit`, which all
        use ``pi``).
        """
        p = float(_kernels.sigmoid(np.float64(self.theta)))
        if p in (0.0, 1.0):
            raise ValueError(
                f"theta = {self.theta!r} rounds p = sigmoid(theta) to {p:g}: b takes one value, "
                "so the saving (the squared correlation of B with b) is undefined"
            )
        return p * (1 - p)

    def _excess(self, y):
        """``y^2 v11 + 2 y^3 v12 + y^4 v22 = D / delta^4 - pi``, in ``y = 1/delta``."""
        return y**2 * (self.v11 + y * (2 * self.v12 + y * self.v22))

    def saving(self, target) -> np.ndarray:
        """The best REBAR's saving ``1 - Var(A + eta* B) / Var(A)`` at each ``target``.

        Computed in ``y = 1/delta`` as ``1 / (1 + (y^2 v11 + 2 y^3 v12 + y^4 v22) / pi)``, so
        that ``t = +-inf`` (or any ``|t|`` too large for ``delta^4``) gives 1; ``t = 1/2`` gives
        0 at every temperature, also where ``v11 = v12 = v22 = 0`` (where the relaxed terms
        round to 0, from temperatures of about 1e17 to 1e18: see :func:`rebar_variance_grid`).
        """
        target = check_no_nan(as_float_array(target, "target", np.float64), "target")
        delta = np.asarray(0.5 - target)
        off = delta != 0
        saving = np.zeros_like(delta)
        saving[off] = 1 / (1 + self._excess(1 / delta[off]) / self.score_variance)
        return saving[()]

    def growth(self, target) -> np.ndarray:
        """The saving's growth per unit of ``|t - 1/2|``, ``d saving / d|delta|``, at ``target``.

        ``d saving / d delta = 2 pi delta^3 (v11 delta^2 + 3 v12 delta + 2 v22) / D^2``. Computed
        so for ``0 < |delta| <= 1``, and beyond in ``y = 1/delta``, as
        ``2 pi |y|^3 (v11 + 3 v12 y + 2 v22 y^2) / (pi + v11 y^2 + 2 v12 y^3 + v22 y^4)^2``, so
        that ``t = +-inf`` gives 0 and no power overflows; ``t = 1/2`` gives 0, also where
        ``v22 = 0`` (as :meth:`saving` there). Where the numerator is 0 the growth is 0 without
        a division: where every draw gave ``R1 = R2 = 0`` (``v11 = v12 = v22 = 0``, as at a
        tiny ``p``) the saving is 1 at every ``t != 1/2``, though its denominator, a power of
        ``pi``, may round to 0.
        """
        target = check_no_nan(as_float_array(target, "target", np.float64), "target")
        pi, v11, v12, v22 = self.score_variance, self.v11, self.v12, self.v22
        delta = np.asarray(0.5 - target)
        near = (np.abs(delta) <= 1) & (delta != 0)
        growth = np.zeros_like(delta)
        d = delta[near]
        numerator = 2 * pi * np.abs(d) ** 3 * (v11 * d**2 + 3 * v12 * d + 2 * v22)
        denominator = (pi * d**4 + d**2 * v11 + 2 * d * v12 + v22) ** 2
        growth[near] = _quotient_of_nonzero(numerator, denominator)
        far = np.abs(delta) > 1
        y = 1 / delta[far]
        numerator = 2 * pi * np.abs(y) ** 3 * (v11 + y * (3 * v12 + 2 * y * v22))
        growth[far] = _quotient_of_nonzero(numerator, (pi + self._excess(y)) ** 2)
        return growth[()]

    @property
    def correlation(self) -> float:
        """The correlation of ``R1`` and ``R2``; ``ValueError`` if either took one value at
        every draw (``v11`` or ``v22`` is 0), where it is undefined."""
        if not (self.v11 > 0 and self.v22 > 0):
            raise ValueError(
                "the correlation of R1 and R2 needs both to vary over the draws; "
                f"got v11 = {self.v11!r}, v22 = {self.v22!r} from n = {self.n}"
            )
        return self.v12 / math.sqrt(self.v11 * self.v22)

    @property
    def monotone(self) -> bool:
        """Whether the saving grows with ``|t - 1/2|`` on both sides: ``9 v12^2 <= 8 v11 v22``.

        With ``y = 1/delta``, ``1/saving - 1 = (y^2 v11 + 2 y^3 v12 + y^4 v22) / pi``, whose
        derivative ``2 y (v11 + 3 y v12 + 2 y^2 v22) / pi`` has the sign of ``y`` (but at one
        point, where it is 0) exactly when the quadratic has no two distinct real roots,
        that is when ``|correlation| <= sqrt(8/9)``. Otherwise its roots share the sign of
        ``-v12``, and the saving dips on that side.
        """
        return 9 * self.v12**2 <= 8 * self.v11 * self.v22

    def inflections(self) -> np.ndarray:
        """The targets where the saving's second derivative is 0, away from ``t = 1/2``; sorted.

        The second derivative of ``delta^4 pi / D`` (in ``delta`` or, the same, in ``t``) is
        ``2 pi delta^2 Q(delta) / D^3``, and ``D > 0``, so it has the sign of::

            Q(delta) = -3 pi v11 delta^6 - 12 pi v12 delta^5 + (v11^2 - 10 pi v22) delta^4
                       + 6 v11 v12 delta^3 + (3 v11 v22 + 12 v12^2) delta^2
                       + 16 v12 v22 delta + 6 v22^2.

        ``Q(0) = 6 v22^2 > 0`` and ``Q``'s leading coefficient ``-3 pi v11 < 0``, so ``Q``
        has a root on each side of 1/2: there the saving starts convex, its growth per unit
        of ``|t - 1/2|`` (:meth:`growth`) speeding up, and ends concave, its growth
        slowing. Returned: ``t = 1/2 - delta`` at ``Q``'s real roots.
        """
        pi, v11, v12, v22 = self.score_variance, self.v11, self.v12, self.v22
        coefficients = [
            6 * v22**2,
            16 * v12 * v22,
            3 * v11 * v22 + 12 * v12**2,
            6 * v11 * v12,
            v11**2 - 10 * pi * v22,
            -12 * pi * v12,
            -3 * pi * v11,
        ]
        roots = np.polynomial.polynomial.polyroots(coefficients)
        real = roots.real[np.abs(roots.imag) <= 1e-9 * np.abs(roots)]
        return np.sort(0.5 - real)

    @property
    def far_limit(self) -> float:
        """``(1/2 - t)^2 (1 - saving)`` as ``|t| -> infinity``: ``v11 / pi``."""
        return self.v11 / self.score_variance


def saving_curve(theta: float, temperature: float, n: int = 100_000, rng=None) -> SavingCurve:
    """:class:`SavingCurve` at ``theta`` and ``temperature``, from ``n`` pairs of uniforms.

    ``R2`` is ``B`` at ``t = 1/2`` and ``R1 = (B(t = -1/2) - B(t = 3/2)) / 2``, on the same
    uniforms, drawn as :func:`rebar_variance_grid` draws them.
    """
    n = check_count(n, "n", 4)
    lam = single_number(check_tau(temperature, np.float64, "temperature"), "temperature")
    theta = finite_number(theta, "theta")
    uv = as_generator(rng).random((n, 2))
    noise = toy_noise_unchecked(np.float64(theta), np.float64(0.5), uv[:, 0], uv[:, 1])
    r2, plus, minus = (
        rebar_parts_of(noise._replace(target=np.float64(t)), lam)[1] for t in (0.5, -0.5, 1.5)
    )
    cov = np.cov((plus - minus) / 2, r2)
    return SavingCurve(theta, lam, n, float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1]))


def limit_eta(theta, target):
    """The variance-optimal ``eta`` of REBAR in the limit ``lambda -> infinity``.

    ``sigmoid(z / lambda) = 1/2 + z / (4 lambda) + O(lambda^-3)``, so
    ``eta f(sigmoid(z / lambda)) -> eta (1/2 - t)^2``, a constant, and the two
    reparameterised terms vanish like ``eta / lambda``: REBAR tends to REINFORCE
    with the constant baseline ``eta (1/2 - t)^2``. The best constant is
    :func:`optimal_baseline` ``c*``, so ``eta* -> c* / (1/2 - t)^2`` (infinite at
    ``t = 1/2``, where the limit baseline is 0 for every ``eta``). Where ``c*`` or
    ``(1/2 - t)^2`` is beyond the doubles (``|t|`` from about ``1e154``), each term of
    ``c*`` is divided by ``1/2 - t`` before it is squared (``eta* -> 1`` as ``|t| -> inf``).
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    p = _kernels.sigmoid(theta)
    half = 0.5 - target
    with np.errstate(over="ignore"):
        c0 = half**2
    c = _squares_weighted_by(p, 1 - target, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.divide(c, c0)
    beyond = np.isinf(c) | np.isinf(c0)  # |t| near 1e154 or more: each part divided first
    if np.any(beyond):
        with np.errstate(divide="ignore", invalid="ignore"):  # t = 1/2 is not beyond
            scaled = _squares_weighted_by(p, (1 - target) / half, target / half)
        eta = np.where(beyond, scaled, eta)
    return eta[()]


def optimal_baseline(theta, target):
    """The variance-optimal constant baseline of REINFORCE: ``(1 - t)^2 (1 - p) + t^2 p``.

    It minimises ``E[(f(b) - c)^2 (b - p)^2]``; with it every estimate equals the
    exact gradient, so its variance is 0 (a fact of a single binary variable). Beyond the
    doubles (``|t|`` from about ``1e154``) it is ``inf``, without a warning.
    """
    theta, target = broadcast_finite(theta=theta, target=target)
    return _squares_weighted_by(_kernels.sigmoid(theta), 1 - target, target)[()]


def _squares_weighted_by(p, a, b):
    """``a^2 (1 - p) + b^2 p``: ``c*`` with ``a = 1 - t``, ``b = t``.

    A square beyond the doubles is ``inf`` (no warning); its weight when rounded to an exact
    0 (``p`` at 0 or 1) gives a term of 0, not ``inf * 0 = NaN``: the other term, whose weight
    is then 1, is the larger (both squares exceed ``t^2 / 4`` for large ``|t|``).
    """
    with np.errstate(over="ignore"):
        return _kernels.times(1 - p, a**2) + _kernels.times(p, b**2)


def first_temperature_saving(grid: VarianceGrid, fraction: float) -> float:
    """The smallest temperature of the grid at which the best REBAR saves ``fraction``
    of REINFORCE's variance, or ``inf`` if none does. ``fraction`` must be finite."""
    fraction = finite_number(fraction, "fraction")
    hits = grid.temperatures[grid.saving >= fraction]
    return float(hits.min()) if hits.size else math.inf


def temperature_index(grid: VarianceGrid, temperature: float) -> int:
    """The index of ``temperature`` on the grid (``ValueError`` if it is not a grid point,
    or not a positive, finite temperature)."""
    temperature = single_number(check_tau(temperature, np.float64, "temperature"), "temperature")
    j = int(np.argmin(np.abs(np.log(grid.temperatures / temperature))))
    if not math.isclose(grid.temperatures[j], temperature, rel_tol=1e-9):
        raise ValueError(f"temperature {temperature!r} is not on the grid {grid.temperatures}")
    return j
