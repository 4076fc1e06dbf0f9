"""(step layers, two-valued lattice configurations) -> per-site neuron counts, by boolean algebra on bytes."""
from __future__ import annotations

import itertools

import numpy as np

# Sites of a batch chunk: its arrays (one byte per site) then stay in the CPU's caches.
CHUNK_SITES = 1 << 19
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
    patterns = np.array(list(itertools.product((0, 1), repeat=len(inputs))), np.int64).reshape(2 ** len(inputs), len(inputs))
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
    values, a batch chunk at a time. The chunk is one flat byte array (1 where a site holds hi) and the
    patch feature of offset o the same array moved by o's flat stride, so that an AND neuron is one
    contiguous np.logical_and over the whole chunk. That reads the wrong site (another row, another
    configuration) exactly where o wraps around the lattice: those boundary sites (a lattice's faces,
    as many as the offsets reach) are evaluated again from their true neighbours and their counts
    replaced. Exact."""

    def __init__(self, shape, offsets: np.ndarray, widths: list[int], batch: int):
        self.shape, self.sites = tuple(int(n) for n in shape), int(np.prod(shape))
        offsets = np.asarray(offsets, np.int64).reshape(-1, len(self.shape))
        strides = np.array([int(np.prod(self.shape[a + 1:])) for a in range(len(self.shape))], np.int64)
        self.shifts = [int(s) for s in offsets @ strides]
        self.margin = -(-max([abs(s) for s in self.shifts] + [0]) // 8) * 8    # keeps 64-bit words aligned
        self.step = max(1, min(batch, CHUNK_SITES // max(self.sites, 1)))
        self.bits = np.zeros(self.step * self.sites + 2 * self.margin, np.bool_)
        self.outputs = [[np.zeros(self.step * self.sites, np.bool_) for _ in range(width)] for width in widths]
        self.boundary = _boundary(self.shape, offsets)
        coords = np.stack(np.unravel_index(self.boundary, self.shape), axis=-1)
        self.neighbours = [np.ravel_multi_index(tuple(((coords + o) % self.shape).T), self.shape) for o in offsets]

    def __call__(self, x: np.ndarray, lo: int, plans: list) -> np.ndarray:
        """x (batch <= step, sites) of values lo and hi, and and_plans(layers, lo, hi) -> (batch, neurons
        of the last layer) int64: how many sites turn each on."""
        rows, size = len(x), len(x) * self.sites
        grid = self.bits[self.margin:self.margin + size]
        np.greater(x.reshape(-1), lo, out=grid)
        ones = _count(grid, rows)                        # sites at hi: any shifted copy has as many
        channels = [self.bits[self.margin + s:self.margin + s + size] for s in self.shifts]
        exact = [ones] * len(channels)                   # a channel's count, where known without its boundary
        edge = [np.take(grid.reshape(rows, -1), n, axis=1) for n in self.neighbours]
        for plan, buffers in zip(plans, self.outputs):
            new = [_neuron(p, channels, buf[:size]) for p, buf in zip(plan, buffers)]
            exact = [exact[p[0][0]] if _copies(p) else None for p in plan]
            edge = [_neuron(p, edge, np.empty((rows, len(self.boundary)), np.bool_)) for p in plan]
            channels = new
        counts = [known if known is not None else
                  _count(c, rows) - np.take(c.reshape(rows, -1), self.boundary, axis=1).sum(axis=1, dtype=np.int64)
                  + e.sum(axis=1, dtype=np.int64) for known, c, e in zip(exact, channels, edge)]
        return np.stack(counts, axis=1) if counts else np.zeros((rows, 0), np.int64)


def _boundary(shape: tuple[int, ...], offsets: np.ndarray) -> np.ndarray:
    """Flat indices of the sites s where s + o leaves the lattice on some axis for some offset o."""
    parts = [np.zeros(0, np.int64)]
    for axis, n in enumerate(shape):
        before = min(int(max(-offsets[:, axis].min(initial=0), 0)), n)
        after = min(int(max(offsets[:, axis].max(initial=0), 0)), n)
        for start, length in ((0, before), (n - after, after)):
            if length:
                slab = list(shape)
                slab[axis] = length
                coords = np.indices(slab).reshape(len(shape), -1)
                coords[axis] += start
                parts.append(np.ravel_multi_index(tuple(coords), shape))
    return np.unique(np.concatenate(parts))


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


def _count(flat: np.ndarray, rows: int) -> np.ndarray:
    """Per configuration (row), the ones of a flat boolean array of `rows` equal parts. Where the parts
    are whole 64-bit words, the bytes (0 or 1) are added as words: each of a word's 8 byte lanes then
    counts its ones, and 255 words at a time cannot carry from one lane into the next."""
    if len(flat) == 0:
        return np.zeros(rows, np.int64)
    if (len(flat) // rows) % 8 or flat.ctypes.data % 8:
        return np.array([np.count_nonzero(row) for row in flat.reshape(rows, -1)], np.int64)
    words = flat.view(np.uint64).reshape(rows, -1)
    whole = words.shape[1] // _LANE_MAX * _LANE_MAX
    lanes = [np.add.reduce(words[:, whole:], axis=1, keepdims=True)]
    if whole:
        lanes.append(np.add.reduce(words[:, :whole].reshape(rows, -1, _LANE_MAX), axis=2))
    return sum(part.view(np.uint8).reshape(rows, -1).sum(axis=1, dtype=np.int64) for part in lanes)


_LANE_MAX = 255
