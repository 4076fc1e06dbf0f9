"""sympy expression -> Terms: a sympy tree multiplied out with the .ham lowering's arithmetic."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy

from ..errors import HamcError
from ..ir.coefficients import Coefficients, Origin
from ..ir.domain import Domain
from ..ir.terms import Terms, TooManyTerms, add, combine, multiply, power_count, power_work

SOURCE = "<sympy>"          # the file name of errors about an expression given to the API
_ORIGIN = Origin("an irrational coefficient (rounded to float64)", None, SOURCE)


def fail(message: str) -> HamcError:
    return HamcError(message, filename=SOURCE)


def exact(e):
    """A sympy number as an exact rational where it is one; a float as the decimal it prints as (0.1 is
    1/10), as a .ham file reads the literal 0.1."""
    if isinstance(e, sympy.Float) and math.isfinite(float(e)):
        return sympy.Rational(Fraction(repr(float(e))).numerator, Fraction(repr(float(e))).denominator)
    return e


class Walk:
    """sympy tree -> Terms (one row), multiplied out with the .ham lowering's arithmetic (x^2 = x for
    bits, s^2 = 1 for spins), so both routes give the same polynomial."""

    def __init__(self, arrays: dict, domains: np.ndarray, max_terms: int):
        self.arrays, self.domains, self.limit = arrays, domains, max_terms
        self.rows = np.zeros(1, np.int64)

    def terms(self, e) -> Terms:
        if e.is_number:
            return Terms.constant(self.number(e), self.rows)
        if isinstance(e, sympy.Symbol):
            return Terms.variable(np.array([self.arrays[e.name].offset]), self.rows)
        if isinstance(e, sympy.Indexed):
            return Terms.variable(np.array([self.element(e)]), self.rows)
        if isinstance(e, sympy.Add):
            monomials = [m for m in map(self.monomial, e.args) if m is not None]
            others = [self.terms(a) for a in e.args if self.monomial(a) is None]
            return combine(add(others + ([self.stacked(monomials)] if monomials else [])))
        if isinstance(e, sympy.Mul):
            out = self.terms(e.args[0])
            for a in e.args[1:]:
                out = multiply(out, self.terms(a), 1, self.domains, self.limit)
            return out
        if isinstance(e, sympy.Pow):
            return self.power(e)
        raise fail(f"{e} is not a polynomial (hamc compiles sums of products of variables)")

    def monomial(self, e):
        """(coefficient, variable indices) of a number times powers of variables, or None: the sums
        of thousands of such terms a sympy user builds are read without multiplying term by term."""
        coef, index = sympy.Integer(1), []
        for factor in sympy.Mul.make_args(e):
            base, k = (factor.base, factor.exp) if isinstance(factor, sympy.Pow) else (factor, sympy.Integer(1))
            if factor.is_number:
                coef *= factor
            elif isinstance(base, (sympy.Symbol, sympy.Indexed)) and k.is_Integer and k > 0:
                flat = self.element(base) if isinstance(base, sympy.Indexed) else self.arrays[base.name].offset
                domain = self.domains[flat]
                index += [flat] * (int(k) if domain == Domain.REAL else 1 if domain == Domain.BIT else int(k) % 2)
            else:
                return None
        return coef, sorted(index)

    def stacked(self, monomials: list) -> Terms:
        """One Terms of (coefficient, sorted indices) pairs, like indices combined as x^2 = x, s^2 = 1."""
        width = max(len(v) for _, v in monomials)
        vars_ = np.array([[-1] * (width - len(v)) + v for _, v in monomials], np.int64).reshape(len(monomials), width)
        coef = Coefficients.concat([self.number(c) for c, _ in monomials])
        return Terms(np.zeros(len(monomials), np.int64), vars_, coef)

    def number(self, e) -> Coefficients:
        if isinstance(e, (sympy.Rational, sympy.Float)):
            return Coefficients.of(exact(e))
        value = complex(e.evalf())
        if value.imag or not math.isfinite(value.real):
            raise fail(f"the coefficient {e} is not a finite real number")
        return Coefficients.of(value.real, origin=_ORIGIN)

    def power(self, e: sympy.Pow) -> Terms:
        k = e.exp
        if not k.is_Integer:
            what = "a floating-point" if k.is_Float else "a symbolic" if not k.is_number else "a fractional"
            shown = repr(float(k)) if k.is_Float else str(k)
            hint = f"; write {e.base}**{int(k)}" if k.is_Float and float(k).is_integer() else ""
            raise fail(f"{e.base}**{shown} has {what} exponent: a polynomial takes whole-number powers of "
                        f"variables{hint}")
        if k < 0:
            raise fail(f"{e} has a negative exponent: a variable in a denominator is not a polynomial")
        base, out = self.terms(e.base), Terms.constant(Coefficients.of(1), self.rows)
        k = int(k)
        self._check_power(e, base, k)
        while k:            # square and multiply
            if k & 1:
                out = multiply(out, base, 1, self.domains, self.limit)
            k >>= 1
            if k:
                base = multiply(base, base, 1, self.domains, self.limit)
        return out

    def _check_power(self, e: sympy.Pow, base: Terms, k: int) -> None:
        """Refuse before expanding, as the .ham lowering does: the terms of a power of a sum and the
        indices written on the way to them, the degree of a power of a monomial of real variables."""
        if len(base.rows) > 1:
            estimate = power_count(base, k, 1)
            if estimate > self.limit:
                raise TooManyTerms(estimate, self.limit)
            if power_work(base, k, 1, self.limit) > self.limit:
                raise fail(f"expanding ({e.base})**{k} writes more than {self.limit:,} variable indices (the limit) "
                            f"on the way to its {estimate:,} terms; raise the limit with max_terms=")
        elif (self.domains[base.vars[base.vars >= 0]] == Domain.REAL).any() and k * base.width > self.limit:
            raise fail(f"{e} has degree {k * base.width:,} (limit {self.limit:,}); raise the limit with max_terms=")

    def element(self, e: sympy.Indexed) -> int:
        a = self.arrays[str(e.base.label)]
        if len(e.indices) != len(a.shape) or not all(i.is_Integer for i in e.indices):
            raise fail(f"{e}: index an array with {len(a.shape)} whole number(s) (Sum limits must be numbers)")
        index = tuple(int(i) for i in e.indices)
        if any(not 0 <= i < n for i, n in zip(index, a.shape)):
            raise fail(f"{e} is outside '{a.name}' of shape {a.shape}; write Mod(i + 1, n) for a periodic neighbour")
        return a.offset + int(np.ravel_multi_index(index, a.shape))
