"""(Network or Hamiltonian, NumPy or dask configurations) -> outputs (batch, n_outputs) of the same kind."""
from __future__ import annotations

import numpy as np


def evaluate(model, x):
    """The outputs of a compiled Network (or the exact energies of a Hamiltonian) for a batch.

    x is (batch, n_inputs), or (batch, *lattice shape) for a lattice model; a NumPy array gives a
    NumPy array, a dask array a dask array (evaluated when computed, on whichever scheduler or
    dask.distributed client is current). Lattice models split into chunks along the lattice axes
    are evaluated chunk by chunk, each chunk extended by periodic halos of the stencil's reach.
    """
    if _is_dask(x):
        return _evaluate_dask(model, x)
    x = np.asarray(x)
    rows = _rows(model, x)
    out = model(rows) if _is_network(model) else model.evaluate(rows)
    return np.asarray(out).reshape(len(rows), -1)


def _is_dask(x) -> bool:
    return type(x).__module__.split(".")[0] == "dask"


def _is_network(model) -> bool:
    return hasattr(model, "layers")


def _lattice_shape(model) -> tuple[int, ...] | None:
    """The lattice a model's inputs fill, if they fill exactly one."""
    if _is_network(model):
        return tuple(model.shared.shape) if model.shared is not None else None
    if len(model.variables) == 1 and model.variables[0].shape:
        return tuple(model.variables[0].shape)
    return None


def _n_inputs(model) -> int:
    return len(model.inputs) if _is_network(model) else model.n_variables


def _rows(model, x):
    """x as (batch, n_inputs), checked."""
    shape = _lattice_shape(model)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim > 2 or (shape is not None and x.shape[1:] == shape):
        if shape is None or tuple(x.shape[1:]) != shape:
            raise ValueError(f"expected configurations of shape (batch, {_n_inputs(model)})"
                             + (f" or (batch, {', '.join(map(str, shape))})" if shape else "")
                             + f", got {tuple(x.shape)}")
        x = x.reshape(x.shape[0], -1)
    if x.ndim != 2 or x.shape[1] != _n_inputs(model):
        raise ValueError(f"expected {_n_inputs(model)} inputs per row, got shape {tuple(x.shape)}")
    return x


def _evaluate_rows(block, *, model):
    return evaluate(model, block)


def _evaluate_dask(model, x):
    if not _is_network(model):
        from .ir.chunked import energies
        return energies(model, x)
    shape = _lattice_shape(model)
    if shape is not None and x.ndim == len(shape) + 1 and tuple(x.shape[1:]) == shape:
        from .network.chunked import shared_forward
        from .network.model import ACTIVATION_FUNCTIONS
        return shared_forward(model, x, ACTIVATION_FUNCTIONS)
    rows = x.rechunk({i: -1 for i in range(1, x.ndim)})
    rows = _rows(model, rows)
    return rows.map_blocks(_evaluate_rows, model=model, chunks=(rows.chunks[0], (model.layers[-1].n_out,)),
                           dtype=model.dtype)
