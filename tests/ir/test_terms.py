"""Polynomial products on term tables: the square of a polynomial (pairs i <= j) against the full product."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from hamc.ir.coefficients import Coefficients
from hamc.ir.terms import Terms, TooManyTerms, combine, multiply, square

DOMAINS = np.array([0, 0, 1, 1, 2, 2, 2], np.int8)      # real x0 x1, bits b2 b3, spins s4 s5 s6


@st.composite
def polynomials(draw):
    """Several rows, each a sum of a few terms of degree 0..3 with small rational coefficients."""
    n_rows = draw(st.integers(1, 3))
    terms = draw(st.lists(st.tuples(st.integers(0, n_rows - 1), st.lists(st.integers(0, 6), max_size=3),
                                    st.integers(-3, 3), st.integers(1, 3)), min_size=1, max_size=8))
    width = max(len(v) for _, v, _, _ in terms)
    vars_ = np.array([[-1] * (width - len(v)) + sorted(v) for _, v, _, _ in terms], np.int64).reshape(len(terms), width)
    coef = Coefficients.concat([Coefficients.of(Fraction(n, d)) for _, _, n, d in terms])
    return n_rows, Terms(np.array([r for r, *_ in terms], np.int64), vars_, coef)


def _as_dict(t: Terms) -> dict:
    t = combine(t)
    return {(int(r), tuple(int(x) for x in v if x >= 0)): (int(t.coef.num[k]), int(t.coef.den[k]))
            for k, (r, v) in enumerate(zip(t.rows, t.vars))}


@settings(max_examples=200, deadline=None)
@given(polynomials())
def test_square_is_the_product_with_itself(case):
    n_rows, t = case
    t = combine(t)
    assert _as_dict(square(t, n_rows, DOMAINS, 10**6)) == _as_dict(multiply(t, t, n_rows, DOMAINS, 10**6))


def test_square_of_a_sum_of_spins_has_the_pair_count():
    n = 1000
    t = Terms(np.zeros(n, np.int64), np.arange(n).reshape(n, 1), Coefficients.of(1, n))
    out = square(t, 1, np.full(n, 2, np.int8), 10**7)      # (sum s_i)^2 = N + 2 sum_{i<j} s_i s_j
    degree = out.degrees()
    assert (degree == 2).sum() == n * (n - 1) // 2 and (degree == 0).sum() == 1
    assert set(out.coef.num[degree == 2]) == {2} and out.coef.num[degree == 0].tolist() == [n]
    try:
        square(t, 1, np.full(n, 2, np.int8), n * n - 1)
    except TooManyTerms as exc:
        assert exc.estimate == n * n
    else:
        raise AssertionError("the term limit was not applied")
