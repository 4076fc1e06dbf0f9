"""Stencil -> PointGroup: the reflections and rotations of the lattice that leave the one-site density invariant."""
from __future__ import annotations

import itertools
from functools import lru_cache
from dataclasses import dataclass

import numpy as np

from .stencil import Stencil, _canonical, _centered, _radix

# finite subgroups of GL(3, Z) have at most 48 elements (the cube's full symmetry group)
_MAX_ORDER = 48


@dataclass(frozen=True)
class PointGroup:
    matrices: tuple[np.ndarray, ...]     # integer (rank, rank) maps of lattice coordinates, identity first
    orbits: int                          # orbits of the density's monomial templates under the group

    @property
    def order(self) -> int:
        return len(self.matrices)


def point_group(stencil: Stencil) -> PointGroup:
    """The point symmetries of H = sum_s h0(x[s + offsets]): a map s -> M s of the periodic lattice
    (M an integer matrix with entries -1, 0, 1 and det +-1, so that it permutes the sites) leaves H
    invariant iff it maps every translation orbit of h0's monomials to one with the same coefficient.
    Checked on the density alone, so the same at every lattice size; the invariant maps closed under
    products form the group (a shear may be invariant but generates no finite group: left out)."""
    templates, coefs = _templates(stencil)
    shape = np.array(stencil.shape, np.int64)
    index = {key: t for t, key in enumerate(templates)}
    invariant = {}
    for m in _candidates(shape, _steps(stencil, shape)):
        image = _image(m, templates, index, shape)
        if image is not None and all(np.allclose(coefs[t], coefs[u], rtol=1e-12, atol=0) for t, u in enumerate(image)):
            invariant[m.tobytes()] = (m, image)
    group = _largest_closed(invariant, len(shape))
    return PointGroup(tuple(m for m, _ in group), _orbit_count(len(templates), [img for _, img in group]))


def _templates(stencil: Stencil) -> tuple[list, list]:
    """Each monomial template as (degree, its canonical offset codes), and its coefficients."""
    keys, coefs = [], []
    shape = np.array(stencil.shape, np.int64)
    radix = _radix(shape)
    for k, (monomials, coef) in sorted(stencil.table.items()):
        if not len(monomials):
            continue
        codes = _canonical(stencil.offsets[monomials], shape, radix)
        keys += [(k, row.tobytes()) for row in codes]
        coefs += list(coef)
    return keys, coefs


def _steps(stencil: Stencil, shape: np.ndarray) -> np.ndarray:
    """The differences of two sites of one monomial (a point symmetry permutes them)."""
    rows = [stencil.offsets[row] for monomials, _ in stencil.table.values() for row in monomials]
    steps = [a - b for off in rows for a in off for b in off]
    return np.array(steps, np.int64).reshape(-1, len(shape))


def _image(m: np.ndarray, templates: list, index: dict, shape: np.ndarray):
    """Where each template goes under s -> M s (template indices), or None if one leaves the set."""
    radix = _radix(shape)
    out = []
    for k, raw in templates:
        codes = np.frombuffer(raw, np.int64)
        offsets = (codes[:, None] // radix) % (2 * shape + 1) - shape
        moved = _canonical(((offsets @ m.T) % shape)[None], shape, radix)[0]
        t = index.get((k, moved.tobytes()))
        if t is None:
            return None
        out.append(t)
    return out


@lru_cache(maxsize=None)
def _unimodular(rank: int) -> np.ndarray:
    """Integer matrices with entries in {-1, 0, 1}, det +-1 and finite order (M^k = 1, k <= 6): a
    shear is left out, it generates no finite group. Sorted: identity first, then fewest changes."""
    m = np.array(list(itertools.product((0, 1, -1), repeat=rank * rank)), np.int64).reshape(-1, rank, rank)
    m = m[np.rint(np.abs(np.linalg.det(m))) == 1]
    eye = np.eye(rank, dtype=np.int64)
    power, finite = m.copy(), np.zeros(len(m), bool)
    for _ in range(12):
        finite |= (power == eye).all(axis=(1, 2))
        power = power @ m
    m = m[finite]
    return m[np.lexsort((*m.reshape(len(m), -1).T[::-1], np.abs(m - eye).sum(axis=(1, 2))))]


def _candidates(shape: np.ndarray, steps: np.ndarray) -> list:
    """The matrices that map the periodic box onto itself (M diag(L) Z^k = diag(L) Z^k: axes of
    different lengths are not exchanged) and the set of steps within monomials onto itself."""
    rank = len(shape)
    if rank == 0 or shape.min() < 3:      # on 1 or 2 sites, -1 = +1: distinct matrices, equal maps
        return [np.eye(rank, dtype=np.int64)]
    m = _unimodular(rank)
    inverse = np.rint(np.linalg.inv(m)).astype(np.int64)
    keep = np.ones(len(m), bool)
    for a in (m, inverse):
        keep &= ((a * shape[None, None, :]) % shape[None, :, None] == 0).all(axis=(1, 2))
    if len(steps):
        radix = _radix(shape)
        code = lambda v: ((_centered(v % shape, shape) + shape) * radix).sum(axis=-1)
        known = np.unique(code(steps))
        moved = code(np.einsum("cij,pj->cpi", m, steps))
        keep &= np.isin(moved, known).all(axis=1)
    return list(m[keep])


def _largest_closed(invariant: dict, rank: int) -> list:
    """Grow a group from the identity by each invariant matrix whose products stay invariant
    (and finite: at most 48 elements); returns [(matrix, template image)]."""
    identity = np.eye(rank, dtype=np.int64).tobytes()
    group = {identity: invariant[identity]}
    for key, element in invariant.items():
        if key in group:
            continue
        grown = _closure(group, element, invariant)
        if grown is not None:
            group = grown
    return [group[k] for k in sorted(group, key=lambda k: (k != identity, k))]


def _closure(group: dict, element, invariant: dict):
    members = dict(group)
    members[element[0].tobytes()] = element
    frontier = list(members.values())
    while frontier:
        a = frontier.pop()
        for b in list(members.values()):
            for product in (a[0] @ b[0], b[0] @ a[0]):
                key = product.tobytes()
                if key in members:
                    continue
                if key not in invariant or len(members) >= _MAX_ORDER:
                    return None
                members[key] = invariant[key]
                frontier.append(invariant[key])
    return members


def _orbit_count(n: int, images: list) -> int:
    parent = list(range(n))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for image in images:
        for t, u in enumerate(image):
            parent[root(t)] = root(u)
    return len({root(t) for t in range(n)})
