"""Functions of exact numbers without sympy: rational where sympy finds a rational, else the float
nearest the exact value (sympy's float, off by at most one unit in the last place)."""
from __future__ import annotations

from fractions import Fraction
import math

import mpmath
import numpy as np
import pytest
import sympy

import hamc
from hamc.lowering.functions import exact_value

SYMPY = {"sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "abs": sympy.Abs}
VALUES = [Fraction(0), Fraction(1), Fraction(4), Fraction(9, 16), Fraction(2), Fraction(1, 3), Fraction(-5, 7),
          Fraction(10**20 + 1, 3), Fraction(10**30), Fraction(-1000), Fraction(2**64 + 7, 2**63), Fraction(-3, 2),
          Fraction(10**40, 7**2), Fraction(29681, 11095), Fraction(-545759, 442622)]


@pytest.mark.parametrize("name", sorted(SYMPY))
def test_exact_values_match_sympy(name):
    for x in VALUES:
        if (name == "sqrt" and x < 0) or (name == "log" and x <= 0):
            continue
        expected = SYMPY[name](sympy.Rational(x.numerator, x.denominator))
        got = exact_value(name, x)
        if expected.is_Rational:
            assert got == Fraction(int(expected.p), int(expected.q)) and isinstance(got, Fraction)
            continue
        assert isinstance(got, float)
        with mpmath.workprec(400):      # the float nearest the exact value, and within an ulp of sympy's
            assert got == float(getattr(mpmath, name)(mpmath.mpf(x.numerator) / x.denominator))
        assert got == float(expected) or abs(got - float(expected)) <= math.ulp(got)     # inf: both


def test_a_file_gets_exact_and_rounded_function_values():
    h = hamc.load("real x\nH = sqrt(9/4) * x + exp(0) + cos(0) * x + abs(-2) * x")
    assert h.exact and float(h.evaluate(np.array([[1.0]]))[0]) == 1.5 + 1 + 1 + 2
    h = hamc.load("real x\nH = sqrt(2) * x")
    assert not h.exact and float(h.evaluate(np.array([[1.0]]))[0]) == math.sqrt(2)


@pytest.mark.parametrize("name, x", [
    ("log", 1 + Fraction(1, 10**50)),          # log(1 + 1e-50) = 1e-50, not 0
    ("log", 1 - Fraction(1, 10**30)),          # log(1 - 1e-30): cancellation in the argument
    ("cos", Fraction(1570796326794896619231321691639751442098584699687552910487, 10**57)),   # ~4.7e-58: pi/2
    ("sin", Fraction(31415926535897932384626433832795028841971693993751058209749, 10**58)),  # ~4.5e-59: pi
    ("log", 1 + Fraction(1, 10**300)),         # both 0 at 128 and 256 bits
])
def test_values_near_a_zero_of_the_function_are_the_nearest_float(name, x):
    """Where the value is tiny against the argument (log near 1, sin and cos near their zeros), the argument's
    rounding to the working precision would decide it: the float is still the one nearest the exact value."""
    with mpmath.workprec(4000):
        expected = float(getattr(mpmath, name)(mpmath.mpf(x.numerator) / x.denominator))
    assert expected != 0 and exact_value(name, x) == expected
