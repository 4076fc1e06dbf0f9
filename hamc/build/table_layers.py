"""(LayersRequest, BuildOptions) -> MadeLayers: a monomial table's bits, flat or tree layers and error model."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import rounding as fp
from . import factored
from . import series_scales
from ..errors import HamcError
from ..network.activations import get_activation
from .bits import bit_beta, bits_errors, build_bits, conversion_error, spins_to_bits
from .flat import FlatRequest, build_flat, check_flat_size
from .heads import error_scale
from .info import GateScales, MadeLayers
from .options import BuildOptions
from .plan import plan_from_table
from .ranges import bits_check, check_range, flat_check, tree_check
from .scales import certified_scale, unit_gate
from .tree import GateSet, TreeRequest, build_tree


@dataclass(frozen=True, eq=False)
class LayersRequest:
    """A monomial table to build as layers: `table` and `constant` over len(names) inputs, `spin` marking
    spin inputs and `magnitude` bounding them; `sites` copies run in parallel. For bits, `in_bits` says the
    table is over x = (s+1)/2 already. `scale` is S; `log_priors` (unrolled) or `posterior` (shared: the
    priors come after the pooling) mark a classifier; `offsets` are a shared layout's patch offsets."""
    strategy: str
    activation: str
    table: dict
    constant: np.ndarray
    spin: np.ndarray
    names: tuple
    magnitude: np.ndarray
    scale: float
    log_priors: np.ndarray | None = None
    sites: int = 1
    in_bits: bool = False
    has_reals: bool = True
    posterior: bool = False
    offsets: np.ndarray | None = None
    exact_bits: bool = False          # the table has small integer coefficients: rewriting it over bits rounds nothing


@lru_cache(maxsize=None)
def unit_gates(activation: str, dtype: str, kinds: str = "single") -> tuple[GateSet, GateScales]:
    """Gates for inputs in [-1, 1], each at the scale and bias point that minimise the certified
    error bound it adds (scales.certified_scale). A chain of gates adds their truncations and
    their roundings alike, so its length does not change the choice. `kinds`: single, richardson
    or paper (scales.unit_gate)."""
    if not get_activation(activation).smooth:
        raise HamcError(f"activation '{activation}' is not smooth: the product gates need a Taylor series; "
                        "use it with --strategy bits")
    product, square, copy = (certified_scale(kind, activation, dtype, kinds) for kind in ("product", "square", "copy"))
    gate_set = GateSet(*(unit_gate(kind, activation, scale.value, scale.center, kinds, scale.ratio)
                         for kind, scale in (("product", product), ("square", square), ("copy", copy))))
    return gate_set, GateScales(product.value, square.value, copy.value, product.center, square.center, copy.center,
                                gate_set.copy.neurons, kinds, gate_set.product.neurons, gate_set.square.neurons)


def table_layers(request: LayersRequest, *, options: BuildOptions) -> MadeLayers:
    """The layers, plan and error_bound.OutputErrors (or the reason there is none) for the request's table."""
    r = request
    dtype = np.dtype(options.dtype)
    u = fp.unit_roundoff(dtype)

    def refuse_overflow(check) -> None:       # before anything is allocated for the network
        check_range(check, options.dtype, options.input_range, r.has_reals)

    if r.strategy == "bits":
        bit_table, constant = (r.table, r.constant) if r.in_bits else spins_to_bits(r.table, r.constant, r.spin)
        refuse_overflow(bits_check(r.scale, bit_table))
        beta = bit_beta({k: (m, c * r.sites) for k, (m, c) in bit_table.items()}, options.target_tol,
                        error_scale(r.scale, r.posterior))
        layers = build_bits(bit_table, constant, r.spin, r.names, r.activation, dtype, beta, r.log_priors)
        conversion = 0.0 if r.exact_bits else conversion_error(r.table, r.in_bits, r.spin, r.sites, r.scale, u)
        errors = bits_errors(*layers, r.activation, beta, u, conversion)
        made = MadeLayers(layers, None, errors if errors is not None else "threshold sums that are not exact",
                          beta=beta)
        return factored.bits_structure(made, r, options)
    gate_set, scales = unit_gates(r.activation, options.dtype, "single" if options.gates == "auto" else options.gates)
    if r.strategy == "flat":
        check_flat_size(r.table, gate_set.copy.neurons, options.max_neurons)
        refuse_overflow(flat_check(r.table, r.magnitude, gate_set.copy, r.activation, options.dtype, r.scale))
        def scale_for_powers(powers: tuple[int, ...]) -> float:
            return series_scales.flat_scale(r.activation, powers, options.dtype).value

        flat = FlatRequest(r.table, r.constant, r.names, r.magnitude, r.activation, gate_set.copy, scale_for_powers,
                           r.log_priors)
        layers = build_flat(flat, dtype=dtype, max_neurons=options.max_neurons)
        return MadeLayers(layers, None, "the flat strategy's one-layer gates", scales=scales)

    def tree(table_, magnitude_, names_, forms=None) -> MadeLayers:
        plan = plan_from_table(len(names_), len(r.constant), table_, r.constant)
        if forms is not None:
            plan = replace(plan, forms=forms, form_names=tuple(names_[len(r.names):]))
        refuse_overflow(tree_check(plan, magnitude_, gate_set, r.scale))
        layers, errors = build_tree(TreeRequest(plan, magnitude_, names_, gate_set, r.activation, r.log_priors, forms),
                                    dtype=dtype, rounded_inputs=dtype != np.float64)
        return MadeLayers(layers, plan, errors, scales=scales)

    return factored.tree_structure(tree(r.table, r.magnitude, r.names), tree, r, options)
