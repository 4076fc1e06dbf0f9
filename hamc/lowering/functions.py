"""A function of an exact rational -> its value: a Fraction where that is rational, else the nearest float."""
from __future__ import annotations

from fractions import Fraction
import math

# bits of working precision beyond the argument's integer part (which sin and cos reduce by 2 pi):
# the value is then rounded once, to the float nearest the exact one
_PRECISION = 128


def exact_value(name: str, x: Fraction) -> Fraction | float:
    """sqrt, exp, log, sin, cos or abs of x (sqrt of x >= 0, log of x > 0: checked by the caller).
    Rational exactly where the value is (a square's root, exp(0), log(1), sin(0), cos(0), any abs):
    elsewhere it is irrational (Lindemann, Niven), so the float is all there is. mpmath, not sympy:
    importing sympy takes a second, longer than loading most files."""
    if name == "abs":
        return abs(x)
    if name == "sqrt":
        top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if top * top == x.numerator and bottom * bottom == x.denominator:
            return Fraction(top, bottom)
    if x == 0 and name in ("exp", "cos", "sin"):
        return Fraction(int(name != "sin"))
    if x == 1 and name == "log":
        return Fraction(0)
    return _nearest_float(name, x)


def _nearest_float(name: str, x: Fraction) -> float:
    """The value rounded to float, at a precision that doubles while the argument's own rounding (off by
    |x| 2^-bits, which log, sin and cos carry over to their value at most unchanged) could reach the
    value's leading 64 bits: near a zero (log near 1, sin and cos near k pi / 2) that decides them. A
    rational with b bits is at least 2^-8b from such a zero (pi's irrationality measure is below 8)."""
    import mpmath
    magnitude = max(0, x.numerator.bit_length() - x.denominator.bit_length())     # log2 |x|, rounded up
    limit = _PRECISION + 8 * (x.numerator.bit_length() + x.denominator.bit_length())
    bits = _PRECISION + magnitude
    while True:
        with mpmath.workprec(bits):
            value = float(getattr(mpmath, name)(mpmath.mpf(x.numerator) / x.denominator))
        if name in ("exp", "sqrt") or bits > limit or (value != 0 and math.log2(abs(value)) > 64 + magnitude - bits):
            return value
        bits *= 2
