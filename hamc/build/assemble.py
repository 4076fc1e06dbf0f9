"""(Hamiltonian, ProductPlan, BuildOptions) -> Network: the strategy, the gates and their scales."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache, partial

import numpy as np

from . import error_bound as eb
from . import factored
from . import gates
from ..network.activations import ACTIVATIONS, get_activation
from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from ..network.model import Network
from .heads import error_scale, logits_bias, negated_energy
from .info import BuildInfo, GateScales, PlanCounts
from .options import BuildOptions, check_options
from .plan import ProductPlan, level, plan_from_table
from .plan import monomial_table
from .ranges import bits_check, check_finite_layers, check_range, flat_check, tree_check
from .bits import bit_beta, bits_errors, build_bits, conversion_error, spins_to_bits
from .flat import FLAT_STRATEGY_MAX_DEGREE, build_flat, check_flat_degree, check_flat_size, flat_network_neurons
from .scales import certified_scale, unit_gate
from ..network.shared import SharedLayout
from ..network.local import LocalLayout
from .local import local_stencil
from ..analysis.stencil import NotTranslationInvariant, extract_stencil, lattice_array, recanonicalize, stencil_from_density
from .tree import GateSet, build_tree
from ..analysis.bounds import magnitude_bounds

# Bytes per weight while an unrolled layer is assembled (COO triplets, sorting, CSR): measured
# about 30 on the 10^6-spin Ising model; the estimate is meant to be pessimistic.
BYTES_PER_SYNAPSE = 100


# Bytes per (site, channel) of a shared layout's forward pass in verification: the sample, its
# patches and two layers' activations in float64, counted for the widest layer.
BYTES_PER_SITE_CHANNEL = 8


def unrolled_bytes(h: Hamiltonian, strategy: str) -> int:
    """A pessimistic estimate of the memory an unrolled build takes, from its terms (a lattice sum's
    from its one-site density, unexpanded). Python ints: a spin monomial of degree 1,100 becomes
    2^1100 bit monomials, beyond any float."""
    synapses = 0
    for vars_, copies in _monomial_blocks(h):
        k = vars_.shape[1]
        if not k or not len(vars_):
            continue
        if strategy == "tree":
            synapses += copies * len(vars_) * 40 * max(k - 1, 1)
            continue
        # bits: each spin factor doubles the bit monomials (s = 2x - 1); flat: 2^k neurons per monomial
        doubling = (h.domains[vars_] == Domain.SPIN).sum(axis=1) if strategy == "bits" else np.full(len(vars_), k)
        for d, m in zip(*np.unique(doubling, return_counts=True)):
            synapses += copies * int(m) * 2 ** int(d) * (k + 1)
    return synapses * BYTES_PER_SYNAPSE


def _monomial_blocks(h: Hamiltonian):
    """(variables of same-degree monomials, copies) over all outputs, without expanding lattice sums."""
    for p in h.energies:
        if p.expanded:
            yield from ((v, 1) for v in p.blocks.values())
            continue
        yield from ((v, 1) for v in p.explicit_blocks[0].values())
        local = p.lattice.local
        degrees = local.degrees()
        for k in np.unique(degrees):
            yield local.vars[degrees == k][:, local.width - int(k):], p.lattice.sites


def shared_bytes(sites: int, patch: int, width: int) -> int:
    """A pessimistic estimate of the memory verifying a shared network takes: one configuration of
    every site, its patches and two layers of activations of the widest layer."""
    return sites * BYTES_PER_SITE_CHANNEL * (2 + 2 * patch + 2 * width)


def gigabytes(n: int | float) -> str:
    """n bytes in GB for a message, also for a count too large for a float."""
    return f"{n / 1e9:,.1f}" if n < 1e30 else f"10^{len(str(int(n))) - 10}"


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


@dataclass(frozen=True)
class Built:
    network: Network
    plan: ProductPlan | None        # the product plan a tree network follows (per site for a shared layout)
    info: BuildInfo                 # also network.meta, as JSON


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


def _build(h: Hamiltonian, options: BuildOptions, scale: float, has_reals: bool):
    strategy = choose_strategy(h, options.strategy)
    activation = choose_activation(strategy, options.activation)
    if strategy == "bits":
        check_bit_activation(activation)
    outputs = h.labels if h.is_classifier else ("H",)
    if options.layout == "local":
        return _build_local(h, options, scale, has_reals, strategy, activation)
    stencil = shared_stencil(h, strategy, options.layout)
    info = partial(BuildInfo, strategy, activation, options.dtype, tuple(options.input_range), options.target_tol,
                   "shared" if stencil is not None else "unrolled")
    if stencil is not None:
        array = lattice_array(h)
        names = stencil.patch_names(array.name)
        spin = np.full(len(stencil.offsets), Domain.of(array.domain) == Domain.SPIN)
        # the array's one bound, not one float per site (8 GB at 10^9 sites)
        bound = np.array([1.0 if Domain.of(array.domain) != Domain.REAL else max(map(abs, options.input_range))])
        made = _layers(_LayersRequest(strategy, activation, stencil.table, np.zeros(len(outputs)), spin, names,
                                      np.repeat(bound, len(names)), scale, sites=stencil.sites, in_bits=True,
                                      has_reals=has_reals, posterior=h.is_classifier, offsets=stencil.offsets),
                       options=options)
        layers = made.layers
        _check_shared_memory(stencil.sites, len(names), max(layer.n_out for layer in layers), options)
        if h.is_classifier:      # the local layers add up -H; priors and softmax come after the sum
            layers = layers[:-1] + (negated_energy(layers[-1]),)
        pool_bias = logits_bias(stencil.constant, h.log_priors()) if h.is_classifier else stencil.constant
        certified = _bound(made.errors, options, sites=stencil.sites, pool_bias=pool_bias,
                           log_priors=h.log_priors() if h.is_classifier else None)
        shared = SharedLayout(stencil.shape, stencil.offsets, pool_bias.astype(options.dtype),
                              "softmax" if h.is_classifier else "identity", array.name, array.lows)
        built = made.info(info, *certified)
        return Built(Network(layers, h.variable_labels(), tuple(outputs), built.to_meta(), shared), made.plan, built)
    # estimated before the terms exist: a lattice sum's size is known from its one-site density
    if strategy == "flat":
        check_flat_degree(max((v.shape[1] for v, _ in _monomial_blocks(h) if len(v)), default=0))
    need = unrolled_bytes(h, strategy)
    if need > options.max_memory:
        hint = ("a translation-invariant lattice Hamiltonian fits in a few kilobytes with --layout shared"
                if strategy != "flat" else "the tree strategy needs far fewer neurons")
        raise HamcError(f"an unrolled network for this Hamiltonian needs about {gigabytes(need)} GB to build "
                        f"(limit {options.max_memory / 1e9:.1f} GB, --max-memory); {hint}")
    table, constant = monomial_table(h)
    made = _layers(_LayersRequest(strategy, activation, table, constant, h.domains == Domain.SPIN,
                                  h.variable_labels(), magnitude_bounds(h, options.input_range), scale,
                                  log_priors=h.log_priors() if h.is_classifier else None, has_reals=has_reals,
                                  posterior=h.is_classifier),
                   options=options)
    built = made.info(info, *_bound(made.errors, options, log_priors=h.log_priors() if h.is_classifier else None))
    return Built(Network(made.layers, h.variable_labels(), tuple(outputs), built.to_meta()), made.plan, built)


def _build_local(h: Hamiltonian, options: BuildOptions, scale: float, has_reals: bool, strategy, activation):
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
    weight = max(float(np.abs(local.coefficients).max(initial=0)), 1e-300)
    made = _layers(_LayersRequest(strategy, activation, stencil_table, per_site, spin, names,
                                  np.repeat(bound, len(names)), scale / weight, sites=stencil.sites, in_bits=True,
                                  has_reals=has_reals),
                   options=options)
    _check_shared_memory(stencil.sites, len(names) + patterns, max(layer.n_out for layer in made.layers), options)
    layout = LocalLayout(stencil.shape, stencil.offsets, np.array([local.constant], options.dtype), "identity",
                         array.name, array.lows, local.coefficients.astype(options.dtype))
    info = partial(BuildInfo, strategy, activation, options.dtype, tuple(options.input_range), options.target_tol,
                   "local")
    built = made.info(info, None, "the per-site weights of a locally connected layout (no error model yet)")
    return Built(Network(made.layers, h.variable_labels(), ("H",), built.to_meta(), layout), made.plan, built)


def _bound(errors, options: BuildOptions, **where) -> tuple[float | None, str]:
    """(error_bound, error_bound_reason): the certified bound on max |network - H| (None, with the
    reason, where the construction has no model: see error_bound)."""
    if isinstance(errors, str):
        return None, errors
    bound = eb.network_bound(errors, u=eb.unit_roundoff(options.dtype), **where)
    return (bound, "") if np.isfinite(bound) else (None, "the bound overflowed")


@dataclass(frozen=True)
class _Layers:
    """What _layers made: the layers, the plan (tree), the error model or the reason there is none,
    and the choices BuildInfo records."""
    layers: tuple
    plan: ProductPlan | None
    errors: object
    beta: float | None = None
    scales: GateScales | None = None
    structure: str = "expanded"
    structure_reason: str = ""

    def info(self, partial_info, error_bound: float | None, reason: str) -> BuildInfo:
        counts = None if self.plan is None else PlanCounts(self.plan.depth, self.plan.product_gates,
                                                           self.plan.unshared_product_gates)
        return partial_info(error_bound, reason, beta=self.beta, scales=self.scales, plan=counts,
                            structure=self.structure, structure_reason=self.structure_reason)


def _check_shared_memory(sites: int, patch: int, width: int, options: BuildOptions) -> None:
    need = shared_bytes(sites, patch, width)
    if need > options.max_memory:
        raise HamcError(f"verifying this shared network on one configuration of its {sites:,} sites needs about "
                        f"{gigabytes(need)} GB (limit {options.max_memory / 1e9:.1f} GB, --max-memory)")


@dataclass(frozen=True, eq=False)
class _LayersRequest:
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


def _layers(request: _LayersRequest, *, options: BuildOptions) -> _Layers:
    """The layers, plan and error_bound.OutputErrors (or the reason there is none) for the request's table."""
    r = request
    dtype = np.dtype(options.dtype)
    u = eb.unit_roundoff(dtype)

    def refuse_overflow(check) -> None:       # before anything is allocated for the network
        check_range(check, options.dtype, options.input_range, r.has_reals)

    if r.strategy == "bits":
        bit_table, constant = (r.table, r.constant) if r.in_bits else spins_to_bits(r.table, r.constant, r.spin)
        refuse_overflow(bits_check(r.scale, bit_table))
        beta = bit_beta({k: (m, c * r.sites) for k, (m, c) in bit_table.items()}, options.target_tol,
                        error_scale(r.scale, r.posterior))
        layers = build_bits(bit_table, constant, r.spin, r.names, r.activation, dtype, beta, r.log_priors)
        conversion = conversion_error(r.table, r.in_bits, r.spin, r.sites, r.scale, u)
        errors = bits_errors(*layers, r.activation, beta, u, conversion)
        made = _Layers(layers, None, errors if errors is not None else "threshold sums that are not exact", beta=beta)
        return _bits_structure(made, r, options)
    gate_set, scales = unit_gates(r.activation, options.dtype, "single" if options.gates == "auto" else options.gates)
    if r.strategy == "flat":
        check_flat_size(r.table, gate_set.copy.neurons, options.max_neurons)
        refuse_overflow(flat_check(r.table, r.magnitude, gate_set.copy, r.activation, options.dtype, r.scale))
        layers = build_flat(r.table, r.constant, len(r.names), r.names, r.magnitude, r.activation, dtype,
                            gate_set.copy, lambda powers: gates.flat_scale(r.activation, powers, options.dtype).value,
                            r.log_priors, options.max_neurons)
        return _Layers(layers, None, "the flat strategy's one-layer gates", scales=scales)

    def tree(table_, magnitude_, names_, forms=None) -> _Layers:
        plan = plan_from_table(len(names_), len(r.constant), table_, r.constant)
        if forms is not None:
            plan = replace(plan, forms=forms, form_names=tuple(names_[len(r.names):]))
        refuse_overflow(tree_check(plan, magnitude_, gate_set, r.scale))
        layers, errors = build_tree(plan, magnitude_, gate_set, r.activation, dtype, names_, r.log_priors,
                                    rounded_inputs=dtype != np.float64, forms=forms)
        return _Layers(layers, plan, errors, scales=scales)

    return _tree_structure(tree(r.table, r.magnitude, r.names), tree, r, options)


def _tree_structure(expanded: _Layers, tree, r: _LayersRequest, options) -> _Layers:
    """The expanded tree or a factored one (structure.real_candidates, each built by `tree`), per _chosen."""
    if len(r.constant) > 1:
        return _one_energy_only(expanded, options)
    candidates = []
    if len(r.names) and options.structure != "expanded":
        from .structure import form_names, real_candidates     # numpy-only, but kept off the start-up path
        for c in real_candidates(r.table, r.constant, len(r.names), r.offsets):
            try:
                made = tree(c.table, np.concatenate([r.magnitude, np.abs(c.forms) @ r.magnitude]),
                            form_names(r.names, c.forms), c.forms)
            except HamcError:             # its weights would overflow the dtype: the expansion's did not
                continue
            made = replace(made, errors=factored.with_residual(made.errors, c.residual * r.magnitude.sum() ** 2))
            candidates.append(_option(made, options, r.sites, c.what))
    return _chosen(_option(expanded, options, r.sites), candidates, options, r.scale, r.sites)


def _bits_structure(made: _Layers, r: _LayersRequest, options) -> _Layers:
    """The bit products or squares of integer-valued linear forms as threshold steps, per _chosen."""
    if len(r.constant) > 1:
        return _one_energy_only(made, options)
    if r.in_bits:
        why = "squares of integer-valued linear forms are tried without a shared layout (--layout unrolled)"
    elif r.activation == "relu":
        why = "squares of integer-valued linear forms need threshold units (step, sigmoid, tanh), not relu"
    else:
        why = "no quadratic part that is a few squares of integer-valued linear forms"
    candidate = None if r.in_bits or r.activation == "relu" or options.structure == "expanded" else \
        _integer_candidate(r, options)
    return _chosen(_option(made, options, r.sites), [candidate] if candidate else [], options, r.scale, r.sites, why)


def _integer_candidate(r: _LayersRequest, options):
    """factored.integer_candidate as an option to compare, or None."""
    made = factored.integer_candidate(r.table, r.constant, r.spin, r.names, r.activation, options, r.scale,
                                      r.posterior)
    if made is None:
        return None
    layers, errors, beta, what = made
    return _option(_Layers(layers, None, errors, beta=beta), options, 1, what)


def _one_energy_only(expanded: _Layers, options: BuildOptions) -> _Layers:
    if options.structure == "factored":
        raise HamcError("--structure factored works on one Hamiltonian, not a classifier's several; "
                        "use --structure auto or expanded")
    return replace(expanded, structure_reason="expanded: a classifier's energies are not factored")


def _option(made: _Layers, options: BuildOptions, sites: int, what: str = "") -> factored.Option:
    bound = _bound(made.errors, options, sites=sites)[0]
    return factored.Option(made, sum(layer.n_out for layer in made.layers[:-1]), bound, what)


def _chosen(expanded: factored.Option, candidates, options: BuildOptions, scale: float, sites: int,
            *none_why: str) -> _Layers:
    """The option factored.choose picks, recording which and why."""
    target = options.target_tol * (scale if scale > 0 else 1.0)
    best, structure, why = factored.choose(expanded, candidates, options.structure, target, sites, *none_why)
    return replace(best.made, structure=structure, structure_reason=why)


def _density_only(h: Hamiltonian, array) -> bool:
    """One energy that is a constant plus a lattice sum over `array`, still unexpanded."""
    if len(h.energies) != 1:
        return False
    energy = h.energies[0]
    return (energy.lattice is not None and not energy.expanded and energy.lattice.array is array
            and all(d == 0 for d in energy.explicit_blocks[0]))


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
    elif _density_only(h, array):
        energy = h.energies[0]
        stencil = stencil_from_density(energy.lattice, energy.explicit_blocks[1][0].as_float()[:1]
                                       if 0 in energy.explicit_blocks[1] else np.zeros(1))
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
    if array is not None and _density_only(h, array):
        stencil = stencil_from_density(h.energies[0].lattice, np.zeros(1))
        return flat_network_neurons(stencil.table, copy_neurons) * array.size
    return flat_network_neurons(monomial_table(h)[0], copy_neurons)


__all__ = ["FLAT_STRATEGY_MAX_DEGREE", "build", "choose_strategy",
           "flat_hidden_neurons", "level"]
