"""Energy expression -> (explicit terms, local terms of a sum over every site of a periodic array).

`-J * sum(<i,j> in G: s[i]*s[j]) - h * sum(i in G: s[i])` on a periodic lattice is a sum of
translates of one local polynomial. Lowering its body at a single site gives that polynomial
(density.LatticeDensity) in time independent of the lattice size. A sum qualifies when it runs
over every site (ranges spanning whole periodic axes, lattice sites or bonds, no conditions) and
its body reads only one periodic array, at the summation indices plus constants, and uses the
indices nowhere else but in parameter arrays of the lattice's shape read at the site (`J[i,j,0]`,
`h[i]`: per-site coefficients, site_fields.py). Anything else is lowered term by term, as before.
"""
from __future__ import annotations

import numpy as np

from ..language import syntax as S
from ..ir.coefficients import Coefficients
from ..errors import HamcError
from ..ir.terms import Bindings, Terms, add, combine
from .index_forms import affine_index as _affine_index, is_number as _is_number, walk as _walk
from .site_fields import field_accesses, pseudo_variables
from .site_tables import bond_vectors


def split_energy(lw, node):
    """(explicit Terms, local Terms or None, array or None) with node = explicit + lattice sum of local.
    Each sum taken as a lattice sum is recorded in lw.lattice_sums as (span, index combinations)."""
    if isinstance(node, S.Reduce):
        found = _lattice_sum(lw, node)
        if found is not None:
            local, array, combinations = found
            # the span the term-by-term lowering would refuse at: the binder that expands last
            lw.lattice_sums.append((node.binders[-1].span, combinations))
            return _nothing(), local, array
    elif isinstance(node, S.Neg):
        e, local, array = split_energy(lw, node.operand)
        return _neg(e), _neg(local), array
    elif isinstance(node, S.BinOp) and node.op in "+-":
        recorded = len(lw.lattice_sums)
        e1, l1, a1 = split_energy(lw, node.left)
        e2, l2, a2 = split_energy(lw, node.right)
        if not (a1 is None or a2 is None or a1 is a2):
            del lw.lattice_sums[recorded:]          # two arrays: all of it is lowered term by term
        else:
            if node.op == "-":
                e2, l2 = _neg(e2), _neg(l2)
            local = add([t for t in (l1, l2) if t is not None]) if (l1 is not None or l2 is not None) else None
            return add([e1, e2]), local, a1 or a2
    elif isinstance(node, S.BinOp) and node.op in "*/":
        for const, other in ((node.left, node.right), (node.right, node.left)):
            if (node.op == "*" or const is node.right) and _is_number(lw, const):
                e, local, array = split_energy(lw, other)
                factor = lw.numeric(const, lw.top)
                if node.op == "/":
                    if not factor.nonzero().all():
                        raise HamcError("division by zero", const.span)
                    factor = factor.reciprocal()
                return e.scaled(factor), None if local is None else local.scaled(factor), array
    return lw.expr(node, lw.top), None, None


def _nothing() -> Terms:
    return Terms.constant(Coefficients.of(0, 0), np.zeros(0, np.int64))


def _neg(t):
    return None if t is None else Terms(t.rows, t.vars, -t.coef)


def _lattice_sum(lw, node: S.Reduce):
    """(local Terms at the first site, the array, index combinations) if `node` sums one density
    over every site: one `i in G` or one `<i,j> in G` binder alone, or one range binder per axis
    of the array, each spanning its whole axis. Else None (lowered term by term)."""
    if node.op != "sum" or any(isinstance(b, S.Condition) for b in node.binders):
        return None
    used = {n.name for n in _walk(node.body) if isinstance(n, (S.Name, S.Indexed)) and n.name in lw.variables}
    if len(used) != 1:
        return None
    array = lw.variables[used.pop()]
    if array.boundary != "periodic" or not array.shape or array.states:
        return None                     # a discrete array is lowered term by term (no one-site density yet)
    names = [n for b in node.binders for n in ((b.first, b.second) if isinstance(b, S.BindBond) else (b.name,))]
    if len(set(names)) != len(names) or any(n in lw.declared for n in names):
        return None                     # let the term-by-term lowering say what is wrong
    ranges = [b for b in node.binders if isinstance(b, S.BindRange)]
    if ranges and len(ranges) != len(node.binders) or not ranges and len(node.binders) != 1:
        return None
    indices = {}                        # index name -> ("range", lo, hi) or ("site",)
    for b in node.binders:
        if isinstance(b, S.BindRange):
            try:
                lo, hi = int(lw.integer(b.lo, lw.top)[0]), int(lw.integer(b.hi, lw.top)[0])
            except HamcError:
                return None
            indices[b.name] = ("range", lo, hi)
        else:
            lattice = lw.lattices.get(b.over)
            if lattice is None or lattice.boundary != "periodic" or array.lattice_name != lattice.name:
                return None
            for name in ((b.first, b.second) if isinstance(b, S.BindBond) else (b.name,)):
                indices[name] = ("site",)
    axes = _index_axes(lw, node.body, array, indices)
    if axes is None:
        return None
    if ranges:                          # every range index used, on its own axis, spanning all of it
        if set(axes) != set(indices) or sorted(axes.values()) != list(range(len(array.shape))):
            return None
        for name, axis in axes.items():
            if indices[name][1:] != (array.lows[axis], array.lows[axis] + array.shape[axis] - 1):
                return None
    accesses = field_accesses(lw, node.body, array, indices, axes)
    if accesses is None:
        return None
    with pseudo_variables(lw, accesses, array):
        local, per_site = _local_terms(lw, node, array, indices)
    return local, array, per_site * array.size


def _index_axes(lw, body, array, indices):
    """Which axis each range index spans, or None if an index appears anywhere but as s[i + c]."""
    axes: dict[str, int] = {}
    allowed = set()                     # ids of Name nodes in an allowed index position
    for n in _walk(body):
        if isinstance(n, S.Reduce) or (isinstance(n, S.Name) and n.name in lw.variables):
            return None
        if not isinstance(n, S.Indexed):
            continue
        mentioned = [m for i in n.indices for m in _walk(i) if isinstance(m, S.Name) and m.name in indices]
        if n.name != array.name:
            if mentioned and n.name not in lw.arrays:
                return None             # a parameter array is a per-site field (site_fields.py)
            allowed.update(id(m) for m in mentioned)
            continue
        for axis, idx in enumerate(n.indices):
            name = _affine_index(lw, idx, indices)
            if name is None:
                return None
            allowed.add(id(idx if isinstance(idx, S.Name) else next(m for m in _walk(idx) if isinstance(m, S.Name)
                                                                     and m.name == name)))
            if indices[name][0] == "site":
                if len(n.indices) != 1:
                    return None
            elif axes.setdefault(name, axis) != axis:
                return None
    for n in _walk(body):
        if isinstance(n, S.Name) and n.name in indices and id(n) not in allowed:
            return None
    return axes


def _local_terms(lw, node: S.Reduce, array, indices) -> tuple[Terms, int]:
    """The body lowered with every index at the first site (a bond binder: one row per bond
    vector), and the rows per site."""
    columns = {}
    n_rows = 1
    for b in node.binders:
        if isinstance(b, S.BindRange):
            continue
        if isinstance(b, S.BindBond):
            n_rows *= len(bond_vectors(lw, b))
    for name, (kind, *bounds) in indices.items():
        columns[name] = (np.full(n_rows, bounds[0]),) if kind == "range" else None
    for b in node.binders:
        if isinstance(b, S.BindSites):
            columns[b.name] = tuple(np.zeros(n_rows, np.int64) for _ in array.shape)
        elif isinstance(b, S.BindBond):
            vectors = np.array(bond_vectors(lw, b))
            repeat = n_rows // len(vectors)
            vec = np.repeat(vectors, repeat, axis=0)
            columns[b.first] = tuple(np.zeros(n_rows, np.int64) for _ in array.shape)
            columns[b.second] = tuple(np.mod(vec[:, a], n) for a, n in enumerate(array.shape))
    body = lw.expr(node.body, Bindings(n_rows, columns))
    return combine(body.with_rows(np.zeros(len(body), np.int64))), n_rows
