"""Discrete states -> one-hot input bits: how a network takes the q-state variables of a Hamiltonian."""
from __future__ import annotations

import numpy as np

from ..errors import HamcError


def one_hot(states, q: int, *, low: int = 0) -> np.ndarray:
    """The network inputs of discrete variables in states `states` (values low..low+q-1): for each
    variable q bits, bit k set when it is in state low+k. Shape (..., n) -> (..., n * q), int8; the
    variables in declaration order and C order within an array, as the network's inputs are named
    (n[0,0]=0, n[0,0]=1, ...)."""
    values = np.asarray(states)
    if not isinstance(q, (int, np.integer)) or isinstance(q, bool) or q < 2:
        raise HamcError(f"one_hot takes q >= 2 states, got {q!r}")
    if values.dtype.kind not in "iub":
        raise HamcError(f"one_hot takes integer states, not {values.dtype}")
    k = values.astype(np.int64) - low
    bad = (k < 0) | (k >= q)
    if bad.any():
        raise HamcError(f"state {values[bad].flat[0]} is out of range {low}..{low + q - 1}")
    bits = (k[..., None] == np.arange(q)).astype(np.int8)
    return bits.reshape(*values.shape[:-1], -1) if values.ndim else bits


def encode_states(arrays, states: np.ndarray) -> np.ndarray:
    """Rows of inputs from rows of choices: one column per discrete variable (its state's position
    0..q-1) and per other variable (its input value), in input order."""
    parts, column = [], 0
    for a in arrays:
        n = a.size // (len(a.states) or 1)
        block = states[:, column:column + n]
        parts.append(one_hot(block.astype(np.int64), len(a.states)) if a.states else block)
        column += n
    return np.hstack(parts) if parts else states
