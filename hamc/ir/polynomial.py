"""Polynomials stored as index arrays + coefficients by degree, and their exact evaluation."""
from __future__ import annotations

from functools import cached_property

import numpy as np

from .coefficients import Coefficients
from .terms import Terms, add, combine


class Polynomial:
    """Monomials `coefficients[k] * prod_j x[variables[k, j]]`, grouped by degree.

    `monomials[d]` holds the degree-d monomials: an int64 array (m, d) of variable indices,
    sorted along each monomial (repeats mean powers, for real variables only), rows sorted.
    A Polynomial may also hold a lattice sum, its `density` (lattice_sum.LatticeDensity): one local polynomial
    summed over every site of a periodic array. It is expanded into `monomials` only when they are
    read, so a compile that never reads them (the shared layout) never builds 10^6 terms.
    Immutable: nothing edits a Polynomial after it is made.
    """

    def __init__(self, monomials: dict[int, np.ndarray], coefficients: dict[int, Coefficients], density=None):
        self._explicit = (monomials, coefficients)
        self.density = density

    @cached_property
    def _merged(self) -> tuple[dict, dict]:
        if self.density is None:
            return self._explicit
        monomials, coefs = self._explicit
        parts = [Terms(np.zeros(len(v), np.int64), v, coefs[d]) for d, v in monomials.items()]
        expanded = self.density.expand()
        return terms_to_monomials(combine(add(parts + [expanded])) if parts else expanded)

    @property
    def monomials(self) -> dict[int, np.ndarray]:
        return self._merged[0]

    @property
    def coefficients(self) -> dict[int, Coefficients]:
        return self._merged[1]

    @property
    def expanded(self) -> bool:
        """Whether the terms are at hand (no lattice sum, or it was expanded already)."""
        return self.density is None or "_merged" in self.__dict__

    @property
    def explicit_monomials(self) -> tuple[dict, dict]:
        """The terms outside the lattice sum (all of them if there is none)."""
        return self._explicit

    @property
    def degree(self) -> int:
        return max((d for d, v in self.monomials.items() if len(v)), default=0)

    @property
    def n_terms(self) -> int:
        return sum(len(v) for v in self.monomials.values())

    def terms_by_degree(self) -> dict[int, int]:
        return {d: len(v) for d, v in sorted(self.monomials.items()) if len(v)}

    @property
    def exact(self) -> bool:
        return all(c.exact for c in self._coefficient_vectors())

    @property
    def inexact_origin(self):
        """Where the first floating-point coefficient came from (coefficients.Origin), or None."""
        return next((c.origin for c in self._coefficient_vectors() if not c.exact), None)

    def _coefficient_vectors(self) -> list:
        return list(self._explicit[1].values()) + (self.density.coefficient_vectors() if self.density else [])

    def evaluate(self, x: np.ndarray, *, chunk_elements: int = 1 << 24) -> np.ndarray:
        """Exact-arithmetic ground truth up to float64 rounding: sum of coefficient * monomial, per row of x."""
        if not self.expanded:
            explicit = _evaluate_monomials(*self._explicit, x, chunk_elements) if any(len(v) for v in self._explicit[0].values()) else 0
            return explicit + self.density.evaluate(x)
        return _evaluate_monomials(self.monomials, self.coefficients, x, chunk_elements)

    def bound(self, magnitude: np.ndarray) -> float:
        """S = sum_m |c_m| prod_i R_i^r_i for variable magnitude bounds R, term by term; a lattice
        sum counts its local terms at every site (the same whether or not it was expanded)."""
        monomials, coefs = self._explicit
        if self.density is None or self.expanded or any(d and len(v) for d, v in monomials.items()):
            # terms outside a lattice sum may cancel some of its terms: bound the merged polynomial
            monomials, coefs = self.monomials, self.coefficients
            return sum(float(np.abs(coefs[d].as_float()) @ np.prod(magnitude[v], axis=1)) for d, v in monomials.items())
        constant = sum((coefs[0].scalar(k) for k in range(len(coefs[0]))), 0) if 0 in coefs else 0
        return self.density.bound(magnitude, constant)


def _evaluate_monomials(monomials, coefficients, x, chunk_elements) -> np.ndarray:
    out = np.zeros(len(x))
    for d, vars_ in monomials.items():
        coef = coefficients[d].as_float()
        if d == 0:
            out += coef.sum()
            continue
        if d <= 2 and len(vars_) >= x.shape[1]:
            out += _quadratic_form(x, vars_, coef)
            continue
        step = max(1, chunk_elements // max(len(x), 1))
        for start in range(0, len(vars_), step):
            v, c = vars_[start:start + step], coef[start:start + step]
            mono = np.take(x, v[:, 0], axis=1).astype(np.float64)   # np.take gathers ~7x faster than x[:, v]
            for j in range(1, d):
                mono *= np.take(x, v[:, j], axis=1)
            out += mono @ c
    return out


def _quadratic_form(x: np.ndarray, vars_: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """sum_k c_k x[v_k0] x[v_k1] (or sum_k c_k x[v_k] for degree 1) per row, as x.(Q x) with the
    coefficients summed into a matrix Q (dense where it is, else sparse): a matrix product instead
    of one gathered column per monomial, when there are at least as many monomials as variables.
    Rows go in blocks, transposed and in float64, small enough to stay in the cache."""
    n = x.shape[1]
    if vars_.shape[1] == 1:
        apply = lambda xt: np.bincount(vars_[:, 0], weights=coef, minlength=n) @ xt       # noqa: E731
    elif len(vars_) * 8 >= n * n:
        q = np.zeros((n, n))
        np.add.at(q, (vars_[:, 1], vars_[:, 0]), coef)
        apply = lambda xt: np.einsum("ib,ib->b", q @ xt, xt)                            # noqa: E731
    else:
        from scipy.sparse import csr_matrix      # imported here: loading a file needs no SciPy
        qt = csr_matrix((coef, (vars_[:, 1], vars_[:, 0])), shape=(n, n))
        apply = lambda xt: np.einsum("ib,ib->b", qt @ xt, xt)                           # noqa: E731
    out = np.empty(len(x))
    step = max(1, (1 << 18) // n)
    for start in range(0, len(x), step):
        out[start:start + step] = apply(np.ascontiguousarray(x[start:start + step].T, dtype=np.float64))
    return out


def terms_to_monomials(t: Terms) -> tuple[dict, dict]:
    """Combined one-row Terms -> (monomials, coefficients) by degree."""
    degree = t.degrees()
    monomials, coefs = {}, {}
    for d in np.unique(degree):
        sel = degree == d
        monomials[int(d)] = np.ascontiguousarray(t.vars[sel][:, t.width - d:])
        coefs[int(d)] = t.coef.take(sel)
    return monomials, coefs
