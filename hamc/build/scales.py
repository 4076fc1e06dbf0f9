"""Gate scales and bias points that minimise the certified error bound (error_bound) each gate adds."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from math import exp, log

import numpy as np

from . import rounding as fp
from . import error_bound
from ..network.activations import get_activation
from .gates import Gate, copy_gate, product_gate, richardson, square_gate
from .series_scales import Scale


GATES = ("auto", "paper", "single", "richardson")   # auto: single, richardson where --tol needs it
RICHARDSON_RATIO = 2.0           # a Richardson pair's second scale, relative to the first


def unit_gate(kind: str, activation: str, lam: float, c: float, gates: str = "single",
              ratio: float = RICHARDSON_RATIO) -> Gate:
    """A product, square or copy gate at (lambda, c). gates "paper": squares are product gates fed
    u twice (4 neurons, two of them without input); "richardson": products and squares are
    Richardson pairs at lambda and ratio * lambda (their lambda^4 term cancelled, c where s4 = 0)."""
    if kind == "copy":
        return copy_gate(activation, lam, c=c)
    if kind == "square" and gates == "paper":
        product = product_gate(activation, lam, c)
        return replace(product, w_in=product.w_in.sum(axis=0, keepdims=True), kind="square")
    gate = product_gate(activation, lam, c) if kind == "product" else square_gate(activation, lam, c)
    return richardson(gate, ratio, 4) if gates == "richardson" else gate


def bias_for(kind: str, activation: str, gates: str) -> float:
    """The bias point from the activation table: s4 = 0 for products and squares (the paper's
    argmax |s2| for gates "paper"), s2 = 0 or s3 = 0 for copies."""
    act = get_activation(activation)
    if kind == "copy":
        return act.copy_bias
    return act.paper_bias if gates == "paper" else act.gate_bias


# The certified bound's rounding part is worst-case (every rounding the same sign), 10-100 times
# what is observed, while its truncation part is attained at the box's corners. So lambda may
# give up to BOUND_SLACK of the least bound for a smaller typical error, modelled as truncation
# plus the rounding part over TYPICAL_ROUNDING: x*y's gate measures 3.5e-11 instead of 2e-10.
BOUND_SLACK = 1.5
TYPICAL_ROUNDING = 30.0


@lru_cache(maxsize=None)
def certified_scale(kind: str, activation: str, dtype: str = "float64", gates: str = "single") -> Scale:
    """lambda for a product, square or copy gate on unit inputs: within
    BOUND_SLACK of the least certified bound the gate adds to a chain of like gates
    (error_bound.chain_gate_bound: truncation ~ lambda^4 or lambda^6 at s4 = 0, rounding ~
    u / lambda^2), the one with the least typical error. Chains add both linearly, so the
    length does not matter. predicted_error is the certified bound."""
    from scipy.optimize import minimize_scalar      # imported here: a CLI start-up costs less
    u = fp.unit_roundoff(dtype)
    c = bias_for(kind, activation, gates)

    def bound(t: float) -> float:
        return error_bound.chain_gate_bound(unit_gate(kind, activation, exp(t), c, gates, RICHARDSON_RATIO), u)

    t = minimize_scalar(lambda t: log(bound(t)), bounds=(log(1e-7), log(0.5)), method="bounded",
                        options={"xatol": 1e-3}).x
    return _typical_best(kind, activation, u, gates, Scale(exp(t), bound(t), c, RICHARDSON_RATIO))


def _typical_best(kind: str, activation: str, u: float, gates: str, least: Scale) -> Scale:
    """On a grid around the least bound's lambda, the least typical error within BOUND_SLACK."""
    candidates = [least]
    for t in np.linspace(log(least.value) - 1.5, min(log(least.value) + 1.0, log(0.5)), 51):
        gate = unit_gate(kind, activation, exp(t), least.center, gates, least.ratio)
        bound = error_bound.chain_gate_bound(gate, u)
        if bound <= BOUND_SLACK * least.predicted_error:
            candidates.append(Scale(exp(t), bound, least.center, least.ratio))
    return min(candidates, key=lambda s: _typical(kind, activation, gates, s))


def _typical(kind: str, activation: str, gates: str, scale: Scale) -> float:
    gate = unit_gate(kind, activation, scale.value, scale.center, gates, scale.ratio)
    truncation = float(error_bound.gate_truncation(gate, np.ones((1, gate.n_in)))[0][0])
    return truncation + (scale.predicted_error - truncation) / TYPICAL_ROUNDING
