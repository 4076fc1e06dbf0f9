"""TermTable -> Symmetry: the automorphism group of the coloured interaction hypergraph (individualization-refinement)."""
from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np

from .hashing import Owners, mix, mix_gathered
from .interchangeable import incidence
from .symmetry import Symmetry, TermTable, count_orbits, is_invariant

# search nodes (one refinement each) in one automorphism search: beyond this the order found so far is
# reported as a lower bound (exact=False) rather than searching for minutes
SEARCH_BUDGET = 20_000

_ONE_HOT = np.uint64(0xA5A5_5A5A_0F0F_F0F0)      # the colour of a one-hot group's own "monomial"
_FIXED = np.uint64(0x5DEE_CE66_D1B5_4A32)        # mixed into an individualized variable's colour


class SearchBudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class _Incidence:
    """The hypergraph as (monomial, variable, multiplicity) entries, grouped both ways for sums."""
    terms: np.ndarray
    variables: np.ndarray
    mults: np.ndarray
    by_variable: Owners
    by_term: Owners
    var_colors: np.ndarray       # uint64 initial colours: the domain
    term_colors: np.ndarray      # uint64 initial colours: degree and coefficient (one-hot groups apart)


def automorphism_group(table: TermTable, budget: int = SEARCH_BUDGET) -> Symmetry:
    """|Aut| of the coefficient-coloured interaction hypergraph, by orbit-stabilizer over variables.

    Each orbit point is found by a search for an automorphism mapping v to w: individualize, refine
    colours (hashes, so both sides compare), recurse on a cell; every candidate is checked exactly
    (is_invariant), so hash collisions can only cost time. A colour class whose variables are all
    interchangeable (Curie-Weiss: every spin) is left to the end of the base: once every other variable
    is fixed, what is left of the group is exactly the product of those classes' symmetric groups, so
    they contribute |class|! without a search. Past `budget` search nodes the order found so far is a
    lower bound (exact=False)."""
    n = table.n_variables
    inc = _incidence(table)
    colors = _refine(inc, inc.var_colors, inc.term_colors)
    symmetric = _symmetric_cells(table, colors[0])
    order, generators, remaining = 1, [], [budget]
    for v in (v for v in range(n) if v not in symmetric):
        cell = np.flatnonzero(colors[0] == colors[0][v])
        if len(cell) == 1:
            continue
        fixed_v = _individualized(inc, colors, v)
        orbit, level = {v}, []
        try:
            _search_orbit(inc, table, cell, colors, fixed_v, orbit, level, remaining)
        except SearchBudgetExceeded:
            generators.extend(level)
            return Symmetry("automorphisms", order * len(orbit), False, tuple(generators),
                            count_orbits(table, generators))
        generators.extend(level)
        order *= len(orbit)
        colors = fixed_v
    for cell in sorted({tuple(c) for c in symmetric.values()}):
        order *= math.factorial(len(cell))
        generators.extend(_transposition(n, cell[0], w) for w in cell[1:])
    return Symmetry("automorphisms", order, True, tuple(generators), count_orbits(table, generators))


def _search_orbit(inc, table, cell, colors, fixed_v, orbit: set, level: list, budget: list) -> None:
    """Grow `orbit` (of the variable individualized in fixed_v), adding to `level` one automorphism
    per new orbit point found, and closing the orbit under them."""
    for w in cell:
        if int(w) in orbit:
            continue
        perm = _find(inc, table, fixed_v, _individualized(inc, colors, int(w)), budget)
        if perm is None:
            continue
        level.append(perm)
        frontier = list(orbit)
        while frontier:
            u = frontier.pop()
            for p in level:
                if int(p[u]) not in orbit:
                    orbit.add(int(p[u]))
                    frontier.append(int(p[u]))


def _find(inc, table, first, second, budget: list) -> np.ndarray | None:
    """An automorphism taking the refined colouring `first` to `second`, or None: individualize the first
    variable of the smallest non-trivial cell of `first` and try each variable of that colour in `second`."""
    budget[0] -= 1
    if budget[0] < 0:
        raise SearchBudgetExceeded
    if not all(np.array_equal(np.sort(a), np.sort(b)) for a, b in zip(first, second)):
        return None
    values, counts = np.unique(first[0], return_counts=True)
    if counts.max(initial=1) == 1:          # discrete: the permutation is determined; check it exactly
        perm = np.empty(len(first[0]), np.int64)
        perm[np.argsort(first[0])] = np.argsort(second[0])
        return perm if _is_automorphism(table, perm) else None
    target = values[np.flatnonzero(counts == counts[counts > 1].min())[0]]
    fixed = _individualized(inc, first, int(np.flatnonzero(first[0] == target)[0]))
    for y in np.flatnonzero(second[0] == target):
        found = _find(inc, table, fixed, _individualized(inc, second, int(y)), budget)
        if found is not None:
            return found
    return None


def _is_automorphism(table: TermTable, perm: np.ndarray) -> bool:
    """Domains kept, one-hot groups mapped onto one-hot groups, the coloured monomials onto themselves."""
    return np.array_equal(table.domains[perm], table.domains) and is_invariant(table, perm)


# colour refinement on hashes -------------------------------------------------------------------
def _incidence(table: TermTable) -> _Incidence:
    terms, variables, mults, term_colors = incidence(table)
    term_colors = term_colors.astype(np.uint64)
    if table.one_hot_groups is not None:        # a group is a monomial of its own colour (multiplicity 0)
        members = np.flatnonzero(table.one_hot_groups >= 0)
        first = len(term_colors)
        terms = np.concatenate([terms, first + table.one_hot_groups[members]])
        variables = np.concatenate([variables, members])
        mults = np.concatenate([mults, np.zeros(len(members), np.int64)])
        n_groups = int(table.one_hot_groups.max()) + 1
        term_colors = np.concatenate([term_colors, np.full(n_groups, _ONE_HOT)])
    var_colors = mix(np.asarray(table.domains, np.int64).astype(np.uint64), 0)
    return _Incidence(terms, variables, mults, Owners(variables, table.n_variables), Owners(terms, len(term_colors)),
                      var_colors, mix(term_colors, 1))


def _refine(inc: _Incidence, var: np.ndarray, term: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(variable colours, monomial colours) refined until the number of distinct colours stops growing.
    A colour is a hash of the old colour and the multiset of (multiplicity, colour) around it: a
    function of the isomorphism class alone, so colourings of two sides of a search compare directly."""
    counts = (len(np.unique(var)), len(np.unique(term)))
    while True:
        var = mix(var, inc.by_variable.hash_sum(mix_gathered(inc.mults, term, inc.terms)))
        term = mix(term, inc.by_term.hash_sum(mix_gathered(inc.mults, var, inc.variables)))
        new = (len(np.unique(var)), len(np.unique(term)))
        if new == counts:
            return var, term
        counts = new


def _individualized(inc: _Incidence, colors: tuple, v: int) -> tuple[np.ndarray, np.ndarray]:
    var = colors[0].copy()
    var[v] = mix(var[v:v + 1], _FIXED)[0]
    return _refine(inc, var, colors[1])


# interchangeable colour classes ------------------------------------------------------------------
def _transposition_is_automorphism(table: TermTable, a: int, b: int) -> bool:
    """Whether swapping variables a and b maps the coloured term set to itself: only the terms that
    touch a or b can move, so compare those with their images. Bits of two discrete variables never
    swap alone (the one-hot groups would break)."""
    groups = table.one_hot_groups
    if table.domains[a] != table.domains[b] or (groups is not None and groups[a] != groups[b]):
        return False
    for block, colors in zip(table.monomials, table.colors):
        touch = ((block == a) | (block == b)).any(axis=1) if block.shape[1] else np.zeros(len(block), bool)
        if not touch.any():
            continue
        sub = block[touch]
        image = np.sort(np.where(sub == a, b, np.where(sub == b, a, sub)), axis=1)
        before, after = (np.column_stack([rows, colors[touch]]) for rows in (sub, image))
        if not np.array_equal(before[np.lexsort(before.T[::-1])], after[np.lexsort(after.T[::-1])]):
            return False
    return True


def _symmetric_cells(table: TermTable, colors: np.ndarray) -> dict[int, list[int]]:
    """Variable -> its colour class, for the classes whose every permutation is an automorphism
    (the transpositions (c0 ci) generate the symmetric group on the class: |cell| - 1 checks)."""
    out = {}
    for value in np.unique(colors):
        cell = [int(v) for v in np.flatnonzero(colors == value)]
        if len(cell) > 1 and all(_transposition_is_automorphism(table, cell[0], w) for w in cell[1:]):
            out.update({v: cell for v in cell})
    return out


def _transposition(n: int, a: int, b: int) -> np.ndarray:
    perm = np.arange(n)
    perm[a], perm[b] = b, a
    return perm
