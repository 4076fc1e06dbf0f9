"""The typed lowering context: what the declarations so far have made known, and the limits."""
from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..language import syntax as S
from ..errors import TEXT_NAME, HamcError, Span
from ..ir.coefficients import Coefficients, Origin
from ..ir.graph import Graph
from ..ir.terms import Bindings, Terms, combine
from ..ir.variables import Lattice, VariableArray
from ..language.parse import parse_expression

DEFAULT_MAX_TERMS = 20_000_000
# Variables of all arrays together: each costs a byte per domain table and 8 per bound or sample
# value, allocated before any term exists, so this is checked with Python ints at the declaration.
MAX_VARIABLES = 1_000_000_000
# name -> NumPy's function, for a value per row (one exact number goes through lowering/functions.py)
FUNCTIONS = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "abs": np.abs}
TOP = Bindings(1, {})       # the scope outside every sum: one row, no indices

# lowers one expression node in a context and scope (expressions.lower_expression); passed in so that
# binders and lattice sums, which the expressions call, can lower their bodies without an import cycle
LowerExpression = Callable[["LoweringContext", object, Bindings], Terms]


def err(message: str, node) -> HamcError:
    return HamcError(message, getattr(node, "span", None))


class LoweringContext:
    """Names declared so far (parameters, lattices, variables) with their values, the variables'
    domains, the parameter overrides not yet used, and the term limit."""

    def __init__(self, program: S.Program, params: dict, max_terms: int, lower_expression: LowerExpression):
        self.program, self.max_terms = program, max_terms
        self._lower_expression = lower_expression
        self.base_dir = Path(program.filename).parent if program.filename != TEXT_NAME else Path.cwd()
        self.overrides = dict(params)
        self.override_text = {k: v for k, v in params.items() if isinstance(v, str)}
        for name, text in self.override_text.items():
            self.overrides[name] = parse_expression(text, filename=f"--param {name}")
        self.declared: dict[str, tuple[str, Span]] = {}       # name -> (what, where)
        self.scalars: dict[str, Coefficients] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.array_origins: dict[str, Origin] = {}              # where a float array was declared
        self.lattices: dict[str, Lattice] = {}
        self.graphs: dict[str, Graph] = {}                      # graph E = edges(...)
        self.variables: dict[str, VariableArray] = {}
        self.domains = np.empty(0, np.int8)                     # Domain per variable, by offset
        self.lattice_sums: list = []                            # (span, combinations) of the current H
        self.fields: dict = {}                                  # pseudo-variable offset -> site_fields.Field
        self.site_fields: dict = {}                             # id(parameter access) -> its pseudo-variable
        self.top = TOP

    def declare(self, name: str, what: str, node) -> None:
        if name in self.declared:
            kind, where = self.declared[name]
            raise err(f"'{name}' is already declared (as a {kind} at line {where.line})", node)
        if name in FUNCTIONS or name == "load":
            raise err(f"'{name}' is a built-in function and cannot be redeclared", node)
        self.declared[name] = (what, node.span)

    def origin(self, what: str, span) -> Origin:
        return Origin(what, span, self.program.filename)

    def snippet(self, span) -> str:
        """The source text of a one-line span (e.g. `sqrt(2)`), to name where a float came from."""
        lines = self.program.source.splitlines()
        if span is None or not 1 <= span.line <= len(lines):
            return "a number"
        text = lines[span.line - 1][span.col - 1:span.col - 1 + span.width].strip()
        return text if len(text) <= 60 else text[:57] + "..."

    def unknown(self, name: str, node, scope: Bindings) -> HamcError:
        known = list(self.declared) + list(scope.indices)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if name in FUNCTIONS or name == "load":
            return err(f"'{name}' is a function; call it, as in {name}(...)", node)
        return err(f"unknown name '{name}'{hint}", node)

    # evaluation ---------------------------------------------------------------------------------
    def expr(self, node, scope: Bindings) -> Terms:
        return self._lower_expression(self, node, scope)

    def numeric(self, node, scope: Bindings) -> Coefficients:
        """A variable-free expression, one value per row."""
        t = combine(self.expr(node, scope))
        if t.width:
            raise err("this must be a number, but it depends on a variable", node)
        return t.coef.scatter(t.rows, scope.n_rows)

    def integer(self, node, scope: Bindings) -> np.ndarray:
        value = self.numeric(node, scope)
        bad = ~value.is_integer()
        if bad.any():
            raise err(f"this must be an integer, got {value.take(np.flatnonzero(bad)[:1]).scalar()}", node)
        huge = np.abs(value.as_float()) >= 2.0**62
        if huge.any():
            raise err(f"this integer is too large, got {value.take(np.flatnonzero(huge)[:1]).scalar()}", node)
        return (value.num // value.den if value.exact else np.round(value.num)).astype(np.int64)

    def positive_int(self, node) -> int:
        value = int(self.integer(node, TOP)[0])
        if value < 1:
            raise err(f"a size must be a positive integer, got {value}", node)
        return value
