"""dimod model (BinaryQuadraticModel, BinaryPolynomial) or pyqubo expression -> Hamiltonian."""
from __future__ import annotations

from importlib import import_module

import numpy as np

from ..errors import HamcError
from ..ir.coefficients import Coefficients, Origin
from ..ir.hamiltonian import Hamiltonian
from ..ir.polynomial import Polynomial, terms_to_monomials
from ..ir.terms import Terms, combine
from ..ir.to_dimod import dimod_module
from ..ir.variables import VariableArray

SOURCE = "<dimod>"
_ORIGIN = Origin("a dimod model's biases", None, SOURCE)


def from_dimod(model) -> Hamiltonian:
    """A dimod BinaryQuadraticModel or BinaryPolynomial -> Hamiltonian over one array: s[n] for a
    SPIN model, x[n] for a BINARY one; variable k is the model's k-th variable (a BinaryPolynomial,
    whose terms are sets: its labels sorted). Whole-number biases stay exact, others are float64."""
    dimod = dimod_module()
    if isinstance(model, dimod.BinaryQuadraticModel):
        order = list(model.variables)
        terms = [((), model.offset)] + [((v,), b) for v, b in model.linear.items()] + \
                [((u, v), b) for (u, v), b in model.quadratic.items()]
    elif isinstance(model, dimod.BinaryPolynomial):
        terms = list(model.items())
        order = _sorted({v for key, _ in terms for v in key})
    else:
        raise HamcError(f"from_dimod takes a dimod BinaryQuadraticModel or BinaryPolynomial, got "
                        f"{type(model).__name__}", filename=SOURCE)
    return _hamiltonian(terms, order, "spin" if model.vartype == dimod.SPIN else "bit")


def from_pyqubo(expr, *, feed_dict: dict | None = None) -> Hamiltonian:
    """A pyqubo expression -> Hamiltonian over bits x[n], variables in label order (pyqubo writes
    spins as bits). Terms of degree > 2 are refused: pyqubo would replace them by auxiliary variables
    and a penalty, which changes the energy; give hamc the polynomial instead."""
    try:
        import_module("pyqubo")
    except ImportError:
        raise HamcError("from_pyqubo needs pyqubo: pip install pyqubo", filename=SOURCE) from None
    if not hasattr(expr, "compile"):
        raise HamcError(f"from_pyqubo takes a pyqubo expression, got {type(expr).__name__}", filename=SOURCE)
    model = expr.compile()
    labels = set(model.variables)
    auxiliary = sorted(v for v in labels if " * " in v and all(part in labels for part in v.split(" * ")))
    if auxiliary:
        raise HamcError(f"pyqubo reduced a term of degree > 2 with the auxiliary variable '{auxiliary[0]}'; pass "
                        "the polynomial itself (hamc.from_dimod(dimod.BinaryPolynomial(...)) or a sympy "
                        "expression)", filename=SOURCE)
    bqm = model.to_bqm(feed_dict=feed_dict or {})
    order = _sorted(bqm.variables)
    terms = [((), bqm.offset)] + [((v,), bqm.linear[v]) for v in order] + \
            [(tuple(sorted(k)), b) for k, b in sorted(bqm.quadratic.items(), key=lambda kb: sorted(kb[0]))]
    return _hamiltonian(terms, order, "bit")


def _sorted(labels) -> list:
    """Labels in order: by value where they compare (all str, all int), else by type name and repr."""
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=lambda v: (type(v).__name__, repr(v)))


def _hamiltonian(terms: list, order: list, domain: str) -> Hamiltonian:
    index = {v: k for k, v in enumerate(order)}
    width = max((len(key) for key, _ in terms), default=0)
    vars_ = np.full((len(terms), width), -1, np.int64)
    for row, (key, _) in enumerate(terms):
        if len(set(key)) < len(key):
            raise HamcError(f"the term {key} repeats a variable", filename=SOURCE)
        if key:
            vars_[row, width - len(key):] = sorted(index[v] for v in key)
    biases = np.array([float(b) for _, b in terms], np.float64)
    if not np.all(np.isfinite(biases)):
        raise HamcError("the model has a bias that is not finite (NaN or inf)", filename=SOURCE)
    whole = np.all(biases == np.round(biases)) and np.all(np.abs(biases) < 2.0 ** 53)
    coef = Coefficients.from_array(biases.astype(np.int64)) if whole else Coefficients.from_array(biases, _ORIGIN)
    t = combine(Terms(np.zeros(len(terms), np.int64), vars_, coef))
    name = "s" if domain == "spin" else "x"
    array = VariableArray(name, domain, (0,), (len(order),), None, 0)
    return Hamiltonian(variables=(array,) if order else (), lattices=(), energies=(Polynomial(*terms_to_monomials(t)),),
                       source=SOURCE)
