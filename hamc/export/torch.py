"""Network -> torch.nn.Module: dense or sparse layers; a shared layout as a circular convolution."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .common import (DENSE_MAX_ENTRIES, check_dtype, dense, first_kernel, kernel, local_readout, offset, require,
                     wrap_indices)

torch = require("torch", "torch")
nn = torch.nn


def to_torch(network, *, dtype=None) -> "nn.Module":
    """A torch.nn.Module computing network(X) as (batch, n_outputs), in the network's own dtype.
    Weights and biases are nn.Parameters (fine-tunable); a shared layout's first layer is an
    nn.Conv1d/2d/3d over the periodically padded lattice, the others act on each site's channels."""
    check_dtype(network, dtype)
    if network.shared is not None:
        return SharedNetwork(network).to(getattr(torch, np.dtype(network.dtype).name))
    return UnrolledNetwork(network).to(getattr(torch, np.dtype(network.dtype).name))


def _tensor(a) -> "torch.Tensor":
    return torch.from_numpy(np.array(a, copy=True))


def _activate(name: str, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "softplus":
        return nn.functional.softplus(z)
    if name == "exp":
        return torch.exp(z)
    if name == "relu":
        return torch.relu(z)
    if name == "step":               # step(0) = 1: a sum exactly at the threshold counts as on
        return (z >= 0).to(z.dtype)
    if name == "softmax":
        return torch.softmax(z, dim=-1)
    raise ValueError(f"unknown activation '{name}'")


class Dense(nn.Module):
    """activation(x @ weight + bias) - offset on the last axis; weight (n_in, n_out), sparse if large."""

    def __init__(self, layer, *, bias_scale: int = 1):
        super().__init__()
        w = layer.weight
        if w.shape[0] * w.shape[1] <= DENSE_MAX_ENTRIES:
            self.weight = nn.Parameter(_tensor(dense(w)))
            self.sparse = False
        else:        # (n_out, n_in) COO, multiplied from the left: torch.sparse.mm's sparse operand
            t = sp.coo_matrix(w).T.tocoo()
            index = torch.from_numpy(np.stack([t.row, t.col]).astype(np.int64))
            self.weight = nn.Parameter(torch.sparse_coo_tensor(index, _tensor(t.data), t.shape, check_invariants=True).coalesce())
            self.sparse = True
        self.bias = nn.Parameter(_tensor(layer.bias))
        self.register_buffer("offset", _tensor(offset(layer)))
        self.activation = layer.activation
        self.bias_scale = bias_scale     # the sites a pooled last layer's bias is added for

    def extra_repr(self) -> str:
        n_out, n_in = self.weight.shape if self.sparse else self.weight.shape[::-1]
        return f"{n_in} -> {n_out}, {self.activation}" + (", sparse" if self.sparse else "")

    def forward(self, x):
        if self.sparse:
            flat = x.reshape(-1, x.shape[-1])
            z = torch.sparse.mm(self.weight, flat.T).T.reshape(x.shape[:-1] + (self.weight.shape[0],))
        else:
            z = x @ self.weight
        return _activate(self.activation, z + self.bias_scale * self.bias) - self.offset


class UnrolledNetwork(nn.Module):
    def __init__(self, network):
        super().__init__()
        self.layers = nn.ModuleList(Dense(layer) for layer in network.layers)

    def forward(self, x):
        """x: (batch, n_inputs) -> (batch, n_outputs)."""
        for layer in self.layers:
            x = layer(x)
        return x


class SharedNetwork(nn.Module):
    """Periodic padding by gathering wrapped indices, a ConvNd for the first layer (the stencil), the
    hidden layers on each site's channels, a sum over sites, the last layer and the pooling."""

    def __init__(self, network):
        super().__init__()
        lay = network.shared
        self.shape = tuple(int(n) for n in lay.shape)
        first, *hidden, last = network.layers if len(network.layers) > 1 else (None, network.layers[0])
        weight = first_kernel(lay, first if first is not None else _identity_layer(lay, last))
        conv = (None, nn.Conv1d, nn.Conv2d, nn.Conv3d)[len(self.shape)] if len(self.shape) <= 3 else None
        if conv is None:
            raise NotImplementedError("the PyTorch export of a shared layout handles lattices of rank 1 to 3")
        self.conv = conv(1, weight.shape[0], weight.shape[2:], bias=first is not None)
        self.conv.weight = nn.Parameter(_tensor(weight))
        if first is not None:
            self.conv.bias = nn.Parameter(_tensor(first.bias))
            self.register_buffer("conv_offset", _tensor(offset(first)))
            self.conv_activation = first.activation
            self.conv_shifted = bool(np.any(offset(first)))
        else:        # no hidden layer: the "convolution" only gathers the patches for the last layer
            self.conv.weight.requires_grad_(False)
            self.register_buffer("conv_offset", torch.zeros(weight.shape[0], dtype=self.conv.weight.dtype))
            self.conv_activation, self.conv_shifted = "identity", False
        lows, size = kernel(lay)
        self.pads = [(-int(lo), int(k) - 1 + int(lo)) for lo, k in zip(lows, size)]
        for axis, index in enumerate(wrap_indices(lay)):
            self.register_buffer(f"wrap{axis}", torch.from_numpy(index.astype(np.int64)))
        self.hidden = nn.ModuleList(Dense(layer) for layer in hidden)
        self.last = Dense(last, bias_scale=lay.sites)
        self.pool_bias = nn.Parameter(_tensor(lay.pool_bias))
        self.pool_activation = lay.pool_activation
        readout = local_readout(lay, last)
        self.local = readout is not None      # locally connected: per-site weights replace the last layer
        if self.local:
            self.site_weights = nn.Parameter(_tensor(readout[0]))
            self.local_bias = nn.Parameter(_tensor(readout[1]))

    def forward(self, x):
        """x: (batch, sites), the lattice in C order -> (batch, n_outputs)."""
        grid = x.reshape((x.shape[0], 1) + self.shape)
        for axis in range(len(self.shape)):
            before, after = self.pads[axis]
            grid = _wrap(grid, axis + 2, before, after, getattr(self, f"wrap{axis}"))
        z = self.conv(grid).flatten(2)                            # (batch, channels, sites), contiguous
        a = _activate(self.conv_activation, z)
        if self.conv_shifted:            # threshold layers have no offsets: skip a pass over the lattice
            a = a - self.conv_offset[:, None]
        if len(self.hidden) == 0 and not self.local:
            return _activate(self.pool_activation, self.last(a.sum(dim=2)) + self.pool_bias)
        a = a.transpose(1, 2)                                     # (batch, sites, channels) for the MLP
        for layer in self.hidden:
            a = layer(a)
        if self.local:
            return torch.einsum("bsc,sc->b", a, self.site_weights)[:, None] + self.local_bias
        return _activate(self.pool_activation, self.last(a.sum(dim=1)) + self.pool_bias)


def _wrap(grid, dim: int, before: int, after: int, index):
    """grid padded periodically along dim by `before` and `after`: slices joined when both are at most
    the axis's length (index_select is ~10x slower off the last axis), the wrapped indices gathered otherwise."""
    n = grid.shape[dim]
    if before > n or after > n:
        return grid.index_select(dim, index)
    parts = [grid.narrow(dim, n - before, before)] if before else []
    return torch.cat(parts + [grid] + ([grid.narrow(dim, 0, after)] if after else []), dim=dim)


def _identity_layer(lay, last):
    """A stand-in first layer whose kernel copies each patch feature to its own channel."""
    from types import SimpleNamespace
    eye = np.eye(len(lay.offsets), dtype=last.bias.dtype)
    return SimpleNamespace(weight=eye, n_out=len(lay.offsets))


def save_torch(network, path) -> Path:
    """A torch.export archive (.pt2) of to_torch(network), batch size dynamic: torch.export.load(path)
    .module() runs it without hamc. Written atomically; the same network gives the same bytes."""
    import io

    from ..io.atomic import write_atomic
    module = to_torch(network).train(False)     # inference mode
    example = torch.zeros((2, len(network.inputs)), dtype=getattr(torch, np.dtype(network.dtype).name))
    program = torch.export.export(module, (example,), dynamic_shapes={"x": {0: torch.export.Dim("batch")}})
    for node in program.graph.nodes:      # the source lines of this checkout: not the user's business
        node.meta.pop("stack_trace", None)
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return write_atomic(path, buffer.getvalue())
