"""(Hamiltonian, BuildOptions) -> Built with a locally connected layout: one gate template, per-site weights."""
from __future__ import annotations

import numpy as np

from ..analysis.stencil import lattice_array
from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from ..network.local import LocalLayout
from ..network.model import Network
from .bits import spins_to_bits
from .info import Built
from .local import local_stencil
from .local_bound import integer_table, local_bound
from .memory import check_shared_memory
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
    weight = max(sum(float(np.abs(c).sum()) for c in local.coefficients) / stencil.sites, 1e-300)
    made = table_layers(LayersRequest(strategy, activation, stencil_table, per_site, spin, names,
                                      np.repeat(bound, len(names)), scale / weight, sites=stencil.sites,
                                      in_bits=True, has_reals=has_reals, exact_bits=integer_table(stencil.table)),
                        options=options)
    check_shared_memory(stencil.sites, len(names) + patterns, max(layer.n_out for layer in made.layers), options)
    layout = LocalLayout(stencil.shape, stencil.offsets, np.array([local.constant], options.dtype), "identity",
                         array.name, array.lows, local.coefficients.astype(options.dtype))
    values = {Domain.SPIN: (-1.0, 1.0), Domain.BIT: (0.0, 1.0)}.get(Domain.of(array.domain))
    built = made.info(partial_info, *local_bound(made.errors, layout, made.layers, stencil.table, values,
                                                 local.coefficients, local.constant))
    network = Network(made.layers, h.variable_labels(), ("H",), built.to_meta(), layout)
    return Built(network, made.plan, built, flat_network_neurons(table, network.meta.get("copy_neurons", 2)))
