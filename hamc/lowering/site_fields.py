"""Parameter arrays indexed by a lattice sum's indices (`J[i,j,0]`, `h[i]`) -> per-site fields of its density.

A disordered lattice sum is still lowered at one site: each such parameter access is read as a real
pseudo-variable on a periodic array of the lattice's shape (its value at site x is the parameter's
entry there), so the body lowers like any other; `split_disorder` then takes the pseudo-variables
out of the local monomials again and turns them into coefficient arrays of the lattice's shape.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import VariableArray
from ..ir.lattice_sum import SiteCoefficients, canonical_translates
from ..ir.terms import Bindings, Terms, combine
from ..language import syntax as S
from .index_forms import affine_index, walk

@dataclass(frozen=True)
class Field:
    """A parameter read at every site: values (lattice shape, a view where it can be), and where from."""

    values: np.ndarray
    origin: object


def field_accesses(lw, body, array, indices: dict, axes: dict) -> dict | None:
    """id(access node) -> (pseudo-variable node, Field) for every parameter array in `body` indexed
    by the summation indices; None if one is not a per-site factor of the lattice's shape (the
    term-by-term lowering then says what is wrong, if anything)."""
    found = {}
    if not _factors_only(lw, body, indices, found):
        return None
    by_axis = {axis: name for name, axis in axes.items()}
    out = {}
    for node in found.values():
        values = _values(lw, node, array, indices, axes)
        if values is None:
            return None
        if by_axis:
            where = tuple(S.Name(by_axis[a], node.span) for a in range(len(array.shape)))
        else:
            where = tuple(i for i in node.indices if isinstance(i, S.Name) and i.name in indices)
        out[id(node)] = (where, Field(values, lw.array_origins.get(node.name)))
    return out


def _mentions(node, indices) -> bool:
    return any(isinstance(m, S.Name) and m.name in indices for m in walk(node))


def _factors_only(lw, node, indices, found) -> bool:
    """Whether every parameter access that mentions an index sits under +, -, *, negation and the
    left of / only (collected into `found`): there it is a per-site factor of a polynomial; anywhere
    else (a function's argument, a denominator, an exponent, an index) the sum is lowered term by term."""
    if isinstance(node, S.Indexed) and node.name in lw.arrays and any(_mentions(i, indices) for i in node.indices):
        found[id(node)] = node
        return not any(_has_access(lw, i, indices) for i in node.indices)
    if isinstance(node, S.BinOp) and node.op in "+-*":
        return _factors_only(lw, node.left, indices, found) and _factors_only(lw, node.right, indices, found)
    if isinstance(node, S.BinOp) and node.op == "/":
        return _factors_only(lw, node.left, indices, found) and not _has_access(lw, node.right, indices)
    if isinstance(node, S.Neg):
        return _factors_only(lw, node.operand, indices, found)
    return not _has_access(lw, node, indices)


def _has_access(lw, node, indices) -> bool:
    return any(isinstance(n, S.Indexed) and n.name in lw.arrays and any(_mentions(i, indices) for i in n.indices)
               for n in walk(node))


def _values(lw, node: S.Indexed, array, indices: dict, axes: dict) -> np.ndarray | None:
    """The parameter's value at each site (lattice shape), or None unless every entry it reads is in
    range and its summation-index axes have the lattice's extents."""
    data = lw.arrays[node.name]
    take, lattice_axes = [], []
    for idx in node.indices:
        if isinstance(idx, S.Name) and indices.get(idx.name) == ("site",):
            if any(array.lows) or data.ndim < len(take) + len(array.shape):
                return None
            take += [slice(None)] * len(array.shape)
            lattice_axes += list(range(len(array.shape)))
        elif _mentions(idx, indices):
            name = next((n for n in axes if _is_affine_in(lw, idx, n, indices)), None)
            if name is None:
                return None
            try:
                first = int(lw.integer(idx, Bindings(1, {name: (np.array([indices[name][1]]),)}))[0])
            except HamcError:
                return None
            if first != 0:                  # reads past one end of the parameter at some site
                return None
            take.append(slice(None))
            lattice_axes.append(axes[name])
        else:
            try:
                k = int(lw.integer(idx, lw.top)[0])
            except HamcError:
                return None
            take.append(k)
    if len(take) != data.ndim or len(set(lattice_axes)) != len(lattice_axes):
        return None
    if any(isinstance(t, int) and not 0 <= t < n for t, n in zip(take, data.shape)):
        return None
    extents = [n for t, n in zip(take, data.shape) if not isinstance(t, int)]
    if extents != [array.shape[a] for a in lattice_axes]:
        return None
    picked = data[tuple(take)]
    order = np.argsort(lattice_axes)
    picked = np.transpose(picked, order) if len(order) > 1 else picked
    present = sorted(lattice_axes)
    shape = tuple(n if a in present else 1 for a, n in enumerate(array.shape))
    return np.broadcast_to(picked.reshape(shape), array.shape)


def _is_affine_in(lw, idx, name, indices) -> bool:
    return affine_index(lw, idx, indices) == name


class _RealBeyond:
    """Variable domains, extended by real pseudo-variables past the last declared variable."""

    def __init__(self, domains: np.ndarray):
        self.domains = domains

    def __len__(self) -> int:
        return len(self.domains)

    def __getitem__(self, index):
        index = np.asarray(index)
        inside = index < len(self.domains)
        if not len(self.domains):
            return np.full(index.shape, Domain.REAL, np.int8)
        return np.where(inside, self.domains[np.where(inside, index, 0)], np.int8(Domain.REAL))


@contextmanager
def pseudo_variables(lw, accesses: dict, array):
    """While the body is lowered at one site: each access a real variable array of the lattice's
    shape, numbered past every declared variable (lw.fields: offset -> Field, for split_disorder)."""
    saved = (dict(lw.variables), lw.domains, dict(lw.site_fields))
    start = len(lw.domains) + sum(f.values.size for f in lw.fields.values())
    try:
        for key, (where, field) in accesses.items():
            name = f"{key}\0field"
            lw.variables[name] = VariableArray(name, "real", array.lows, array.shape, "periodic", start)
            lw.fields[start] = field
            lw.site_fields[key] = S.Indexed(name, where, None)
            start += array.size
        lw.domains = _RealBeyond(saved[1])
        yield
    finally:
        lw.variables.clear()
        lw.variables.update(saved[0])
        lw.domains, lw.site_fields = saved[1], saved[2]


def split_disorder(local: Terms, array, fields: dict, first: int) -> tuple[Terms, SiteCoefficients | None]:
    """(the uniform local terms, the per-site ones) of local Terms with pseudo-variables (flat
    index >= first): each per-site monomial moved to its orbit's representative, its field rolled
    with it, so that term t translated by site x has coefficient coef[t] * fields[t][x]."""
    local = combine(local)
    disordered = (local.vars >= first).any(axis=1)
    if not disordered.any():
        return local, None
    site = local.take(disordered)
    real = np.sort(np.where(site.vars < first, site.vars, -1), axis=1)
    moved, shift = canonical_translates(real, array)
    starts = np.array(sorted(fields))
    values = []
    for t in range(len(site)):
        pseudo = site.vars[t][site.vars[t] >= first]
        product = None
        for v in pseudo:
            base = int(starts[np.searchsorted(starts, v, side="right") - 1])
            at = np.array(np.unravel_index(int(v) - base, array.shape))
            factor = _rolled(fields[base].values, shift[t] - at)
            product = factor if product is None else _times(product, factor)
        values.append(product)
    uniform = local.take(~disordered)
    origin = next((fields[s].origin for s in starts if fields[s].values.dtype.kind == "f"), None)
    return uniform, SiteCoefficients(Terms(np.zeros(len(site), np.int64), _trim(moved), site.coef),
                                     tuple(values), origin)


def _rolled(values: np.ndarray, by: np.ndarray) -> np.ndarray:
    """out[y] = values[y - by] on the periodic lattice (the array itself if by is 0)."""
    by = [int(b) for b in by]
    return np.roll(values, by, axis=tuple(range(values.ndim))) if any(by) else values


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iub" and b.dtype.kind in "iub":
        big = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0))
        if big >= 2.0**62:             # beyond int64: the product is taken in floating point
            return a.astype(np.float64) * b
    return a * b


def _trim(vars_: np.ndarray) -> np.ndarray:
    width = int((vars_ >= 0).sum(axis=1).max(initial=0))
    return np.ascontiguousarray(vars_[:, vars_.shape[1] - width:])
