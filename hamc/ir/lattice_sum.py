"""Local polynomial at the origin of a periodic array -> its sum over all sites: expanded, evaluated, bounded."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TEXT_NAME, HamcError
from .coefficients import Coefficients, Origin
from .terms import Terms, add, combine
from .chunked import signed_coordinates
from .flat_stencil import monomial_sums


@dataclass(frozen=True)
class SiteCoefficients:
    """Local monomials whose coefficient varies from site to site (a lattice sum of parameter arrays
    indexed by the site: `J[i,j,d] * s[i,j] * s[i+1,j]`): monomial t translated by the lattice
    vector x has coefficient local.coef[t] * fields[t][x]. Monomials may repeat (then they add)."""

    local: Terms                     # one row, like LatticeDensity.local
    fields: tuple                    # one array of the lattice's shape per term: int64 (exact) or float64
    origin: Origin | None = None     # where the first floating-point field came from

    def coefficients(self, t: int) -> Coefficients:
        """Term t's coefficient at every site, in C order."""
        field = np.asarray(self.fields[t]).reshape(-1)
        values = Coefficients.from_array(field, self.origin) if field.dtype.kind in "iub" else \
            Coefficients(field.astype(np.float64, copy=False), None, self.origin)
        return self.local.coef.take(np.full(len(field), t)) * values

    def coefficient_vectors(self) -> list[Coefficients]:
        """The constant factors and one float stand-in per floating-point field (for exactness and origin)."""
        floats = [Coefficients(np.zeros(1), None, self.origin) for f in self.fields if f.dtype.kind == "f"]
        return [self.local.coef] + floats[:1]

    def magnitudes(self) -> np.ndarray:
        """sum over sites of |coefficient| per term."""
        coef = np.abs(self.local.coef.as_float())
        return np.array([c * abs_sum(f) for c, f in zip(coef, self.fields)])

    def totals(self) -> list:
        """sum over sites of each term's coefficient (exact where the coefficients are)."""
        return [self.local.coef.scalar(t) * (int(f.sum(dtype=np.int64)) if f.dtype.kind in "iub"
                                             else float(f.sum(dtype=np.float64)))
                for t, f in enumerate(self.fields)]


@dataclass(frozen=True)
class LatticeDensity:
    """sum over every site s of the periodic `array` of h0 translated by s.

    h0 is `local`: monomials over flat variable indices of `array` as lowered with the summation
    indices at the array's first site (Terms, one row). Lowering `sum(<i,j> in G: s[i]*s[j])`
    this way touches one site, not 10^6: the sum is expanded only if someone reads its terms.
    A disordered sum adds `disorder`, local monomials with a coefficient per site.
    """

    array: object                    # hamiltonian.VariableArray (periodic)
    local: Terms
    sums: tuple = ()                 # (Span, index combinations) of each sum merged into this one
    limit: int = 0                   # --max-terms: expanding more index combinations is refused
    origin: tuple = (TEXT_NAME, "")  # (file name, source text), to locate that refusal
    disorder: SiteCoefficients | None = None

    @property
    def sites(self) -> int:
        return self.array.size

    @property
    def uniform(self) -> bool:
        """Translation-invariant: no coefficient varies from site to site."""
        return self.disorder is None

    def coordinates(self, local: Terms | None = None) -> np.ndarray:
        """(terms, width, rank) lattice coordinates of the local monomials' variables (-1: padding)."""
        v = (self.local if local is None else local).vars
        coords = site_coordinates(np.maximum(v, self.array.offset) - self.array.offset, self.array.shape)
        return np.where((v >= 0)[..., None], coords, -1)

    def coefficient_vectors(self) -> list[Coefficients]:
        return [self.local.coef] + (self.disorder.coefficient_vectors() if self.disorder else [])

    def expand(self) -> Terms:
        """All N translates of every local monomial, like terms combined (one row)."""
        for span, combinations in self.sums:
            if self.limit and combinations > self.limit:
                raise HamcError(f"this sum has {combinations:,} index combinations (limit {self.limit:,}); "
                                "raise the limit with --max-terms", span, filename=self.origin[0],
                                source=self.origin[1])
        parts = self._translates(self.local, lambda t: self.local.coef.take(np.full(self.sites, t)))
        if self.disorder is not None:
            parts += self._translates(self.disorder.local, self.disorder.coefficients)
        return combine(add(parts)) if parts else self.local

    def _translates(self, local: Terms, coefficients) -> list[Terms]:
        shape = np.array(self.array.shape)
        sites = np.stack(np.unravel_index(np.arange(self.sites), self.array.shape), axis=-1)
        coords = self.coordinates(local)
        parts = []
        for t in range(len(local)):
            used = coords[t][(local.vars[t] >= 0)]
            moved = (sites[:, None, :] + used[None, :, :]) % shape
            flat = self.array.offset + np.ravel_multi_index(tuple(np.moveaxis(moved, -1, 0)), self.array.shape)
            flat = np.sort(flat.reshape(self.sites, len(used)), axis=1)
            parts.append(Terms(np.zeros(self.sites, np.int64), flat, coefficients(t)))
        return parts

    def evaluate(self, x: np.ndarray, chunk_elements: int = 1 << 22) -> np.ndarray:
        """The summed energy of each configuration (row of x), read through periodic shifts of the
        lattice: no expansion. A monomial's sum over sites is that of any of its translates (here
        the one with non-negative offsets), so each term is a product of shifted views of one
        padded copy of the lattice (times its field, rolled alike, for a per-site coefficient).
        Bits and spins (values -1, 0, 1) are multiplied and counted in integers: the energy is then
        exact up to the final float64 products with the coefficients."""
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
        local = self.local if self.disorder is None else add([self.local, self.disorder.local])
        coords = self.coordinates(local)
        used = [coords[t][local.vars[t] >= 0] for t in range(len(local))]
        lows = [c.min(axis=0, initial=0) for c in used]
        shifts = [c - low for c, low in zip(used, lows)]     # translated into the first quadrant
        reach = np.max(np.concatenate(shifts + [np.zeros((1, len(a.shape)), np.int64)]), axis=0)
        padded = np.pad(grid, [(0, 0)] + [(0, int(r)) for r in reach], mode="wrap") if reach.any() else grid
        counts = np.empty((len(x), len(used)), np.float64 if grid.dtype == np.float64 else np.int64)
        # int8 products of -1, 0, 1 summed over fewer than 2^31 sites fit an int32 (twice int64's speed)
        accumulate = counts.dtype if grid.dtype == np.float64 or self.sites >= 2**31 else np.int32
        view = lambda o: padded[(slice(None),) + tuple(slice(int(k), int(k) + n) for k, n in zip(o, a.shape))]
        uniform = len(self.local)
        fields = self.disorder.fields if self.disorder is not None else ()
        weighted = np.zeros(len(x))
        for t, offsets in enumerate(shifts):
            term = np.ones((len(x),) + a.shape, np.int8) if not len(offsets) else view(offsets[0])
            for o in offsets[1:]:
                term = term * view(o)
            if t >= uniform:            # the translate by y - low reads the field at y - low
                field = fields[t - uniform]
                if lows[t].any():
                    field = np.roll(field, [int(k) for k in lows[t]], axis=tuple(range(len(a.shape))))
                weighted += self.disorder.local.coef.as_float()[t - uniform] * _weighted_sums(term, field)
                counts[:, t] = 0
            else:
                counts[:, t] = term.reshape(len(x), -1).sum(axis=1, dtype=accumulate)
        coef = np.concatenate([self.local.coef.as_float(), np.zeros(len(local) - uniform)])
        return counts @ coef + weighted

    def bound(self, magnitude: np.ndarray, constant=0) -> float:
        """S of the expanded sum plus `constant`: sum over sites and local terms of |c| prod R, with
        the constants added up first (the density's N of them and `constant` may cancel)."""
        v = self.local.vars
        varying = (v >= 0).any(axis=1)
        mono = np.prod(np.where(v >= 0, magnitude[np.maximum(v, 0)], 1.0), axis=1)
        coef = self.local.coef
        for k in np.flatnonzero(~varying):
            constant += self.sites * coef.scalar(int(k))
        total = float(self.sites * (np.abs(coef.as_float()[varying]) @ mono[varying]))
        if self.disorder is not None:
            d = self.disorder.local.vars
            varying = (d >= 0).any(axis=1)
            mono = np.prod(np.where(d >= 0, magnitude[np.maximum(d, 0)], 1.0), axis=1)
            total += float(self.disorder.magnitudes()[varying] @ mono[varying])
            totals = self.disorder.totals()
            for k in np.flatnonzero(~varying):
                constant += totals[int(k)]
        return total + abs(float(constant))


def canonical_local(local: Terms, array) -> Terms:
    """The same lattice sum with each local monomial moved to one representative of its translation
    orbit (of the translates that put one of its own sites at the origin, the one whose sorted flat
    indices are smallest), like terms combined: translates that cancel in the sum over sites (the
    phi[i]*phi[i+1] of one site and the phi[i]*phi[i-1] of the next) cancel here, so that the
    density's terms, its bound S and the stencil read from it are those of the simplified sum."""
    if len(local) == 0 or local.width == 0:
        return local
    return combine(Terms(local.rows, canonical_translates(local.vars, array)[0], local.coef))


def canonical_translates(v: np.ndarray, array) -> tuple[np.ndarray, np.ndarray]:
    """(each monomial's orbit representative, as canonical_local picks it; the lattice vector a with
    monomial = representative translated by a): padded flat indices (terms, width), (terms, rank)."""
    used = v >= 0
    shift = np.zeros((len(v), len(array.shape)), np.int64)
    if not v.shape[1]:
        return v, shift
    coords = site_coordinates(np.where(used, v - array.offset, 0), array.shape)
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
        shift = np.where(smaller[:, None], coords[:, j, :], shift)
    return best, shift


def site_coordinates(flat: np.ndarray, shape) -> np.ndarray:
    """Lattice coordinates (..., rank) of flat site indices of any shape (raveled first: NumPy 2.4's
    unravel_index misreads an (m, 1) array past 8,192 rows)."""
    return np.stack(np.unravel_index(flat.ravel(), shape), axis=-1).reshape(flat.shape + (len(shape),))


def abs_sum(values: np.ndarray, block: int = 1 << 20) -> float:
    """sum |values| in float64, a block at a time (no |values| copy of a 10^8-site array)."""
    flat = values.reshape(-1)
    return float(sum(np.abs(np.asarray(flat[i:i + block], np.float64)).sum() for i in range(0, flat.size, block)))


def _weighted_sums(term: np.ndarray, field: np.ndarray, block: int = 1 << 20) -> np.ndarray:
    """sum over sites of term * field per configuration, in float64, a block of sites at a time (no
    float64 copy of a 10^8-site term)."""
    term, field = term.reshape(len(term), -1), field.reshape(-1)
    out = np.zeros(len(term))
    for start in range(0, field.size, block):
        out += term[:, start:start + block] @ np.asarray(field[start:start + block], np.float64)
    return out


def _small_integers(grid: np.ndarray) -> np.ndarray:
    """grid as int8 when every value is -1, 0 or 1 (bits and spins: products stay in range and
    sums are exact), else as float64."""
    if grid.dtype.kind in "iub":
        small = grid.size == 0 or (int(grid.min()) >= -1 and int(grid.max()) <= 1)
        return grid.astype(np.int8, copy=False) if small else grid.astype(np.float64)
    grid = np.asarray(grid, np.float64)
    small = grid.astype(np.int8)
    return small if np.array_equal(small, grid) and (grid.size == 0 or np.abs(grid).max() <= 1) else grid
