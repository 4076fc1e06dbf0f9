"""One-output bit/spin table -> IntegerPower: the whole table a polynomial g(l . x) of one integer-valued form."""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from .rounding import gamma
from .structure import INTEGER_MAX_REACH, INTEGER_MAX_VARIABLES, reachable

# The check expands (l . x)^j for j <= K over bits/spins: at most this many monomials of degree <= K.
POWER_MAX_EXPANSION = 20_000
_MATCH_TOL = 1e-9         # relative: the table equals the expansion up to rounding


@dataclass(frozen=True)
class IntegerPower:
    """H = constant + g(form . x) - g_0 on bits/spins, g(L) = sum_j coefficients[j-1] L^j (j >= 1)
    and g_0 its expansion's constant; threshold steps at the reachable values make it exact."""
    forms: np.ndarray                 # (1, n) integers
    coefficients: np.ndarray          # b_1..b_K
    offset: float                     # g_0: the constant the expansion of g(form . x) carries
    residual: float                   # sum over monomials of |table - expansion|: bounds |H - that| on the box
    values: tuple                     # the form's sorted reachable values
    shift: float = 0.0                # (as IntegerSquares) nothing moves to the linear terms

    def mismatch(self, n: int) -> float:
        """A bound on |H - the steps' exact levels|: the fit's residual, and the float64 evaluation
        of each level (a sum of K + 1 terms, off by gamma_(K+2)), twice (v and v_0)."""
        v = np.abs(self.values[0].astype(np.float64))
        size = sum(abs(b) * v ** (j + 1) for j, b in enumerate(self.coefficients)) + abs(self.offset)
        return self.residual + 2 * float(gamma(len(self.coefficients) + 2, 2.0 ** -53)) * float(size.max())

    def levels(self, k: int) -> np.ndarray:
        v = self.values[k].astype(np.float64)
        return sum(b * v ** (j + 1) for j, b in enumerate(self.coefficients)) - self.offset


def integer_power(table: dict, n: int, spin: np.ndarray) -> IntegerPower | None:
    """The table as g(l . x) with l integer and g of the table's degree K >= 3, or None. l comes from
    the degree-K block (coefficients K! b_K prod l_i over every K-subset of its m > K variables)."""
    if not table or any(c.shape[1] != 1 for _, c in table.values()) or not 3 <= n <= INTEGER_MAX_VARIABLES:
        return None
    top = max(table)
    if top < 3:                   # a quadratic part: integer_squares
        return None
    form = _form_from_top(*table[top], top, n)
    if form is None or sum(comb(int(np.count_nonzero(form)), d) for d in range(top + 1)) > POWER_MAX_EXPANSION:
        return None
    if np.abs(form).sum() > INTEGER_MAX_REACH:
        return None
    powers = _expansions(form, spin, top)
    coefficients, offset, residual = _fit(table, powers)
    if coefficients is None:
        return None
    return IntegerPower(form[None, :], coefficients, offset, residual, (reachable(form, spin),))


def _form_from_top(monomials: np.ndarray, coef: np.ndarray, k: int, n: int) -> np.ndarray | None:
    variables = np.unique(monomials)
    m = len(variables)
    if m <= k or len(monomials) != comb(m, k) or np.any(np.diff(np.sort(monomials, axis=1), axis=1) == 0):
        return None
    lookup = {tuple(sorted(row)): c for row, c in zip(monomials.tolist(), coef[:, 0].tolist())}
    r = int(variables[0])
    a = np.zeros(n)
    a[r] = 1.0
    for j in variables[1:].tolist():      # l_j / l_r = coef(M - r + j) / coef(M), M holding r and not j
        others = [int(v) for v in variables if v != r and v != j][:k - 1]
        a[j] = lookup[tuple(sorted(others + [j]))] / lookup[tuple(sorted(others + [r]))]
    a = a / np.abs(a[variables]).min()
    rounded = np.round(a)
    if np.abs(a - rounded).max() > 1e-9:
        return None
    return rounded.astype(np.int64)


def _expansions(form: np.ndarray, spin: np.ndarray, k: int) -> list[dict]:
    """(form . x)^j for j = 1..k as {monomial (sorted tuple): coefficient}, with x_i^2 = 1 (spins) or x_i (bits)."""
    terms = [(int(i), float(c)) for i, c in enumerate(form.tolist()) if c]
    power, out = {(): 1.0}, []
    for _ in range(k):
        nxt: dict = {}
        for mono, c in power.items():
            for i, a in terms:
                if i in mono:
                    key = tuple(v for v in mono if v != i) if spin[i] else mono
                else:
                    key = tuple(sorted(mono + (i,)))
                nxt[key] = nxt.get(key, 0.0) + c * a
        power = {key: c for key, c in nxt.items() if c != 0}
        out.append(power)
    return out


def _fit(table: dict, powers: list[dict]):
    """b with sum_j b_j (l . x)^j equal to the table on every monomial of degree >= 1 (least squares,
    then checked), its expansion's constant, and the residual; (None, 0, 0) where it does not fit."""
    wanted = {tuple(row): float(c) for k, (m, cf) in table.items() for row, c in zip(m.tolist(), cf[:, 0])}
    keys = sorted((set(wanted) | {key for p in powers for key in p}) - {()})     # constants: H's own
    a = np.array([[p.get(key, 0.0) for p in powers] for key in keys])
    y = np.array([wanted.get(key, 0.0) for key in keys])
    b = np.linalg.lstsq(a, y, rcond=None)[0]
    residual = float(np.abs(a @ b - y).sum())
    if b[-1] == 0 or residual > _MATCH_TOL * np.abs(y).sum():
        return None, 0.0, 0.0
    return b, float(sum(bj * p.get((), 0.0) for bj, p in zip(b, powers))), residual
