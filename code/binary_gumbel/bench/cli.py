"""``python -m binary_gumbel.bench``: the command line."""

from __future__ import annotations

import argparse
import json

from binary_gumbel.bench.routes import format_result, run_benchmark

__all__ = ["main"]


def _positive_int(text: str) -> int:
    """argparse type: a positive integer, also written as ``1e6``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if not (value >= 1 and value.is_integer()):
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m binary_gumbel.bench",
        description=__doc__.splitlines()[0],
        epilog=(
            "Routes: the library sampler (and its float32 variant), the two-class route "
            "(two Gumbels and a 2-way softmax), the bare uniform draw, and torch's "
            "RelaxedBernoulli when torch is installed. Times are medians of interleaved "
            "repetitions on one thread; the goals are judged on ratios from the same run."
        ),
    )
    parser.add_argument(
        "--n",
        type=_positive_int,
        default=10**7,
        metavar="N",
        help="samples drawn per route and repetition (default 1e7)",
    )
    parser.add_argument(
        "--repeats",
        type=_positive_int,
        default=5,
        metavar="R",
        help="interleaved repetitions; the median is reported (default 5)",
    )
    parser.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="dtype of the samples (default float64, which also times float32)",
    )
    parser.add_argument(
        "--tau", type=float, default=0.3, metavar="TAU", help="temperature, > 0 (default 0.3)"
    )
    parser.add_argument(
        "--p",
        type=float,
        default=0.7,
        metavar="P",
        help="probability P(x > 1/2); logit = log p - log(1 - p) (default 0.7)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the generators (default 0)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        result = run_benchmark(args.n, args.repeats, args.tau, args.p, args.dtype, args.seed)
    except ValueError as error:  # a bad --tau, --p, --seed or --n, named by the library's message
        parser.error(str(error))
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(format_result(result))
    return 0
