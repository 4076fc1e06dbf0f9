"""Monomial table -> structured tables: quadratic parts as products or squares of linear forms."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .powers import power_forms

# Dense quadratic forms up to this many variables are decomposed (an n x n eigenproblem per build).
DENSE_MAX_VARIABLES = 64
# Quadratic parts over up to this many variables are grouped into products (dense (K, n) forms, and
# a second build to compare): a shared lattice's one-site density always is; a huge unrolled one is not.
PRODUCTS_MAX_VARIABLES = 1024
# An eigenvalue below this times the largest is a zero of a rank-deficient form.
_RANK_TOL = 1e-10


@dataclass(frozen=True)
class Factored:
    """A monomial table over n inputs and K linear forms of them: variable n + k is `forms[k] @ x`.

    The forms cost no neurons (the first hidden layer reads them through folded weights); the
    table's monomials over them are the gates. `residual` bounds |table - original| elementwise
    on the quadratic form's matrix (the rounding of the decomposition; per coefficient of each
    degree in `degrees` for powers of forms), `what` says what it is."""
    forms: np.ndarray                 # (K, n)
    table: dict
    constant: np.ndarray
    residual: float
    what: str
    degrees: tuple[int, ...] = (2,)   # the blocks the residual is in: |H error| <= residual sum_k (sum R)^k


def quadratic_matrix(monomials: np.ndarray, coef: np.ndarray, n: int) -> np.ndarray:
    """The symmetric Q with x^T Q x equal to the degree-2 monomials sum c x_i x_j."""
    q = np.zeros((n, n))
    i, j = monomials[:, 0], monomials[:, 1]
    np.add.at(q, (i, j), coef / 2)
    np.add.at(q, (j, i), coef / 2)
    return q


def real_candidates(table: dict, constant: np.ndarray, n: int, offsets=None) -> list[Factored]:
    """Structured forms of a one-output table's quadratic part, for real inputs: products
    x_i * (sum_j c_ij x_j) over a vertex cover of its monomials, (small dense forms) squares of the
    eigenvectors' linear forms and, for a chain's density (`offsets` (n, 1), a shared layout's
    patch), one square per site; blocks of degree >= 3 that are powers of linear forms. Empty when
    there is nothing to factor."""
    powers = _powers(table, constant, n)
    if 2 not in table or table[2][1].shape[1] != 1 or not len(table[2][0]) or n > PRODUCTS_MAX_VARIABLES:
        return powers
    monomials, coef = table[2][0], table[2][1][:, 0]
    squares = _eigen_squares(table, constant, quadratic_matrix(monomials, coef, n), n) \
        if n <= DENSE_MAX_VARIABLES else None
    chain = _chain_square(table, constant, monomials, coef, n, offsets) if offsets is not None else None
    return [c for c in (_row_products(table, constant, monomials, coef, n), squares, chain) if c is not None] + powers


def _powers(table, constant, n) -> list[Factored]:
    if n > PRODUCTS_MAX_VARIABLES or any(c[1].shape[1] != 1 for c in table.values()):
        return []
    found = power_forms(table, n)
    if found is None:
        return []
    forms, new, residual, degrees, what = found
    return [Factored(forms, new, constant, residual, what, degrees)]


# A chain density whose couplings reach further than this is not factored into one square per site.
CHAIN_MAX_RANGE = 8


def _chain_square(table, constant, monomials, coef, n, offsets) -> Factored | None:
    """sum_s [c_0 x_s^2 + sum_k 2 c_k x_s x_(s+k)] as sum_s d (t . x_(s..s+r))^2, completing the square
    on the stencil (Fejer-Riesz): where the symbol c_0 + 2 sum_k c_k cos(k w) keeps one sign, the roots
    of z^r q(z) inside the unit circle give the taps t, whose autocorrelation times d is c."""
    if offsets.shape[1] != 1:
        return None
    off = offsets[:, 0].astype(np.int64)
    lag = np.abs(off[monomials[:, 1]] - off[monomials[:, 0]])
    r = int(lag.max())
    base = next((b for b in off if all(b + j in off for j in range(r + 1))), None)
    if not 0 < r <= CHAIN_MAX_RANGE or base is None:
        return None
    c = np.zeros(r + 1)
    np.add.at(c, lag, np.where(lag == 0, coef, coef / 2))
    roots = np.roots(np.concatenate([c[::-1], c[1:]]))
    inside = roots[np.abs(roots) < 1 - 1e-9]
    if c[0] == 0 or len(inside) != r:
        return None                     # the symbol changes sign (or touches 0): not one square
    taps = np.real(np.poly(inside))
    auto = np.array([taps[:len(taps) - k] @ taps[k:] for k in range(r + 1)])
    d = c[0] / auto[0]
    residual = float(np.abs(d * auto - c).max())
    if residual > 1e-9 * np.abs(c).max():
        return None
    form = np.zeros(n)
    form[[int(np.flatnonzero(off == base + j)[0]) for j in range(r + 1)]] = taps
    top = np.abs(form).max()
    new = _with_quadratic(table, np.array([[n, n]]), np.array([d * top ** 2]))
    return Factored((form / top)[None, :], new, constant, residual, "1 square of a linear form")


def _cover(monomials: np.ndarray, n: int) -> list[tuple[int, np.ndarray]]:
    """A vertex cover of the monomials' graph: [(anchor, rows of the monomials it takes)], each
    monomial taken by its factor in most monomials (the smaller index on ties): a lattice density's
    origin takes all, a chain's site i takes x_i^2 and x_i x_(i+1)."""
    key = np.bincount(monomials.ravel(), minlength=n) * (n + 1) - np.arange(n)
    first, second = monomials[:, 0], monomials[:, 1]
    anchor = np.where(key[first] >= key[second], first, second)
    order = np.argsort(anchor, kind="stable")
    starts = np.flatnonzero(np.diff(anchor[order], prepend=-1))
    return [(int(anchor[order[a]]), order[a:b]) for a, b in zip(starts, list(starts[1:]) + [len(order)])]


def _row_products(table, constant, monomials, coef, n) -> Factored | None:
    kept_m, kept_c, forms, residual = [], [], [], 0.0
    for anchor, rows in _cover(monomials, n):
        partner = np.where(monomials[rows, 0] == anchor, monomials[rows, 1], monomials[rows, 0])
        if len(rows) == 1:                      # x_i * (c x_j): the monomial itself
            kept_m.append(monomials[rows])
            kept_c.append(coef[rows])
            continue
        form = np.zeros(n)
        np.add.at(form, partner, coef[rows])
        top = np.abs(form).max()
        forms.append(form / top)
        residual = max(residual, float(np.abs(forms[-1] * top - form).max()))   # normalising rounds
        kept_m.append(np.array([[anchor, n + len(forms) - 1]]))
        kept_c.append(np.array([top]))
    if not forms:
        return None
    new = _with_quadratic(table, np.vstack(kept_m), np.concatenate(kept_c))
    what = f"{len(forms)} product{'s' if len(forms) > 1 else ''} of a variable and a linear form"
    return Factored(np.array(forms), new, constant, residual, what)


def _eigen_squares(table, constant, q, n) -> Factored | None:
    if n > DENSE_MAX_VARIABLES:
        return None
    w, v = np.linalg.eigh(q)
    keep = np.abs(w) > _RANK_TOL * np.abs(w).max()
    if not keep.any():
        return None
    forms = v[:, keep].T
    top = np.abs(forms).max(axis=1)
    forms = forms / top[:, None]
    d = w[keep] * top ** 2
    k = len(d)
    idx = n + np.arange(k)
    new = _with_quadratic(table, np.column_stack([idx, idx]), d)
    rebuilt = _rebuilt(new[2], forms, n)
    what = f"{k} square{'s' if k > 1 else ''} of linear forms"
    return Factored(forms, new, constant, float(np.abs(rebuilt - q).max()), what)


def form_names(names, forms: np.ndarray) -> list[str]:
    """Input names, then each linear form written out: (x[i] - 0.5*x[i+1])."""
    def term(c, name):
        return name if c == 1 else f"-{name}" if c == -1 else f"{c:.4g}*{name}"
    texts = ["(" + " + ".join(term(f[v], names[v]) for v in np.flatnonzero(f)).replace("+ -", "- ") + ")"
             for f in forms]
    return list(names) + texts


def _with_quadratic(table: dict, monomials: np.ndarray, coef: np.ndarray) -> dict:
    """The table with its degree-2 block replaced (rows sorted, as plan_from_table expects)."""
    monomials = np.sort(monomials, axis=1)
    order = np.lexsort(monomials.T[::-1])
    return {**table, 2: (monomials[order], coef[order][:, None])}


def _rebuilt(block, forms: np.ndarray, n: int) -> np.ndarray:
    """The n x n quadratic form a structured degree-2 block computes (to measure its residual)."""
    monomials, coef = block
    lift = np.vstack([np.eye(n), forms])
    m = len(forms) + n
    return lift.T @ quadratic_matrix(monomials, coef[:, 0], m) @ lift


@dataclass(frozen=True)
class IntegerSquares:
    """On bits/spins: quadratic part = sum_k d_k (forms[k] . x)^2 + shift * sum x_i^2, the forms
    integer-valued, so each square is exact at its reachable integer values (threshold neurons)."""
    forms: np.ndarray                 # (K, n) integers
    scales: np.ndarray                # d_k
    shift: float
    residual: float                   # max |Q - reconstruction| elementwise
    values: tuple                     # per form, its sorted reachable values

    def levels(self, k: int) -> np.ndarray:
        """d_k v^2 at form k's reachable values v."""
        return self.scales[k] * self.values[k].astype(np.float64) ** 2

    def mismatch(self, n: int) -> float:
        """A bound on |quadratic part - its reconstruction| over n bits/spins."""
        return self.residual * n * n


INTEGER_MAX_VARIABLES = 256
INTEGER_MAX_RANK = 8
INTEGER_MAX_REACH = 4096              # sum |l_i| of a form: the reachable values are at most this many


def integer_squares(table: dict, n: int, spin: np.ndarray) -> IntegerSquares | None:
    """A low-rank integer factorisation of a one-output bit/spin quadratic part, or None.

    x_i^2 is a constant (spins) or x_i (bits), so the diagonal is free: shift it by the eigenvalue
    of the zero-diagonal Q with the largest multiplicity (all-to-all couplings like Curie-Weiss or
    Hopfield make that leave a low-rank rest), then LDL^T that rest with integer-scaled columns."""
    if 2 not in table or table[2][1].shape[1] != 1 or not 3 <= n <= INTEGER_MAX_VARIABLES:
        return None
    monomials, coef = table[2][0], table[2][1][:, 0]
    if np.any(monomials[:, 0] == monomials[:, 1]):
        return None
    q = quadratic_matrix(monomials, coef, n)
    w = np.linalg.eigvalsh(q)
    size = np.abs(w).max()
    if size == 0:
        return None
    rounded, counts = np.unique(np.round(w / size, 9), return_counts=True)
    shift = float(np.median(w[np.round(w / size, 9) == rounded[np.argmax(counts)]]))
    if n - counts.max() > INTEGER_MAX_RANK:
        return None
    factors = _integer_ldl(q - shift * np.eye(n), n - int(counts.max()), size)
    if factors is None:
        return None
    forms, scales, rest = factors
    if np.abs(forms).sum(axis=1).max(initial=0) > INTEGER_MAX_REACH:
        return None
    values = tuple(reachable(f, spin) for f in forms)
    return IntegerSquares(forms, scales, shift, float(np.abs(rest).max()), values)


def _integer_ldl(a: np.ndarray, rank: int, size: float):
    forms, scales = [], []
    a = a.copy()
    for _ in range(rank):
        p = int(np.argmax(np.abs(np.diag(a))))
        if abs(a[p, p]) <= _RANK_TOL * size:
            return None
        col = a[:, p] / a[p, p]
        d = a[p, p]
        a -= d * np.outer(col, col)
        small = np.abs(col[np.abs(col) > 1e-9]).min()
        scaled = col / small
        if np.abs(scaled - np.round(scaled)).max() > 1e-9:
            return None
        forms.append(np.round(scaled).astype(np.int64))
        scales.append(d * small ** 2)
    if np.abs(a).max() > 1e-9 * size:
        return None
    return np.array(forms), np.array(scales), a


def reachable(form: np.ndarray, spin: np.ndarray) -> np.ndarray:
    """The sorted values of form . x over all bit (0, 1) or spin (-1, 1) inputs, by a set sum."""
    values = {0}
    for c, s in zip(form.tolist(), spin.tolist()):
        if c:
            values = {v + c for v in values} | {v - c if s else v for v in values}
    return np.array(sorted(values), np.int64)
