"""Source -> Compiled: parse, lower, plan, build and verify, top to bottom."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from numbers import Integral
from typing import Callable

import numpy as np

from .build.assemble import build, flat_hidden_neurons
from .build.options import BuildOptions, check_options
from .build.error_bound import ErrorBound
from .errors import HamcError, expect_type
from .ir.domain import Domain
from .ir.hamiltonian import Hamiltonian
from .loading import load
from .lowering.lower import DEFAULT_MAX_TERMS
from .network.model import Network
from .build.plan import ProductPlan
from .build.ranges import remedy
from .analysis.bounds import energy_scale
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
            **self.error_bound.to_json(), "check": self.checked_error[0],
            "exact": self.hamiltonian.exact, "coefficients": self.hamiltonian.coefficients_note(),
        }

    def summary(self) -> str:
        j, net = self.to_json(), self.network
        roles = ", ".join(f"{n:,} {r}" for r, n in j["neurons_by_role"].items())
        lines = [
            f"strategy        {j['strategy']} ({j['activation']}, {j['dtype']})",
            f"hidden neurons  {j['hidden_neurons']:,}" + (f" ({roles})" if roles else ""),
            f"flat network    {j['flat_hidden_neurons']:,} hidden neurons in one layer",
            f"depth           {j['depth']} hidden layer(s)",
            f"synapses        {j['synapses']:,}",
            f"parameters      {j['parameters']:,} weights and biases" + (" (shared by every site)" if net.sites > 1 else ""),
        ]
        if j["strategy"] == "tree":
            reused = j["product_gates_unshared"] - j["product_gates"]
            lines.insert(3, f"product gates   {j['product_gates']:,} in {j['product_layers']} layer(s), "
                            f"{reused:,} reused ({j['product_gates_unshared']:,} without reuse)")
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


def compile_hamiltonian(source: Hamiltonian | str | os.PathLike, *, params: dict | None = None,
                        max_terms: int = DEFAULT_MAX_TERMS, options: BuildOptions | None = None,
                        samples: int = 2000, seed: int = 0, check: bool = True, check_by: str = "bound",
                        progress: Callable[[str], None] = lambda stage: None) -> Compiled:
    """Compile a .ham file, .ham text or a Hamiltonian to a network and measure its error.

    With `check`, a network whose error exceeds the tolerance is refused (HamcError) rather than
    returned; `hamc verify` passes check=False and reports instead. `check_by` says which error:
    "bound", the certified bound over the whole input box (the sample where there is none), or
    "sample", the measured maximum. `progress(stage)` is called as each stage starts.
    """
    # made per call, not at import: its memory limit is the process's when it compiles (ulimit -v)
    options = options if options is not None else BuildOptions()
    expect_type(source, (Hamiltonian, str, os.PathLike), "hamc.compile takes a Hamiltonian, a path or .ham text")
    expect_type(options, BuildOptions, "hamc.compile's options= takes a BuildOptions, as in "
                "BuildOptions(strategy='bits')")
    for name, value in (("samples", samples), ("seed", seed), ("max_terms", max_terms)):
        expect_type(value, Integral, f"hamc.compile's {name}= takes an int")
    progress("lowering")
    h = source if isinstance(source, Hamiltonian) else load(source, params=params, max_terms=max_terms)
    try:
        check_options(options)
        if check_by not in CHECKS:
            raise HamcError(f"unknown check '{check_by}'; choose one of {', '.join(CHECKS)}")
        if samples < 1:               # 0 samples would "verify" any network, < 0 crashed numpy
            raise HamcError(f"the error check needs at least 1 random input (--samples), got {samples}")
        progress("building")
        scale = energy_scale(h, options.input_range)
        built = build(h, options=options, scale=scale)
        network, plan = built.network, built.plan
    except HamcError as err:          # name the file the options were refused for
        raise err.located(h.source, "") from None
    progress("verifying")
    result = verify(network, h, input_range=options.input_range, samples=samples, seed=seed)
    if not result.ok:                 # refused even without `check`: hamc built it, so say what caused it
        lo, hi = options.input_range
        raise HamcError(f"the network's output is not finite (NaN or inf) on {result.nonfinite:,} of "
                        f"{result.samples:,} inputs with --input-range {lo:g} {hi:g} and --dtype {options.dtype}; "
                        f"{remedy(options.dtype, bool(np.any(h.domains == Domain.REAL)))}", filename=h.source)
    compiled = Compiled(h, plan, network, result, options,
                        flat_hidden_neurons(h, network.meta.get("copy_neurons", 2)), check_by)
    if check and not compiled.ok:
        raise HamcError(tolerance_message(compiled), filename=h.source)
    return compiled


CHECKS = ("bound", "sample")


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
