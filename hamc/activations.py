"""Activation name -> NumPy function, Taylor coefficients at a bias point (sympy), best bias point."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy
from scipy.optimize import brentq
from scipy.special import expit

z = sympy.Symbol("z")
SEARCH_INTERVAL = (-6.0, 6.0)


@dataclass(frozen=True)
class Activation:
    name: str
    expr: sympy.Expr | None        # sigma(z), for the Taylor series; None for non-smooth ones
    fn: Callable[[np.ndarray], np.ndarray]
    smooth: bool = True
    limits: tuple[float, float] | None = None   # sigma(-inf), sigma(+inf) where finite: threshold units

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.fn(x)


def _step(x: np.ndarray) -> np.ndarray:
    return (x >= 0).astype(x.dtype)


# A new smooth activation is one line: name, sympy expression, NumPy function.
ACTIVATIONS = {a.name: a for a in (
    Activation("sigmoid", 1 / (1 + sympy.exp(-z)), expit, limits=(0.0, 1.0)),
    Activation("tanh", sympy.tanh(z), np.tanh, limits=(-1.0, 1.0)),
    Activation("softplus", sympy.log(1 + sympy.exp(z)), lambda x: np.logaddexp(0, x)),
    Activation("exp", sympy.exp(z), np.exp),
    Activation("relu", None, lambda x: np.maximum(x, 0), smooth=False),
    Activation("step", None, _step, smooth=False, limits=(0.0, 1.0)),
)}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation '{name}'; known: {', '.join(sorted(ACTIVATIONS))}") from None


@lru_cache(maxsize=None)
def _derivative(name: str, k: int) -> sympy.Expr:
    return sympy.diff(get_activation(name).expr, z, k)


@lru_cache(maxsize=None)
def derivatives(name: str, c: float, order: int) -> tuple[float, ...]:
    """(s_0, ..., s_order): the derivatives of sigma at c, exact in sympy, then rounded to float."""
    if not get_activation(name).smooth:
        raise ValueError(f"activation '{name}' is not smooth: it has no Taylor series")
    return tuple(float(_derivative(name, k).subs(z, sympy.Float(c, 30)).evalf(30)) for k in range(order + 1))


@lru_cache(maxsize=None)
def bias_point(name: str, k: int) -> float:
    """The bias point c where |sigma^(k)(c)| is largest, so gates that need s_k lose least to rounding.

    Searched on SEARCH_INTERVAL: a grid, then a bounded refinement. If the largest value sits at
    the interval's edge (sigma^(k) monotonic there, e.g. exp or softplus' first derivative), there
    is no interior optimum and 0 is returned: the input scale lambda does the rest. Of two
    symmetric optima (+c, -c) the non-negative one is returned.
    """
    f = sympy.lambdify(z, _derivative(name, k), "numpy")
    lo, hi = SEARCH_INTERVAL
    grid = np.linspace(lo, hi, 2401)
    values = np.abs(np.broadcast_to(f(grid), grid.shape))
    best = values.max()
    candidates = grid[values >= best * (1 - 1e-9)]
    c0 = min(candidates, key=lambda c: (c < 0, abs(c)))
    if c0 in (lo, hi):
        return 0.0
    # the optimum is a root of sigma^(k+1): bracket it between grid neighbours and solve
    slope = sympy.lambdify(z, _derivative(name, k + 1), "numpy")
    step = grid[1] - grid[0]
    a, b = c0 - step, c0 + step
    if float(slope(a)) * float(slope(b)) > 0:
        return float(c0)
    root = brentq(lambda c: float(slope(c)), a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return 0.0 if abs(root) < 1e-12 else float(root)
