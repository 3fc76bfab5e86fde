"""Bias, variance, mean-squared error and sign-error rate of the toy problem's estimators.

Monte Carlo statistics of each estimator of :mod:`binary_gumbel.estimators.registry` at
``(theta, tau)``, with standard errors, and the sign-error rate of means of ``batch``
estimates with its Clopper-Pearson interval (the book's statistics convention,
:mod:`binary_gumbel.verification.montecarlo`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    as_generator,
    check_count,
    check_false_alarm,
    check_seed,
    check_tau,
    finite_number,
    single_number,
)
from binary_gumbel.estimators.gradients import exact_gradient
from binary_gumbel.estimators.registry import check_estimator, draw_uniforms
from binary_gumbel.verification.montecarlo import (
    DEFAULT_FALSE_ALARM,
    MAX_TRIALS,
    proportion_interval,
    t_for_false_alarm,
    z_for_false_alarm,
)

__all__ = ["EstimatorStats", "estimator_statistics", "temperature_sweep"]


@dataclass(frozen=True)
class EstimatorStats:
    """Bias, variance, mean-squared error and sign-error rate of one estimator at one ``tau``.

    Each ``*_se`` is a standard error: ``s / sqrt(n)`` for the bias,
    ``sqrt((m4 - s^4 (n - 3) / (n - 1)) / n)`` for the variance (``m4`` the
    fourth central moment) and the sample standard deviation of the squared
    errors over ``sqrt(n)`` for the MSE. ``sign_error`` is the fraction of
    means of ``batch`` estimates whose sign is opposite to the exact gradient's,
    with its Clopper-Pearson interval at coverage ``1 - false_alarm``.
    """

    estimator: str
    tau: float
    n: int
    exact: float
    bias: float
    bias_se: float
    variance: float
    variance_se: float
    mse: float
    mse_se: float
    batch: int
    sign_error: float
    sign_error_low: float
    sign_error_high: float

    def bias_interval(self, false_alarm: float = DEFAULT_FALSE_ALARM) -> tuple[float, float]:
        """``bias -+ q se`` at the two-sided false-alarm rate ``false_alarm``.

        The bias is a mean of ``n`` estimates minus the exact gradient, so ``q`` is the
        Student-t quantile with ``n - 1`` degrees of freedom
        (:func:`~binary_gumbel.verification.montecarlo.t_for_false_alarm`), the book's
        convention for a mean (:mod:`binary_gumbel.verification.montecarlo`); at the
        ``10**5`` estimates of the gradients chapter it exceeds the normal quantile by 6e-5
        of it at ``false_alarm = 1e-6``.
        """
        half = t_for_false_alarm(false_alarm, self.n - 1) * self.bias_se
        return self.bias - half, self.bias + half

    def variance_interval(self, false_alarm: float = DEFAULT_FALSE_ALARM) -> tuple[float, float]:
        """``variance -+ z se`` at the two-sided false-alarm rate ``false_alarm``.

        The sample variance is not a mean, so ``z`` is the normal quantile of its
        large-sample distribution.
        """
        half = z_for_false_alarm(false_alarm) * self.variance_se
        return self.variance - half, self.variance + half

    def mse_interval(self, false_alarm: float = DEFAULT_FALSE_ALARM) -> tuple[float, float]:
        """``mse -+ q se`` at the two-sided false-alarm rate ``false_alarm``.

        The MSE is the mean of the ``n`` squared errors, so ``q`` is the Student-t
        quantile with ``n - 1`` degrees of freedom, as for :meth:`bias_interval`.
        """
        half = t_for_false_alarm(false_alarm, self.n - 1) * self.mse_se
        return self.mse - half, self.mse + half


def estimator_statistics(
    estimator: str,
    theta: float,
    target: float,
    tau: float,
    n: int,
    rng=None,
    batch: int = 1,
    false_alarm: float = DEFAULT_FALSE_ALARM,
) -> EstimatorStats:
    """Monte Carlo bias, variance, MSE and sign-error rate of ``estimator`` at ``(theta, tau)``.

    ``n`` single-sample estimates are drawn from ``n`` uniforms of ``rng``
    (``n`` pairs for the estimators that take two, :attr:`Estimator.uniforms`)
    (a seed or a :class:`numpy.random.Generator`); the sign-error rate is over
    the ``n // batch`` means of consecutive blocks of ``batch`` estimates.
    Passing generators seeded alike gives every estimator the same noise. ``theta``,
    ``target`` and ``tau`` are single numbers, finite (``tau > 0``), and ``false_alarm``, the
    sign-error interval's rate, lies in (0, 1); ``ValueError`` naming the argument otherwise.
    """
    record = check_estimator(estimator)
    n = check_count(n, "n", 4)
    batch = check_count(batch, "batch", 1)
    if batch > n:
        raise ValueError(f"batch must be <= n; got batch={batch}, n={n}")
    if n // batch > MAX_TRIALS:
        raise ValueError(
            f"n // batch, the number of batch means, must be at most {MAX_TRIALS} (the most "
            f"trials whose Clopper-Pearson interval is computed); got n={n}, batch={batch}"
        )
    theta = finite_number(theta, "theta")
    target = finite_number(target, "target")
    tau = single_number(check_tau(tau, np.float64), "tau")
    false_alarm = check_false_alarm(false_alarm)
    g = record.function(theta, target, tau, draw_uniforms(as_generator(rng), record, n))
    exact = float(exact_gradient(theta, target))
    mean, var = float(g.mean()), float(g.var(ddof=1))
    m4 = float(np.mean((g - mean) ** 4))
    sq = (g - exact) ** 2
    means = g[: n // batch * batch].reshape(-1, batch).mean(axis=1)
    wrong = int(np.count_nonzero(means * exact < 0))
    ci = proportion_interval(wrong, means.size, false_alarm)
    return EstimatorStats(
        estimator=estimator,
        tau=tau,
        n=n,
        exact=exact,
        bias=mean - exact,
        bias_se=math.sqrt(var / n),
        variance=var,
        variance_se=math.sqrt(max(m4 - var**2 * (n - 3) / (n - 1), 0.0) / n),
        mse=float(sq.mean()),
        mse_se=float(sq.std(ddof=1)) / math.sqrt(n),
        batch=batch,
        sign_error=ci.estimate,
        sign_error_low=ci.low,
        sign_error_high=ci.high,
    )


def temperature_sweep(
    estimators, theta: float, target: float, taus, n: int, rng=2026, batch: int = 1
) -> list[EstimatorStats]:
    """:func:`estimator_statistics` for every estimator at every ``tau``, estimator by estimator.

    Every call draws from a generator seeded with ``rng`` (an int), so all estimators and
    temperatures share their noise. An estimator without a temperature ignores ``tau``
    and would return the same statistics at every ``tau`` from the same noise, so it is run
    once and its row repeated with each ``tau``.
    """
    rng = check_seed(rng, "rng")  # an integer seed, shared by every run
    taus = check_tau(taus, np.float64, name="taus")
    if taus.ndim != 1:
        raise ValueError(f"taus must be a sequence of temperatures; got shape {taus.shape}")
    if not taus.size:
        raise ValueError("taus must hold at least one temperature; got none")
    taus = [float(tau) for tau in taus]
    rows = []
    for name in estimators:
        if not check_estimator(name).has_temperature:
            once = estimator_statistics(name, theta, target, taus[0], n, rng=rng, batch=batch)
            rows += [dataclasses.replace(once, tau=tau) for tau in taus]
        else:
            rows += [
                estimator_statistics(name, theta, target, tau, n, rng=rng, batch=batch)
                for tau in taus
            ]
    return rows
