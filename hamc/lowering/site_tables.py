"""Binder `i in G`, `<i,j> in G`, `<i,j> in bonds(G, k)` over a lattice or graph -> its table of sites or bonds."""
from __future__ import annotations

import numpy as np

from ..errors import HamcError
from ..ir.shells import MAX_SHELL, shell_vectors
from ..language import syntax as S


def bond_vectors(ctx, binder: S.BindBond) -> tuple[tuple[int, ...], ...]:
    """The lattice vectors of the binder's shell (nearest neighbours unless bonds(G, k) or <<i,j>>)."""
    lattice = ctx.lattices[binder.over]
    if binder.shell is None:
        return lattice.bonds
    k = int(ctx.integer(binder.shell, ctx.top)[0])
    if not 1 <= k <= MAX_SHELL:
        raise HamcError(f"the shell of neighbours must be 1..{MAX_SHELL}, got {k}", binder.shell.span)
    return shell_vectors(lattice.kind, k)


def count(ctx, binder) -> int:
    """Rows of the binder's table (before an open lattice drops the bonds past its edge)."""
    if binder.over in ctx.graphs:
        graph = ctx.graphs[binder.over]
        return graph.n_edges if isinstance(binder, S.BindBond) else graph.n_vertices
    lattice = ctx.lattices[binder.over]
    per_site = len(bond_vectors(ctx, binder)) if isinstance(binder, S.BindBond) else 1
    return int(np.prod(lattice.shape, dtype=object)) * per_site


def site_table(ctx, binder) -> tuple[tuple[np.ndarray, ...], ...]:
    """The coordinate columns of each name the binder binds (i; or i and j), one row per site or bond:
    sites in C order, each site's bonds in the order of its vectors; call count() first (a size check)."""
    if binder.over in ctx.graphs:
        graph = ctx.graphs[binder.over]
        if not isinstance(binder, S.BindBond):
            return ((np.arange(graph.n_vertices),),)
        if binder.shell is not None:
            raise HamcError(f"'{graph.name}' is a graph: its bonds are its edges, <i,j> in {graph.name}",
                            binder.span)
        return ((graph.edges[:, 0].copy(),), (graph.edges[:, 1].copy(),))
    lattice = ctx.lattices[binder.over]
    n_sites = int(np.prod(lattice.shape))
    if not isinstance(binder, S.BindBond):
        return (tuple(np.unravel_index(np.arange(n_sites), lattice.shape)),)
    vectors = np.array(bond_vectors(ctx, binder), np.int64)
    rows = np.arange(n_sites * len(vectors))
    site = np.unravel_index(rows // len(vectors), lattice.shape)
    other = [c + vectors[rows % len(vectors), a] for a, c in enumerate(site)]
    keep = np.ones(len(rows), bool)
    for a, n in enumerate(lattice.shape):
        if lattice.boundary == "periodic":
            other[a] = np.mod(other[a], n)
        else:
            keep &= (other[a] >= 0) & (other[a] < n)
    return tuple(c[keep] for c in site), tuple(c[keep] for c in other)
