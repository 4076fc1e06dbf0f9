"""(Stencil, local layers) -> SharedLayout: one small network applied at every lattice site, summed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

    def patches(self, x: np.ndarray) -> np.ndarray:
        """(batch, sites) -> (batch, sites, patch): each site's neighbourhood, by periodic shifts."""
        grid = x.reshape((len(x),) + self.shape)
        axes = tuple(range(1, len(self.shape) + 1))
        out = np.empty((len(x), self.sites, len(self.offsets)), dtype=x.dtype)
        for p, offset in enumerate(self.offsets):
            out[:, :, p] = np.roll(grid, tuple(-int(o) for o in offset), axis=axes).reshape(len(x), -1)
        return out

    def forward(self, x: np.ndarray, layers, activations) -> np.ndarray:
        width = max([len(self.offsets)] + [layer.n_out for layer in layers])
        step = max(1, CHUNK_ELEMENTS // (self.sites * width))
        out = []
        for start in range(0, len(x), step):
            a = self.patches(x[start:start + step])
            for layer in layers:
                a = layer(a)
            out.append(a.sum(axis=1))
        pooled = np.concatenate(out) if out else np.zeros((0, len(self.pool_bias)), x.dtype)
        return activations[self.pool_activation](pooled + self.pool_bias)
