"""Hypothesis properties of the planner on random sparse polynomials (powers and repeats included)."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hamc
from hamc.build.plan import level

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sparse_polynomials(draw):
    """(n_variables, [(coefficient, sorted variable tuple), ...], constant): degrees 1..9 over <= 8
    variables; the same monomial may be drawn twice (its coefficients then add up, maybe to 0)."""
    n = draw(st.integers(1, 8))
    monomial = st.lists(st.integers(0, n - 1), min_size=1, max_size=9).map(lambda v: tuple(sorted(v)))
    terms = draw(st.lists(st.tuples(st.integers(-4, 4).filter(bool), monomial), min_size=1, max_size=8))
    if terms and draw(st.booleans()):
        terms.append(terms[0])                         # an explicit repeat
    constant = draw(st.integers(-3, 3))
    return n, terms, constant


def ham_text(n, terms, constant) -> str:
    parts = [f"({c}) * " + " * ".join(f"x[{v}]" for v in vars_) for c, vars_ in terms]
    return f"real x[{n}]\nH = {constant} + " + " + ".join(parts)


def expected_terms(terms) -> dict[tuple, int]:
    total = Counter()
    for c, vars_ in terms:
        total[vars_] += c
    return {m: c for m, c in total.items() if c != 0}


def row(plan, k, r) -> tuple[int, ...]:
    return tuple(int(v) for v in plan.nodes[k][r])


@SETTINGS
@given(sparse_polynomials())
def test_plan_reconstructs_every_monomial(poly):
    n, terms, constant = poly
    plan = hamc.plan_products(hamc.load(ham_text(n, terms, constant)))
    want = expected_terms(terms)

    # every node's children multiply to it: the union of their variable multisets is the parent's
    for k, nodes in plan.nodes.items():
        assert nodes.shape[1] == k and len({tuple(r) for r in nodes.tolist()}) == len(nodes)   # unique
        assert all(list(r) == sorted(r) for r in nodes.tolist())
        if k < 2:
            continue
        half = k - k // 2
        for r in range(len(nodes)):
            left, right = row(plan, half, plan.left[k][r]), row(plan, k // 2, plan.right[k][r])
            assert Counter(left) + Counter(right) == Counter(row(plan, k, r))
            # children come from earlier layers
            assert level(half) < level(k) and level(k // 2) < level(k)
            assert plan.squares(k)[r] == (left == right)

    # every monomial is a node, listed in `terms` with its coefficient; nothing else is
    got = {}
    for k, (rows, coef) in plan.terms.items():
        for r, c in zip(rows, coef[:, 0]):
            assert row(plan, k, r) not in got
            got[row(plan, k, r)] = c
    assert got == want
    assert plan.constant.tolist() == [constant]

    # sharing never costs gates; without it each monomial of degree d needs d - 1
    assert plan.product_gates <= plan.unshared_product_gates == sum(len(m) - 1 for m in want)
    assert plan.depth == max((level(len(m)) for m in want), default=0)


@SETTINGS
@given(sparse_polynomials())
def test_needed_and_copies_follow_the_consumers(poly):
    n, terms, constant = poly
    plan = hamc.plan_products(hamc.load(ham_text(n, terms, constant)))
    last = {(k, r): level(k) for k in plan.nodes for r in range(len(plan.nodes[k]))}
    for k in plan.nodes:
        if k >= 2:
            for r in range(len(plan.nodes[k])):
                for child in ((k - k // 2, int(plan.left[k][r])), (k // 2, int(plan.right[k][r]))):
                    last[child] = max(last[child], level(k))
    for (k, r), used in last.items():
        # available from its own layer until the stage before its last consumer, no longer
        assert plan.needed[k][r] == max(level(k), used - 1)
        carried_in = [layer for layer in range(1, plan.depth + 1) if r in plan.copies(layer).get(k, [])]
        assert carried_in == list(range(level(k) + 1, used))
    # every node that is neither a monomial of H nor the last node is read by some later node
    term_nodes = {(k, int(r)) for k, (rows, _) in plan.terms.items() for r in rows}
    for (k, r), used in last.items():
        if k >= 2 and (k, r) not in term_nodes:
            assert used > level(k)
