"""(step layers, two-valued lattice configurations) -> per-site neuron counts, by boolean algebra on bytes."""
from __future__ import annotations

import itertools

import numpy as np

from ..ir.flat_stencil import FlatStencil, count_rows

# A step neuron is read as a boolean function of its inputs when it has at most this many (2^k patterns).
MAX_FAN_IN = 12


def and_plans(doubled, lo: int, hi: int) -> list | None:
    """Per layer of (2W, 2b) step layers whose inputs take two values (lo, hi; a step layer's outputs
    0, 1): per neuron, True or False when it is constant, else (inputs that must be hi, inputs that
    must be lo) of the one input pattern that turns it on, an AND of literals. None when a neuron is
    any other boolean function (then the caller sums in integers instead)."""
    plans = []
    for w2, b2 in doubled:
        layer = [_and_plan(w2[:, c], int(b2[c]), lo, hi) for c in range(w2.shape[1])]
        if any(p is None for p in layer):
            return None
        plans.append(layer)
        lo, hi = 0, 1
    return plans


def _and_plan(weights: np.ndarray, bias: int, lo: int, hi: int):
    inputs = np.flatnonzero(weights)
    if len(inputs) > MAX_FAN_IN:
        return None
    k = len(inputs)
    patterns = np.array(list(itertools.product((0, 1), repeat=k)), np.int64).reshape(2 ** k, k)
    on = (lo + (hi - lo) * patterns) @ weights[inputs].astype(np.int64) + bias >= 0
    if on.all() or not on.any():
        return bool(on.all())
    if on.sum() != 1:
        return None
    pattern = patterns[np.argmax(on)]
    return tuple(int(p) for p in inputs[pattern == 1]), tuple(int(p) for p in inputs[pattern == 0])


def two_values(x: np.ndarray) -> tuple[int, int] | None:
    """(lo, hi) such that every entry of the integer array x is lo or hi (bits: 0, 1; spins: -1, 1),
    or None when it holds more than two values."""
    if x.size == 0:
        return 0, 1
    lo, hi = int(x.min()), int(x.max())
    if hi - lo <= 1:
        return lo, lo + 1
    if (lo, hi) == (-1, 1) and x.view(f"u{x.dtype.itemsize}").min() > 0:     # -1 reads as the largest: no 0
        return lo, hi
    return None


class SiteCounts:
    """How many sites of a periodic lattice turn each last-layer neuron on, for configurations of two
    values, a batch chunk at a time: an AND neuron is one np.logical_and of moved views of the chunk's
    flat byte array (ir.flat_stencil), into a buffer reused from chunk to chunk. Exact."""

    def __init__(self, shape, offsets: np.ndarray, widths: list[int], batch: int):
        self.stencil = FlatStencil(shape, offsets, batch)
        self.step, size = self.stencil.step, self.stencil.step * self.stencil.stride
        self.outputs = [[np.zeros(size, np.bool_) for _ in range(width)] for width in widths]

    def __call__(self, x: np.ndarray, lo: int, plans: list) -> np.ndarray:
        """x (batch <= step, sites) of values lo and hi, and and_plans(layers, lo, hi) -> (batch, neurons
        of the last layer) int64: how many sites turn each on."""
        stencil, rows = self.stencil, len(x)
        channels, edge = stencil.features(x, lo)
        ones = count_rows(stencil.bits[stencil.margin:stencil.margin + rows * stencil.stride], rows)
        exact = [ones] * len(channels)          # a copy of the input at any offset: as many ones as the lattice
        for plan, buffers in zip(plans, self.outputs):
            new = [_neuron(p, channels, buf[:rows * stencil.stride]) for p, buf in zip(plan, buffers)]
            exact = [exact[p[0][0]] if _copies(p) else None for p in plan]
            edge = [_neuron(p, edge, np.empty((rows, len(stencil.boundary)), np.bool_)) for p in plan]
            channels = new
        counts = [known if known is not None else stencil.count(c, e) for known, c, e in zip(exact, channels, edge)]
        return np.stack(counts, axis=1) if counts else np.zeros((rows, 0), np.int64)


def _copies(plan) -> bool:
    return not isinstance(plan, bool) and len(plan[0]) == 1 and not plan[1]


def _neuron(plan, channels: list[np.ndarray], out: np.ndarray) -> np.ndarray:
    """One neuron of an AND plan on boolean channels, written into `out` (a copy of one input is the input)."""
    if isinstance(plan, bool):
        out.fill(plan)
        return out
    hi, lo = plan
    if _copies(plan):
        return channels[hi[0]]
    if hi:
        np.logical_and(channels[hi[0]], channels[hi[1]], out=out) if len(hi) > 1 else np.copyto(out, channels[hi[0]])
        for p in hi[2:]:
            np.logical_and(out, channels[p], out=out)
        for p in lo:
            np.greater(out, channels[p], out=out)          # a and not b
    else:                                                  # not a and not b ... = not (a or b ...)
        np.copyto(out, channels[lo[0]])
        for p in lo[1:]:
            np.logical_or(out, channels[p], out=out)
        np.logical_not(out, out=out)
    return out
