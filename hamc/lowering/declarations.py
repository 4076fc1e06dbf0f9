"""Declarations -> context entries: parameters (numbers, overrides, loaded arrays), lattices, graphs, variables."""
from __future__ import annotations

import math

import numpy as np

from ..language import syntax as S
from ..errors import HamcError
from ..ir.coefficients import Coefficients, Origin
from ..ir.domain import Domain
from ..ir.variables import BOND_VECTORS, Lattice, VariableArray
from .array_files import check_regular_file, read_npy, read_text
from .context import MAX_VARIABLES, TOP, LoweringContext, err
from .discrete import declared_states
from .file_messages import load_failure
from .graphs import read_graph


def declare_param(ctx: LoweringContext, decl: S.ParamDecl) -> None:
    ctx.declare(decl.name, "parameter", decl)
    value = ctx.overrides.pop(decl.name, decl.value)
    try:
        if isinstance(value, np.ndarray):
            ctx.arrays[decl.name] = value
            ctx.array_origins[decl.name] = ctx.origin(f"param {decl.name} (an array passed in)", decl.span)
        elif isinstance(value, S.Call) and value.name == "load":
            ctx.arrays[decl.name] = _load_array(ctx, value)
            text = ctx.override_text.get(decl.name, "load(...)")
            what = ctx.snippet(decl.span) if value is decl.value else f"--param {decl.name}={text}"
            ctx.array_origins[decl.name] = ctx.origin(what, decl.span)
        elif isinstance(value, S.Expr.__args__):
            ctx.scalars[decl.name] = ctx.numeric(value, TOP)
        else:
            ctx.scalars[decl.name] = _given_number(
                decl.name, value, ctx.origin(f"param {decl.name} = {value!r}", decl.span))
    except HamcError as error:            # an error in --param text is located in that text
        text = ctx.override_text.get(decl.name)
        raise error.located(f"--param {decl.name}", text) if text and value is not decl.value else error


def _given_number(name: str, value, origin: Origin) -> Coefficients:
    """A parameter's value given to the API as a Python number."""
    try:
        return Coefficients.of(value, origin=origin)
    except OverflowError:
        raise HamcError(f"the value of parameter '{name}' is too large for floating point") from None
    except (TypeError, ValueError):
        raise HamcError(f"parameter '{name}' takes a number, .ham text or a NumPy array, "
                        f"not {type(value).__name__}") from None


def _load_array(ctx: LoweringContext, call: S.Call) -> np.ndarray:
    if not call.args or not isinstance(call.args[0], S.Str):
        raise err('load takes a quoted file name, then optionally the expected shape: load("J.npy", N, N)', call)
    path = ctx.base_dir / call.args[0].value
    try:
        if path.suffix in (".npy", ".csv", ".txt"):
            check_regular_file(path)            # a FIFO would block forever
        if path.suffix == ".npy":
            data = read_npy(path, ctx.max_terms)
        elif path.suffix in (".csv", ".txt"):
            data = read_text(path, "," if path.suffix == ".csv" else None, ctx.max_terms)
        else:
            raise err(f"cannot load '{path.name}': use a .npy or .csv file", call.args[0])
    except (OSError, ValueError) as exc:
        raise err(f"cannot load '{path}': {load_failure(path, exc)}", call.args[0]) from None
    if not (np.issubdtype(data.dtype, np.number) or data.dtype == bool):
        raise err(f"'{path.name}' holds {data.dtype} data, not numbers", call.args[0])
    if len(call.args) > 1:
        expected = tuple(int(ctx.integer(a, TOP)[0]) for a in call.args[1:])
        if data.shape != expected:
            raise err(f"'{path.name}' has shape {data.shape}, expected {expected}", call)
    if not np.all(np.isfinite(data)):
        raise err(f"'{path.name}' contains NaN or infinite values", call.args[0])
    return data


def declare_lattice(ctx: LoweringContext, decl: S.LatticeDecl) -> None:
    ctx.declare(decl.name, "lattice", decl)
    if decl.kind not in BOND_VECTORS:
        raise err(f"unknown lattice '{decl.kind}'; known: {', '.join(BOND_VECTORS)}", decl)
    rank = len(BOND_VECTORS[decl.kind][0])
    if len(decl.sizes) != rank:
        raise err(f"a {decl.kind} lattice takes {rank} size(s) and optionally periodic/open, "
                  f"got {len(decl.sizes)} size(s)", decl)
    shape = tuple(ctx.positive_int(s) for s in decl.sizes)
    if math.prod(shape) > MAX_VARIABLES:
        raise err(f"lattice '{decl.name}' has {math.prod(shape):,} sites (limit {MAX_VARIABLES:,} "
                  "variables in all)", decl)
    ctx.lattices[decl.name] = Lattice(decl.name, decl.kind, shape, decl.boundary)


def declare_graph(ctx: LoweringContext, decl: S.GraphDecl) -> None:
    ctx.declare(decl.name, "graph", decl)
    ctx.graphs[decl.name] = read_graph(ctx, decl)


def declare_variable(ctx: LoweringContext, decl: S.VarDecl) -> None:
    ctx.declare(decl.name, "variable", decl)
    lows, shape, boundary, lattice = _variable_layout(ctx, decl)
    states = declared_states(ctx, decl)
    count = math.prod(shape) * (len(states) or 1)       # a discrete variable is q one-hot bits
    total = len(ctx.domains) + count
    if total > MAX_VARIABLES:
        in_all = f", {total:,} in all" if total != count else ""
        raise err(f"'{decl.name}' has {count:,} variables{in_all} (limit {MAX_VARIABLES:,} "
                  "variables)", decl)
    var = VariableArray(decl.name, decl.domain, lows, shape, boundary, len(ctx.domains),
                        lattice.name if lattice else None, states)
    ctx.variables[decl.name] = var
    ctx.domains = np.concatenate([ctx.domains, np.full(var.size, Domain.of(decl.domain).encoded, np.int8)])


def _variable_layout(ctx: LoweringContext, decl: S.VarDecl):
    """(index lows, shape, boundary, lattice or None) of a variable array: on a lattice's sites, or
    over the declared index ranges."""
    if len(decl.dims) == 1 and decl.dims[0].lo is None and isinstance(decl.dims[0].hi, S.Name) \
            and decl.dims[0].hi.name in ctx.lattices:
        lattice = ctx.lattices[decl.dims[0].hi.name]
        return (0,) * len(lattice.shape), lattice.shape, decl.boundary or lattice.boundary, lattice
    if len(decl.dims) == 1 and decl.dims[0].lo is None and isinstance(decl.dims[0].hi, S.Name) \
            and decl.dims[0].hi.name in ctx.graphs:
        return (0,), (ctx.graphs[decl.dims[0].hi.name].n_vertices,), decl.boundary, None
    lows = tuple(0 if d.lo is None else int(ctx.integer(d.lo, TOP)[0]) for d in decl.dims)
    shape = tuple(ctx.positive_int(d.hi) if d.lo is None else
                  int(ctx.integer(d.hi, TOP)[0]) - lo + 1 for d, lo in zip(decl.dims, lows))
    for d, n in zip(decl.dims, shape):
        if n < 1:
            raise err(f"empty index range for '{decl.name}'", d)
    return lows, shape, decl.boundary, None
