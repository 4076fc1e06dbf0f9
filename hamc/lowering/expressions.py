"""Expression node -> Terms: names, indexing, operators, powers, calls and reductions, per row of a scope."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..language import syntax as S
from ..ir.coefficients import Coefficients
from ..ir.domain import Domain
from ..ir.exact_limits import ExactTooLarge
from ..ir.terms import Bindings, Terms, TooManyTerms, add, combine, multiply, power_count, power_work, square
from .binders import reduce_terms
from .context import FUNCTIONS, LoweringContext, err
from .displacements import MISPLACED, site_columns
from .functions import exact_value
from .graphs import graph_weight
from .discrete import delta, lookup, refers_to_variable, state_terms


def lower_expression(ctx: LoweringContext, node, scope: Bindings) -> Terms:
    """The polynomial of `node` in each row of `scope` (rows = index combinations of enclosing sums)."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            out = _HANDLERS[type(node)](ctx, node, scope)
    except TooManyTerms as exc:
        raise err(f"{exc}; raise the limit with --max-terms (API: max_terms=)", node) from None
    except ExactTooLarge as exc:
        raise exc if exc.span else err(exc.message, node) from None
    # exact numbers beyond float64's range cannot become weights: refuse them where they appear
    if (not out.coef.exact or out.coef.wide) and not np.isfinite(out.coef.as_float()).all():
        raise err("this number is too large for floating point (overflow)", node)
    return out


def _num(ctx: LoweringContext, node: S.Num, scope: Bindings) -> Terms:
    value = Fraction(node.text)
    if not np.isfinite(Coefficients.of(value).as_float()).all():
        raise err(f"the number {node.text} is too large for floating point", node)
    coef = Coefficients.of(value, scope.n_rows)
    return Terms.constant(coef, np.arange(scope.n_rows))


def _str(ctx: LoweringContext, node: S.Str, scope: Bindings) -> Terms:
    raise err('a quoted file name is only allowed in param NAME = load("file.npy")', node)


def _name(ctx: LoweringContext, node: S.Name, scope: Bindings) -> Terms:
    rows = np.arange(scope.n_rows)
    if node.name in scope.indices:
        comps = scope.indices[node.name]
        if len(comps) != 1:
            vector = ", ".join(["1"] + ["0"] * (len(comps) - 1))
            raise err(f"'{node.name}' is a lattice site with {len(comps)} coordinates; use it only as a "
                      f"variable index, as in s[{node.name}], moved by a lattice vector as in "
                      f"s[{node.name} + ({vector})]", node)
        return Terms.constant(Coefficients.from_array(comps[0]), rows)
    if node.name in ctx.scalars:
        return Terms.constant(ctx.scalars[node.name].take(np.zeros(scope.n_rows, np.int64)), rows)
    if node.name in ctx.variables:
        var = ctx.variables[node.name]
        if var.shape:
            raise err(f"'{node.name}' is an array of shape {var.shape}; index it, as in "
                      f"{node.name}[{', '.join('i' * 1 for _ in var.shape)}]", node)
        if var.states:
            return state_terms(var, np.zeros(scope.n_rows, np.int64), rows, ctx.max_terms)
        return Terms.variable(np.full(scope.n_rows, var.offset), rows)
    if node.name in ctx.arrays:
        raise err(f"'{node.name}' is an array parameter; index it, as in {node.name}[i]", node)
    if node.name in ctx.lattices or node.name in ctx.graphs:
        what = "lattice" if node.name in ctx.lattices else "graph"
        raise err(f"'{node.name}' is a {what}; sum over it, as in sum(i in {node.name}: ...)", node)
    raise ctx.unknown(node.name, node, scope)


def index_columns(ctx: LoweringContext, node: S.Indexed, scope: Bindings, rank: int) -> list[np.ndarray]:
    """One integer column (a value per row) per axis; a lattice site index fills one column per coordinate."""
    columns = []
    for idx in node.indices:
        site = site_columns(ctx, idx, scope)
        if site is not None:
            columns.extend(site)
        else:
            columns.append(ctx.integer(idx, scope))
    if len(columns) != rank:
        raise err(f"'{node.name}' takes {rank} index(es), got {len(columns)}", node)
    return columns


def _indexed(ctx: LoweringContext, node: S.Indexed, scope: Bindings) -> Terms:
    if id(node) in ctx.site_fields:     # a parameter read at a lattice sum's one site (site_fields.py)
        return _variable_entry(ctx, ctx.site_fields[id(node)], scope)
    if node.name in ctx.arrays:
        if any(refers_to_variable(ctx, idx, scope) for idx in node.indices):
            return lookup(ctx, node, scope)
        return _array_entry(ctx, node, scope)
    if node.name in ctx.graphs:
        return graph_weight(ctx, ctx.graphs[node.name], node, scope)
    if node.name not in ctx.variables:
        if node.name in ctx.declared:
            raise err(f"'{node.name}' is a {ctx.declared[node.name][0]} and cannot be indexed", node)
        raise ctx.unknown(node.name, node, scope)
    return _variable_entry(ctx, node, scope)


def _array_entry(ctx: LoweringContext, node: S.Indexed, scope: Bindings) -> Terms:
    data = ctx.arrays[node.name]
    cols = index_columns(ctx, node, scope, data.ndim)
    for axis, (col, n) in enumerate(zip(cols, data.shape)):
        bad = (col < 0) | (col >= n)
        if bad.any():
            raise err(f"index {col[bad][0]} is out of range 0..{n - 1} for axis {axis} of "
                      f"'{node.name}' (shape {data.shape})", node)
    values = data[tuple(cols)] if cols else data.reshape(-1)
    return Terms.constant(Coefficients.from_array(values, ctx.array_origins.get(node.name)),
                          np.arange(scope.n_rows))


def _variable_entry(ctx: LoweringContext, node: S.Indexed, scope: Bindings) -> Terms:
    """The variable each row names; a periodic array wraps the index, an open one drops the row."""
    var = ctx.variables[node.name]
    cols = index_columns(ctx, node, scope, len(var.shape))
    keep = np.ones(scope.n_rows, bool)
    local = []
    for axis, (col, lo, n) in enumerate(zip(cols, var.lows, var.shape)):
        i = col - lo
        if var.boundary == "periodic":
            i = np.mod(i, n)
        elif var.boundary == "open":
            keep &= (i >= 0) & (i < n)
        elif ((i < 0) | (i >= n)).any():
            bad = col[(i < 0) | (i >= n)][0]
            raise err(f"index {bad} is out of the declared range {lo}..{lo + n - 1} of '{node.name}' "
                      f"(axis {axis}); declare it periodic or open to wrap or drop", node)
        local.append(i)
    flat = var.offset + (np.ravel_multi_index([c[keep] for c in local], var.shape) if var.shape else 0)
    if var.states:
        return state_terms(var, np.broadcast_to(flat - var.offset, (int(keep.sum()),)), np.arange(scope.n_rows)[keep],
                           ctx.max_terms)
    return Terms.variable(np.broadcast_to(flat, (int(keep.sum()),)), np.arange(scope.n_rows)[keep])


def _neg(ctx: LoweringContext, node: S.Neg, scope: Bindings) -> Terms:
    t = ctx.expr(node.operand, scope)
    return Terms(t.rows, t.vars, -t.coef)


def _binop(ctx: LoweringContext, node: S.BinOp, scope: Bindings) -> Terms:
    if node.op == "^":
        return _power(ctx, node, scope)
    left = ctx.expr(node.left, scope)
    if node.op == "/":
        if combine(ctx.expr(node.right, scope)).width:
            raise err("a variable in a denominator is not a polynomial", node.right)
        divisor = ctx.numeric(node.right, scope)
        if not divisor.nonzero().all():
            raise err("division by zero", node.right)
        return left.scaled(divisor.reciprocal())
    right = ctx.expr(node.right, scope)
    if node.op == "*":
        return multiply(left, right, scope.n_rows, ctx.domains, ctx.max_terms)
    if node.op == "-":
        right = Terms(right.rows, right.vars, -right.coef)
    return add([left, right])


def _power(ctx: LoweringContext, node: S.BinOp, scope: Bindings) -> Terms:
    base = combine(ctx.expr(node.left, scope))
    if combine(ctx.expr(node.right, scope)).width:
        raise err("an exponent must be a number, not depend on a variable", node.right)
    exponent = ctx.numeric(node.right, scope)
    if len(exponent) and not (exponent.num == exponent.num[0]).all():
        raise err("an exponent must not depend on a summation index", node.right)
    k = _exponent(exponent)
    if not base.width:
        if k != int(k):
            raise err(f"fractional exponent {k}: only integer powers of numbers are allowed", node.right)
        value = ctx.numeric(node.left, scope)
        if int(k) < 0 and not value.nonzero().all():
            raise err("zero to a negative power", node)
        return Terms.constant(value.power(int(k)), np.arange(scope.n_rows))
    if k != int(k) or k < 0:
        raise err(f"{'fractional' if k != int(k) else 'negative'} exponent {k}: a polynomial takes "
                  "only non-negative integer powers of variables", node.right)
    return _polynomial_power(ctx, base, int(k), scope.n_rows, node)


def _polynomial_power(ctx: LoweringContext, base: Terms, k: int, n_rows: int, node) -> Terms:
    """base^k multiplied out, refused up front when the expansion would pass the term limit."""
    if np.bincount(base.rows, minlength=n_rows).max(initial=0) <= 1:
        return _monomial_power(ctx, base, k, n_rows, node)
    estimate = power_count(base, k, n_rows)
    if estimate > ctx.max_terms:
        raise TooManyTerms(estimate, ctx.max_terms)
    work = power_work(base, k, n_rows, ctx.max_terms)
    if work > ctx.max_terms:
        raise err(f"expanding this power writes more than {ctx.max_terms:,} variable indices "
                  f"(the limit) on the way to its {estimate:,} terms; raise the limit with --max-terms "
                  "(API: max_terms=)", node)
    if k == 2:
        return square(base, n_rows, ctx.domains, ctx.max_terms)
    out = Terms.constant(Coefficients.of(1, n_rows), np.arange(n_rows))
    for _ in range(k):
        out = multiply(out, base, n_rows, ctx.domains, ctx.max_terms)
    return out


def _monomial_power(ctx: LoweringContext, base: Terms, k: int, n_rows: int, node) -> Terms:
    """(c * monomial)^k, one monomial per row: square and multiply, so x^1000000 takes 20 steps."""
    used = base.vars[base.vars >= 0]
    if (ctx.domains[used] == Domain.REAL).any() and k * base.width > ctx.max_terms:
        raise err(f"this power has degree {k * base.width:,} (limit {ctx.max_terms:,}); "
                  "raise the limit with --max-terms (API: max_terms=)", node)
    out = Terms.constant(Coefficients.of(1, n_rows), np.arange(n_rows))
    while k:
        if k & 1:
            out = multiply(out, base, n_rows, ctx.domains, ctx.max_terms)
        k >>= 1
        if k:
            base = multiply(base, base, n_rows, ctx.domains, ctx.max_terms)
    return out


def _displacement(ctx: LoweringContext, node: S.Displacement, scope: Bindings) -> Terms:
    raise err(MISPLACED, node)


def _call(ctx: LoweringContext, node: S.Call, scope: Bindings) -> Terms:
    if node.name == "load":
        raise err('load(...) is only allowed as a parameter value: param J = load("J.npy")', node)
    if node.name == "delta":
        return delta(ctx, node, scope)
    if node.name not in FUNCTIONS:
        if node.name in ctx.declared or node.name in scope.indices:
            what = ctx.declared.get(node.name, ("index",))[0]
            hint = {"variable": f"; index it with [ ], as in {node.name}[i], or multiply with *",
                    "parameter": "; multiply with *, as in J * (...)"}.get(what, "")
            raise err(f"'{node.name}' is not a function{hint}", node)
        raise err(f"unknown function '{node.name}'; numbers may use {', '.join(FUNCTIONS)}", node)
    if len(node.args) != 1:
        raise err(f"{node.name} takes one argument, got {len(node.args)}", node)
    if combine(ctx.expr(node.args[0], scope)).width:
        raise err(f"{node.name}(...) of a variable is not a polynomial", node)
    value = ctx.numeric(node.args[0], scope)
    float_fn = FUNCTIONS[node.name]
    domain_ok = {"sqrt": value.as_float() >= 0, "log": value.as_float() > 0}.get(node.name)
    if domain_ok is not None and not domain_ok.all():
        raise err(f"{node.name} of a {'negative' if node.name == 'sqrt' else 'non-positive'} number", node)
    if scope.n_rows == 1 and value.exact:
        result = exact_value(node.name, Fraction(int(value.num[0]), int(value.den[0])))
        coef = Coefficients.of(result, origin=ctx.origin(ctx.snippet(node.span), node.span))
    else:
        coef = Coefficients(float_fn(value.as_float()), None,
                            value.origin or ctx.origin(ctx.snippet(node.span), node.span))
    return Terms.constant(coef, np.arange(scope.n_rows))


_HANDLERS = {S.Num: _num, S.Str: _str, S.Name: _name, S.Indexed: _indexed, S.Neg: _neg, S.BinOp: _binop,
             S.Call: _call, S.Reduce: reduce_terms, S.Displacement: _displacement}


def _exponent(exponent: Coefficients):
    """The exponent as a Fraction (exact) or float: no sympy needed to take a power."""
    if not len(exponent):
        return 0
    return Fraction(int(exponent.num[0]), int(exponent.den[0])) if exponent.exact else float(exponent.num[0])
