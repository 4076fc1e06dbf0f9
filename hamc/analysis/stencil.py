"""Monomial table on a periodic lattice -> Stencil: the translation-invariant local energy density."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.terms import scatter_sum, unique_rows


class NotTranslationInvariant(ValueError):
    """The Hamiltonian is not a sum of translates of one local density (the message says why)."""


@dataclass(frozen=True)
class Stencil:
    """H(x) = constant + sum over sites s of h0(x[s + offsets[0]], x[s + offsets[1]], ...).

    `offsets` (n_patch, rank) are the lattice vectors the density reads, relative to its site
    (indices wrap around the periodic `shape`); `table` is h0 as a monomial table over those
    n_patch patch variables (degree -> (monomials, coefficients (m, outputs))), in the format of
    plan.monomial_table. `orbits` counts the monomial templates (one per translation orbit).
    """

    shape: tuple[int, ...]
    offsets: np.ndarray
    table: dict[int, tuple[np.ndarray, np.ndarray]]
    constant: np.ndarray

    @property
    def sites(self) -> int:
        return int(np.prod(self.shape))

    @property
    def orbits(self) -> int:
        return sum(len(m) for m, _ in self.table.values())

    def patch_names(self, name: str) -> tuple[str, ...]:
        """s[i,j], s[i+1,j], ...: the patch variables as a physicist writes them."""
        letters = "ijklmn"
        return tuple(f"{name}[{','.join(letters[a] + (f'{o:+d}' if o else '') for a, o in enumerate(off))}]"
                     for off in self.offsets)


def lattice_array(h):
    """The variable array a shared layout can use: one periodic array holding every variable, one
    per site (a discrete array has q one-hot bits per site: unrolled)."""
    if len(h.variables) != 1:
        return None
    array = h.variables[0]
    return array if array.boundary == "periodic" and array.shape and not array.states else None


def _radix(shape: np.ndarray) -> np.ndarray:
    """Place values that pack an offset vector, each axis in [-L, L], into one int64 code."""
    return np.cumprod(np.concatenate([[1], 2 * shape[:-1] + 1])).astype(np.int64)


def _centered(offsets: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Differences of coordinates (so in (-L, L)) taken modulo L into (-L/2, L/2] on each axis."""
    off = offsets - shape * (offsets > shape // 2)
    return off + shape * (off <= shape // 2 - shape)


def _canonical(coords: np.ndarray, shape: np.ndarray, radix: np.ndarray) -> np.ndarray:
    """For monomials given by site coordinates (m, k, rank): the sorted offset codes seen from the
    anchor (one of its own sites) that makes them lexicographically smallest. Translates of a
    monomial get the same codes: this names its translation orbit."""
    m, k, _ = coords.shape
    best = None
    for j in range(k):
        off = _centered(coords - coords[:, j:j + 1, :], shape)
        codes = np.sort(((off + shape) * radix).sum(axis=2), axis=1)
        if best is None:
            best = codes
            continue
        diff = codes != best
        first = np.argmax(diff, axis=1)
        smaller = diff.any(axis=1) & (codes[np.arange(m), first] < best[np.arange(m), first])
        best = np.where(smaller[:, None], codes, best)
    return best


def _decode(codes: np.ndarray, shape: np.ndarray, radix: np.ndarray) -> np.ndarray:
    return (codes[..., None] // radix) % (2 * shape + 1) - shape


def _stabilizer(template: np.ndarray, shape: np.ndarray, radix: np.ndarray) -> int:
    """How many translations map the template (offset codes) onto itself."""
    offs = _decode(template, shape, radix)
    count = 0
    for j in np.unique(template, return_index=True)[1]:     # distinct sites only: powers repeat one
        moved = np.sort(((_centered(offs - offs[j], shape) + shape) * radix).sum(axis=1))
        count += bool(np.array_equal(moved, template))
    return count


def extract_stencil(table: dict, constant: np.ndarray, array, *, rtol: float = 1e-12) -> Stencil:
    """Group the monomials into translation orbits; each orbit must hold one coefficient and
    N/|stabilizer| monomials (orbit-stabilizer), else NotTranslationInvariant."""
    shape = np.array(array.shape, np.int64)
    radix = _radix(shape)
    sites = int(np.prod(shape))
    templates = []                                  # (codes, density coefficients)
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0:
            continue
        coords = np.stack(np.unravel_index(monomials - array.offset, array.shape), axis=-1).astype(np.int32)
        uniq, inverse, counts = unique_rows(_canonical(coords, shape, radix))
        first = np.empty(len(uniq), np.int64)
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]      # the first member of each orbit
        ref = coef[first]
        spread = np.abs(coef - ref[inverse]).max(axis=1)
        if np.any(spread > rtol * np.abs(ref[inverse]).max(axis=1)):
            bad = int(np.argmax(spread))
            raise NotTranslationInvariant(f"translates of a degree-{k} term have different coefficients "
                                          f"({coef[bad].max():.6g} and {ref[inverse[bad]].max():.6g})")
        for t, template in enumerate(uniq):
            stab = _stabilizer(template, shape, radix)
            if counts[t] * stab != sites:
                raise NotTranslationInvariant(f"a degree-{k} term appears at {counts[t]:,} of the "
                                              f"{sites // stab:,} positions its translates would take")
            templates.append((template, ref[t] / stab))
    return _stencil(templates, shape, radix, constant)


def _stencil(templates, shape, radix, constant) -> Stencil:
    zero = int(((0 + shape) * radix).sum())       # the site itself is always patch variable 0
    codes = np.unique(np.concatenate([c for c, _ in templates] + [[zero]]))
    codes = np.concatenate([[zero], codes[codes != zero]])
    patch = {int(c): p for p, c in enumerate(codes)}
    local: dict[int, list] = {}
    for template, coef in templates:
        local.setdefault(len(template), []).append((sorted(patch[int(c)] for c in template), coef))
    table = {k: (np.array([m for m, _ in v], np.int64), np.array([c for _, c in v])) for k, v in sorted(local.items())}
    return Stencil(tuple(int(n) for n in shape), _decode(codes, shape, radix), table, np.asarray(constant))


def recanonicalize(stencil: Stencil, table: dict, constant: np.ndarray) -> Stencil:
    """A new local density over the same patch (e.g. after spins -> bits), with monomials that are
    translates of each other merged: x[i+1] at every site is x[i] at every site."""
    shape = np.array(stencil.shape, np.int64)
    radix = _radix(shape)
    templates = []
    for k, (monomials, coef) in sorted(table.items()):
        if k == 0:
            continue
        uniq, inverse, _ = unique_rows(_canonical(stencil.offsets[monomials], shape, radix))
        summed = scatter_sum(coef, inverse, len(uniq))
        templates += [(u, c) for u, c in zip(uniq, summed) if np.any(c != 0)]
    return _stencil(templates, shape, radix, constant)


def stencil_from_density(density, constant: np.ndarray) -> Stencil:
    """The Stencil of a lattice sum lowered at one site (density.LatticeDensity), without
    expanding it: the local monomials' sites become patch offsets, translates are merged."""
    shape = np.array(density.array.shape, np.int64)
    coords = density.coordinates()
    used = density.local.vars >= 0
    offsets = _centered(np.where(used[..., None], coords, 0), shape)
    radix = _radix(shape)
    flat_codes = ((offsets + shape) * radix).sum(axis=2)
    codes = np.unique(flat_codes[used])
    patch_of = {int(c): p for p, c in enumerate(codes)}
    coef = density.local.coef.as_float()
    table: dict[int, list] = {}
    for t in range(len(density.local)):
        table.setdefault(int(used[t].sum()), []).append(
            (sorted(patch_of[int(c)] for c in flat_codes[t][used[t]]), coef[t]))
    rows = {k: (np.array([m for m, _ in v], np.int64).reshape(len(v), k), np.array([[c] for _, c in v]))
            for k, v in table.items()}
    # a constant in the density is a constant at every site: N of them
    constant = np.asarray(constant) + density.sites * sum((c for _, c in table.get(0, [])), 0.0)
    raw = Stencil(tuple(int(n) for n in shape), _decode(codes, shape, radix), {}, constant)
    return recanonicalize(raw, rows, constant)
