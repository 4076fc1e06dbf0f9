"""Input ranges the dtype can hold: refused before building where a bound or a weight would overflow.

The builder scales every gate's inputs by 1/R (R: the bound of the value it reads) and its output
by R, so a network stays accurate for any range, until a bound, a readout weight (R times the
gate's own output weights) or |H| itself leaves the floating-point range. Bounds are compared in
log10 here, so no overflow happens while checking for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import floor, inf, isfinite, log10

import numpy as np

from ..errors import HamcError


@dataclass(frozen=True)
class RangeCheck:
    """What one construction forms, as log10 of magnitudes (inf where a bound overflowed)."""

    scale: float                # S, the bound on |H| over the box
    readout: float              # largest sub-product bound times its gate's readout weights (float64)
    output: float               # largest output-layer weight: S times the gates' readout weights
    input_weight: float         # smallest first-layer input weight: a gate's lambda over the largest R
    input_weight_max: float = 0.0   # largest: a gate's lambda over the smallest R (a narrow range)


def log10_or_inf(value: float) -> float:
    return log10(value) if value > 0 and isfinite(value) else (-inf if value == 0 else inf)


def power_of_ten(exponent: float) -> str:
    """10^exponent as 1.23e+320, for magnitudes beyond any float."""
    if not isfinite(exponent):
        return "infinity" if exponent > 0 else "0"
    whole = floor(exponent)
    return f"{10 ** (exponent - whole):.3g}e{whole:+03d}"


def check_range(check: RangeCheck, dtype: str, input_range, has_reals: bool) -> None:
    """HamcError, naming --input-range and --dtype, if the network would hold a value beyond `dtype`."""
    info, float64_max = np.finfo(np.dtype(dtype)), float(np.finfo(np.float64).max)
    float64_tiny = float(np.finfo(np.float64).tiny)
    top, bottom = log10(float(info.max)), log10(float(info.tiny))
    beyond = f"beyond the largest {dtype} ({float(info.max):.3g})"
    wide = True
    if check.scale > top:
        problem = f"|H| can reach {power_of_ten(check.scale)} on this box, {beyond}"
    elif check.readout > log10(float64_max):
        problem = (f"the bound of a product or running sum times its gate's readout weights reaches "
                   f"{power_of_ten(check.readout)}, "
                   f"beyond the largest float64 ({float64_max:.3g})")
    elif check.output > top:
        problem = (f"the output layer's weights (|H|'s bound times the gates' readout weights) reach "
                   f"{power_of_ten(check.output)}, {beyond}")
    elif check.input_weight_max > top:
        wide = False
        problem = (f"the first layer's input weights (lambda / R) reach {power_of_ten(check.input_weight_max)}, "
                   f"{beyond}")
    elif log10(float64_tiny) < check.scale < bottom:     # S = float64's tiny stands for H = 0 (verification)
        raise HamcError(f"the coefficients{' (or --input-range)' if has_reals else ''} are too small for "
                        f"--dtype {dtype}: |H| reaches at most {power_of_ten(check.scale)} on this box, below the "
                        f"smallest normal {dtype} ({float(info.tiny):.3g}), where rounding is no longer relative; "
                        "rescale H's coefficients, or use --dtype float64")
    elif check.input_weight < bottom:
        problem = (f"the first layer's input weights (lambda / R) fall to {power_of_ten(check.input_weight)}, "
                   f"below the smallest normal {dtype} ({float(info.tiny):.3g})")
    else:
        return
    raise HamcError(f"{range_text(input_range, dtype, has_reals, wide)}: {problem}; {remedy(dtype, has_reals, wide)}")


def range_text(input_range, dtype: str, has_reals: bool, wide: bool = True) -> str:
    lo, hi = input_range
    if has_reals:
        return f"--input-range {lo:g} {hi:g} is too {'wide' if wide else 'narrow'} for --dtype {dtype}"
    return f"the coefficients are too large for --dtype {dtype}"


def remedy(dtype: str, has_reals: bool, wide: bool = True) -> str:
    fix = "rescale H's coefficients"
    if has_reals:
        fix = f"use a {'smaller' if wide else 'wider'} --input-range (rescale the variables)"
    return fix + (", or use --dtype float64" if dtype != "float64" else "")


def check_finite_layers(layers, extra: dict, dtype: str, input_range, has_reals: bool) -> None:
    """A backstop after building: every weight, bias and offset finite (HamcError otherwise)."""
    for k, layer in enumerate(layers):
        weights = layer.weight.data if hasattr(layer.weight, "data") and not isinstance(layer.weight, np.ndarray) \
            else layer.weight
        parts = {"weights": weights, "biases": layer.bias, "offsets": layer.offset}
        for what, values in parts.items():
            if values is not None and not np.all(np.isfinite(values)):
                name = "the output layer" if k == len(layers) - 1 else f"hidden layer {k + 1}"
                raise HamcError(f"{range_text(input_range, dtype, has_reals)}: {name}'s {what} are not finite "
                                f"in {dtype}; {remedy(dtype, has_reals)}")
    for what, values in extra.items():
        if not np.all(np.isfinite(values)):
            raise HamcError(f"{range_text(input_range, dtype, has_reals)}: the {what} are not finite in {dtype}; "
                            f"{remedy(dtype, has_reals)}")


def log_scale(scale: float, table: dict, log_mag: np.ndarray | None) -> float:
    """log10 S; where S overflowed, the largest single term's log10 bound, which already says by how
    much (log_mag: log10 of the variables' bounds; None for bits and spins, all 1)."""
    if isfinite(scale):
        return log10_or_inf(scale)
    with np.errstate(divide="ignore"):
        terms = [float((np.log10(np.abs(c).max(axis=1)) + (log_mag[m].sum(axis=1) if log_mag is not None else 0)).max())
                 for k, (m, c) in table.items() if k and len(m)]
    return max(terms, default=inf)


def gate_gain(gate) -> float:
    """log10 of the sum of a gate's |output weights|: its readout of a unit input, in the worst case."""
    return log10(float(np.abs(gate.w_out).sum() + np.abs(gate.b_out).sum()))


def tree_check(plan, magnitude: np.ndarray, gate_set, scale: float) -> RangeCheck:
    """Every sub-product of the plan is read out at its bound times the gates' readout weights."""
    log_mag = np.log10(magnitude)
    s = log_scale(scale, {k: (plan.nodes[k][rows], c) for k, (rows, c) in plan.terms.items()}, log_mag)
    if plan.depth == 0:              # no gates: the output layer holds H's own coefficients
        return RangeCheck(s, 0.0, s, 0.0)
    gain = max(gate_gain(g) for g in (gate_set.product, gate_set.square, gate_set.copy))
    nodes = max(float(log_mag[v].sum(axis=1).max(initial=-inf)) for v in plan.nodes.values())
    lam = min(gate_set.product.scale, gate_set.square.scale, gate_set.copy.scale)
    lam_max = max(gate_set.product.scale, gate_set.square.scale, gate_set.copy.scale)
    return RangeCheck(s, max(nodes, s) + gain, s + gain, log10(lam) - float(log_mag.max(initial=0.0)),
                      log10(lam_max) - float(log_mag.min(initial=0.0)))


def flat_check(table: dict, magnitude: np.ndarray, copy_gate, activation: str, dtype: str,
               scale: float) -> RangeCheck:
    """A flat gate of degree d reads out 1 / (|s_d| lambda^d) times its monomial's bound."""
    from . import series_scales
    from ..network.activations import bias_point, derivatives
    log_mag = np.log10(magnitude)
    s = log_scale(scale, table, log_mag)
    readout, gains, lams = -inf, [0.0], []
    for d, (monomials, _) in table.items():
        if d == 0 or not len(monomials):
            continue
        if d == 1:
            lam, gain = copy_gate.scale, gate_gain(copy_gate)
        else:
            lam = series_scales.flat_scale(activation, d, dtype).value
            gain = -log10(abs(derivatives(activation, bias_point(activation, d), d)[d])) - d * log10(lam)
        readout = max(readout, float(log_mag[monomials].sum(axis=1).max()) + gain)
        gains.append(gain)
        lams.append(lam)
    if not lams:
        return RangeCheck(s, readout, s + max(gains), 0.0)
    return RangeCheck(s, readout, s + max(gains), log10(min(lams)) - float(log_mag.max(initial=0.0)),
                      log10(max(lams)) - float(log_mag.min(initial=0.0)))


def bits_check(scale: float, table: dict) -> RangeCheck:
    """Bit products read out 0 or 1 with weights |c| <= S: only |H| itself can overflow."""
    s = log_scale(scale, table, None)
    return RangeCheck(s, 0.0, s, 0.0)
