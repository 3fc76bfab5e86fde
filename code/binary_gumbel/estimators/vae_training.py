"""Training the binary-latent VAE with every estimator, all runs stacked.

Every method (:data:`METHODS`) trains the model of :mod:`binary_gumbel.estimators.vae` on the
digits of :mod:`binary_gumbel.estimators.digits` from the same initial parameters, with the
book's Adam (:mod:`binary_gumbel.estimators.optim`) on every parameter. Only the estimate of
the encoder's logit gradient differs between methods; it comes from
:mod:`binary_gumbel.estimators.binary_estimators`. The decoder and the prior get the
pathwise gradient at the points where the estimator evaluated ``f``
(:meth:`binary_gumbel.estimators.vae.LearningSignal.model_gradient`).

Equal cost: every method but REBAR evaluates ``f`` (or ``f`` and its gradient) twice
per image and step. ARM and DisARM use their antithetic pair, RLOO its two samples,
and the one-evaluation estimators (REINFORCE, straight-through, Gumbel-softmax,
straight-through Gumbel-softmax, ReinMax) average two independent estimates. REBAR
(:mod:`binary_gumbel.estimators.binary_rebar`) needs three for its one sample.
"exact" is gradient ascent on the exact ELBO of the batch
(:mod:`binary_gumbel.estimators.vae_oracle`), the reference.

Stacking: for one method, all seeds and learning rates are one leading run axis
``R = len(learning_rates) * seeds`` (run ``i * seeds + s`` has learning rate ``i``
and seed ``s``), so one step of all of a method's runs is a handful of array
operations. The data (the batch and its binarization) depend on the seed only:
runs with the same seed see the same images under every method and learning
rate, so that comparisons between methods are paired by seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from binary_gumbel._validation import (
    as_generator,
    check_count,
    check_flag,
    check_integer,
    finite_float64,
)
from binary_gumbel.estimators import binary_estimators as be
from binary_gumbel.estimators.binary_rebar import rebar
from binary_gumbel.estimators.digits import Digits, binarize
from binary_gumbel.estimators.optim import Adam
from binary_gumbel.estimators.vae import LearningSignal, Params, initial_params
from binary_gumbel.estimators.vae_oracle import evaluate_bounds, exact_gradient

__all__ = [
    "METHODS",
    "adam_scale_residual",
    "Method",
    "Training",
    "method",
    "train",
]


@dataclass(frozen=True)
class Method:
    """One way to estimate the encoder's logit gradient at two evaluations per image.

    ``function`` is an estimator of :mod:`binary_gumbel.estimators.binary_estimators` (None for
    "exact"); ``tau`` its temperature, if it has one; ``pathwise`` whether it takes
    ``f_grad`` rather than ``f``; ``samples`` the leading sample axis of its uniforms
    (2: two independent uniform vectors; None: one vector, ARM's and DisARM's pair);
    ``averages`` whether the method averages the estimates over that axis itself
    (RLOO does, inside the estimator; REBAR takes its ``(u, v)`` on it). ``evaluations``
    is the number of evaluations of ``f`` per image and step; ``discrete_decoder`` gives
    the decoder its gradient at the discrete points only (REBAR's relaxed points are for
    its control variate, not for the model).
    """

    name: str
    function: Callable | None
    tau: float | None = None
    pathwise: bool = False
    samples: int | None = 2
    averages: bool = True
    unbiased: bool = True
    evaluations: int = 2
    discrete_decoder: bool = False

    def uniform_shape(self, logit_shape: tuple[int, ...]) -> tuple[int, ...]:
        return logit_shape if self.samples is None else (self.samples,) + logit_shape

    def logit_gradient(self, signal: LearningSignal, u: np.ndarray) -> np.ndarray:
        """The estimate of ``dELBO/da`` for every run and image, shape ``(R, N, K)``.

        ``ValueError`` if the estimate has another shape: the method averages over its
        sample axis once too often, or not at all (see ``averages``).
        """
        f = signal.value_and_grad if self.pathwise else signal.value
        args = (f, signal.logit) + (() if self.tau is None else (self.tau,)) + (u,)
        g = self.function(*args)
        g = g.mean(axis=0) if self.samples is not None and self.averages else g
        if g.shape != signal.logit.shape:
            raise ValueError(
                f"method {self.name!r} estimated a gradient of shape {g.shape}, not the logits' "
                f"shape {signal.logit.shape}: averages must be False for an estimator that "
                "averages over its samples itself (as RLOO and REBAR do), True otherwise"
            )
        return g

    def estimate(self, signal: LearningSignal, u: np.ndarray) -> Params:
        """The ELBO gradient of every parameter: the encoder's from this method."""
        return signal.model_gradient(self.logit_gradient(signal, u), self.discrete_decoder)


def _methods() -> tuple[Method, ...]:
    return (
        Method("exact", None),
        Method("REINFORCE", be.reinforce),
        Method("RLOO", be.rloo, averages=False),
        Method("ARM", be.arm, samples=None),
        Method("DisARM", be.disarm, samples=None),
        Method("straight-through", be.straight_through, pathwise=True, unbiased=False),
        Method("Gumbel-softmax τ=0.1", be.gumbel_softmax, 0.1, True, unbiased=False),
        Method("Gumbel-softmax τ=0.5", be.gumbel_softmax, 0.5, True, unbiased=False),
        Method("Gumbel-softmax τ=1", be.gumbel_softmax, 1.0, True, unbiased=False),
        Method("ST Gumbel-softmax τ=0.5", be.straight_through_gumbel, 0.5, True, unbiased=False),
        Method("ReinMax τ=1", be.reinmax, 1.0, True, unbiased=False),
        Method(
            "REBAR λ=0.5",
            rebar,
            0.5,
            True,
            averages=False,
            evaluations=3,
            discrete_decoder=True,
        ),
    )


#: The methods: "exact", the unbiased score-function estimators, the biased pathwise ones,
#: and REBAR (unbiased, three evaluations: f at b, and f with its gradient at two relaxed points).
METHODS: tuple[Method, ...] = _methods()


def method(name: str) -> Method:
    """The :class:`Method` called ``name``; ``ValueError`` listing the names otherwise."""
    for m in METHODS:
        if m.name == name:
            return m
    raise ValueError(f"method must be one of {[m.name for m in METHODS]}; got {name!r}")


def adam_scale_residual(steps: int = 3):
    """SymPy: Adam's update after ``steps`` gradients ``c g_i`` minus that after ``g_i``.

    With ``eps = 0`` (:class:`binary_gumbel.estimators.optim.Adam` adds ``1e-8``), ``m`` scales by
    ``c``, ``v`` by ``c^2``, and ``m_hat / sqrt(v_hat)`` not at all: the residual
    simplifies to 0 for every ``c > 0``.
    """
    import sympy as sp

    steps = check_count(steps, "steps", 1)
    c = sp.Symbol("c", positive=True)
    b1, b2 = sp.symbols("beta_1 beta_2", positive=True)
    g = sp.symbols(f"g_1:{steps + 1}", real=True)

    def update(scale):
        m = v = sp.Integer(0)
        for gi in g:
            m = b1 * m + (1 - b1) * scale * gi
            v = b2 * v + (1 - b2) * (scale * gi) ** 2
        return (m / (1 - b1**steps)) / sp.sqrt(v / (1 - b2**steps))

    return sp.simplify(update(c) - update(sp.Integer(1)))


@dataclass(frozen=True)
class Training:
    """The runs of :func:`train`.

    ``test_elbo[m, i, s, c]`` and ``test_log_marginal[m, i, s, c]`` are the exact mean
    test ELBO and ``log p(x)`` of method ``methods[m]`` at learning rate ``i``, seed
    ``s``, after ``checkpoints[c]`` steps. ``seconds_per_step[m]`` is the wall time of
    one step of all of method ``m``'s runs (estimate, gradients and update), averaged
    over the steps; ``evaluations[m]`` the evaluations of ``f`` per image and step.
    ``snapshots[m][c]`` holds the parameters of method ``m``'s runs at checkpoint ``c``.
    """

    methods: tuple[str, ...]
    learning_rates: tuple[float, ...]
    seeds: int
    batch: int
    checkpoints: np.ndarray
    test_elbo: np.ndarray
    test_log_marginal: np.ndarray
    seconds_per_step: np.ndarray
    evaluations: np.ndarray
    snapshots: tuple[tuple[Params, ...], ...]

    def index(self, name: str) -> int:
        if name not in self.methods:
            raise ValueError(f"method must be one of {list(self.methods)}; got {name!r}")
        return self.methods.index(name)

    def final_elbo(self, name: str, rate: int = 0) -> np.ndarray:
        """The final test ELBO of every seed of method ``name`` at learning rate ``rate``."""
        return self.test_elbo[self.index(name), rate, :, -1]

    def elbo_gain(self) -> np.ndarray:
        """What each run learned: its final test ELBO minus its test ELBO at step 0, of shape
        ``(methods, learning rates, seeds)``.

        Needs step 0 among the checkpoints (as :func:`train`'s default has it).
        """
        if self.checkpoints[0] != 0:
            raise ValueError(
                "elbo_gain needs step 0 among the checkpoints; "
                f"got checkpoints {self.checkpoints.tolist()}"
            )
        return self.test_elbo[..., -1] - self.test_elbo[..., 0]

    def snapshot(self, name: str, checkpoint: int = -1, run: int = 0) -> Params:
        """The parameters of one run of method ``name`` at a checkpoint, leading shape ``(1,)``."""
        return self.snapshots[self.index(name)][checkpoint].take(slice(run, run + 1))

    def time_ratio(self) -> np.ndarray:
        """Seconds per step over the cheapest method's (excluding "exact"); ``ValueError`` for a
        training of "exact" alone, which has no such method."""
        estimated = [i for i, m in enumerate(self.methods) if m != "exact"]
        if not estimated:
            raise ValueError(
                f"time_ratio needs a method other than 'exact'; got methods {list(self.methods)}"
            )
        return self.seconds_per_step / self.seconds_per_step[estimated].min()


def train(
    data: Digits,
    methods: Sequence[str | Method] = tuple(m.name for m in METHODS),
    latents: int = 8,
    steps: int = 600,
    seeds: int = 5,
    batch: int = 16,
    learning_rates: Sequence[float] = (0.01,),
    checkpoints: Sequence[int] | None = None,
    test_images: int | None = None,
    init_seed: int = 0,
    rng=0,
    log_marginal: bool = True,
) -> Training:
    """Train every method in ``methods`` (names in :data:`METHODS`, or :class:`Method`
    objects of one's own) on ``seeds`` seeds at each learning rate.

    Every run starts from ``initial_params(latents, ..., rng=init_seed)``. At each
    step, seed ``s`` draws ``batch`` training images and binarizes them afresh
    (shared by all methods and learning rates); each method then draws its own
    uniforms. Test bounds are exact (:func:`binary_gumbel.estimators.vae_oracle.evaluate_bounds`),
    on the first ``test_images`` test images (all by default), after every step
    count in ``checkpoints`` (default: 0 and ``steps``); with ``log_marginal=False`` only
    the ELBO (``test_log_marginal`` is NaN), which is cheaper.
    """
    if not isinstance(data, Digits):
        raise TypeError(
            f"data must be a binary_gumbel.estimators.digits.Digits; got {type(data).__name__}"
        )
    chosen = tuple(m if isinstance(m, Method) else method(m) for m in methods)
    if not chosen:
        raise ValueError("methods must name at least one method; got none")
    steps = check_count(steps, "steps", 1)
    seeds = check_count(seeds, "seeds", 1)
    batch = check_count(batch, "batch", 1)
    rates = finite_float64(learning_rates, "learning_rates").ravel()
    if rates.size == 0 or not np.all(rates > 0):
        raise ValueError(f"learning_rates must be positive; got {learning_rates!r}")
    given = [0, steps] if checkpoints is None else np.ravel(checkpoints)
    if not len(given):
        raise ValueError("checkpoints must hold at least one step count; got none")
    marks = np.unique([check_integer(c, "checkpoints", 0) for c in given])
    if marks.max() > steps:
        raise ValueError(f"checkpoints must lie in [0, steps = {steps}]; got {checkpoints!r}")
    log_marginal = check_flag(log_marginal, "log_marginal")
    test = (
        data.test
        if test_images is None
        else data.test[: check_integer(test_images, "test_images", 1)]
    )
    runs = rates.size * seeds
    lr = np.repeat(rates, seeds)
    start = initial_params(latents, data.train_mean, runs=runs, rng=init_seed)
    master = as_generator(rng)
    data_rng, *method_rngs = master.spawn(1 + len(chosen))
    flat = [start.flatten() for _ in chosen]
    adams = [Adam(f.shape, 1.0) for f in flat]
    shape = (len(chosen), rates.size, seeds, marks.size)
    elbo, marginal = np.empty(shape), np.empty(shape)
    seconds = np.zeros(len(chosen))
    evaluations = np.zeros(len(chosen))

    snapshots: list[list[Params]] = [[] for _ in chosen]

    def record(c: int) -> None:
        bounds = None
        for m, f in enumerate(flat):
            p = Params.from_flat(f.copy(), latents, start.pixels)
            snapshots[m].append(p)
            if bounds is None or c > 0 or marks[0] != 0:  # at step 0 every method is at start
                bounds = evaluate_bounds(p, test, log_marginal=log_marginal)
            e, lm = bounds
            elbo[m, :, :, c] = e.reshape(rates.size, seeds)
            marginal[m, :, :, c] = lm.reshape(rates.size, seeds)

    if marks[0] == 0:
        record(0)
    for k in range(1, steps + 1):
        idx = data_rng.integers(0, data.train.shape[0], size=(seeds, batch))
        x = np.tile(binarize(data.train[idx], data_rng), (rates.size, 1, 1))  # (R, N, D)
        for m, meth in enumerate(chosen):
            t0 = time.perf_counter()
            params = Params.from_flat(flat[m], latents, start.pixels)
            if meth.function is None:
                grad = exact_gradient(params, x)
                evaluations[m] += 2.0**latents
            else:
                signal = LearningSignal(params, x)
                u = method_rngs[m].random(meth.uniform_shape(signal.logit.shape))
                grad = meth.estimate(signal, u)
                evaluations[m] += signal.evaluations
            flat[m] = flat[m] - lr[:, None] * adams[m].step(-grad.flatten())
            seconds[m] += time.perf_counter() - t0
        if k in marks:
            record(int(np.searchsorted(marks, k)))
    return Training(
        tuple(m.name for m in chosen),
        tuple(float(r) for r in rates),
        seeds,
        batch,
        marks,
        elbo,
        marginal,
        seconds / steps,
        evaluations / steps,
        tuple(tuple(s) for s in snapshots),
    )
