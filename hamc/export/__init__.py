"""Network -> PyTorch, JAX and ONNX: each framework imported only when its exporter is called."""
from __future__ import annotations


def to_torch(network, *, dtype=None):
    """A torch.nn.Module computing network(X) as (batch, n_outputs); see hamc.export.torch."""
    from .torch import to_torch as convert
    return convert(network, dtype=dtype)


def to_jax(network, *, dtype=None):
    """(apply_fn, params): apply_fn(params, x) -> (batch, n_outputs), jit-able; see hamc.export.jax."""
    from .jax import to_jax as convert
    return convert(network, dtype=dtype)


def to_onnx(network, path=None, *, dtype=None):
    """An onnx.ModelProto, written to path when given; see hamc.export.onnx."""
    from .onnx import to_onnx as convert
    return convert(network, path, dtype=dtype)
