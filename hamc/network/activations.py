"""Activation name -> NumPy function, Taylor coefficients at a bias point (sympy), best bias point."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy

z = sympy.Symbol("z", real=True)
SEARCH_INTERVAL = (-6.0, 6.0)     # symmetric, so symmetric optima are found as exact +-c pairs
_GRID_STEP = 0.05                 # below the spacing of sigma^(k)'s extrema (>= 0.14 for tanh, k <= 32)
_DPS = 40                         # high derivatives cancel ~15 digits in float64; work in 40


@dataclass(frozen=True)
class Activation:
    name: str
    expr: sympy.Expr                # sigma(z), differentiated for the Taylor coefficients
    fn: Callable[[np.ndarray], np.ndarray]
    smooth: bool = True             # False: no Taylor use (relu, step: exact bit products only)
    limits: tuple[float, float] | None = None   # (sigma(-inf), sigma(+inf)) where finite: threshold units
    # Bias points, kept as floats so that a build needs no sympy (tests derive them with sympy):
    gate_bias: float | None = None    # products and squares: s4(c) = 0, s2(c) != 0 (else argmax |s2|)
    paper_bias: float | None = None   # argmax |s2|, the paper's choice (sigmoid: ln(2 + sqrt 3))
    copy_bias: float | None = None    # 1-neuron copy: s2(c) = 0; 2-neuron copy: s3(c) = 0
    copy_neurons: int = 2             # 1 where s2 has a zero (the copy is then second-order accurate)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.fn(x)


def _step(x: np.ndarray) -> np.ndarray:
    return np.heaviside(x, 1)       # step(0) = 1, so a sum exactly at the threshold counts as on


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # written as in the README's plain-NumPy forward pass, so that both give the same bits
    return 0.5 * (1 + np.tanh(x / 2))


# A new smooth activation is one entry: name, sympy expression, NumPy function and its bias points.
# Of the two mirror-image points +-c we keep the one where sigma is smaller: its values' ulps are
# finer (sigmoid(-2.29) = 0.09, sigmoid(2.29) = 0.91). The paper's points are its own signs.
_LN_5_2SQRT6 = 2.2924316695611777      # ln(5 + 2 sqrt 6): the sigmoid's s4 = 0
_LN_2_SQRT3 = 1.3169578969248168       # ln(2 + sqrt 3): the sigmoid's s3 = 0, argmax |s2|
# tanh is written through exp: sympy.diff of sympy.tanh swells exponentially (order 18 takes
# about a minute), the exponential form stays linear in the order like the sigmoid.
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", 1 / (1 + sympy.exp(-z)), _sigmoid, limits=(0.0, 1.0),
               gate_bias=-_LN_5_2SQRT6, paper_bias=_LN_2_SQRT3, copy_bias=0.0, copy_neurons=1),
    Activation("tanh", 1 - 2 / (1 + sympy.exp(2 * z)), np.tanh, limits=(-1.0, 1.0),     # tanh(z) = 2 sigmoid(2z) - 1
               gate_bias=-_LN_5_2SQRT6 / 2, paper_bias=_LN_2_SQRT3 / 2, copy_bias=0.0, copy_neurons=1),
    Activation("softplus", sympy.log(1 + sympy.exp(z)), lambda x: np.logaddexp(0, x),   # softplus' = sigmoid
               gate_bias=-_LN_2_SQRT3, paper_bias=0.0, copy_bias=0.0, copy_neurons=2),
    Activation("exp", sympy.exp(z), np.exp,           # no s4 zero: every s_k = e^c, c only rescales weights
               gate_bias=0.0, paper_bias=0.0, copy_bias=0.0, copy_neurons=2),
    Activation("relu", sympy.Max(0, z), lambda x: np.maximum(x, 0), smooth=False),
    Activation("step", sympy.Heaviside(z, 1), _step, smooth=False, limits=(0.0, 1.0)),
)}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation '{name}'; known: {', '.join(sorted(ACTIVATIONS))}") from None


def _smooth(name: str, k: int = 0) -> Activation:
    if k < 0:
        raise ValueError(f"derivative order must be >= 0, got {k}")
    act = get_activation(name)
    if not act.smooth:
        raise ValueError(f"activation '{name}' is not smooth: it has no Taylor series")
    return act


@lru_cache(maxsize=None)
def _derivative(name: str, k: int) -> sympy.Expr:
    # one diff on the cached (k-1)-th derivative: building order k costs one step, not k
    if k <= 0:
        return _smooth(name, k).expr
    return sympy.diff(_derivative(name, k - 1), z)


@lru_cache(maxsize=None)
def _mp_derivative(name: str, k: int) -> Callable:
    return sympy.lambdify(z, _derivative(name, k), "mpmath")


def derivatives(name: str, c: float, order: int) -> tuple[float, ...]:
    """(s_0, ..., s_order): the derivatives of sigma at c, exact in sympy, evaluated to 30 digits,
    then rounded to float."""
    _smooth(name, order)
    return tuple(_derivative_at(name, float(c), k) for k in range(int(order) + 1))


@lru_cache(maxsize=None)
def _derivative_at(name: str, c: float, k: int) -> float:
    # the exact binary value of c, not its decimal rounding; chop turns a cancelled-to-nothing
    # sum (sigmoid'' at 0) into an exact 0 instead of 1e-166
    return float(_derivative(name, k).evalf(30, subs={z: sympy.Float(c, 30)}, chop=True))


def _grid() -> list:
    half = np.linspace(0.0, SEARCH_INTERVAL[1], round(SEARCH_INTERVAL[1] / _GRID_STEP) + 1)
    return [mpmath.mpf(float(x)) for x in np.concatenate([-half[:0:-1], half])]


def _root_between(f: Callable, a, b):
    """A root of f in [a, b], where f changes sign: Anderson-Bjorck, bisection if it strays."""
    try:
        r = mpmath.findroot(f, (a, b), solver="anderson")
        if a <= r <= b:
            return r
    except (ValueError, ZeroDivisionError):
        pass
    fa = f(a)
    for _ in range(4 * _DPS):            # 2^-(4 dps) of a grid step: beyond the working precision
        m = (a + b) / 2
        if (f(m) > 0) == (fa > 0):
            a, fa = m, f(m)
        else:
            b = m
    return (a + b) / 2


def critical_points(name: str, k: int) -> tuple[float, ...]:
    """The roots of sigma^(k+1) in SEARCH_INTERVAL: the extrema of sigma^(k), ascending."""
    return tuple(float(r) for r in _critical_points(name, int(k)))


@lru_cache(maxsize=None)
def _critical_points(name: str, k: int) -> tuple:
    _smooth(name, k)
    slope = _mp_derivative(name, k + 1)
    with mpmath.workdps(_DPS):
        grid = _grid()
        g = [slope(x) for x in grid]
        roots = [x for x, gx in zip(grid, g) if gx == 0]
        roots += [_root_between(slope, a, b) for a, b, ga, gb in zip(grid, grid[1:], g, g[1:]) if ga * gb < 0]
    return tuple(sorted(roots))


@lru_cache(maxsize=None)
def bias_point(name: str, k: int) -> float:
    """The bias point c where |sigma^(k)(c)| is largest, so a gate dividing by s_k loses least to rounding.

    The candidates are the extrema of sigma^(k) (roots of sigma^(k+1), solved to 40 digits) inside
    SEARCH_INTERVAL. If none beats the interval's edges, |sigma^(k)| keeps growing or levels off
    outwards (exp for every k, softplus for k = 1) and has no best point: we return 0, since the
    input scale lambda does the rest (for exp every s_k = e^c, so c only rescales the weights).
    Of two equal optima (+c and -c for tanh) the non-negative one is returned.
    """
    value = _mp_derivative(name, k)
    roots = _critical_points(name, int(k))
    with mpmath.workdps(_DPS):
        edge = max(abs(value(mpmath.mpf(x))) for x in SEARCH_INTERVAL)
        scored = [(abs(value(r)), r) for r in roots]
        best = max((v for v, _ in scored), default=edge)
        if best <= edge:
            return 0.0
        ties = [float(r) for v, r in scored if v >= best * (1 - mpmath.mpf(10) ** -12)]
    c = min(ties, key=lambda r: (r < 0, abs(r)))
    return 0.0 if abs(c) < 1e-12 else c
