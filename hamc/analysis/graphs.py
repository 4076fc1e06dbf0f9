"""Graph (from an edge list) -> its size, degree range and automorphism group order, for analyze."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.graph import Graph
from .automorphisms import automorphism_group
from .symmetry import TermTable

# the automorphism search runs on graphs up to this many vertices, and is cut at its step budget
AUTOMORPHISM_MAX_VERTICES = 64


@dataclass(frozen=True)
class GraphSummary:
    name: str
    vertices: int
    edges: int
    min_degree: int
    max_degree: int
    automorphisms: int | None     # order of the (unweighted) graph's automorphism group; None: not searched
    automorphisms_exact: bool     # False: the search stopped at its budget and the order is a lower bound

    def line(self) -> str:
        if self.automorphisms is None:
            group = f"automorphisms not searched (over {AUTOMORPHISM_MAX_VERTICES} vertices)"
        else:
            group = f"{'at least ' if not self.automorphisms_exact else ''}{self.automorphisms:,} automorphisms"
        return (f"graph {self.name:<8} {self.vertices:,} vertices, {self.edges:,} edges, degree "
                f"{self.min_degree}..{self.max_degree}, {group}")


def graph_summary(graph: Graph) -> GraphSummary:
    low, high = graph.degree_range()
    order, exact = None, True
    if graph.n_vertices <= AUTOMORPHISM_MAX_VERTICES:
        block = np.sort(graph.edges, axis=1)
        block = block[np.lexsort((block[:, 1], block[:, 0]))]
        table = TermTable((block,), (np.zeros(len(block), np.int64),), graph.n_vertices,
                          np.zeros(graph.n_vertices, np.int8))
        group = automorphism_group(table)
        order, exact = group.order, group.exact
    return GraphSummary(graph.name, graph.n_vertices, graph.n_edges, low, high, order, exact)
