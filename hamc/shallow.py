"""Monomials -> one-hidden-layer Network: flat products (eq 28/32) or bit products (eq 13)."""
from __future__ import annotations

import numpy as np

from . import gates
from .network import Layer, make_layer
from .plan import monomial_table

FLAT_MAX_DEGREE = 24


def flat_neurons(table: dict, copy_neurons: int) -> int:
    """Hidden neurons of the flat network: prod(r_i + 1) per monomial of degree >= 2 (Rolnick &
    Tegmark; 2^d for distinct factors), copy neurons per linear term. Exact integer, never built."""
    total = 0
    for k, (monomials, _) in table.items():
        if k == 1:
            total += copy_neurons * len(monomials)
        elif k >= 2:
            for row in monomials:
                total += gates.flat_neurons_for_powers(tuple(np.unique(row, return_counts=True)[1]))
    return total


def _output(hidden_coef: np.ndarray, constant: np.ndarray, n_hidden: int, dtype, log_priors) -> Layer:
    """Output layer from (neuron, output) -> weight entries given as a dense (n_hidden, n_out) matrix."""
    rows, cols = np.nonzero(hidden_coef)
    vals = hidden_coef[rows, cols]
    shape = (n_hidden, len(constant))
    if log_priors is None:
        return make_layer(rows, cols, vals, shape, constant, "identity", dtype)
    return make_layer(rows, cols, -vals, shape, -constant + log_priors, "softmax", dtype)


def build_flat(h, magnitude: np.ndarray, activation: str, dtype, copy_gate: gates.Gate,
               scale_for_degree, log_priors=None, max_neurons: int = 1 << 22) -> tuple[Layer, ...]:
    """Every monomial of degree d >= 2 gets its own flat product gate; linear terms a copy gate."""
    table, constant = monomial_table(h)
    for k, (monomials, _) in table.items():
        if k > FLAT_MAX_DEGREE:
            raise ValueError(f"a flat network for a monomial of degree {k} needs {gates.flat_neurons(k):,} "
                             f"hidden neurons; the flat strategy stops at degree {FLAT_MAX_DEGREE}")
    needed = flat_neurons(table, copy_gate.w_in.shape[1])
    if needed > max_neurons:
        raise ValueError(f"the flat network needs {needed:,} hidden neurons (limit {max_neurons:,})")
    rows, cols, vals, bias, out_rows, out_coef = [], [], [], [], [], []
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0:
            continue
        gate = copy_gate if k == 1 else gates.flat_product_gate(activation, k, scale_for_degree(k))
        hn = gate.w_in.shape[1]
        for mono, c in zip(monomials, coef):
            bound = magnitude[mono]
            cols_ = n + np.arange(hn)
            for i, v in enumerate(mono):
                rows.append(np.full(hn, v))
                cols.append(cols_)
                vals.append(gate.w_in[i] / bound[i])
            bias.append(gate.b)
            out_rows.append(cols_)
            out_coef.append(np.outer(gate.w_out[:, 0] * np.prod(bound), c))
            constant = constant + gate.b_out[0] * np.prod(bound) * c
            n += hn
    hidden = make_layer(np.concatenate(rows or [[]]), np.concatenate(cols or [[]]), np.concatenate(vals or [[]]),
                        (h.n_variables, n), np.concatenate(bias or [[]]), activation, dtype,
                        (("flat", n),))
    out = np.zeros((n, len(constant)))
    for r, c in zip(out_rows, out_coef):
        out[r] += c
    return hidden, _output(out, constant, n, dtype, log_priors)


def spins_to_bits(h) -> tuple[dict, np.ndarray]:
    """The monomial table over bits x = (s + 1)/2: prod_{spins} s = prod (2x - 1), expanded exactly."""
    table, constant = monomial_table(h)
    spin = h.domains == 2
    parts: dict[int, list] = {}
    for k, (monomials, coef) in table.items():
        if k == 0:
            continue
        is_spin = spin[monomials]
        for mask in range(2 ** k):
            keep = ((mask >> np.arange(k)) & 1).astype(bool)
            valid = np.all(keep[None, :] | is_spin, axis=1)          # a bit factor cannot drop out
            if not valid.any():
                continue
            factor = np.prod(np.where(is_spin[valid], np.where(keep, 2.0, -1.0), 1.0), axis=1)
            sub = monomials[valid][:, keep]
            if keep.sum() == 0:
                constant = constant + factor @ coef[valid]
                continue
            parts.setdefault(int(keep.sum()), []).append((sub, coef[valid] * factor[:, None]))
    out = {}
    for k, items in parts.items():
        mono = np.vstack([m for m, _ in items])
        coef = np.vstack([c for _, c in items])
        uniq, inverse = np.unique(mono, axis=0, return_inverse=True)
        summed = np.zeros((len(uniq), coef.shape[1]))
        np.add.at(summed, inverse.reshape(-1), coef)
        nz = np.any(summed != 0, axis=1)
        out[k] = (uniq[nz], summed[nz])
    return out, constant


def build_bits(h, activation: str, dtype, beta: float, log_priors=None) -> tuple[Layer, ...]:
    """One threshold neuron per bit monomial (degree 1 included), then a linear (or softmax) output."""
    table, constant = spins_to_bits(h)
    spin = h.domains == 2
    rows, cols, vals, bias, out = [], [], [], [], []
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        gate = gates.bit_product_gate(k, beta, activation)
        m = len(monomials)
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
                        (h.n_variables, n), np.concatenate(bias or [[]]), activation, dtype, (("bit", n),))
    out_matrix = np.vstack(out) if out else np.zeros((0, len(constant)))
    return hidden, _output(out_matrix, constant, n, dtype, log_priors)
