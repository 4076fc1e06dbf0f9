"""Monomial table with site-dependent coefficients -> (gate template's table, per-site coefficient arrays)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.stencil import Stencil, _canonical, _centered, _radix, _stencil
from ..ir.terms import unique_rows


@dataclass(frozen=True)
class LocalStencil:
    """H(x) = constant + sum_s sum_p coefficients[p][s] * m_p(x at s + offsets): `stencil.table` holds
    each pattern m_p with a one-hot coefficient column p, so a build gives one output per pattern."""

    stencil: Stencil
    coefficients: np.ndarray          # (patterns, *shape), float64
    constant: float


def _anchors(coords: np.ndarray, shape: np.ndarray, radix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(orbit codes as _canonical, the site each monomial is read from): of its own sites, the first
    one from which it looks like its orbit's representative."""
    best = _canonical(coords, shape, radix)
    anchor = np.full(len(coords), -1, np.int64)
    for j in range(coords.shape[1]):
        off = _centered(coords - coords[:, j:j + 1, :], shape)
        codes = np.sort(((off + shape) * radix).sum(axis=2), axis=1)
        hit = (anchor < 0) & (codes == best).all(axis=1)
        anchor[hit] = j
    return best, coords[np.arange(len(coords)), anchor]


def local_stencil(table: dict, constant: float, array) -> LocalStencil:
    """Group the monomials of one energy on a periodic array into translation orbits (patterns);
    each monomial's coefficient goes to its pattern's array at the site it is anchored at."""
    shape = np.array(array.shape, np.int64)
    radix = _radix(shape)
    templates, columns = [], []
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0 or not len(monomials):
            continue
        coords = np.stack(np.unravel_index(monomials - array.offset, array.shape), axis=-1).astype(np.int64)
        codes, sites = _anchors(coords, shape, radix)
        uniq, inverse, _ = unique_rows(codes)
        flat = np.ravel_multi_index(tuple(sites.T), array.shape)
        for t, template in enumerate(uniq):
            column = np.zeros(array.size)
            np.add.at(column, flat[inverse == t], coef[inverse == t, 0])
            templates.append(template)
            columns.append(column)
    patterns = len(templates)
    one_hot = np.eye(patterns)
    stencil = _stencil(list(zip(templates, one_hot)), shape, radix, np.zeros(patterns))
    coefficients = np.array(columns).reshape((patterns,) + tuple(array.shape))
    return LocalStencil(stencil, coefficients, float(constant))
