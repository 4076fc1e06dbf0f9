"""Coefficient arrays that stay exact rationals (int64 numerator/denominator) until they cannot."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

# Exact arithmetic falls back to float64 beyond this magnitude rather than overflow int64.
_EXACT_LIMIT = float(2**62)


@dataclass(frozen=True)
class Coefficients:
    """A vector of coefficients: exact (num/den, den > 0, reduced) when `den` is not None, else float."""

    num: np.ndarray            # int64 when exact, float64 otherwise
    den: np.ndarray | None     # int64, or None for float coefficients

    # construction ----------------------------------------------------------------------
    @staticmethod
    def of(value, size: int = 1) -> "Coefficients":
        """A constant (int, Fraction, sympy number or float) repeated `size` times."""
        if isinstance(value, (sympy.Rational, Fraction, int, np.integer)) and not isinstance(value, bool):
            frac = Fraction(int(value.p), int(value.q)) if isinstance(value, sympy.Rational) else Fraction(value)
            if abs(frac.numerator) < _EXACT_LIMIT and frac.denominator < _EXACT_LIMIT:
                return Coefficients(np.full(size, frac.numerator, np.int64), np.full(size, frac.denominator, np.int64))
        return Coefficients(np.full(size, float(value)), None)

    @staticmethod
    def from_array(values: np.ndarray) -> "Coefficients":
        if np.issubdtype(values.dtype, np.integer) or values.dtype == bool:
            return Coefficients(values.astype(np.int64), np.ones(len(values), np.int64))
        return Coefficients(values.astype(np.float64), None)

    @staticmethod
    def concat(parts: list["Coefficients"]) -> "Coefficients":
        if all(p.exact for p in parts):
            return Coefficients(np.concatenate([p.num for p in parts]), np.concatenate([p.den for p in parts]))
        return Coefficients(np.concatenate([p.as_float() for p in parts]), None)

    # queries ---------------------------------------------------------------------------
    @property
    def exact(self) -> bool:
        return self.den is not None

    def __len__(self) -> int:
        return len(self.num)

    def as_float(self) -> np.ndarray:
        return self.num / self.den if self.exact else self.num

    def nonzero(self) -> np.ndarray:
        return self.num != 0

    def is_integer(self) -> np.ndarray:
        return self.den == 1 if self.exact else self.num == np.round(self.num)

    def scalar(self, k: int = 0):
        """Element k as an exact sympy Rational, or a Python float."""
        if self.exact:
            return sympy.Rational(int(self.num[k]), int(self.den[k]))
        return float(self.num[k])

    # arithmetic ------------------------------------------------------------------------
    def take(self, index) -> "Coefficients":
        return Coefficients(self.num[index], None if self.den is None else self.den[index])

    def __neg__(self) -> "Coefficients":
        return Coefficients(-self.num, self.den)

    def __mul__(self, other: "Coefficients") -> "Coefficients":
        if self.exact and other.exact:
            num = self.num.astype(np.float64) * other.num
            den = self.den.astype(np.float64) * other.den
            if len(num) == 0 or (np.abs(num).max() < _EXACT_LIMIT and den.max() < _EXACT_LIMIT):
                return _reduced(self.num * other.num, self.den * other.den)
        return Coefficients(self.as_float() * other.as_float(), None)

    def reciprocal(self) -> "Coefficients":
        """1/c elementwise; the caller has checked that no element is zero."""
        if self.exact:
            sign = np.sign(self.num)
            return Coefficients(self.den * sign, np.abs(self.num))
        return Coefficients(1.0 / self.num, None)

    def power(self, k: int) -> "Coefficients":
        out = Coefficients.of(1, len(self))
        base = self if k >= 0 else self.reciprocal()
        k = abs(k)
        while k:                    # square and multiply: 3^(3^27) must not loop 3^27 times
            if k & 1:
                out = out * base
            k >>= 1
            if k:
                base = base * base
        return out

    def group_sum(self, groups: np.ndarray, starts: np.ndarray) -> "Coefficients":
        """Sums over runs: `groups` orders the elements so that each group is contiguous from `starts`."""
        if self.exact and len(groups):
            num, den = self.num[groups], self.den[groups]
            # the product of a group's denominators bounds their lcm: if it fits, so does the lcm
            widest = np.exp(np.add.reduceat(np.log(den.astype(np.float64)), starts)).max()
            if widest < _EXACT_LIMIT:
                common = np.lcm.reduceat(den, starts) if den.max() > 1 else np.ones(len(starts), np.int64)
                scale = np.repeat(common, np.diff(np.append(starts, len(groups)))) // den
                scaled = num.astype(np.float64) * scale
                if np.abs(scaled).max() * 1.0 < _EXACT_LIMIT / max(len(groups), 1):
                    return _reduced(np.add.reduceat(num * scale, starts), common)
        values = self.as_float()[groups]
        return Coefficients(np.add.reduceat(values, starts) if len(groups) else values, None)


def _reduced(num: np.ndarray, den: np.ndarray) -> Coefficients:
    if len(den) == 0 or den.max() == 1:
        return Coefficients(num, den)
    g = np.gcd(num, den)
    g[g == 0] = 1
    return Coefficients(num // g, den // g)


def compare(a: Coefficients, op: str, b: Coefficients) -> np.ndarray:
    """Elementwise comparison, exact when both sides are."""
    fits = a.exact and b.exact and max(np.abs(a.num.astype(np.float64) * b.den).max(initial=0),
                                         np.abs(b.num.astype(np.float64) * a.den).max(initial=0)) < _EXACT_LIMIT
    if fits:
        left, right = a.num * b.den, b.num * a.den
    else:
        left, right = a.as_float(), b.as_float()
    return {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}[op](left, right)
