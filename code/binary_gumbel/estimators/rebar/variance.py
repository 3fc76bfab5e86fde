"""REBAR's variance over a grid of ``(eta, temperature)``, fitted and on fresh noise.

:func:`rebar_variance_grid` computes REBAR's single-sample variance (from the sample moments of
its parts ``A`` and ``B``, :mod:`binary_gumbel.estimators.rebar.estimator`) at every ``eta`` and
temperature of a grid, with the best ``eta*`` at each temperature (:class:`VarianceGrid`);
:func:`held_out_saving` evaluates that ``eta*`` on fresh noise, and
:func:`first_temperature_saving` and :func:`temperature_index` read the grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_generator,
    check_count,
    check_tau,
    finite_float64,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.gradients import exact_gradient, objective
from binary_gumbel.estimators.rebar.estimator import rebar_parts_of
from binary_gumbel.estimators.toy_noise import toy_noise_unchecked
from binary_gumbel.verification.montecarlo import Interval, mean_interval

__all__ = [
    "VarianceGrid",
    "first_temperature_saving",
    "held_out_saving",
    "rebar_variance_grid",
    "temperature_index",
]


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
    (:class:`~binary_gumbel.estimators.rebar.saving.SavingCurve`), which a sample with one
    ``b`` does not estimate.
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
