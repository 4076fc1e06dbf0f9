"""(expanded build, structured candidates) -> the cheaper one that meets --tol, and why; threshold
neurons for squares of integer-valued linear forms on bits and spins."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import rounding as fp
from . import error_bound as eb
from .bits import bit_beta, bits_errors, build_bits, conversion_error, spins_to_bits
from ..errors import HamcError
from ..network.activations import get_activation
from ..network.model import GateBlock, make_layer
from .flat import output_layer
from .heads import error_scale
from .info import MadeLayers
from .options import BuildOptions
from .integer_powers import integer_power
from .structure import IntegerSquares, integer_squares


@dataclass(frozen=True)
class Option:
    """One way to build the same H: what was made, its hidden neurons (per site), its certified
    bound (None: no model) and what it is ("2 squares of linear forms")."""
    made: object
    neurons: int
    bound: float | None
    what: str = ""


def with_residual(errors, extra: float):
    """error_bound.OutputErrors with `extra` added to every output (a decomposition's rounding)."""
    return errors if isinstance(errors, str) else replace(errors, value=np.asarray(errors.value) + extra)


def choose(expanded: Option, candidates: list[Option], mode: str, target: float, sites: int,
           none_why: str = "no quadratic part or power of a linear form to factor"):
    """(the option to build, "expanded" | "factored", why). auto: the fewest hidden neurons among
    those whose bound meets `target` (the expansion on ties, and when none does). `none_why`: why
    there are no candidates."""
    unit = " per site" if sites > 1 else ""
    per = "/site" if sites > 1 else ""
    if not candidates:
        if mode == "factored":
            raise HamcError(f"--structure factored: {none_why}; use --structure auto or expanded")
        return expanded, "expanded", "expanded (--structure expanded)" if mode == "expanded" else f"expanded: {none_why}"
    meets = [c for c in candidates if c.bound is not None and c.bound <= target]
    best = min(meets or candidates, key=lambda c: c.neurons)
    why_factored = (f"factored: {best.what}{unit}, {best.neurons:,} neurons{per}; "
                    f"expanded would be {expanded.neurons:,}")
    why_expanded = (f"expanded: {expanded.neurons:,} neurons{per}; factored ({best.what}{unit}) would be "
                    f"{best.neurons:,}" + ("" if meets else " and miss the tolerance"))
    if mode == "factored":
        return best, "factored", why_factored + " (--structure factored)"
    if mode == "expanded":
        return expanded, "expanded", why_expanded + " (--structure expanded)"
    expanded_meets = expanded.bound is not None and expanded.bound <= target
    if meets and (best.neurons < expanded.neurons or not expanded_meets):
        return best, "factored", why_factored
    return expanded, "expanded", why_expanded


def threshold_layers(squares: IntegerSquares, hidden, output, spin: np.ndarray, activation: str, dtype,
                     beta: float | None):
    """The bit-product layers (hidden, output) plus one threshold neuron per step of each square:
    d (l . x)^2 at its reachable integer values v_0 < v_1 < ... is d v_0^2 plus, for each j, the
    increment d (v_j^2 - v_(j-1)^2) switched on where l . x passes (v_(j-1) + v_j) / 2, exact
    between integers. Inputs are read raw (spins as spins); the activation has limits (or is step)."""
    lo, hi = (0.0, 1.0) if activation == "step" else get_activation(activation).limits
    sharp = 1.0 if activation == "step" else float(beta)
    cols, biases, readout, constant = [], [], [], 0.0
    for index, (form, values) in enumerate(zip(squares.forms, squares.values)):
        values = values.astype(np.float64)
        levels = squares.levels(index)
        steps = np.diff(levels)
        keep = steps != 0
        # scaled so the nearest reachable values sit 1/2 from each threshold, as a bit product's sums do:
        # the tail the error bound charges, sigma(-beta/2), is then what the sigmoid gives there
        unit = sharp / (float(np.diff(values).min()) if len(values) > 1 else 1.0)
        constant += levels[0] + float(np.sum(steps[keep])) * -lo / (hi - lo)
        for t, inc in zip(((values[:-1] + values[1:]) / 2)[keep], steps[keep]):
            cols.append(unit * form)
            biases.append(-unit * t)
            readout.append(inc / (hi - lo))
    w_old = hidden.weight.toarray() if hasattr(hidden.weight, "toarray") else hidden.weight
    weight = np.hstack([np.asarray(w_old, np.float64), np.array(cols, np.float64).T.reshape(len(spin), -1)])
    rows, cc = np.nonzero(weight)
    bias = np.concatenate([hidden.bias.astype(np.float64), biases])
    layer_gates = hidden.gates + ((GateBlock("threshold", len(cols), 1),) if cols else ())
    new_hidden = make_layer(rows, cc, weight[rows, cc], weight.shape, bias, activation, dtype, layer_gates)
    w_out = output.weight.toarray() if hasattr(output.weight, "toarray") else output.weight
    coef = np.vstack([np.asarray(w_out, np.float64), np.array(readout, np.float64).reshape(-1, 1)])
    out = output_layer(coef, output.bias.astype(np.float64) + constant + squares.shift * spin.sum(),
                       len(bias), dtype, None)
    return new_hidden, out, float(np.sum(np.abs(readout)))


def integer_rest(table: dict, squares: IntegerSquares, spin: np.ndarray) -> dict:
    """The table without its quadratic part; on bits the diagonal shift's x_i^2 = x_i joins the linear terms
    (on spins s_i^2 = 1 is a constant, added by threshold_layers)."""
    rest = {k: v for k, v in table.items() if k != 2}
    bits = np.flatnonzero(~spin)
    if squares.shift == 0 or not len(bits):
        return rest
    linear = np.zeros(len(spin))
    if 1 in rest:
        np.add.at(linear, rest[1][0][:, 0], rest[1][1][:, 0])
    linear[bits] += squares.shift
    nz = np.flatnonzero(linear)
    rest[1] = (nz[:, None].astype(np.int64), linear[nz][:, None])
    return rest


def integer_conversion(squares: IntegerSquares, readout_sum: float, n: int, u: float) -> float:
    """What the integer factorisation adds to the bound: its residual over |sum x_i| <= n, the
    rounding of the increments and of the constant it moved."""
    return float(squares.mismatch(n) + fp.gamma(4, u) * readout_sum
                 + fp.gamma(2, u) * abs(squares.shift) * n)


def integer_candidate(table, constant, spin, names, activation, options, scale, posterior, power: bool = False):
    """(layers, errors, beta, what) of the squares of integer-valued linear forms as threshold steps
    and the rest of the table as bit products, or None where the quadratic part has no such squares.
    power: the whole table as a polynomial of one such form (integer_powers), all threshold steps."""
    squares = integer_power(table, len(names), spin) if power else integer_squares(table, len(names), spin)
    if squares is None:
        return None
    u, dtype = fp.unit_roundoff(options.dtype), np.dtype(options.dtype)
    rest = {} if power else integer_rest(table, squares, spin)
    bit_table, bit_constant = spins_to_bits(rest, constant, spin)
    weight = sum(np.abs(np.diff(squares.levels(k))).sum() for k in range(len(squares.values)))
    beta = bit_beta({**bit_table, "squares": (None, np.array([[weight]]))}, options.target_tol,
                    error_scale(scale, posterior))
    hidden, output = build_bits(bit_table, bit_constant, spin, names, activation, dtype, beta, None)
    hidden, output, readout = threshold_layers(squares, hidden, output, spin, activation, dtype, beta)
    conversion = (conversion_error(rest, False, spin, 1, scale, u)
                  + integer_conversion(squares, readout, len(names), u))
    errors = bits_errors(hidden, output, activation, beta, u, conversion)
    k = sum(bool(np.any(np.diff(squares.levels(i)))) for i in range(len(squares.values)))    # forms that step
    what = f"{k} square{'s' if k > 1 else ''} of integer-valued linear forms as threshold steps" if not power else \
        f"a polynomial of degree {len(squares.coefficients)} in an integer-valued linear form as threshold steps"
    return (hidden, output), errors if errors is not None else "threshold sums that are not exact", beta, what


def tree_structure(expanded: MadeLayers, tree, request, options: BuildOptions) -> MadeLayers:
    """The expanded tree or a factored one (structure.real_candidates, each built by `tree`), per _chosen.
    `request`: the table_layers.LayersRequest both are built for."""
    r = request
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
            reach = r.magnitude.sum()
            made = replace(made, errors=with_residual(made.errors, c.residual * sum(reach ** k for k in c.degrees)))
            candidates.append(_option(made, options, r.sites, c.what))
    return _chosen(_option(expanded, options, r.sites), candidates, options, r.scale, r.sites)


def bits_structure(made: MadeLayers, request, options: BuildOptions) -> MadeLayers:
    """The bit products or squares of integer-valued linear forms as threshold steps, per _chosen."""
    r = request
    if len(r.constant) > 1:
        return _one_energy_only(made, options)
    if r.in_bits:
        why = "squares of integer-valued linear forms are tried without a shared layout (--layout unrolled)"
    elif r.activation == "relu":
        why = "squares of integer-valued linear forms need threshold units (step, sigmoid, tanh), not relu"
    else:
        why = "no quadratic part that is a few squares of integer-valued linear forms, nor a polynomial of one"
    candidates = [] if r.in_bits or r.activation == "relu" or options.structure == "expanded" else \
        [c for c in (_integer_option(r, options), _integer_option(r, options, power=True)) if c is not None]
    return _chosen(_option(made, options, r.sites), candidates, options, r.scale, r.sites, why)


def _integer_option(r, options: BuildOptions, power: bool = False) -> Option | None:
    """integer_candidate as an option to compare, or None."""
    made = integer_candidate(r.table, r.constant, r.spin, r.names, r.activation, options, r.scale, r.posterior, power)
    if made is None:
        return None
    layers, errors, beta, what = made
    return _option(MadeLayers(layers, None, errors, beta=beta), options, 1, what)


def _one_energy_only(expanded: MadeLayers, options: BuildOptions) -> MadeLayers:
    if options.structure == "factored":
        raise HamcError("--structure factored works on one Hamiltonian, not a classifier's several; "
                        "use --structure auto or expanded")
    return replace(expanded, structure_reason="expanded: a classifier's energies are not factored")


def _option(made: MadeLayers, options: BuildOptions, sites: int, what: str = "") -> Option:
    bound = eb.certified_bound(made.errors, options.dtype, sites=sites)[0]
    return Option(made, sum(layer.n_out for layer in made.layers[:-1]), bound, what)


def _chosen(expanded: Option, candidates, options: BuildOptions, scale: float, sites: int,
            *none_why: str) -> MadeLayers:
    """The option choose picks, recording which and why."""
    target = options.target_tol * (scale if scale > 0 else 1.0)
    best, structure, why = choose(expanded, candidates, options.structure, target, sites, *none_why)
    return replace(best.made, structure=structure, structure_reason=why)
