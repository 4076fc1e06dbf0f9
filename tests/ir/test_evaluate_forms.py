"""Hamiltonian.evaluate over explicit terms (quadratic forms, dense and sparse) against monomial products."""
from __future__ import annotations

import numpy as np
import pytest

import hamc


def by_monomials(h, x):
    p, out = h.energies[0], np.zeros(len(x))
    for d, v in p.monomials.items():
        c = p.coefficients[d].as_float()
        out += (np.prod(x[:, v], axis=2) if d else np.ones((len(x), len(v)))) @ c
    return out


@pytest.mark.parametrize("text", [
    "real x[5]\nH = sum(i in 0..4, j in 0..4: (i+j) * x[i] * x[j]) + x[0]^2 - 3",            # dense
    "real x[60] periodic\nH = sum(i in 0..59: x[i] * x[i+1] - 2 * x[i] * x[i+3] + x[i])",       # sparse
    "spin s[7]\nbit b[7]\nH = sum(i in 0..6, j in 0..6: (i-j) * s[i] * b[j]) + sum(i in 0..6: b[i])",
    "real x[4]\nH = x[0]*x[1]*x[2] + x[1]^3 + x[0]*x[1] + x[2]",                              # degree 3: per monomial
])
def test_explicit_terms_evaluate_like_their_monomials(text):
    h = hamc.load(text)
    assert h.energies[0].monomials                 # expanded: evaluated term by term, not as a lattice sum
    x = np.random.default_rng(2).normal(size=(11, h.n_variables))
    assert np.allclose(h.evaluate(x), by_monomials(h, x), rtol=1e-12, atol=1e-10)
    ints = np.random.default_rng(3).integers(-1, 2, size=(11, h.n_variables)).astype(np.int8)
    assert np.allclose(h.evaluate(ints), by_monomials(h, ints.astype(np.float64)), rtol=1e-12, atol=1e-10)
