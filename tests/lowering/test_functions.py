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
