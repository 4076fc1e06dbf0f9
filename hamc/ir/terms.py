"""Vectorised polynomial arithmetic: one sparse polynomial per row of a table of index bindings."""
from __future__ import annotations

from dataclasses import dataclass
import math
from math import comb

import numpy as np

from .coefficients import Coefficients
from .domain import Domain


@dataclass(frozen=True)
class Bindings:
    """The rows of a table of index bindings: each bound index name has one int array per component
    (one for a range index, one per axis for a lattice site). Terms belong to these rows."""
    n_rows: int
    indices: dict


class TooManyTerms(Exception):
    """An expansion would exceed the term limit; carries the estimated count."""

    def __init__(self, estimate: int, limit: int):
        super().__init__(f"expanding this would create about {estimate:,} terms (limit {limit:,})")
        self.estimate, self.limit = estimate, limit


@dataclass(frozen=True)
class Terms:
    """Term k is `coef[k] * prod(vars[k, vars[k] >= 0])` and belongs to the polynomial of row `rows[k]`.

    `vars` is padded on the left with -1 and sorted along each term, so equal monomials have
    equal rows and a polynomial's degree is its count of non-negative entries.
    """

    rows: np.ndarray
    vars: np.ndarray
    coef: Coefficients

    @staticmethod
    def constant(coef: Coefficients, rows: np.ndarray) -> "Terms":
        return Terms(rows, np.empty((len(rows), 0), np.int64), coef)

    @staticmethod
    def variable(index: np.ndarray, rows: np.ndarray) -> "Terms":
        return Terms(rows, index.reshape(-1, 1).astype(np.int64), Coefficients.of(1, len(rows)))

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return self.vars.shape[1]

    def degrees(self) -> np.ndarray:
        return (self.vars >= 0).sum(axis=1)

    def take(self, index) -> "Terms":
        return Terms(self.rows[index], self.vars[index], self.coef.take(index))

    def padded(self, width: int) -> np.ndarray:
        pad = width - self.width
        return np.hstack([np.full((len(self), pad), -1, np.int64), self.vars]) if pad else self.vars

    def scaled(self, factor: Coefficients) -> "Terms":
        """Multiply each term by the per-row factor `factor[row]`."""
        return Terms(self.rows, self.vars, self.coef * factor.take(self.rows))

    def with_rows(self, rows: np.ndarray) -> "Terms":
        return Terms(rows, self.vars, self.coef)


def add(parts: list[Terms]) -> Terms:
    width = max((p.width for p in parts), default=0)
    return Terms(np.concatenate([p.rows for p in parts]), np.vstack([p.padded(width) for p in parts])
                 if parts else np.empty((0, 0), np.int64), Coefficients.concat([p.coef for p in parts]))


def multiply(a: Terms, b: Terms, n_rows: int, domains: np.ndarray, limit: int) -> Terms:
    """Row-wise product: every term of a row of `a` times every term of the same row of `b`."""
    count_a = np.bincount(a.rows, minlength=n_rows)
    count_b = np.bincount(b.rows, minlength=n_rows)
    estimate = int(np.dot(count_a.astype(np.float64), count_b))
    if estimate > limit:
        raise TooManyTerms(estimate, limit)
    for const, other, count in ((a, b, count_a), (b, a, count_b)):
        if const.width == 0 and count.max(initial=0) <= 1:
            # one number per row times a polynomial: scale it, no new monomials to collect
            factor = np.zeros(n_rows, bool)
            factor[const.rows] = True
            position = np.zeros(n_rows, np.int64)
            position[const.rows] = np.arange(len(const))
            keep = factor[other.rows]
            kept = other.take(keep) if not keep.all() else other
            return _trimmed(Terms(kept.rows, kept.vars, kept.coef * const.coef.take(position[kept.rows])))
    order_b = np.argsort(b.rows, kind="stable")
    start_b = np.cumsum(count_b) - count_b
    reps = count_b[a.rows]
    ia = np.repeat(np.arange(len(a)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    ib = order_b[np.repeat(start_b[a.rows], reps) + within]
    vars_ = _merged(a.vars[ia], b.vars[ib])
    product = _reduce_powers(Terms(a.rows[ia], vars_, a.coef.take(ia) * b.coef.take(ib)), domains)
    if reps.max(initial=0) <= 1 and count_a.max(initial=0) <= 1:
        return _trimmed(product)    # one term per row: nothing to collect
    return combine(product)


def square(a: Terms, n_rows: int, domains: np.ndarray, limit: int) -> Terms:
    """multiply(a, a) from the pairs i <= j of each row's terms, i < j counted twice: half the products
    to write and collect ((s_0 + ... + s_999)^2: 500,500 instead of 10^6)."""
    count = np.bincount(a.rows, minlength=n_rows)
    estimate = int(np.dot(count.astype(np.float64), count))
    if estimate > limit:
        raise TooManyTerms(estimate, limit)
    order = np.argsort(a.rows, kind="stable")
    start = np.cumsum(count) - count
    position = np.empty(len(a), np.int64)
    position[order] = np.arange(len(a)) - start[a.rows[order]]
    reps = count[a.rows] - position                 # term i meets itself and the terms after it in its row
    ia = np.repeat(np.arange(len(a)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    ib = order[np.repeat(start[a.rows] + position, reps) + within]
    coef = a.coef.take(ia) * a.coef.take(ib) * Coefficients.from_array(np.where(ia == ib, 1, 2))
    return combine(_reduce_powers(Terms(a.rows[ia], _merged(a.vars[ia], a.vars[ib]), coef), domains))


def _merged(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each row of x beside the same row of y, sorted (two columns: a min and a max, no row sort)."""
    if x.shape[1] == 1 and y.shape[1] == 1:
        return np.hstack([np.minimum(x, y), np.maximum(x, y)])
    return np.sort(np.hstack([x, y]), axis=1)


def power_count(base: Terms, k: int, n_rows: int) -> int:
    """Upper bound on the terms of base^k per row: monomials of degree k in m_r symbols."""
    counts = np.bincount(np.bincount(base.rows, minlength=n_rows))
    return sum(int(c) * comb(int(m) + k - 1, k) for m, c in enumerate(counts) if c and m)


def power_work(base: Terms, k: int, n_rows: int, limit: int) -> int:
    """Variable indices written while expanding base^k by repeated multiplication: step j multiplies
    the <= C(m+j-2, j-1) terms of base^(j-1) by the m terms of base, each product j * width wide.
    (x + y)^1000 has only 1,001 terms but writes about 7 x 10^8 indices on the way. Counting stops
    once past `limit`, so (x + y)^100000 is refused at once."""
    counts = np.bincount(np.bincount(base.rows, minlength=n_rows))
    total = 0
    for j in range(1, k + 1):
        for m, c in enumerate(counts):
            if c and m > 1:
                total += int(c) * comb(m + j - 2, j - 1) * m * j * base.width
        if total > limit:
            break
    return total


def _reduce_powers(t: Terms, domains: np.ndarray) -> Terms:
    """Apply x^2 = x to bits and s^2 = 1 to spins (the vars of each term are sorted)."""
    if t.width < 2 or len(t) == 0:
        return t
    v = t.vars
    hit = ((v[:, 1:] == v[:, :-1]) & (v[:, 1:] >= 0)).any(axis=1)
    if not hit.any():
        return t
    if hit.all():
        return Terms(t.rows, _reduced(v, domains), t.coef)
    out = v.copy()                  # only the terms with a repeated variable change
    out[hit] = _reduced(v[hit], domains)
    return Terms(t.rows, out, t.coef)


def _reduced(v: np.ndarray, domains: np.ndarray) -> np.ndarray:
    dom = np.where(v >= 0, domains[np.maximum(v, 0)], Domain.REAL)
    same = np.zeros_like(v, dtype=bool)
    same[:, 1:] = (v[:, 1:] == v[:, :-1]) & (v[:, 1:] >= 0)
    drop = same & (dom == Domain.BIT)
    # run[:, k]: how many equal entries precede entry k within its run of equal entries
    pos = np.arange(v.shape[1])
    run = pos - np.maximum.accumulate(np.where(same, 0, pos), axis=1)
    pair = same & (dom == Domain.SPIN) & (run % 2 == 1)
    drop |= pair
    drop[:, :-1] |= pair[:, 1:]
    return np.sort(np.where(drop, -1, v), axis=1) if drop.any() else v


def _trimmed(t: Terms) -> Terms:
    """Drop zero coefficients and all-padding columns (no monomials to collect)."""
    keep = t.coef.nonzero()
    if not keep.all():
        t = t.take(keep)
    lead = 0
    while lead < t.width and not (t.vars[:, lead] >= 0).any():
        lead += 1
    return Terms(t.rows, t.vars[:, lead:], t.coef) if lead else t


def _sort_order(rows: np.ndarray, vars_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A permutation sorting terms by (row, monomial), and a mask of where a new key starts."""
    base = int(vars_.max(initial=-1)) + 2
    # a packed key where it fits; sized by logarithms first (base ** 10^6 is a slow huge int)
    if vars_.shape[1] * math.log2(base) < 63 and (int(rows.max(initial=0)) + 1) * base ** vars_.shape[1] < 2**63:
        key = rows.astype(np.int64)
        for k in range(vars_.shape[1]):
            key = key * base + (vars_[:, k] + 1)
        order = np.argsort(key, kind="stable")
        key = key[order]
        new = np.ones(len(key), bool)
        new[1:] = key[1:] != key[:-1]
        return order, new
    # one byte string per term, big-endian so that bytewise order is numeric order (vars + 1 >= 0):
    # a stable sort of these is several times faster than np.lexsort over many columns
    keyed = np.column_stack([rows, vars_ + 1]).astype(">u8")
    key = np.ascontiguousarray(keyed).view(np.dtype((np.void, keyed.shape[1] * 8))).ravel()
    order = np.argsort(key, kind="stable")
    key = key[order]
    new = np.ones(len(rows), bool)
    new[1:] = key[1:] != key[:-1]
    return order, new


def unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique(a, axis=0, return_inverse=True, return_counts=True) for small non-negative ints,
    through one packed int64 key where it fits (several times faster at 10^6 rows)."""
    if a.shape[1] == 0:
        return a[:1], np.zeros(len(a), np.int64), np.array([len(a)] * bool(len(a)), np.int64)
    order, new = _sort_order(np.zeros(len(a), np.int64), a - 1) if a.min(initial=0) >= 0 else (None, None)
    if order is None:
        uniq, inverse, counts = np.unique(a, axis=0, return_inverse=True, return_counts=True)
        return uniq, inverse.reshape(-1), counts
    group = np.cumsum(new) - 1
    inverse = np.empty(len(a), np.int64)
    inverse[order] = group
    starts = np.flatnonzero(new)
    return a[order[starts]], inverse, np.diff(np.append(starts, len(a)))


def scatter_sum(values: np.ndarray, groups: np.ndarray, n_groups: int, reduce=np.add) -> np.ndarray:
    """reduce.at(out, groups, values) over rows, by sorting instead of the slow unbuffered ufunc.at."""
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
    out = np.zeros((n_groups,) + values.shape[1:], dtype=np.result_type(values, np.float64))
    if len(g):
        out[g[starts]] = reduce.reduceat(values[order], starts, axis=0)
    return out


def combine(t: Terms) -> Terms:
    """Add up equal monomials of the same row, drop zero coefficients, trim padding; sorted output."""
    if len(t) == 0:
        return Terms(t.rows, np.empty((0, 0), np.int64), t.coef)
    degree = t.degrees()
    width = int(degree.max())
    vars_ = t.vars[:, t.width - width:]
    order, new = _sort_order(t.rows, vars_)
    starts = np.flatnonzero(new)
    coef = t.coef.sum_runs(order, starts)
    first = order[starts]
    return _trimmed(Terms(t.rows[first], vars_[first], coef))   # x - x is a number: width 0
