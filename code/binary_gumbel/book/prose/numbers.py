"""Numbers as the prose shows them: scientific notation, percentages, false-alarm rates."""

from __future__ import annotations

import math

from binary_gumbel.verification.printing import SUPERSCRIPTS

__all__ = [
    "percent",
    "rate_text",
    "scientific",
]


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as ``m×10ᵉ`` with ``digits`` decimals in ``m`` (a minus sign, not a hyphen)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa.replace('-', '−')}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def percent(x: float) -> str:
    """``x`` as a percentage, with enough decimals to tell it from 100 % when it is close."""
    if x < 0.99:
        return f"{100 * x:.3g} %"
    decimals = min(6, max(1, math.ceil(-math.log10(max(1 - x, 1e-12))) - 2))
    return f"{100 * x:.{decimals}f} %"


def rate_text(rate: float) -> str:
    """A false-alarm rate with one significant digit, as the book writes powers: ``10⁻⁶`` for a
    power of ten, ``6×10⁻⁶`` otherwise."""
    mantissa, exponent = f"{rate:.0e}".split("e")
    power = f"10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return power if mantissa == "1" else f"{mantissa}×{power}"
