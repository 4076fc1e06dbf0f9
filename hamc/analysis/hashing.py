"""uint64 arrays -> 64-bit hashes of pairs, and per-owner wrapping sums of hashes (for colour refinement)."""
from __future__ import annotations

import numpy as np

_LOW = np.uint64(0xFFFF_FFFF)


def mix(a, b) -> np.ndarray:
    """A 64-bit hash of the pair (a, b), elementwise (splitmix64 finalizers, wrapping arithmetic)."""
    return _finalize(_finalize(np.atleast_1d(np.asarray(a, np.uint64))) + np.asarray(b, np.uint64))


def mix_gathered(mults: np.ndarray, colors: np.ndarray, index: np.ndarray) -> np.ndarray:
    """mix(mults, colors[index]): hashed once per colour entry and gathered where the multiplicity is 1
    (most entries: a monomial rarely holds a power), hashed per entry elsewhere."""
    out = mix(np.uint64(1), colors)[index]
    other = np.flatnonzero(mults != 1)
    if len(other):
        out[other] = mix(mults[other], colors[index[other]])
    return out


def hash_sum(owner: np.ndarray, n: int, values: np.ndarray) -> np.ndarray:
    """Per owner in [0, n), the wrapping uint64 sum of its entries' values (0 where it has none): two
    float64 bincounts of the 32-bit halves, exact while no owner has 2^21 entries (else a sort)."""
    if len(owner) < 2**21 or np.bincount(owner, minlength=n).max(initial=0) < 2**21:
        low = np.bincount(owner, weights=(values & _LOW).astype(np.float64), minlength=n)
        high = np.bincount(owner, weights=(values >> np.uint64(32)).astype(np.float64), minlength=n)
        return low.astype(np.uint64) + (high.astype(np.uint64) << np.uint64(32))
    order = np.argsort(owner, kind="stable")
    owners = owner[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    out = np.zeros(n, np.uint64)
    out[owners[starts]] = np.add.reduceat(values[order], starts)
    return out


def _finalize(z: np.ndarray) -> np.ndarray:
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
