"""uint64 arrays -> 64-bit hashes of pairs, and per-owner wrapping sums of hashes (for colour refinement)."""
from __future__ import annotations

import numpy as np

_LOW = np.uint64(0xFFFF_FFFF)


def mix(a, b) -> np.ndarray:
    """A 64-bit hash of the pair (a, b), elementwise (splitmix64 finalizers, wrapping arithmetic)."""
    return _finalize(_finalize(np.atleast_1d(np.asarray(a, np.uint64))) + np.asarray(b, np.uint64))


def mix_gathered(mults: np.ndarray, colors: np.ndarray, index: np.ndarray) -> np.ndarray:
    """mix(mults, colors[index]); on many entries per colour hashed once per colour and gathered where
    the multiplicity is 1 (most entries: a monomial rarely holds a power), per entry elsewhere."""
    if len(index) < 4 * len(colors) or len(index) < 4096:
        return mix(mults, colors[index])
    out = mix(1, colors)[index]
    other = np.flatnonzero(mults != 1)
    if len(other):
        out[other] = mix(mults[other], colors[index[other]])
    return out


class Owners:
    """Entries grouped by their owner in [0, n), for per-owner wrapping uint64 sums of hashes."""

    def __init__(self, owner: np.ndarray, n: int):
        self.owner, self.n = owner, n
        # many entries: two float64 bincounts of the 32-bit halves (exact while no owner has 2^21
        # entries); few: a sort once, then a reduceat per sum (cheaper for the many small sums of a search)
        self.by_count = len(owner) >= 2**16 and np.bincount(owner, minlength=n).max(initial=0) < 2**21
        if not self.by_count:
            self.order = np.argsort(owner, kind="stable")
            owners = owner[self.order]
            self.starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owner) else owner[:0]
            self.owners = owners[self.starts]

    def hash_sum(self, values: np.ndarray) -> np.ndarray:
        """Per owner, the wrapping sum of its entries' values (0 where it has none)."""
        if self.by_count:
            low = np.bincount(self.owner, weights=(values & _LOW).astype(np.float64), minlength=self.n)
            high = np.bincount(self.owner, weights=(values >> np.uint64(32)).astype(np.float64), minlength=self.n)
            return low.astype(np.uint64) + (high.astype(np.uint64) << np.uint64(32))
        out = np.zeros(self.n, np.uint64)
        if len(self.starts):
            out[self.owners] = np.add.reduceat(values[self.order], self.starts)
        return out


def _finalize(z: np.ndarray) -> np.ndarray:
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
