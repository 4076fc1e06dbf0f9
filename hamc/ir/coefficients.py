"""Coefficient vectors that stay exact rationals: int64 numerator/denominator while they fit, Python
ints (object arrays) where int64 would overflow, float64 only where the source holds a float."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sys
from collections.abc import Mapping

import numpy as np

from ..errors import Span
from .exact_limits import (_FLOAT_LIMIT, _LIMIT, _MAX_TOTAL_BITS, MAX_EXACT_BITS, ExactTooLarge, _check_bits,
                           _int64_group_plan, _ratio, _starts, _wide)


@dataclass(frozen=True)
class Origin:
    """Where a floating-point value came from: the declaration or call in the source that made it."""

    what: str                  # e.g. 'param J = load("J.npy")' or 'sqrt(...)'
    span: Span | None
    filename: str

    def __str__(self) -> str:
        where = f"{self.filename}:{self.span.line}:{self.span.col}" if self.span else self.filename
        return f"{self.what} at {where}"


@dataclass(frozen=True)
class Coefficients:
    """A vector of coefficients: exact (num/den, den > 0, reduced) when `den` is not None, else float.

    Exact vectors are int64 arrays, or object arrays of Python ints (`wide`) when some element does
    not fit in int64. Float vectors carry the `origin` of the first float that went into them."""

    num: np.ndarray            # int64 or object when exact, float64 otherwise
    den: np.ndarray | None     # int64 or object, or None for float coefficients
    origin: Origin | None = None

    # construction ----------------------------------------------------------------------
    @staticmethod
    def of(value, size: int = 1, origin: Origin | None = None) -> "Coefficients":
        """A constant (int, Fraction, sympy number or float) repeated `size` times."""
        rational = _is_sympy_rational(value)
        if (rational or isinstance(value, (Fraction, int, np.integer))) and not isinstance(value, bool):
            frac = Fraction(int(value.p), int(value.q)) if rational else Fraction(value)
            if abs(frac.numerator) < _LIMIT and frac.denominator < _LIMIT:
                return Coefficients(np.full(size, frac.numerator, np.int64), np.full(size, frac.denominator, np.int64))
            _check_bits(max(abs(frac.numerator), frac.denominator).bit_length())   # one shared object
            return Coefficients(np.full(size, frac.numerator, object), np.full(size, frac.denominator, object))
        return Coefficients(np.full(size, float(value)), None, origin)

    @staticmethod
    def from_array(values: np.ndarray, origin: Origin | None = None) -> "Coefficients":
        if np.issubdtype(values.dtype, np.integer) or values.dtype == bool:
            if len(values) == 0 or np.abs(values.astype(np.float64)).max() < _FLOAT_LIMIT:
                return Coefficients(values.astype(np.int64), np.ones(len(values), np.int64))
            return _demoted(values.astype(object), np.ones(len(values), object))
        return Coefficients(values.astype(np.float64), None, origin)

    @staticmethod
    def concat(parts: list["Coefficients"]) -> "Coefficients":
        if all(p.exact for p in parts):
            if any(p.wide for p in parts):
                return _demoted(*(np.concatenate([_wide(getattr(p, a)) for p in parts]) for a in ("num", "den")))
            return Coefficients(np.concatenate([p.num for p in parts]), np.concatenate([p.den for p in parts]))
        return Coefficients(np.concatenate([p.as_float() for p in parts]), None, _first_origin(*parts))

    # queries ---------------------------------------------------------------------------
    @property
    def exact(self) -> bool:
        return self.den is not None

    @property
    def wide(self) -> bool:
        """Exact, held as Python ints because some element does not fit in int64."""
        return self.den is not None and self.num.dtype == object

    def __len__(self) -> int:
        return len(self.num)

    def as_float(self) -> np.ndarray:
        if not self.exact:
            return self.num
        if not self.wide:
            return self.num / self.den
        return np.fromiter((_ratio(n, d) for n, d in zip(self.num, self.den)), np.float64, len(self.num))

    def nonzero(self) -> np.ndarray:
        return np.asarray(self.num != 0, bool)

    def is_integer(self) -> np.ndarray:
        return np.asarray(self.den == 1, bool) if self.exact else self.num == np.round(self.num)

    def scalar(self, k: int = 0):
        """Element k as an exact sympy Rational, or a Python float."""
        if self.exact:
            from sympy import Rational          # imported here: loading a file needs no sympy
            return Rational(int(self.num[k]), int(self.den[k]))
        return float(self.num[k])

    # arithmetic ------------------------------------------------------------------------
    def take(self, index) -> "Coefficients":
        if self.wide:
            return _demoted(self.num[index], self.den[index])
        return Coefficients(self.num[index], None if self.den is None else self.den[index], self.origin)

    def scatter(self, rows: np.ndarray, size: int) -> "Coefficients":
        """A vector of `size` zeros with this one's elements placed at `rows`."""
        num = np.zeros(size, self.num.dtype)
        num[rows] = self.num
        if not self.exact:
            return Coefficients(num, None, self.origin)
        den = np.ones(size, self.den.dtype)
        den[rows] = self.den
        return Coefficients(num, den)

    def __neg__(self) -> "Coefficients":
        return Coefficients(-self.num, self.den, self.origin)

    def __mul__(self, other: "Coefficients") -> "Coefficients":
        if not (self.exact and other.exact):
            return Coefficients(self.as_float() * other.as_float(), None, _first_origin(self, other))
        if self.wide or other.wide:
            return _reduced_wide(_wide(self.num) * _wide(other.num), _wide(self.den) * _wide(other.den))
        fits = ((np.abs(self.num.astype(np.float64)) * np.abs(other.num) < _FLOAT_LIMIT)
                & (self.den.astype(np.float64) * other.den < _FLOAT_LIMIT))
        if fits.all():
            return _reduced(self.num * other.num, self.den * other.den)
        # only the elements that would overflow are multiplied as Python ints
        small, big = np.flatnonzero(fits), np.flatnonzero(~fits)
        fast = _reduced(self.num[small] * other.num[small], self.den[small] * other.den[small])
        slow = _reduced_wide(_wide(self.num[big]) * _wide(other.num[big]), _wide(self.den[big]) * _wide(other.den[big]))
        return _merged(len(fits), small, fast, big, slow)

    def reciprocal(self) -> "Coefficients":
        """1/c elementwise; the caller has checked that no element is zero."""
        if self.exact:
            return Coefficients(np.where(self.num < 0, -self.den, self.den), np.abs(self.num))
        return Coefficients(1.0 / self.num, None, self.origin)

    def power(self, k: int) -> "Coefficients":
        base = self if k >= 0 else self.reciprocal()
        k = abs(k)
        if base.exact and len(base) and k > 1:
            top = max(int(np.abs(base.num).max()), int(base.den.max()))
            if top > 1 and math.log2(top) * k > MAX_EXACT_BITS:
                if math.log2(max(np.abs(base.as_float()).max(), 1e-300)) * k > 1024:
                    raise ExactTooLarge("this number is too large for floating point (overflow)")
                raise ExactTooLarge()
            if (base.num == base.num[0]).all() and (base.den == base.den[0]).all():
                # one number repeated on every row (a constant in a sum): raise it once
                return Coefficients.of(Fraction(int(base.num[0]), int(base.den[0])) ** k, len(base))
        out = Coefficients.of(1, len(self))
        while k:                    # square and multiply: 3^(3^27) must not loop 3^27 times
            if k & 1:
                out = out * base
            k >>= 1
            if k:
                base = base * base
        return out

    def sum_runs(self, groups: np.ndarray, starts: np.ndarray) -> "Coefficients":
        """Sums over runs: `groups` orders the elements so that each group is contiguous from `starts`."""
        if len(starts) == len(groups):      # one element per group (no like terms): nothing to add
            return self.take(groups)
        if not self.exact:
            return Coefficients(np.add.reduceat(self.num[groups], starts), None, self.origin)
        num, den = self.num[groups], self.den[groups]
        sizes = np.diff(np.append(starts, len(groups)))
        if self.wide:
            return _sum_runs_wide(num, den, starts, sizes)
        fits, common, scale = _int64_group_plan(num, den, starts, sizes)
        scaled = num * scale
        if fits.all():
            return _reduced(np.add.reduceat(scaled, starts), common)
        # groups whose sum could overflow int64 are summed as Python ints, the others in int64
        small, big = np.flatnonzero(fits), np.flatnonzero(~fits)
        in_small = np.repeat(fits, sizes)
        fast = _reduced(np.add.reduceat(scaled[in_small], _starts(sizes[small])) if len(small) else num[:0],
                        common[small])
        slow = _sum_runs_wide(num[~in_small], den[~in_small], _starts(sizes[big]), sizes[big])
        return _merged(len(starts), small, fast, big, slow)



def _sum_runs_wide(num, den, starts, sizes) -> Coefficients:
    num, den = _wide(num), _wide(den)
    common = np.lcm.reduceat(den, starts)
    return _reduced_wide(np.add.reduceat(num * (np.repeat(common, sizes) // den), starts), common)



def _first_origin(*parts: Coefficients) -> Origin | None:
    return next((p.origin for p in parts if p.origin is not None), None)






def _reduced(num: np.ndarray, den: np.ndarray) -> Coefficients:
    if len(den) == 0 or den.max() == 1:
        return Coefficients(num, den)
    g = np.gcd(num, den)
    g[g == 0] = 1
    return Coefficients(num // g, den // g)


def _reduced_wide(num: np.ndarray, den: np.ndarray) -> Coefficients:
    """Python-int num/den -> lowest terms, back to int64 if every element fits."""
    if len(den):
        g = np.gcd(num, den)
        num, den = num // g, den // g
    return _demoted(num, den)


def _demoted(num: np.ndarray, den: np.ndarray) -> Coefficients:
    """Object arrays of Python ints (reduced) -> int64 where all fit, else checked for size."""
    top = max(int(np.abs(num).max()), int(den.max())) if len(num) else 0
    if top < _LIMIT:
        return Coefficients(num.astype(np.int64), den.astype(np.int64))
    _check_bits(top.bit_length())
    if top.bit_length() * len(num) > _MAX_TOTAL_BITS:
        # big numbers are few as a rule: count every element's bits only when the crude bound fails
        if sum(max(abs(int(n)), int(d)).bit_length() for n, d in zip(num, den)) > _MAX_TOTAL_BITS:
            raise ExactTooLarge()
    return Coefficients(num, den)


def _merged(size: int, small: np.ndarray, fast: Coefficients, big: np.ndarray, slow: Coefficients) -> Coefficients:
    """Elements `small` from `fast` and `big` from `slow`, in one vector (int64 if both are)."""
    dtype = object if slow.wide else np.int64
    num, den = np.empty(size, dtype), np.empty(size, dtype)
    num[small], den[small] = fast.num, fast.den
    num[big], den[big] = slow.num, slow.den
    return Coefficients(num, den)


def compare(a: Coefficients, op: str, b: Coefficients) -> np.ndarray:
    """Elementwise comparison, exact when both sides are."""
    if a.exact and b.exact:
        if a.wide or b.wide or max(np.abs(a.num.astype(np.float64) * b.den).max(initial=0),
                                   np.abs(b.num.astype(np.float64) * a.den).max(initial=0)) >= _FLOAT_LIMIT:
            left, right = _wide(a.num) * _wide(b.den), _wide(b.num) * _wide(a.den)
        else:
            left, right = a.num * b.den, b.num * a.den
    else:
        left, right = a.as_float(), b.as_float()
    return np.asarray({"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
                       "==": np.equal, "!=": np.not_equal}[op](left, right), bool)


def _is_sympy_rational(value) -> bool:
    """Whether value is a sympy Rational, without importing sympy (no sympy object exists before)."""
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(value, sympy.Rational)


class ScalarParams(Mapping):
    """name -> value (sympy Rational or float) of a file's parameters, converted when read."""

    def __init__(self, scalars: dict):
        self._scalars = dict(scalars)

    def __getitem__(self, name: str):
        return self._scalars[name].scalar()

    def __iter__(self):
        return iter(self._scalars)

    def __len__(self) -> int:
        return len(self._scalars)

    def __repr__(self) -> str:
        return repr(dict(self))
