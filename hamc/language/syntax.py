"""The parsed .ham file: frozen dataclasses, each carrying the Span of its source text."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..errors import Span


# Expressions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    text: str          # kept as written, so that 0.1 lowers to exactly 1/10
    span: Span


@dataclass(frozen=True)
class Str:
    value: str
    span: Span


@dataclass(frozen=True)
class Name:
    name: str
    span: Span


@dataclass(frozen=True)
class Indexed:
    name: str
    indices: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True)
class Displacement:
    """`(1, 0)`: a lattice vector, added to a site as in s[i + (1, 0)]."""
    components: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True)
class BinOp:
    op: str            # one of + - * / ^
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True)
class Neg:
    operand: "Expr"
    span: Span


@dataclass(frozen=True)
class BindRange:
    """`i in lo..hi`, both ends included."""
    name: str
    lo: "Expr"
    hi: "Expr"
    span: Span


@dataclass(frozen=True)
class BindSites:
    """`i in G`: i runs over the sites of lattice G (a multi-index)."""
    name: str
    over: str
    span: Span


@dataclass(frozen=True)
class BindBond:
    """`<i,j> in G`: (i, j) runs over the nearest-neighbour bonds of lattice G, or the edges of graph G;
    `<i,j> in bonds(G, k)` and `<<i,j>> in G` (k = 2) over its k-th shell of neighbours."""
    first: str
    second: str
    over: str
    span: Span
    shell: "Expr | None" = None     # None: nearest neighbours (or a graph's edges)


@dataclass(frozen=True)
class Condition:
    op: str            # one of < <= > >= == !=
    left: "Expr"
    right: "Expr"
    span: Span


Binder = Union[BindRange, BindSites, BindBond, Condition]


@dataclass(frozen=True)
class Reduce:
    op: str            # "sum" or "prod"
    binders: tuple[Binder, ...]
    body: "Expr"
    span: Span


Expr = Union[Num, Str, Name, Indexed, Call, BinOp, Neg, Reduce, Displacement]


# Statements --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamDecl:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True)
class LatticeDecl:
    name: str
    kind: str          # chain, square, triangular, cubic
    sizes: tuple[Expr, ...]
    boundary: str      # periodic or open
    span: Span


@dataclass(frozen=True)
class GraphDecl:
    """`graph E = edges("data/edges.csv")`: vertices 0..n-1, edges (and weights) from a file."""
    name: str
    source: Expr       # the edges(...) call
    span: Span


@dataclass(frozen=True)
class Dim:
    """One axis of a variable array: `N` (0..N-1) or `lo..hi` (both included)."""
    lo: Expr | None
    hi: Expr
    span: Span


@dataclass(frozen=True)
class VarDecl:
    domain: str        # real, bit, spin, discrete
    name: str
    dims: tuple[Dim, ...]
    boundary: str | None   # periodic, open, or None: an index out of range is an error
    span: Span
    states: tuple[Expr, Expr] | None = None   # lo, hi of a discrete variable's values (`in lo..hi`)


@dataclass(frozen=True)
class HamDecl:
    label: str | None
    expr: Expr
    span: Span


@dataclass(frozen=True)
class PriorDecl:
    label: str
    value: Expr
    span: Span


Statement = Union[ParamDecl, LatticeDecl, GraphDecl, VarDecl, HamDecl, PriorDecl]


@dataclass(frozen=True)
class Program:
    statements: tuple[Statement, ...]
    filename: str
    source: str
