"""Hamiltonian -> Analysis: degree, terms, locality, symmetry and parameter counts."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from fractions import Fraction
import math
from math import comb

import numpy as np

from ..errors import HamcError, LOAD_FIRST, expect_type
from ..ir.domain import KEYWORDS
from ..ir.hamiltonian import Hamiltonian
from ..lowering.lower import DEFAULT_MAX_TERMS
from ..ir.terms import unique_rows
from .graphs import GraphSummary, graph_summary
from ..reprs import summary_rows, table
from .interchangeable import interchangeable_group
from .automorphisms import automorphism_group
from .symmetry import Symmetry, TermTable, translation_group

AUTOMORPHISM_MAX_VARIABLES = 64


@dataclass(frozen=True)
class ParameterCounts:
    generic: int        # (n+d)!/(n! d!) per class: every monomial of degree <= d
    nonzero: int        # monomials actually present (summed over classes)
    independent: int    # coefficient orbits under the symmetry found


@dataclass(frozen=True)
class Analysis:
    variables: dict[str, int]
    terms: dict[int, int]
    degree: int
    max_neighbors: int
    interaction_edges: int
    symmetry: str
    symmetry_group_order: int
    translations: int
    translation_invariant: bool
    parameters: ParameterCounts
    classes: tuple[str, ...]
    exact: bool
    symmetry_exact: bool = True   # False: the search stopped at its budget; the order is a lower bound
    point_group: int = 1          # rotations and reflections of the lattice, with "space group"
    coefficients: str = "exact rationals"   # or "floating point (from param J = load(...) at f.ham:5:1)"
    graphs: tuple[GraphSummary, ...] = ()    # each `graph E = edges(...)`: size, degrees, automorphisms
    one_hot_bits: int = 0         # the input bits that encode the discrete variables (q per variable)

    def to_json(self) -> dict:
        out = asdict(self)
        out["parameters"]["generic"] = _json_count(self.parameters.generic)
        out["terms"] = {str(k): v for k, v in self.terms.items()}
        out["classes"] = list(self.classes)
        out["graphs"] = [asdict(g) for g in self.graphs]
        return out

    def _repr_html_(self) -> str:
        return table("Analysis", summary_rows(self.summary()))

    def summary(self) -> str:
        vars_ = ", ".join(f"{n:,} {d}" for d, n in self.variables.items() if n)
        if self.one_hot_bits:
            vars_ += f" (as {self.one_hot_bits:,} one-hot bits)"
        terms = ", ".join(f"{n:,} of degree {d}" for d, n in self.terms.items())
        p = self.parameters
        lines = [
            f"variables      {vars_}",
            f"terms          {sum(self.terms.values()):,} ({terms})",
            f"degree         {self.degree}",
            f"locality       each variable interacts with at most {self.max_neighbors:,} others "
            f"({self.interaction_edges:,} interacting pairs)",
            f"symmetry       {self.symmetry}: group of order "
            + ("" if self.symmetry_exact else "at least ") + _count(self.symmetry_group_order)
            + (f" ({self.translations:,} translations" if self.translations > 1 else "")
            + (f" x {self.point_group} point symmetries" if self.point_group > 1 else "")
            + (")" if self.translations > 1 else ""),
            f"monomials      {_count(p.generic)} possible -> {p.nonzero:,} nonzero -> {p.independent:,} independent "
            f"coefficient{'s' if p.independent != 1 else ''} (orbits of the symmetry)",
            f"coefficients   {self.coefficients}",
        ]
        if self.classes:
            lines.insert(0, f"classes        {', '.join(self.classes)}")
        lines.extend(g.line() for g in self.graphs)
        return "\n".join(lines)


def _count(n: int) -> str:
    """n with thousands separators, or as a power of ten beyond 30 digits ((n+d)!/(n!d!) of
    prod(10^4 variables) has 6,000 digits: more than Python converts to text by default)."""
    if n < 10**30:
        return f"{n:,}"
    exponent = int(math.log10(n))
    return f"about {n / 10**(exponent - 3) / 1000:.3f}e{exponent}" if exponent < 300 else f"about 10^{exponent}"


def _json_count(n: int):
    """The exact int where JSON readers cope (under 300 digits), else that text."""
    return n if n < 10**300 else _count(n)


def term_table(h: Hamiltonian) -> TermTable:
    """All monomials of all classes, coloured by their coefficients (a tuple over classes)."""
    degrees = sorted({d for p in h.energies for d, b in p.monomials.items() if len(b)})
    monomials, colors = [], []
    for d in degrees:
        parts = [(p.monomials[d], p.coefficients[d], k) for k, p in enumerate(h.energies) if d in p.monomials]
        if len(parts) == 1:
            block, coef = parts[0][0], parts[0][1]
            if coef.wide:        # Python ints: a colour per distinct value
                palette = {}
                colors.append(np.array([palette.setdefault(pair, len(palette)) for pair in zip(coef.num, coef.den)],
                                       np.int64))
            elif coef.exact:     # equal (num, den) pairs share a colour; shifted to use packed keys
                keys = np.column_stack([coef.num, coef.den])
                colors.append(unique_rows(keys - keys.min(axis=0, initial=0))[1])
            else:
                colors.append(np.unique(coef.num, return_inverse=True)[1].reshape(-1))
            monomials.append(block)
            continue
        per_monomial: dict = {}
        for block, coef, k in parts:
            for row, c in zip(map(tuple, block), _numbers(coef)):
                per_monomial.setdefault(row, {})[k] = c
        rows = sorted(per_monomial)
        palette = {}
        colors.append(np.array([palette.setdefault(tuple(sorted(per_monomial[r].items())), len(palette))
                                for r in rows], np.int64))
        monomials.append(np.array(rows, np.int64).reshape(len(rows), d))
    return TermTable(tuple(monomials), tuple(colors), h.n_variables, h.domains, _one_hot_groups(h))


def _numbers(coef):
    """The coefficients as Fractions or floats (equal values compare and hash equal; no sympy)."""
    if coef.exact:
        return [Fraction(int(n), int(d)) for n, d in zip(coef.num, coef.den)]
    return [float(x) for x in coef.num]


def _one_hot_groups(h: Hamiltonian) -> np.ndarray | None:
    """Per variable the discrete variable whose one-hot bit it is (-1 for other variables)."""
    if not any(a.states for a in h.variables):
        return None
    groups, first = np.full(h.n_variables, -1, np.int64), 0
    for a in (a for a in h.variables if a.states):
        sites = a.size // len(a.states)
        groups[a.offset:a.offset + a.size] = first + np.repeat(np.arange(sites), len(a.states))
        first += sites
    return groups


def _neighbors(table: TermTable, max_pairs: int) -> tuple[int, int]:
    """(max neighbours of a variable, interacting pairs): the pairs of distinct variables in each
    monomial, made per count of distinct variables (no loop over the degree: x^1000000 has one)."""
    n = max(table.n_variables, 1)
    runs = [_distinct_runs(block) for block in table.monomials if block.shape[1] >= 2 and len(block)]
    total = sum(int(c) * comb(u, 2) for _, distinct in runs for u, c in enumerate(np.bincount(distinct)) if c)
    if total > max_pairs:
        raise HamcError(f"the interaction graph has up to {total:,} pairs of interacting variables to "
                        f"collect (limit {max_pairs:,}); raise the limit with --max-terms (API: max_terms=)")
    keys = [k for block, (first, distinct) in zip((b for b in table.monomials if b.shape[1] >= 2 and len(b)), runs)
            for k in _pairs_in(block, first, distinct, n)]
    if not keys:
        return 0, 0
    pairs = np.sort(np.concatenate(keys))        # a sort, not np.unique: hash-based unique is slow here
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    degree = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    return int(degree.max()), len(pairs)


def _distinct_runs(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of a repeated variable starts in its (sorted) row, and the runs per row."""
    first = np.ones(block.shape, bool)
    first[:, 1:] = block[:, 1:] != block[:, :-1]
    return first, first.sum(axis=1)


def _pairs_in(block: np.ndarray, first: np.ndarray, distinct: np.ndarray, n: int) -> list[np.ndarray]:
    """The pairs u < w of distinct variables of each monomial (rows sorted), as keys u * n + w."""
    keys = []
    for u in np.unique(distinct[distinct > 1]):
        rows = distinct == u
        compact = block if u == block.shape[1] and rows.all() else block[rows][first[rows]].reshape(-1, u)
        a, b = np.triu_indices(int(u), 1)
        keys.append((compact[:, a] * n + compact[:, b]).ravel())
    return keys


def _lattice_symmetry(h: Hamiltonian):
    """(Stencil, PointGroup) of a lattice sum read off its one-site density, or None: one energy, a
    density and a constant only, on a lattice of at least 3 sites along every axis."""
    from .point_group import point_group
    from .stencil import stencil_from_density
    if len(h.energies) != 1 or h.energies[0].density is None or not h.energies[0].density.uniform:
        return None                     # per-site coefficients: no translation symmetry to read off
    energy = h.energies[0]
    monomials, coefs = energy.explicit_monomials
    if any(d for d in monomials) or energy.density.array.size != h.n_variables or min(energy.density.array.shape) < 3:
        return None
    constant = float(coefs[0].as_float().sum()) if 0 in coefs else 0.0
    stencil = stencil_from_density(energy.density, np.array([constant]))
    return stencil, point_group(stencil)


def _space_group(stencil, group) -> Symmetry:
    """Translations x point group; independent: orbits of the density's templates (and the constant)."""
    kind = "space group" if group.order > 1 else "translations"
    return Symmetry(kind, stencil.sites * group.order, True, (), group.orbits + bool(stencil.constant[0] != 0))


def _lattice_analysis(h: Hamiltonian, stencil, group) -> Analysis | None:
    """The analysis of a lattice sum read off its one-site density, without expanding it, where
    that is exact: a lattice at least four times as wide as the density's reach on every axis (so
    no term can meet its own translate: each template has N distinct translates and its
    neighbours are N-fold the same)."""
    shape = np.array(stencil.shape)
    if np.any(4 * np.abs(stencil.offsets).max(axis=0, initial=0) >= shape):
        return None
    energy = h.energies[0]
    n, sites = h.n_variables, stencil.sites
    terms = {k: sites * len(m) for k, (m, _) in stencil.table.items() if len(m)}
    if stencil.constant[0] != 0:
        terms[0] = 1
    steps = {tuple(a - b) for m, _ in stencil.table.values() for row in m
             for a in stencil.offsets[row] for b in stencil.offsets[row] if np.any(a != b)}
    d = max(terms, default=0)
    symmetry = _space_group(stencil, group)
    return Analysis(
        variables={dom: n if dom == energy.density.array.domain else 0 for dom in KEYWORDS},
        terms=dict(sorted(terms.items())), degree=d, max_neighbors=len(steps),
        interaction_edges=sites * len(steps) // 2, symmetry=symmetry.kind, symmetry_group_order=symmetry.order,
        translations=sites, point_group=group.order, translation_invariant=True,
        parameters=ParameterCounts(comb(n + d, d), sum(terms.values()), symmetry.orbits),
        classes=(), exact=energy.exact, coefficients=h.coefficients_note())


def analyze(h: Hamiltonian, *, automorphism_max_variables: int = AUTOMORPHISM_MAX_VARIABLES,
            max_terms: int = DEFAULT_MAX_TERMS) -> Analysis:
    """`max_terms` bounds the interacting pairs collected (prod of 10^4 variables has 5 x 10^7)."""
    expect_type(h, Hamiltonian, "hamc.analyze takes a Hamiltonian (from hamc.load)", hint_for_text=LOAD_FIRST)
    graphs = tuple(graph_summary(g) for g in h.graphs)
    crystal = _lattice_symmetry(h)
    fast = crystal and automorphism_max_variables == AUTOMORPHISM_MAX_VARIABLES and _lattice_analysis(h, *crystal)
    if fast:
        return replace(fast, graphs=graphs)
    table = term_table(h)
    # a lattice sum: every translation, known without the invariance checks (nor their orbit count)
    translations = (Symmetry("translations", crystal[0].sites, True, (), 0) if crystal
                    else translation_group(table, h.variables))
    symmetry: Symmetry | None = interchangeable_group(table) if table.n_variables else None
    if crystal and (symmetry is None or symmetry.order < crystal[0].sites * crystal[1].order):
        symmetry = _space_group(*crystal)
    elif symmetry is None or (translations and translations.order > symmetry.order):
        symmetry = translations
        if h.n_variables <= automorphism_max_variables:
            symmetry = automorphism_group(table)
    if symmetry is None:
        symmetry = Symmetry("none", 1, True, (), sum(len(b) for b in table.monomials))
    try:
        max_neighbors, edges = _neighbors(table, max_terms)
    except HamcError as err:
        raise err.located(h.source, "") from None
    n, d = h.n_variables, h.degree
    periodic_sites = translations and int(np.prod(next(a.shape for a in h.variables if a.boundary == "periodic")))
    terms: dict[int, int] = {}
    for p in h.energies:
        for deg, count in p.terms_by_degree().items():
            terms[deg] = terms.get(deg, 0) + count
    return Analysis(
        variables={dom: sum(a.size // (len(a.states) or 1) for a in h.variables if a.domain == dom) for dom in KEYWORDS},
        one_hot_bits=sum(a.size for a in h.variables if a.states),
        terms=dict(sorted(terms.items())),
        degree=d,
        max_neighbors=max_neighbors,
        interaction_edges=edges,
        symmetry=symmetry.kind,
        symmetry_group_order=symmetry.order,
        translations=translations.order if translations else 1,
        translation_invariant=bool(translations and translations.order == periodic_sites),
        parameters=ParameterCounts(comb(n + d, d) * len(h.energies), sum(terms.values()), symmetry.orbits),
        classes=h.labels,
        exact=h.exact,
        coefficients=h.coefficients_note(),
        symmetry_exact=symmetry.exact,
        graphs=graphs,
        point_group=symmetry.order // translations.order if symmetry.kind == "space group" else 1,
    )
