"""The compiled network: layers of (W, b, activation), a NumPy forward pass, and its counts."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax

# Dense weights up to this many entries; sparse (CSR) beyond, where most entries are zero.
DENSE_MAX_ENTRIES = 1 << 20

ACTIVATION_FUNCTIONS = {
    "identity": lambda z: z,
    "sigmoid": expit,
    "tanh": np.tanh,
    "softplus": lambda z: np.logaddexp(0, z),
    "exp": np.exp,
    "relu": lambda z: np.maximum(z, 0),
    "step": lambda z: (z >= 0).astype(z.dtype),
    "softmax": lambda z: softmax(z, axis=1),
}


@dataclass(frozen=True)
class Layer:
    """`activation(x @ weight + bias)`: weight has shape (inputs, neurons), dense or CSR."""

    weight: np.ndarray | sp.csr_matrix
    bias: np.ndarray
    activation: str
    roles: tuple[tuple[str, int], ...] = ()   # (role, neuron count) in order: product, copy, bit, ...

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
        z = x @ self.weight
        z = np.asarray(z, dtype=self.bias.dtype) + self.bias
        return ACTIVATION_FUNCTIONS[self.activation](z)


def make_layer(rows, cols, values, shape, bias, activation: str, dtype, roles=()) -> Layer:
    """A layer from COO triplets (duplicates summed, zeros dropped), dense when small enough."""
    w = sp.coo_matrix((np.asarray(values, np.float64), (np.asarray(rows, np.int64), np.asarray(cols, np.int64))),
                      shape=shape).tocsr()
    w.sum_duplicates()
    w.eliminate_zeros()
    weight = w.toarray().astype(dtype) if shape[0] * shape[1] <= DENSE_MAX_ENTRIES else w.astype(dtype)
    return Layer(weight, np.asarray(bias, dtype=dtype), activation, tuple(roles))


@dataclass(frozen=True)
class Network:
    layers: tuple[Layer, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    meta: dict = field(default_factory=dict)     # strategy, activation, dtype, scales, plan counts

    @property
    def dtype(self):
        return self.layers[0].bias.dtype if self.layers else np.dtype(np.float64)

    def __call__(self, x) -> np.ndarray:
        """Outputs for a batch (rows = configurations); shape (batch,) for a single output."""
        a = np.atleast_2d(np.asarray(x)).astype(self.dtype)
        if a.shape[1] != len(self.inputs):
            raise ValueError(f"expected {len(self.inputs)} inputs per row, got {a.shape[1]}")
        for layer in self.layers:
            a = layer(a)
        return a[:, 0] if len(self.outputs) == 1 and self.layers[-1].activation != "softmax" else a

    # counts ----------------------------------------------------------------------------
    @property
    def hidden_layers(self) -> tuple[Layer, ...]:
        return self.layers[:-1]

    @property
    def hidden_neurons(self) -> int:
        return sum(layer.n_out for layer in self.hidden_layers)

    @property
    def synapses(self) -> int:
        return sum(layer.synapses for layer in self.layers)

    @property
    def parameters(self) -> int:
        """Independent parameters: nonzero weights and biases (no weight sharing in this layout)."""
        return self.synapses + sum(int(np.count_nonzero(layer.bias)) for layer in self.layers)

    @property
    def depth(self) -> int:
        """Hidden layers (the output layer is affine or softmax and not counted)."""
        return len(self.hidden_layers)

    def neurons_by_role(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for layer in self.hidden_layers:
            for role, count in layer.roles:
                out[role] = out.get(role, 0) + count
        return out

    def summary(self) -> str:
        lines = [f"{'layer':>5}  {'inputs':>9}  {'neurons':>9}  {'synapses':>10}  activation  neurons by role"]
        for k, layer in enumerate(self.layers):
            roles = ", ".join(f"{n:,} {r}" for r, n in layer.roles)
            kind = "output" if k == len(self.layers) - 1 else str(k + 1)
            lines.append(f"{kind:>5}  {layer.n_in:>9,}  {layer.n_out:>9,}  {layer.synapses:>10,}  "
                         f"{layer.activation:<10}  {roles}")
        return "\n".join(lines)
