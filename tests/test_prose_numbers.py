"""The book's number formats (``binary_gumbel.book.prose.numbers``): one rule each."""

from __future__ import annotations

import pytest

from binary_gumbel.book.prose import numbers
from binary_gumbel.book.prose.sparsity import interval_text
from binary_gumbel.verification.montecarlo import Interval


def test_compact_uses_one_rule_for_every_magnitude():
    """Never Python's ``e+03`` nor ``×10⁰``: plain in [0.01, 10⁴), m×10ᵉ outside."""
    cases = {
        2.4: "2.40",
        2664.0: "2664",
        20.31: "20.3",
        0.0123: "0.0123",
        12345.0: "1.23×10⁴",
        0.001234: "1.23×10⁻³",
        -0.5: "−0.500",
        0.0: "0",
    }
    for value, text in cases.items():
        assert numbers.compact(value) == text, value


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.273, "27.3 %"),
        (-0.273, "−27.3 %"),
        (0.05, "5 %"),
        (0.9995, "99.95 %"),
        (1.0005, "100.05 %"),
        (1.0788830, "108 %"),
        (1.0, "100 %"),
        (0.0, "0 %"),
        (12.3, "1230 %"),
        (-123.0, "−1.23×10⁴ %"),
        (1e-9, "1.00×10⁻⁷ %"),
    ],
)
def test_percent_keeps_three_figures_and_tells_a_share_near_one_from_one(x, text):
    """Near 100 % on either side, the decimals that tell it from 100 %; elsewhere, three
    significant figures (a share of 1.079 had read "107.888300 %"), never Python's exponent
    notation; a minus sign."""
    assert numbers.percent(x) == text


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["0.1"], "0.1"), (["0.1", "2"], "0.1 and 2"), (["a", "b", "c"], "a, b and c")],
)
def test_joined_lists_items_in_words(items, text):
    assert numbers.joined(items) == text
    assert numbers.joined(iter(items)) == text


def test_number_and_interval_text_write_minus_signs_not_hyphens():
    assert numbers.number(-1.5) == "−1.50"
    assert numbers.number(2.0, "+.1f") == "+2.0"
    iv = Interval(estimate=-0.0005, low=-0.0012, high=0.0002)
    assert interval_text(iv, ".4f") == "−0.0005 [−0.0012, 0.0002]"


def test_bracketed_writes_a_value_and_its_interval_in_one_format():
    assert numbers.bracketed(-0.25, -0.5, 0.125, "+.2f") == "−0.25 [−0.50, +0.12]"
    assert numbers.bracketed(1.0, 0.5, 2.0) == "1.00 [0.50, 2.00]"
    # a function for the format: compact's rule for each of the three, sign and all
    assert numbers.bracketed(12345.0, -0.001234, 2.4, numbers.compact) == (
        "1.23×10⁴ [−1.23×10⁻³, 2.40]"
    )


@pytest.mark.parametrize(
    ("show", "name"),
    [
        (numbers.scientific, "value"),
        (numbers.compact, "value"),
        (numbers.percent, "x"),
        (numbers.rate_text, "rate"),
        (numbers.rate_percent, "rate"),
    ],
)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_nan_or_an_infinity_is_refused_by_name(show, name, value):
    """A NaN or an infinity gave "not enough values to unpack" (and rate_text(inf) "inf",
    rate_percent(nan) "nan%"): prose shows finite numbers, so it is a bug upstream."""
    with pytest.raises(ValueError, match=f"^{name} must be a finite number to be shown in prose"):
        show(value)


def test_a_value_that_is_not_a_number_is_refused_by_name():
    with pytest.raises(TypeError, match="^value must be a real number; got str"):
        numbers.scientific("1.5")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_number_and_bracketed_refuse_a_nan_or_an_infinity_by_name(value):
    """``number`` printed "nan" and "inf", and ``bracketed`` "nan [0.00, 1.00]"; each end of
    an interval is named."""
    match = "must be a finite number to be shown in prose"
    with pytest.raises(ValueError, match=f"^value {match}"):
        numbers.number(value, "+.3f")
    for position, name in enumerate(("estimate", "low", "high")):
        ends = [0.5, 0.0, 1.0]
        ends[position] = value
        for spec in (".2f", numbers.compact):
            with pytest.raises(ValueError, match=f"^{name} {match}"):
                numbers.bracketed(*ends, spec)


def test_number_and_compact_refuse_what_is_not_a_number_by_name():
    """``None`` met float()'s own message, which names no argument."""
    for show in (numbers.number, numbers.compact):
        with pytest.raises(TypeError, match="^value must be a real number; got NoneType"):
            show(None)
