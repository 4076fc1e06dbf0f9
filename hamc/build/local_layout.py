"""(Hamiltonian, BuildOptions) -> Built with a locally connected layout: one gate template, per-site weights."""
from __future__ import annotations

import numpy as np

from ..analysis.stencil import lattice_array
from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from ..ir.lattice_sum import abs_sum
from ..network.local import LocalLayout
from ..network.model import Network
from .bits import spins_to_bits
from .info import Built
from .local import density_local_stencil, local_stencil
from .local_bound import integer_table, local_bound
from .memory import check_local_memory, check_shared_memory
from .options import BuildOptions
from .flat import flat_network_neurons
from .plan import monomial_table
from .table_layers import LayersRequest, table_layers


def build_local(h: Hamiltonian, partial_info, *, options: BuildOptions, scale: float, strategy: str,
                activation: str, has_reals: bool) -> Built:
    """The locally connected layout (network/local.py): the gate template built for one output per
    local pattern, weighed per site by the coefficient arrays."""
    array = lattice_array(h)
    if array is None or h.is_classifier or strategy == "flat":
        raise HamcError("a locally connected layout needs one energy over one periodic variable array that "
                        "holds every variable, and the tree or bits strategy; use --layout unrolled")
    density = _density(h, array)
    if density is not None:             # per-site coefficients straight from the one-site density
        check_local_memory(density, options)
        blocks = h.energies[0].explicit_monomials[1]
        local = density_local_stencil(density, float(blocks[0].as_float().sum()) if 0 in blocks else 0.0,
                                      options.dtype)
        table = None
    else:
        table, constant = monomial_table(h)
        local = local_stencil(table, float(constant[0]), array)
    stencil = local.stencil
    patterns = len(local.coefficients)
    names = stencil.patch_names(array.name)
    spin = np.full(len(stencil.offsets), Domain.of(array.domain) == Domain.SPIN)
    per_site = np.zeros(patterns)
    if strategy == "bits":       # site by site: translates are not merged, their coefficients differ
        stencil_table, per_site = spins_to_bits(stencil.table, per_site, spin)
    else:
        stencil_table = stencil.table
    bound = np.array([1.0 if Domain.of(array.domain) != Domain.REAL else max(map(abs, options.input_range))])
    # the mean sum of |coefficients| at a site: the patterns' errors add up over all of them (local_bound)
    weight = max(sum(abs_sum(c) for c in local.coefficients) / stencil.sites, 1e-300)
    made = table_layers(LayersRequest(strategy, activation, stencil_table, per_site, spin, names,
                                      np.repeat(bound, len(names)), scale / weight, sites=stencil.sites,
                                      in_bits=True, has_reals=has_reals, exact_bits=integer_table(stencil.table)),
                        options=options)
    if density is None:                 # (a density's layout was checked before it was allocated)
        check_shared_memory(stencil.sites, len(names) + patterns, max(layer.n_out for layer in made.layers), options)
    layout = LocalLayout(stencil.shape, stencil.offsets, np.array([local.constant], options.dtype), "identity",
                         array.name, array.lows, local.coefficients.astype(options.dtype, copy=False))
    values = {Domain.SPIN: (-1.0, 1.0), Domain.BIT: (0.0, 1.0)}.get(Domain.of(array.domain))
    built = made.info(partial_info, *local_bound(made.errors, layout, made.layers, stencil.table, values,
                                                 local.coefficients, local.constant, sources=local.sources))
    network = Network(made.layers, h.variable_labels(), ("H",), built.to_meta(), layout)
    copies = network.meta.get("copy_neurons", 2)
    flat = flat_network_neurons(table, copies) if table is not None else \
        flat_network_neurons(stencil.table, copies) * stencil.sites
    return Built(network, made.plan, built, flat)


def _density(h: Hamiltonian, array):
    """The one lattice sum (uniform or with per-site coefficients) of H over `array`, with at most a
    constant beside it and still unexpanded; else None."""
    energy = h.energies[0]
    if len(h.energies) != 1 or energy.density is None or energy.expanded or energy.density.array is not array:
        return None
    return energy.density if all(d == 0 for d in energy.explicit_monomials[0]) else None
