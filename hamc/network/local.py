"""(per-site layers, coefficient arrays) -> LocalLayout: a shared gate template, per-site output weights."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .shared import CHUNK_ELEMENTS, SharedLayout, _channel_layer


@dataclass(frozen=True)
class LocalLayout(SharedLayout):
    """The locally connected form of a lattice network with disorder (couplings or fields that vary
    from site to site). The hidden layers are the gate template of the shared layout, the same at
    every site; the output layer's P columns are the values of P local monomial patterns at a site,
    and `coefficients` (P, *shape) weighs pattern p at site s by coefficients[p][s] before the sum:
    H(x) = pool_bias + sum_s sum_p coefficients[p][s] * (h(s) @ W[:, p] + b[p])."""

    coefficients: np.ndarray = None       # (patterns, *shape), the network's dtype

    def integer_layers(self, layers) -> None:
        return None                       # per-site weights are real numbers: the float path only

    def site_weights(self, last, rows: slice = slice(None)) -> tuple[np.ndarray, float]:
        """(V (channels, sites), B): the output layer folded into the coefficients, so that
        H = sum_c sum_s h_c(s) V[c, s] + B (+ pool_bias)."""
        flat = self.coefficients.reshape(len(self.coefficients), self.sites)[:, rows]     # no -1: 0 patterns
        weight = last.weight.toarray() if hasattr(last.weight, "toarray") else np.asarray(last.weight)
        return weight @ flat, float(last.bias @ flat.sum(axis=1, dtype=np.float64))

    def forward(self, x: np.ndarray, layers, activations) -> np.ndarray:
        """Block by block of lattice rows (axis 0), so that one configuration of 10^8 sites never
        has all its channels at once: each block's patches, hidden layers and weighted sum."""
        width = max([len(self.offsets)] + [layer.n_out for layer in layers])
        rows = max(1, CHUNK_ELEMENTS // (self.sites // self.shape[0] * width))
        step = max(1, CHUNK_ELEMENTS // (self.sites * width))
        *hidden, last = layers
        weight = last.weight.toarray() if hasattr(last.weight, "toarray") else np.asarray(last.weight)
        flat = self.coefficients.reshape(len(self.coefficients), self.shape[0], self.sites // self.shape[0])
        bias = float(last.bias @ flat.sum(axis=(1, 2), dtype=np.float64))
        out = []
        for start in range(0, len(x), step):
            grid = x[start:start + step].reshape((-1,) + self.shape)
            total = np.zeros(len(grid))
            for first in range(0, self.shape[0], rows):
                block = np.arange(first, min(first + rows, self.shape[0]))
                channels = [self._block_patch(grid, block, offset) for offset in self.offsets]
                for layer in hidden:
                    channels = _channel_layer(layer, channels, activations)
                weights = weight @ flat[:, block].reshape(len(flat), len(block) * flat.shape[2])
                total += sum((np.asarray(c, x.dtype) @ w for c, w in zip(channels, weights)), np.zeros(len(grid)))
            out.append(total + bias)
        energy = np.concatenate(out) if out else np.zeros(0)
        return (energy[:, None] + self.pool_bias).astype(x.dtype)

    def _block_patch(self, grid: np.ndarray, block: np.ndarray, offset) -> np.ndarray:
        """x[s + offset] for the sites s of these lattice rows, (batch, block sites)."""
        rows = np.take(grid, (block + int(offset[0])) % self.shape[0], axis=1)
        rest = tuple(-int(o) for o in offset[1:])
        if any(rest):
            rows = np.roll(rows, rest, axis=tuple(range(2, grid.ndim)))
        return rows.reshape(len(grid), -1)

    @property
    def bytes(self) -> int:
        return int(self.coefficients.nbytes)
