"""Hamiltonian -> sympy: arrays as IndexedBase, a lattice sum as one Sum over sites (not N expanded terms)."""
from __future__ import annotations

import numpy as np
import sympy

SITE_INDICES = ("i", "j", "k")


def to_sympy(h, *, max_terms: int = 5000):
    """The energy (or a dict label -> energy) as a sympy expression. A lattice sum stays a `Sum` over
    the sites of its periodic array, neighbours written `Mod(i + 1, L)`; `.doit()` expands it."""
    total = sum(_size(p) for p in h.energies)
    if total > max_terms:
        raise ValueError(f"{total:,} terms is too many for a sympy expression (max_terms={max_terms:,})")
    symbols = _Symbols(h)
    exprs = [_energy(p, symbols) for p in h.energies]
    return dict(zip(h.labels, exprs)) if h.is_classifier else exprs[0]


def latex(h, *, max_terms: int = 200) -> str:
    """`$H = ...$` for notebooks, the compact form; a one-line count where even that is too long."""
    try:
        expr = to_sympy(h, max_terms=max_terms)
    except ValueError:
        degrees = ", ".join(f"{n:,}\\ \\text{{of degree}}\\ {d}" for d, n in _degrees(h.energies[0]).items())
        return f"$H:\\ {h.n_variables:,}\\ \\text{{variables}},\\ {degrees}$"
    if isinstance(expr, dict):
        return "$" + r"\\ ".join(f"H_{{\\mathrm{{{k}}}}} = {sympy.latex(v)}" for k, v in expr.items()) + "$"
    return f"$H = {sympy.latex(expr)}$"


def _size(p) -> int:
    """Terms the symbolic form writes out: the local terms of a lattice sum, not its N translates."""
    if p.density is None:
        return p.n_terms
    disorder = p.density.sites * len(p.density.disorder.local) if p.density.disorder else 0
    return len(p.density.local) + disorder + sum(len(v) for v in p.explicit_monomials[0].values())


def _degrees(p) -> dict[int, int]:
    if p.density is None:
        return p.terms_by_degree()
    out = {}
    disorder = p.density.disorder.local.degrees() if p.density.disorder else []
    for d in list(p.density.local.degrees()) + list(disorder):
        out[int(d)] = out.get(int(d), 0) + p.density.sites
    return dict(sorted(out.items()))


class _Symbols:
    def __init__(self, h):
        self.arrays = h.variables
        names = {a.name for a in h.variables}
        # summation indices that no variable is named after
        rank = max((len(a.shape) for a in h.variables), default=0)
        wanted = SITE_INDICES + tuple(f"i{n}" for n in range(len(SITE_INDICES) + 1, rank + 1))
        self.sites = tuple(sympy.Symbol(_free(n, names), integer=True) for n in wanted)
        self.bases = {a.name: sympy.IndexedBase(a.name, shape=a.shape if not any(a.lows) else None)
                      for a in h.variables if a.shape}

    def variable(self, flat: int):
        for a in self.arrays:
            if a.offset <= flat < a.offset + a.size:
                site, state = divmod(flat - a.offset, len(a.states) or 1)
                if not a.shape:
                    value = sympy.Symbol(a.name)
                else:
                    idx = np.unravel_index(site, a.shape)
                    value = self.bases[a.name][tuple(int(i) + lo for i, lo in zip(idx, a.lows))]
                # a discrete variable's one-hot bit `n[i]=k` is the delta of its value and k
                return sympy.KroneckerDelta(value, a.states[state]) if a.states else value
        raise IndexError(flat)

    def neighbour(self, a, offset) -> sympy.Expr:
        """a[(i + c0) mod L0, ...] for the site (i, j, ...), offsets past half the side as c - L."""
        index = []
        for site, c, n, lo in zip(self.sites, offset, a.shape, a.lows):
            c = int(c) - n if c > n // 2 else int(c)
            index.append(lo + (site if c == 0 else sympy.Mod(site + c, n)))
        return self.bases[a.name][tuple(index)]


def _free(name: str, taken: set) -> str:
    while name in taken:
        name += "_"
    return name


def _energy(p, symbols: _Symbols) -> sympy.Expr:
    # a sum with per-site coefficients is written term by term (its size was checked first)
    lattice = p.density if p.density is not None and p.density.uniform else None
    monomials, coefs = p.explicit_monomials if lattice is not None else (p.monomials, p.coefficients)
    # one Add of all the terms: adding them one by one re-sorts the sum each time (quadratic)
    terms = [coefs[d].scalar(k) * sympy.Mul(*(symbols.variable(int(v)) for v in row))
             for d, vars_ in sorted(monomials.items()) for k, row in enumerate(vars_)]
    if lattice is not None:
        terms.append(_lattice_sum(lattice, symbols))
    return sympy.Add(*terms)


def _lattice_sum(density, symbols: _Symbols) -> sympy.Expr:
    a, local = density.array, density.local
    coords = density.coordinates()
    body = sympy.Add(*(local.coef.scalar(t) * sympy.Mul(*(symbols.neighbour(a, c) for c in coords[t][local.vars[t] >= 0]))
                       for t in range(len(local))))
    limits = [(site, 0, n - 1) for site, n in zip(symbols.sites, a.shape)]
    return sympy.Sum(body, *limits)
