"""ProductPlan -> deep Network: product, square and copy gates wired layer by layer (eq 11)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import rounding as fp
from . import error_bound as eb
from . import gates
from ..network.model import ACTIVATION_FUNCTIONS, LABELLED_GATES_MAX, GateBlock, Layer, Triplets, make_layer
from .heads import output_head
from .plan import ProductPlan, level, monomial_text
from ..network.activations import derivatives


@dataclass(frozen=True)
class _Stage:
    """The values available after a layer, each a linear readout of that layer's neurons.

    Value v = readout[v] @ activations + offset[v]. `rows[k][r]` is the value holding plan node
    (k, r), or -1 where it is not available; `acc[j]` the running sum of output j (or -1).
    """
    readout: sp.csr_matrix
    offset: np.ndarray
    rows: dict[int, np.ndarray]
    acc: np.ndarray
    acc_bound: np.ndarray
    error: np.ndarray           # per value: bound on |realised value - exact value| (error_bound)
    offset_size: np.ndarray     # per value: sum of the magnitudes its float offset was added up from
    neuron_size: np.ndarray     # per neuron (or input) the readout reads: bound on |activation|


@dataclass(frozen=True)
class GateSet:
    """The unit-range gates one network uses (inputs scaled to [-1, 1] before each gate)."""
    product: gates.Gate
    square: gates.Gate
    copy: gates.Gate


class _LayerBuilder:
    def __init__(self, prev: _Stage, u: float):
        self.prev, self.u = prev, u
        self.g, self.r = Triplets(), Triplets()
        self.bias, self.offset, self.gates, self.centers = [], [], [], []
        self.reach, self.gate_error, self.value_bound = [], [], []
        self.n_cols = self.n_vals = 0

    def add(self, gate: gates.Gate, inputs, scales, out_scale, kind: str, labels) -> np.ndarray:
        """m copies of `gate`: input i of copy q reads prev value inputs[i][q] divided by scales[i][q];
        the gate's output is multiplied by out_scale[q]; `labels()` names the m gates, called
        only if the layer is small enough to keep labels. Returns the new values' rows."""
        m, width = len(out_scale), gate.neurons
        if m == 0:
            return np.empty(0, np.int64)
        cols = self.n_cols + np.arange(m)[:, None] * width + np.arange(width)[None, :]
        for i, (rows, scale) in enumerate(zip(inputs, scales)):
            self.g.add(np.repeat(rows, width).reshape(m, width), cols, gate.w_in[i][None, :] / scale[:, None])
        vals = self.n_vals + np.arange(m)
        self.r.add(np.repeat(vals, width).reshape(m, width), cols, gate.w_out[:, 0][None, :] * out_scale[:, None])
        self.bias.append(np.tile(gate.b, m))
        self.centers.append(np.tile(gate.b, m))
        _check_centered(gate)
        self.offset.append(np.zeros(m))
        self.n_cols += m * width
        self.n_vals += m
        self.gates.append((kind, m, width, labels))
        # the error bound: truncation at the inputs as computed (errors included), then the exact operation
        errors = [self.prev.error[rows] for rows in inputs]
        truncation, reach = eb.gate_truncation(gate, np.column_stack([1 + e / r for e, r in zip(errors, scales)]))
        self.reach.append(reach.ravel())
        self.gate_error.append(truncation * out_scale + eb.propagate(kind, scales, errors))
        self.value_bound.append(out_scale)
        return vals

    def layer(self, activation: str, dtype) -> tuple[Layer, sp.csr_matrix, np.ndarray]:
        gmat = self.g.matrix((self.prev.readout.shape[0], self.n_cols))
        weight = (self.prev.readout.T @ gmat).tocoo()
        bias = gmat.T @ self.prev.offset + (np.concatenate(self.bias) if self.bias else np.zeros(0))
        # neurons report sigma(z) - sigma(c): the readouts then add sigma(c) back through their offsets
        centers = np.concatenate(self.centers) if self.centers else np.zeros(0)
        neuron_offset = ACTIVATION_FUNCTIONS[activation](centers)
        layer = make_layer(weight.row, weight.col, weight.data, weight.shape, bias, activation, dtype,
                           _gate_blocks(self.gates), neuron_offset)
        readout = self.r.matrix((self.n_vals, self.n_cols))
        offset = np.concatenate(self.offset) if self.offset else np.zeros(0)
        # every gate's constant is -sum(w_out) sigma(c) (_centered): what is left is the stored
        # offsets' rounding, sigma(c) as the dtype holds it minus its exact value
        neuron_offset = layer.offset.astype(np.float64) if layer.offset is not None else np.zeros(self.n_cols)
        residual = neuron_offset - _exact_values(activation, centers)
        offset_size = np.abs(offset) + abs(readout) @ np.abs(residual)
        offset = offset + readout @ residual
        error, neuron_size = self._errors(layer, gmat, centers, offset_size)
        return layer, readout, offset, error, offset_size, neuron_size

    def _errors(self, layer: Layer, gmat, centers, offset_size):
        """Each new value's error bound (its gate's, plus the rounding of its neurons) and each
        neuron's magnitude bound, from the layer as stored (see error_bound)."""
        cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0)        # noqa: E731
        u, prev = self.u, self.prev
        bias_size = abs(gmat).T @ np.abs(prev.offset) + np.abs(centers)
        arg_error = fp.dot_error(layer.weight, prev.neuron_size, bias_size, u)
        neuron_error, neuron_size = eb.neuron_errors(layer.activation, centers, cat(self.reach), arg_error, u)
        readout = self.r.matrix((self.n_vals, self.n_cols))
        error = (cat(self.gate_error) + abs(readout) @ neuron_error + 8 * u * cat(self.value_bound)
                 + fp.gamma(3, u) * offset_size)
        return error, neuron_size


def _check_centered(gate: gates.Gate) -> None:
    """A Taylor gate's constant b_out is -sum(w_out) sigma(c) in exact arithmetic: once each neuron
    reports sigma(z) - sigma(c) its readout needs no offset (and a square's 1e8-sized constant,
    rounded, would cost the next layer digits). Checked, since the readouts rely on it."""
    s0 = float(ACTIVATION_FUNCTIONS[gate.activation](np.float64(gate.b[0])))
    expected = -gate.w_out[:, 0].sum() * s0
    if np.any(gate.b != gate.b[0]) or abs(gate.b_out[0] - expected) > 1e-9 * np.abs(gate.w_out).sum() * max(abs(s0), 1):
        raise AssertionError(f"a {gate.kind} gate whose constant is not -sum(w_out) sigma(c)")


def _exact_values(activation: str, centers: np.ndarray) -> np.ndarray:
    """sigma(c) per neuron to 30 digits, rounded to float64."""
    out = np.empty(len(centers))
    for c in np.unique(centers):
        out[centers == c] = derivatives(activation, float(c), 0)[0]
    return out


def _gate_blocks(pending) -> tuple[GateBlock, ...]:
    keep = sum(m for _, m, _, _ in pending) <= LABELLED_GATES_MAX
    return tuple(GateBlock(kind, m, h, tuple(labels()) if keep else ()) for kind, m, h, labels in pending)


def input_stage(plan: ProductPlan, bounds: dict[int, np.ndarray], u: float, rounded_inputs: bool,
                forms=None, magnitude=None) -> _Stage:
    """Stage 0: the inputs themselves, and each output's linear terms as its first running sum.
    `rounded_inputs`: real inputs are rounded to the network's dtype (float32), off by u |x|.
    With `forms` (K, n), plan variables n..n+K-1 are the linear forms forms @ x: readouts of the
    inputs that the first hidden layer's weights absorb, so they cost no neurons."""
    if forms is not None:
        return _lifted(input_stage(plan, bounds, u, rounded_inputs), forms, magnitude, u, rounded_inputs)
    n_out = plan.n_outputs
    variables = plan.nodes.get(1, np.empty((0, 1), np.int64))[:, 0]
    r = Triplets()
    r.add(np.arange(len(variables)), variables, 1.0)
    acc = np.full(n_out, -1)
    acc_bound = np.zeros(n_out)
    n_vals = len(variables)
    if 1 in plan.terms:
        rows, coef = plan.terms[1]
        for j in range(n_out):
            if np.any(coef[:, j]):
                r.add(n_vals, variables[rows], coef[:, j])
                acc[j], n_vals = n_vals, n_vals + 1
                acc_bound[j] = np.abs(coef[:, j]) @ bounds[1][rows]
    readout = r.matrix((n_vals, plan.n_variables))
    rows = {k: np.full(len(v), -1) for k, v in plan.nodes.items()}
    rows[1] = np.arange(len(variables))
    size = np.zeros(plan.n_variables)
    size[variables] = bounds[1] if 1 in bounds else []
    input_error = size * u if rounded_inputs else np.zeros_like(size)
    return _Stage(readout, np.zeros(n_vals), rows, acc, acc_bound, abs(readout) @ input_error, np.zeros(n_vals), size)


def _lifted(stage: _Stage, forms: np.ndarray, magnitude: np.ndarray, u: float, rounded_inputs: bool) -> _Stage:
    """An input stage over [x, forms @ x] re-read over x alone. A form's value is off by the
    rounding of the folded weights (gamma of its terms and the forms, times |forms| @ R)."""
    k, n = forms.shape
    lift = sp.vstack([sp.identity(n, format="csr"), sp.csr_matrix(forms)]).tocsr()
    readout = (stage.readout @ lift).tocsr()
    size = np.asarray(magnitude[:n], np.float64)
    fold = np.concatenate([np.zeros(n), fp.gamma((forms != 0).sum(axis=1) + k + 2, u) * (np.abs(forms) @ size)])
    input_error = size * u if rounded_inputs else np.zeros(n)
    error = abs(readout) @ input_error + abs(stage.readout) @ fold
    return _Stage(readout, stage.offset, stage.rows, stage.acc, stage.acc_bound, error, stage.offset_size, size)


def hidden_layer(plan: ProductPlan, prev: _Stage, layer_no: int, bounds, gate_set: GateSet,
                 activation: str, dtype, names) -> tuple[Layer, _Stage]:
    builder = _LayerBuilder(prev, fp.unit_roundoff(dtype))

    def node_labels(k, rows, prefix=""):
        return lambda: [prefix + monomial_text([names[v] for v in plan.nodes[k][r]]) for r in rows]

    rows = {k: np.full(len(v), -1) for k, v in plan.nodes.items()}
    for k in sorted(plan.nodes):
        if k < 2 or level(k) != layer_no:
            continue
        half = k - k // 2
        lrow, rrow = plan.left[k], plan.right[k]
        u, v = prev.rows[half][lrow], prev.rows[k // 2][rrow]
        ru, rv = bounds[half][lrow], bounds[k // 2][rrow]
        sq = plan.squares(k)
        rows[k][~sq] = builder.add(gate_set.product, (u[~sq], v[~sq]), (ru[~sq], rv[~sq]), (ru * rv)[~sq], "product",
                             node_labels(k, np.flatnonzero(~sq)))
        rows[k][sq] = builder.add(gate_set.square, (u[sq],), (ru[sq],), ru[sq] * ru[sq], "square",
                            node_labels(k, np.flatnonzero(sq)))
    for k, carried in plan.copies(layer_no).items():
        rows[k][carried] = builder.add(gate_set.copy, (prev.rows[k][carried],), (bounds[k][carried],),
                                 bounds[k][carried], "copy", node_labels(k, carried, "copy "))
    has_acc = prev.acc >= 0
    acc_copy = builder.add(gate_set.copy, (prev.acc[has_acc],), (prev.acc_bound[has_acc],), prev.acc_bound[has_acc],
                     "copy", lambda: [f"copy sum {j}" for j in np.flatnonzero(has_acc)])
    layer, readout, offset, error, offset_size, neuron_size = builder.layer(activation, dtype)

    # each output's running sum: the carried sum plus the monomials finished in this layer
    mix = Triplets()
    acc_bound = prev.acc_bound.copy()
    mix.add(np.flatnonzero(has_acc), acc_copy, 1.0)
    for k, (term_rows, coef) in plan.terms.items():
        if k >= 2 and level(k) == layer_no:
            nz = np.nonzero(coef)
            mix.add(nz[1], rows[k][term_rows[nz[0]]], coef[nz])
            acc_bound += np.abs(coef).T @ bounds[k][term_rows]
    mixing = mix.matrix((plan.n_outputs, readout.shape[0]))
    used = np.diff(mixing.indptr) > 0
    acc = np.where(used, readout.shape[0] + np.cumsum(used) - 1, -1)
    readout = sp.vstack([readout, mixing[used] @ readout]).tocsr()
    offset = np.concatenate([offset, mixing[used] @ offset])
    error = np.concatenate([error, abs(mixing[used]) @ error])
    offset_size = np.concatenate([offset_size, abs(mixing[used]) @ offset_size])
    return layer, _Stage(readout, offset, rows, acc, acc_bound, error, offset_size, neuron_size)


def output_layer(prev: _Stage, constant: np.ndarray, dtype, *, classifier_log_priors=None) -> Layer:
    """H_j = running sum j + constant j; for a classifier, softmax(-H_y + ln p(y)) (eq 8)."""
    n_out = len(constant)
    has = np.flatnonzero(prev.acc >= 0)
    pick = sp.csr_matrix((np.ones(len(has)), (has, prev.acc[has])), shape=(n_out, prev.readout.shape[0]))
    weight = (pick @ prev.readout).T.tocoo()
    bias = pick @ prev.offset + constant
    return output_head(weight.row, weight.col, weight.data, weight.shape, bias, dtype, classifier_log_priors)


def node_bounds(plan: ProductPlan, magnitude: np.ndarray) -> dict[int, np.ndarray]:
    """|value| <= bound for every node: the product of its variables' magnitude bounds."""
    return {k: np.prod(magnitude[v], axis=1) if k else np.ones(len(v)) for k, v in plan.nodes.items()}


@dataclass(frozen=True, eq=False)
class TreeRequest:
    """A product plan to build as a deep network of `gate_set`'s gates. `names[v]` labels variable v in
    gate labels (x1*x2, copy x3) kept for small layers; `magnitude` bounds every plan variable. With
    `forms` (K, n) the plan's last K variables are linear forms of the n inputs (see input_stage), and
    `magnitude` covers all n + K. `log_priors` marks a classifier."""
    plan: ProductPlan
    magnitude: np.ndarray
    names: tuple
    gate_set: GateSet
    activation: str
    log_priors: np.ndarray | None = None
    forms: np.ndarray | None = None


def build_tree(request: TreeRequest, *, dtype,
               rounded_inputs: bool = False) -> tuple[tuple[Layer, ...], eb.OutputErrors]:
    """The layers, and the bounds on their outputs' errors (see error_bound). `rounded_inputs`: the
    inputs reach the network rounded to `dtype`."""
    r, plan = request, request.plan
    bounds = {k: np.maximum(b, np.finfo(float).tiny) for k, b in node_bounds(plan, r.magnitude).items()}
    stage = input_stage(plan, bounds, fp.unit_roundoff(dtype), rounded_inputs, r.forms, r.magnitude)
    layers = []
    for layer_no in range(1, plan.depth + 1):
        layer, stage = hidden_layer(plan, stage, layer_no, bounds, r.gate_set, r.activation, dtype, r.names)
        layers.append(layer)
    layers.append(output_layer(stage, plan.constant, dtype, classifier_log_priors=r.log_priors))
    return tuple(layers), output_errors(stage, plan.constant, layers[-1], fp.unit_roundoff(dtype))


def output_errors(prev: _Stage, constant: np.ndarray, layer: Layer, u: float) -> eb.OutputErrors:
    has = prev.acc >= 0
    value = np.zeros(len(constant))
    value[has] = prev.error[prev.acc[has]]
    offset = np.zeros(len(constant))
    offset[has] = np.abs(prev.offset[prev.acc[has]])
    bias_size = offset + np.abs(constant)
    rounding = fp.dot_error(layer.weight, prev.neuron_size, bias_size, u)
    hidden = np.asarray(prev.neuron_size @ abs(layer.weight), np.float64).ravel()
    bound = np.where(has, prev.acc_bound, 0.0) + np.abs(constant)
    return eb.OutputErrors(value, rounding, hidden + bias_size, bound)
