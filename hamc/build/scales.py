"""Gate scales and bias points that minimise the certified error bound (error_bound) each gate adds."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from math import exp, log

from . import error_bound
from ..network.activations import bias_point, critical_points, derivatives
from .gates import Gate, Scale, copy_gate, flat_power_gate, product_gate


def unit_gate(kind: str, activation: str, lam: float, c: float) -> Gate:
    if kind == "product":
        return product_gate(activation, lam, c)
    if kind == "square":         # the 3-neuron flat gate for x^2 (see build.unit_gates)
        return replace(flat_power_gate(activation, (2,), lam, c), kind="square")
    return copy_gate(activation, lam, c=c)


def _centers(kind: str, activation: str) -> list[float]:
    """Bias points to try: argmax |s_k| (k = 2 for products and squares, 1 for copies) and, for
    products and squares, the zeros of s4 where |s2| is still large: there the order-4 error
    term vanishes and the gate is accurate to order lambda^4 (the sigmoid's c = 2.29)."""
    k = 1 if kind == "copy" else 2
    first = bias_point(activation, k)
    if kind == "copy":
        return [first]
    top = abs(derivatives(activation, first, 2)[2])
    zeros = [r for r in critical_points(activation, 3) if abs(derivatives(activation, r, 2)[2]) > top / 4]
    return [first] + zeros


@lru_cache(maxsize=None)
def certified_scale(kind: str, activation: str, dtype: str = "float64") -> Scale:
    """(lambda, c) for a product, square or copy gate on unit inputs that minimise the certified
    bound it adds to a chain of like gates (error_bound.chain_gate_bound: truncation ~ lambda^2 or
    lambda^4, rounding ~ u / lambda^2). Chains add both linearly, so the length does not matter."""
    from scipy.optimize import minimize_scalar      # imported here: a CLI start-up costs less
    u = error_bound.unit_roundoff(dtype)
    best = None
    for c in _centers(kind, activation):
        if abs(derivatives(activation, c, 2)[1 if kind == "copy" else 2]) <= 1e-9:
            continue

        def log_bound(t: float) -> float:
            return log(error_bound.chain_gate_bound(unit_gate(kind, activation, exp(t), c), u))

        t = minimize_scalar(log_bound, bounds=(log(1e-7), log(0.5)), method="bounded", options={"xatol": 1e-3}).x
        found = Scale(exp(t), exp(log_bound(t)), c)
        best = found if best is None or found.predicted_error < best.predicted_error else best
    return best
