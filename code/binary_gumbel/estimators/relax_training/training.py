"""Training with REBAR and RELAX on the toy problem: ``theta`` by Adam, ``phi`` by the variance.

Runs ``chains`` independent seeded runs at once (Grathwohl et al. 2018, arXiv:1711.00123,
Algorithm 1): at each step every run draws ``batch`` pairs ``(u, v)``
(:mod:`binary_gumbel.estimators.toy_noise`), updates ``theta`` with the mean RELAX estimate
(:func:`binary_gumbel.estimators.relax.relax_estimate`) and the parameters ``phi`` its method
learns with the mean of ``2 g dg/dphi``, the single-sample gradient of the estimator's
variance. Runs of different methods with the same seed share their noise, so that they
compare paired by seed (:mod:`binary_gumbel.estimators.relax_training.readings`). This module
trains (:func:`train`, :func:`experiment`, with :class:`Settings`) and records the runs
(:class:`Training`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel import _kernels
from binary_gumbel._validation import as_generator, check_count, finite_float64, finite_number
from binary_gumbel.estimators.gradients import exact_gradient, objective
from binary_gumbel.estimators.optim import BETA2, Adam
from binary_gumbel.estimators.relax import PhiLayout, initial_phi, relax_estimate
from binary_gumbel.estimators.toy_noise import toy_noise_unchecked
from binary_gumbel.verification.montecarlo import mean_interval

__all__ = [
    "LATE_OFFSET_FACTOR",
    "METHODS",
    "PER_STEP",
    "PHI_HELD_FROM",
    "PHI_HELD_LATE",
    "PHI_LEARNING_RATES",
    "Settings",
    "Training",
    "experiment",
    "train",
]


#: The probability parameterisation keeps ``p`` in ``[_P_LOW, 1 - _P_LOW]``.
_P_LOW = 1e-6

#: The methods :func:`train` runs, and which parameters of ``phi`` each one learns.
#: "REBAR" learns ``eta`` and ``log lambda`` (its Concrete relaxation keeps its fixed form),
#: "RELAX" learns all of ``phi``, "baseline" only the constant ``d`` (REINFORCE with a learned
#: constant baseline, trained by the same variance gradient), "REINFORCE" and "exact" nothing.
METHODS = ("exact", "REINFORCE", "baseline", "REBAR", "RELAX")

#: The learned baseline's learning rates that ``test_ex_rr_baseline_solution`` compares,
#: around the chapter's 0.03, from 30 times slower to 30 times faster.
PHI_LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

#: The step from which the solution of ex-rr-baseline holds the learned baseline ``d`` still
#: (``train(..., phi_steps=PHI_HELD_FROM)``): an eighth of the chapter's 2000 steps, early
#: enough that the held ``d`` is close to ``c*`` (its root mean square offset over the second
#: half below 2e-3 at the rates the test holds it at).
PHI_HELD_FROM = 250

#: The late step from which the solution of ex-rr-baseline also holds ``d`` still, once its
#: wandering has begun, and the factor by which that held ``d``'s root mean square offset
#: from ``c*`` exceeds the offset of ``d`` held from :data:`PHI_HELD_FROM` (at rate 0.3; over
#: training seeds 0 to 5 the ratio was 18 to 320, the offset 0.029 to 0.354).
PHI_HELD_LATE = 1000
LATE_OFFSET_FACTOR = 5


#: The quantities :meth:`Training.per_step` and
#: :func:`~binary_gumbel.estimators.relax_training.readings.step_ratio` read, step by step.
PER_STEP = ("step", "gradient", "root_second_moment")


def _trainable(method: str, layout: PhiLayout) -> np.ndarray:
    mask = np.zeros(layout.size, dtype=bool)
    if method == "REBAR":
        mask[:2] = True
    elif method == "RELAX":
        mask[:] = True
    elif method == "baseline":
        mask[2] = True
    return mask


@dataclass(frozen=True)
class Training:
    """``chains`` independent runs of one method: iterates, loss, variance, and final ``phi``.

    ``theta[k, s]`` is the logit of run ``s`` after ``k`` steps (``steps + 1``
    rows); ``loss`` is ``L(theta)`` there. ``variance[k, s]`` is the unbiased
    sample variance of the ``batch`` estimates of step ``k`` (in the chosen
    parameterisation); ``phi`` has shape ``(chains, P)``. ``second_moment[k, s]`` is
    the bias-corrected second moment of the Adam that updates ``theta`` (or ``p``), after
    step ``k`` (:attr:`binary_gumbel.estimators.optim.Adam.v_hat`): the square of what
    divides that step; ``None`` for a run that does not learn ``theta``.
    """

    method: str
    target: float
    parameterisation: str
    learning_rate: float
    batch: int
    theta: np.ndarray
    loss: np.ndarray
    variance: np.ndarray
    phi: np.ndarray
    second_moment: np.ndarray | None = None

    @property
    def probability(self) -> np.ndarray:
        return _kernels.sigmoid(self.theta)

    def per_step(self, of: str) -> np.ndarray:
        """A quantity of each step ``k`` and run ``s``, shape ``(steps, chains)``.

        ``"step"``: ``|theta[k + 1] - theta[k]|``, the logit's step. ``"gradient"``: the
        exact gradient's size where step ``k`` starts, ``|dL/dtheta| = p (1 - p) |1 - 2t|``
        in the logit parameterisation, ``|dL/dp| = |1 - 2t|`` in the probability one (the
        parameter each descends). ``"root_second_moment"``: the square root of
        ``second_moment``, what Adam divides step ``k`` by (but for its ``eps``).
        """
        if of == "step":
            return np.abs(np.diff(self.theta, axis=0))
        if of == "gradient":
            gradient = np.abs(exact_gradient(self.theta[:-1], self.target))
            if self.parameterisation == "probability":
                p = self.probability[:-1]
                gradient = gradient / (p * (1 - p))
            return gradient
        if of == "root_second_moment":
            if self.second_moment is None:
                raise ValueError("this run records no second moment: it does not learn theta")
            return np.sqrt(self.second_moment)
        raise ValueError(f"of must be one of {PER_STEP}; got {of!r}")

    @property
    def theta_step(self) -> np.ndarray:
        """``|theta[k + 1] - theta[k]|``, the logit's step ``k``, averaged over the runs."""
        return self.per_step("step").mean(axis=1)

    @property
    def gradient_size(self) -> np.ndarray:
        """The exact gradient's size where step ``k`` starts (see :meth:`per_step`),
        averaged over the runs."""
        return self.per_step("gradient").mean(axis=1)

    def final_probability_interval(self, false_alarm: float = 0.05) -> tuple[float, float, float]:
        """Mean of the final ``p`` over the runs, and its Student-t interval at ``false_alarm``."""
        return tuple(mean_interval(self.probability[-1], false_alarm))


@dataclass(frozen=True)
class Settings:
    """How :func:`train` and :func:`experiment` train, with the chapter's defaults.

    ``steps`` Adam steps of ``chains`` independent runs, each drawing ``batch`` pairs
    ``(u, v)`` a step; ``learning_rate`` is the rate of the Adam on ``theta`` (or ``p``),
    ``phi_learning_rate`` that of the Adam on ``phi``, and ``beta2`` the second-moment decay
    of both (see :class:`~binary_gumbel.estimators.optim.Adam`). Every run starts at
    ``theta0`` and from ``initial_phi(hidden, eta0, temperature0)`` with its own draw.
    ``parameterisation="logit"`` (the book's) descends ``theta``; ``"probability"`` (the
    RELAX paper's) descends ``p`` directly, with estimates ``g / (p (1 - p))`` and ``p`` kept
    in ``[1e-6, 1 - 1e-6]``, from the start: a ``theta0`` whose ``sigmoid`` lies outside
    starts at the nearer end (``theta0 = 40`` at ``p = 1 - 1e-6``). ``learn_theta=False``
    holds ``theta`` at ``theta0`` and trains ``phi`` only.
    ``phi_steps`` (at most ``steps``, which is the default) is the number of steps, from the
    start, at which ``phi`` learns; from then on it is held where it is, while ``theta`` and
    the noise go on as before (with the same ``rng``, its iterates up to
    ``theta[phi_steps + 1]`` are those of the run that never stops learning ``phi``). The
    methods that learn no ``phi`` are the same for every ``phi_steps``.
    ``second_moment_at=(K, v_hat)``, an intervention, sets the bias-corrected second moment
    of the Adam that updates ``theta`` to ``v_hat`` (one positive value per run, for example
    another run's ``second_moment[K - 1]``) just before step ``K`` (``1 <= K <= steps - 1``)
    and changes nothing else.
    """

    steps: int = 1000
    chains: int = 16
    batch: int = 8
    learning_rate: float = 0.01
    phi_learning_rate: float = 0.01
    theta0: float = 0.0
    hidden: int = 5
    eta0: float = 1.0
    temperature0: float = 0.5
    parameterisation: str = "logit"
    learn_theta: bool = True
    phi_steps: int | None = None
    second_moment_at: tuple[int, np.ndarray] | None = None
    beta2: float = BETA2


def train(method: str, target: float, rng=None, **settings) -> Training:
    """Adam on ``theta`` with one estimator, and Adam on ``phi`` by the variance gradient.

    Runs ``chains`` independent runs at once. At each step every run draws
    ``batch`` pairs ``(u, v)``, updates ``theta`` with the mean estimate and
    ``phi`` (the parameters ``method`` learns, see :data:`METHODS`) with the mean
    of ``2 g dg/dphi``. ``settings`` are the fields of :class:`Settings` (its defaults
    for those not given; a ``TypeError`` names an unknown one).
    """
    return _train_together((method,), target, Settings(**settings), rng)[0]


def _train_together(methods, target, settings: Settings, rng) -> list[Training]:
    """:func:`train` for each of ``methods`` on the same noise, in one loop.

    Every method's ``chains`` runs are rows of one stack (method ``j`` holds rows
    ``j * chains`` to ``(j + 1) * chains``), so that a step costs one pass of the
    estimator for all of them. Each row's arithmetic is that of its method alone: the
    rows see the same ``(u, v)``, and a parameter a method does not learn gets a zero
    gradient, so Adam leaves it exactly where it is. The result for each method is
    therefore the one :func:`train` would return from the same seed.
    """
    steps, chains, batch = settings.steps, settings.chains, settings.batch
    learning_rate, phi_learning_rate = settings.learning_rate, settings.phi_learning_rate
    parameterisation, learn_theta = settings.parameterisation, settings.learn_theta
    phi_steps, second_moment_at = settings.phi_steps, settings.second_moment_at
    hidden, beta2 = settings.hidden, settings.beta2
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    if parameterisation not in ("logit", "probability"):
        raise ValueError(
            f"parameterisation must be 'logit' or 'probability'; got {parameterisation!r}"
        )
    steps = check_count(steps, "steps", 1)
    chains = check_count(chains, "chains", 1)
    batch = check_count(batch, "batch", 2)
    for name, lr in (("learning_rate", learning_rate), ("phi_learning_rate", phi_learning_rate)):
        if not finite_number(lr, name) > 0:
            raise ValueError(f"{name} must be positive; got {lr!r}")
    target = finite_number(target, "target")
    phi_steps = steps if phi_steps is None else check_count(phi_steps, "phi_steps", 0)
    if phi_steps > steps:
        raise ValueError(f"phi_steps must be at most steps ({steps}); got {phi_steps}")
    n_methods = len(methods)
    if second_moment_at is not None:
        if not learn_theta:
            raise ValueError("second_moment_at needs a run that learns theta (learn_theta=True)")
        swap_step, swap_v_hat = second_moment_at
        swap_step = check_count(swap_step, "second_moment_at's step", 1)
        if swap_step >= steps:
            raise ValueError(
                f"second_moment_at's step must be below steps ({steps}); got {swap_step}"
            )
        swap_v_hat = finite_float64(swap_v_hat, "second_moment_at's v_hat")
        if swap_v_hat.shape != (chains,) or not np.all(swap_v_hat > 0):
            raise ValueError(
                f"second_moment_at's v_hat must hold one positive value per run ({chains}); "
                f"got shape {swap_v_hat.shape}"
            )
        swap_v_hat = np.tile(swap_v_hat, n_methods)
    rng = as_generator(rng)
    layout = PhiLayout(check_count(hidden, "hidden", 1))
    initial = np.stack(
        [initial_phi(hidden, settings.eta0, settings.temperature0, rng) for _ in range(chains)]
    )
    phi = np.tile(initial, (n_methods, 1))  # (M S, P), method-major
    mask = np.repeat([_trainable(m, layout) for m in methods], chains, axis=0)  # (M S, P)
    no_concrete = np.repeat([m in ("REINFORCE", "exact", "baseline") for m in methods], chains)
    phi[no_concrete, 0] = 0.0
    exact = np.repeat([m == "exact" for m in methods], chains)
    noisy = ~exact
    any_exact = bool(exact.any())
    copies = int(noisy.sum()) // chains  # the methods that draw noise
    rows = mask[noisy].any(axis=0)
    learns = bool(rows.any())
    learned = np.ix_(noisy, rows)  # where the noisy runs' phi-gradients go
    theta0 = finite_number(settings.theta0, "theta0")
    if parameterisation == "probability":
        p0 = _kernels.sigmoid(theta0)
        p0_kept = min(max(p0, _P_LOW), 1 - _P_LOW)
        if p0_kept != p0:  # the run starts at the nearer end of the kept interval
            theta0 = float(_kernels.logistic(np.float64(p0_kept)))
    theta = np.full(n_methods * chains, theta0)
    p_param = _kernels.sigmoid(theta)
    opt_theta = Adam(theta.shape, learning_rate, beta2=beta2)
    opt_phi = Adam(phi.shape, phi_learning_rate, beta2=beta2)
    thetas = np.empty((steps + 1,) + theta.shape)
    estimates = np.empty((steps,) + theta.shape + (batch,))
    second_moment = np.empty((steps,) + theta.shape) if learn_theta else None
    thetas[0] = theta
    g = np.empty(theta.shape + (batch,))
    for k in range(steps):
        uv = rng.random((2, chains, batch))
        theta_column = theta[:, None]
        if any_exact:
            g[exact] = exact_gradient(theta_column[exact], target)
        dg = None
        if copies:
            u, v = np.tile(uv, (1, copies, 1))
            noise = toy_noise_unchecked(theta_column[noisy], target, u, v)
            g[noisy], dg = relax_estimate(phi[noisy], layout, noise, grads=learns, rows=rows)
        estimate = g
        if parameterisation == "probability":
            scale = 1 / (p_param * (1 - p_param))[:, None]
            estimate = g * scale
            if dg is not None:
                dg = dg * scale[noisy, :, None]
        estimates[k] = estimate
        if learns and k < phi_steps:
            grad_phi = np.zeros(phi.shape)
            grad_phi[learned] = np.mean(2 * estimate[noisy, None, :] * dg, axis=-1)
            phi -= opt_phi.step(np.where(mask, grad_phi, 0.0))
        if learn_theta:
            if second_moment_at is not None and k == swap_step:
                opt_theta.v_hat = swap_v_hat
            step = opt_theta.step(estimate.mean(axis=1))
            second_moment[k] = opt_theta.v_hat
            if parameterisation == "logit":
                theta = theta - step
            else:
                p_param = np.clip(p_param - step, _P_LOW, 1 - _P_LOW)
                theta = _kernels.logistic(p_param)
        thetas[k + 1] = theta
    variance = estimates.var(axis=-1, ddof=1)
    runs = []
    for j, method in enumerate(methods):
        own = slice(j * chains, (j + 1) * chains)
        runs.append(
            Training(
                method,
                target,
                parameterisation,
                float(learning_rate),
                batch,
                thetas[:, own].copy(),
                objective(thetas[:, own], target),
                variance[:, own].copy(),
                phi[own].copy(),
                None if second_moment is None else second_moment[:, own].copy(),
            )
        )
    return runs


def experiment(target: float, methods: Sequence[str] = METHODS, rng=0, **settings):
    """:func:`train` for each method on the same noise, so that their runs pair by seed.

    Returns ``{method: Training}``, each what ``train(method, target, rng=rng, **settings)``
    returns for a seed ``rng``, bit for bit; a generator ``rng`` is drawn once for all the
    methods. ``settings`` are the fields of :class:`Settings`. The methods are trained in
    one loop, a step of all of them at once.
    """
    methods = tuple(methods)
    if not methods:
        raise ValueError("methods must name at least one method")
    return dict(
        zip(methods, _train_together(methods, target, Settings(**settings), rng), strict=True)
    )
