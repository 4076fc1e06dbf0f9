"""sympy energy -> (the rest, the body at the first site of a Sum over every site of one array, that array).

`-Sum(s[i, j] * s[Mod(i + 1, L), j] + ..., (i, 0, L - 1), (j, 0, L - 1))` is a sum of translates of
one local polynomial, as the .ham lattice sums are: read at one site, it becomes a LatticeDensity in
time independent of the lattice size, and compiles to the same weight-shared network. A Sum
qualifies when it has one index per axis of one array, each running over its whole axis, and its
body reads only that array, each index on its own axis as `i` or `Mod(i + c, n)`, nowhere else.
"""
from __future__ import annotations

import sympy


def split_lattice_sums(expr: sympy.Expr, shapes: dict) -> tuple[sympy.Expr, sympy.Expr | None, str | None]:
    """(rest, local, array name): expr = rest + the sum over all sites of local translated; local is
    None when no top-level Sum qualifies. Sums over two different arrays are all left in rest."""
    rest, local, name = [], [], None
    for term in sympy.Add.make_args(expr):
        coefficient, factor = term.as_coeff_Mul()
        found = _lattice_sum(factor, shapes) if isinstance(factor, sympy.Sum) else None
        if found is None or name not in (None, found[1]):
            rest.append(term)
            continue
        local.append(coefficient * found[0])
        name = found[1]
    if not local:
        return expr, None, None
    return sympy.Add(*rest), sympy.Add(*local), name


def _lattice_sum(s: sympy.Sum, shapes: dict):
    """(body at the first site, array name), or None to expand the Sum term by term."""
    limits = {index: (lo, hi) for index, lo, hi in s.limits}
    bases = {x.base for x in s.function.atoms(sympy.Indexed)}
    if len(bases) != 1 or len(limits) != len(s.limits):
        return None
    base = bases.pop()
    name = str(base.label)
    shape = shapes.get(name)
    if not shape or len(shape) != len(limits):
        return None
    axes = {}
    for x in s.function.atoms(sympy.Indexed):
        for axis, index in enumerate(x.indices):
            found = _site_index(index, shape[axis], limits)
            if found is None or axes.setdefault(found, axis) != axis:
                return None
    if sorted(axes.values()) != list(range(len(shape))) or any(
            limits[i] != (0, shape[axis] - 1) for i, axis in axes.items()):
        return None
    # the indices appear nowhere but inside the array's subscripts, and no other variable is read
    outside = s.function.xreplace({x: sympy.Dummy() for x in s.function.atoms(sympy.Indexed)})
    if outside.free_symbols - {d for d in outside.free_symbols if isinstance(d, sympy.Dummy)}:
        return None
    return s.function.xreplace({i: sympy.Integer(0) for i in limits}), name


def _site_index(index, n: int, limits: dict):
    """The summation index if `index` is `i` or `Mod(i + c, n)` (c a whole number), else None."""
    if index in limits:
        return index
    if isinstance(index, sympy.Mod) and index.args[1] == n:
        c, i = index.args[0].as_coeff_Add()
        if i in limits and c.is_Integer:
            return i
    return None
