"""The compiled network: layers of (W, b, activation), a NumPy forward pass, and its counts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .activations import ACTIVATIONS

from .shared import SharedLayout

# Gate labels are kept for layers of at most this many gates: enough to draw, cheap at scale.
LABELLED_GATES_MAX = 2000
# Dense weights up to this many entries; sparse (CSR) beyond, where most entries are zero.
DENSE_MAX_ENTRIES = 1 << 20

ACTIVATION_FUNCTIONS = {
    **{name: a.fn for name, a in ACTIVATIONS.items()},
    "identity": lambda z: z,
    "softmax": lambda z: np.exp(z - np.logaddexp.reduce(z, axis=-1, keepdims=True)),
}


@dataclass(frozen=True)
class GateBlock:
    """`count` gates of one kind, `size` neurons each, consecutive in their layer."""

    kind: str                       # product, square, copy, flat, bit
    count: int
    size: int
    labels: tuple[str, ...] = ()    # one per gate ("x1*x2", "copy x3"); kept for small networks only

    @property
    def neurons(self) -> int:
        return self.count * self.size


@dataclass(frozen=True)
class Layer:
    """`activation(x @ weight + bias) - offset`: weight has shape (inputs, neurons), dense or CSR.

    The offset is each neuron's value at its bias point, sigma(c). Subtracting it could be folded
    into the next layer's biases, but subtracting it first is what keeps the next layer accurate:
    a product gate's readout weights are ~1/(4 s2 lambda^2) ~ 1e7, and 1e7 * sigma(c) rounded
    independently in each neuron of the next layer would cost four digits.
    """

    weight: np.ndarray | sp.csr_matrix
    bias: np.ndarray
    activation: str
    gates: tuple[GateBlock, ...] = ()        # the gates of a hidden layer, in neuron order
    offset: np.ndarray | None = None         # (neurons,) subtracted after the activation

    @property
    def n_in(self) -> int:
        return self.weight.shape[0]

    @property
    def n_out(self) -> int:
        return self.weight.shape[1]

    @property
    def synapses(self) -> int:
        return int(self.weight.nnz if sp.issparse(self.weight) else np.count_nonzero(self.weight))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # leading axes flattened (rows counted, not -1: a layer may have no inputs)
        flat = x.reshape(int(np.prod(x.shape[:-1], dtype=np.int64)), x.shape[-1])
        z = np.asarray(flat @ self.weight, dtype=self.bias.dtype) + self.bias
        a = ACTIVATION_FUNCTIONS[self.activation](z)
        if self.offset is not None:
            a = a - self.offset
        return a.reshape(x.shape[:-1] + (self.n_out,))


class Triplets:
    """COO entries collected block by block, joined once at the end."""

    def __init__(self):
        self.rows, self.cols, self.vals = [], [], []

    def add(self, rows, cols, vals) -> None:
        rows, cols, vals = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(vals, np.float64))
        self.rows.append(rows.ravel())
        self.cols.append(cols.ravel())
        self.vals.append(vals.ravel())

    def triplets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.rows:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        return np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)

    def matrix(self, shape) -> sp.csr_matrix:
        rows, cols, vals = self.triplets()
        return sp.coo_matrix((vals, (rows, cols)), shape=shape).tocsr()


def gate_blocks(kinds, sizes, labels=()) -> tuple[GateBlock, ...]:
    """Consecutive gates of the same kind and size grouped into blocks (labels kept if given)."""
    out, start = [], 0
    for i in range(1, len(kinds) + 1):
        if i == len(kinds) or (kinds[i], sizes[i]) != (kinds[start], sizes[start]):
            out.append(GateBlock(kinds[start], i - start, sizes[start], tuple(labels[start:i]) if labels else ()))
            start = i
    return tuple(out)


def make_layer(rows, cols, values, shape, bias, activation: str, dtype, gates=(), offset=None) -> Layer:
    """A layer from COO triplets (duplicates summed, zeros dropped), dense when small enough."""
    w = sp.coo_matrix((np.asarray(values, np.float64), (np.asarray(rows, np.int64), np.asarray(cols, np.int64))),
                      shape=shape).tocsr()
    w.sum_duplicates()
    w.eliminate_zeros()
    weight = w.toarray().astype(dtype) if shape[0] * shape[1] <= DENSE_MAX_ENTRIES else w.astype(dtype)
    offset = None if offset is None or not np.any(offset) else np.asarray(offset, dtype=dtype)
    return Layer(weight, np.asarray(bias, dtype=dtype), activation, tuple(gates), offset)


@dataclass(frozen=True)
class Network:
    """Layers applied in order; with `shared`, they are the per-site layers of a convnet that reads
    each lattice site's neighbourhood and sums the sites' outputs (see shared.SharedLayout)."""

    layers: tuple[Layer, ...]
    inputs: Sequence[str]          # input names in column order (a lazy sequence for big lattices)
    outputs: tuple[str, ...]
    meta: dict = field(default_factory=dict)     # BuildInfo.to_meta() of its build; as read for a loaded file
    shared: SharedLayout | None = None

    @property
    def dtype(self):
        return self.layers[0].bias.dtype if self.layers else np.dtype(np.float64)

    def __call__(self, x) -> np.ndarray:
        """Outputs for a batch (rows = configurations): (batch,) for one energy, as Hamiltonian.evaluate
        gives (so that `network(X) - h.evaluate(X)` cannot broadcast to a matrix), (batch, n_outputs)
        for a classifier. The exports (hamc.to_torch, to_jax, to_onnx) always give (batch, n_outputs)."""
        a = np.atleast_2d(np.asarray(x))
        if a.shape[1] != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs per row, got {a.shape[1]}")
        if self.shared is not None and np.issubdtype(a.dtype, np.integer) and self.shared.integer_layers(self.layers):
            a = self.shared.forward_integers(a, self.layers, ACTIVATION_FUNCTIONS).astype(self.dtype)
        elif self.shared is not None:
            a = self.shared.forward(a.astype(self.dtype), self.layers, ACTIVATION_FUNCTIONS)
        else:
            a = a.astype(self.dtype)
            for layer in self.layers:
                a = layer(a)
        return a[:, 0] if len(self.outputs) == 1 and self.output_activation != "softmax" else a

    @property
    def output_activation(self) -> str:
        return self.shared.pool_activation if self.shared is not None else self.layers[-1].activation

    @property
    def sites(self) -> int:
        """How many times the layers are applied: the lattice sites of a shared layout, else 1."""
        return self.shared.sites if self.shared is not None else 1

    # counts ----------------------------------------------------------------------------
    @property
    def hidden_layers(self) -> tuple[Layer, ...]:
        return self.layers[:-1]

    @property
    def hidden_neurons(self) -> int:
        return self.sites * sum(layer.n_out for layer in self.hidden_layers)

    @property
    def synapses(self) -> int:
        """Nonzero weights of the network as evaluated (a shared layer counts once per site)."""
        return self.sites * sum(layer.synapses for layer in self.layers)

    @property
    def parameters(self) -> int:
        """Independent parameters: nonzero weights and biases, each shared weight counted once."""
        # offsets are sigma(c) of the neurons' bias points: fixed by the biases, not free parameters
        own = sum(layer.synapses + int(np.count_nonzero(layer.bias)) for layer in self.layers)
        coefficients = getattr(self.shared, "coefficients", None)     # a locally connected layout's
        own += int(np.count_nonzero(coefficients)) if coefficients is not None else 0
        return own + (int(np.count_nonzero(self.shared.pool_bias)) if self.shared is not None else 0)

    @property
    def depth(self) -> int:
        """Hidden layers (the output layer is affine or softmax and not counted)."""
        return len(self.hidden_layers)

    def neurons_by_role(self) -> dict[str, int]:
        counts = _by_kind(b for layer in self.hidden_layers for b in layer.gates)
        return {kind: n * self.sites for kind, n in counts.items()}

    def summary(self) -> str:
        lines = [f"{'layer':>5}  {'inputs':>9}  {'neurons':>9}  {'synapses':>10}  activation  neurons by role"]
        for k, layer in enumerate(self.layers):
            roles = ", ".join(f"{n:,} {r}" for r, n in _by_kind(layer.gates).items())
            kind = "output" if k == len(self.layers) - 1 else str(k + 1)
            lines.append(f"{kind:>5}  {layer.n_in:>9,}  {layer.n_out:>9,}  {layer.synapses:>10,}  "
                         f"{layer.activation:<10}  {roles}")
        if getattr(self.shared, "coefficients", None) is not None:
            lines.append(f"locally connected layout: these layers run at each of the {self.sites:,} sites of a "
                         f"periodic {' x '.join(map(str, self.shared.shape))} lattice on a "
                         f"{len(self.shared.offsets)}-site neighbourhood; output k at site s weighed by "
                         f"coefficients[k][s], then summed")
        elif self.shared is not None:
            shape = self.shared.shape
            where = (f"each site of a ring of {self.sites:,}" if len(shape) == 1 else
                     f"each of the {self.sites:,} sites of a periodic {' x '.join(map(str, shape))} lattice")
            lines.append(f"shared layout: these layers run at {where} on a {len(self.shared.offsets)}-site "
                         f"neighbourhood; outputs summed, then {self.shared.pool_activation}")
        return "\n".join(lines)


def _by_kind(gates) -> dict[str, int]:
    out: dict[str, int] = {}
    for block in gates:
        out[block.kind] = out.get(block.kind, 0) + block.neurons
    return out
