"""(periodic lattice, offsets) -> FlatStencil: each site's neighbours as moved views of one flat byte array."""
from __future__ import annotations

import numpy as np

# Sites of a batch chunk: its arrays (one byte per site) then stay in the CPU's caches.
CHUNK_SITES = 1 << 19
_LANE_MAX = 255           # 64-bit words added before a byte lane could carry into the next


class FlatStencil:
    """Configurations of a periodic lattice as one flat boolean array per batch chunk (1 where a site
    holds the larger of two values), and the feature of offset o at every site as that array moved by
    o's flat stride: a boolean function of the features is then one contiguous NumPy pass over the
    whole chunk. The move reads the wrong site (another row, another configuration) exactly where o
    wraps around the lattice; those boundary sites (faces as thick as the offsets reach) are read again
    from their true neighbours, and count() replaces their part of a count."""

    def __init__(self, shape, offsets: np.ndarray, batch: int):
        self.shape, self.sites = tuple(int(n) for n in shape), int(np.prod(shape, dtype=np.int64))
        offsets = np.asarray(offsets, np.int64).reshape(-1, len(self.shape))
        strides = np.array([int(np.prod(self.shape[a + 1:], dtype=np.int64)) for a in range(len(self.shape))], np.int64)
        self.shifts = [int(s) for s in offsets @ strides]
        self.margin = -(-max([abs(s) for s in self.shifts] + [0]) // 8) * 8    # keeps 64-bit words aligned
        self.stride = -(-self.sites // 8) * 8     # bytes per configuration: whole words, the rest never read as a site
        self.step = max(1, min(batch, CHUNK_SITES // max(self.stride, 1)))
        self.bits = np.zeros(self.step * self.stride + 2 * self.margin, np.bool_)
        self.boundary = _boundary(self.shape, offsets)
        self.unread = np.concatenate([self.boundary, np.arange(self.sites, self.stride)])   # wrong or no site
        coords = np.stack(np.unravel_index(self.boundary, self.shape), axis=-1)
        self.neighbours = [np.ravel_multi_index(tuple(((coords + o) % self.shape).T), self.shape) for o in offsets]

    def features(self, x: np.ndarray, lo: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """x (rows <= step, sites) -> per offset, (the flat moved view of x > lo, (rows * stride,)) and
        (its true values at the boundary sites, (rows, boundary))."""
        size = len(x) * self.stride
        grid = self.bits[self.margin:self.margin + size].reshape(len(x), self.stride)
        np.greater(x.reshape(len(x), self.sites), lo, out=grid[:, :self.sites])
        moved = [self.bits[self.margin + s:self.margin + s + size] for s in self.shifts]
        edge = [np.take(grid, n, axis=1) for n in self.neighbours]
        return moved, edge

    def count(self, flat: np.ndarray, edge: np.ndarray) -> np.ndarray:
        """Per configuration, the sites where a boolean function of the features is on: computed on the
        moved views (flat) and at the boundary sites from their true neighbours (edge)."""
        rows = len(edge)
        wrong = np.take(flat.reshape(rows, -1), self.unread, axis=1).sum(axis=1, dtype=np.int64)
        return count_rows(flat, rows) - wrong + edge.sum(axis=1, dtype=np.int64)


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


def count_rows(flat: np.ndarray, rows: int) -> np.ndarray:
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


def bits_or_spins(x: np.ndarray) -> str | None:
    """"bits" when every entry of the integer array x is 0 or 1, "spins" when -1 or 1, else None."""
    if x.size == 0:
        return "bits"
    lo, hi = int(x.min()), int(x.max())
    if lo >= 0 and hi <= 1:
        return "bits"
    if lo >= -1 and hi <= 1 and x.view(f"u{x.dtype.itemsize}").min() > 0:     # -1 reads as the largest: no 0
        return "spins"
    return None


def monomial_sums(shape, terms: list[np.ndarray], x: np.ndarray) -> np.ndarray | None:
    """Per configuration (row of x: bits or spins as integers, the lattice in C order), the sum over
    sites s of each monomial prod_{o in terms[t]} x[s + o] (periodic; offsets (k, rank), repeats
    allowed); None unless x holds bits or spins. A product of bits is an AND of the features; of
    spins, (-1)^k times +1 or -1 by the parity (XOR) of the features. Exact, in integers."""
    kind = bits_or_spins(x) if x.dtype.kind in "iub" else None
    if kind is None:
        return None
    x = x.view(np.uint8) if x.dtype == np.bool_ else x
    every = [t.reshape(-1, len(shape)) for t in terms] + [np.zeros((1, len(shape)), np.int64)]
    offsets, index = np.unique(np.concatenate(every), axis=0, return_inverse=True)
    stencil = FlatStencil(shape, offsets, len(x))
    position = np.cumsum([0] + [len(t) for t in terms])
    uses = [index.reshape(-1)[position[t]:position[t + 1]] for t in range(len(terms))]
    out = np.empty((len(x), len(terms)), np.int64)
    work = np.empty(stencil.step * stencil.stride, np.bool_)
    for start in range(0, len(x), stencil.step):
        chunk = np.ascontiguousarray(x[start:start + stencil.step])
        moved, edge = stencil.features(chunk, 0)
        for t, used in enumerate(uses):
            out[start:start + len(chunk), t] = _term_sum(stencil, moved, edge, used, kind == "spins",
                                                         work[:len(chunk) * stencil.stride])
    return out


def _term_sum(stencil, moved, edge, used, spins: bool, work) -> np.ndarray:
    rows = len(edge[0])
    if not len(used):
        return np.full(rows, stencil.sites, np.int64)
    combine = np.logical_xor if spins else np.logical_and
    if len(used) == 1:
        flat, at_edge = moved[used[0]], edge[used[0]]
    else:
        flat = combine(moved[used[0]], moved[used[1]], out=work)
        for p in used[2:]:
            combine(flat, moved[p], out=flat)
        at_edge = combine.reduce(np.stack([edge[p] for p in used]), axis=0)
    on = stencil.count(flat, at_edge)
    # spins: the product is (-1)^(k - ones) = (-1)^k (1 - 2 parity), summed over the sites
    return (-1) ** len(used) * (stencil.sites - 2 * on) if spins else on
