"""Gate and input bound -> the input scale lambda where a gate's Taylor truncation balances its rounding."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import sqrt, ceil, exp, factorial, log

import numpy as np

from .gates import VANISHING_RATIO, check_powers, checked_positive, copy_neurons, taylor_at


@dataclass(frozen=True)
class Scale:
    """An input scale and the error the series model predicts for it."""

    value: float              # lambda for inputs in [-R, R]
    predicted_error: float    # max abs error over that box divided by the output bound (R^2, R, R^d)
    center: float | None = None   # the bias point c, where it was chosen with lambda
    ratio: float = 2.0            # a Richardson pair's second scale, over lambda


def bit_error(beta: float) -> float:
    """Max error of a sigmoid bit product: sigma(-beta/2), at sums 1/2 away from the threshold."""
    return float(1.0 / (1.0 + np.exp(beta / 2)))


def bit_scale(tol: float) -> float:
    """The smallest integer beta >= 1 with bit_error(beta) = 1/(1 + e^(beta/2)) <= tol:
    beta = 2 ln(1/tol - 1), rounded up (eq 13: beta > D ln 10 gives about D digits)."""
    if not tol > 0:
        raise ValueError(f"tolerance must be positive, got {tol}")
    return float(max(1, ceil(2 * log(1 / tol - 1)))) if tol < 0.5 else 1.0


def _sinhc_power(d: int, j: int) -> float:
    """[y^j] (sinh(y)/y)^d: at the corner x_i = R a flat gate's order-(d+j) term is this times R^(d+j)."""
    base = [1 / factorial(i + 1) if i % 2 == 0 else 0.0 for i in range(j + 1)]
    poly = [1.0] + [0.0] * j
    for _ in range(d):
        poly = [sum(poly[a] * base[i - a] for a in range(i + 1)) for i in range(j + 1)]
    return poly[j]


def _balance(terms, rounding, input_bound: float, gates: int = 1) -> Scale:
    """lambda minimising a x^p + sum_q b_q x^-q over x = lambda R in [1e-15, 1].

    With `gates` > 1 the gate is one of that many whose relative errors add up in a product tree:
    truncation errors share a sign and add linearly, rounding errors are independent and add like
    sqrt(gates), so the best lambda is smaller than for one gate alone (product32: 31 gates).

    terms are the truncation terms (ratio, factor, p) in rising order: the first whose derivative
    ratio is nonzero leads (none: the gate is exact, e.g. softplus' 2-neuron copy). rounding is
    [(b_q, q)]. A flat bottom (rounding with a floor, as for tanh at 0) is left at its upper end:
    the largest lambda within 2% of the least error, since small lambdas make huge weights.
    """
    from scipy.optimize import brentq, minimize_scalar      # imported here: a CLI start-up costs less
    from scipy.special import logsumexp
    input_bound = checked_positive(input_bound, "input bound")
    lead = next(((r * f * gates, p) for r, f, p in terms if r > VANISHING_RATIO), None)
    logs = [(log(b * sqrt(gates)), -q) for b, q in rounding if b > 0] + ([(log(lead[0]), lead[1])] if lead else [])

    def log_error(t: float) -> float:       # log of the sum, in log x: convex, and no overflow
        return float(logsumexp([lb + p * t for lb, p in logs]))

    lo = log(1e-15)
    t = minimize_scalar(log_error, bounds=(lo, 0.0), method="bounded", options={"xatol": 1e-9}).x
    if log_error(lo) < log_error(t):
        t = lo
    target = log_error(t) + log(1.02)
    t = 0.0 if log_error(0.0) <= target else brentq(lambda u: log_error(u) - target, t, 0.0, xtol=1e-12)
    return Scale(exp(t) / input_bound, exp(log_error(t)) / gates)


def _rounding(s: tuple[float, ...], c: float, dtype, weight: float, reach: int, q: int) -> list:
    """Rounding terms: each neuron is off by ~eps (|s0| + |c s1| + |s1| reach x), from evaluating
    sigma near s0, from rounding c + lambda(...), and from the neuron's own swing (its argument
    moves up to reach * x from c); the output weights' absolute sum is weight / x^q."""
    eps = float(np.finfo(np.dtype(dtype)).eps) * weight
    return [(eps * (abs(s[0]) + abs(c * s[1])), q), (eps * abs(s[1]) * reach, q - 1)]


def flat_scale(activation: str, powers, dtype="float64", input_bound: float = 1.0,
               c: float | None = None, gates: int = 1) -> Scale:
    """lambda for flat_power_gate(powers) (an int n means n distinct inputs) on |x_i| <= input_bound.

    Relative truncation |s_m / s_d| x^(m-d) [y^(m-d)](sinh y / y)^d, m = d+2, d+4, ..., taken at
    the corner x_i = R, where it is largest; rounding per _rounding, the weights' absolute sum
    being 1 / (|s_d| l^d). Both depend on d = sum(powers) only, which is what is cached.
    """
    powers = check_powers((1,) * powers if isinstance(powers, int) else powers)
    c = None if c is None else float(c)
    return _flat_scale(activation, sum(powers), np.dtype(dtype).name, float(input_bound), c, int(gates))


@lru_cache(maxsize=None)
def _flat_scale(activation: str, d: int, dtype: str, input_bound: float, c: float | None, gates: int) -> Scale:
    c, s = taylor_at(activation, d, c, d + 6)
    terms = [(abs(s[m] / s[d]), _sinhc_power(d, m - d), m - d) for m in (d + 2, d + 4, d + 6)]
    return _balance(terms, _rounding(s, c, dtype, 1 / abs(s[d]), d, d), input_bound, gates)


def product_scale(activation: str, dtype="float64", input_bound: float = 1.0, c: float | None = None,
                  gates: int = 1) -> Scale:
    """lambda for product_gate on |u|, |v| <= input_bound: relative error (|s4| / (3 |s2|)) (l R)^2
    at u = v = R against rounding ~ eps (|s0| + |c s1|) / (|s2| (l R)^2). It is the flat gate n = 2.
    `gates`: how many such gates a tree chains (see _balance)."""
    return flat_scale(activation, (1, 1), dtype, input_bound, c, gates)


def square_scale(activation: str, dtype="float64", input_bound: float = 1.0, c: float | None = None) -> Scale:
    """lambda for square_gate: relative error (|s4| / (12 |s2|)) (l R)^2 against rounding
    ~ 2 eps (|s0| + |c s1|) / (|s2| (l R)^2) (two neurons of weight 1 / (s2 l^2))."""
    c, s = taylor_at(activation, 2, c, 8)
    terms = [(abs(s[m] / s[2]), 2 / factorial(m), m - 2) for m in (4, 6, 8)]
    return _balance(terms, _rounding(s, c, dtype, 2 / abs(s[2]), 1, 2), input_bound)


def copy_scale(activation: str, dtype="float64", input_bound: float = 1.0, neurons: int | None = None,
               c: float | None = None) -> Scale:
    """lambda for copy_gate (same default neurons): relative error |s_m / s1| (l R)^(m-1) / m! from
    the first nonzero m >= 2 (odd m only for two neurons) against rounding ~ eps (|s0| + |c s1|) / (|s1| l R)."""
    c, s = taylor_at(activation, 1, c, 8)
    neurons = copy_neurons(activation, c) if neurons is None else neurons
    orders = range(2, 8) if neurons == 1 else range(3, 8, 2)
    terms = [(abs(s[m] / s[1]), 1 / factorial(m), m - 1) for m in orders]
    return _balance(terms, _rounding(s, c, dtype, 1 / abs(s[1]), 1, 1), input_bound)

