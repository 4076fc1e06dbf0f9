"""Input variables: the declared arrays, their flat order and names, and the lattices they live on."""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOND_VECTORS = {
    "chain": ((1,),),
    "square": ((1, 0), (0, 1)),
    "triangular": ((1, 0), (0, 1), (1, -1)),
    "cubic": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


@dataclass(frozen=True)
class Lattice:
    name: str
    kind: str                     # a key of BOND_VECTORS
    shape: tuple[int, ...]
    boundary: str                 # periodic or open

    @property
    def bonds(self) -> tuple[tuple[int, ...], ...]:
        return BOND_VECTORS[self.kind]


@dataclass(frozen=True)
class VariableArray:
    """A named block of input variables: flat indices offset .. offset+size-1, in C order.
    A discrete array (`states` = its q state values) has q one-hot bits per index, the bits of
    one index together: bit offset + q * (C-order index) + k is 1 when the variable is in state k."""

    name: str
    domain: str                   # real, bit, spin, discrete
    lows: tuple[int, ...]         # first index of each axis (0 for `x[N]`, 1 for `x[1..N]`)
    shape: tuple[int, ...]        # () for a scalar
    boundary: str | None          # periodic, open, or None (out-of-range index is an error)
    offset: int
    lattice_name: str | None = None
    states: tuple[int, ...] = ()  # the state values of a discrete array (lo, lo+1, ..., hi)

    @property
    def size(self) -> int:
        """The number of input variables (bits for a discrete array)."""
        return math.prod(self.shape) * (len(self.states) or 1)   # Python ints: never wraps around

    def label(self, flat: int) -> str:
        q = len(self.states) or 1
        site, state = divmod(flat - self.offset, q)
        name = self.name
        if self.shape:
            idx = np.unravel_index(site, self.shape)
            name = f"{self.name}[{','.join(str(int(i) + lo) for i, lo in zip(idx, self.lows))}]"
        return f"{name}={self.states[state]}" if self.states else name


class VariableNames(Sequence):
    """The names of the input variables, generated on demand: a 10^6-site lattice has 10^6 names,
    which a compile need not spell out unless it writes or draws them."""

    def __init__(self, arrays: tuple[VariableArray, ...]):
        self.arrays = arrays
        self._size = sum(a.size for a in arrays)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._size))]
        i = int(i) + (self._size if i < 0 else 0)
        for a in self.arrays:
            if a.offset <= i < a.offset + a.size:
                return a.label(i)
        raise IndexError(i)

    def __iter__(self):
        for a in self.arrays:
            ranges = [range(lo, lo + n) for lo, n in zip(a.lows, a.shape)]
            for idx in itertools.product(*ranges):
                name = f"{a.name}[{','.join(map(str, idx))}]" if a.shape else a.name
                if a.states:
                    yield from (f"{name}={k}" for k in a.states)
                else:
                    yield name

    def __eq__(self, other) -> bool:
        return list(self) == list(other)
