"""(Hamiltonian, ProductPlan, BuildOptions) -> Network: the strategy, the gates and their scales."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import gates
from .activations import ACTIVATIONS, get_activation
from .errors import HamcError
from .hamiltonian import Hamiltonian
from .network import Network
from .plan import ProductPlan, level
from .plan import monomial_table
from .shallow import FLAT_MAX_DEGREE, build_bits, build_flat, flat_neurons, spins_to_bits
from .tree import GateSet, build_tree
from .verify import magnitude_bounds

STRATEGIES = ("auto", "tree", "flat", "bits")
DTYPES = ("float64", "float32")
DEFAULT_TOL = {"float64": 1e-6, "float32": 1e-2}


@dataclass(frozen=True)
class BuildOptions:
    strategy: str = "auto"              # auto | tree | flat | bits
    activation: str | None = None       # default: step for bits (exact), sigmoid otherwise
    dtype: str = "float64"              # float64 | float32
    tol: float | None = None            # max_rel_error to reach; default by dtype
    input_range: tuple[float, float] = (-1.0, 1.0)   # for real variables
    max_neurons: int = 1 << 22          # refuse larger flat networks before building them

    @property
    def target_tol(self) -> float:
        return self.tol if self.tol is not None else DEFAULT_TOL[self.dtype]


def check_options(options: BuildOptions) -> None:
    if options.strategy not in STRATEGIES:
        raise HamcError(f"unknown strategy '{options.strategy}'; choose one of {', '.join(STRATEGIES)}")
    if options.dtype not in DTYPES:
        raise HamcError(f"unknown dtype '{options.dtype}'; choose float64 or float32")
    if options.activation is not None and options.activation not in ACTIVATIONS:
        raise HamcError(f"unknown activation '{options.activation}'; known: {', '.join(sorted(ACTIVATIONS))}")
    lo, hi = options.input_range
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise HamcError(f"input range [{lo}, {hi}] must be finite with lo < hi")
    if not options.target_tol > 0:
        raise HamcError(f"tolerance must be positive, got {options.target_tol}")


def choose_activation(strategy: str, activation: str | None) -> str:
    """The paper's sigmoid for products; for bit products the step function, which is exact on
    bits and cheaper than a sigmoid, unless the user asks for another."""
    if activation is not None:
        return activation
    return "step" if strategy == "bits" else "sigmoid"


def choose_strategy(h: Hamiltonian, strategy: str) -> str:
    binary = bool(h.n_variables) and bool(np.all(h.domains > 0))
    if strategy == "auto":
        return "bits" if binary else "tree"
    if strategy == "bits" and not binary:
        reals = [v.name for v in h.variables if v.domain == "real"]
        raise HamcError(f"the bits strategy needs bit or spin variables, but {', '.join(reals)} "
                        f"{'is' if len(reals) == 1 else 'are'} real; use --strategy tree (or auto)")
    return strategy


@lru_cache(maxsize=None)
def unit_gates(activation: str, dtype: str) -> tuple[GateSet, dict]:
    """Gates for inputs in [-1, 1], each at the scale that minimises its error in this dtype."""
    if not get_activation(activation).smooth:
        raise HamcError(f"activation '{activation}' is not smooth: the product gates need a Taylor series; "
                        "use it with --strategy bits")
    product = gates.product_scale(activation, dtype)
    square = gates.square_scale(activation, dtype)
    copy = gates.copy_scale(activation, dtype)
    copy_gate = gates.copy_gate(activation, copy.value)
    gate_set = GateSet(gates.product_gate(activation, product.value), gates.square_gate(activation, square.value),
                       copy_gate)
    scales = {"product_lambda": product.value, "square_lambda": square.value, "copy_lambda": copy.value,
              "copy_neurons": copy_gate.neurons}
    return gate_set, scales


def bit_beta(bit_table: dict, tol: float, scale: float) -> float:
    """beta so that every threshold neuron's error sigma(-beta/2), summed with the bit coefficients'
    weights, stays below tol * S (eq 13: the error decays like exp(-beta/2))."""
    weight = max((float(np.abs(c).sum(axis=0).max()) for _, c in bit_table.values()), default=1.0)
    return max(gates.bit_scale(tol * scale / max(weight, 1e-300)), 1.0)


def build(h: Hamiltonian, plan: ProductPlan, *, options: BuildOptions, scale: float = 1.0) -> Network:
    """The network for H. `scale` is S, the bound on |H| that relative errors are measured against."""
    check_options(options)
    strategy = choose_strategy(h, options.strategy)
    activation = choose_activation(strategy, options.activation)
    dtype = np.dtype(options.dtype)
    log_priors = h.log_priors() if h.is_classifier else None
    magnitude = magnitude_bounds(h, options.input_range)
    meta = {"strategy": strategy, "activation": activation, "dtype": options.dtype,
            "input_range": list(options.input_range), "tol": options.target_tol,
            "product_layers": plan.depth, "product_gates": plan.product_gates,
            "product_gates_unshared": plan.unshared_product_gates}
    names = [h.variable_label(i) for i in range(h.n_variables)]
    try:
        if strategy == "bits":
            bit_table, constant = spins_to_bits(*monomial_table(h), h.domains == 2)
            beta = bit_beta(bit_table, options.target_tol, scale if not h.is_classifier else 1.0)
            layers = build_bits(bit_table, constant, h.domains == 2, names, activation, dtype, beta,
                                log_priors)
            meta["beta"] = beta
        else:
            gate_set, scales = unit_gates(activation, options.dtype)
            meta.update(scales)
            if strategy == "tree":
                layers = build_tree(plan, magnitude, gate_set, activation, dtype, names, log_priors)
            else:
                layers = build_flat(h, names, magnitude, activation, dtype, gate_set.copy,
                                    lambda powers: gates.flat_scale(activation, powers, options.dtype).value,
                                    log_priors, options.max_neurons)
    except ValueError as exc:
        raise HamcError(str(exc)) from None
    outputs = h.labels if h.is_classifier else ("H",)
    return Network(tuple(layers), tuple(names), tuple(outputs), meta)


def flat_hidden_neurons(h: Hamiltonian, copy_neurons: int = 2) -> int:
    """The single-hidden-layer count for comparison, computed without building anything."""
    return flat_neurons(monomial_table(h)[0], copy_neurons)


__all__ = ["BuildOptions", "DEFAULT_TOL", "FLAT_MAX_DEGREE", "STRATEGIES", "build", "choose_strategy",
           "flat_hidden_neurons", "level"]
