"""Monomials of bits and spins -> one-hidden-layer Network of bit products (eq 13): spins rewritten as
bits (s = 2x - 1), one gate per bit monomial."""
from __future__ import annotations

import numpy as np

from . import rounding as fp
from . import error_bound
from . import gates
from . import series_scales
from ..network.activations import get_activation
from ..network.model import LABELLED_GATES_MAX, Layer, gate_blocks, make_layer
from ..ir.terms import scatter_sum, unique_rows
from .flat import monomial_labels, output_layer


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
        summed = scatter_sum(coef, inverse, len(uniq))
        nz = np.any(summed != 0, axis=1)
        out[k] = (uniq[nz], summed[nz])
    return out, constant


def build_bits(table: dict, constant: np.ndarray, spin: np.ndarray, names, activation: str, dtype, beta: float,
               log_priors=None) -> tuple[Layer, ...]:
    """One threshold neuron per monomial of the bit table (degree 1 included), then a linear (or
    softmax) output. Inputs where `spin` is true are spins s, fed to the neurons as x = (s + 1)/2."""
    rows, cols, vals, bias, out, layer_gates = [], [], [], [], [], []
    keep = sum(len(m) for m, _ in table.values()) <= LABELLED_GATES_MAX
    n = 0
    for k, (monomials, coef) in sorted(table.items()):
        gate = gates.bit_product_gate(k, beta, activation)
        m = len(monomials)
        layer_gates.append(gate_blocks(["bit"] * m, [1] * m, monomial_labels(names, monomials, "bits {{{}}}", keep)))
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
                        (len(spin), n), np.concatenate(bias or [[]]), activation, dtype, sum(layer_gates, ()))
    out_matrix = np.vstack(out) if out else np.zeros((0, len(constant)))
    return hidden, output_layer(out_matrix, constant, n, dtype, log_priors)


def bits_errors(hidden: Layer, output: Layer, activation: str, beta: float, u: float, conversion: float):
    """OutputErrors of a bit-product network (see error_bound): each threshold neuron's tail times
    its readout weight, plus `conversion`, the rounding of the coefficients rewritten over bits;
    the output sum's rounding. None if a neuron's sum might not be exact."""
    w = hidden.weight.data if hasattr(hidden.weight, "data") and hasattr(hidden.weight, "nnz") else hidden.weight
    doubled = np.concatenate([2 * np.ravel(w), 2 * hidden.bias]).astype(np.float64)
    if np.any(doubled != np.round(doubled)) or np.abs(doubled).max(initial=0) * (hidden.n_in + 1) > 2 ** 40:
        return None          # sums of halves are exact in either dtype: anything else is not modelled
    # the tail is a fraction of the neuron's range hi - lo; the readout c / (hi - lo) makes it c times the tail
    lo, hi = (0.0, 1.0) if activation in ("step", "relu") else get_activation(activation).limits
    tail = error_bound.bit_tail(activation, beta) * (hi - lo)
    evaluation = 0.0 if activation in ("step", "relu") else fp.ACT_ULPS * u
    size = np.ones(hidden.n_out)
    value = (tail + evaluation) * np.asarray(np.ones(hidden.n_out) @ abs(output.weight), np.float64).ravel()
    rounding = fp.dot_error(output.weight, size, np.abs(output.bias.astype(np.float64)), u)
    hidden_size = np.asarray(size @ abs(output.weight), np.float64).ravel() + np.abs(output.bias)
    return error_bound.OutputErrors(value + conversion, rounding, hidden_size, hidden_size)


# The share of --tol left to the threshold neurons' tails; the rest is for the rounding in the bound.
BITS_TAIL_SHARE = 0.9


def bit_beta(bit_table: dict, tol: float, scale: float) -> float:
    """beta so that every threshold neuron's error sigma(-beta/2), summed with the bit coefficients'
    weights, stays below 0.9 tol * S (eq 13: the error decays like exp(-beta/2)). For a classifier S
    is 2: the posterior moves by at most half its logits' error."""
    # the neurons of all degrees add their errors: sum |c| over every monomial, per output
    totals = [np.abs(c).sum(axis=0) for _, c in bit_table.values()]
    weight = float(np.sum(totals, axis=0).max()) if totals else 1.0
    target = BITS_TAIL_SHARE * tol * scale / max(weight, 1e-300)
    # S = 0 (H is identically 0 on the box, whatever the spin terms cancel to): aim at tol itself
    return max(series_scales.bit_scale(target if target > 0 else tol), 1.0)


def conversion_error(table: dict, in_bits: bool, spin, sites: int, scale: float, u: float) -> float:
    """Per site, the rounding of the coefficients as the table is rewritten over bits (spins_to_bits)
    and, for a shared layout, its translates merged: each is a sum of at most as many parts as there
    are monomials (times the neighbourhood for merged translates), whose magnitudes add up to at
    most 3^degree S (a spin monomial of q factors spreads |c| 3^q over bit monomials)."""
    if not in_bits and not np.any(spin):
        return 0.0                             # bits stay bits: no sums
    terms = sum(len(m) for k, (m, _) in table.items() if k)
    degree = max((k for k in table), default=0)
    parts = terms * (len(spin) + 1 if in_bits else 1) + 2
    return float(fp.gamma(parts, u)) * 3.0 ** degree * scale / sites
