"""(SharedLayout network, dask lattice array) -> outputs: the per-site layers run chunk by chunk with halos."""
from __future__ import annotations

import numpy as np

from .shared import _channel_layer


def halo_depth(offsets: np.ndarray, rank: int) -> tuple[int, ...]:
    """How far each axis's patch reaches from a site (both ways): the periodic halo a chunk needs."""
    offsets = np.asarray(offsets, np.int64).reshape(-1, rank)
    return tuple(int(d) for d in np.abs(offsets).max(axis=0, initial=0))


def interior_shifts(block: np.ndarray, offsets: np.ndarray, depth: tuple[int, ...]) -> list[np.ndarray]:
    """block (batch, *padded) with `depth` halo cells per side -> for each offset, the (batch, sites)
    values x[s + offset] at the block's interior sites s: slices of the halo, no wrap-around."""
    interior = [n - 2 * d for n, d in zip(block.shape[1:], depth)]
    out = []
    for offset in np.asarray(offsets, np.int64).reshape(-1, len(depth)):
        window = tuple(slice(d + int(o), d + int(o) + n) for d, o, n in zip(depth, offset, interior))
        out.append(np.ascontiguousarray(block[(slice(None),) + window]).reshape(len(block), -1))
    return out


def _block_site_sums(block, *, network, halo, activations):
    """One chunk with halos -> (batch, 1, ..., 1, n) sums over its interior sites of the last hidden
    layer's outputs (the inputs of the affine output layer), in float64: counts stay exact."""
    shared = network.shared
    channels = [c.astype(network.dtype) for c in interior_shifts(block, shared.offsets, halo)]
    for layer in network.layers[:-1]:
        channels = _channel_layer(layer, channels, activations)
    sums = np.stack([np.asarray(c).sum(axis=1, dtype=np.float64) for c in channels], axis=1)
    return sums.reshape((len(block),) + (1,) * len(halo) + (sums.shape[1],))


def _pool(sums: np.ndarray, *, network, activations) -> np.ndarray:
    """Site sums (batch, n) -> outputs (batch, outputs): the output layer and pooling of forward()."""
    shared, last = network.shared, network.layers[-1]
    dtype = network.dtype
    out = np.asarray(sums.astype(dtype) @ last.weight, dtype=dtype) + shared.sites * last.bias
    return activations[shared.pool_activation](activations[last.activation](out) + shared.pool_bias)


def shared_forward(network, grid, activations):
    """network on a dask array `grid` (batch, *lattice shape): each chunk extended by periodic halos of
    the patch's reach (map_overlap), its sites' local outputs summed, the chunks' sums added, pooled."""
    shared = network.shared
    rank = len(shared.shape)
    depth = halo_depth(shared.offsets, rank)
    width = network.layers[-1].n_in
    chunks = (grid.chunks[0],) + tuple((1,) * len(c) for c in grid.chunks[1:]) + ((width,),)
    sums = grid.map_overlap(_block_site_sums, depth=(0,) + depth, boundary="periodic", trim=False,
                            chunks=chunks, new_axis=rank + 1, dtype=np.float64,
                            network=network, halo=depth, activations=activations)
    total = sums.sum(axis=tuple(range(1, rank + 1)))
    outputs = len(network.outputs) if network.outputs else network.layers[-1].n_out
    return total.map_blocks(_pool, chunks=(total.chunks[0], (outputs,)), dtype=network.dtype,
                            network=network, activations=activations)
