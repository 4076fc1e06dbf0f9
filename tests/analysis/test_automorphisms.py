"""The automorphism search and the orbit count against a brute force over all permutations of a few
variables, and NumPy connected components against scipy's."""
from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given, settings, strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import hamc
from hamc.analysis.automorphisms import automorphism_group
from hamc.analysis.hashing import Owners
from hamc.analysis.interchangeable import interchangeable_group
from hamc.analysis.report import term_table
from hamc.analysis.symmetry import TermTable, _components


def _table(n: int, rows: list[tuple[tuple, int]], domains, groups) -> TermTable:
    """A TermTable of distinct monomials (sorted rows with repeats), one block per degree."""
    unique = {row: color for row, color in rows}
    blocks, colors = [], []
    for d in sorted({len(r) for r in unique}):
        keys = sorted(r for r in unique if len(r) == d)
        blocks.append(np.array(keys, np.int64).reshape(len(keys), d))
        colors.append(np.array([unique[r] for r in keys], np.int64))
    return TermTable(tuple(blocks), tuple(colors), n, np.array(domains, np.int8),
                     None if groups is None else np.array(groups, np.int64))


def _brute_force(table: TermTable) -> tuple[int, int]:
    """(|Aut|, monomial orbits) by trying all n! permutations."""
    terms = {(tuple(int(v) for v in row), int(c)) for b, cs in zip(table.monomials, table.colors) for row, c in zip(b, cs)}
    groups = table.one_hot_groups
    members = None if groups is None else {frozenset(np.flatnonzero(groups == g)) for g in set(groups) - {-1}}
    group = []
    for perm in itertools.permutations(range(table.n_variables)):
        if any(table.domains[perm[v]] != table.domains[v] for v in range(table.n_variables)):
            continue
        if members is not None and {frozenset(perm[v] for v in m) for m in members} != members:
            continue
        if {(tuple(sorted(perm[v] for v in row)), c) for row, c in terms} == terms:
            group.append(perm)
    orbits = {min((tuple(sorted(p[v] for v in row)), c) for p in group) for row, c in terms}
    return len(group), len(orbits)


@st.composite
def hypergraphs(draw):
    n = draw(st.integers(2, 6))
    rows = draw(st.lists(st.tuples(st.lists(st.integers(0, n - 1), min_size=0, max_size=3).map(lambda r: tuple(sorted(r))),
                                   st.integers(0, 2)), max_size=10))
    domains = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    groups = None
    if draw(st.booleans()) and n >= 4:        # two one-hot groups of two bits each, the rest free
        groups = [0, 0, 1, 1] + [-1] * (n - 4)
    return _table(n, rows, domains, groups)


@settings(max_examples=150, deadline=None)
@given(hypergraphs())
def test_the_search_finds_the_brute_force_group(table):
    expected = _brute_force(table)
    group = automorphism_group(table)
    assert group.exact and (group.order, group.orbits) == expected
    product = interchangeable_group(table)     # when it answers (a product of symmetric groups), the same
    assert product is None or (product.order, product.orbits) == expected


def test_the_search_is_exact_on_named_groups():
    # the Petersen graph (120 automorphisms; colour refinement alone cannot split its vertices)
    outer = [(i, (i + 1) % 5) for i in range(5)] + [(i, i + 5) for i in range(5)]
    edges = outer + [(5 + i, 5 + (i + 2) % 5) for i in range(5)]
    text = "spin s[10]\nH = " + " + ".join(f"s[{a}]*s[{b}]" for a, b in edges)
    assert hamc.analyze(hamc.load(text)).symmetry_group_order == 120
    # the 4-dimensional hypercube: 2^4 * 4! = 384
    cube = [(v, v ^ (1 << k)) for v in range(16) for k in range(4) if v < v ^ (1 << k)]
    text = "spin s[16]\nH = " + " + ".join(f"s[{a}]*s[{b}]" for a, b in cube)
    group = automorphism_group(term_table(hamc.load(text)))
    assert (group.order, group.exact, group.orbits) == (2**4 * math.factorial(4), True, 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.lists(st.integers(0, 2**31), min_size=0, max_size=3))
def test_components_match_scipy(m, seeds):
    images = [np.random.default_rng(seed).permutation(m) for seed in seeds]
    src = np.concatenate([np.arange(m)] + [np.arange(m) for _ in images])
    dst = np.concatenate([np.arange(m)] + images)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(m, m))
    assert _components(m, images) == connected_components(graph, directed=True, connection="weak")[0]


def test_hash_sums_wrap_like_uint64_addition():
    rng = np.random.default_rng(7)
    for size, n in ((70_000, 1_000), (500, 40)):      # the bincount path and the sorted path
        owner = rng.integers(0, n, size)
        values = rng.integers(0, 2**64, size, dtype=np.uint64)
        expected = np.zeros(n, np.uint64)
        np.add.at(expected, owner, values)
        owners = Owners(owner, n)
        assert owners.by_count == (size >= 2**16)
        assert np.array_equal(owners.hash_sum(values), expected)


def test_one_hot_bits_move_with_their_site():
    # the states' bits of a site are not interchangeable with another site's alone: 3! site permutations
    # (the symmetric-group shortcut once answered 3! * 3! by swapping the unused bits on their own)
    a = hamc.analyze(hamc.load("discrete n[3] in 0..1\nH = sum(i in 0..2: delta(n[i], 0))"))
    assert (a.symmetry_group_order, a.parameters.independent) == (math.factorial(3), 1)
