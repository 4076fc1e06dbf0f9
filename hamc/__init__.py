"""hamc: compile polynomial Hamiltonians to explicit neural networks (Lin, Tegmark & Rolnick 2017)."""
from .analyze import Analysis, ParameterCounts, analyze
from .errors import HamcError
from .hamiltonian import Hamiltonian, Lattice, Polynomial, VariableArray
from .loading import load
from .lower import lower
from .parse import parse

__all__ = ["Analysis", "HamcError", "Hamiltonian", "Lattice", "ParameterCounts", "Polynomial",
           "VariableArray", "analyze", "load", "lower", "parse"]
