"""A graph read from an edge list: vertices 0..n-1, each undirected edge once, optional weights."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .coefficients import Coefficients


@dataclass(frozen=True, eq=False)
class Graph:
    name: str
    n_vertices: int
    edges: np.ndarray                 # (m, 2) int64, in file order, each as written (u, v), u != v
    weights: Coefficients | None      # one per edge (exact where the file's numbers are), None: unweighted
    source: str = ""                  # the edge file, for reports

    @property
    def n_edges(self) -> int:
        return len(self.edges)

    def degree_range(self) -> tuple[int, int]:
        """(min, max) vertex degree; counted over the edges' vertices, as n may be 10^9 (isolated ones: 0)."""
        _, counts = np.unique(self.edges, return_counts=True)
        return (int(counts.min()) if len(counts) == self.n_vertices else 0), int(counts.max())

    def keys(self) -> np.ndarray:
        """u * n + v with u < v: one integer per undirected edge."""
        lo, hi = self.edges.min(axis=1), self.edges.max(axis=1)
        return lo * self.n_vertices + hi

    def weight_of(self, first: np.ndarray, second: np.ndarray) -> Coefficients:
        """The weight of edge {first[r], second[r]} for each r: 1 on an unweighted graph, 0 off its edges."""
        weights = self.weights if self.weights is not None else Coefficients.of(1, self.n_edges)
        keys = self.keys()
        order = np.argsort(keys, kind="stable")
        wanted = np.minimum(first, second) * self.n_vertices + np.maximum(first, second)
        at = np.minimum(np.searchsorted(keys[order], wanted), max(self.n_edges - 1, 0))
        found = (keys[order][at] == wanted) & (first != second) if self.n_edges else np.zeros(len(wanted), bool)
        picked = weights.take(order[at]) if self.n_edges else Coefficients.of(0, len(wanted))
        return _masked(picked, found)


def _masked(coef: Coefficients, keep: np.ndarray) -> Coefficients:
    """coef where keep, else 0."""
    if coef.exact:
        return Coefficients(np.where(keep, coef.num, 0), np.where(keep, coef.den, 1), coef.origin)
    return Coefficients(np.where(keep, coef.num, 0.0), None, coef.origin)
