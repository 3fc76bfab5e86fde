"""Bad input raises a clear error; valid extremes return the mathematical limit.

pytest turns every warning into an error here, so the extreme cases also show
that no numpy RuntimeWarning escapes.
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from binary_gumbel import (
    binary_concrete_cdf,
    binary_concrete_logpdf,
    binary_gumbel_softmax,
    gumbel_softmax,
    logit_from_probability,
    logit_from_unnormalized,
    noise,
    sample_binary_gumbel_softmax,
)
from binary_gumbel.book import demos
from binary_gumbel.estimators import relax_training
from binary_gumbel.verification import derivation_montecarlo, symbolic

NAN = float("nan")


@pytest.mark.parametrize("tau", [0.0, -1.0, NAN, np.inf, [0.5, 0.0], [[1.0], [NAN]]])
def test_bad_tau(tau):
    with pytest.raises(ValueError, match=r"tau must be a positive, finite temperature"):
        binary_gumbel_softmax(0.0, tau, 0.5)
    with pytest.raises(ValueError, match=r"^tau must"):
        sample_binary_gumbel_softmax(0.0, tau, 3, rng=0)
    with pytest.raises(ValueError, match=r"^tau must"):
        gumbel_softmax([0.0, 1.0], tau, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^tau must"):
        binary_concrete_logpdf(0.5, 0.0, tau)
    with pytest.raises(ValueError, match=r"^tau must"):
        binary_concrete_cdf(0.5, 0.0, tau)


def test_error_message_locates_the_offender():
    with pytest.raises(ValueError, match=r"got -2\.0 at index \(1,\) \(2 of 3 values"):
        binary_gumbel_softmax(0.0, [1.0, -2.0, 0.0], 0.5)


@pytest.mark.parametrize("u", [-0.1, 1.5, NAN, [0.2, np.inf]])
def test_bad_u(u):
    with pytest.raises(ValueError, match=r"^u must be a uniform variate in \[0, 1\]"):
        binary_gumbel_softmax(0.0, 1.0, u)
    with pytest.raises(ValueError, match=r"^u must"):
        noise.gumbel_from_uniform(u)
    with pytest.raises(ValueError, match=r"^u must"):
        noise.logistic_from_uniform(u)


def test_nan_logit_and_nan_x():
    with pytest.raises(ValueError, match=r"^logit must not be NaN"):
        binary_gumbel_softmax([0.0, NAN], 1.0, 0.5)
    with pytest.raises(ValueError, match=r"^logit must not be NaN"):
        sample_binary_gumbel_softmax(NAN, 1.0, 2, rng=0)
    with pytest.raises(ValueError, match=r"^logit must not be NaN"):
        binary_concrete_cdf(0.5, NAN, 1.0)
    with pytest.raises(ValueError, match=r"^x must not be NaN"):
        binary_concrete_logpdf(NAN, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"^log_alpha must not be NaN"):
        gumbel_softmax([NAN, 0.0], 1.0, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^gumbels must not be NaN"):
        gumbel_softmax([0.0, 0.0], 1.0, [0.0, NAN])


@pytest.mark.parametrize("p", [-0.01, 1.01, NAN, [0.5, 2.0]])
def test_bad_probability(p):
    with pytest.raises(ValueError, match=r"^p must be a probability in \[0, 1\]"):
        logit_from_probability(p)


def test_bad_unnormalized_weights():
    with pytest.raises(ValueError, match=r"^alpha1 must be non-negative"):
        logit_from_unnormalized(-1.0, 2.0)
    with pytest.raises(ValueError, match=r"^alpha2 must be non-negative"):
        logit_from_unnormalized(1.0, [2.0, NAN])
    with pytest.raises(ValueError, match=r"must not both be zero"):
        logit_from_unnormalized([1.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"must not both be infinite"):
        logit_from_unnormalized(np.inf, np.inf)


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"shapes do not broadcast.*logit with shape \(2,\).*u"):
        binary_gumbel_softmax([0.0, 1.0], 1.0, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"shapes do not broadcast.*log_alpha.*gumbels"):
        gumbel_softmax([0.0, 1.0], 1.0, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"shapes do not broadcast.*alpha1.*alpha2"):
        logit_from_unnormalized([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"do not broadcast to size \(4,\)"):
        sample_binary_gumbel_softmax([0.0, 1.0], 1.0, size=4, rng=0)
    with pytest.raises(ValueError, match=r"shapes do not broadcast.*x.*logit"):
        binary_concrete_logpdf([0.1, 0.2], [0.0, 1.0, 2.0], 1.0)


def test_bad_size_dtype_and_out():
    with pytest.raises(ValueError, match=r"^size must be non-negative"):
        sample_binary_gumbel_softmax(0.0, 1.0, -1, rng=0)
    with pytest.raises(ValueError, match=r"^size must be non-negative"):
        sample_binary_gumbel_softmax(0.0, 1.0, (3, -2), rng=0)
    with pytest.raises(TypeError, match=r"^size must be None, an integer"):
        sample_binary_gumbel_softmax(0.0, 1.0, 2.5, rng=0)
    with pytest.raises(ValueError, match=r"^dtype must be float32 or float64"):
        sample_binary_gumbel_softmax(0.0, 1.0, 3, rng=0, dtype=np.float16)
    with pytest.raises(ValueError, match=r"^out must have dtype float64"):
        sample_binary_gumbel_softmax(0.0, 1.0, rng=0, out=np.empty(3, np.float32))
    with pytest.raises(ValueError, match=r"does not match out.shape"):
        sample_binary_gumbel_softmax(0.0, 1.0, 4, rng=0, out=np.empty(3))
    with pytest.raises(ValueError, match=r"^out must be C-contiguous"):
        sample_binary_gumbel_softmax(0.0, 1.0, rng=0, out=np.empty(6)[::2])


def test_a_value_beyond_the_computations_dtype_is_refused_by_name():
    # In a float32 computation a float64 argument beyond float32's range had overflowed in
    # the cast, with numpy's warning, and was then refused as "inf", a value never passed.
    fits = r"^tau must fit in float32 \(\|tau\| <= 3\.4028235e\+38\), the range"
    with pytest.raises(ValueError, match=fits):
        sample_binary_gumbel_softmax(0.0, 1e40, 3, rng=0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^loc must fit in float32.*; got 1e\+300$"):
        noise.gumbel_from_uniform(np.float32(0.5), loc=1e300)
    # One the cast rounds to 0 is refused as given.
    with pytest.raises(ValueError, match=r"got 0\.0 \(1e-50 before it was rounded to float32\)$"):
        sample_binary_gumbel_softmax(0.0, 1e-50, 3, rng=0, dtype=np.float32)
    # Within float64 nothing is cast, and such values are valid temperatures.
    assert binary_gumbel_softmax(0.0, 1e-50, 0.5) == 0.5
    assert binary_gumbel_softmax(0.0, 1e40, 0.25) == 0.5


def test_a_deprecated_dtype_alias_is_refused_by_name():
    """``"a"`` is numpy's deprecated alias of bytes: refused, without its DeprecationWarning."""
    with pytest.raises(ValueError, match=r"^dtype must be float32 or float64; got 'a', a depr"):
        sample_binary_gumbel_softmax(0.0, 1.0, 2, rng=0, dtype="a")


@pytest.mark.parametrize(
    "huge",
    [
        *(10**400, -(10**400), Fraction(10**400, 3)),
        *(Decimal("1e400"), -Decimal("1e400"), sp.Float("1e400")),
    ],
    ids=["int", "-int", "Fraction", "Decimal", "-Decimal", "sympy.Float"],
)
def test_a_number_beyond_the_doubles_is_a_value_error_naming_the_argument(huge):
    """Python's ints and fractions are unbounded; one beyond float64 had raised the
    OverflowError of the conversion, which names no argument. A Decimal or SymPy Float
    beyond it had become inf silently."""
    with pytest.raises(ValueError, match=r"^p must fit in float64 \(\|p\| <= 1.797"):
        logit_from_probability(huge)
    with pytest.raises(ValueError, match=r"^logit must fit in float64"):
        binary_concrete_cdf(0.5, [0.0, huge], 1.0)


@pytest.mark.skipif(
    np.finfo(np.longdouble).max <= np.finfo(np.float64).max,
    reason="np.longdouble is the double here: 1e400 is infinite in it",
)
@pytest.mark.parametrize(
    "wrap",
    [
        lambda x: x,
        np.array,
        lambda x: np.array([x, 1.0], dtype=np.longdouble),
        lambda x: np.array(x, dtype=object),
        lambda x: np.array([1.0, x], dtype=object),
    ],
    ids=["scalar", "0-d", "array", "0-d object", "object array"],
)
def test_a_long_double_beyond_the_doubles_is_a_value_error_naming_the_argument(wrap):
    """In an object array, np.longdouble('1e400') had let NumPy's cast warn of its overflow,
    instead of the ValueError that 10**400 or Decimal('1e400') gets."""
    for huge in (np.longdouble("1e400"), -np.longdouble("1e400")):
        with pytest.raises(ValueError, match=r"^logit must fit in float64 \(\|logit\| <= 1.797"):
            binary_gumbel_softmax(wrap(huge), 1.0, 0.25)


@pytest.mark.parametrize("nan", [Decimal("NaN"), Decimal("sNaN"), Decimal("-sNaN")])
def test_a_signaling_nan_decimal_is_a_nan_named_by_the_argument(nan):
    """Decimal('sNaN') had met float's "cannot convert signaling NaN to float", which names no
    argument; it is refused as Decimal('NaN') is."""
    with pytest.raises(ValueError, match=r"^logit must not be NaN; got nan$"):
        binary_gumbel_softmax(nan, 1.0, 0.25)
    with pytest.raises(ValueError, match=r"^p must be a probability in \[0, 1\]; got nan at index"):
        logit_from_probability([0.5, nan])


@pytest.mark.parametrize("infinite", [Decimal("Infinity"), Decimal("-Infinity")])
def test_an_infinite_decimal_is_an_infinite_double(infinite):
    """Only a Decimal beyond the doubles is refused: an infinite one is the infinite double,
    which the probability check then names."""
    message = rf"^p must be a probability in \[0, 1\]; got {float(infinite)}"
    with pytest.raises(ValueError, match=message):
        logit_from_probability(infinite)


@pytest.mark.parametrize("size", [True, np.True_, (2, False)])
def test_boolean_size_is_a_type_error(size):
    with pytest.raises(TypeError, match=r"^size must be None, an integer or a tuple of integers"):
        sample_binary_gumbel_softmax(0.0, 1.0, size, rng=0)


@pytest.mark.parametrize("dtype", ["not a dtype", 0.5, [0.5]])
def test_dtype_that_is_not_a_dtype_is_a_type_error_naming_dtype(dtype):
    with pytest.raises(TypeError, match=r"^dtype must be float32 or float64; got"):
        sample_binary_gumbel_softmax(0.0, 1.0, 3, rng=0, dtype=dtype)


@pytest.mark.parametrize("hard", ["yes", 1, None, np.array([True, False])])
def test_hard_must_be_a_boolean(hard):
    with pytest.raises(TypeError, match=r"^hard must be True or False"):
        sample_binary_gumbel_softmax(0.0, 1.0, 3, rng=0, hard=hard)


@pytest.mark.parametrize("rng", [True, np.False_, "seed", 1.5])
def test_rng_must_be_a_generator_or_a_seed(rng):
    with pytest.raises(TypeError, match=r"^rng must be a numpy.random.Generator, a seed or None"):
        sample_binary_gumbel_softmax(0.0, 1.0, 3, rng=rng)


def test_negative_seed_is_a_value_error_naming_rng():
    with pytest.raises(ValueError, match=r"^rng must be a numpy.random.Generator, a seed or None"):
        sample_binary_gumbel_softmax(0.0, 1.0, 3, rng=-1)


@pytest.mark.parametrize("bad", ["0.5", None, 1 + 2j, {"a": 1}, ["x", 1]])
def test_non_numeric_input_is_a_type_error(bad):
    with pytest.raises(TypeError, match=r"^logit must be a real number"):
        binary_gumbel_softmax(bad, 1.0, 0.5)
    with pytest.raises(TypeError, match=r"^tau must be a real number"):
        sample_binary_gumbel_softmax(0.0, bad, 2, rng=0)
    with pytest.raises(TypeError, match=r"^p must be a real number"):
        logit_from_probability(bad)
    with pytest.raises(TypeError, match=r"^x must be a real number"):
        binary_concrete_cdf(bad, 0.0, 1.0)


def test_bad_categorical_input():
    with pytest.raises(ValueError, match=r"last axis of length >= 1"):
        gumbel_softmax(0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"log_alpha must not be \+inf"):
        gumbel_softmax([np.inf, 0.0], 1.0, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"at least one finite entry"):
        gumbel_softmax([[0.0, 1.0], [-np.inf, -np.inf]], 1.0, [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^loc must be finite"):
        noise.gumbel_cdf(0.0, np.inf)


# ---- valid extremes: the mathematical limit, no NaN, no warning ----


def test_infinite_logit():
    u = np.array([0.0, 1e-300, 0.5, 1 - 2**-53, 1.0])
    assert binary_gumbel_softmax(np.inf, 0.3, u).tolist() == [1.0] * 5
    assert binary_gumbel_softmax(-np.inf, 0.3, u).tolist() == [0.0] * 5
    assert sample_binary_gumbel_softmax([np.inf, -np.inf], 0.3, rng=0).tolist() == [1.0, 0.0]


def test_probability_zero_and_one():
    assert logit_from_probability([0.0, 1.0]).tolist() == [-np.inf, np.inf]
    logit = logit_from_probability([0.0, 1.0])
    assert sample_binary_gumbel_softmax(logit, 0.5, (100, 2), rng=0, hard=True).mean(
        0
    ).tolist() == [
        0.0,
        1.0,
    ]


def test_u_at_zero_and_one_is_the_limit():
    """u = 0 gives 0 and u = 1 gives 1 for every finite logit and temperature."""
    logit = np.array([-700.0, -1.0, 0.0, 3.0, 700.0, 1e300])
    tau = np.array([[1e-3], [1.0], [1e3]])
    assert np.all(binary_gumbel_softmax(logit, tau, 0.0) == 0.0)
    assert np.all(binary_gumbel_softmax(logit, tau, 1.0) == 1.0)
    # ... approached continuously from inside the interval
    x = binary_gumbel_softmax(0.0, 1.0, [5e-324, 1 - 2**-53])
    assert 0 < x[0] < 1e-320 and 1 - 2**-50 < x[1] < 1


def test_tiny_and_huge_temperatures():
    logit = np.array([-1e300, -5.0, 5.0, 1e300])
    assert binary_gumbel_softmax(logit, 1e-300, 0.5).tolist() == [0.0, 0.0, 1.0, 1.0]
    assert binary_gumbel_softmax(logit, 5e-324, 0.5).tolist() == [0.0, 0.0, 1.0, 1.0]
    assert binary_gumbel_softmax(0.0, 5e-324, 0.5) == 0.5
    assert binary_gumbel_softmax(logit[1:3], 1e300, [0.1, 0.9]).tolist() == [0.5, 0.5]
    x = binary_gumbel_softmax(3.0, 1e6, 0.8)
    assert abs(x - 0.5) <= (3.0 + np.log(4)) / 4e6  # |sigmoid(w) - 1/2| <= |w| / 4
    assert np.isfinite(binary_concrete_logpdf([1e-300, 0.5, 1 - 1e-16], 1e3, 1e-3)).all()


def test_categorical_extremes():
    assert gumbel_softmax([[0.0, -np.inf]], 0.5, [[-5.0, np.inf]]).tolist() == [[1.0, 0.0]]
    with pytest.raises(ValueError, match=r"gumbels must not be -inf in every category"):
        gumbel_softmax([[0.0, -np.inf]], 0.5, [[-np.inf, 3.0]])
    assert gumbel_softmax([1e308, -1e308], 1e-300, [0.0, 0.0]).tolist() == [1.0, 0.0]
    x = gumbel_softmax([0.0, 0.0, 0.0], 1.0, [np.inf, np.inf, 1.0])
    assert x.tolist() == [0.5, 0.5, 0.0]


def test_no_nan_anywhere_at_the_extremes():
    grid = [0.0, 5e-324, 1e-300, 0.5, 1 - 2**-53, 1.0]
    for logit in (-np.inf, -1e300, -700.0, 0.0, 700.0, 1e300, np.inf):
        for tau in (5e-324, 1e-300, 1e-3, 1.0, 1e3, 1e300):
            x = binary_gumbel_softmax(logit, tau, grid)
            assert not np.isnan(x).any(), (logit, tau)
            assert not np.isnan(binary_concrete_logpdf(grid, logit, tau)).any(), (logit, tau)
            assert not np.isnan(binary_concrete_cdf(grid, logit, tau)).any(), (logit, tau)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_temperature_near_the_largest_float_gives_the_limits(dtype):
    """As tau -> inf the binary Concrete tends to a point mass at 1/2 for every finite logit,
    while an infinite logit stays a point mass at 0 or 1. At tau within a factor 2 of the
    largest float, tau log(x / (1 - x)) overflows: the CDF and density must still be these
    limits, with no NaN (from inf - inf) and no overflow warning (an error here)."""
    tau = dtype(np.finfo(dtype).max / 2)
    logit = np.array([[-np.inf], [-1e30], [0.0], [1e30], [np.inf]], dtype)
    x = np.array([0.0, 0.1, 0.9, 1.0], dtype)
    cdf = np.where(np.isfinite(logit), x > 0.5, np.where(logit > 0, x == 1, 1.0))
    np.testing.assert_array_equal(binary_concrete_cdf(x, logit, tau), cdf)
    inside = binary_concrete_logpdf(x[1:3], logit, tau)
    assert np.all(inside == -np.inf), inside


@pytest.mark.parametrize(
    "exact",
    [Fraction, lambda q: Decimal(q.numerator) / q.denominator, lambda q: sp.Rational(str(q))],
    ids=["Fraction", "Decimal", "sympy.Rational"],
)
def test_other_python_real_numbers_give_the_float_result(exact):
    """Fraction, Decimal and SymPy rationals are real numbers, read as the nearest float."""
    half, third, quarter = (exact(Fraction(1, d)) for d in (2, 3, 4))
    assert binary_gumbel_softmax(half, third, quarter) == binary_gumbel_softmax(0.5, 1 / 3, 0.25)


@pytest.mark.parametrize("nan", [sp.nan, sp.Float("nan")], ids=["nan", "Float(nan)"])
def test_sympys_nan_is_a_nan_named_by_the_argument(nan):
    """SymPy's nan, which is no extended real, was a TypeError ("must be a real number")
    where Python's NaN is the argument's NaN check."""
    with pytest.raises(ValueError, match=r"^logit must not be NaN; got nan$"):
        binary_gumbel_softmax(nan, 1.0, 0.25)


class _ComplexSymPyLike:
    """A number that is no extended real (as SymPy's ``I * 10**(10**7)``), whose value would
    take long to evaluate: reading its type must not evaluate it."""

    is_number = True
    is_extended_real = False

    def __float__(self):
        raise AssertionError("float() evaluated a complex number to look for NaN")

    __complex__ = __float__


def test_a_complex_number_is_refused_without_evaluating_it():
    """NaN was looked for with float(), which took seconds on SymPy's I * 10**(10**7)."""
    with pytest.raises(TypeError, match=r"^tau must be a real number"):
        binary_gumbel_softmax(0.0, _ComplexSymPyLike(), 0.5)


@pytest.mark.parametrize("sign", [1, -1])
def test_sympys_infinities_are_the_infinite_doubles(sign):
    """SymPy's oo (an extended real, not a real) was a TypeError: as a logit it is now the
    limit that float('inf') gives, and as a temperature the same refusal."""
    assert binary_gumbel_softmax(sign * sp.oo, 1.0, 0.25) == (1.0 if sign > 0 else 0.0)
    with pytest.raises(ValueError, match=r"^tau must be a positive, finite temperature"):
        binary_gumbel_softmax(0.0, sign * sp.oo, 0.25)


@pytest.mark.parametrize("bad", [sp.Symbol("p"), sp.I, sp.Symbol("q", real=True), sp.zoo])
def test_symbolic_input_that_is_not_a_real_number_is_a_type_error(bad):
    with pytest.raises(TypeError, match=r"^p must be a real number"):
        logit_from_probability(bad)


# ---- estimators: reviewed bad input and extremes ----
# (relax_training, binary_toy, rebar, relaxed_moments, statistics, vae_oracle)

from binary_gumbel.estimators import binary_toy, rebar, vae, vae_oracle  # noqa: E402
from binary_gumbel.estimators import relaxed_moments as rm  # noqa: E402
from binary_gumbel.estimators import statistics as estimator_stats  # noqa: E402


@pytest.mark.parametrize("theta0, p0", [(40.0, 1 - 1e-6), (-40.0, 1e-6)])
def test_probability_parameterisation_starts_inside_its_kept_interval(theta0, p0):
    """In the probability parameterisation p is kept in [1e-6, 1 - 1e-6] from the start: a
    theta0 whose sigmoid lies outside starts at the nearer end, not at p = 1 (where the
    estimate g / (p (1 - p)) divides by 0)."""
    run = relax_training.train(
        "REINFORCE", 0.45, rng=0, steps=2, chains=2, batch=2, theta0=theta0,
        parameterisation="probability",
    )  # fmt: skip
    # run.probability is sigmoid(theta) of the recorded logit: p to a few roundings
    eps = np.finfo(float).eps
    np.testing.assert_allclose(run.probability[0], [p0, p0], rtol=4 * eps, atol=0)
    assert np.all(np.isfinite(run.theta)) and np.all(np.isfinite(run.variance))
    p = run.probability
    assert np.all((p >= 1e-6 * (1 - 4 * eps)) & (p <= 1 - 1e-6 + 4 * eps))


def test_probability_parameterisation_keeps_a_theta0_inside_the_interval_exactly():
    run = relax_training.train(
        "REINFORCE", 0.45, rng=0, steps=1, chains=2, batch=2, theta0=2.0,
        parameterisation="probability",
    )  # fmt: skip
    np.testing.assert_array_equal(run.theta[0], [2.0, 2.0])


def test_reinmax_zero_mean_taus_at_theta_zero_is_empty():
    """At theta = 0 no temperature moves s = sigmoid(theta / tau) from 1/2: no root."""
    roots = binary_toy.reinmax_zero_mean_taus(0.0, 0.5)
    assert roots.shape == (0,) and roots.dtype == np.float64
    assert binary_toy.reinmax_zero_mean_taus(-0.0, 0.45).shape == (0,)


@pytest.mark.parametrize("theta", [40.0, -40.0, 20.0])
def test_rebar_grid_where_b_takes_one_value_names_theta(theta):
    """Where every draw has the same b, A is one number and the saving 0 / 0: a ValueError
    naming theta, not NaN or a ZeroDivisionError later."""
    with pytest.raises(ValueError, match=r"^theta = .* b takes one value over the draws"):
        rebar.rebar_variance_grid(theta, 0.45, [1.0], [1.0], n=100, rng=0)


def test_saving_curve_where_p_rounds_to_one_names_theta():
    curve = rebar.saving_curve(40.0, 1.0, n=100, rng=0)
    for call in (
        lambda: curve.saving(0.45), lambda: curve.growth(0.45), lambda: curve.far_limit,
        curve.inflections,
    ):  # fmt: skip
        with pytest.raises(ValueError, match=r"^theta = 40.0 rounds p = sigmoid\(theta\) to 1"):
            call()
    # where p is small but not 0 the saving is defined, and lies in [0, 1]
    saving = rebar.saving_curve(-40.0, 1.0, n=100, rng=0).saving([0.45, 0.5, 3.0])
    assert np.all((saving >= 0) & (saving <= 1)) and saving[1] == 0


def test_saving_curve_where_every_draw_gives_zero_grows_by_zero():
    """At theta = -500 every draw has b = 0 and R1 = R2 = 0: the saving is 1 at every
    t != 1/2 and its growth 0, though pi * delta^4 rounds to 0 (it was 0/0, NaN)."""
    curve = rebar.saving_curve(-500.0, 1.0, n=100, rng=0)
    assert (curve.v11, curve.v12, curve.v22) == (0.0, 0.0, 0.0) and curve.score_variance > 0
    targets = [0.45, 0.5, 3.0, np.inf]
    np.testing.assert_array_equal(curve.growth(targets), 0.0)
    np.testing.assert_array_equal(curve.saving(targets), [1.0, 0.0, 1.0, 1.0])


def test_rebar_grid_needs_a_temperature():
    with pytest.raises(ValueError, match=r"^temperatures must hold at least one temperature"):
        rebar.rebar_variance_grid(0.0, 0.45, [1.0], [], n=100, rng=0)


@pytest.mark.parametrize("temperature", [0.0, -1.0, NAN, np.inf])
def test_temperature_index_names_a_bad_temperature(temperature):
    grid = rebar.rebar_variance_grid(-1.0, 0.45, [1.0], [0.5, 2.0], n=100, rng=0)
    with pytest.raises(ValueError, match=r"^temperature must be a positive, finite temperature"):
        rebar.temperature_index(grid, temperature)
    assert rebar.temperature_index(grid, 2.0) == 1


@pytest.mark.parametrize("fraction", [NAN, np.inf])
def test_first_temperature_saving_names_a_bad_fraction(fraction):
    grid = rebar.rebar_variance_grid(-1.0, 0.45, [1.0], [0.5, 2.0], n=100, rng=0)
    with pytest.raises(ValueError, match=r"^fraction must be finite"):
        rebar.first_temperature_saving(grid, fraction)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rm.relaxed_bias_extremum(-1.0, 0.45, 0.0, 10.0), r"^low must be a positive"),
        (lambda: rm.relaxed_bias_extremum(-1.0, 0.45, 0.1, NAN), r"^high must be a positive"),
        (lambda: rm.relaxed_mean_root(-1.0, 0.45, -1.0, 30.0), r"^low must be a positive"),
        (lambda: rm.relaxed_mean_root(-1.0, 0.45, 1.0, np.inf), r"^high must be a positive"),
        (lambda: rm.straight_through_stationary_point(0.45, 1.0, low=NAN), r"^low must be finite"),
        (lambda: rm.straight_through_stationary_point(0.45, 1.0, high=np.inf), r"^high must be"),
        (lambda: rm.relaxed_objective_minimiser(0.45, 1.0, low=-np.inf), r"^low must be finite"),
    ],
)
def test_relaxed_moments_brackets_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_temperature_sweep_needs_a_temperature():
    with pytest.raises(ValueError, match=r"^taus must hold at least one temperature"):
        estimator_stats.temperature_sweep(["REINFORCE"], 0.0, 0.45, [], 10)


def test_evaluate_bounds_names_a_bad_chunk():
    params = vae.initial_params(2, [0.5, 0.5, 0.5], runs=2, rng=0)
    x = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"^chunk must be >= 1"):
        vae_oracle.evaluate_bounds(params, x, chunk=0)
    with pytest.raises(TypeError, match=r"^chunk must be an integer"):
        vae_oracle.evaluate_bounds(params, x, chunk=1.5)
    whole = vae_oracle.evaluate_bounds(params, x)
    np.testing.assert_array_equal(vae_oracle.evaluate_bounds(params, x, chunk=1)[0], whole[0])


@pytest.mark.parametrize(
    "draw",
    [
        lambda n: demos.logistic_by_inversion(n, rng=0),
        lambda n: demos.gumbel_difference(0.0, 1.0, n, rng=0),
        lambda n: relax_training.estimator_variance(0.0, 0.45, None, n=n, rng=0),
        lambda n: derivation_montecarlo.sample_expression(symbolic.p, {symbolic.p: 0.3}, n),
    ],
    ids=["logistic_by_inversion", "gumbel_difference", "estimator_variance", "sample_expression"],
)
def test_a_sample_size_beyond_any_array_is_refused_by_name(draw):
    """NumPy's own refusal of such a size ("Maximum allowed dimension exceeded") names no
    argument; 2**63 is one more than the most elements a 64-bit array can hold."""
    beyond = int(np.iinfo(np.intp).max) + 1
    with pytest.raises(ValueError, match=rf"^n must be at most {beyond - 1}, the most elements"):
        draw(beyond)
