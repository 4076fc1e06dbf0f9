"""Monomials -> one-hidden-layer Network: flat products (eq 28/32) or bit products (eq 13)."""
from __future__ import annotations

import numpy as np

from . import error_bound
from . import gates
from ..errors import HamcError
from ..network.model import ACTIVATION_FUNCTIONS, LABELLED_GATES_MAX, Layer, Triplets, gate_blocks, make_layer
from ..ir.terms import group_sum, unique_rows

FLAT_MAX_DEGREE = 24


def flat_neurons(table: dict, copy_neurons: int) -> int:
    """Hidden neurons of the flat network: prod(r_i + 1) per monomial of degree >= 2 (Rolnick &
    Tegmark; 2^d for distinct factors), copy neurons per linear term. Exact integer, never built."""
    total = 0
    for k, (monomials, _) in table.items():
        if k == 1:
            total += copy_neurons * len(monomials)
        elif k >= 2:
            repeats = np.any(monomials[:, 1:] == monomials[:, :-1], axis=1)
            total += int((~repeats).sum()) * gates.flat_neurons(k)
            for row in monomials[repeats]:       # powers of real variables: the rare, slow case
                total += gates.flat_neurons_for_powers(tuple(np.unique(row, return_counts=True)[1]))
    return total


def check_flat_degree(k: int) -> None:
    """Refuse (HamcError) a flat gate for a monomial of degree k beyond FLAT_MAX_DEGREE."""
    if k > FLAT_MAX_DEGREE:
        raise HamcError(f"a flat network for a monomial of degree {k} needs {gates.flat_neurons(k):,} "
                         f"hidden neurons; the flat strategy stops at degree {FLAT_MAX_DEGREE}")


def _output(hidden_coef: np.ndarray, constant: np.ndarray, n_hidden: int, dtype, log_priors) -> Layer:
    """Output layer from (neuron, output) -> weight entries given as a dense (n_hidden, n_out) matrix."""
    rows, cols = np.nonzero(hidden_coef)
    vals = hidden_coef[rows, cols]
    shape = (n_hidden, len(constant))
    if log_priors is None:
        return make_layer(rows, cols, vals, shape, constant, "identity", dtype)
    return make_layer(rows, cols, -vals, shape, -constant + log_priors, "softmax", dtype)


def _labels(names, monomials, prefix: str, keep: bool) -> tuple[str, ...]:
    if not keep:
        return ()
    return tuple(prefix.format(" ".join(names[int(v)] for v in m)) for m in monomials)


def check_flat_size(table: dict, copy_neurons: int, max_neurons: int) -> None:
    """Refuse (HamcError) a flat network beyond the degree limit or `max_neurons`, before building it."""
    check_flat_degree(max(table, default=0))
    needed = flat_neurons(table, copy_neurons)
    if needed > max_neurons:
        raise HamcError(f"the flat network needs {needed:,} hidden neurons (limit {max_neurons:,})")


def build_flat(table: dict, constant: np.ndarray, n_inputs: int, names, magnitude: np.ndarray, activation: str,
               dtype, copy_gate: gates.Gate, scale_for_powers, log_priors=None,
               max_neurons: int = 1 << 22) -> tuple[Layer, ...]:
    """Every monomial of degree >= 2 gets its own flat product gate (prod(r_i + 1) neurons for
    powers r_i of distinct variables); linear terms a copy gate. `scale_for_powers(r)` is lambda."""
    check_flat_size(table, copy_gate.neurons, max_neurons)
    w, bias, out, kinds, sizes, labels = Triplets(), [], [], [], [], []
    keep = sum(len(m) for k, (m, _) in table.items() if k) <= LABELLED_GATES_MAX
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0:
            continue
        for mono, c in zip(monomials, coef):
            variables, powers = np.unique(mono, return_counts=True)
            gate = copy_gate if k == 1 else gates.flat_power_gate(activation, tuple(powers),
                                                                  scale_for_powers(tuple(powers)))
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
        labels.extend(_labels(names, monomials, "copy {}" if k == 1 else "flat {}", keep))
    out_matrix = np.zeros((n, len(constant)))
    for cols, c in out:
        out_matrix[cols] += c
    # each neuron reports sigma(z) - sigma(c), its bias point's value added back in the output's
    # constant: the output weights ~1/(2^d s_d lambda^d) then multiply small numbers (see Layer)
    biases = np.concatenate(bias or [[]])
    offset = ACTIVATION_FUNCTIONS[activation](biases)
    hidden = make_layer(*w.triplets(), (n_inputs, n), biases, activation, dtype, gate_blocks(kinds, sizes, labels),
                        offset)
    return hidden, _output(out_matrix, constant + out_matrix.T @ offset, n, dtype, log_priors)


def spins_to_bits(table: dict, constant: np.ndarray, spin: np.ndarray) -> tuple[dict, np.ndarray]:
    """A monomial table (see plan.monomial_table) rewritten over bits x = (s + 1)/2 for the
    variables where `spin` is true: prod s = prod (2x - 1), expanded exactly."""
    parts: dict[int, list] = {}
    for k, (monomials, coef) in table.items():
        if k == 0:
            continue
        # monomials with the same spin positions expand alike: 2^(spins) subsets, not 2^k (a bit
        # monomial of degree 1,100 stays one monomial)
        patterns, inverse, _ = unique_rows(spin[monomials].astype(np.int64))
        for p, pattern in enumerate(patterns):
            sel = inverse == p
            mono, c = monomials[sel], coef[sel]
            spins = np.flatnonzero(pattern)
            for mask in range(2 ** len(spins)):
                keep = np.ones(k, bool)
                keep[spins[((mask >> np.arange(len(spins))) & 1) == 0]] = False    # s -> -1 there
                factor = 2.0 ** int(keep[spins].sum()) * (-1.0) ** int(len(spins) - keep[spins].sum())
                if not keep.any():
                    constant = constant + factor * c.sum(axis=0)
                    continue
                parts.setdefault(int(keep.sum()), []).append((mono[:, keep], c * factor))
    out = {}
    for k, items in parts.items():
        mono = np.vstack([m for m, _ in items])
        coef = np.vstack([c for _, c in items])
        uniq, inverse, _ = unique_rows(mono)
        summed = group_sum(coef, inverse, len(uniq))
        nz = np.any(summed != 0, axis=1)
        out[k] = (uniq[nz], summed[nz])
    return out, constant


def build_bits(table: dict, constant: np.ndarray, spin: np.ndarray, names, activation: str, dtype, beta: float,
               log_priors=None) -> tuple[Layer, ...]:
    """One threshold neuron per monomial of the bit table (degree 1 included), then a linear (or
    softmax) output. Inputs where `spin` is true are spins s, fed to the neurons as x = (s + 1)/2."""
    rows, cols, vals, bias, out, blocks = [], [], [], [], [], []
    keep = sum(len(m) for m, _ in table.values()) <= LABELLED_GATES_MAX
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        gate = gates.bit_product_gate(k, beta, activation)
        m = len(monomials)
        blocks.append(gate_blocks(["bit"] * m, [1] * m, _labels(names, monomials, "bits {{{}}}", keep)))
        cols_ = n + np.repeat(np.arange(m), k)
        var = monomials.ravel()
        # a spin input s feeds x = (s + 1)/2: half the weight, and half of it moves into the bias
        w = np.tile(gate.w_in[:, 0], m) * np.where(spin[var], 0.5, 1.0)
        rows.append(var)
        cols.append(cols_)
        vals.append(w)
        bias.append(gate.b[0] + np.bincount(np.repeat(np.arange(m), k), weights=np.where(spin[var], w, 0.0),
                                            minlength=m))
        out.append(coef * gate.w_out[0, 0])
        constant = constant + gate.b_out[0] * coef.sum(axis=0)
        n += m
    hidden = make_layer(np.concatenate(rows or [[]]), np.concatenate(cols or [[]]), np.concatenate(vals or [[]]),
                        (len(spin), n), np.concatenate(bias or [[]]), activation, dtype, sum(blocks, ()))
    out_matrix = np.vstack(out) if out else np.zeros((0, len(constant)))
    return hidden, _output(out_matrix, constant, n, dtype, log_priors)


def bits_errors(hidden: Layer, output: Layer, activation: str, beta: float, u: float, conversion: float):
    """OutputErrors of a bit-product network (see error_bound): each threshold neuron's tail times
    its readout weight, plus `conversion`, the rounding of the coefficients rewritten over bits;
    the output sum's rounding. None if a neuron's sum might not be exact."""
    w = hidden.weight.data if hasattr(hidden.weight, "data") and hasattr(hidden.weight, "nnz") else hidden.weight
    doubled = np.concatenate([2 * np.ravel(w), 2 * hidden.bias]).astype(np.float64)
    if np.any(doubled != np.round(doubled)) or np.abs(doubled).max(initial=0) * (hidden.n_in + 1) > 2 ** 40:
        return None          # sums of halves are exact in either dtype: anything else is not modelled
    tail = error_bound.bit_tail(activation, beta)
    evaluation = 0.0 if activation in ("step", "relu") else error_bound.ACT_ULPS * u
    size = np.ones(hidden.n_out)
    value = (tail + evaluation) * np.asarray(np.ones(hidden.n_out) @ abs(output.weight), np.float64).ravel()
    rounding = error_bound.dot_error(output.weight, size, np.abs(output.bias.astype(np.float64)), u)
    hidden_size = np.asarray(size @ abs(output.weight), np.float64).ravel() + np.abs(output.bias)
    return error_bound.OutputErrors(value + conversion, rounding, hidden_size, hidden_size)
