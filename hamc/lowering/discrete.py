"""Discrete (q-state) variables -> one-hot bit monomials: declared states, state values, delta, table lookups."""
from __future__ import annotations

import numpy as np

from ..language import syntax as S
from ..ir.coefficients import Coefficients
from ..ir.terms import Bindings, Terms, TooManyTerms, combine, multiply
from .context import TOP, LoweringContext, err

# q one-hot bits per variable, and a lookup table of q x q entries per bond: far beyond any model
# written with a table, and small enough that a state tuple of this length is cheap
MAX_STATES = 65_536


def declared_states(ctx: LoweringContext, decl: S.VarDecl) -> tuple[int, ...]:
    """The state values lo..hi of a discrete declaration; () for other domains."""
    if decl.domain != "discrete":
        if decl.states is not None:
            raise err(f"only a discrete variable has states (`in lo..hi`); '{decl.name}' is {decl.domain}",
                      decl.states[0])
        return ()
    if decl.states is None:
        raise err(f"a discrete variable needs its states, as in  discrete {decl.name}[N] in 0..q-1", decl)
    lo, hi = (int(ctx.integer(e, TOP)[0]) for e in decl.states)
    q = hi - lo + 1
    if q < 2:
        raise err(f"a discrete variable takes at least 2 states, got {max(q, 0)} ({lo}..{hi})", decl.states[0])
    if q > MAX_STATES:
        raise err(f"'{decl.name}' has {q:,} states (limit {MAX_STATES:,})", decl.states[0])
    return tuple(range(lo, hi + 1))


def state_terms(var, sites: np.ndarray, rows: np.ndarray, max_terms: int) -> Terms:
    """`n[i]` in each row: sum over states k of value_k * bit(i, k). Always q terms per row, in state
    order and never combined: `_reference` reads the variable's first bit back from them."""
    q = len(var.states)
    if len(rows) * q > max_terms:       # before the (rows, q) table is allocated
        raise TooManyTerms(len(rows) * q, max_terms)
    bits = var.offset + q * np.asarray(sites, np.int64)[:, None] + np.arange(q)
    values = np.tile(np.array(var.states, np.int64), len(rows))
    return Terms(np.repeat(rows, q), bits.reshape(-1, 1), Coefficients.from_array(values))


def refers_to_variable(ctx: LoweringContext, node, scope: Bindings) -> bool:
    return isinstance(node, (S.Name, S.Indexed)) and node.name in ctx.variables and node.name not in scope.indices


def _reference(ctx: LoweringContext, node, scope: Bindings, what: str):
    """(rows, first bit, variable array) of a reference to a discrete variable, one per row kept."""
    var = ctx.variables[node.name]
    if not var.states:
        raise err(f"{what}; '{node.name}' is a {var.domain} variable", node)
    t = ctx.expr(node, scope)
    q = len(var.states)
    return t.rows[::q], t.vars[::q, 0], var


class _StateTable:
    """Each row of a scope once per combination of the states of the discrete arguments: a value
    column per argument (component), and the one-hot bit each discrete argument's state is."""

    def __init__(self, ctx: LoweringContext, scope: Bindings):
        self.ctx, self.scope = ctx, scope
        self.parent = np.arange(scope.n_rows)
        self.values: list[np.ndarray] = []
        self.bits: list[np.ndarray] = []

    def add_integer(self, node) -> None:
        if isinstance(node, S.Name) and node.name in self.scope.indices:
            self.values.extend(c[self.parent] for c in self.scope.indices[node.name])
        else:
            self.values.append(self.ctx.integer(node, self.scope)[self.parent])

    def add_discrete(self, node, what: str):
        rows, first, var = _reference(self.ctx, node, self.scope, what)
        q = len(var.states)
        where = np.full(self.scope.n_rows, -1)
        where[rows] = np.arange(len(rows))
        found = where[self.parent]
        keep = found >= 0               # an open array's index outside it drops the row (all bits 0)
        if int(keep.sum()) * q > self.ctx.max_terms:
            raise TooManyTerms(int(keep.sum()) * q, self.ctx.max_terms)
        self.parent = np.repeat(self.parent[keep], q)
        self.values = [np.repeat(v[keep], q) for v in self.values] + [np.tile(np.array(var.states), int(keep.sum()))]
        self.bits = [np.repeat(b[keep], q) for b in self.bits] + [
            (first[found[keep]][:, None] + np.arange(q)).reshape(-1)]
        return var

    def terms(self, coef: Coefficients, keep: np.ndarray) -> Terms:
        """coef * (the product of the bits) in each row where `keep`, summed into the scope's rows."""
        n = int(keep.sum())
        out = Terms.constant(coef.take(np.flatnonzero(keep)), np.arange(n))
        for bits in self.bits:          # multiply, not a stack: the same bit twice is that bit (x^2 = x)
            out = multiply(out, Terms.variable(bits[keep], np.arange(n)), n, self.ctx.domains, self.ctx.max_terms)
        return combine(out.with_rows(self.parent[keep][out.rows]))


def delta(ctx: LoweringContext, node: S.Call, scope: Bindings) -> Terms:
    """delta(a, b): 1 where the two (discrete variables or integers) are equal, else 0."""
    if len(node.args) != 2:
        raise err(f"delta takes two arguments, got {len(node.args)}", node)
    table = _StateTable(ctx, scope)
    for arg in node.args:
        if refers_to_variable(ctx, arg, scope):
            table.add_discrete(arg, "delta compares discrete variables and integers")
        else:
            table.add_integer(arg)
    equal = table.values[0] == table.values[1]
    return table.terms(Coefficients.of(1, len(equal)), equal)


def lookup(ctx: LoweringContext, node: S.Indexed, scope: Bindings) -> Terms:
    """An array parameter indexed by discrete variables, as C[n[i], n[j]]: sum over the states a, b of
    C[a, b] * bit(i, a) * bit(j, b)."""
    data = ctx.arrays[node.name]
    table = _StateTable(ctx, scope)
    for idx in node.indices:
        if refers_to_variable(ctx, idx, scope):
            var = table.add_discrete(idx, "only a discrete variable can index an array parameter")
            _check_states(node, data, len(table.values) - 1, var)
        else:
            table.add_integer(idx)
    if len(table.values) != data.ndim:
        raise err(f"'{node.name}' takes {data.ndim} index(es), got {len(table.values)}", node)
    for axis, (col, n) in enumerate(zip(table.values, data.shape)):
        bad = (col < 0) | (col >= n)
        if bad.any():
            raise err(f"index {col[bad][0]} is out of range 0..{n - 1} for axis {axis} of "
                      f"'{node.name}' (shape {data.shape})", node)
    values = data[tuple(table.values)]
    coef = Coefficients.from_array(values, ctx.array_origins.get(node.name))
    return table.terms(coef, values != 0)


def _check_states(node: S.Indexed, data: np.ndarray, axis: int, var) -> None:
    """Every state of the variable must be an index of the table, whether or not a row uses it."""
    if axis >= data.ndim:
        return                          # too many indices: said once they are all counted
    n = data.shape[axis]
    if var.states[0] < 0 or var.states[-1] >= n:
        raise err(f"'{var.name}' takes the states {var.states[0]}..{var.states[-1]}, but axis {axis} of "
                  f"'{node.name}' (shape {data.shape}) has indices 0..{n - 1}", node)
