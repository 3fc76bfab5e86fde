"""Argument checks shared by the library's public functions.

Every public function converts and checks its arguments here, so that bad input
fails early with one kind of message: the exception names the argument and
says what was expected.

- Non-numeric input (strings, objects, complex numbers) raises ``TypeError``.
- Numeric input with a forbidden value (NaN, a non-positive temperature, a
  probability outside [0, 1], shapes that do not broadcast, a negative size)
  raises ``ValueError``.

Dtype rule: a computation runs in float32 when its floating inputs are float32
(Python scalars do not count, as in NumPy's own promotion rules), and in
float64 otherwise.

The checks are in three modules by the kind of argument: real numbers and float arrays
(:mod:`._numbers`), discrete values such as integers, sizes, dtypes, flags and seeds
(:mod:`._discrete`), and the hard concrete stretch (:mod:`._stretch`).
"""

from binary_gumbel._validation._discrete import (
    LARGEST_COUNT,
    as_generator,
    check_count,
    check_dtype,
    check_flag,
    check_index,
    check_integer,
    check_seed,
    check_size,
    sample_shape,
)
from binary_gumbel._validation._numbers import (
    as_float_array,
    broadcast,
    broadcast_finite,
    check_false_alarm,
    check_finite,
    check_no_nan,
    check_nonnegative,
    check_open_interval,
    check_penalty,
    check_probability,
    check_tau,
    check_uniform,
    finite_float64,
    finite_number,
    result_dtype,
    single_number,
)
from binary_gumbel._validation._stretch import check_gamma, check_stretch, check_zeta

__all__ = [
    "as_float_array",
    "as_generator",
    "broadcast",
    "broadcast_finite",
    "LARGEST_COUNT",
    "check_count",
    "check_seed",
    "check_dtype",
    "check_finite",
    "check_gamma",
    "check_index",
    "check_integer",
    "check_zeta",
    "finite_float64",
    "sample_shape",
    "check_flag",
    "check_no_nan",
    "check_nonnegative",
    "check_penalty",
    "check_probability",
    "check_size",
    "check_stretch",
    "check_tau",
    "check_uniform",
    "result_dtype",
    "check_false_alarm",
    "check_open_interval",
    "finite_number",
    "single_number",
]
