"""Network -> (apply_fn, params): a pure, jit-able JAX function and a pytree of its arrays."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .common import DENSE_MAX_ENTRIES, check_dtype, dense, first_kernel, kernel, local_readout, offset, require

jax = require("jax", "jax")
jnp = jax.numpy


def to_jax(network, *, dtype=None):
    """(apply_fn, params) with apply_fn(params, x): (batch, n_inputs) -> (batch, n_outputs). A float64
    network switches on JAX's float64 support (jax_enable_x64), which JAX keeps off by default."""
    own = check_dtype(network, dtype)
    if own == np.float64 and not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
    if network.shared is not None:
        return _shared(network)
    params = {"layers": [_layer_params(layer) for layer in network.layers]}
    kinds = [(layer.activation, sparse_shape(layer)) for layer in network.layers]

    def apply_fn(params, x):
        for (activation, shape), p in zip(kinds, params["layers"]):
            x = _dense_layer(p, x, activation, shape)
        return x
    return apply_fn, params


def sparse_shape(layer):
    n_in, n_out = layer.weight.shape
    return None if n_in * n_out <= DENSE_MAX_ENTRIES else (n_in, n_out)


def _layer_params(layer) -> dict:
    if sparse_shape(layer) is None:
        weight = {"dense": jnp.asarray(dense(layer.weight))}
    else:                   # BCOO's data and (nnz, 2) indices; the shape is static, kept by apply_fn
        w = sp.coo_matrix(layer.weight)
        weight = {"data": jnp.asarray(w.data), "indices": jnp.asarray(np.stack([w.row, w.col], 1).astype(np.int32))}
    return {**weight, "bias": jnp.asarray(layer.bias), "offset": jnp.asarray(offset(layer))}


def _dense_layer(p, x, activation, shape, bias_scale=1):
    if shape is None:
        z = x @ p["dense"]
    else:
        from jax.experimental import sparse
        flat = x.reshape(-1, x.shape[-1])
        z = (sparse.BCOO((p["data"], p["indices"]), shape=shape).T @ flat.T).T.reshape(x.shape[:-1] + (shape[1],))
    return _activate(activation, z + bias_scale * p["bias"]) - p["offset"]


def _activate(name, z):
    functions = {"identity": lambda v: v, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "softplus": jax.nn.softplus,
                 "exp": jnp.exp, "relu": jax.nn.relu, "step": lambda v: (v >= 0).astype(v.dtype),
                 "softmax": lambda v: jax.nn.softmax(v, axis=-1)}
    return functions[name](z)


def _shared(network):
    """Periodic padding by taking wrapped indices, lax.conv_general_dilated for the stencil, the hidden
    layers on each site's channels, a sum over sites, the last layer and the pooling."""
    lay = network.shared
    shape = tuple(int(n) for n in lay.shape)
    layers = network.layers
    first, hidden, last = (layers[0], layers[1:-1], layers[-1]) if len(layers) > 1 else (None, (), layers[0])
    if first is None:        # no hidden layer: the kernel only gathers each patch feature into a channel
        patch = len(lay.offsets)
        eye = first_kernel(lay, _Eye(np.eye(patch, dtype=last.bias.dtype), patch))
        conv = {"kernel": jnp.asarray(eye), "bias": jnp.zeros(patch, eye.dtype),
                "offset": jnp.zeros(patch, eye.dtype)}
    else:
        conv = {"kernel": jnp.asarray(first_kernel(lay, first)), "bias": jnp.asarray(first.bias),
                "offset": jnp.asarray(offset(first))}
    params = {"conv": conv, "hidden": [_layer_params(layer) for layer in hidden], "last": _layer_params(last),
              "pool_bias": jnp.asarray(lay.pool_bias)}
    lows, size = kernel(lay)
    pads = [(-int(lo), int(k) - 1 + int(lo)) for lo, k in zip(lows, size)]
    conv_activation = first.activation if first is not None else "identity"
    hidden_kinds = [(layer.activation, sparse_shape(layer)) for layer in hidden]
    last_kind, sites, pool = (last.activation, sparse_shape(last)), lay.sites, lay.pool_activation
    readout = local_readout(lay, last)
    if readout is not None:                 # locally connected: per-site weights instead of the last layer
        params["last"] = {"site_weights": jnp.asarray(readout[0]), "bias": jnp.asarray(readout[1])}

    def apply_fn(params, x):
        grid = x.reshape((x.shape[0], 1) + shape)
        grid = jnp.pad(grid, [(0, 0), (0, 0)] + pads, mode="wrap")        # periodic, by any amount
        c = params["conv"]
        z = jax.lax.conv_general_dilated(grid, c["kernel"], (1,) * len(shape), "VALID")
        z = z.reshape(z.shape[:2] + (-1,)).transpose(0, 2, 1) + c["bias"]    # (batch, sites, channels)
        a = _activate(conv_activation, z) - c["offset"]
        for (activation, sp_shape), p in zip(hidden_kinds, params["hidden"]):
            a = _dense_layer(p, a, activation, sp_shape)
        if readout is not None:
            return jnp.einsum("bsc,sc->b", a, params["last"]["site_weights"])[:, None] + params["last"]["bias"]
        out = _dense_layer(params["last"], a.sum(axis=1), *last_kind, bias_scale=sites)
        return _activate(pool, out + params["pool_bias"])
    return apply_fn, params


class _Eye:
    def __init__(self, weight, n_out):
        self.weight, self.n_out = weight, n_out
