"""What the exporters share: the framework check, the dtype check, dense weights, the stencil as a kernel."""
from __future__ import annotations

from importlib import import_module

import numpy as np
import scipy.sparse as sp

from ..errors import HamcError

# Unrolled weights up to this many entries become dense framework tensors; sparse beyond.
DENSE_MAX_ENTRIES = 1 << 22


def require(module: str, extra: str):
    """The framework module, or a HamcError naming the extra that installs it."""
    try:
        return import_module(module)
    except ImportError:
        raise HamcError(f"exporting needs {extra}, which is not installed: pip install \"hamc[{extra}]\"") from None


def check_dtype(network, dtype) -> np.dtype:
    """The network's own dtype; another one is refused: its weights were scaled for the dtype it was
    compiled for (a float64 network run in float32 can be off by orders of magnitude)."""
    own = np.dtype(network.dtype)
    want = None if dtype is None else _dtype_name(dtype)
    if want is not None and want != own.name:
        raise HamcError(f"this network was compiled for {own.name}, not {want}: its gates' scales are chosen "
                        f"for {own.name}'s rounding, so running it in {want} would give wrong outputs; "
                        f"recompile with --dtype {want} (hamc.BuildOptions(dtype=\"{want}\"))")
    return own


def _dtype_name(dtype) -> str:
    """'float32' from "float32", np.float32, jnp.float32 or torch.float32 (whose str is 'torch.float32')."""
    try:
        return np.dtype(dtype).name
    except TypeError:
        return np.dtype(str(dtype).rsplit(".", 1)[-1]).name


def dense(weight) -> np.ndarray:
    return weight.toarray() if sp.issparse(weight) else np.asarray(weight)


def offset(layer) -> np.ndarray:
    return layer.offset if layer.offset is not None else np.zeros_like(layer.bias)


def kernel(shared) -> tuple[np.ndarray, tuple[int, ...]]:
    """(lows, kernel shape): the bounding box of the stencil's offsets, so that patch feature p sits at
    kernel index offsets[p] - lows of a convolution over the lattice padded periodically by -lows / highs."""
    offsets = np.asarray(shared.offsets, np.int64).reshape(len(shared.offsets), len(shared.shape))
    lows = offsets.min(axis=0, initial=0)
    highs = offsets.max(axis=0, initial=0)
    return lows, tuple(int(k) for k in highs - lows + 1)


def wrap_indices(shared) -> list[np.ndarray]:
    """Per lattice axis, the indices of the periodically padded axis: (-low .. n - 1 + high) mod n.
    Gathering them pads by any amount, even more than the axis is long."""
    lows, size = kernel(shared)
    return [np.arange(int(lo), int(lo) + n + k - 1) % n for lo, n, k in zip(lows, shared.shape, size)]


def first_kernel(shared, layer) -> np.ndarray:
    """The first layer's (patch, neurons) weights as a (neurons, 1, *kernel) convolution kernel."""
    lows, size = kernel(shared)
    w = dense(layer.weight)
    out = np.zeros((layer.n_out, 1) + size, dtype=w.dtype)
    for p, o in enumerate(np.asarray(shared.offsets, np.int64)):
        out[(slice(None), 0) + tuple(int(i) for i in o - lows)] += w[p]
    return out




def local_readout(lay, last) -> tuple[np.ndarray, np.ndarray] | None:
    """A locally connected layout's output layer folded into its per-site coefficients: (V (sites,
    channels), bias (1,)) with H = sum_s sum_c h_c(s) V[s, c] + bias; None for a shared layout."""
    if getattr(lay, "coefficients", None) is None:
        return None
    weights, bias = lay.site_weights(last)
    return np.ascontiguousarray(weights.T), np.asarray(bias + lay.pool_bias, weights.dtype)
