"""sympy expression (or a dict label -> expression) -> Hamiltonian: the same IR the .ham route lowers to."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

import numpy as np
import sympy

from ..errors import HamcError
from ..ir.domain import KEYWORDS, Domain
from ..ir.hamiltonian import Hamiltonian
from ..ir.lattice_sum import LatticeDensity, canonical_local
from ..ir.polynomial import Polynomial, terms_to_monomials
from ..ir.terms import TooManyTerms, combine
from ..ir.variables import VariableArray
from .context import MAX_VARIABLES
from .sympy_lattice import split_lattice_sums
from .sympy_terms import SOURCE, Walk, exact, fail


def from_sympy(expr, variables: Mapping | None = None, *, priors: Mapping | None = None,
               max_terms: int = 20_000_000) -> Hamiltonian:
    """A sympy polynomial (or a dict label -> polynomial, a classifier) -> Hamiltonian.

    `variables` maps each symbol or `IndexedBase` (or its name) to its domain, "real", "bit" or
    "spin"; the network's inputs follow the mapping's order (an array's elements in C order).
    Symbols left out are real if sympy knows them to be (`Symbol("x", real=True)`), in name order.
    A `Sum` over every site of one array, indexed `s[i, j]` and `s[Mod(i + 1, L), j]`, stays a
    lattice sum (the array is then periodic); other Sums and Products with number limits are
    expanded. An index outside an array is refused. `priors` maps each label to p(y) (default uniform).
    """
    labels, exprs = _energies(expr)
    for e in exprs:
        _sizes(e)
    arrays = _declare(variables, exprs)
    # a Sum over every site of one array stays one site's polynomial (the lattice sums of .ham)
    split = [split_lattice_sums(e, {a.name: a.shape for a in arrays if a.shape}) for e in exprs]
    periodic = {name for _, local, name in split if local is not None}
    arrays = [replace(a, boundary="periodic") if a.name in periodic else a for a in arrays]
    domains = np.concatenate([np.full(a.size, Domain.of(a.domain), np.int8) for a in arrays] or
                             [np.empty(0, np.int8)])
    walk = Walk({a.name: a for a in arrays}, domains, max_terms)
    try:
        energies = tuple(_polynomial(walk, rest, local, walk.arrays.get(name), max_terms)
                         for rest, local, name in split)
    except TooManyTerms as exc:
        raise HamcError(f"{exc}; raise the limit with max_terms=", filename=SOURCE) from None
    return Hamiltonian(variables=tuple(arrays), lattices=(), energies=energies, labels=labels,
                       priors=_priors(labels, priors), source=SOURCE)


def _polynomial(walk: "Walk", rest, local, array, max_terms: int) -> Polynomial:
    explicit = combine(walk.terms(_expand_sums(rest, max_terms)))
    density = None
    if local is not None:
        local = canonical_local(combine(walk.terms(local)), array)
        if len(local):
            density = LatticeDensity(array, local, ((None, array.size),), max_terms, (SOURCE, ""))
    return Polynomial(*terms_to_monomials(explicit), density)


def _energies(expr) -> tuple[tuple, list]:
    if isinstance(expr, Mapping):
        if not expr:
            raise fail("a classifier needs at least one labelled expression")
        labels = tuple(str(k) for k in expr)
        if len(set(labels)) < len(labels):
            raise fail(f"two labels read the same: {', '.join(labels)}")
        return labels, [_expression(v, f"the expression of '{k}'") for k, v in expr.items()]
    return (), [_expression(expr, "the expression")]


def _expression(value, what: str) -> sympy.Expr:
    if isinstance(value, (str, bytes)):         # text is .ham's business, never sympify's
        raise fail(f"{what} is a string: pass .ham text to hamc.load/hamc.compile without variables=, "
                    "or build a sympy expression")
    if isinstance(value, (int, Fraction, float)) and not isinstance(value, bool):
        return sympy.Rational(value.numerator, value.denominator) if isinstance(value, Fraction) \
            else sympy.Float(value) if isinstance(value, float) else sympy.Integer(value)
    if not isinstance(value, sympy.Expr):
        raise fail(f"{what} must be a sympy expression, got {type(value).__name__}")
    return value


def _sizes(expr: sympy.Expr) -> list[tuple[sympy.Basic, int]]:
    """Each Sum and Product with its count of index combinations; number limits are required."""
    sizes = []
    for s in expr.atoms(sympy.Sum, sympy.Product):
        count = 1
        for index, lo, hi in s.limits:
            if not (lo.is_Integer and hi.is_Integer):
                raise fail(f"the {type(s).__name__.lower()} over {index} needs whole-number limits, got {lo}..{hi}")
            count *= max(int(hi) - int(lo) + 1, 0)
        sizes.append((s, count))
    return sizes


def _expand_sums(expr: sympy.Expr, max_terms: int) -> sympy.Expr:
    """Every Sum and Product written out, its size checked (Python ints) before sympy unrolls it."""
    for s, count in _sizes(expr):
        if count > max_terms:
            raise fail(f"a {type(s).__name__} over {count:,} index combinations exceeds the limit of {max_terms:,} "
                        "terms (raise it with max_terms=)")
    return expr.doit(deep=True) if expr.has(sympy.Sum, sympy.Product) else expr


def _domain(value, key) -> str:
    keyword = value.keyword if isinstance(value, Domain) else value
    if not isinstance(keyword, str) or keyword.lower() not in KEYWORDS:
        raise fail(f"unknown domain {value!r} for '{key}': use one of {', '.join(KEYWORDS)}")
    return keyword.lower()


def _name(key) -> str:
    if isinstance(key, (sympy.Symbol, sympy.IndexedBase)):
        return str(key.name if isinstance(key, sympy.Symbol) else key.label)
    if isinstance(key, str):
        return key
    raise fail(f"variables= maps symbols, IndexedBase objects or names to domains, got a {type(key).__name__} key")


def _used(exprs) -> dict[str, object]:
    """name -> the Symbol or IndexedBase each variable appears as, in name order."""
    used = {}
    for e in exprs:
        bases = {x.base for x in e.atoms(sympy.Indexed)}
        used.update((str(b.label), b) for b in bases)
        labels = {b.label for b in bases}        # free_symbols holds each base's label too
        for x in e.free_symbols:
            if isinstance(x, sympy.Symbol) and x not in labels:
                used.setdefault(str(x), x)
    return dict(sorted(used.items()))


def _declare(variables, exprs) -> list[VariableArray]:
    if variables is not None and not isinstance(variables, Mapping):
        raise fail(f"variables= takes a dict of symbols to domains, got {type(variables).__name__}")
    given = {}
    for key, value in (variables or {}).items():
        name = _name(key)
        if name in given:
            raise fail(f"variable '{name}' is given twice in variables=")
        given[name] = (key, _domain(value, name))
    used = _used(exprs)
    for name, x in used.items():
        if name not in given:
            if not x.is_real:
                raise fail(f"no domain for '{name}': give it in variables= (as in {{'{name}': 'spin'}}) "
                            f"or make it Symbol('{name}', real=True)")
            given[name] = (x, "real")
    arrays, offset = [], 0
    for name, (key, domain) in given.items():
        shape = _shape(used.get(name, key), name)
        arrays.append(VariableArray(name, domain, (0,) * len(shape), shape, None, offset))
        offset += math.prod(shape)          # Python ints: checked before any array is made
        if offset > MAX_VARIABLES:
            raise fail(f"'{name}' brings the variables to {offset:,} (limit {MAX_VARIABLES:,})")
    return arrays


def _shape(x, name: str) -> tuple[int, ...]:
    if not isinstance(x, sympy.IndexedBase):
        return ()
    if x.shape is None or not all(n.is_Integer and n > 0 for n in x.shape):
        raise fail(f"array '{name}' needs a shape of positive whole numbers: IndexedBase('{name}', shape=(...))")
    return tuple(int(n) for n in x.shape)


def _priors(labels: tuple, priors) -> tuple:
    if not labels:
        if priors:
            raise fail("priors= needs a classifier: a dict of label -> expression")
        return ()
    if not priors:
        return tuple(sympy.Rational(1, len(labels)) for _ in labels)
    given = {str(k): v for k, v in priors.items()}
    if set(given) != set(labels):
        raise fail(f"priors= must give every label ({', '.join(labels)}) a probability, got {', '.join(given)}")
    values = [exact(_expression(given[k], f"the prior of '{k}'")) for k in labels]
    for k, v in zip(labels, values):
        if not (v.is_number and v.is_real and 0 < v <= 1):
            raise fail(f"prior {v} of '{k}' is not a probability in (0, 1]")
    if abs(float(sum(values)) - 1) > 1e-9:
        raise fail(f"priors sum to {sum(values)}, not 1")
    return tuple(values)
