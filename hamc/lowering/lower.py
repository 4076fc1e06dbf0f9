"""Program -> Hamiltonian: resolve names, substitute parameters, expand index sums vectorised, simplify."""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ..language import syntax as S
from ..errors import LOAD_FIRST, HamcError, Span, expect_type
from ..ir.coefficients import Coefficients, ScalarParams
from ..ir.hamiltonian import Hamiltonian
from ..ir.lattice_sum import LatticeDensity, canonical_local
from ..ir.polynomial import Polynomial, terms_to_monomials
from ..ir.terms import Terms, combine
from .context import DEFAULT_MAX_TERMS, TOP, LoweringContext, err
from .declarations import declare_graph, declare_lattice, declare_param, declare_variable
from .expressions import lower_expression
from .lattice_sums import split_energy
from .site_fields import split_disorder

__all__ = ["DEFAULT_MAX_TERMS", "lower"]


def lower(program: S.Program, *, params: dict | None = None, max_terms: int = DEFAULT_MAX_TERMS) -> Hamiltonian:
    """Lower a parsed program; `params` override declared parameters (numbers, text or arrays)."""
    expect_type(program, S.Program, "hamc.lower takes a Program (from hamc.parse)", hint_for_text=LOAD_FIRST)
    expect_type(params or {}, Mapping, "params= takes a dict of parameter names to numbers, .ham text or arrays")
    try:
        return _lower_program(LoweringContext(program, dict(params or {}), max_terms, lower_expression))
    except HamcError as error:
        raise error.located(program.filename, program.source) from None


def _lower_program(ctx: LoweringContext) -> Hamiltonian:
    hams, priors = [], {}
    for st in ctx.program.statements:
        if isinstance(st, S.ParamDecl):
            declare_param(ctx, st)
        elif isinstance(st, S.LatticeDecl):
            declare_lattice(ctx, st)
        elif isinstance(st, S.GraphDecl):
            declare_graph(ctx, st)
        elif isinstance(st, S.VarDecl):
            declare_variable(ctx, st)
        elif isinstance(st, S.HamDecl):
            hams.append((st, *_energy(ctx, st)))
        else:
            if st.label in priors:
                raise err(f"prior for '{st.label}' given twice", st)
            priors[st.label] = (st, ctx.numeric(st.value, TOP))
    if ctx.overrides:
        name = sorted(ctx.overrides)[0]
        declared = sorted(n for n, (k, _) in ctx.declared.items() if k == "parameter")
        raise HamcError(f"no parameter named '{name}' in {ctx.program.filename} to override (parameters: "
                        f"{', '.join(declared) or 'none'})", filename=f"--param {name}", source="")
    labels, priors_out = _check_classes(ctx, hams, priors)
    return Hamiltonian(
        variables=tuple(ctx.variables.values()), lattices=tuple(ctx.lattices.values()),
        energies=tuple(_polynomial(t, density) for _, t, density in hams), labels=labels, priors=priors_out,
        params=ScalarParams(ctx.scalars), source=ctx.program.filename,
        graphs=tuple(ctx.graphs.values()))


def _energy(ctx: LoweringContext, st: S.HamDecl) -> tuple[Terms, LatticeDensity | None]:
    """The explicit terms of one Hamiltonian, and its lattice sums as one density over a variable array."""
    ctx.lattice_sums, ctx.fields = [], {}
    explicit, local, array = split_energy(ctx, st.expr)
    density, disorder = None, None
    if local is not None:
        local, disorder = split_disorder(local, array, ctx.fields, len(ctx.domains))
        local = canonical_local(local, array)
    if local is not None and (len(local) or disorder is not None):
        density = LatticeDensity(array, local, tuple(ctx.lattice_sums), ctx.max_terms,
                                 (ctx.program.filename, ctx.program.source), disorder)
    return combine(explicit), density


def _check_classes(ctx: LoweringContext, hams, priors):
    """The class labels and their priors (uniform when none is given), checked against each other."""
    if not hams:
        raise HamcError("no Hamiltonian: add a line such as  H = -J * sum(<i,j> in G: s[i]*s[j])",
                        Span(max(1, len(ctx.program.source.splitlines())), 1))
    labels = [st.label for st, *_ in hams]
    if None in labels:
        if len(hams) > 1:
            raise err("several Hamiltonians need labels, as in H[cat] = ... and H[dog] = ...", hams[1][0])
        if priors:
            raise err("a prior needs labelled Hamiltonians (H[label] = ...)", next(iter(priors.values()))[0])
        return (), ()
    for k, (st, *_) in enumerate(hams):
        if st.label in labels[:k]:      # point at the second definition, as for declarations
            raise err(f"Hamiltonian '{st.label}' is defined twice", st)
    for label, (st, _) in priors.items():
        if label not in labels:
            raise err(f"prior for '{label}', which has no Hamiltonian (labels: {', '.join(labels)})", st)
    if not priors:
        return tuple(labels), tuple(Fraction(1, len(labels)) for _ in labels)
    return tuple(labels), _prior_values(labels, priors, hams)


def _prior_values(labels, priors, hams) -> tuple:
    missing = [lab for lab in labels if lab not in priors]
    if missing:
        raise err(f"no prior for {', '.join(missing)}: give every class a prior, or none (uniform)", hams[0][0])
    values = [_number(priors[lab][1]) for lab in labels]
    for lab, v in zip(labels, values):
        if not 0 < v <= 1:
            raise err(f"prior {v} is not a probability in (0, 1]", priors[lab][0])
    total = sum(values)
    if abs(float(total) - 1) > 1e-9:
        raise err(f"priors sum to {total}, not 1", priors[labels[-1]][0])
    return tuple(values)


def _number(value: Coefficients):
    """A one-element coefficient as a Fraction (exact) or float: no sympy needed for a prior."""
    return Fraction(int(value.num[0]), int(value.den[0])) if value.exact else float(value.num[0])


def _polynomial(t: Terms, density=None) -> Polynomial:
    return Polynomial(*terms_to_monomials(t), density)
