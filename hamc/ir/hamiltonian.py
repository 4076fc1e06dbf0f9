"""The Hamiltonian IR: one energy or a classifier's energies over typed input variables."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .domain import Domain
from .polynomial import Polynomial
from .variables import Lattice, VariableArray, VariableNames


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
        return VariableNames(self.variables)[flat]

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
