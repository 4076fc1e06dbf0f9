"""(Hamiltonian, BuildOptions) -> Built with a weight-shared layout: one site's layers from the local density."""
from __future__ import annotations

import numpy as np

from ..analysis.stencil import NotTranslationInvariant, extract_stencil, lattice_array, recanonicalize, stencil_from_density
from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from ..network.model import Network
from ..network.shared import SharedLayout
from .bits import spins_to_bits
from .error_bound import certified_bound
from .heads import logits_bias, negated_energy
from .info import Built
from .memory import check_shared_memory
from .options import BuildOptions
from .flat import flat_network_neurons
from .plan import monomial_table
from .table_layers import LayersRequest, table_layers


def build_shared(h: Hamiltonian, stencil, partial_info, *, options: BuildOptions, scale: float,
                 strategy: str, activation: str, has_reals: bool) -> Built:
    """The layers for one site's patch, run at every site and summed (then a classifier's softmax)."""
    outputs = h.labels if h.is_classifier else ("H",)
    array = lattice_array(h)
    names = stencil.patch_names(array.name)
    spin = np.full(len(stencil.offsets), Domain.of(array.domain) == Domain.SPIN)
    # the array's one bound, not one float per site (8 GB at 10^9 sites)
    bound = np.array([1.0 if Domain.of(array.domain) != Domain.REAL else max(map(abs, options.input_range))])
    made = table_layers(LayersRequest(strategy, activation, stencil.table, np.zeros(len(outputs)), spin, names,
                                      np.repeat(bound, len(names)), scale, sites=stencil.sites, in_bits=True,
                                      has_reals=has_reals, posterior=h.is_classifier, offsets=stencil.offsets),
                        options=options)
    layers = made.layers
    check_shared_memory(stencil.sites, len(names), max(layer.n_out for layer in layers), options)
    if h.is_classifier:      # the local layers add up -H; priors and softmax come after the sum
        layers = layers[:-1] + (negated_energy(layers[-1]),)
    pool_bias = logits_bias(stencil.constant, h.log_priors()) if h.is_classifier else stencil.constant
    certified = certified_bound(made.errors, options.dtype, sites=stencil.sites, pool_bias=pool_bias,
                                log_priors=h.log_priors() if h.is_classifier else None)
    shared = SharedLayout(stencil.shape, stencil.offsets, pool_bias.astype(options.dtype),
                          "softmax" if h.is_classifier else "identity", array.name, array.lows)
    built = made.info(partial_info, *certified)
    network = Network(layers, h.variable_labels(), tuple(outputs), built.to_meta(), shared)
    flat = flat_hidden_neurons(h, network.meta.get("copy_neurons", 2))
    return Built(network, made.plan, built, flat)


def density_only(h: Hamiltonian, array) -> bool:
    """One energy that is a constant plus a lattice sum over `array`, still unexpanded."""
    if len(h.energies) != 1:
        return False
    energy = h.energies[0]
    return (energy.density is not None and not energy.expanded and energy.density.array is array
            and energy.density.uniform
            and all(d == 0 for d in energy.explicit_monomials[0]))


def shared_stencil(h: Hamiltonian, strategy: str, layout: str):
    """The local density for a weight-shared layout, or None for an unrolled network. With
    layout "auto" a shared layout is used wherever it applies; "shared" insists and says why not."""
    if layout == "unrolled":
        return None
    why = None
    array = lattice_array(h)
    if strategy == "flat":
        why = "the flat strategy has no shared layout"
    elif array is None:
        why = "a shared layout needs one periodic variable array that holds every variable"
    elif density_only(h, array):
        energy = h.energies[0]
        stencil = stencil_from_density(energy.density, energy.explicit_monomials[1][0].as_float()[:1]
                                       if 0 in energy.explicit_monomials[1] else np.zeros(1))
    else:
        try:
            stencil = extract_stencil(*monomial_table(h), array)
        except NotTranslationInvariant as exc:
            why = f"H is not translation-invariant: {exc}"
    if why is not None:
        if layout == "shared":
            raise HamcError(f"{why}; use --layout unrolled")
        return None
    if strategy == "bits":       # convert the density to bits, then merge translates (x[i+1] is x[i])
        spin = np.full(len(stencil.offsets), Domain.of(array.domain) == Domain.SPIN)
        bits, per_site = spins_to_bits(stencil.table, np.zeros_like(stencil.constant), spin)
        stencil = recanonicalize(stencil, bits, stencil.constant + stencil.sites * per_site)
    return stencil if stencil.orbits else None      # a constant needs no lattice


def flat_hidden_neurons(h: Hamiltonian, copy_neurons: int = 2) -> int:
    """The single-hidden-layer count for comparison, computed without building anything (from the
    one-site density for a lattice sum, so a 10^6-site lattice is not expanded for it)."""
    array = lattice_array(h)
    if array is not None and density_only(h, array):
        stencil = stencil_from_density(h.energies[0].density, np.zeros(1))
        return flat_network_neurons(stencil.table, copy_neurons) * array.size
    return flat_network_neurons(monomial_table(h)[0], copy_neurons)
