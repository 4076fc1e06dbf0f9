"""The floating-point model of the certified bound: worst-case rounding in the dtype.

Rounding, with u the dtype's unit roundoff (2^-53 or 2^-24), in IEEE arithmetic. A dot product of
n nonzero terms is off by at most gamma_n sum |w| |a| (Higham, Accuracy and Stability, eq 3.5)
on weights that are themselves off by u + gamma_4(2^-53) (made in float64 as a product of at
most four rounded factors, then stored in the dtype): about gamma_(n+1) sum |w| |a|. The bias
joins after the product, so it costs gamma_5 |b| (made from <= 3 terms, stored, added), not
gamma_n. NumPy's tanh, exp, log1p are assumed within 2 ulps (float32's measure within 1.4
on the gates' intervals), so an activation value is off by at most ACT_ULPS u max(1, |sigma|);
the bias-point offset sigma(c) is a stored constant whose rounding the readout compensates.
A neuron's argument error passes through max |sigma'| on its interval; a readout multiplies
neuron errors by |w_out|; gamma_3 covers each stored offset and 8u the rounding of a gate's
normalisation 1/(4 s2 lambda^2).
"""
from __future__ import annotations

import numpy as np

ACT_ULPS = 4          # an activation value's error, in units of u times max(1, |sigma|)
BIAS_ROUNDINGS = 5   # a bias: made in float64 from <= 3 terms, cast to the dtype, added to the product
_U64 = 2.0 ** -53      # float64's unit roundoff: the weights are made in float64 whatever the dtype


def unit_roundoff(dtype) -> float:
    return float(np.finfo(np.dtype(dtype)).eps) / 2


def gamma(n, u: float):
    """Higham's gamma_n = n u / (1 - n u), elementwise for an array n."""
    nu = np.asarray(n, np.float64) * u
    if np.any(nu >= 0.5):
        return np.where(nu >= 0.5, np.inf, nu / np.maximum(1 - nu, 0.5))
    return nu / (1 - nu)


def dot_error(weight, in_magnitude: np.ndarray, bias_magnitude: np.ndarray, u: float) -> np.ndarray:
    """Per column of `weight` (inputs x neurons, dense or sparse): the rounding bound of
    (inputs @ weight) + bias, ~gamma_(n+1) |inputs| @ |weight| + gamma_5 |bias|, n the column's
    nonzeros. The bias joins after the matrix product (Layer.__call__), so it is rounded when
    it is made (a float64 sum of at most three terms), stored, and added: not n times."""
    absw = abs(weight)
    terms = np.asarray(in_magnitude @ absw, np.float64).ravel() if weight.shape[0] else np.zeros(weight.shape[1])
    counts = np.asarray((absw != 0).sum(axis=0), np.float64).ravel()
    return product_rounding(counts, u) * terms + gamma(BIAS_ROUNDINGS, u) * bias_magnitude


def product_rounding(counts, u: float):
    """The relative rounding of a dot product of `counts` nonzero terms whose weights were made in
    float64 (a product of at most four rounded factors) and stored in the dtype: gamma_n (Higham
    eq 3.5, any summation order) on weights off by u + gamma_4(2^-53) each."""
    stored = u + gamma(4, _U64) if u > _U64 else gamma(5, _U64)
    return gamma(counts, u) + (1 + gamma(counts, u)) * stored
