"""Monomial table -> Factored: homogeneous blocks that are powers c (a . x)^k of linear forms, one variable each."""
from __future__ import annotations

from collections import Counter
from math import comb, factorial, prod

import numpy as np

# A degree-k block over m variables has C(m + k - 1, k) monomials when it is a power of a form with
# m nonzero coefficients: blocks beyond this many are not tried (the check expands the power).
POWER_MAX_MONOMIALS = 20_000
_MATCH_TOL = 1e-9                # relative: the block equals the expanded power up to rounding


def power_of_form(monomials: np.ndarray, coef: np.ndarray, n: int) -> tuple[np.ndarray, float, float] | None:
    """(form, d, residual) with the block sum_m coef_m x^m equal to d (form . x)^k, max |form| = 1,
    its first nonzero entry positive; residual bounds each coefficient's difference. None if it is not
    (a form of one variable is a monomial already)."""
    k = monomials.shape[1]
    variables = np.unique(monomials)
    m = len(variables)
    if k < 2 or m < 2 or len(monomials) != comb(m + k - 1, k) or len(monomials) > POWER_MAX_MONOMIALS:
        return None
    lookup = {tuple(row): c for row, c in zip(monomials.tolist(), coef.tolist())}
    p = int(variables[0])
    top = lookup.get((p,) * k, 0.0)
    if top == 0:
        return None
    a = np.zeros(n)
    a[p] = 1.0
    for j in variables[1:]:       # the coefficient of x_p^(k-1) x_j is k d a_p^(k-1) a_j, with a_p = 1
        a[j] = lookup.get(tuple(sorted((p,) * (k - 1) + (int(j),))), 0.0) / (k * top)
    scale = np.abs(a).max()
    form, d = a / scale, top * scale ** k
    expected = np.array([d * _multinomial(row) * prod(form[v] for v in row) for row in monomials.tolist()])
    residual = float(np.abs(expected - coef).max())
    if not np.all(a[variables] != 0) or residual > _MATCH_TOL * np.abs(coef).max():
        return None
    return form, d, residual


def power_forms(table: dict, n: int):
    """(forms (K, n), new table, residual, degrees, what) with each block of degree >= 3 that is a
    power of a linear form replaced by that form's variable n + K to the power (and a degree-2 block
    that is a square of one of those forms, so x^3 + 3 x^2 y ... shares its square), or None."""
    forms, blocks, residual = [], {}, 0.0
    for k in sorted((k for k in table if k >= 3), reverse=True) + [2]:
        if k not in table or table[k][1].shape[1] != 1 or not len(table[k][0]):
            continue
        found = power_of_form(table[k][0], table[k][1][:, 0], n)
        if found is None:
            continue
        form, d, res = found
        index = next((i for i, f in enumerate(forms) if np.array_equal(f, form)), None)
        if index is None:
            if k == 2:          # a square on its own: the quadratic candidates already offer it
                continue
            forms.append(form)
            index = len(forms) - 1
        blocks[k] = (np.full((1, k), n + index, np.int64), np.array([[d]]))
        residual = max(residual, res)
    if not forms:
        return None
    powers = sorted(k for k in blocks if k >= 3)
    what = f"{'powers' if len(powers) > 1 else 'a power'} {', '.join(map(str, powers))} of " \
           f"{len(forms)} linear form{'s' if len(forms) > 1 else ''}"
    return np.array(forms), {**table, **blocks}, residual, tuple(sorted(blocks)), what


def _multinomial(row) -> int:
    counts = Counter(row).values()
    return factorial(len(row)) // prod(factorial(c) for c in counts)
