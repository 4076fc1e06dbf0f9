"""Network -> ONNX model (standard opset 17): one input (batch, n_inputs), one output (batch, n_outputs)."""
from __future__ import annotations

import os

import numpy as np

from ..errors import HamcError
from .common import check_dtype, dense, local_readout, offset, require, wrap_indices, kernel

onnx = require("onnx", "onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OPSET = 17
# Dense initialisers up to this many weights (onnxruntime densifies sparse ones anyway): 2 GB in float64.
MAX_WEIGHTS = 1 << 28


def to_onnx(network, path: str | os.PathLike | None = None, *, dtype=None):
    """The ModelProto (checked by onnx.checker), written to `path` when given (atomically; the same
    network gives the same bytes). A shared layout is read by gathering wrapped indices (periodic
    padding) and slicing one shifted lattice per stencil offset, then per-site MatMuls: onnxruntime has
    no float64 Conv, and this form runs in both dtypes."""
    own = check_dtype(network, dtype)
    total = sum(int(layer.weight.shape[0]) * int(layer.weight.shape[1]) for layer in network.layers)
    if total > MAX_WEIGHTS:
        raise HamcError(f"the ONNX model would hold {total:,} dense weights (more than {MAX_WEIGHTS:,}); "
                        "compile with --layout shared where it applies, or a smaller system")
    g = _Graph(own)
    x = "x"
    if network.shared is not None:
        x = _patches(g, network.shared, x)
        *hidden, last = network.layers
        for layer in hidden:
            x = _layer(g, layer, x)
        readout = local_readout(network.shared, last)
        x = _pool(g, network.shared, last, x) if readout is None else _local_sum(g, readout, x)
    else:
        for layer in network.layers:
            x = _layer(g, layer, x)
    g.nodes.append(helper.make_node("Identity", [x], ["y"]))
    elem = TensorProto.DOUBLE if own == np.float64 else TensorProto.FLOAT
    graph = helper.make_graph(g.nodes, "hamc", [helper.make_tensor_value_info("x", elem, ["batch", len(network.inputs)])],
                              [helper.make_tensor_value_info("y", elem, ["batch", len(network.outputs)])],
                              g.initializers)
    graph.doc_string = "outputs: " + ", ".join(network.outputs)
    model = helper.make_model(graph, producer_name="hamc", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8           # onnxruntime >= 1.13 reads it
    onnx.checker.check_model(model)
    if path is not None:
        from ..io.atomic import write_atomic
        write_atomic(path, model.SerializeToString(deterministic=True))
    return model


class _Graph:
    """Nodes and initialisers with names numbered in order of creation: the same network, the same bytes."""

    def __init__(self, dtype):
        self.dtype, self.nodes, self.initializers, self.count = dtype, [], [], 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, array, stem: str) -> str:
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(self.dtype)
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs, **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, list(inputs), [out], name=out, **attrs))
        return out


def _pool(g: _Graph, lay, last, x: str) -> str:
    """(batch, sites, channels) -> outputs of a shared layout: the sum over sites, the last layer, the pooling."""
    x = g.node("ReduceSum", [x, g.const(np.array([1], np.int64), "sum_axes")], keepdims=0)
    x = _layer(g, last, x, bias_scale=lay.sites)
    x = g.node("Add", [x, g.const(lay.pool_bias, "pool_bias")])
    return _activation(g, lay.pool_activation, x)


def _local_sum(g: _Graph, readout, x: str) -> str:
    """(batch, sites, channels) -> (batch, 1) of a locally connected layout: the per-site weights V, as one MatMul."""
    weights, bias = readout
    x = g.node("Reshape", [x, g.const(np.array([-1, weights.size], np.int64), "flat")])
    x = g.node("MatMul", [x, g.const(weights.reshape(-1, 1), "site_weights")])
    return g.node("Add", [x, g.const(bias, "local_bias")])


def _layer(g: _Graph, layer, x: str, bias_scale: int = 1) -> str:
    z = g.node("MatMul", [x, g.const(dense(layer.weight), "weight")])
    z = g.node("Add", [z, g.const(bias_scale * np.asarray(layer.bias, np.float64) if bias_scale != 1 else layer.bias,
                                  "bias")])
    a = _activation(g, layer.activation, z)
    return g.node("Sub", [a, g.const(offset(layer), "offset")]) if np.any(offset(layer)) else a


def _activation(g: _Graph, name: str, z: str) -> str:
    if name == "identity":
        return z
    if name in ("sigmoid", "tanh", "exp", "relu"):
        return g.node({"sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "relu": "Relu"}[name], [z])
    if name == "softmax":
        return g.node("Softmax", [z], axis=-1)
    if name == "step":               # step(0) = 1: a sum exactly at the threshold counts as on
        on = g.node("GreaterOrEqual", [z, g.const(np.zeros((), g.dtype), "zero")])
        return g.node("Cast", [on], to=TensorProto.DOUBLE if g.dtype == np.float64 else TensorProto.FLOAT)
    if name == "softplus":
        if g.dtype == np.float32:
            return g.node("Softplus", [z])
        # onnxruntime has no float64 Softplus: relu(z) + log(1 + exp(-|z|)), stable for any z
        tail = g.node("Exp", [g.node("Neg", [g.node("Abs", [z])])])
        log = g.node("Log", [g.node("Add", [tail, g.const(np.ones((), g.dtype), "one")])])
        return g.node("Add", [g.node("Relu", [z]), log])
    raise ValueError(f"unknown activation '{name}'")


def _patches(g: _Graph, lay, x: str) -> str:
    """(batch, sites) -> (batch, sites, patch): feature p of site s is x[s + offsets[p]], periodically."""
    shape = tuple(int(n) for n in lay.shape)
    grid = g.node("Reshape", [x, g.const(np.array((-1,) + shape, np.int64), "lattice")])
    lows, size = kernel(lay)
    for axis, index in enumerate(wrap_indices(lay)):
        grid = _wrap(g, grid, axis + 1, shape[axis], -int(lows[axis]), int(size[axis]) - 1 + int(lows[axis]), index)
    axes = g.const(np.arange(1, len(shape) + 1, dtype=np.int64), "axes")
    flat = g.const(np.array([-1, lay.sites, 1], np.int64), "sites")
    columns = []
    for o in np.asarray(lay.offsets, np.int64):
        start = o - lows
        shifted = g.node("Slice", [grid, g.const(start, "starts"), g.const(start + np.array(shape), "ends"), axes])
        columns.append(g.node("Reshape", [shifted, flat]))
    return g.node("Concat", columns, axis=2)


def _wrap(g: _Graph, grid: str, axis: int, n: int, before: int, after: int, index: np.ndarray) -> str:
    """grid padded periodically along axis: Slice + Concat when the padding is at most the axis's length
    (a copy), a Gather of the wrapped indices otherwise."""
    if before > n or after > n:
        return g.node("Gather", [grid, g.const(index.astype(np.int64), "wrap")], axis=axis)
    if before == after == 0:
        return grid

    def part(start: int, end: int) -> str:
        return g.node("Slice", [grid, g.const(np.array([start], np.int64), "starts"),
                                g.const(np.array([end], np.int64), "ends"), g.const(np.array([axis], np.int64), "axis")])
    parts = ([part(n - before, n)] if before else []) + [grid] + ([part(0, after)] if after else [])
    return g.node("Concat", parts, axis=axis)
