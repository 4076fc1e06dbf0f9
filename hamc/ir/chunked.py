"""(lattice-sum Polynomial, dask lattice array) -> energies: the one-site density summed chunk by chunk."""
from __future__ import annotations

import numpy as np


def fit_halos(grid, depth: tuple[int, ...]):
    """grid rechunked so that every chunk of a lattice axis holds its halo (map_overlap would rechunk
    such an axis itself, and the output chunks computed from the old ones would no longer match):
    an axis with a chunk narrower than its depth becomes one chunk."""
    small = {axis + 1: -1 for axis, (c, d) in enumerate(zip(grid.chunks[1:], depth)) if d and min(c) < d}
    return grid.rechunk(small) if small else grid


def signed_coordinates(density, local=None) -> list[np.ndarray]:
    """Each local monomial's sites as signed lattice vectors from the origin ((used, rank) per term):
    a coordinate past half the axis is a step backwards (index L-1 is -1), as the periodic sum reads it."""
    local = density.local if local is None else local
    shape = np.array(density.array.shape)
    coords = density.coordinates(local)
    out = []
    for t in range(len(local)):
        c = coords[t][local.vars[t] >= 0]
        out.append(np.where(c > shape // 2, c - shape, c))
    return out


def _block_energy(block, *fields, terms, coef, halo):
    """One chunk with `halo` cells per side (and, for the last len(fields) terms, their per-site
    coefficients on its interior) -> (batch, 1, ..., 1) energy of its interior sites."""
    interior = [n - 2 * d for n, d in zip(block.shape[1:], halo)]
    out = np.zeros(len(block))
    uniform = len(terms) - len(fields)
    for t, sites in enumerate(terms):
        term = np.ones((len(block),) + tuple(interior))
        for c in sites:
            window = tuple(slice(d + int(o), d + int(o) + n) for d, o, n in zip(halo, c, interior))
            term *= block[(slice(None),) + window]
        if t >= uniform:
            term *= fields[t - uniform]
        out += coef[t] * term.reshape(len(block), -1).sum(axis=1)
    return out.reshape((len(block),) + (1,) * len(halo))


def lattice_energy(density, grid):
    """sum over the sites of `grid` (dask, (batch, *lattice shape)) of the density's local polynomial,
    with periodic halos of its reach -> (batch,) dask array, float64. A disordered sum's coefficient
    arrays are cut into the same chunks as the lattice (without halos) and sent with them."""
    import dask.array as da
    rank = len(density.array.shape)
    terms = signed_coordinates(density)
    coef = density.local.coef.as_float()
    fields = []
    if density.disorder is not None:
        terms += signed_coordinates(density, density.disorder.local)
        coef = np.concatenate([coef, density.disorder.local.coef.as_float()])
        fields = [np.asarray(f, np.float64)[None] for f in density.disorder.fields]
    reach = np.abs(np.concatenate([t for t in terms if len(t)] or [np.zeros((1, rank), np.int64)]))
    depth = tuple(int(d) for d in reach.max(axis=0))
    grid = fit_halos(grid, depth)
    fields = [da.from_array(f, chunks=((1,),) + grid.chunks[1:]) for f in fields]
    padded = da.overlap.overlap(grid.astype(np.float64), depth=dict(enumerate((0,) + depth)),
                                boundary={axis: "periodic" if axis else "none" for axis in range(rank + 1)})
    chunks = (grid.chunks[0],) + tuple((1,) * len(c) for c in grid.chunks[1:])
    parts = da.map_blocks(_block_energy, padded, *fields, chunks=chunks, dtype=np.float64,
                          terms=terms, coef=coef, halo=depth)
    return parts.sum(axis=tuple(range(1, rank + 1)))


def energies(h, x):
    """The Hamiltonian's energies (batch, n_energies) on a dask array x: (batch, n_variables), or
    (batch, *lattice shape) when its variables are one lattice array. Lattice sums (plus a constant)
    over that array run chunk by chunk with halos; anything else row block by row block."""
    array = h.variables[0] if len(h.variables) == 1 else None
    if array is not None and tuple(x.shape[1:]) == array.shape and all(
            p.density is not None and p.density.array is array
            and all(d == 0 for d, v in p.explicit_monomials[0].items() if len(v)) for p in h.energies):
        import dask.array as da
        return da.stack([lattice_energy(p.density, x) + _constant(p) for p in h.energies], axis=1)
    rows = x.rechunk({i: -1 for i in range(1, x.ndim)})
    rows = rows.reshape(rows.shape[0], -1) if rows.ndim > 2 else rows
    if rows.ndim != 2 or rows.shape[1] != h.n_variables:
        raise ValueError(f"expected {h.n_variables} variables per row, got shape {tuple(x.shape)}")
    return rows.map_blocks(_block_rows, h=h, chunks=(rows.chunks[0], (len(h.energies),)), dtype=np.float64)


def _block_rows(block, *, h):
    return h.evaluate(block).reshape(len(block), -1)


def _constant(p) -> float:
    monomials, coefs = p.explicit_monomials
    return float(coefs[0].as_float().sum()) if 0 in monomials and len(monomials[0]) else 0.0
