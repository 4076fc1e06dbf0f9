"""Gate parameters -> weights: the product (eq 11), square, copy, flat (eq 28/32) and bit (eq 13) gates."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from math import comb, prod

import numpy as np

from .activations import bias_point, derivatives, get_activation

FLAT_MAX_INPUTS = 24


@dataclass(frozen=True)
class Gate:
    """`activation(inputs @ w_in + b) @ w_out + b_out`, for inputs of shape (batch, k_in)."""

    w_in: np.ndarray      # (k_in, h)
    b: np.ndarray         # (h,)
    w_out: np.ndarray     # (h, k_out)
    b_out: np.ndarray     # (k_out,)
    activation: str
    kind: str             # product, square, copy, flat, bit
    scale: float          # lambda (input scale) or beta (bit sharpness)

    @property
    def neurons(self) -> int:
        return self.w_in.shape[1]

    def __call__(self, inputs: np.ndarray, dtype=np.float64) -> np.ndarray:
        cast = [np.asarray(a, dtype=dtype) for a in (inputs, self.w_in, self.b, self.w_out, self.b_out)]
        x, w_in, b, w_out, b_out = cast
        return get_activation(self.activation)(x @ w_in + b) @ w_out + b_out


def _gate(w_in, b, w_out, b_out, activation, kind, scale) -> Gate:
    arrays = [np.atleast_1d(np.asarray(a, np.float64)) for a in (w_in, b, w_out, b_out)]
    return Gate(arrays[0].reshape(len(w_in), -1), arrays[1], arrays[2].reshape(len(arrays[1]), -1),
                arrays[3], activation, kind, float(scale))


def product_gate(activation: str, lam: float, c: float | None = None) -> Gate:
    """u*v from 4 neurons (eq 11): [s(c+l(u+v)) + s(c-l(u+v)) - s(c+l(u-v)) - s(c-l(u-v))] / (4 s2 l^2)."""
    c = bias_point(activation, 2) if c is None else c
    s2 = derivatives(activation, c, 2)[2]
    w_in = lam * np.array([[1, -1, 1, -1], [1, -1, -1, 1]], np.float64)
    return _gate(w_in, np.full(4, c), np.array([1, 1, -1, -1]) / (4 * s2 * lam ** 2), [0.0], activation,
                 "product", lam)


def square_gate(activation: str, lam: float, c: float | None = None) -> Gate:
    """u^2 from 2 neurons: [s(c+lu) + s(c-lu) - 2 s(c)] / (s2 l^2)."""
    c = bias_point(activation, 2) if c is None else c
    s0, _, s2 = derivatives(activation, c, 2)
    return _gate(lam * np.array([[1.0, -1.0]]), np.full(2, c), np.array([1.0, 1.0]) / (s2 * lam ** 2),
                 [-2 * s0 / (s2 * lam ** 2)], activation, "square", lam)


def copy_gate(activation: str, lam: float, neurons: int | None = None, c: float | None = None) -> Gate:
    """u carried through a layer (footnote 4), near-linear around c = argmax |sigma'|.

    One neuron, (s(c+lu) - s0)/(s1 l), is second-order accurate where s2(c) = 0 (sigmoid and tanh
    at 0), and is the default there. Elsewhere (softplus, exp) the default is two neurons,
    (s(c+lu) - s(c-lu))/(2 s1 l), which cancel every even term of the series.
    """
    c = bias_point(activation, 1) if c is None else c
    s0, s1, s2 = derivatives(activation, c, 2)
    if neurons is None:
        neurons = 1 if abs(s2) < 1e-12 else 2
    if neurons == 1:
        return _gate([[lam]], [c], [1 / (s1 * lam)], [-s0 / (s1 * lam)], activation, "copy", lam)
    if neurons != 2:
        raise ValueError(f"a copy gate has 1 or 2 neurons, not {neurons}")
    return _gate([[lam, -lam]], [c, c], np.array([1.0, -1.0]) / (2 * s1 * lam), [0.0], activation, "copy", lam)


def flat_neurons(n: int) -> int:
    """Hidden neurons of one layer multiplying n distinct inputs: 2^n (exact Python int)."""
    return 2 ** n


def flat_neurons_for_powers(powers: tuple[int, ...]) -> int:
    """Rolnick-Tegmark: prod (r_i + 1) neurons for x1^r1 ... xm^rm in one hidden layer."""
    return prod(int(r) + 1 for r in powers)


def flat_power_gate(activation: str, powers: tuple[int, ...], lam: float, c: float | None = None) -> Gate:
    """x1^r1...xm^rm in one hidden layer of prod(r_i + 1) neurons (eq 28/32, generalised).

    sum_k prod_i (-1)^k_i C(r_i, k_i) sigma(c + l sum_i (r_i - 2 k_i) x_i) = 2^d s_d l^d prod x_i^r_i
    + O(l^(d+2)), d = sum r_i: every lower power of the inner sum cancels (its r_i-th finite
    difference vanishes). With all r_i = 1 this is eq 28 with eq 32's normalisation.
    """
    powers = tuple(int(r) for r in powers)
    d = sum(powers)
    if len(powers) > FLAT_MAX_INPUTS or d > FLAT_MAX_INPUTS + 8:
        raise ValueError(f"a flat product of {d} factors needs {flat_neurons_for_powers(powers):,} neurons; "
                         f"the limit is {FLAT_MAX_INPUTS} inputs ({flat_neurons(FLAT_MAX_INPUTS):,} neurons)")
    c = bias_point(activation, d) if c is None else c
    s_d = derivatives(activation, c, d)[d]
    ks = np.array(list(itertools.product(*(range(r + 1) for r in powers))), np.int64).reshape(-1, len(powers))
    r = np.array(powers)
    w_in = (lam * (r[None, :] - 2 * ks)).T
    weights = np.array([prod((-1) ** int(k) * comb(ri, int(k)) for ri, k in zip(powers, row)) for row in ks])
    w_out = weights / (2.0 ** d * s_d * lam ** d)
    return _gate(w_in, np.full(len(ks), c), w_out, [0.0], activation, "flat", lam)


def flat_product_gate(activation: str, n: int, lam: float, c: float | None = None) -> Gate:
    """x1*...*xn from 2^n neurons in one hidden layer (eq 28 with eq 32's normalisation)."""
    if n > FLAT_MAX_INPUTS:
        raise ValueError(f"a flat product of {n} inputs needs {flat_neurons(n):,} neurons; the limit is "
                         f"{FLAT_MAX_INPUTS} inputs ({flat_neurons(FLAT_MAX_INPUTS):,} neurons)")
    return flat_power_gate(activation, (1,) * n, lam, c)


def bit_product_gate(k: int, beta: float, activation: str = "sigmoid") -> Gate:
    """The product of k bits from one neuron (eq 13): sigma(beta (sum x_i - k + 1/2)).

    Exact for `step`, and for `relu` as relu(sum x_i - k + 1); a smooth threshold unit with
    limits (a, b) is rescaled to (sigma - a)/(b - a), with error sigma(-beta/2) per neuron.
    """
    act = get_activation(activation)
    if activation == "relu":
        return _gate(np.ones((k, 1)), [-(k - 1.0)], [[1.0]], [0.0], activation, "bit", 1.0)
    if act.limits is None:
        raise ValueError(f"activation '{activation}' has no threshold limits; bit products need "
                         "sigmoid, tanh, step or relu")
    lo, hi = act.limits
    beta = 1.0 if activation == "step" else beta
    return _gate(beta * np.ones((k, 1)), [-beta * (k - 0.5)], [[1.0 / (hi - lo)]], [-lo / (hi - lo)],
                 activation, "bit", beta)


def bit_scale(tol: float) -> float:
    """beta with sigma(-beta/2) <= exp(-beta/2) <= tol (eq 13: beta > D ln 10 gives about D digits)."""
    return 2.0 * np.log(1.0 / min(tol, 0.5))


@dataclass(frozen=True)
class Scale:
    value: float           # lambda for inputs in [-1, 1]
    error: float           # measured max abs error on [-1, 1] (relative to the gate's range, 1)


def _calibrate(make, exact, k: int, dtype) -> Scale:
    """The lambda on a log grid that minimises the gate's measured error in `dtype` on [-1, 1]^k:
    the truncation error grows with lambda and the rounding error with 1/lambda, so measure."""
    rng = np.random.default_rng(12345)
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=k))) if k <= 8 else np.empty((0, k))
    x = np.vstack([rng.uniform(-1, 1, size=(400 if k > 6 else 2000, k)), corners])
    target = exact(x)
    best = None
    for lam in np.logspace(-6, 0, 61):
        err = float(np.max(np.abs(make(lam)(x, dtype=dtype)[:, 0].astype(np.float64) - target)))
        if np.isfinite(err) and (best is None or err < best.error):
            best = Scale(float(lam), err)
    return best


@lru_cache(maxsize=None)
def product_scale(activation: str, dtype: str) -> Scale:
    return _calibrate(lambda lam: product_gate(activation, lam), lambda x: x[:, 0] * x[:, 1], 2, np.dtype(dtype))


@lru_cache(maxsize=None)
def square_scale(activation: str, dtype: str) -> Scale:
    return _calibrate(lambda lam: square_gate(activation, lam), lambda x: x[:, 0] ** 2, 1, np.dtype(dtype))


@lru_cache(maxsize=None)
def copy_scale(activation: str, dtype: str) -> Scale:
    return _calibrate(lambda lam: copy_gate(activation, lam), lambda x: x[:, 0], 1, np.dtype(dtype))


@lru_cache(maxsize=None)
def flat_scale(activation: str, powers: tuple[int, ...], dtype: str) -> Scale:
    return _calibrate(lambda lam: flat_power_gate(activation, powers, lam),
                      lambda x: np.prod(x ** np.array(powers), axis=1), len(powers), np.dtype(dtype))
