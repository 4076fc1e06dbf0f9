"""Monomial table with site-dependent coefficients -> (gate template's table, per-site coefficient arrays)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.stencil import Stencil, _centered, _radix, _stencil
from ..ir.lattice_sum import site_coordinates
from ..ir.terms import unique_rows


@dataclass(frozen=True)
class LocalStencil:
    """H(x) = constant + sum_s sum_p coefficients[p][s] * m_p(x at s + offsets): `stencil.table` holds
    each pattern m_p with a one-hot coefficient column p, so a build gives one output per pattern."""

    stencil: Stencil
    coefficients: np.ndarray          # (patterns, *shape), float64
    constant: float
    # a density's, per pattern: the (coefficient, field or None) terms summed into coefficients[p], in
    # its dtype; the bound reads how far those roundings took them from H's values (local_bound)
    sources: tuple = ()


def _anchors(coords: np.ndarray, shape: np.ndarray, radix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(orbit codes, as analysis.stencil._canonical names them; the site each monomial is read from):
    of its own sites, the first one from which it looks like its orbit's representative."""
    rows = np.arange(len(coords))
    best, anchor = None, np.zeros(len(coords), np.int64)
    for j in range(coords.shape[1]):
        codes = np.sort(((_centered(coords - coords[:, j:j + 1, :], shape) + shape) * radix).sum(axis=2), axis=1)
        if best is None:
            best = codes
            continue
        diff = codes != best
        first = np.argmax(diff, axis=1)
        smaller = diff.any(axis=1) & (codes[rows, first] < best[rows, first])
        best = np.where(smaller[:, None], codes, best)
        anchor[smaller] = j
    return best, coords[rows, anchor]


def local_stencil(table: dict, constant: float, array) -> LocalStencil:
    """Group the monomials of one energy on a periodic array into translation orbits (patterns);
    each monomial's coefficient goes to its pattern's array at the site it is anchored at."""
    shape = np.array(array.shape, np.int64)
    radix = _radix(shape)
    templates, columns = [], []
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0 or not len(monomials):
            continue
        coords = site_coordinates(monomials - array.offset, array.shape)
        codes, sites = _anchors(coords, shape, radix)
        uniq, inverse, _ = unique_rows(codes)
        flat = np.ravel_multi_index(tuple(sites.T), array.shape)
        summed = np.bincount(inverse * array.size + flat, weights=coef[:, 0], minlength=len(uniq) * array.size)
        templates += list(uniq)
        columns += list(summed.reshape(len(uniq), array.size))
    patterns = len(templates)
    one_hot = np.eye(patterns)
    stencil = _stencil(list(zip(templates, one_hot)), shape, radix, np.zeros(patterns))
    coefficients = np.array(columns).reshape((patterns,) + tuple(array.shape))
    return LocalStencil(stencil, coefficients, float(constant))


def density_local_stencil(density, constant: float, dtype) -> LocalStencil:
    """The same from a lattice sum's one-site density, without expanding it: each local term's
    pattern (its translation orbit) and anchor, its per-site coefficients (the disorder's fields,
    rolled to the anchor, or the uniform coefficient) summed into that pattern's array, in `dtype`."""
    shape = np.array(density.array.shape, np.int64)
    radix = _radix(shape)
    parts = [(density.local, None)] + ([(density.disorder.local, density.disorder.fields)] if density.disorder else [])
    patterns, contributions = {}, []           # (degree, codes) -> pattern; (pattern, coefficient, field, anchor)
    for local, fields in parts:
        coords = density.coordinates(local)
        degrees = local.degrees()
        coef = local.coef.as_float()
        for t in range(len(local)):
            k = int(degrees[t])
            if k == 0:                          # a constant at every site
                constant += coef[t] * (density.sites if fields is None else float(fields[t].sum(dtype=np.float64)))
                continue
            codes, anchors = _anchors(coords[t:t + 1, local.width - k:, :], shape, radix)
            p = patterns.setdefault((k, tuple(codes[0])), len(patterns))
            contributions.append((p, coef[t], None if fields is None else fields[t], anchors[0]))
    coefficients = np.zeros((len(patterns),) + tuple(density.array.shape), dtype)
    written = set()
    for p, c, field, anchor in contributions:
        if field is None:
            coefficients[p] += c
        else:
            rolled = np.roll(field, [int(a) for a in anchor], axis=tuple(range(len(shape)))) if anchor.any() else field
            if p in written:
                coefficients[p] += rolled * c
            else:                       # written in place: no float64 copy of a 10^8-site field
                np.multiply(rolled, c, out=coefficients[p], casting="unsafe")
        written.add(p)
    templates = [np.array(codes, np.int64) for (_, codes) in patterns]
    stencil = _stencil(list(zip(templates, np.eye(len(patterns)))), shape, radix, np.zeros(len(patterns)))
    sources = tuple(tuple((c, field) for q, c, field, _ in contributions if q == p) for p in range(len(patterns)))
    return LocalStencil(stencil, coefficients, float(constant), sources)
