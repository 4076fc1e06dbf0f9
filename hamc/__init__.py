"""hamc: compile polynomial Hamiltonians to explicit neural networks (Lin, Tegmark & Rolnick 2017)."""
from .analyze import Analysis, ParameterCounts, analyze
from .audit import Audit, audit
from .backends.npz import load_network, write_npz as save_network
from .build import BuildOptions
from .compiling import Compiled, compile_hamiltonian as compile
from .errors import HamcError
from .hamiltonian import Hamiltonian, Lattice, Polynomial, VariableArray
from .loading import load
from .lower import lower
from .network import GateBlock, Layer, Network
from .parse import parse
from .plan import ProductPlan, plan_products
from .verify import Verification, verify

__all__ = ["Analysis", "Audit", "BuildOptions", "Compiled", "GateBlock", "HamcError", "Hamiltonian", "Lattice", "Layer",
           "Network", "ParameterCounts", "Polynomial", "ProductPlan", "VariableArray", "Verification", "analyze", "audit",
           "compile", "load", "load_network", "lower", "parse", "plan_products", "save_network", "verify"]
