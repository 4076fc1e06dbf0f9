"""Monomial table with site-dependent coefficients -> (gate template's table, per-site coefficient arrays)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.stencil import Stencil, _centered, _radix, _stencil
from ..ir.terms import unique_rows


@dataclass(frozen=True)
class LocalStencil:
    """H(x) = constant + sum_s sum_p coefficients[p][s] * m_p(x at s + offsets): `stencil.table` holds
    each pattern m_p with a one-hot coefficient column p, so a build gives one output per pattern."""

    stencil: Stencil
    coefficients: np.ndarray          # (patterns, *shape), float64
    constant: float


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
        coords = np.stack(np.unravel_index(monomials - array.offset, array.shape), axis=-1).astype(np.int64)
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
