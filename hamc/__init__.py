"""hamc: compile polynomial Hamiltonians to explicit neural networks (Lin, Tegmark & Rolnick 2017)."""
import sys
import types
from importlib import import_module

# name -> (module, attribute), imported on first use: `python -m hamc` and the `hamc` command install
# their signal handlers before NumPy, SciPy and SymPy load (about a second in which Ctrl-C must work)
_EXPORTS = {
    "Analysis": ("analysis.report", "Analysis"), "ParameterCounts": ("analysis.report", "ParameterCounts"),
    "analyze": ("analysis.report", "analyze"), "Audit": ("auditing", "Audit"), "audit": ("auditing", "audit"),
    "load_network": ("io.npz", "load_network"), "save_network": ("io.npz", "write_npz"),
    "BuildOptions": ("build.options", "BuildOptions"),
    "Compiled": ("pipeline", "Compiled"), "compile": ("pipeline", "compile_hamiltonian"),
    "HamcError": ("errors", "HamcError"), "Hamiltonian": ("ir.hamiltonian", "Hamiltonian"),
    "Lattice": ("ir.variables", "Lattice"), "Polynomial": ("ir.polynomial", "Polynomial"),
    "VariableArray": ("ir.variables", "VariableArray"), "load": ("loading", "load"),
    "lower": ("lowering.lower", "lower"), "one_hot": ("ir.encoding", "one_hot"), "GateBlock": ("network.model", "GateBlock"),
    "Layer": ("network.model", "Layer"), "Network": ("network.model", "Network"),
    "evaluate": ("evaluation", "evaluate"),
    "parse": ("language.parse", "parse"), "ProductPlan": ("build.plan", "ProductPlan"),
    "plan_products": ("build.plan", "plan_products"),
    "Verification": ("verification", "Verification"), "verify": ("verification", "verify"),
    "from_sympy": ("lowering.from_sympy", "from_sympy"), "from_dimod": ("lowering.from_dimod", "from_dimod"),
    "from_pyqubo": ("lowering.from_dimod", "from_pyqubo"),
    "to_torch": ("export", "to_torch"), "to_jax": ("export", "to_jax"), "to_onnx": ("export", "to_onnx"),
}
__all__ = sorted(_EXPORTS)


class _Package(types.ModuleType):
    def __getattr__(self, name: str):
        if name == "__version__":
            value = import_module("hamc.version").version()
            types.ModuleType.__setattr__(self, name, value)
            return value
        if name not in _EXPORTS:
            raise AttributeError(f"module 'hamc' has no attribute '{name}'")
        module, attribute = _EXPORTS[name]
        value = getattr(import_module(f"hamc.{module}"), attribute)
        # inline SVG of a Network or ProductPlan in notebooks, once the API is used: the drawing code
        # registers it, the core knows nothing of it
        import_module("hamc.draw").register_notebook_display()
        types.ModuleType.__setattr__(self, name, value)
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_EXPORTS))


sys.modules[__name__].__class__ = _Package
