"""Reduce node -> Terms: binders expanded into a table of index rows, a sum or product over them."""
from __future__ import annotations

import numpy as np

from ..language import syntax as S
from ..ir.coefficients import Coefficients, compare
from ..errors import HamcError
from ..ir.terms import Bindings, Terms, TooManyTerms, add, combine, multiply
from .site_tables import count, site_table


def _err(message: str, node) -> HamcError:
    return HamcError(message, getattr(node, "span", None))


def reduce_terms(lw, node: S.Reduce, scope: Bindings) -> Terms:
    """sum(...) or prod(...) of the body over the index combinations its binders make, per row of scope."""
    inner, parent = bind(lw, node.binders, scope)
    body = lw.expr(node.body, inner)
    if node.op == "sum":
        return combine(body.with_rows(parent[body.rows]))
    return _product_over(lw, body, parent, inner.n_rows, scope.n_rows)


def _product_over(lw, body: Terms, parent: np.ndarray, n_inner: int, n_outer: int) -> Terms:
    """prod over the inner rows of each outer row: one factor (an inner row's polynomial) at a time."""
    rank = np.arange(n_inner) - np.searchsorted(parent, parent)   # parent is sorted: rows expand in order
    per_row = np.bincount(body.rows, minlength=n_inner).astype(np.float64)
    log_count = np.bincount(parent, weights=np.log(np.maximum(per_row, 1)), minlength=n_outer)
    if len(log_count) and log_count.max() > np.log(lw.max_terms):
        raise TooManyTerms(round(min(np.exp(log_count.max()), 1e300)), lw.max_terms)
    out = Terms.constant(Coefficients.of(1, n_outer), np.arange(n_outer))
    children = np.bincount(parent, minlength=n_outer)
    for k in range(int(children.max()) if n_outer and n_inner else 0):
        factor = body.take(rank[body.rows] == k)
        without = np.flatnonzero(children <= k)
        factor = add([factor.with_rows(parent[factor.rows]),
                      Terms.constant(Coefficients.of(1, len(without)), without)])
        out = multiply(out, factor, n_outer, lw.domains, lw.max_terms)
    return out

def bind(lw, binders, scope: Bindings) -> tuple[Bindings, np.ndarray]:
    """The index table after the binders (each expands or filters the rows), and each new row's
    row in `scope`."""
    parent = np.arange(scope.n_rows)
    for b in binders:
        if isinstance(b, S.Condition):
            mask = compare(lw.numeric(b.left, scope), b.op, lw.numeric(b.right, scope))
            scope = Bindings(int(mask.sum()), {k: tuple(c[mask] for c in v) for k, v in scope.indices.items()})
            parent = parent[mask]
            continue
        names = (b.first, b.second) if isinstance(b, S.BindBond) else (b.name,)
        for name in names:
            if name in lw.declared:
                raise _err(f"index '{name}' has the name of a declared {lw.declared[name][0]}", b)
        if isinstance(b, S.BindRange):
            lo, hi = lw.integer(b.lo, scope), lw.integer(b.hi, scope)
            counts = np.maximum(hi - lo + 1, 0)
            scope, parent, within = _expand(lw, scope, parent, counts, b)
            scope.indices[b.name] = (np.repeat(lo, counts) + within,)
            continue
        if b.over not in lw.lattices and b.over not in lw.graphs:
            raise _err(f"'{b.over}' is not a lattice or graph", b)
        rows = count(lw, b)
        if scope.n_rows * rows > lw.max_terms:      # before the table is made
            _expand(lw, scope, parent, np.full(scope.n_rows, rows), b)
        table = site_table(lw, b)
        scope, parent, within = _expand(lw, scope, parent, np.full(scope.n_rows, len(table[0][0])), b)
        for name, columns in zip(names, table):
            scope.indices[name] = tuple(c[within] for c in columns)
    return scope, parent

def _expand(lw, scope: Bindings, parent: np.ndarray, counts: np.ndarray, node):
    """Row r of scope repeated counts[r] times; `within` numbers the copies 0, 1, ..."""
    total = int(counts.sum())
    if total > lw.max_terms:
        raise _err(f"this sum has {total:,} index combinations (limit {lw.max_terms:,}); "
                   "raise the limit with --max-terms", node)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    indices = {k: tuple(np.repeat(c, counts) for c in v) for k, v in scope.indices.items()}
    return Bindings(total, indices), np.repeat(parent, counts), within
