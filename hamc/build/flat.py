"""Monomials -> one-hidden-layer Network of flat products (eq 28/32); the output layer and labels that
the bit construction (bits.py) shares."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import gates
from ..errors import HamcError
from ..network.model import ACTIVATION_FUNCTIONS, LABELLED_GATES_MAX, Layer, Triplets, gate_blocks, make_layer
from .heads import output_head

FLAT_STRATEGY_MAX_DEGREE = 24


def flat_network_neurons(table: dict, copy_neurons: int) -> int:
    """Hidden neurons of the flat network: prod(r_i + 1) per monomial of degree >= 2 (Rolnick &
    Tegmark; 2^d for distinct factors), copy neurons per linear term. Exact integer, never built."""
    total = 0
    for k, (monomials, _) in table.items():
        if k == 1:
            total += copy_neurons * len(monomials)
        elif k >= 2:
            repeats = np.any(monomials[:, 1:] == monomials[:, :-1], axis=1)
            total += int((~repeats).sum()) * gates.flat_gate_neurons(k)
            for row in monomials[repeats]:       # powers of real variables: the rare, slow case
                total += gates.flat_gate_neurons_for_powers(tuple(np.unique(row, return_counts=True)[1]))
    return total


def check_flat_degree(k: int) -> None:
    """Refuse (HamcError) a flat gate for a monomial of degree k beyond FLAT_STRATEGY_MAX_DEGREE."""
    if k > FLAT_STRATEGY_MAX_DEGREE:
        raise HamcError(f"a flat network for a monomial of degree {k} needs {gates.flat_gate_neurons(k):,} "
                         f"hidden neurons; the flat strategy stops at degree {FLAT_STRATEGY_MAX_DEGREE}")


def output_layer(hidden_coef: np.ndarray, constant: np.ndarray, n_hidden: int, dtype, log_priors) -> Layer:
    """Output layer from (neuron, output) -> weight entries given as a dense (n_hidden, n_out) matrix."""
    rows, cols = np.nonzero(hidden_coef)
    return output_head(rows, cols, hidden_coef[rows, cols], (n_hidden, len(constant)), constant, dtype, log_priors)


def monomial_labels(names, monomials, prefix: str, keep: bool) -> tuple[str, ...]:
    if not keep:
        return ()
    return tuple(prefix.format(" ".join(names[int(v)] for v in m)) for m in monomials)


def check_flat_size(table: dict, copy_neurons: int, max_neurons: int) -> None:
    """Refuse (HamcError) a flat network beyond the degree limit or `max_neurons`, before building it."""
    check_flat_degree(max(table, default=0))
    needed = flat_network_neurons(table, copy_neurons)
    if needed > max_neurons:
        raise HamcError(f"the flat network needs {needed:,} hidden neurons (limit {max_neurons:,})")


@dataclass(frozen=True, eq=False)
class FlatRequest:
    """A monomial table to build as flat gates: `table` and `constant` over len(names) inputs, each
    bounded by `magnitude`; linear terms go through `copy_gate`, and `scale_for_powers(r)` is the
    scale lambda of the flat gate for powers r; `log_priors` marks a classifier."""
    table: dict
    constant: np.ndarray
    names: tuple
    magnitude: np.ndarray
    activation: str
    copy_gate: gates.Gate
    scale_for_powers: Callable[[tuple[int, ...]], float]
    log_priors: np.ndarray | None = None


def build_flat(request: FlatRequest, *, dtype, max_neurons: int = 1 << 22) -> tuple[Layer, ...]:
    """Every monomial of degree >= 2 gets its own flat product gate (prod(r_i + 1) neurons for
    powers r_i of distinct variables); linear terms a copy gate."""
    r = request
    table, constant, magnitude, copy_gate = r.table, r.constant, r.magnitude, r.copy_gate
    check_flat_size(table, copy_gate.neurons, max_neurons)
    w, bias, out, kinds, sizes, labels = Triplets(), [], [], [], [], []
    keep = sum(len(m) for k, (m, _) in table.items() if k) <= LABELLED_GATES_MAX
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0:
            continue
        for mono, c in zip(monomials, coef):
            variables, powers = np.unique(mono, return_counts=True)
            gate = copy_gate if k == 1 else gates.flat_power_gate(r.activation, tuple(powers),
                                                                  r.scale_for_powers(tuple(powers)))
            bound = magnitude[variables]
            cols = n + np.arange(gate.neurons)
            # inputs enter as x_i / R_i, so the gate sees [-1, 1]; its output is scaled back by prod R_i^r_i
            w.add(np.repeat(variables, gate.neurons), np.tile(cols, len(variables)),
                  (gate.w_in / bound[:, None]).ravel())
            bias.append(gate.b)
            out_scale = float(np.prod(bound ** powers))
            out.append((cols, np.outer(gate.w_out[:, 0] * out_scale, c)))
            constant = constant + gate.b_out[0] * out_scale * c
            n += gate.neurons
            kinds.append("copy" if k == 1 else "flat")
            sizes.append(gate.neurons)
        labels.extend(monomial_labels(r.names, monomials, "copy {}" if k == 1 else "flat {}", keep))
    out_matrix = np.zeros((n, len(constant)))
    for cols, c in out:
        out_matrix[cols] += c
    # each neuron reports sigma(z) - sigma(c), its bias point's value added back in the output's
    # constant: the output weights ~1/(2^d s_d lambda^d) then multiply small numbers (see Layer)
    biases = np.concatenate(bias or [[]])
    offset = ACTIVATION_FUNCTIONS[r.activation](biases)
    hidden = make_layer(*w.triplets(), (len(r.names), n), biases, r.activation, dtype,
                        gate_blocks(kinds, sizes, labels), offset)
    return hidden, output_layer(out_matrix, constant + out_matrix.T @ offset, n, dtype, r.log_priors)
