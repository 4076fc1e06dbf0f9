"""The size limits of exact coefficients, and the int64 overflow checks that decide where Python ints take over."""
from __future__ import annotations

import math

import numpy as np

from ..errors import HamcError

# The int64 representation keeps |num| and den below 2^62. Every int64 operation first bounds its
# result in float64, against this limit: float rounding cannot hide a factor of 2 from 2^63.
_LIMIT = 2**62
_FLOAT_LIMIT = float(_LIMIT)
# Exact values beyond this many bits (numerator or denominator) are refused rather than computed:
# 10^(10^10) must not run for hours, and float64 could not hold such a number anyway.
MAX_EXACT_BITS = 1 << 14
# ... and object arrays of big integers stay below this many bits in all (128 MiB).
_MAX_TOTAL_BITS = 1 << 30


class ExactTooLarge(HamcError):
    """An exact coefficient would need more than MAX_EXACT_BITS bits."""

    def __init__(self, message: str = ""):
        super().__init__(message or f"this number is too large to keep exact (its numerator or denominator "
                         f"would need more than {MAX_EXACT_BITS:,} bits, about "
                         f"{int(MAX_EXACT_BITS * math.log10(2)):,} digits)")


def _int64_group_plan(num, den, starts, sizes):
    """Per group: whether its sum is safe in int64, its common denominator, and each element's
    factor to that denominator (the lcm of a group's denominators, where it surely fits)."""
    lcm_fits = True
    if den.max() == 1:
        common, scale = np.ones(len(starts), np.int64), 1
    else:
        top = np.maximum.reduceat(den, starts)
        top_each = np.repeat(top, sizes)
        if not (top_each % den).any():          # as a rule every denominator divides the largest
            common = top
        else:
            # lcm(d_1..d_k) <= top * prod(d_i / gcd(d_i, top)): compute it only where that fits
            extra = den // np.gcd(den, top_each)
            log_bound = np.log2(top.astype(np.float64)) + np.add.reduceat(np.log2(extra.astype(np.float64)), starts)
            lcm_fits = log_bound < math.log2(_FLOAT_LIMIT) - 0.01
            den = np.where(np.repeat(lcm_fits, sizes), den, 1)
            common = np.where(lcm_fits, np.lcm.reduceat(den, starts), 1)
        scale = np.repeat(common, sizes) // den
    # the sum of a group's |scaled numerators| bounds every partial sum int64 will hold
    if float(np.abs(num).max()) * float(np.max(scale)) * float(sizes.max()) < _FLOAT_LIMIT:
        magnitude_fits = True
    else:
        magnitude_fits = np.add.reduceat(np.abs(num.astype(np.float64)) * scale, starts) < _FLOAT_LIMIT
    return np.broadcast_to(lcm_fits & magnitude_fits, (len(starts),)), common, scale


def _starts(sizes: np.ndarray) -> np.ndarray:
    return np.cumsum(sizes) - sizes


def _ratio(n: int, d: int) -> float:
    """n/d correctly rounded; beyond float64's range, +-inf (the caller refuses those)."""
    try:
        return n / d
    except OverflowError:
        return math.inf if n > 0 else -math.inf


def _wide(a: np.ndarray) -> np.ndarray:
    return a if a.dtype == object else a.astype(object)


def _check_bits(widest: int) -> None:
    if widest > MAX_EXACT_BITS:
        raise ExactTooLarge()
