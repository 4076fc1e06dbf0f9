"""The Hamiltonian IR: typed variables, lattices, and polynomials stored as index arrays + coefficients."""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .coefficients import Coefficients
from .domain import Domain
from .terms import Terms, add, combine

BOND_VECTORS = {
    "chain": ((1,),),
    "square": ((1, 0), (0, 1)),
    "triangular": ((1, 0), (0, 1), (1, -1)),
    "cubic": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


@dataclass(frozen=True)
class Lattice:
    name: str
    kind: str                     # a key of BOND_VECTORS
    shape: tuple[int, ...]
    boundary: str                 # periodic or open

    @property
    def bonds(self) -> tuple[tuple[int, ...], ...]:
        return BOND_VECTORS[self.kind]


@dataclass(frozen=True)
class VariableArray:
    """A named block of input variables: flat indices offset .. offset+size-1, in C order.
    A discrete array (`states` = its q state values) has q one-hot bits per index, the bits of
    one index together: bit offset + q * (C-order index) + k is 1 when the variable is in state k."""

    name: str
    domain: str                   # real, bit, spin, discrete
    lows: tuple[int, ...]         # first index of each axis (0 for `x[N]`, 1 for `x[1..N]`)
    shape: tuple[int, ...]        # () for a scalar
    boundary: str | None          # periodic, open, or None (out-of-range index is an error)
    offset: int
    lattice: str | None = None
    states: tuple[int, ...] = ()  # the state values of a discrete array (lo, lo+1, ..., hi)

    @property
    def size(self) -> int:
        """The number of input variables (bits for a discrete array)."""
        return math.prod(self.shape) * (len(self.states) or 1)   # Python ints: never wraps around

    def label(self, flat: int) -> str:
        q = len(self.states) or 1
        site, state = divmod(flat - self.offset, q)
        name = self.name
        if self.shape:
            idx = np.unravel_index(site, self.shape)
            name = f"{self.name}[{','.join(str(int(i) + lo) for i, lo in zip(idx, self.lows))}]"
        return f"{name}={self.states[state]}" if self.states else name


class VariableNames(Sequence):
    """The names of the input variables, generated on demand: a 10^6-site lattice has 10^6 names,
    which a compile need not spell out unless it writes or draws them."""

    def __init__(self, arrays: tuple[VariableArray, ...]):
        self.arrays = arrays
        self._size = sum(a.size for a in arrays)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._size))]
        i = int(i) + (self._size if i < 0 else 0)
        for a in self.arrays:
            if a.offset <= i < a.offset + a.size:
                return a.label(i)
        raise IndexError(i)

    def __iter__(self):
        for a in self.arrays:
            ranges = [range(lo, lo + n) for lo, n in zip(a.lows, a.shape)]
            for idx in itertools.product(*ranges):
                name = f"{a.name}[{','.join(map(str, idx))}]" if a.shape else a.name
                if a.states:
                    yield from (f"{name}={k}" for k in a.states)
                else:
                    yield name

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class Polynomial:
    """Monomials `coefficients[k] * prod_j x[variables[k, j]]`, grouped by degree.

    `blocks[d]` holds the degree-d monomials: an int64 array (m, d) of variable indices,
    sorted along each monomial (repeats mean powers, for real variables only), rows sorted.
    A Polynomial may also hold a `lattice` sum (density.LatticeDensity): one local polynomial
    summed over every site of a periodic array. It is expanded into `blocks` only when they are
    read, so a compile that never reads them (the shared layout) never builds 10^6 terms.
    Immutable: nothing edits a Polynomial after it is made.
    """

    def __init__(self, blocks: dict[int, np.ndarray], coefficients: dict[int, Coefficients], lattice=None):
        self._explicit = (blocks, coefficients)
        self.lattice = lattice

    @cached_property
    def _merged(self) -> tuple[dict, dict]:
        if self.lattice is None:
            return self._explicit
        blocks, coefs = self._explicit
        parts = [Terms(np.zeros(len(v), np.int64), v, coefs[d]) for d, v in blocks.items()]
        expanded = self.lattice.expand()
        return terms_to_blocks(combine(add(parts + [expanded])) if parts else expanded)

    @property
    def blocks(self) -> dict[int, np.ndarray]:
        return self._merged[0]

    @property
    def coefficients(self) -> dict[int, Coefficients]:
        return self._merged[1]

    @property
    def expanded(self) -> bool:
        """Whether the terms are at hand (no lattice sum, or it was expanded already)."""
        return self.lattice is None or "_merged" in self.__dict__

    @property
    def explicit_blocks(self) -> tuple[dict, dict]:
        """The terms outside the lattice sum (all of them if there is none)."""
        return self._explicit

    @property
    def degree(self) -> int:
        return max((d for d, v in self.blocks.items() if len(v)), default=0)

    @property
    def n_terms(self) -> int:
        return sum(len(v) for v in self.blocks.values())

    def terms_by_degree(self) -> dict[int, int]:
        return {d: len(v) for d, v in sorted(self.blocks.items()) if len(v)}

    @property
    def exact(self) -> bool:
        return all(c.exact for c in self._coefficient_vectors())

    @property
    def inexact_origin(self):
        """Where the first floating-point coefficient came from (coefficients.Origin), or None."""
        return next((c.origin for c in self._coefficient_vectors() if not c.exact), None)

    def _coefficient_vectors(self) -> list:
        return list(self._explicit[1].values()) + (self.lattice.coefficient_vectors() if self.lattice else [])

    def evaluate(self, x: np.ndarray, *, chunk_elements: int = 1 << 24) -> np.ndarray:
        """Exact-arithmetic ground truth up to float64 rounding: sum of coefficient * monomial, per row of x."""
        if not self.expanded:
            explicit = _evaluate_blocks(*self._explicit, x, chunk_elements) if any(len(v) for v in self._explicit[0].values()) else 0
            return explicit + self.lattice.evaluate(x)
        return _evaluate_blocks(self.blocks, self.coefficients, x, chunk_elements)

    def bound(self, magnitude: np.ndarray) -> float:
        """S = sum_m |c_m| prod_i R_i^r_i for variable magnitude bounds R, term by term; a lattice
        sum counts its local terms at every site (the same whether or not it was expanded)."""
        blocks, coefs = self._explicit
        if self.lattice is None or self.expanded or any(d and len(v) for d, v in blocks.items()):
            # terms outside a lattice sum may cancel some of its terms: bound the merged polynomial
            blocks, coefs = self.blocks, self.coefficients
            return sum(float(np.abs(coefs[d].as_float()) @ np.prod(magnitude[v], axis=1)) for d, v in blocks.items())
        constant = sum((coefs[0].scalar(k) for k in range(len(coefs[0]))), 0) if 0 in coefs else 0
        return self.lattice.bound(magnitude, constant)


def _evaluate_blocks(blocks, coefficients, x, chunk_elements) -> np.ndarray:
    out = np.zeros(len(x))
    for d, vars_ in blocks.items():
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


def terms_to_blocks(t: Terms) -> tuple[dict, dict]:
    """Combined one-row Terms -> (blocks, coefficients) by degree."""
    degree = t.degrees()
    blocks, coefs = {}, {}
    for d in np.unique(degree):
        sel = degree == d
        blocks[int(d)] = np.ascontiguousarray(t.vars[sel][:, t.width - d:])
        coefs[int(d)] = t.coef.take(sel)
    return blocks, coefs


@dataclass(frozen=True)
class Hamiltonian:
    """One energy `H(x)`, or several `H_y(x)` with priors `p(y)` (a classifier)."""

    variables: tuple[VariableArray, ...]
    lattices: tuple[Lattice, ...]
    energies: tuple[Polynomial, ...]
    labels: tuple[str, ...] = ()              # class labels; empty for a single Hamiltonian
    priors: tuple = ()                        # p(y), exact where written exactly
    params: dict = field(default_factory=dict)  # resolved scalar parameters, for reports
    source: str = "<Hamiltonian>"           # the file it was read from, or <text>
    graphs: tuple = ()                        # graph.Graph of each `graph E = edges(...)`, for reports

    @property
    def n_variables(self) -> int:
        return sum(v.size for v in self.variables)

    @cached_property
    def domains(self) -> np.ndarray:
        """Domain code per flat variable: 0 real, 1 bit (also a one-hot bit of a discrete variable), 2 spin."""
        return np.concatenate([np.full(v.size, Domain.of(v.domain).encoded, np.int8) for v in self.variables]
                              or [np.empty(0, np.int8)])

    @property
    def is_classifier(self) -> bool:
        return bool(self.labels)

    @property
    def degree(self) -> int:
        return max(p.degree for p in self.energies)

    @property
    def exact(self) -> bool:
        return all(p.exact for p in self.energies)

    def coefficients_note(self) -> str:
        """'exact rationals', or 'floating point (from <the first float's source>)'."""
        origin = next((p.inexact_origin for p in self.energies if not p.exact), None)
        if origin is None:
            return "exact rationals" if self.exact else "floating point"
        return f"floating point (from {origin})"

    def variable_labels(self) -> "VariableNames":
        """Every variable's name, in input order (s[0,0], s[0,1], ...), made when read."""
        return VariableNames(self.variables)

    def variable_label(self, flat: int) -> str:
        for v in self.variables:
            if v.offset <= flat < v.offset + v.size:
                return v.label(flat)
        raise IndexError(flat)

    def evaluate(self, x) -> np.ndarray:
        """H(x) for a batch (rows = configurations): shape (batch,), or (batch, classes) for a classifier."""
        if type(x).__module__.split(".")[0] == "dask":     # lazily, chunk by chunk (ir/chunked.py)
            from .chunked import energies
            values = energies(self, x)
            return values if self.is_classifier else values[:, 0]
        x = np.atleast_2d(np.asarray(x))
        if x.dtype.kind not in "iub":       # integer configurations stay as they are: a lattice sum counts in them
            x = x.astype(np.float64, copy=False)
        if x.shape[1] != self.n_variables:
            raise ValueError(f"expected {self.n_variables} variables per row, got {x.shape[1]}")
        values = np.column_stack([p.evaluate(x) for p in self.energies])
        return values if self.is_classifier else values[:, 0]

    def log_priors(self) -> np.ndarray:
        return np.log(np.array([float(p) for p in self.priors]))

    def posterior(self, x) -> np.ndarray:
        """Exact Bayes posterior p(y|x) = softmax(-H_y(x) - mu_y), mu_y = -ln p(y) (eq 8)."""
        logits = -self.evaluate(x) + self.log_priors()
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    # symbolic views ------------------------------------------------------------------------
    def to_sympy(self, *, max_terms: int = 5000):
        """The energy (or a dict label -> energy) as a sympy expression: arrays as IndexedBase, a lattice
        sum as one Sum over its sites; refuses more than max_terms written-out terms."""
        from .symbolic import to_sympy
        return to_sympy(self, max_terms=max_terms)

    def to_bqm(self):
        """The energy as a dimod.BinaryQuadraticModel (bits and spins, degree <= 2; needs dimod)."""
        from .to_dimod import to_bqm
        return to_bqm(self)

    def to_binary_polynomial(self):
        """The energy as a dimod.BinaryPolynomial, of any degree (needs dimod)."""
        from .to_dimod import to_binary_polynomial
        return to_binary_polynomial(self)

    def _repr_latex_(self) -> str:
        from .symbolic import latex
        return latex(self)
