"""(Stencil, local layers) -> SharedLayout: one small network applied at every lattice site, summed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .binary import SiteCounts, and_plans, two_values

# Rows of (configuration, site) evaluated at once: bounds the memory of a forward pass.
CHUNK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class SharedLayout:
    """The weight-shared (convolutional) form of a translation-invariant lattice network.

    Input x (batch, sites) is read as a periodic lattice of `shape`; patch feature p of site s is
    x[s + offsets[p]] (wrapping around); the layers act on the patch features of every site
    (a convolution, then 1x1 convolutions); the last layer's outputs are summed over the sites,
    and `pool_activation(sum + pool_bias)` is the output. Weights do not depend on the lattice size.
    """

    shape: tuple[int, ...]
    offsets: np.ndarray               # (patch, rank) lattice vectors
    pool_bias: np.ndarray             # (outputs,)
    pool_activation: str              # identity, or softmax for a classifier
    variable: str                     # the lattice variable array, for names
    lows: tuple[int, ...] = ()        # its first index on each axis (0 unless declared a..b)

    @property
    def sites(self) -> int:
        return int(np.prod(self.shape))

    def patches(self, x: np.ndarray) -> list[np.ndarray]:
        """(batch, sites) -> one (batch, sites) array per patch offset: x[s + offset], by periodic shifts."""
        grid = x.reshape((len(x),) + self.shape)
        axes = tuple(range(1, len(self.shape) + 1))
        return [np.roll(grid, tuple(-int(o) for o in offset), axis=axes).reshape(len(x), -1)
                for offset in self.offsets]

    def forward(self, x: np.ndarray, layers, activations) -> np.ndarray:
        """Channels first, one contiguous (batch, sites) array per neuron of the local network; the
        last layer is affine, so the sites are summed before it rather than after."""
        width = max([len(self.offsets)] + [layer.n_out for layer in layers])
        rows = max(1, CHUNK_ELEMENTS // (self.sites * width))       # configurations per chunk
        *hidden, last = layers
        pooled = []
        for start in range(0, len(x), rows):
            channels = self.patches(x[start:start + rows])
            for layer in hidden:
                channels = _channel_layer(layer, channels, activations)
            pooled.append(np.stack([c.sum(axis=1, dtype=x.dtype) for c in channels], axis=1))
        sums = np.concatenate(pooled) if pooled else np.zeros((0, last.n_in), x.dtype)
        out = np.asarray(sums @ last.weight, dtype=x.dtype) + self.sites * last.bias
        return activations[self.pool_activation](activations[last.activation](out) + self.pool_bias)

    def integer_layers(self, layers) -> list | None:
        """(2W, 2b) as small integers when every hidden layer is a step layer whose weights and
        biases are multiples of 1/2 (bit products on bits or spins are): then integer inputs can be
        run exactly in int8/int16, a quarter of float64's memory traffic. None otherwise."""
        out = []
        for layer in layers[:-1]:
            w = layer.weight.toarray() if hasattr(layer.weight, "toarray") else layer.weight
            w2, b2 = 2 * np.asarray(w, np.float64), 2 * np.asarray(layer.bias, np.float64)
            if layer.activation != "step" or layer.offset is not None or np.any(w2 != np.round(w2)) \
                    or np.any(b2 != np.round(b2)) or max(np.abs(w2).max(initial=0), np.abs(b2).max(initial=0)) > 64:
                return None
            out.append((w2.astype(np.int64), b2.astype(np.int64)))
        return out or None

    def forward_integers(self, x: np.ndarray, layers, activations) -> np.ndarray:
        """forward() for integer inputs and integer_layers(): exact. Bits or spins (two values) through
        AND neurons run as boolean algebra on bytes (binary.SiteCounts); other integers are summed in
        the narrowest integer type that holds them. A step neuron's sum over sites is a count."""
        doubled = self.integer_layers(layers)
        counts = self._binary_counts(x, doubled)
        counts = self._integer_counts(x, doubled) if counts is None else counts
        last = layers[-1]
        out = counts.astype(np.float64) @ np.asarray(last.weight.toarray() if hasattr(last.weight, "toarray")
                                                     else last.weight, np.float64) \
            + self.sites * last.bias.astype(np.float64)
        return activations[self.pool_activation](out + self.pool_bias)

    def _binary_counts(self, x: np.ndarray, doubled) -> np.ndarray | None:
        """Per row of x, per last-layer neuron, how many sites turn it on; None unless every chunk of x
        holds two values and every neuron is an AND of its inputs or their negations (as bit products are)."""
        counter = SiteCounts(self.shape, self.offsets, [w2.shape[1] for w2, _ in doubled], len(x))
        plans, pooled = {}, []
        for start in range(0, len(x), counter.step):
            chunk = x[start:start + counter.step]
            values = two_values(chunk)
            if values not in plans:
                plans[values] = None if values is None else and_plans(doubled, *values)
            if plans[values] is None:
                return None
            pooled.append(counter(chunk, values[0], plans[values]))
        return np.concatenate(pooled) if pooled else np.zeros((0, doubled[-1][0].shape[1]), np.int64)

    def _integer_counts(self, x: np.ndarray, doubled) -> np.ndarray:
        """The step layers in int8/int16 sums of shifted views of one padded copy of the lattice."""
        rows = max(1, (CHUNK_ELEMENTS * 4) // (self.sites * max(len(self.offsets), 1)))
        bound = max(-int(x.min(initial=0)), int(x.max(initial=0)), 1)
        pooled = []
        for start in range(0, len(x), rows):
            channels = step_layers(self._patch_views(x[start:start + rows]), doubled, bound)
            pooled.append(np.stack([_count(c) for c in channels], axis=1))
        return np.concatenate(pooled) if pooled else np.zeros((0, doubled[-1][0].shape[1]), np.int64)

    def _patch_views(self, x: np.ndarray) -> list[np.ndarray]:
        """(batch, sites) -> per patch offset, a (batch, *shape) view x[s + offset] of one padded copy."""
        low = np.maximum(-self.offsets.min(axis=0, initial=0), 0)
        high = np.maximum(self.offsets.max(axis=0, initial=0), 0)
        grid = x.reshape((len(x),) + self.shape)
        padded = np.pad(grid, [(0, 0)] + [(int(lo), int(hi)) for lo, hi in zip(low, high)], mode="wrap")
        return [padded[(slice(None),) + tuple(slice(int(lo + o), int(lo + o) + n)
                                              for lo, o, n in zip(low, offset, self.shape))]
                for offset in self.offsets]


def step_layers(channels: list[np.ndarray], doubled, bound: int) -> list[np.ndarray]:
    """The step layers of SharedLayout.integer_layers on integer channels (|values| <= bound): (2W, 2b)
    sums in the narrowest integer type their reach fits, a neuron on at and above its threshold."""
    for w2, b2 in doubled:
        reach = int(np.abs(w2).sum(axis=0).max(initial=0)) * bound + int(np.abs(b2).max(initial=0))
        kind = np.int8 if reach < 127 else np.int16 if reach < 32767 else np.int64
        channels, bound = [_step(channels, w2[:, c], int(b2[c]), kind) for c in range(w2.shape[1])], 1
    return channels


def _step(channels: list[np.ndarray], weights: np.ndarray, bias: int, kind) -> np.ndarray:
    """Whether sum_p weights[p] channels[p] + bias >= 0. One input: a comparison of the channel
    itself with the threshold (no sum to form). Thresholds are Python ints: a NumPy int64 would
    widen the comparison of int8 arrays to int64."""
    nonzero = np.flatnonzero(weights)
    if len(nonzero) == 1:
        w, c = int(weights[nonzero[0]]), channels[nonzero[0]]
        return c >= -(bias // w) if w > 0 else c <= bias // -w       # w c + b >= 0, c an integer
    return _weighted_sum(channels, weights, kind) >= -bias


def _count(on: np.ndarray) -> np.ndarray:
    """Per row, how many entries of the boolean array are on: a popcount of its bytes read as
    64-bit words (a bool is one byte, 0 or 1) where NumPy has one, else a sum."""
    rows = on.reshape(len(on), -1)
    if hasattr(np, "bitwise_count") and rows.shape[1] % 8 == 0 and rows.flags.c_contiguous:
        return np.bitwise_count(rows.view(np.uint64)).sum(axis=1, dtype=np.int64)
    return rows.sum(axis=1, dtype=np.int64)


def _weighted_sum(channels: list[np.ndarray], weights: np.ndarray, kind) -> np.ndarray:
    """sum_p weights[p] * channels[p] in the integer type `kind`, without wider temporaries."""
    z = None
    for p in np.flatnonzero(weights):
        w, c = int(weights[p]), channels[p]
        if z is None:
            z = np.multiply(c, w, dtype=kind) if w != 1 else c.astype(kind)
        elif w == 1:
            np.add(z, c, out=z, casting="unsafe")
        elif w == -1:
            np.subtract(z, c, out=z, casting="unsafe")
        else:
            np.add(z, np.multiply(c, w, dtype=kind), out=z)
    return z if z is not None else np.zeros(channels[0].shape, kind)


def _channel_layer(layer, channels: list[np.ndarray], activations) -> list[np.ndarray]:
    """One hidden layer on per-neuron arrays: multiply-adds per nonzero weight for a small layer
    (a stencil), one matrix product over the stacked channels for a wide one."""
    w = layer.weight.toarray() if hasattr(layer.weight, "toarray") else layer.weight
    if layer.activation == "step":           # a comparison, kept boolean: sums count the ones
        act = lambda z: z >= 0             # noqa: E731
    else:
        act = activations[layer.activation]
    offset = layer.offset if layer.offset is not None else np.zeros(layer.n_out, layer.bias.dtype)
    if w.size > 64:
        z = w.T @ np.stack(channels).reshape(len(channels), -1) + layer.bias[:, None]
        a = act(z) - offset[:, None] if layer.offset is not None else act(z)
        return list(a.reshape((layer.n_out,) + channels[0].shape))
    out = []
    for c in range(layer.n_out):
        z = np.full(channels[0].shape, layer.bias[c], dtype=layer.bias.dtype)
        for p in np.flatnonzero(w[:, c]):
            z += w[p, c] * channels[p]
        out.append(act(z) - offset[c] if offset[c] else act(z))
    return out
