"""(template OutputErrors, LocalLayout, coefficient arrays) -> the certified error bound of a locally connected network.

The network (network/local.py) computes, with h_c(s) the template's last hidden channels at site s,
W, b its output layer and a~ the stored coefficient arrays (P patterns, `sites` sites, C channels):

    V[c, s] = sum_p W[c, p] a~_p(s)                      (in the dtype)
    D_c     = sum_s h_c(s) V[c, s]                        (in the dtype)
    N       = dtype( sum_c D_c + sum_p b_p sum_s a~_p(s) + pool_bias )   (in float64)

and H = c0 + sum_s sum_p a_p(s) m_p(x at s). Let t_p(s) = h(s) @ W[:, p] + b_p in exact arithmetic:
the template's OutputErrors (error_bound, the same per-gate and rounding models as the other layouts)
give |t_p(s) - m_p(s)| <= e_p = value_p + gamma_4 hs_p at every site (value: the gates' errors on
the box; gamma_4 hs_p the output weights' storage, hs_p = |h| @ |W[:, p]| + |b_p| bounding |t_p|;
the per-site dot product itself is never formed, so its rounding is not charged). Then

    N - H = (N - T) + sum_s sum_p [(a~_p - a_p)(s) t_p(s) + a_p(s) (t_p(s) - m_p(s))] + (pool_bias - c0)

with T the same sums in exact arithmetic. Every term a~_p(s) W[c, p] h_c(s) (and b_p a~_p(s)) of T
passes through at most P + sites + C + 3 roundings (the products, the sums over patterns, sites and
channels in any order, the final cast), each at most u of the dtype (float64's is smaller; _rounding
counts the float64 ones of a float32 network apart), so |N - T| <= gamma_(P + sites + C + 4)
(sum_p hs_p A~_p + |pool_bias|) (Higham, eq 3.5), giving

    bound = sum_p e_p A_p + sum_p hs_p D_p + |pool_bias - c0| + gamma_(P+sites+C+4) (sum_p hs_p A~_p + |pool_bias|)

with A_p = sum_s |a_p(s)|, A~_p the same of a~, D_p = sum_s |a~_p(s) - a_p(s)| (0 in float64): only
P-vectors, reduced chunk by chunk from the coefficient arrays. Where the gates are exact (step or
relu bits) the network can be exact: the bound is 0 when the template, evaluated exactly on every
patch configuration, reproduces each pattern, the arrays are stored exactly, and every value the
forward pass forms lies on one grid 2^-Q below 2^(precision - Q) in magnitude (so no operation rounds).
"""
from __future__ import annotations

from itertools import product as configurations

import numpy as np

from ..ir.lattice_sum import abs_sum
from . import rounding as fp

# Patch configurations enumerated for the exactness certificate: at most 2^16.
EXACT_PATCH_MAX = 16
# Coefficients reduced per step (per pattern): bounds the temporaries of a 10^8-site array.
_CHUNK = 1 << 20


def local_bound(errors, layout, layers, table: dict, patch_values, coefficients: np.ndarray,
                constant: float, *, sources: tuple = ()) -> tuple[float | None, str]:
    """(error_bound, error_bound_reason) of a locally connected network: `errors` the template's
    OutputErrors (or why there is none), `layout` its LocalLayout, `layers` the template's, `table` the
    patterns over the patch (one-hot coefficient columns), `patch_values` the two values of a bit or
    spin input (None for reals), `coefficients` (P, *shape) and `constant` as H holds them (float64), or,
    for arrays made in the dtype from a density, their `sources` (LocalStencil.sources)."""
    if isinstance(errors, str):
        return None, errors
    dtype = layout.coefficients.dtype
    u = fp.unit_roundoff(dtype)
    sums = (_CoefficientSums.of_sources(sources, layout.coefficients) if sources
            else _CoefficientSums.of(coefficients, layout.coefficients))
    pool = float(np.asarray(layout.pool_bias, np.float64)[0])
    if _exact(layout, layers, table, patch_values, sums, pool, constant):
        return 0.0, ""
    weight = _dense(layers[-1].weight)
    hs = np.asarray(errors.hidden_size, np.float64)
    template = np.asarray(errors.value, np.float64) + fp.gamma(4, u) * hs
    rounding = _rounding(len(sums.true), layout.sites, weight.shape[0], dtype)
    if not np.isfinite(rounding):
        return None, (f"{dtype} sums over {layout.sites:,} sites (the worst-case rounding bound n u reaches 1/2; "
                      "use float64)")
    bound = (template @ sums.true + hs @ sums.stored_error + abs(pool - constant)
             + rounding * (hs @ sums.stored + abs(pool)))
    bound = float(bound * (1 + fp.gamma(layout.sites, fp.unit_roundoff(np.float64))))     # the sums above, rounded
    return (bound, "") if np.isfinite(bound) else (None, "the bound overflowed")


def _rounding(patterns: int, sites: int, channels: int, dtype) -> float:
    """The relative rounding of a term of T: P + sites + C + 4 roundings in float64; in float32, P + sites + 1
    in the dtype (the products, the sums over patterns and sites, the final cast) and P + sites + C + 3 in
    float64 (the channel sums; a bias term's sums over sites and patterns)."""
    u, u64 = fp.unit_roundoff(dtype), fp.unit_roundoff(np.float64)
    if u == u64:
        return float(fp.gamma(patterns + sites + channels + 4, u))
    return float((1 + fp.gamma(patterns + sites + 1, u)) * (1 + fp.gamma(patterns + sites + channels + 3, u64)) - 1)


def integer_table(table: dict) -> bool:
    """Whether every coefficient of a pattern table is an integer below 2^20 (one-hot patterns are):
    rewriting spins over bits then rounds nothing."""
    return all(np.all(c == np.round(c)) and np.abs(c).max(initial=0) < 2 ** 20 for _, c in table.values())


class _CoefficientSums:
    """Per pattern: A = sum |a|, A~ = sum |a~|, D = sum |a~ - a|, max |a~|; the finest grid of a~; whether a~ == a."""

    def __init__(self, true, stored, stored_error, largest, grid, equal):
        self.true, self.stored, self.stored_error, self.largest = true, stored, stored_error, largest
        self.grid, self.equal = grid, equal

    @classmethod
    def of(cls, coefficients: np.ndarray, stored: np.ndarray) -> _CoefficientSums:
        patterns, sites = len(coefficients), int(np.prod(coefficients.shape[1:]))   # -1 fails at 0 patterns
        flat, flat_stored = coefficients.reshape(patterns, sites), stored.reshape(patterns, sites)
        true, kept, error, largest = (np.zeros(patterns) for _ in range(4))
        grid, equal = -(1 << 30), True
        for p in range(patterns):
            for start in range(0, flat.shape[1], _CHUNK):
                a = np.asarray(flat[p, start:start + _CHUNK], np.float64)
                b = np.asarray(flat_stored[p, start:start + _CHUNK], np.float64)
                diff = np.abs(b - a)           # exact: a rounded value is within a factor 2 of its source
                true[p] += np.abs(a).sum()
                kept[p] += np.abs(b).sum()
                error[p] += diff.sum()
                largest[p] = max(largest[p], float(np.abs(b).max(initial=0)))
                grid = max(grid, dyadic_grid(b))
                equal = equal and not diff.any()
        return cls(true, kept, error, largest, grid, equal)


    @classmethod
    def of_sources(cls, sources: tuple, stored: np.ndarray) -> _CoefficientSums:
        """The same for arrays that density_local_stencil summed in their dtype from (c, field) terms. One
        term: its values are fl(c * field) rolled, and every sum here is unchanged by the roll, so
        fl(c * field) is made again a chunk at a time, the same way, and compared with c * field. Several
        terms: |a~ - a| <= gamma_2k sum_j |c_j| sum |field_j| (k products and their sums, each rounded)."""
        patterns = len(stored)
        sites = stored[0].size if patterns else 0
        u = fp.unit_roundoff(stored.dtype)
        sums = cls.of(stored, stored)       # stored sums, largest value and grid
        true, error, equal = np.zeros(patterns), np.zeros(patterns), sums.equal
        for p, terms in enumerate(sources):
            if len(terms) == 1:
                c, field = terms[0]
                flat = np.full(1, 1.0) if field is None else field.reshape(-1)
                for start in range(0, flat.size, _CHUNK):
                    exact = c * np.asarray(flat[start:start + _CHUNK], np.float64)
                    made = np.zeros(len(exact), stored.dtype)
                    if field is None:
                        made += c
                    else:
                        np.multiply(flat[start:start + _CHUNK], c, out=made, casting="unsafe")
                    diff = np.abs(np.asarray(made, np.float64) - exact)
                    weight = sites if field is None else 1
                    true[p] += np.abs(exact).sum() * weight
                    error[p] += diff.sum() * weight
                    equal = equal and not diff.any()
            else:
                true[p] = sum(abs(c) * (sites if field is None else abs_sum(field)) for c, field in terms)
                error[p] = fp.gamma(2 * len(terms), u) * true[p]
                equal = False
        return cls(true, sums.stored, error, sums.largest, sums.grid, equal)


def dyadic_grid(values) -> int:
    """The least q such that every value times 2^q is an integer (-2^30 for no nonzero value)."""
    v = np.asarray(values, np.float64).ravel()
    v = v[v != 0]
    if not len(v):
        return -(1 << 30)
    if not np.all(np.isfinite(v)):
        return 1 << 30
    mantissa, exponent = np.frexp(v)
    whole = np.abs(mantissa * 2.0 ** 53).astype(np.int64)          # exact: 53 significant bits
    trailing = np.frexp((whole & -whole).astype(np.float64))[1] - 1
    return int((53 - exponent - trailing).max())


def _fits(magnitude: float, grid: int, precision: int) -> bool:
    """Whether every multiple of 2^-grid up to `magnitude` is a float of `precision` bits (or 0 is all there is)."""
    return magnitude == 0 or (grid > -(1 << 29) and magnitude < 2.0 ** (precision - grid) and grid <= 1074)


def _dense(weight) -> np.ndarray:
    return np.asarray(weight.toarray() if hasattr(weight, "toarray") else weight, np.float64)


def _exact(layout, layers, table, patch_values, sums: _CoefficientSums, pool: float, constant: float) -> bool:
    """The exactness certificate of the module docstring."""
    if (patch_values is None or not sums.equal or pool != constant or len(layout.offsets) > EXACT_PATCH_MAX
            or not integer_table(table)):
        return False
    precision = np.finfo(layout.coefficients.dtype).nmant + 1
    channels = _exact_template(layers, table, patch_values, precision, len(layout.offsets))
    if channels is None:
        return False
    h_max, h_grid = channels
    last = layers[-1]
    weight, bias = np.abs(_dense(last.weight)), np.abs(np.asarray(last.bias, np.float64))
    w_grid, b_grid, pool_grid = dyadic_grid(weight), dyadic_grid(bias), dyadic_grid(pool)
    total_grid = max(h_grid + w_grid + sums.grid, b_grid + sums.grid, pool_grid)
    total = float(h_max @ weight @ sums.stored + bias @ sums.stored + abs(pool))
    return (_fits(float((weight @ sums.largest).max(initial=0)), w_grid + sums.grid, precision)     # V
            and _fits(float(sums.stored.max(initial=0)), sums.grid, 53)                       # sum_s a~_p(s)
            and _fits(total, total_grid, precision))


def _exact_template(layers, table: dict, patch_values, precision: int, n_patch: int):
    """(max |h_c| per channel, grid of the h values) if the hidden layers (step or relu) compute every
    channel exactly in `precision` bits on each of the 2^n_patch configurations and the readout, in
    exact arithmetic, reproduces each pattern of `table` there; None otherwise."""
    x = np.array(list(configurations(patch_values, repeat=n_patch)), np.float64).reshape(-1, n_patch)
    a = x
    for layer in layers[:-1]:
        if layer.activation not in ("step", "relu") or layer.offset is not None:
            return None
        z = _exact_affine(a, layer, precision)
        if z is None:
            return None
        a = (z >= 0).astype(np.float64) if layer.activation == "step" else np.maximum(z, 0.0)
    readout = _exact_affine(a, layers[-1], 53)
    if readout is None or not np.array_equal(readout, _patterns(table, x, readout.shape[1])):
        return None
    return np.abs(a).max(axis=0, initial=0), dyadic_grid(a)


def _exact_affine(a: np.ndarray, layer, precision: int) -> np.ndarray | None:
    """a @ W + b, if every partial sum is a float of `precision` bits (then any order computes it exactly)."""
    w, b = _dense(layer.weight), np.asarray(layer.bias, np.float64)
    grid = max(dyadic_grid(a) + dyadic_grid(w), dyadic_grid(b))
    reach = float((np.abs(a).max(axis=0, initial=0) @ np.abs(w) + np.abs(b)).max(initial=0))
    return a @ w + b if _fits(reach, grid, precision) else None


def _patterns(table: dict, x: np.ndarray, patterns: int) -> np.ndarray:
    """Each pattern's value (columns) at each configuration (rows of x), from the one-hot table."""
    out = np.zeros((len(x), patterns))
    for k, (monomials, coef) in table.items():
        values = np.prod(x[:, monomials], axis=2) if k else np.ones((len(x), len(monomials)))
        out += values @ np.asarray(coef, np.float64)
    return out
