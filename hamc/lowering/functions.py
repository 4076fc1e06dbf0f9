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
    import mpmath
    with mpmath.workprec(_PRECISION + max(0, x.numerator.bit_length() - x.denominator.bit_length())):
        return float(getattr(mpmath, name)(mpmath.mpf(x.numerator) / x.denominator))
