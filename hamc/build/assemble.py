"""(Hamiltonian, BuildOptions) -> Built: the strategy and layout chosen, the network, its plan and BuildInfo."""
from __future__ import annotations

from functools import partial

import numpy as np

from ..analysis.bounds import magnitude_bounds
from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from ..network.activations import ACTIVATIONS
from ..network.model import Network
from .error_bound import certified_bound
from .flat import FLAT_STRATEGY_MAX_DEGREE, check_flat_degree, flat_network_neurons
from .info import BuildInfo, Built
from .local_layout import build_local
from .memory import check_unrolled_memory, monomial_arrays
from .options import BuildOptions, check_options
from .plan import level, monomial_table
from .ranges import check_finite_layers
from .shared_layout import build_shared, flat_hidden_neurons, shared_stencil
from .table_layers import LayersRequest, table_layers


def choose_activation(strategy: str, activation: str | None) -> str:
    """The paper's sigmoid for products; for bit products the step function, which is exact on
    bits and cheaper than a sigmoid, unless the user asks for another."""
    if activation is not None:
        return activation
    return "step" if strategy == "bits" else "sigmoid"


def check_bit_activation(activation: str) -> None:
    """Bit products need a threshold unit: an activation with finite limits, or relu."""
    if ACTIVATIONS[activation].limits is None and activation != "relu":
        raise HamcError(f"activation '{activation}' is not a threshold unit; bit products need sigmoid, tanh, "
                        "step or relu (or use --strategy tree)")


def choose_strategy(h: Hamiltonian, strategy: str) -> str:
    binary = bool(np.all(h.domains > 0))          # vacuously true without variables: bits is fine
    if strategy == "auto":
        return "bits" if binary else "tree"
    if strategy == "bits" and not binary:
        reals = [v.name for v in h.variables if Domain.of(v.domain) == Domain.REAL]
        raise HamcError(f"the bits strategy needs bit or spin variables, but {', '.join(reals)} "
                        f"{'is' if len(reals) == 1 else 'are'} real; use --strategy tree (or auto)")
    return strategy


def build(h: Hamiltonian, *, options: BuildOptions, scale: float = 1.0) -> Built:
    """The network for H, the product plan it follows (tree strategy) and what was chosen. `scale` is S, the bound
    on |H| that relative errors are measured against. Ranges whose bounds or weights overflow the
    dtype are refused before building (HamcError); a non-finite weight after building is too."""
    check_options(options)
    has_reals = bool(np.any(h.domains == Domain.REAL))
    built = _build(h, options, scale, has_reals)
    network = built.network
    extra = {"pooling biases": network.shared.pool_bias} if network.shared is not None else {}
    check_finite_layers(network.layers, extra, options.dtype, options.input_range, has_reals)
    return built


def _build(h: Hamiltonian, options: BuildOptions, scale: float, has_reals: bool) -> Built:
    strategy = choose_strategy(h, options.strategy)
    activation = choose_activation(strategy, options.activation)
    if strategy == "bits":
        check_bit_activation(activation)
    choices = dict(options=options, scale=scale, strategy=strategy, activation=activation, has_reals=has_reals)
    info = partial(BuildInfo, strategy, activation, options.dtype, tuple(options.input_range), options.target_tol)
    if options.layout == "local":
        return build_local(h, partial(info, "local"), **choices)
    stencil = shared_stencil(h, strategy, options.layout)
    if stencil is not None:
        return build_shared(h, stencil, partial(info, "shared"), **choices)
    return _build_unrolled(h, partial(info, "unrolled"), **choices)


def _build_unrolled(h: Hamiltonian, partial_info, *, options: BuildOptions, scale: float, strategy: str,
                    activation: str, has_reals: bool) -> Built:
    """Every term of H its own gates, every variable its own input."""
    # estimated before the terms exist: a lattice sum's size is known from its one-site density
    if strategy == "flat":
        check_flat_degree(max((v.shape[1] for v, _ in monomial_arrays(h) if len(v)), default=0))
    check_unrolled_memory(h, strategy, options)
    table, constant = monomial_table(h)
    log_priors = h.log_priors() if h.is_classifier else None
    made = table_layers(LayersRequest(strategy, activation, table, constant, h.domains == Domain.SPIN,
                                      h.variable_labels(), magnitude_bounds(h, options.input_range), scale,
                                      log_priors=log_priors, has_reals=has_reals, posterior=h.is_classifier),
                        options=options)
    built = made.info(partial_info, *certified_bound(made.errors, options.dtype, log_priors=log_priors))
    outputs = h.labels if h.is_classifier else ("H",)
    network = Network(made.layers, h.variable_labels(), tuple(outputs), built.to_meta())
    return Built(network, made.plan, built, flat_network_neurons(table, network.meta.get("copy_neurons", 2)))


__all__ = ["FLAT_STRATEGY_MAX_DEGREE", "Built", "build", "choose_strategy",
           "flat_hidden_neurons", "level"]
