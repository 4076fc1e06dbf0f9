"""A certified bound on max |network(x) - H(x)| over the whole input box, derived as the network is built.

H is the lowered polynomial with the coefficients hamc stores (Hamiltonian.evaluate in exact
arithmetic); x ranges over every bit/spin configuration, or the real box --input-range. Every
value the network computes (an input, a product node, a running sum) is tracked as a bound R on
its magnitude and a bound E on its error; the output's E is the bound. The model:

- Truncation. A smooth gate reproduces its target exactly up to Taylor order d (2 for a product or
  square, 1 for a copy); its neurons come in +- pairs, so every order of the other parity cancels.
  The next surviving order d + 2 is bounded with |s_(d+2)(c)| at the gate's bias point c, and the
  rest by the Lagrange remainder of order d + 4 with max |s_(d+4)| over the interval the neurons
  see (derivative_max). sum_j |w_out_j| |t_j|^k is convex in the inputs, so its maximum over the
  input box is taken at the box's corners (enumerated). A gate's inputs carry earlier errors:
  it is bounded at the perturbed inputs, and the exact product adds |u dv| + |v du| + |du dv|.
- Threshold neurons (bits). On bits and spins a neuron's sum is at least 1/2 away from its
  threshold, so a sigmoid unit is off by at most sigma(-beta/2) (tanh: its analogue); step and relu
  units are exact.
- Rounding (build/rounding.py): worst-case IEEE rounding of every dot product, stored weight,
  bias and activation value, in the dtype.
- A shared layout sums sites: errors add over them, plus gamma_sites on the pooled sums. A
  classifier's softmax moves each probability by at most half the largest change of its logits
  (dp_i/dz_j = p_i (delta_ij - p_j), whose row sums of |.| are 2 p_i (1 - p_i) <= 1/2).

The rounding terms are worst-case (every rounding error the same sign), typically 10-100 times what
is observed; the truncation terms are attained at the box's corners. Constructions without a
model here (the flat strategy) get no number: ErrorBound.reason says why.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import product as corners_of

import mpmath
import numpy as np

from ..network.activations import SEARCH_INTERVAL, _mp_derivative, critical_points, derivatives, get_activation
from .rounding import ACT_ULPS, BIAS_ROUNDINGS, gamma, product_rounding, unit_roundoff

_SAFETY = 1 + 1e-9    # derivative maxima are evaluated at 30 digits and rounded: widen a little


@dataclass(frozen=True)
class ErrorBound:
    """absolute: the bound on max |network(x) - H(x)| (None: no certified bound, see reason);
    relative: absolute / S, S the energy scale that max_rel_error uses."""

    absolute: float | None
    relative: float | None
    reason: str = ""

    @classmethod
    def of(cls, absolute: float | None, scale: float, reason: str = "") -> ErrorBound:
        if absolute is None or not math.isfinite(absolute):
            return cls(None, None, reason or "the bound overflowed")
        return cls(float(absolute), float(absolute) / scale, "")

    def to_json(self) -> dict:
        return {"error_bound": self.absolute, "rel_error_bound": self.relative,
                **({"error_bound_reason": self.reason} if self.absolute is None else {})}


# ---- derivatives of the activation over an interval ----------------------------------------------

def derivative_max(activation: str, k: int, lo: float, hi: float) -> float:
    """max |sigma^(k)| over [lo, hi]: the largest of |sigma^(k)| at the ends, at its extrema inside
    (critical_points: roots of sigma^(k+1), solved to 40 digits on a grid finer than their spacing)
    and at the ends of that search interval if inside: between these points |sigma^(k)| is
    monotone (beyond the search interval the sigmoid's and tanh's derivatives decay, exp's grow)."""
    return _derivative_max(activation, int(k), float(lo), float(hi))


@lru_cache(maxsize=4096)
def _derivative_max(activation: str, k: int, lo: float, hi: float) -> float:
    value = _mp_derivative(activation, k)
    points = [lo, hi] + [p for p in critical_points(activation, k) if lo < p < hi]
    points += [e for e in SEARCH_INTERVAL if lo < e < hi]
    with mpmath.workdps(30):
        best = max(abs(value(mpmath.mpf(p))) for p in points)
    return float(best) * _SAFETY


# ---- gates ---------------------------------------------------------------------------------------

def gate_orders(gate) -> tuple[int, bool]:
    """(d, symmetric): the gate's target order (2 product/square, 1 copy, degree for flat), and
    whether its neurons come in +- pairs, which cancels every order of parity d + 1."""
    d = {"product": 2, "square": 2, "copy": 1}.get(gate.kind)
    if d is None:
        d = int(round(np.abs(gate.w_in).sum(axis=0).max() / gate.scale))
    return d, gate.neurons > 1


def _corner_sums(gate, x: np.ndarray, powers) -> tuple[np.ndarray, np.ndarray]:
    """Per gate copy (rows of x, the inputs' magnitude bounds in the gate's unit scale): the max
    over the box's corners of sum_j |w_out_j| |t_j|^p for each p, t_j = z_j - c_j; and each
    neuron's largest |t_j|."""
    signs = np.array(list(corners_of((-1.0, 1.0), repeat=gate.n_in)))          # (P, n_in)
    t = np.abs(np.einsum("mi,pi,ij->mpj", x, signs, gate.w_in))               # (m, P, width)
    w = np.abs(gate.w_out[:, 0])
    sums = [np.max(t ** p @ w, axis=1) for p in powers]
    return np.array(sums), t.max(axis=1)


def _signed_sums(gate, x: np.ndarray, powers) -> np.ndarray:
    """Per power k and gate copy, a bound on |sum_j w_out_j t_j^k| over the box |y_i| <= x_i, with
    t_j = y @ w_in[:, j]: the polynomial's coefficients in absolute value, at y = x. Exactly 0 for
    an order the gate cancels (a Richardson pair), where sum_j |w_out_j| |t_j|^k is not."""
    w = gate.w_out[:, 0]
    out = np.zeros((len(powers), len(x)))
    for row, k in enumerate(powers):
        for alpha in _multi_indices(gate.n_in, k):
            count = math.factorial(k) / math.prod(math.factorial(a) for a in alpha)
            coef = count * float(w @ np.prod(gate.w_in ** np.array(alpha)[:, None], axis=0))
            out[row] += abs(coef) * np.prod(x ** np.array(alpha), axis=1)
    return out


def _multi_indices(n: int, k: int):
    if n == 1:
        yield (k,)
        return
    for first in range(k + 1):
        yield from ((first,) + rest for rest in _multi_indices(n - 1, k - first))


def gate_truncation(gate, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bound on |gate(x') - target(x')| for |x'_i| <= x_i, per copy; each neuron's reach |z - c|).

    Explicit terms for the surviving orders below the remainder at c (signed sums, so orders a
    Richardson pair cancels count 0; plus 1e-12 of the unsigned sums for the rounding of that
    cancellation), then the Lagrange remainder of order d + 4 (d + 6 for a Richardson pair) with
    max |sigma^(remainder)| over [c - T, c + T], T the largest reach of any copy."""
    x = np.atleast_2d(np.asarray(x, np.float64))
    d, symmetric = gate_orders(gate)
    c = float(gate.b[0])
    if gate.activation == "softplus" and gate.kind == "copy" and symmetric and c == 0.0:
        # softplus(t) - softplus(-t) = t exactly: the 2-neuron copy has no truncation at all
        return np.zeros(len(x)), np.abs(x @ gate.w_in)
    remainder = d + 4 + 2 * gate.cancelled
    explicit = [k for k in range(d + 1, remainder) if not (symmetric and (k - d) % 2)]
    sums, reach = _corner_sums(gate, x, explicit + [remainder])
    signed = _signed_sums(gate, x, explicit) + 1e-12 * sums[:-1]
    s = derivatives(gate.activation, c, remainder)
    reach_max = float(reach.max(initial=0.0))
    top = derivative_max(gate.activation, remainder, c - reach_max, c + reach_max)
    bound = sum(abs(s[k]) * _SAFETY / math.factorial(k) * row for k, row in zip(explicit, signed))
    return bound + top / math.factorial(remainder) * sums[-1], reach


def propagate(kind: str, bounds, errors) -> np.ndarray:
    """|target(v + dv) - target(v)| for the exact operation, |v_i| <= bounds_i, |dv_i| <= errors_i."""
    if kind == "product":
        (ru, rv), (eu, ev) = bounds, errors
        return ru * ev + rv * eu + eu * ev
    if kind == "square":
        (r,), (e,) = bounds, errors
        return 2 * r * e + e * e
    return errors[0]


# ---- neurons: argument rounding through the activation ------------------------------------------

def neuron_errors(activation: str, centers: np.ndarray, reach: np.ndarray, arg_error: np.ndarray,
                  u: float) -> tuple[np.ndarray, np.ndarray]:
    """(error, magnitude) of each neuron's output sigma(z) - sigma(c) with |z - c| <= reach in exact
    arithmetic and the computed z off by at most arg_error."""
    error = np.empty(len(centers))
    magnitude = np.empty(len(centers))
    for c in np.unique(centers):
        at = centers == c
        t = float((reach[at] + arg_error[at]).max(initial=0.0))
        slope = derivative_max(activation, 1, c - t, c + t)
        top = derivative_max(activation, 0, c - t, c + t)
        magnitude[at] = slope * reach[at]
        # sigma(c) is not evaluated: the stored offset's rounding is compensated in the readout
        # (tree._LayerBuilder.layer), so only sigma(z) and the subtraction round here
        evaluation = ACT_ULPS * u * max(1.0, top) + u * slope * (reach[at] + arg_error[at])
        error[at] = slope * arg_error[at] + evaluation
    return error, magnitude + error


# ---- threshold units and the output --------------------------------------------------------------

def bit_tail(activation: str, beta: float) -> float:
    """A threshold neuron's worst error on bits, its sum 1/2 or more from the threshold: read out as
    (sigma - lo) / (hi - lo), 0 for step and relu, sigma(-beta/2) for the sigmoid."""
    act = get_activation(activation)
    if activation in ("step", "relu"):
        return 0.0
    lo, hi = act.limits
    value = _mp_derivative(activation, 0)
    with mpmath.workdps(30):
        half = mpmath.mpf(beta) / 2
        tail = max(hi - value(half), value(-half) - lo) / (hi - lo)
    return float(tail) * _SAFETY


def softmax_error(logit_error: float, logit_bound: float, classes: int, u: float) -> float:
    """Bound on the probabilities' error: half the logits' error (see the module docstring), plus
    the evaluation of exp(z - logsumexp z) with |z| <= logit_bound."""
    return logit_error / 2 + 2 * ACT_ULPS * u * (2 * logit_bound + math.log(max(classes, 1)) + 2)


# ---- whole networks ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputErrors:
    """Per output of one site's layers, before a classifier's softmax: the error the last hidden
    layer's readout carries (value), the rounding of the output layer's sum (rounding), the
    magnitude of that sum's terms (hidden_size: |a| @ |W| + |b|) and a bound on |H_j| (logit_bound)."""
    value: np.ndarray
    rounding: np.ndarray
    hidden_size: np.ndarray
    logit_bound: np.ndarray


def network_bound(out: OutputErrors, *, sites: int = 1, pool_bias=0.0, log_priors=None, u: float) -> float:
    """The bound on max |network(x) - H(x)| (or on the posterior's error, log_priors given)."""
    logits = pooled_error(out.value, out.rounding, out.hidden_size, sites=sites, pool_bias=pool_bias, u=u)
    if log_priors is None:
        return float(logits.max(initial=0.0))
    bound = sites * np.asarray(out.logit_bound) + np.abs(pool_bias)
    return classifier_bound(logits, bound, log_priors, u)


def pooled_error(value, rounding, hidden_size, *, sites: int, pool_bias, u: float) -> np.ndarray:
    """Per output, the bound from one site's (value error, output-sum rounding, |a| @ |W| + |b|):
    `sites` copies summed (a shared layout; 1 for an unrolled network), the sums' own rounding
    and the pooled bias."""
    value, rounding, hidden_size = (np.asarray(a, np.float64) for a in (value, rounding, hidden_size))
    out = sites * (value + rounding)
    if sites > 1:
        out = out + gamma(sites, u) * sites * hidden_size + gamma(2, u) * np.abs(pool_bias)
    return out


def classifier_bound(logits_error, logit_bound, log_priors, u: float) -> float:
    """The posterior's bound from its logits' (-H_y + ln p(y)) per class."""
    priors = np.abs(np.asarray(log_priors, np.float64))
    error = np.asarray(logits_error) + gamma(2, u) * priors
    return softmax_error(float(error.max(initial=0.0)), float((np.asarray(logit_bound) + priors).max(initial=0.0)),
                         len(priors), u)


def chain_gate_bound(gate, u: float) -> float:
    """The bound one gate adds to a chain of like gates on unit inputs (truncation plus rounding,
    its inputs read from gates of its own kind): what the scales minimise (gates.certified_scale)."""
    truncation, reach = gate_truncation(gate, np.ones((1, gate.n_in)))
    c = float(gate.b[0])
    t = float(reach.max())
    slope = derivative_max(gate.activation, 1, c - t, c + t)
    top = derivative_max(gate.activation, 0, c - t, c + t)
    w_out = np.abs(gate.w_out[:, 0])
    produced = slope * _corner_sums(gate, np.ones((1, gate.n_in)), [1])[0][0, 0]    # |readout| @ |a| of one input
    arg_error = product_rounding(gate.n_in * gate.neurons, u) * np.abs(gate.w_in).sum(axis=0) * produced \
        + gamma(BIAS_ROUNDINGS, u) * abs(c)
    neuron = slope * arg_error + ACT_ULPS * u * max(1.0, top) + u * slope * reach[0]
    return float(truncation[0] + w_out @ neuron + 8 * u)


def certified_bound(errors, dtype, **where) -> tuple[float | None, str]:
    """(error_bound, error_bound_reason) from OutputErrors, or from the reason (a str) there is no model;
    `where`: network_bound's sites, pool_bias and log_priors."""
    if isinstance(errors, str):
        return None, errors
    bound = network_bound(errors, u=unit_roundoff(dtype), **where)
    return (bound, "") if np.isfinite(bound) else (None, "the bound overflowed")
