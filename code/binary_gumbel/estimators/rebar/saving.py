"""The best REBAR's saving over REINFORCE as a function of the target ``t``.

At one ``theta`` and temperature, the saving of REBAR with its best ``eta`` is the squared
correlation of its control variate ``B`` (:mod:`binary_gumbel.estimators.rebar.estimator`)
with ``b``, a rational function of ``t`` whose three coefficients are estimated from one
sample (:func:`saving_curve`); :class:`SavingCurve` gives the saving, its growth, its
inflections and its limit far from ``t = 1/2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import (
    as_float_array,
    as_generator,
    check_count,
    check_no_nan,
    check_tau,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.rebar.estimator import rebar_parts_of
from binary_gumbel.estimators.toy_noise import toy_noise_unchecked

__all__ = ["SavingCurve", "saving_curve"]


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
    affine in it, ``A = L'(theta) + c* (b - p)``
    (:func:`~binary_gumbel.estimators.rebar.limits.optimal_baseline`), and the best
    REBAR's saving is the squared correlation of ``B`` with ``b``,
    ``f(1/2)^2 p (1 - p) / Var(B)``. With ``delta = 1/2 - t``,
    ``B = -delta^2 (b - p) + delta R1 + R2``,
    where ``R1`` and ``R2`` are ``B`` for ``f(x) = 2 (x - 1/2)`` and ``(x - 1/2)^2``; both
    functions vanish at 1/2, so ``R1`` and ``R2`` are uncorrelated with ``b``, and::

        saving(t) = delta^4 pi / D,    D = delta^4 pi + delta^2 v11 + 2 delta v12 + v22,

    with ``pi = p (1 - p)``; ``D > 0``, as ``D - delta^4 pi = Var(delta R1 + R2)``.

    ``v11 = Var R1``, ``v22 = Var R2`` and ``v12 = Cov(R1, R2)`` estimated from ``n`` pairs of
    uniforms. ``B`` here is the control variate at ``eta = 1``
    (:func:`~binary_gumbel.estimators.rebar.estimator.rebar_parts`); the identity holds for
    any smooth ``f``.
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
        round to 0, from temperatures of about 1e17 to 1e18: see
        :func:`~binary_gumbel.estimators.rebar.variance.rebar_variance_grid`).
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
    uniforms, drawn as :func:`~binary_gumbel.estimators.rebar.variance.rebar_variance_grid`
    draws them.
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
