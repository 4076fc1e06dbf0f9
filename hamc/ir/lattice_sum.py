"""Local polynomial at the origin of a periodic array -> its sum over all sites: expanded, evaluated, bounded."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TEXT_NAME, HamcError
from .terms import Terms, add, combine
from .chunked import signed_coordinates
from .flat_stencil import monomial_sums


@dataclass(frozen=True)
class LatticeDensity:
    """sum over every site s of the periodic `array` of h0 translated by s.

    h0 is `local`: monomials over flat variable indices of `array` as lowered with the summation
    indices at the array's first site (Terms, one row). Lowering `sum(<i,j> in G: s[i]*s[j])`
    this way touches one site, not 10^6: the sum is expanded only if someone reads its terms.
    """

    array: object                    # hamiltonian.VariableArray (periodic)
    local: Terms
    sums: tuple = ()                 # (Span, index combinations) of each sum merged into this one
    limit: int = 0                   # --max-terms: expanding more index combinations is refused
    origin: tuple = (TEXT_NAME, "")  # (file name, source text), to locate that refusal

    @property
    def sites(self) -> int:
        return self.array.size

    def coordinates(self) -> np.ndarray:
        """(terms, width, rank) lattice coordinates of the local monomials' variables (-1: padding)."""
        v = self.local.vars
        coords = np.stack(np.unravel_index(np.maximum(v, self.array.offset) - self.array.offset,
                                           self.array.shape), axis=-1)
        return np.where((v >= 0)[..., None], coords, -1)

    def expand(self) -> Terms:
        """All N translates of every local monomial, like terms combined (one row)."""
        for span, combinations in self.sums:
            if self.limit and combinations > self.limit:
                raise HamcError(f"this sum has {combinations:,} index combinations (limit {self.limit:,}); "
                                "raise the limit with --max-terms", span, filename=self.origin[0],
                                source=self.origin[1])
        shape = np.array(self.array.shape)
        sites = np.stack(np.unravel_index(np.arange(self.sites), self.array.shape), axis=-1)
        coords = self.coordinates()
        parts = []
        for t in range(len(self.local)):
            used = coords[t][(self.local.vars[t] >= 0)]
            moved = (sites[:, None, :] + used[None, :, :]) % shape
            flat = self.array.offset + np.ravel_multi_index(tuple(np.moveaxis(moved, -1, 0)), self.array.shape)
            flat = np.sort(flat.reshape(self.sites, len(used)), axis=1)
            parts.append(Terms(np.zeros(self.sites, np.int64), flat, self.local.coef.take(np.full(self.sites, t))))
        return combine(add(parts)) if parts else self.local

    def evaluate(self, x: np.ndarray, chunk_elements: int = 1 << 22) -> np.ndarray:
        """The summed energy of each configuration (row of x), read through periodic shifts of the
        lattice: no expansion. A monomial's sum over sites is that of any of its translates (here
        the one with non-negative offsets), so each term is a product of shifted views of one
        padded copy of the lattice. Bits and spins (values -1, 0, 1) are multiplied and counted in integers: the
        energy is then exact up to the final float64 products with the coefficients."""
        step = max(1, chunk_elements // self.sites)
        if len(x) > step:
            return np.concatenate([self.evaluate(x[i:i + step], chunk_elements) for i in range(0, len(x), step)])
        if getattr(self, "disorder", None) is None:       # bits or spins: counts of boolean functions (exact)
            sums = monomial_sums(self.array.shape, signed_coordinates(self),
                                 x[:, self.array.offset:self.array.offset + self.array.size])
            if sums is not None:
                return sums @ self.local.coef.as_float()
        a = self.array
        grid = _small_integers(x[:, a.offset:a.offset + a.size].reshape((len(x),) + a.shape))
        coords = self.coordinates()
        used = [coords[t][self.local.vars[t] >= 0] for t in range(len(self.local))]
        shifts = [c - c.min(axis=0, initial=0) for c in used]     # translated into the first quadrant
        reach = np.max(np.concatenate(shifts + [np.zeros((1, len(a.shape)), np.int64)]), axis=0)
        padded = np.pad(grid, [(0, 0)] + [(0, int(r)) for r in reach], mode="wrap") if reach.any() else grid
        counts = np.empty((len(x), len(used)), np.float64 if grid.dtype == np.float64 else np.int64)
        # int8 products of -1, 0, 1 summed over fewer than 2^31 sites fit an int32 (twice int64's speed)
        accumulate = counts.dtype if grid.dtype == np.float64 or self.sites >= 2**31 else np.int32
        view = lambda o: padded[(slice(None),) + tuple(slice(int(k), int(k) + n) for k, n in zip(o, a.shape))]
        for t, offsets in enumerate(shifts):
            if not len(offsets):
                counts[:, t] = self.sites
                continue
            term = view(offsets[0]) if len(offsets) == 1 else view(offsets[0]) * view(offsets[1])
            for o in offsets[2:]:
                term = term * view(o)
            counts[:, t] = term.reshape(len(x), -1).sum(axis=1, dtype=accumulate)
        return counts @ self.local.coef.as_float()

    def bound(self, magnitude: np.ndarray, constant=0) -> float:
        """S of the expanded sum plus `constant`: sum over sites and local terms of |c| prod R, with
        the constants added up first (the density's N of them and `constant` may cancel)."""
        v = self.local.vars
        varying = (v >= 0).any(axis=1)
        mono = np.prod(np.where(v >= 0, magnitude[np.maximum(v, 0)], 1.0), axis=1)
        coef = self.local.coef
        for k in np.flatnonzero(~varying):
            constant += self.sites * coef.scalar(int(k))
        return float(self.sites * (np.abs(coef.as_float()[varying]) @ mono[varying])) + abs(float(constant))


def canonical_local(local: Terms, array) -> Terms:
    """The same lattice sum with each local monomial moved to one representative of its translation
    orbit (of the translates that put one of its own sites at the origin, the one whose sorted flat
    indices are smallest), like terms combined: translates that cancel in the sum over sites (the
    phi[i]*phi[i+1] of one site and the phi[i]*phi[i-1] of the next) cancel here, so that the
    density's terms, its bound S and the stencil read from it are those of the simplified sum."""
    if len(local) == 0 or local.width == 0:
        return local
    v = local.vars
    used = v >= 0
    coords = np.stack(np.unravel_index(np.where(used, v - array.offset, 0), array.shape), axis=-1)
    best = v
    for j in range(v.shape[1]):
        anchored = used[:, j]
        moved = np.mod(coords - coords[:, j:j + 1, :], array.shape)
        flat = array.offset + np.ravel_multi_index(tuple(np.moveaxis(moved, -1, 0)), array.shape)
        candidate = np.sort(np.where(used, flat, -1), axis=1)
        differ = candidate != best
        first = np.argmax(differ, axis=1)
        rows = np.arange(len(v))
        smaller = anchored & differ.any(axis=1) & (candidate[rows, first] < best[rows, first])
        best = np.where(smaller[:, None], candidate, best)
    return combine(Terms(local.rows, best, local.coef))




def _small_integers(grid: np.ndarray) -> np.ndarray:
    """grid as int8 when every value is -1, 0 or 1 (bits and spins: products stay in range and
    sums are exact), else as float64."""
    if grid.dtype.kind in "iub":
        small = grid.size == 0 or (int(grid.min()) >= -1 and int(grid.max()) <= 1)
        return grid.astype(np.int8, copy=False) if small else grid.astype(np.float64)
    grid = np.asarray(grid, np.float64)
    small = grid.astype(np.int8)
    return small if np.array_equal(small, grid) and (grid.size == 0 or np.abs(grid).max() <= 1) else grid
