"""TermTable -> Symmetry: the symmetric groups of interchangeable variables, found without a search (any size)."""
from __future__ import annotations

import math

import numpy as np

from ..ir.terms import unique_rows
from .hashing import Owners, mix_gathered
from .symmetry import Symmetry, TermTable, is_invariant, sort_rows

# colour classes checked one by one (two invariance checks each: a transposition and a cycle)
MAX_CELLS = 16
# refinement rounds before giving up: an open chain needs about N/2 of them to tell its sites apart
# (none of which are interchangeable), each a pass over every monomial
MAX_ROUNDS = 12


def interchangeable_group(table: TermTable) -> Symmetry | None:
    """Aut(H) when it is a product of full symmetric groups (Curie-Weiss: all N! permutations of
    the spins), else None.

    Colour refinement of the variable-monomial incidence gives classes that every automorphism
    maps to themselves, so Aut lies in the product of their symmetric groups; if each class's
    transposition (c0 c1) and cycle (c0 c1 ... c_n-1), which generate its symmetric group, leave H
    invariant, Aut is that product: order prod |class|!, exact, with no enumeration."""
    classes = _refined_classes(table)
    if classes is None:
        return None
    cells = [np.flatnonzero(classes == c) for c in np.unique(classes)]
    cells = [c for c in cells if len(c) > 1]
    if len(cells) > MAX_CELLS:
        return None
    for cell in cells:
        for perm in (_transposition(table.n_variables, cell), _cycle(table.n_variables, cell)):
            if not is_invariant(table, perm):
                return None
    order = math.prod(math.factorial(len(c)) for c in cells)
    generators = tuple(p for c in cells for p in (_transposition(table.n_variables, c), _cycle(table.n_variables, c)))
    return Symmetry("automorphisms", order, True, generators, _orbits(table, classes, cells))


def _transposition(n: int, cell: np.ndarray) -> np.ndarray:
    perm = np.arange(n)
    perm[cell[0]], perm[cell[1]] = cell[1], cell[0]
    return perm


def _cycle(n: int, cell: np.ndarray) -> np.ndarray:
    perm = np.arange(n)
    perm[cell] = np.roll(cell, -1)
    return perm


def incidence(table: TermTable):
    """(monomial id, variable, multiplicity) of every distinct variable of every monomial, and each
    monomial's initial colour (one per degree and coefficient colour; not consecutive)."""
    terms, variables, mults, colors, start, offset = [], [], [], [], 0, 0
    for block, color in zip(table.monomials, table.colors):
        m, d = block.shape
        colors.append(np.asarray(color, np.int64) + offset)
        offset += int(color.max(initial=-1)) + 1
        if d:
            first = np.ones(block.shape, bool)
            first[:, 1:] = block[:, 1:] != block[:, :-1]
            row, col = np.nonzero(first)
            ends = np.append(np.flatnonzero(first.ravel())[1:], block.size)
            terms.append(start + row)
            variables.append(block[row, col])
            mults.append(ends - np.flatnonzero(first.ravel()))
        start += m
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return cat(terms), cat(variables), cat(mults), cat(colors)     # H = 0: no monomial, not even a constant


def _refined_classes(table: TermTable) -> np.ndarray | None:
    """Colour refinement to a stable partition of the variables: a variable's new colour is its old
    one and the multiset of (multiplicity, monomial colour) around it; a monomial's likewise.
    Multisets are compared through a sum of 64-bit hashes: a collision can only merge two classes,
    which every automorphism still maps to themselves (the verification in the caller decides).
    None when the partition is still being refined after MAX_ROUNDS."""
    terms, variables, mults, term_colors = incidence(table)
    var_colors = np.asarray(table.domains, np.int64)
    by_variable, by_term, n_classes = Owners(variables, table.n_variables), Owners(terms, len(term_colors)), (-1, -1)
    for _ in range(MAX_ROUNDS):
        around = by_variable.hash_sum(mix_gathered(mults, term_colors.astype(np.uint64), terms))
        var_colors = _relabel(var_colors, around)
        around = by_term.hash_sum(mix_gathered(mults, var_colors.astype(np.uint64), variables))
        term_colors = _relabel(term_colors, around)
        counts = (int(var_colors.max(initial=0)), int(term_colors.max(initial=0)))
        if counts == n_classes:
            return var_colors
        n_classes = counts
    return None


def _relabel(old: np.ndarray, signature: np.ndarray) -> np.ndarray:
    """Class ids of the pairs (old class, signature): a refinement of `old`."""
    order = np.lexsort((signature, old))
    a, b = old[order], signature[order]
    new = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])] if len(a) else np.zeros(0, bool)
    out = np.empty(len(old), np.int64)
    out[order] = np.cumsum(new) - 1
    return out


def _orbits(table: TermTable, classes: np.ndarray, cells: list) -> int:
    """Monomial orbits under the product of the cells' symmetric groups: two monomials of one
    colour are in one orbit iff they agree once each cell's variables are replaced by the cell."""
    label = np.arange(table.n_variables, dtype=np.int64)
    for cell in cells:
        label[cell] = table.n_variables + classes[cell[0]]
    total = 0
    for block, color in zip(table.monomials, table.colors):
        m, d = block.shape
        if not m:
            continue
        if not d:
            total += len(np.unique(color))
            continue
        first = np.ones(block.shape, bool)
        first[:, 1:] = block[:, 1:] != block[:, :-1]
        # a run's multiplicity: from its first entry to the next run's first entry (or the row's end)
        after = np.full(block.shape, d)
        after[:, :-1] = np.minimum.accumulate(np.where(first, np.arange(d), d)[:, :0:-1], axis=1)[:, ::-1]
        key = np.where(first, label[block] * (d + 1) + after - np.arange(d), -1)
        total += len(unique_rows(np.column_stack([sort_rows(key) + 1, color]))[0])
    return total
