"""hamc: compile polynomial Hamiltonians to explicit neural networks (Lin, Tegmark & Rolnick 2017)."""
import sys
import types
from importlib import import_module

# name -> (module, attribute), imported on first use: `python -m hamc` and the `hamc` command install
# their signal handlers before NumPy, SciPy and SymPy load (about a second in which Ctrl-C must work)
_EXPORTS = {
    "Analysis": ("analyze", "Analysis"), "Audit": ("audit", "Audit"), "audit": ("audit", "audit"), "ParameterCounts": ("analyze", "ParameterCounts"),
    "analyze": ("analyze", "analyze"), "load_network": ("backends.npz", "load_network"),
    "save_network": ("backends.npz", "write_npz"), "BuildOptions": ("build", "BuildOptions"),
    "Compiled": ("compiling", "Compiled"), "compile": ("compiling", "compile_hamiltonian"),
    "HamcError": ("errors", "HamcError"), "Hamiltonian": ("hamiltonian", "Hamiltonian"),
    "Lattice": ("hamiltonian", "Lattice"), "Polynomial": ("hamiltonian", "Polynomial"),
    "VariableArray": ("hamiltonian", "VariableArray"), "load": ("loading", "load"), "lower": ("lower", "lower"),
    "GateBlock": ("network", "GateBlock"), "Layer": ("network", "Layer"), "Network": ("network", "Network"),
    "parse": ("parse", "parse"), "ProductPlan": ("plan", "ProductPlan"), "plan_products": ("plan", "plan_products"),
    "Verification": ("verify", "Verification"), "verify": ("verify", "verify"),
}
__all__ = sorted(_EXPORTS)


class _Package(types.ModuleType):
    def __getattr__(self, name: str):
        if name not in _EXPORTS:
            raise AttributeError(f"module 'hamc' has no attribute '{name}'")
        module, attribute = _EXPORTS[name]
        value = getattr(import_module(f"hamc.{module}"), attribute)
        types.ModuleType.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value) -> None:
        # importing the submodule hamc.parse binds it as hamc.parse: the function of that name stays the API
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        types.ModuleType.__setattr__(self, name, value)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_EXPORTS))


sys.modules[__name__].__class__ = _Package
