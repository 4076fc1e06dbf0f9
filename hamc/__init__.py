"""hamc: compile polynomial Hamiltonians to explicit neural networks (Lin, Tegmark & Rolnick 2017)."""
from .analysis.report import Analysis, ParameterCounts, analyze
from .auditing import Audit, audit
from .io.npz import load_network, write_npz as save_network
from .build.options import BuildOptions
from .draw import register_notebook_display
from .pipeline import Compiled, compile_hamiltonian as compile
from .errors import HamcError
from .ir.hamiltonian import Hamiltonian, Lattice, Polynomial, VariableArray
from .loading import load
from .lowering.lower import lower
from .network.model import GateBlock, Layer, Network
from .language.parse import parse
from .build.plan import ProductPlan, plan_products
from .verification import Verification, verify

# inline SVG of a Network or ProductPlan in notebooks: the drawing code registers it, the core knows nothing of it
register_notebook_display()

__all__ = ["Analysis", "Audit", "BuildOptions", "Compiled", "GateBlock", "HamcError", "Hamiltonian", "Lattice", "Layer",
           "Network", "ParameterCounts", "Polynomial", "ProductPlan", "VariableArray", "Verification", "analyze", "audit",
           "compile", "load", "load_network", "lower", "parse", "plan_products", "save_network", "verify"]
