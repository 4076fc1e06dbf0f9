"""Program -> Hamiltonian: resolve names, substitute parameters, expand index sums vectorised, simplify."""
from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..language import syntax as S
from .array_files import check_regular_file, read_npy, read_text
from ..ir.coefficients import ScalarParams, Coefficients, ExactTooLarge, Origin
from ..errors import LOAD_FIRST, TEXT_NAME, HamcError, Span, expect_type
from .file_messages import load_failure
from ..language.parse import parse_expression
from ..ir.hamiltonian import BOND_VECTORS, Hamiltonian, Lattice, Polynomial, VariableArray, terms_to_blocks
from ..ir.lattice_sum import LatticeDensity, canonical_local
from .lattice_sums import split_energy
from .binders import reduce_terms
from ..ir.domain import Domain
from ..ir.terms import Bindings, Terms, TooManyTerms, add, combine, multiply, power_count, power_work

DEFAULT_MAX_TERMS = 20_000_000
# Variables of all arrays together: each costs a byte per domain table and 8 per bound or sample
# value, allocated before any term exists, so this is checked with Python ints at the declaration.
MAX_VARIABLES = 1_000_000_000
# name -> (the sympy function's name, imported when a file uses it: start-up costs less; NumPy's)
FUNCTIONS = {"sqrt": ("sqrt", np.sqrt), "exp": ("exp", np.exp), "log": ("log", np.log),
             "sin": ("sin", np.sin), "cos": ("cos", np.cos), "abs": ("Abs", np.abs)}


_TOP = Bindings(1, {})


def _err(message: str, node) -> HamcError:
    return HamcError(message, getattr(node, "span", None))


class _Lowering:
    def __init__(self, program: S.Program, params: dict, max_terms: int):
        self.program, self.max_terms = program, max_terms
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
        self.variables: dict[str, VariableArray] = {}
        self.domains = np.empty(0, np.int8)
        self.top = _TOP

    # declarations --------------------------------------------------------------------------
    def declare(self, name: str, what: str, node) -> None:
        if name in self.declared:
            kind, where = self.declared[name]
            raise _err(f"'{name}' is already declared (as a {kind} at line {where.line})", node)
        if name in FUNCTIONS or name == "load":
            raise _err(f"'{name}' is a built-in function and cannot be redeclared", node)
        self.declared[name] = (what, node.span)

    def param(self, decl: S.ParamDecl) -> None:
        self.declare(decl.name, "parameter", decl)
        value = self.overrides.pop(decl.name, decl.value)
        try:
            if isinstance(value, np.ndarray):
                self.arrays[decl.name] = value
                self.array_origins[decl.name] = self.origin(f"param {decl.name} (an array passed in)", decl.span)
            elif isinstance(value, S.Call) and value.name == "load":
                self.arrays[decl.name] = self.load_array(value)
                text = self.override_text.get(decl.name, "load(...)")
                what = self.snippet(decl.span) if value is decl.value else f"--param {decl.name}={text}"
                self.array_origins[decl.name] = self.origin(what, decl.span)
            elif isinstance(value, S.Expr.__args__):
                self.scalars[decl.name] = self.numeric(value, _TOP)
            else:
                self.scalars[decl.name] = _given_number(
                    decl.name, value, self.origin(f"param {decl.name} = {value!r}", decl.span))
        except HamcError as err:            # an error in --param text is located in that text
            text = self.override_text.get(decl.name)
            raise err.located(f"--param {decl.name}", text) if text and value is not decl.value else err

    def origin(self, what: str, span) -> Origin:
        return Origin(what, span, self.program.filename)

    def snippet(self, span) -> str:
        """The source text of a one-line span (e.g. `sqrt(2)`), to name where a float came from."""
        lines = self.program.source.splitlines()
        if span is None or not 1 <= span.line <= len(lines):
            return "a number"
        text = lines[span.line - 1][span.col - 1:span.col - 1 + span.width].strip()
        return text if len(text) <= 60 else text[:57] + "..."

    def load_array(self, call: S.Call) -> np.ndarray:
        if not call.args or not isinstance(call.args[0], S.Str):
            raise _err('load takes a quoted file name, then optionally the expected shape: load("J.npy", N, N)', call)
        path = self.base_dir / call.args[0].value
        try:
            if path.suffix in (".npy", ".csv", ".txt"):
                check_regular_file(path)            # a FIFO would block forever
            if path.suffix == ".npy":
                data = read_npy(path, self.max_terms)
            elif path.suffix in (".csv", ".txt"):
                data = read_text(path, "," if path.suffix == ".csv" else None, self.max_terms)
            else:
                raise _err(f"cannot load '{path.name}': use a .npy or .csv file", call.args[0])
        except (OSError, ValueError) as exc:
            raise _err(f"cannot load '{path}': {load_failure(path, exc)}", call.args[0]) from None
        if not (np.issubdtype(data.dtype, np.number) or data.dtype == bool):
            raise _err(f"'{path.name}' holds {data.dtype} data, not numbers", call.args[0])
        if len(call.args) > 1:
            expected = tuple(int(self.integer(a, _TOP)[0]) for a in call.args[1:])
            if data.shape != expected:
                raise _err(f"'{path.name}' has shape {data.shape}, expected {expected}", call)
        if not np.all(np.isfinite(data)):
            raise _err(f"'{path.name}' contains NaN or infinite values", call.args[0])
        return data

    def lattice(self, decl: S.LatticeDecl) -> None:
        self.declare(decl.name, "lattice", decl)
        if decl.kind not in BOND_VECTORS:
            raise _err(f"unknown lattice '{decl.kind}'; known: {', '.join(BOND_VECTORS)}", decl)
        rank = len(BOND_VECTORS[decl.kind][0])
        if len(decl.sizes) != rank:
            raise _err(f"a {decl.kind} lattice takes {rank} size(s) and optionally periodic/open, "
                       f"got {len(decl.sizes)} size(s)", decl)
        shape = tuple(self.positive_int(s) for s in decl.sizes)
        if math.prod(shape) > MAX_VARIABLES:
            raise _err(f"lattice '{decl.name}' has {math.prod(shape):,} sites (limit {MAX_VARIABLES:,} "
                       "variables in all)", decl)
        self.lattices[decl.name] = Lattice(decl.name, decl.kind, shape, decl.boundary)

    def variable(self, decl: S.VarDecl) -> None:
        self.declare(decl.name, "variable", decl)
        lattice = None
        if len(decl.dims) == 1 and decl.dims[0].lo is None and isinstance(decl.dims[0].hi, S.Name) \
                and decl.dims[0].hi.name in self.lattices:
            lattice = self.lattices[decl.dims[0].hi.name]
            lows, shape, boundary = (0,) * len(lattice.shape), lattice.shape, decl.boundary or lattice.boundary
        else:
            lows = tuple(0 if d.lo is None else int(self.integer(d.lo, _TOP)[0]) for d in decl.dims)
            shape = tuple(self.positive_int(d.hi) if d.lo is None else
                          int(self.integer(d.hi, _TOP)[0]) - lo + 1 for d, lo in zip(decl.dims, lows))
            for d, n in zip(decl.dims, shape):
                if n < 1:
                    raise _err(f"empty index range for '{decl.name}'", d)
            boundary = decl.boundary
        total = len(self.domains) + math.prod(shape)
        if total > MAX_VARIABLES:
            in_all = f", {total:,} in all" if total != math.prod(shape) else ""
            raise _err(f"'{decl.name}' has {math.prod(shape):,} variables{in_all} (limit {MAX_VARIABLES:,} "
                       "variables)", decl)
        var = VariableArray(decl.name, decl.domain, lows, shape, boundary, len(self.domains),
                            lattice.name if lattice else None)
        self.variables[decl.name] = var
        self.domains = np.concatenate([self.domains, np.full(var.size, Domain.of(decl.domain), np.int8)])

    def positive_int(self, node) -> int:
        value = int(self.integer(node, _TOP)[0])
        if value < 1:
            raise _err(f"a size must be a positive integer, got {value}", node)
        return value

    # expressions -----------------------------------------------------------------------------
    def expr(self, node, scope: Bindings) -> Terms:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                out = getattr(self, "_" + type(node).__name__)(node, scope)
        except TooManyTerms as exc:
            raise _err(f"{exc}; raise the limit with --max-terms (API: max_terms=)", node) from None
        except ExactTooLarge as exc:
            raise exc if exc.span else _err(exc.message, node) from None
        # exact numbers beyond float64's range cannot become weights: refuse them where they appear
        if (not out.coef.exact or out.coef.wide) and not np.isfinite(out.coef.as_float()).all():
            raise _err("this number is too large for floating point (overflow)", node)
        return out

    def numeric(self, node, scope: Bindings) -> Coefficients:
        """A variable-free expression, one value per row."""
        t = combine(self.expr(node, scope))
        if t.width:
            raise _err("this must be a number, but it depends on a variable", node)
        return t.coef.scatter(t.rows, scope.n_rows)

    def integer(self, node, scope: Bindings) -> np.ndarray:
        value = self.numeric(node, scope)
        bad = ~value.is_integer()
        if bad.any():
            raise _err(f"this must be an integer, got {value.take(np.flatnonzero(bad)[:1]).scalar()}", node)
        huge = np.abs(value.as_float()) >= 2.0**62
        if huge.any():
            raise _err(f"this integer is too large, got {value.take(np.flatnonzero(huge)[:1]).scalar()}", node)
        return (value.num // value.den if value.exact else np.round(value.num)).astype(np.int64)

    def _Num(self, node: S.Num, scope):
        value = Fraction(node.text)
        if not np.isfinite(Coefficients.of(value).as_float()).all():
            raise _err(f"the number {node.text} is too large for floating point", node)
        coef = Coefficients.of(value, scope.n_rows)
        return Terms.constant(coef, np.arange(scope.n_rows))

    def _Str(self, node, scope):
        raise _err('a quoted file name is only allowed in param NAME = load("file.npy")', node)

    def _Name(self, node: S.Name, scope):
        rows = np.arange(scope.n_rows)
        if node.name in scope.indices:
            comps = scope.indices[node.name]
            if len(comps) != 1:
                raise _err(f"'{node.name}' is a lattice site with {len(comps)} coordinates; "
                           f"use it only as a variable index, as in s[{node.name}]", node)
            return Terms.constant(Coefficients.from_array(comps[0]), rows)
        if node.name in self.scalars:
            return Terms.constant(self.scalars[node.name].take(np.zeros(scope.n_rows, np.int64)), rows)
        if node.name in self.variables:
            var = self.variables[node.name]
            if var.shape:
                raise _err(f"'{node.name}' is an array of shape {var.shape}; index it, as in "
                           f"{node.name}[{', '.join('i' * 1 for _ in var.shape)}]", node)
            return Terms.variable(np.full(scope.n_rows, var.offset), rows)
        if node.name in self.arrays:
            raise _err(f"'{node.name}' is an array parameter; index it, as in {node.name}[i]", node)
        if node.name in self.lattices:
            raise _err(f"'{node.name}' is a lattice; sum over it, as in sum(i in {node.name}: ...)", node)
        raise self.unknown(node.name, node, scope)

    def unknown(self, name: str, node, scope: Bindings) -> HamcError:
        known = list(self.declared) + list(scope.indices)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if name in FUNCTIONS or name == "load":
            return _err(f"'{name}' is a function; call it, as in {name}(...)", node)
        return _err(f"unknown name '{name}'{hint}", node)

    def index_columns(self, node: S.Indexed, scope: Bindings, rank: int) -> list[np.ndarray]:
        columns = []
        for idx in node.indices:
            if isinstance(idx, S.Name) and idx.name in scope.indices:
                columns.extend(scope.indices[idx.name])
            else:
                columns.append(self.integer(idx, scope))
        if len(columns) != rank:
            raise _err(f"'{node.name}' takes {rank} index(es), got {len(columns)}", node)
        return columns

    def _Indexed(self, node: S.Indexed, scope):
        rows = np.arange(scope.n_rows)
        if node.name in self.arrays:
            data = self.arrays[node.name]
            cols = self.index_columns(node, scope, data.ndim)
            for axis, (col, n) in enumerate(zip(cols, data.shape)):
                bad = (col < 0) | (col >= n)
                if bad.any():
                    raise _err(f"index {col[bad][0]} is out of range 0..{n - 1} for axis {axis} of "
                               f"'{node.name}' (shape {data.shape})", node)
            values = data[tuple(cols)] if cols else data.reshape(-1)
            return Terms.constant(Coefficients.from_array(values, self.array_origins.get(node.name)), rows)
        if node.name not in self.variables:
            if node.name in self.declared:
                raise _err(f"'{node.name}' is a {self.declared[node.name][0]} and cannot be indexed", node)
            raise self.unknown(node.name, node, scope)
        var = self.variables[node.name]
        cols = self.index_columns(node, scope, len(var.shape))
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
                raise _err(f"index {bad} is out of the declared range {lo}..{lo + n - 1} of '{node.name}' "
                           f"(axis {axis}); declare it periodic or open to wrap or drop", node)
            local.append(i)
        flat = var.offset + (np.ravel_multi_index([c[keep] for c in local], var.shape) if var.shape else 0)
        return Terms.variable(np.broadcast_to(flat, (int(keep.sum()),)), rows[keep])

    def _Neg(self, node: S.Neg, scope):
        t = self.expr(node.operand, scope)
        return Terms(t.rows, t.vars, -t.coef)

    def _BinOp(self, node: S.BinOp, scope):
        if node.op == "^":
            return self.power(node, scope)
        left = self.expr(node.left, scope)
        if node.op == "/":
            if combine(self.expr(node.right, scope)).width:
                raise _err("a variable in a denominator is not a polynomial", node.right)
            divisor = self.numeric(node.right, scope)
            if not divisor.nonzero().all():
                raise _err("division by zero", node.right)
            return left.scaled(divisor.reciprocal())
        right = self.expr(node.right, scope)
        if node.op == "*":
            return multiply(left, right, scope.n_rows, self.domains, self.max_terms)
        if node.op == "-":
            right = Terms(right.rows, right.vars, -right.coef)
        return add([left, right])

    def power(self, node: S.BinOp, scope):
        base = combine(self.expr(node.left, scope))
        if combine(self.expr(node.right, scope)).width:
            raise _err("an exponent must be a number, not depend on a variable", node.right)
        exponent = self.numeric(node.right, scope)
        if len(exponent) and not (exponent.num == exponent.num[0]).all():
            raise _err("an exponent must not depend on a summation index", node.right)
        k = _exponent(exponent)
        if not base.width:
            if k != int(k):
                raise _err(f"fractional exponent {k}: only integer powers of numbers are allowed", node.right)
            value = self.numeric(node.left, scope)
            if int(k) < 0 and not value.nonzero().all():
                raise _err("zero to a negative power", node)
            return Terms.constant(value.power(int(k)), np.arange(scope.n_rows))
        if k != int(k) or k < 0:
            raise _err(f"{'fractional' if k != int(k) else 'negative'} exponent {k}: a polynomial takes "
                       "only non-negative integer powers of variables", node.right)
        k = int(k)
        if np.bincount(base.rows, minlength=scope.n_rows).max(initial=0) <= 1:
            return self.monomial_power(base, k, scope.n_rows, node)
        estimate = power_count(base, k, scope.n_rows)
        if estimate > self.max_terms:
            raise TooManyTerms(estimate, self.max_terms)
        work = power_work(base, k, scope.n_rows, self.max_terms)
        if work > self.max_terms:
            raise _err(f"expanding this power writes more than {self.max_terms:,} variable indices "
                       f"(the limit) on the way to its {estimate:,} terms; raise the limit with --max-terms "
                       "(API: max_terms=)", node)
        out = Terms.constant(Coefficients.of(1, scope.n_rows), np.arange(scope.n_rows))
        for _ in range(k):
            out = multiply(out, base, scope.n_rows, self.domains, self.max_terms)
        return out

    def monomial_power(self, base: Terms, k: int, n_rows: int, node) -> Terms:
        """(c * monomial)^k, one monomial per row: square and multiply, so x^1000000 takes 20 steps."""
        used = base.vars[base.vars >= 0]
        if (self.domains[used] == Domain.REAL).any() and k * base.width > self.max_terms:
            raise _err(f"this power has degree {k * base.width:,} (limit {self.max_terms:,}); "
                       "raise the limit with --max-terms (API: max_terms=)", node)
        out = Terms.constant(Coefficients.of(1, n_rows), np.arange(n_rows))
        while k:
            if k & 1:
                out = multiply(out, base, n_rows, self.domains, self.max_terms)
            k >>= 1
            if k:
                base = multiply(base, base, n_rows, self.domains, self.max_terms)
        return out

    def _Call(self, node: S.Call, scope):
        if node.name == "load":
            raise _err('load(...) is only allowed as a parameter value: param J = load("J.npy")', node)
        if node.name not in FUNCTIONS:
            if node.name in self.declared or node.name in scope.indices:
                raise _err(f"'{node.name}' is not a function", node)
            raise _err(f"unknown function '{node.name}'; numbers may use {', '.join(FUNCTIONS)}", node)
        if len(node.args) != 1:
            raise _err(f"{node.name} takes one argument, got {len(node.args)}", node)
        if combine(self.expr(node.args[0], scope)).width:
            raise _err(f"{node.name}(...) of a variable is not a polynomial", node)
        value = self.numeric(node.args[0], scope)
        import sympy
        exact_name, float_fn = FUNCTIONS[node.name]
        exact_fn = getattr(sympy, exact_name)
        domain_ok = {"sqrt": value.as_float() >= 0, "log": value.as_float() > 0}.get(node.name)
        if domain_ok is not None and not domain_ok.all():
            raise _err(f"{node.name} of a {'negative' if node.name == 'sqrt' else 'non-positive'} number", node)
        if scope.n_rows == 1 and value.exact:
            result = exact_fn(value.scalar())
            coef = Coefficients.of(result if result.is_Rational else float(result),
                                   origin=self.origin(self.snippet(node.span), node.span))
        else:
            coef = Coefficients(float_fn(value.as_float()), None,
                                value.origin or self.origin(self.snippet(node.span), node.span))
        return Terms.constant(coef, np.arange(scope.n_rows))

    def _Reduce(self, node: S.Reduce, scope):
        return reduce_terms(self, node, scope)

    # the whole program -----------------------------------------------------------------------
    def run(self) -> Hamiltonian:
        hams, priors = [], {}
        for st in self.program.statements:
            if isinstance(st, S.ParamDecl):
                self.param(st)
            elif isinstance(st, S.LatticeDecl):
                self.lattice(st)
            elif isinstance(st, S.VarDecl):
                self.variable(st)
            elif isinstance(st, S.HamDecl):
                self.lattice_sums = []
                explicit, local, array = split_energy(self, st.expr)
                lattice = None
                local = None if local is None else canonical_local(combine(local), array)
                if local is not None and len(local):
                    lattice = LatticeDensity(array, local, tuple(self.lattice_sums), self.max_terms,
                                             (self.program.filename, self.program.source))
                hams.append((st, combine(explicit), lattice))
            else:
                if st.label in priors:
                    raise _err(f"prior for '{st.label}' given twice", st)
                priors[st.label] = (st, self.numeric(st.value, _TOP))
        if self.overrides:
            name = sorted(self.overrides)[0]
            declared = sorted(n for n, (k, _) in self.declared.items() if k == "parameter")
            raise HamcError(f"no parameter named '{name}' in {self.program.filename} to override (parameters: "
                            f"{', '.join(declared) or 'none'})", filename=f"--param {name}", source="")
        labels, priors_out = self.check_classes(hams, priors)
        return Hamiltonian(
            variables=tuple(self.variables.values()), lattices=tuple(self.lattices.values()),
            energies=tuple(_polynomial(t, lattice) for _, t, lattice in hams), labels=labels, priors=priors_out,
            params=ScalarParams(self.scalars), source=self.program.filename)

    def check_classes(self, hams, priors):
        if not hams:
            raise HamcError("no Hamiltonian: add a line such as  H = -J * sum(<i,j> in G: s[i]*s[j])",
                            Span(max(1, len(self.program.source.splitlines())), 1))
        labels = [st.label for st, *_ in hams]
        if None in labels:
            if len(hams) > 1:
                raise _err("several Hamiltonians need labels, as in H[cat] = ... and H[dog] = ...", hams[1][0])
            if priors:
                raise _err("a prior needs labelled Hamiltonians (H[label] = ...)", next(iter(priors.values()))[0])
            return (), ()
        for k, (st, *_) in enumerate(hams):
            if st.label in labels[:k]:      # point at the second definition, as for declarations
                raise _err(f"Hamiltonian '{st.label}' is defined twice", st)
        for label, (st, _) in priors.items():
            if label not in labels:
                raise _err(f"prior for '{label}', which has no Hamiltonian (labels: {', '.join(labels)})", st)
        if not priors:
            from sympy import Rational
            return tuple(labels), tuple(Rational(1, len(labels)) for _ in labels)
        missing = [lab for lab in labels if lab not in priors]
        if missing:
            raise _err(f"no prior for {', '.join(missing)}: give every class a prior, or none (uniform)", hams[0][0])
        values = [priors[lab][1].scalar() for lab in labels]
        for lab, v in zip(labels, values):
            if not 0 < v <= 1:
                raise _err(f"prior {v} is not a probability in (0, 1]", priors[lab][0])
        total = sum(values)
        if abs(float(total) - 1) > 1e-9:
            raise _err(f"priors sum to {total}, not 1", priors[labels[-1]][0])
        return tuple(labels), tuple(values)


def _given_number(name: str, value, origin: Origin) -> Coefficients:
    """A parameter's value given to the API as a Python number."""
    try:
        return Coefficients.of(value, origin=origin)
    except OverflowError:
        raise HamcError(f"the value of parameter '{name}' is too large for floating point") from None
    except (TypeError, ValueError):
        raise HamcError(f"parameter '{name}' takes a number, .ham text or a NumPy array, "
                        f"not {type(value).__name__}") from None


def _polynomial(t: Terms, lattice=None) -> Polynomial:
    return Polynomial(*terms_to_blocks(t), lattice)


def lower(program: S.Program, *, params: dict | None = None, max_terms: int = DEFAULT_MAX_TERMS) -> Hamiltonian:
    """Lower a parsed program; `params` override declared parameters (numbers, text or arrays)."""
    expect_type(program, S.Program, "hamc.lower takes a Program (from hamc.parse)", hint_for_text=LOAD_FIRST)
    expect_type(params or {}, Mapping, "params= takes a dict of parameter names to numbers, .ham text or arrays")
    try:
        return _Lowering(program, dict(params or {}), max_terms).run()
    except HamcError as err:
        raise err.located(program.filename, program.source) from None


def _exponent(exponent: Coefficients):
    """The exponent as a Fraction (exact) or float: no sympy needed to take a power."""
    if not len(exponent):
        return 0
    return Fraction(int(exponent.num[0]), int(exponent.den[0])) if exponent.exact else float(exponent.num[0])
