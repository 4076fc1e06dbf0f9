"""`graph E = edges("file.csv")` -> ir Graph; the weight lookup E[i,j]."""
from __future__ import annotations

import numpy as np

from ..errors import HamcError
from ..ir.coefficients import Origin
from ..ir.graph import Graph
from ..ir.terms import Terms
from ..language import syntax as S
from .array_files import ArrayFileError
from .context import MAX_VARIABLES
from .edge_files import read_edges

USAGE = 'a graph is read from an edge list: graph E = edges("file.csv") or edges("file.csv", vertex count)'


def read_graph(ctx, decl: S.GraphDecl) -> Graph:
    """The graph a declaration names, its file read relative to the .ham file and checked row by row."""
    call = decl.source
    if not (isinstance(call, S.Call) and call.name == "edges" and 1 <= len(call.args) <= 2
            and isinstance(call.args[0], S.Str)):
        raise HamcError(USAGE, call.span)
    n_vertices = ctx.positive_int(call.args[1]) if len(call.args) == 2 else None
    if n_vertices is not None and n_vertices > MAX_VARIABLES:
        raise HamcError(f"graph '{decl.name}' has {n_vertices:,} vertices (limit {MAX_VARIABLES:,})", call.args[1].span)
    path = ctx.base_dir / call.args[0].value
    try:
        n, edges, weights = read_edges(path, n_vertices, ctx.max_terms)
    except (ArrayFileError, OSError) as exc:
        why = str(exc) if isinstance(exc, ArrayFileError) else exc.strerror or "cannot be read"
        raise HamcError(f"cannot read the edges of '{decl.name}' from '{path}': {why}", call.args[0].span) from None
    if weights is not None:
        weights = type(weights)(weights.num, weights.den, Origin(f"graph {decl.name}", decl.span, ""))
    return Graph(decl.name, n, edges, weights, str(path))


def graph_weight(ctx, graph: Graph, node: S.Indexed, scope) -> Terms:
    """E[i,j]: the weight of edge {i, j} in each row, 0 where {i, j} is not an edge."""
    if len(node.indices) != 2:
        raise HamcError(f"'{graph.name}' takes 2 indexes (the ends of an edge), got {len(node.indices)}", node.span)
    ends = [ctx.integer(i, scope) for i in node.indices]
    for end in ends:
        bad = (end < 0) | (end >= graph.n_vertices)
        if bad.any():
            raise HamcError(f"vertex {end[bad][0]} is out of range 0..{graph.n_vertices - 1} of graph "
                            f"'{graph.name}'", node.span)
    return Terms.constant(graph.weight_of(ends[0], ends[1]), np.arange(scope.n_rows))
