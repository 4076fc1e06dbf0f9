"""Gate parameters -> weights: product (eq 11), square, copy, flat (eq 28/32) and bit (eq 13) gates."""
from __future__ import annotations

from dataclasses import dataclass, replace
from math import comb, prod

import numpy as np

from ..network.activations import bias_point, derivatives, get_activation

FLAT_MAX_INPUTS = 24
FLAT_GATE_MAX_DEGREE = FLAT_MAX_INPUTS + 8   # weights scale like lambda^-d: beyond this only noise is left
VANISHING_RATIO = 1e-12         # |s_m / s_k| below this is a derivative that vanishes at c, up to rounding of c


@dataclass(frozen=True, eq=False)
class Gate:
    """`activation(inputs @ w_in + b) @ w_out + b_out`, for inputs of shape (batch, k_in)."""

    w_in: np.ndarray      # (k_in, h)
    b: np.ndarray         # (h,)
    w_out: np.ndarray     # (h, k_out)
    b_out: np.ndarray     # (k_out,)
    activation: str
    kind: str             # product, square, copy, flat, bit
    scale: float          # lambda (input scale) or beta (bit sharpness)
    cancelled: int = 0    # further even Taylor orders a Richardson combination cancels (richardson)

    def __post_init__(self):
        # read-only arrays: a gate is a value, shared by every place that wires it in. Writable
        # ones are copied first so no caller can change a gate; read-only ones (a big flat gate's
        # w_in, frozen by its builder) are kept as they are, to avoid a second copy.
        for name in ("w_in", "b", "w_out", "b_out"):
            arr = np.asarray(getattr(self, name))
            arr = arr.astype(np.float64) if arr.dtype.kind != "f" else arr.copy() if arr.flags.writeable else arr
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        h = self.w_in.shape[1] if self.w_in.ndim == 2 else -1
        if self.b.shape != (h,) or self.w_out.ndim != 2 or self.w_out.shape[0] != h \
                or self.b_out.shape != (self.w_out.shape[1],):
            raise ValueError(f"inconsistent gate shapes: w_in {self.w_in.shape}, b {self.b.shape}, "
                             f"w_out {self.w_out.shape}, b_out {self.b_out.shape}")

    @property
    def neurons(self) -> int:
        return self.w_in.shape[1]

    @property
    def n_in(self) -> int:
        return self.w_in.shape[0]

    @property
    def n_out(self) -> int:
        return self.w_out.shape[1]

    def astype(self, dtype) -> Gate:
        return replace(self, **{n: getattr(self, n).astype(dtype) for n in ("w_in", "b", "w_out", "b_out")})

    def __call__(self, inputs: np.ndarray, dtype=None) -> np.ndarray:
        """Evaluate in the arrays' own precision, or cast inputs and weights to `dtype` first."""
        gate = self if dtype is None else self.astype(dtype)
        x = np.asarray(inputs) if dtype is None else np.asarray(inputs, dtype=dtype)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"gate expects inputs of shape (batch, {self.n_in}), got {x.shape}")
        return get_activation(self.activation)(x @ gate.w_in + gate.b) @ gate.w_out + gate.b_out


def checked_positive(value: float, name: str) -> float:
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value}")
    return float(value)


def taylor_at(activation: str, k: int, c: float | None, order: int) -> tuple[float, tuple[float, ...]]:
    """(c, s_0..s_order) for a gate that divides by s_k: c defaults to the bias point for k."""
    c = bias_point(activation, k) if c is None else float(c)
    s = derivatives(activation, c, order)
    if abs(s[k]) <= VANISHING_RATIO * max(map(abs, s)):
        raise ValueError(f"{activation} has s{k} = 0 at c = {c:g}; this gate divides by it")
    return c, s


def product_gate(activation: str, lam: float, c: float | None = None) -> Gate:
    """u*v from 4 neurons (eq 11): [s(c+l(u+v)) + s(c-l(u+v)) - s(c+l(u-v)) - s(c-l(u-v))] / (4 s2 l^2).

    The even part of sigma survives the u+v / u-v difference, so the error is
    u v (s4 / (6 s2)) l^2 (u^2 + v^2): relative O(l^2) whatever s3 is. c defaults to argmax |s2|.
    """
    lam = checked_positive(lam, "lambda")
    c, s = taylor_at(activation, 2, c, 2)
    w_in = lam * np.array([[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]])
    w_out = np.array([[1.0], [1.0], [-1.0], [-1.0]]) / (4 * s[2] * lam ** 2)
    return Gate(w_in, np.full(4, c), w_out, np.zeros(1), activation, "product", lam)


def square_gate(activation: str, lam: float, c: float | None = None) -> Gate:
    """u^2 from 2 neurons: [s(c+lu) + s(c-lu) - 2 s(c)] / (s2 l^2); the constant goes to b_out.

    Error u^2 (s4 / (12 s2)) l^2 u^2. c defaults to argmax |s2|.
    """
    lam = checked_positive(lam, "lambda")
    c, (s0, _, s2) = taylor_at(activation, 2, c, 2)
    w_out = np.ones((2, 1)) / (s2 * lam ** 2)
    return Gate(lam * np.array([[1.0, -1.0]]), np.full(2, c), w_out, [-2 * s0 / (s2 * lam ** 2)],
                activation, "square", lam)


def richardson(gate: Gate, ratio: float, order: int) -> Gate:
    """Two copies of a Taylor gate, at lambda and ratio * lambda, combined so that their relative
    error term of order lambda^order cancels: (ratio^order G(l) - G(ratio l)) / (ratio^order - 1).

    Twice the neurons; the error starts two orders later (at the bias point s4 = 0 a product
    gate's lambda^4 term goes, lambda^6 is left), so the best lambda is larger and the rounding,
    which grows like 1 / lambda^2, smaller.
    """
    if gate.kind not in ("product", "square") or not ratio > 1:
        raise ValueError(f"a Richardson combination takes a product or square gate and a ratio > 1, "
                         f"got {gate.kind} and {ratio}")
    wide = replace(gate, w_in=gate.w_in * ratio, w_out=gate.w_out / ratio ** 2, b_out=gate.b_out / ratio ** 2)
    k = float(ratio) ** order
    return Gate(np.hstack([gate.w_in, wide.w_in]), np.concatenate([gate.b, wide.b]),
                np.vstack([k * gate.w_out, -wide.w_out]) / (k - 1), (k * gate.b_out - wide.b_out) / (k - 1),
                gate.activation, gate.kind, gate.scale, gate.cancelled + 1)


def copy_neurons(activation: str, c: float | None = None) -> int:
    """The default copy gate size at c: 1 where s2(c) = 0, else 2."""
    c, s = taylor_at(activation, 1, c, 2)
    return 1 if abs(s[2]) <= VANISHING_RATIO * abs(s[1]) else 2


def copy_gate(activation: str, lam: float, neurons: int | None = None, c: float | None = None) -> Gate:
    """u carried through one hidden layer (footnote 4), near-linear around c = argmax |s1|.

    One neuron, (s(c+lu) - s0) / (s1 l), errs by (s2 / (2 s1)) l u^2 + (s3 / (6 s1)) l^2 u^3: use it
    where s2(c) = 0, which holds at an interior maximum of |s1| (sigmoid and tanh at 0), since
    there it is already second-order accurate. Elsewhere (softplus, exp: s2 > 0 everywhere) use
    two neurons, (s(c+lu) - s(c-lu)) / (2 s1 l), which cancel every even term. neurons=None
    picks that way (copy_neurons).
    """
    lam = checked_positive(lam, "lambda")
    c, (s0, s1, _) = taylor_at(activation, 1, c, 2)
    neurons = copy_neurons(activation, c) if neurons is None else neurons
    if neurons == 1:
        return Gate([[lam]], [c], [[1 / (s1 * lam)]], [-s0 / (s1 * lam)], activation, "copy", lam)
    if neurons == 2:
        return Gate([[lam, -lam]], [c, c], np.array([[1.0], [-1.0]]) / (2 * s1 * lam), [0.0],
                    activation, "copy", lam)
    raise ValueError(f"a copy gate has 1 or 2 neurons, not {neurons}")


def flat_gate_neurons(n: int) -> int:
    """Hidden neurons of one layer multiplying n distinct inputs: 2^n (exact Python int)."""
    return 2 ** int(n)


def flat_gate_neurons_for_powers(powers: tuple[int, ...]) -> int:
    """Rolnick & Tegmark: prod (r_i + 1) neurons for x1^r1 ... xm^rm in one hidden layer."""
    return prod(int(r) + 1 for r in powers)


def check_powers(powers) -> tuple[int, ...]:
    powers = tuple(int(r) for r in powers)
    if not powers or min(powers) < 0 or sum(powers) < 1:
        raise ValueError(f"powers must be non-negative with a positive sum, got {powers}")
    if sum(powers) > FLAT_GATE_MAX_DEGREE:
        raise ValueError(f"a flat gate of degree {sum(powers)} is beyond the limit {FLAT_GATE_MAX_DEGREE}: "
                         "its weights would scale like lambda^-degree")
    return powers


def flat_power_gate(activation: str, powers: tuple[int, ...], lam: float, c: float | None = None) -> Gate:
    """x1^r1 ... xm^rm in one hidden layer of prod(r_i + 1) neurons (eq 28/32, generalised).

    sum_k prod_i (-1)^k_i C(r_i, k_i) sigma(c + l sum_i (r_i - 2 k_i) x_i)
        = sum_m s_m l^m [a^m] prod_i (2 sinh(a x_i))^r_i
        = 2^d s_d l^d prod_i x_i^r_i (1 + (s_{d+2} / s_d) l^2 sum_i r_i x_i^2 / 6 + ...),  d = sum r_i,
    so the weights are those signed binomials over 2^d s_d l^d. Neuron j holds the digits k_i of j
    in mixed radix r_i + 1, k_0 fastest; with all r_i = 1 that is eq 28 with eq 32's
    normalisation, bit i of j saying i is in S_j. c defaults to argmax |s_d|.
    """
    powers = check_powers(powers)
    neurons = flat_gate_neurons_for_powers(powers)
    if neurons > flat_gate_neurons(FLAT_MAX_INPUTS):
        raise ValueError(f"a flat gate for powers {powers} needs {neurons:,} neurons; "
                         f"the limit is {flat_gate_neurons(FLAT_MAX_INPUTS):,}")
    lam = checked_positive(lam, "lambda")
    d = sum(powers)
    c, s = taylor_at(activation, d, c, d)
    j = np.arange(neurons)
    w_in = np.empty((len(powers), neurons))
    sign = np.ones(neurons)
    stride = 1
    for i, r in enumerate(powers):
        k = (j // stride) % (r + 1)
        w_in[i] = lam * (r - 2 * k)
        sign *= np.array([(-1) ** q * comb(r, q) for q in range(r + 1)], np.float64)[k]
        stride *= r + 1
    w_out = (sign / (2.0 ** d * s[d] * lam ** d))[:, None]
    w_in.setflags(write=False)
    return Gate(w_in, np.full(neurons, c), w_out, np.zeros(1), activation, "flat", lam)


def flat_product_gate(activation: str, n: int, lam: float, c: float | None = None) -> Gate:
    """x_0 * ... * x_{n-1} from 2^n neurons in one hidden layer (eq 28 with eq 32's normalisation)."""
    if n < 1:
        raise ValueError(f"a flat product needs at least one input, got {n}")
    if n > FLAT_MAX_INPUTS:
        raise ValueError(f"flat product of {n} inputs needs {flat_gate_neurons(n):,} neurons; the limit is "
                         f"{FLAT_MAX_INPUTS} inputs ({flat_gate_neurons(FLAT_MAX_INPUTS):,} neurons)")
    return flat_power_gate(activation, (1,) * n, lam, c)


def bit_product_gate(k: int, beta: float | None = None, activation: str = "sigmoid") -> Gate:
    """The product of k bits from one neuron (eq 13): sigma(beta (sum x_i - k + 1/2)).

    A smooth threshold unit with limits (lo, hi) is read out as (sigma - lo) / (hi - lo); its error
    is sigma(-beta/2) for the sigmoid (bit_error), expit(-beta) for tanh. `step` is exact with
    bias -(k - 1/2) and `relu` is exact as relu(sum x_i - k + 1), which is 1 when all k bits are 1
    and clipped to 0 otherwise; both ignore beta (scale 1), which only adds rounding.
    """
    if k < 1:
        raise ValueError(f"a bit product needs k >= 1 bits, got {k}")
    ones = np.ones((k, 1))
    if activation == "relu":
        return Gate(ones, [-(k - 1.0)], [[1.0]], [0.0], activation, "bit", 1.0)
    if activation == "step":
        return Gate(ones, [-(k - 0.5)], [[1.0]], [0.0], activation, "bit", 1.0)
    limits = get_activation(activation).limits
    if limits is None:
        raise ValueError(f"activation '{activation}' is not a threshold unit; bit products need "
                         "sigmoid, tanh, step or relu")
    if beta is None:
        raise ValueError(f"a {activation} bit product needs beta, e.g. bit_scale(tol)")
    beta = checked_positive(beta, "beta")
    lo, hi = limits
    return Gate(beta * ones, [-beta * (k - 0.5)], [[1.0 / (hi - lo)]], [-lo / (hi - lo)], activation, "bit", beta)
