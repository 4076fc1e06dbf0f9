"""Lattice kind, shell k -> the bond vectors to its k-th nearest neighbours (one of each +-v pair)."""
from __future__ import annotations

import itertools
from functools import lru_cache

from .variables import BOND_VECTORS

MAX_SHELL = 50
# |a e1 + b e2 + ...|^2 of an integer vector as a quadratic form: the triangular lattice's second
# basis vector is at 60 degrees to the first (|(1, -1)| = 1, a nearest neighbour, as in BOND_VECTORS)
_METRIC = {"chain": ((1,),), "square": ((1, 0), (0, 1)), "cubic": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
           "triangular": ((2, 1), (1, 2))}          # twice the Gram matrix: integer norms
# the largest |component| of a vector of squared norm n is at most sqrt(n / _SMALLEST) (the form's
# smallest eigenvalue over 1, times the scale of _METRIC): bounds the search box
_SMALLEST = {"chain": 1, "square": 1, "cubic": 1, "triangular": 1.5}


def norm2(kind: str, v) -> int:
    """Squared length of the integer vector v in units of the nearest-neighbour distance squared
    (times 2 on the triangular lattice)."""
    g = _METRIC[kind]
    return sum(g[a][b] * v[a] * v[b] for a in range(len(v)) for b in range(len(v)))


@lru_cache(maxsize=None)
def shell_vectors(kind: str, k: int) -> tuple[tuple[int, ...], ...]:
    """The vectors v of the k-th smallest non-zero length, each +-v pair once (first non-zero component
    positive), largest first; shell 1 is BOND_VECTORS[kind] in its order."""
    if not 1 <= k <= MAX_SHELL:
        raise ValueError(f"shell {k} is outside 1..{MAX_SHELL}")
    if k == 1:
        return BOND_VECTORS[kind]
    rank = len(_METRIC[kind])
    reach = k
    while True:
        box = range(-reach, reach + 1)
        lengths = sorted({norm2(kind, v) for v in itertools.product(box, repeat=rank) if any(v)})
        target = lengths[k - 1]
        if reach * reach * _SMALLEST[kind] >= target:       # every vector that short lies in the box
            break
        reach *= 2
    found = [v for v in itertools.product(box, repeat=rank) if norm2(kind, v) == target and _positive(v)]
    return tuple(sorted(found, reverse=True))


def _positive(v) -> bool:
    return next(c for c in v if c) > 0
