"""A naive evaluator of a ProductPlan, gate by gate with the gate functions of hamc.gates, written
independently of the builder's fused layers: the differential oracle for the tree strategy.

It follows the plan's meaning, not the builder's matrices: every node of degree k is computed in
hidden layer ceil(log2 k) by a product (or square) gate from its two children, each scaled to
[-1, 1] by its bound (the product of its variables' magnitude bounds) and scaled back after; a
node still needed later is carried by a copy gate; each output's running sum (its linear terms,
then the monomials finished in each layer, scaled by the sum of their bounds) is carried by a copy
gate too. Values that are not available in a layer are NaN, so a plan that reads them shows up.
"""
from __future__ import annotations

import numpy as np

from dataclasses import replace

from hamc.build import gates
from hamc.build.plan import ProductPlan, level


def gate_set_from_meta(meta: dict) -> dict:
    """The gates a tree network says it uses (its meta's lambdas and bias points), made by hamc.gates directly."""
    act, kinds = meta["activation"], meta["gates"]
    product = gates.product_gate(act, meta["product_lambda"], meta["product_bias"])
    square = gates.square_gate(act, meta["square_lambda"], meta["square_bias"])
    if kinds == "paper":        # a product gate fed u twice
        square = gates.product_gate(act, meta["square_lambda"], meta["square_bias"])
        square = replace(square, w_in=square.w_in.sum(axis=0, keepdims=True), kind="square")
    if kinds == "richardson":
        product, square = gates.richardson(product, 2.0, 4), gates.richardson(square, 2.0, 4)
    return {"product": product, "square": square,
            "copy": gates.copy_gate(act, meta["copy_lambda"], meta["copy_neurons"], meta["copy_bias"])}


def _apply(gate: gates.Gate, inputs: list[np.ndarray], bounds: list[np.ndarray], out_bound: np.ndarray, dtype):
    """The gate on (batch, m) arrays of values, each divided by its bound; output times out_bound."""
    batch, m = inputs[0].shape
    stacked = np.stack([(u / b).reshape(-1) for u, b in zip(inputs, bounds)], axis=1)
    return gate(stacked, dtype=dtype)[:, 0].reshape(batch, m) * out_bound


def evaluate_plan(plan: ProductPlan, gate_set: dict, magnitude: np.ndarray, x: np.ndarray,
                  dtype=np.longdouble) -> np.ndarray:
    """Outputs (batch, n_outputs) of the product tree for plan on inputs x, constant included."""
    x = np.asarray(x, dtype=dtype)
    if plan.forms is not None:          # a factored plan: its last variables are linear forms of the inputs
        x = np.hstack([x, x @ plan.forms.T.astype(dtype)])
        magnitude = np.concatenate([magnitude, np.abs(plan.forms) @ magnitude])
    tiny = np.finfo(np.float64).tiny
    bound = {k: np.maximum(np.prod(magnitude[v], axis=1), tiny).astype(dtype) for k, v in plan.nodes.items()}
    nan = {k: np.full((len(x), len(v)), np.nan, dtype) for k, v in plan.nodes.items()}
    value = {**nan, 1: x[:, plan.nodes[1][:, 0]]} if 1 in plan.nodes else dict(nan)
    acc = np.zeros((len(x), plan.n_outputs), dtype)          # each output's running sum, where it has one
    has_acc = np.zeros(plan.n_outputs, bool)
    acc_bound = np.zeros(plan.n_outputs, dtype)
    if 1 in plan.terms:
        rows, coef = plan.terms[1]
        has_acc = np.any(coef != 0, axis=0)
        acc = value[1][:, rows] @ coef.astype(dtype)
        acc_bound += np.abs(coef).T.astype(dtype) @ bound[1][rows]
    for layer in range(1, plan.depth + 1):
        new = {k: v.copy() for k, v in nan.items()}
        for k in (k for k in plan.nodes if k >= 2 and level(k) == layer):
            half, sq = k - k // 2, plan.squares(k)
            u, ru = value[half][:, plan.left[k]], bound[half][plan.left[k]]
            v, rv = value[k // 2][:, plan.right[k]], bound[k // 2][plan.right[k]]
            new[k][:, ~sq] = _apply(gate_set["product"], [u[:, ~sq], v[:, ~sq]], [ru[~sq], rv[~sq]],
                                    (ru * rv)[~sq], dtype)
            new[k][:, sq] = _apply(gate_set["square"], [u[:, sq]], [ru[sq]], ru[sq] * ru[sq], dtype)
        for k, rows in plan.copies(layer).items():
            new[k][:, rows] = _apply(gate_set["copy"], [value[k][:, rows]], [bound[k][rows]], bound[k][rows], dtype)
        acc[:, has_acc] = _apply(gate_set["copy"], [acc[:, has_acc]], [acc_bound[has_acc]], acc_bound[has_acc], dtype)
        for k, (rows, coef) in plan.terms.items():
            if k >= 2 and level(k) == layer:
                acc = acc + new[k][:, rows] @ coef.astype(dtype)
                has_acc = has_acc | np.any(coef != 0, axis=0)
                acc_bound += np.abs(coef).T.astype(dtype) @ bound[k][rows]
        value = new
    return acc + plan.constant.astype(dtype)


def evaluate_shared(plan: ProductPlan, gate_set: dict, magnitude: np.ndarray, x: np.ndarray, shape, offsets,
                    pool_bias, dtype=np.longdouble) -> np.ndarray:
    """A weight-shared energy network's meaning: the per-site plan on every site's periodic
    neighbourhood x[s + offset], summed over the sites, plus the pooled constant."""
    grid = np.asarray(x, dtype=dtype).reshape((len(x),) + tuple(shape))
    axes = tuple(range(1, len(shape) + 1))
    patches = np.stack([np.roll(grid, tuple(-int(o) for o in offset), axis=axes).reshape(len(x), -1)
                        for offset in offsets], axis=-1)               # (batch, sites, patch)
    local = evaluate_plan(plan, gate_set, magnitude, patches.reshape(-1, len(offsets)), dtype)
    return local.reshape(len(x), -1, plan.n_outputs).sum(axis=1) + np.asarray(pool_bias, dtype)
