"""Source -> Compiled: parse, lower, plan, build and verify, top to bottom."""
from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from numbers import Integral
from typing import Callable

import numpy as np

from .build.assemble import build
from .build.options import BuildOptions, check_options
from .build.error_bound import ErrorBound
from .errors import HamcError, expect_type
from .ir.domain import Domain
from .ir.hamiltonian import Hamiltonian
from .loading import is_sympy_input, load
from .lowering.lower import DEFAULT_MAX_TERMS
from .network.model import Network
from .build.plan import ProductPlan
from .build.ranges import remedy
from .analysis.bounds import energy_scale
from .reprs import compiled_rows, figure, table
from .verification import Verification, describe_sample, verify


@dataclass(frozen=True)
class Compiled:
    hamiltonian: Hamiltonian
    plan: ProductPlan | None         # the product tree (tree strategy; per site for a shared layout)
    network: Network
    verification: Verification
    options: BuildOptions
    flat_hidden_neurons: int
    check: str = "bound"             # what --tol is checked against: the certified bound or the sample
    gates_note: str = ""             # why --gates auto chose Richardson gates ("" where it did not)

    @property
    def error_bound(self) -> ErrorBound:
        """The certified bound on max |network - H| over the whole input box (error_bound), relative
        to the same S as max_rel_error."""
        meta = self.network.meta
        return ErrorBound.of(meta.get("error_bound"), self.verification.scale,
                             meta.get("error_bound_reason") or "this network")

    @property
    def checked_error(self) -> tuple[str, float]:
        """(what, relative error) that --tol is held to: the bound, or the sample when asked or
        when there is no bound."""
        bound = self.error_bound
        if self.check == "bound" and bound.relative is not None:
            return "bound", bound.relative
        return "sample", self.verification.max_rel_error

    @property
    def ok(self) -> bool:
        return self.checked_error[1] <= self.options.target_tol

    def to_json(self) -> dict:
        net, v = self.network, self.verification
        return {
            "strategy": net.meta["strategy"], "strategy_reason": self._strategy_reason(),
            "activation": net.meta["activation"], "dtype": net.meta["dtype"], "inputs": len(net.inputs), "outputs": list(net.outputs),
            "hidden_neurons": net.hidden_neurons, "neurons_by_role": net.neurons_by_role(),
            "synapses": net.synapses, "parameters": net.parameters, "depth": net.depth,
            "layout": net.meta["layout"], "sites": net.sites,
            "structure": net.meta.get("structure", "expanded"), "structure_reason": net.meta.get("structure_reason", ""),
            "product_layers": self.plan.depth if self.plan else 0,
            "product_gates": self.plan.product_gates * net.sites if self.plan else 0,
            "product_gates_unshared": self.plan.unshared_product_gates * net.sites if self.plan else 0,
            "flat_hidden_neurons": self.flat_hidden_neurons,
            **({"gates": net.meta["gates"], "gates_reason": self.gates_note or net.meta["gates"] + " (" + (
                "--gates)" if self.options.gates != "auto" else "meets --tol)")} if "gates" in net.meta else {}),
            "max_abs_error": v.max_abs_error, "max_rel_error": v.max_rel_error, "scale": v.scale,
            "samples": v.samples, "exhaustive": v.exhaustive, "tol": self.options.target_tol,
            **self.error_bound.to_json(), "check": self.checked_error[0],
            "exact": self.hamiltonian.exact, "coefficients": self.hamiltonian.coefficients_note(),
        }

    def _strategy_reason(self) -> str:
        if self.options.strategy != "auto":
            return "as asked (--strategy)"
        if self.network.meta["strategy"] == "bits":
            return "every variable is a bit or spin: one threshold neuron per monomial, exact"
        return "real variables: products of smooth gates, accurate to --tol"

    def _repr_html_(self) -> str:
        layers = f"<pre>{html.escape(self.network.summary())}</pre>"
        return table(f"Compiled {self.hamiltonian.source}", compiled_rows(self), layers + figure(self.network))

    def summary(self) -> str:
        j, net = self.to_json(), self.network
        roles = ", ".join(f"{n:,} {r}" for r, n in j["neurons_by_role"].items())
        lines = [
            f"strategy        {j['strategy']} ({j['activation']}, {j['dtype']}): {j['strategy_reason']}",
            f"hidden neurons  {j['hidden_neurons']:,}" + (f" ({roles})" if roles else ""),
            f"flat network    {j['flat_hidden_neurons']:,} hidden neurons in one layer",
            f"depth           {j['depth']} hidden layer(s)",
            *([f"structure       {j['structure_reason']}"] if j["structure_reason"] else []),
            f"synapses        {j['synapses']:,}",
            f"parameters      {j['parameters']:,} weights and biases" + (" (shared by every site)" if net.sites > 1 else ""),
        ]
        if j["strategy"] == "tree":
            reused = j["product_gates_unshared"] - j["product_gates"]
            lines.insert(3, f"product gates   {j['product_gates']:,} in {j['product_layers']} layer(s), "
                            f"{reused:,} reused ({j['product_gates_unshared']:,} without reuse)")
        if "gates" in j:
            lines.insert(4, f"gates           {j['gates_reason']}; {net.meta['product_neurons']} neurons per product, "
                            f"{net.meta['square_neurons']} per square, {net.meta['copy_neurons']} per copy")
        if j["strategy"] in ("bits", "flat") and np.any(self.hamiltonian.domains == Domain.SPIN):
            lines.append("spins           rewritten over bits, s = 2x - 1 (x = 1 for s = +1): each spin "
                         "factor of a term becomes two bit terms")
        if not j["exact"]:           # the exact polynomial the error is measured against is not exact
            lines.append(f"coefficients    {j['coefficients']}")
        return "\n".join(lines + self._error_lines(j) + ["", net.summary()])

    def _error_lines(self, j: dict) -> list[str]:
        bound = self.error_bound
        certified = (f"certified bound {bound.absolute:.3g}, rel {bound.relative:.3g} (over the whole input box)"
                     if bound.absolute is not None else f"no certified bound for {bound.reason}")
        held = "certified bound's" if j["check"] == "bound" else "measured"
        scale = ("S = 1: the outputs are probabilities" if self.hamiltonian.is_classifier else
                 f"S = {j['scale']:.4g}: the largest |H| the input box allows (sum of |c| x |input|^power)")
        return [f"error           measured max abs {j['max_abs_error']:.3g}, max rel {j['max_rel_error']:.3g} "
                f"(on {self._sampled(j)})", f"                {certified}",
                f"                tol {j['tol']:g} on the {held} max rel error (rel = abs / S)",
                f"                {scale}"]

    def _sampled(self, j: dict) -> str:
        h = self.hamiltonian
        return describe_sample(self.verification, h.n_variables, bool(np.all(h.domains > 0)))


def compile_hamiltonian(source, *, variables: Mapping | None = None, priors: Mapping | None = None,
                        params: dict | None = None, max_terms: int = DEFAULT_MAX_TERMS,
                        options: BuildOptions | None = None, samples: int = 2000, seed: int = 0,
                        check: bool = True, check_by: str = "bound",
                        progress: Callable[[str], None] = lambda stage: None, **build_options) -> Compiled:
    """Compile a Hamiltonian to a network and measure its error against the exact polynomial.

    source      a .ham file's path, .ham text, a Hamiltonian (hamc.load), a sympy expression, or a
                dict label -> sympy expression (a classifier)
    variables   for a sympy expression: each symbol or IndexedBase (or its name) -> "real", "bit" or
                "spin"; the network's inputs follow this order. Symbols left out are real if declared
                Symbol("x", real=True)
    priors      for a dict of sympy expressions: label -> p(y) (default uniform)
    params      for .ham input: parameter name -> number, .ham text or NumPy array (like --param)
    max_terms   refuse an expansion to more terms than this (like --max-terms)
    options     a BuildOptions; the keyword shortcuts below override its fields
    samples     random inputs the error is measured on (all inputs for up to 20 bits/spins)
    seed        seed of those inputs
    check       refuse (HamcError) a network whose error exceeds the tolerance; False reports instead
    check_by    "bound": the certified bound over the whole input box (the sample where there is
                none); "sample": the measured maximum
    progress    progress(stage) is called as each stage ("lowering", "building", "verifying") starts

    Keyword shortcuts for BuildOptions (hamc.compile(h, tol=1e-9, dtype="float32")):
    strategy      "auto", "tree", "flat" or "bits"
    activation    "sigmoid", "tanh", "softplus", "exp", "relu" or "step" (default: step for bits,
                  sigmoid otherwise)
    dtype         "float64" or "float32"
    tol           the relative error to reach (default 1e-6 in float64, 1e-2 in float32)
    input_range   (lo, hi) of real variables (default (-1, 1))
    max_neurons   refuse larger flat networks before building them
    layout        "auto", "shared" or "unrolled" (lattice Hamiltonians)
    max_memory    bytes an unrolled build may use
    structure     "auto", "expanded" or "factored": plan from the monomials, from products and
                  squares of linear forms, or the cheaper of the two that meets tol
    gates         "auto", "single", "richardson" or "paper": gates at the accurate bias point, pairs
                  of them combined at two scales, the paper's construction; auto adds pairs where
                  single gates miss tol
    """
    # made per call, not at import: its memory limit is the process's when it compiles (ulimit -v)
    options = _options(options if options is not None else BuildOptions(), build_options)
    if not is_sympy_input(source):
        expect_type(source, (Hamiltonian, str, os.PathLike), "hamc.compile takes a Hamiltonian, a path, .ham text "
                    "or a sympy expression")
    for name, value in (("samples", samples), ("seed", seed), ("max_terms", max_terms)):
        expect_type(value, Integral, f"hamc.compile's {name}= takes an int")
    progress("lowering")
    if isinstance(source, Hamiltonian):
        if variables is not None or priors is not None:
            raise HamcError("variables= and priors= describe a sympy expression; this Hamiltonian has its own")
        h = source
    else:
        h = load(source, params=params, max_terms=max_terms, variables=variables, priors=priors)
    try:
        check_options(options)
        if check_by not in CHECKS:
            raise HamcError(f"unknown check '{check_by}'; choose one of {', '.join(CHECKS)}")
        if samples < 1:               # 0 samples would "verify" any network, < 0 crashed numpy
            raise HamcError(f"the error check needs at least 1 random input (--samples), got {samples}")
        scale = energy_scale(h, options.input_range)
    except HamcError as err:          # name the file the options were refused for
        raise err.located(h.source, "") from None
    compiled = _build_and_verify(h, options, scale, samples, seed, check_by, progress)
    if options.gates == "auto" and compiled.network.meta.get("gates") == "single" and not compiled.ok:
        # one gate per product cannot reach --tol in this dtype: Richardson pairs, twice the neurons
        finer = _build_and_verify(h, replace(options, gates="richardson"), scale, samples, seed, check_by, progress)
        if finer.ok or finer.checked_error[1] < compiled.checked_error[1]:
            compiled = replace(finer, options=options, gates_note=(
                f"richardson: single gates reach {compiled.checked_error[1]:.2g} (the {compiled.checked_error[0]}),"
                f" above --tol {options.target_tol:g}"))
    if check and not compiled.ok:
        raise HamcError(tolerance_message(compiled), filename=h.source)
    return compiled


def _build_and_verify(h: Hamiltonian, options: BuildOptions, scale: float, samples: int, seed: int,
                      check_by: str, progress: Callable[[str], None]) -> Compiled:
    """Build with these options and verify; the result is not yet held to --tol."""
    progress("building")
    try:
        built = build(h, options=options, scale=scale)
        network, plan, flat = built.network, built.plan, built.flat_hidden_neurons
    except HamcError as err:          # name the file the options were refused for
        raise err.located(h.source, "") from None
    progress("verifying")
    result = verify(network, h, input_range=options.input_range, samples=samples, seed=seed)
    if not result.ok:                 # refused even without `check`: hamc built it, so say what caused it
        lo, hi = options.input_range
        raise HamcError(f"the network's output is not finite (NaN or inf) on {result.nonfinite:,} of "
                        f"{result.samples:,} inputs with --input-range {lo:g} {hi:g} and --dtype {options.dtype}; "
                        f"{remedy(options.dtype, bool(np.any(h.domains == Domain.REAL)))}", filename=h.source)
    return Compiled(h, plan, network, result, options, flat,
                    check_by)


CHECKS = ("bound", "sample")


def _options(options: BuildOptions, shortcuts: dict) -> BuildOptions:
    """options with the keyword shortcuts (BuildOptions fields) of hamc.compile applied."""
    expect_type(options, BuildOptions, "hamc.compile's options= takes a BuildOptions, as in "
                "BuildOptions(strategy='bits')")
    known = [f.name for f in fields(BuildOptions)]
    unknown = sorted(set(shortcuts) - set(known))
    if unknown:
        raise TypeError(f"hamc.compile() got an unexpected keyword argument '{unknown[0]}' (BuildOptions "
                        f"fields: {', '.join(known)})")
    if "input_range" in shortcuts:      # a list reads naturally; the frozen dataclass keeps a tuple
        shortcuts = {**shortcuts, "input_range": tuple(shortcuts["input_range"])}
    return replace(options, **shortcuts) if shortcuts else options


def tolerance_message(c: Compiled) -> str:
    v, o, bound = c.verification, c.options, c.error_bound
    measured = f"measured max_rel_error {v.max_rel_error:.2g} (max abs {v.max_abs_error:.2g} on {v.samples:,} inputs)"
    if c.checked_error[0] == "bound" and v.max_rel_error <= o.target_tol:
        return (f"the certified error bound {bound.relative:.2g} (rel; {bound.absolute:.2g} abs, over the whole input "
                f"box) is above the tolerance {o.target_tol:g}, although the {measured} meets it; the bound "
                f"reaches --tol {_round_up(bound.relative)}; --check sample accepts the network on the sample alone")
    hint = ("float32's 24-bit rounding limits every gate: use --dtype float64 or a looser --tol"
            if o.dtype == "float32" else
            "a looser --tol, a smaller --input-range, or --activation softplus may help")
    reach = max(v.max_rel_error, bound.relative or 0.0) if c.checked_error[0] == "bound" else v.max_rel_error
    certified = f", certified bound {bound.relative:.2g}" if bound.relative is not None else ""
    return (f"the network's {measured}{certified} is above the tolerance {o.target_tol:g}; "
            f"{o.dtype} with this construction reaches about {reach:.1g}: {hint}")


def _round_up(x: float) -> str:
    """x rounded up to two significant digits, as a --tol the bound meets."""
    if x <= 0:
        return "0"
    e = math.floor(math.log10(x)) - 1
    return f"{math.ceil(x / 10 ** e) * 10 ** e:.2g}"
