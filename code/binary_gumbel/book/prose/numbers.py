"""Numbers as the prose shows them: scientific notation, compact magnitudes, percentages,
false-alarm rates (as powers of ten and in percent), and a list of them in words.

The prose shows finite numbers: a NaN or an infinity reaching any writer here is a bug
upstream, refused with a ``ValueError`` naming the argument (``estimate``, ``low`` or ``high``
for :func:`bracketed`), and what is not a real number with a ``TypeError``.
"""

from __future__ import annotations

import math

from binary_gumbel.verification.printing import SUPERSCRIPTS

__all__ = [
    "bracketed",
    "compact",
    "joined",
    "number",
    "percent",
    "rate_percent",
    "rate_text",
    "scientific",
]


def _check_shown(value, name: str) -> None:
    """Refuse a ``value`` the prose cannot show: ``TypeError`` for what is not a real number,
    ``ValueError`` for a NaN or an infinity, each naming ``name``."""
    try:
        finite = math.isfinite(value)
    except TypeError:
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}") from None
    if not finite:
        raise ValueError(f"{name} must be a finite number to be shown in prose; got {value!r}")


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as ``m×10ᵉ`` with ``digits`` decimals in ``m`` (a minus sign, not a hyphen)."""
    _check_shown(value, "value")
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa.replace('-', '−')}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def percent(x: float) -> str:
    """``x`` as a percentage: three significant figures (as :func:`compact` outside 0.01 %
    to 1,000 %) or, within one percentage point of 100 %, enough decimals (one to six) to
    tell it from 100 %; a minus sign (U+2212)."""
    _check_shown(x, "x")
    gap = abs(1 - x)
    if gap == 0:
        return "100 %"
    if gap < 0.01:
        decimals = min(6, max(1, math.ceil(-math.log10(gap)) - 2))
        return f"{number(100 * x, f'.{decimals}f')} %"
    if 0.01 <= abs(100 * x) < 1000:
        return f"{number(100 * x, '.3g')} %"
    return f"{compact(100 * x)} %"


def rate_text(rate: float) -> str:
    """A small probability (a false-alarm rate) as the book writes it: ``10⁻⁶`` for a power of
    ten, ``9×10⁻⁶`` or ``1.2×10⁻⁵`` otherwise (two significant figures, no trailing zero), and
    from ``10⁻³`` on plainly, ``0.05``."""
    _check_shown(rate, "rate")
    if rate >= 1e-3:
        return f"{rate:g}"
    mantissa, exponent = f"{rate:.1e}".split("e")
    power = f"10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    mantissa = mantissa.removesuffix(".0")
    return power if mantissa == "1" else f"{mantissa}×{power}"


def rate_percent(rate: float) -> str:
    """A false-alarm rate in percent, as the Bonferroni sentences write it: ``5%``, ``65%``,
    ``0.5%`` (three significant figures, no trailing zero); below ``10⁻⁴``, where a percentage
    would need leading zeros, by :func:`rate_text` (``6×10⁻⁶``). A rate above 0 never reads
    ``0%``."""
    _check_shown(rate, "rate")
    if rate < 1e-4:
        return rate_text(rate)
    return f"{number(100 * rate, '.3g')}%"


def number(value: float, spec: str = ".2f") -> str:
    """``value`` formatted by ``spec``, with a minus sign (U+2212) rather than a hyphen."""
    _check_shown(value, "value")
    return format(float(value), spec).replace("-", "−")


def compact(value: float) -> str:
    """At least three significant figures: plain from 0.01 to below 10⁴, ``m×10ᵉ`` outside.

    One rule for every column of magnitudes, with a minus sign (U+2212).
    """
    _check_shown(value, "value")
    v = float(value)
    if v == 0:
        return "0"
    if 0.01 <= abs(v) < 1e4:
        decimals = max(0, 2 - math.floor(math.log10(abs(v))))
        return number(v, f".{decimals}f")
    return scientific(v, 2)


def bracketed(estimate: float, low: float, high: float, spec=".2f") -> str:
    """``"estimate [low, high]"``, a value and its interval, each written by :func:`number`
    with the format ``spec``, or by ``spec`` itself when it is a function (:func:`compact`)."""
    for name, value in (("estimate", estimate), ("low", low), ("high", high)):
        _check_shown(value, name)
    show = spec if callable(spec) else (lambda value: number(value, spec))
    return f"{show(estimate)} [{show(low)}, {show(high)}]"


def joined(items) -> str:
    """``items`` (strings) in words: ``"a"``, ``"a and b"``, ``"a, b and c"``; ``""`` for none."""
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)
