"""The routes the benchmark times, its interleaved timing run, and its report."""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from binary_gumbel._validation import check_count, check_dtype, check_seed, check_tau, single_number
from binary_gumbel.relaxed import (
    logit_from_probability,
    sample_binary_gumbel_softmax,
    sample_two_class_gumbel_softmax,
)

__all__ = [
    "BenchResult",
    "Goal",
    "Timing",
    "format_result",
    "run_benchmark",
    "timed_routes",
]

LIBRARY = "library"
LIBRARY_FLOAT32 = "library_float32"
TWO_CLASS = "two_class"
UNIFORM = "uniform"
TORCH = "torch"

LABELS = {
    LIBRARY: "library sample_binary_gumbel_softmax",
    LIBRARY_FLOAT32: "library sample_binary_gumbel_softmax, float32",
    TWO_CLASS: "two-class: 2 Gumbels + 2-way gumbel_softmax",
    UNIFORM: "bare uniform draw rng.random(n)",
    TORCH: "torch RelaxedBernoulli.rsample (1 thread)",
}

#: The routes timed with an output array allocated before the timing.
PREALLOCATED = frozenset({LIBRARY, LIBRARY_FLOAT32, UNIFORM})

#: Each ratio of :attr:`BenchResult.ratios`: (numerator route, denominator route).
RATIOS = {
    "two_class_over_library": (TWO_CLASS, LIBRARY),
    "library_over_uniform": (LIBRARY, UNIFORM),
    "torch_over_library": (TORCH, LIBRARY),
    "library_float64_over_float32": (LIBRARY, LIBRARY_FLOAT32),
}


@dataclass(frozen=True)
class Timing:
    """Median time per sample of one route, and every repetition in seconds.

    ``seconds[k]`` is from round ``k``; ``preallocated`` says whether the route wrote
    into an output allocated before the timing.
    """

    route: str
    label: str
    ns_per_sample: float
    seconds: tuple[float, ...]
    preallocated: bool


@dataclass(frozen=True)
class Goal:
    """One speed or memory goal: the measured value, the threshold, and the verdict."""

    name: str
    value: float | None
    threshold: float
    direction: str  # ">=" or "<="
    met: bool | None  # None when the value could not be measured


@dataclass(frozen=True)
class BenchResult:
    """Everything one benchmark run measured; ``to_dict`` gives its JSON form."""

    n: int
    repeats: int
    tau: float
    logit: float
    dtype: str
    timings: tuple[Timing, ...]
    output_bytes: int
    peak_memory_ratio: dict[str, float]
    torch_available: bool

    def ns(self, route: str) -> float | None:
        """Median ns per sample of ``route``, or None if it was not timed."""
        return next((t.ns_per_sample for t in self.timings if t.route == route), None)

    @property
    def ratios(self) -> dict[str, float | None]:
        """Ratios of median times, all from this run (None for a route not timed)."""
        ns = {t.route: t.ns_per_sample for t in self.timings}
        return {
            name: ns[top] / ns[bottom] if top in ns and bottom in ns else None
            for name, (top, bottom) in RATIOS.items()
        }

    @property
    def ratio_ranges(self) -> dict[str, tuple[float, float] | None]:
        """Smallest and largest per-round ratio: both routes timed in the same round.

        The routes run in a rotating order, so the range shows how much a ratio moves
        with the order of the routes and the moment of the run.
        """
        seconds = {t.route: np.array(t.seconds) for t in self.timings}
        ranges = {}
        for name, (top, bottom) in RATIOS.items():
            if top in seconds and bottom in seconds:
                per_round = seconds[top] / seconds[bottom]
                ranges[name] = (float(per_round.min()), float(per_round.max()))
            else:
                ranges[name] = None
        return ranges

    @property
    def goals(self) -> tuple[Goal, ...]:
        """The issue's goals, judged on this run's measurements."""
        r = self.ratios

        def goal(name, value, threshold, direction):
            met = (
                None
                if value is None
                else bool(value >= threshold if direction == ">=" else value <= threshold)
            )
            return Goal(name, value, threshold, direction, met)

        return (
            goal("speed-up over the two-class route", r["two_class_over_library"], 5.0, ">="),
            goal("cost relative to the bare uniform draw", r["library_over_uniform"], 7.0, "<="),
            goal("speed-up over torch RelaxedBernoulli", r["torch_over_library"], 3.0, ">="),
            goal("float32 speed-up over float64", r["library_float64_over_float32"], 1.0, ">="),
            goal("peak memory, in output arrays", self.peak_memory_ratio[LIBRARY], 2.0, "<="),
        )

    def to_dict(self) -> dict:
        """The result as strict JSON's values: a logit of ±∞ (p = 0 or 1), which JSON has no
        number for, is the string ``"Infinity"`` or ``"-Infinity"``."""
        d = asdict(self)
        if math.isinf(self.logit):
            d["logit"] = "Infinity" if self.logit > 0 else "-Infinity"
        d["ratios"] = self.ratios
        d["ratio_ranges"] = self.ratio_ranges
        d["goals"] = [asdict(g) for g in self.goals]
        return d


def timed_routes(n: int, tau: float, logit: float, dtype, seed: int) -> dict[str, Callable]:
    """Zero-argument callables, one per route, each drawing ``n`` samples.

    The routes in :data:`PREALLOCATED` write into an output array of their own, allocated
    here, before any timing, and return it: every call returns the same array.

    ``n`` may be 0. Refused by name: an ``n`` beyond the most elements an array can hold,
    a ``dtype`` other than float32 or float64, a ``seed`` that is not a non-negative
    integer. ``tau`` and ``logit`` are checked by the samplers, when a route is called.
    """
    n, dtype = check_count(n, "n", minimum=0), check_dtype(dtype)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    out = {name: np.empty(n, dtype) for name in (LIBRARY, UNIFORM)}
    routes = {
        LIBRARY: lambda: sample_binary_gumbel_softmax(
            logit, tau, rng=rng, dtype=dtype, out=out[LIBRARY]
        ),
        TWO_CLASS: lambda: sample_two_class_gumbel_softmax(logit, tau, n, rng, dtype=dtype),
        UNIFORM: lambda: rng.random(out=out[UNIFORM], dtype=dtype),
    }
    if dtype == np.float64:
        out32 = np.empty(n, np.float32)
        routes[LIBRARY_FLOAT32] = lambda: sample_binary_gumbel_softmax(
            logit, tau, rng=rng, dtype=np.float32, out=out32
        )
    torch_route = _torch_route(n, tau, logit, dtype, seed)
    if torch_route is not None:
        routes[TORCH] = torch_route
    return routes


def _torch_route(n: int, tau: float, logit: float, dtype: np.dtype, seed: int) -> Callable | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch_dtype = torch.float64 if dtype == np.float64 else torch.float32
    dist = torch.distributions.RelaxedBernoulli(
        torch.tensor(tau, dtype=torch_dtype), logits=torch.tensor(logit, dtype=torch_dtype)
    )
    return lambda: dist.rsample((n,))


def _peak_ratio(route: Callable, output_bytes: int) -> float:
    """Peak memory traced while ``route`` runs, in units of ``output_bytes``."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        route()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / output_bytes


def run_benchmark(
    n: int = 10**7,
    repeats: int = 5,
    tau: float = 0.3,
    p: float = 0.7,
    dtype="float64",
    seed: int = 0,
) -> BenchResult:
    """Time every route ``repeats`` times, interleaved, and measure peak memory.

    Returns a :class:`BenchResult`; its ``ratios`` and ``goals`` are computed
    from the medians of this one run, its ``ratio_ranges`` from its rounds. ``tau`` and
    ``p`` are single numbers; the arguments are checked as in :func:`timed_routes`, and
    ``repeats`` and ``n`` must be at least 1.
    """
    n, repeats = check_count(n, "n"), check_count(repeats, "repeats")
    dtype = check_dtype(dtype)
    tau = single_number(check_tau(tau), "tau")
    logit = single_number(logit_from_probability(p), "p")
    routes = timed_routes(n, tau, logit, dtype, seed)
    for route in timed_routes(min(n, 1000), tau, logit, dtype, seed).values():
        route()  # warm-up: imports, first-call overheads
    names = list(routes)
    seconds = {name: [] for name in names}
    for k in range(repeats):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            start = time.perf_counter()
            routes[name]()
            seconds[name].append(time.perf_counter() - start)
    timings = tuple(
        Timing(
            name,
            LABELS[name],
            float(np.median(seconds[name])) / n * 1e9,
            tuple(seconds[name]),
            name in PREALLOCATED,
        )
        for name in names
    )
    output_bytes = n * dtype.itemsize
    # Peak memory of a call that allocates its output too, as a caller's call does.
    rng = np.random.default_rng(seed)
    allocating = {
        LIBRARY: lambda: sample_binary_gumbel_softmax(logit, tau, n, rng, dtype=dtype),
        TWO_CLASS: routes[TWO_CLASS],
    }
    peaks = {name: _peak_ratio(route, output_bytes) for name, route in allocating.items()}
    return BenchResult(
        n, repeats, tau, logit, dtype.name, timings, output_bytes, peaks, TORCH in routes
    )


def format_result(result: BenchResult) -> str:
    """The human-readable report printed by ``python -m binary_gumbel.bench``."""
    lib = result.ns(LIBRARY)
    lines = [
        f"binary Gumbel-softmax sampling: n = {result.n:,}, tau = {result.tau:g}, "
        f"logit = {result.logit:.4g}, {result.dtype}, one thread",
        f"median of {result.repeats} interleaved repetitions; ratios from this run",
        "",
        f"{'route':<52} {'ns/sample':>10} {'x library':>10}",
    ]
    for t in result.timings:
        lines.append(f"{t.label:<52} {t.ns_per_sample:>10.2f} {t.ns_per_sample / lib:>10.2f}")
    lines += ["", "ratios: median ratio, and the range of the per-round ratios:"]
    for name, ratio in result.ratios.items():
        spread = result.ratio_ranges[name]
        if ratio is not None:
            lines.append(f"  {name:<40} {ratio:>8.2f}  ({spread[0]:.2f} to {spread[1]:.2f})")
    lines.append("(outputs preallocated for: " + ", ".join(sorted(PREALLOCATED)) + ")")
    if not result.torch_available:
        lines.append(f"{LABELS[TORCH]:<52} {'(torch not installed)':>21}")
    lines += ["", "peak memory (tracemalloc), in units of the output array:"]
    for name, ratio in result.peak_memory_ratio.items():
        lines.append(f"  {LABELS[name]:<50} {ratio:>8.2f}")
    lines += ["", "goals:"]
    for g in result.goals:
        value = "not measured" if g.value is None else f"{g.value:.2f}"
        verdict = {True: "met", False: "MISSED", None: "not measured"}[g.met]
        lines.append(f"  {g.name:<42} {value:>12}  (goal {g.direction} {g.threshold:g})  {verdict}")
    return "\n".join(lines)
