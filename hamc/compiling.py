"""Source -> Compiled: parse, lower, plan, build and verify, top to bottom."""
from __future__ import annotations

import os
from dataclasses import dataclass
from numbers import Integral
from typing import Callable

from .build import BuildOptions, build, check_options, flat_hidden_neurons
from .errors import HamcError, expect_type
from .hamiltonian import Hamiltonian
from .loading import load
from .lower import DEFAULT_MAX_TERMS
from .network import Network
from .plan import ProductPlan
from .verify import Verification, energy_scale, verify


@dataclass(frozen=True)
class Compiled:
    hamiltonian: Hamiltonian
    plan: ProductPlan | None         # the product tree (tree strategy; per site for a shared layout)
    network: Network
    verification: Verification
    options: BuildOptions
    flat_hidden_neurons: int

    def to_json(self) -> dict:
        net, v = self.network, self.verification
        return {
            "strategy": net.meta["strategy"], "activation": net.meta["activation"], "dtype": net.meta["dtype"],
            "inputs": len(net.inputs), "outputs": list(net.outputs),
            "hidden_neurons": net.hidden_neurons, "neurons_by_role": net.neurons_by_role(),
            "synapses": net.synapses, "parameters": net.parameters, "depth": net.depth,
            "layout": net.meta["layout"], "sites": net.sites,
            "product_layers": self.plan.depth if self.plan else 0,
            "product_gates": self.plan.product_gates * net.sites if self.plan else 0,
            "product_gates_unshared": self.plan.unshared_product_gates * net.sites if self.plan else 0,
            "flat_hidden_neurons": self.flat_hidden_neurons,
            "max_abs_error": v.max_abs_error, "max_rel_error": v.max_rel_error, "scale": v.scale,
            "samples": v.samples, "exhaustive": v.exhaustive, "tol": self.options.target_tol,
        }

    def summary(self) -> str:
        j, net = self.to_json(), self.network
        roles = ", ".join(f"{n:,} {r}" for r, n in j["neurons_by_role"].items())
        sampled = "all inputs" if j["exhaustive"] else f"{j['samples']:,} inputs, half at the box's corners"
        lines = [
            f"strategy        {j['strategy']} ({j['activation']}, {j['dtype']})",
            f"hidden neurons  {j['hidden_neurons']:,}" + (f" ({roles})" if roles else ""),
            f"flat network    {j['flat_hidden_neurons']:,} hidden neurons in one layer",
            f"depth           {j['depth']} hidden layer(s)",
            f"synapses        {j['synapses']:,}",
            f"parameters      {j['parameters']:,}",
        ]
        if j["strategy"] == "tree":
            lines.insert(3, f"product gates   {j['product_gates']:,} shared ({j['product_gates_unshared']:,} "
                            f"without sharing) in {j['product_layers']} layer(s)")
        lines += [f"error           max abs {j['max_abs_error']:.3g}, max rel {j['max_rel_error']:.3g} "
                  f"(on {sampled}; tol {j['tol']:g})", "", net.summary()]
        return "\n".join(lines)


def compile_hamiltonian(source: Hamiltonian | str | os.PathLike, *, params: dict | None = None,
                        max_terms: int = DEFAULT_MAX_TERMS, options: BuildOptions = BuildOptions(),
                        samples: int = 2000, seed: int = 0, check: bool = True,
                        progress: Callable[[str], None] = lambda stage: None) -> Compiled:
    """Compile a .ham file, .ham text or a Hamiltonian to a network and measure its error.

    With `check`, a network whose measured max_rel_error exceeds the tolerance is refused
    (HamcError) rather than returned; `hamc verify` passes check=False and reports instead.
    `progress(stage)` is called as each stage starts.
    """
    expect_type(source, (Hamiltonian, str, os.PathLike), "hamc.compile takes a Hamiltonian, a path or .ham text")
    expect_type(options, BuildOptions, "hamc.compile's options= takes a BuildOptions, as in "
                "BuildOptions(strategy='bits')")
    for name, value in (("samples", samples), ("seed", seed), ("max_terms", max_terms)):
        expect_type(value, Integral, f"hamc.compile's {name}= takes an int")
    progress("lowering")
    h = source if isinstance(source, Hamiltonian) else load(source, params=params, max_terms=max_terms)
    try:
        check_options(options)
        if samples < 1:               # 0 samples would "verify" any network, < 0 crashed numpy
            raise HamcError(f"the error check needs at least 1 random input (--samples), got {samples}")
        progress("building")
        scale = energy_scale(h, options.input_range)
        network, plan = build(h, options=options, scale=scale)
    except HamcError as err:          # name the file the options were refused for
        raise err.located(h.source, "") from None
    progress("verifying")
    result = verify(network, h, input_range=options.input_range, samples=samples, seed=seed)
    compiled = Compiled(h, plan, network, result, options,
                        flat_hidden_neurons(h, network.meta.get("copy_neurons", 2)))
    if check and result.max_rel_error > options.target_tol:
        raise HamcError(tolerance_message(compiled), filename=h.source)
    return compiled


def tolerance_message(c: Compiled) -> str:
    v, o = c.verification, c.options
    hint = ("in float32 the 4-neuron product gate reaches about 1e-3 (REFERENCE.md section 3): "
            "use --dtype float64 or a looser --tol" if o.dtype == "float32" else
            "a looser --tol, a smaller --input-range, or --activation softplus may help")
    return (f"the network's measured max_rel_error is {v.max_rel_error:.2g} "
            f"(max abs {v.max_abs_error:.2g} on {v.samples:,} inputs), above the tolerance {o.target_tol:g}; "
            f"{o.dtype} with this construction reaches about {v.max_rel_error:.1g}: {hint}")
