"""Speed and memory of the binary Gumbel-softmax sampler against the routes it replaces.

Usage::

    python -m binary_gumbel.bench [--n N] [--repeats R] [--dtype float64|float32]
                                  [--tau TAU] [--p P] [--seed S] [--json]

Routes timed, all drawing ``n`` samples at one ``(logit, tau)``:

- the library's :func:`~binary_gumbel.sample_binary_gumbel_softmax` (and its
  float32 variant when ``--dtype float64``);
- the two-class route it replaces: two Gumbels per sample and a 2-way
  :func:`~binary_gumbel.gumbel_softmax`
  (:func:`~binary_gumbel.relaxed.sample_two_class_gumbel_softmax`);
- the bare uniform draw ``rng.random(n)``, the floor for any inverse-CDF sampler;
- ``torch.distributions.RelaxedBernoulli(...).rsample`` on the CPU in the same
  dtype with one thread, only when torch happens to be installed (it is not a
  dependency).

The library routes and the uniform draw write into output arrays allocated
once, before the timing (``out=``): an allocation inside the timed call costs
page faults whose price depends on what the route before it freed, so a ratio
would depend on the allocator's state and on the order of the routes. The
two-class route and torch's cannot write into a given array; their times
include their allocations (:attr:`Timing.preallocated` says which is which).

The repetitions are interleaved (every route once per round, the order rotating
from round to round) and the reported time is the median; the ratios come from
the same run, and :attr:`BenchResult.ratio_ranges` gives the smallest and largest
of the per-round ratios, which show how much the order and the moment move
them. Everything is single
threaded: NumPy's element-wise functions and ``Generator.random`` run on one
thread (no BLAS is involved), and torch is limited to one thread. Peak memory
is measured separately with :mod:`tracemalloc` (NumPy reports its array
buffers to it) and given in units of the output array's size.

One module per job: the routes, the timing run and its report (``routes``), the numerics
chapter's timing studies (``studies``), and the command line (``cli``, run by
``__main__``); this package gathers them.
"""

from binary_gumbel.bench.cli import main
from binary_gumbel.bench.routes import (
    LABELS,
    LIBRARY,
    LIBRARY_FLOAT32,
    PREALLOCATED,
    RATIOS,
    TORCH,
    TWO_CLASS,
    UNIFORM,
    BenchResult,
    Goal,
    Timing,
    format_result,
    run_benchmark,
    timed_routes,
)
from binary_gumbel.bench.studies import (
    PairedTaus,
    paired_tau_comparison,
    spread_over_calls,
    uniform_after_two_class,
)

__all__ = [
    "BenchResult",
    "Goal",
    "LABELS",
    "LIBRARY",
    "LIBRARY_FLOAT32",
    "PREALLOCATED",
    "PairedTaus",
    "RATIOS",
    "TORCH",
    "TWO_CLASS",
    "Timing",
    "UNIFORM",
    "format_result",
    "main",
    "paired_tau_comparison",
    "run_benchmark",
    "spread_over_calls",
    "timed_routes",
    "uniform_after_two_class",
]
