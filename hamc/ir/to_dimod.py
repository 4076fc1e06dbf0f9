"""Hamiltonian over bits and spins -> dimod models: BinaryQuadraticModel (degree <= 2) or BinaryPolynomial."""
from __future__ import annotations

import itertools
from importlib import import_module

import numpy as np

from ..errors import HamcError
from .domain import Domain

# x = scale * y + shift when a variable of domain x is written over the model's vartype y
_AS_BITS = {Domain.BIT: (1.0, 0.0), Domain.SPIN: (2.0, -1.0)}        # s = 2b - 1
_AS_SPINS = {Domain.SPIN: (1.0, 0.0)}


def dimod_module():
    """dimod, imported when a conversion is asked for (an optional dependency)."""
    try:
        return import_module("dimod")
    except ImportError:
        raise HamcError("this needs dimod, an optional dependency: pip install 'hamc[dimod]'") from None


def to_bqm(h):
    """The energy as a dimod.BinaryQuadraticModel, variables labelled as hamc names them (s[0,1]).
    All spins: a SPIN model; bits, or bits and spins: a BINARY one (each spin s written 2b - 1)."""
    dimod = dimod_module()
    terms, vartype = _terms(h, "to_bqm")
    if max((len(k) for k in terms), default=0) > 2:
        raise HamcError(f"a BinaryQuadraticModel holds terms of degree <= 2, this energy has degree {h.degree}: "
                        "use h.to_binary_polynomial()")
    bqm = dimod.BinaryQuadraticModel(vartype)
    bqm.add_variables_from((label, 0.0) for label in h.variable_labels())
    for key, bias in terms.items():
        if len(key) == 2:
            bqm.add_quadratic(*key, bias)
        elif key:
            bqm.add_linear(key[0], bias)
        else:
            bqm.offset += bias
    return bqm


def to_binary_polynomial(h):
    """The energy as a dimod.BinaryPolynomial (any degree); the vartype as for to_bqm."""
    dimod = dimod_module()
    terms, vartype = _terms(h, "to_binary_polynomial")
    return dimod.BinaryPolynomial(terms, vartype)


def _terms(h, what: str) -> tuple[dict, str]:
    """{(labels...): bias} over the model's vartype, like monomials combined, zeros dropped."""
    if h.is_classifier:
        raise HamcError(f"{what} converts one energy; this classifier has {len(h.labels)} ({', '.join(h.labels)})")
    domains = h.domains
    if np.any(domains == Domain.REAL):
        name = h.variable_label(int(np.flatnonzero(domains == Domain.REAL)[0]))
        raise HamcError(f"dimod models are over bits or spins; '{name}' is real")
    spins = bool(np.all(domains == Domain.SPIN))
    forms = _AS_SPINS if spins else _AS_BITS
    p = h.energies[0]
    labels = list(h.variable_labels())
    out: dict[tuple, float] = {}
    mixed = not spins and bool(np.any(domains == Domain.SPIN))
    for d, vars_ in sorted(p.monomials.items()):
        coef = p.coefficients[d].as_float()
        if not mixed:               # every variable is of the model's vartype: the terms as they are
            out.update((tuple(labels[v] for v in row), float(c)) for row, c in zip(vars_.tolist(), coef) if c)
            continue
        for row, c in zip(vars_, coef):
            factors = [forms[Domain(int(domains[v]))] + (labels[int(v)],) for v in row]
            # expand prod (scale_v y_v + shift_v): a spin among bits gives 2^k terms
            for pick in itertools.product((0, 1), repeat=len(factors)):
                value, key = float(c), []
                for (scale, shift, label), take in zip(factors, pick):
                    value *= scale if take else shift
                    if take:
                        key.append(label)
                if value:
                    out[tuple(key)] = out.get(tuple(key), 0.0) + value
    return {k: v for k, v in out.items() if v}, "SPIN" if spins else "BINARY"
