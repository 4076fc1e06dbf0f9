"""(SharedLayout network, dask lattice array) -> outputs: the per-site layers run chunk by chunk with halos."""
from __future__ import annotations

import numpy as np

from ..ir.chunked import fit_halos
from .shared import _channel_layer, step_layers


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


def _block_site_sums(block, *, network, halo, activations, starts, block_info=None):
    """One chunk with halos -> (batch, 1, ..., 1, n) sums over its interior sites of the last hidden
    layer's outputs (the inputs of the affine output layer), in float64: counts stay exact."""
    shared = network.shared
    doubled = shared.integer_layers(network.layers) if np.issubdtype(block.dtype, np.integer) else None
    channels = interior_shifts(block, shared.offsets, halo)
    if doubled is not None:        # bits or spins through step layers: exact in narrow integers
        channels = step_layers(channels, doubled, max(int(np.abs(block).max(initial=0)), 1))
    else:
        channels = [c.astype(network.dtype) for c in channels]
        for layer in network.layers[:-1]:
            channels = _channel_layer(layer, channels, activations)
    if getattr(shared, "coefficients", None) is not None:
        sums = _weighed(channels, block, network, halo, starts, block_info[None]["chunk-location"])
    else:
        sums = np.stack([np.asarray(c).sum(axis=1, dtype=np.float64) for c in channels], axis=1)
    return sums.reshape((len(block),) + (1,) * len(halo) + (sums.shape[1],))


def _weighed(channels, block, network, halo, starts, location) -> np.ndarray:
    """A locally connected layout's energy over a chunk's interior sites (batch, 1): its coefficient
    arrays cut to the chunk (located by its place in the output and the chunk starts)."""
    shared, last = network.shared, network.layers[-1]
    interior = [n - 2 * d for n, d in zip(block.shape[1:], halo)]
    box = tuple(slice(starts[a][i], starts[a][i] + n) for a, (i, n) in enumerate(zip(location[1:], interior)))
    coef = shared.coefficients[(slice(None),) + box].reshape(len(shared.coefficients), -1).astype(np.float64)
    weight = last.weight.toarray() if hasattr(last.weight, "toarray") else np.asarray(last.weight)
    v = np.asarray(weight, np.float64) @ coef
    energy = sum((np.asarray(c, np.float64) @ w for c, w in zip(channels, v)), np.zeros(len(block)))
    return (energy + float(np.asarray(last.bias, np.float64) @ coef.sum(axis=1)))[:, None]


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
    grid = fit_halos(grid, depth)
    local = getattr(shared, "coefficients", None) is not None
    width = 1 if local else network.layers[-1].n_in
    chunks = (grid.chunks[0],) + tuple((1,) * len(c) for c in grid.chunks[1:]) + ((width,),)
    starts = tuple(np.concatenate([[0], np.cumsum(c)[:-1]]).astype(int) for c in grid.chunks[1:])
    sums = grid.map_overlap(_block_site_sums, depth=(0,) + depth, boundary="periodic", trim=False,
                            chunks=chunks, new_axis=rank + 1, dtype=np.float64,
                            network=network, halo=depth, activations=activations, starts=starts)
    total = sums.sum(axis=tuple(range(1, rank + 1)))
    if local:
        return total + shared.pool_bias.astype(np.float64)
    outputs = len(network.outputs) if network.outputs else network.layers[-1].n_out
    return total.map_blocks(_pool, chunks=(total.chunks[0], (outputs,)), dtype=network.dtype,
                            network=network, activations=activations)
