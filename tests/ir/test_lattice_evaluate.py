"""Lattice sums evaluated through shifted views of the lattice, against their expanded terms; integer inputs exact."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import hamc

from conftest import EXAMPLES

CASES = [("ising", {"L": 6}), ("phi4", {"L": 5}), ("image", {"L": 7}), ("three_body", {"N": 9}),
         ("microphone", {"n": 11})]


@pytest.mark.parametrize("name, params", CASES)
def test_shifted_views_equal_the_expanded_terms(name, params):
    fast = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    slow = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    assert slow.energies[0].terms_by_degree()                   # expands the terms
    assert not fast.energies[0].expanded
    rng = np.random.default_rng(7)
    n = fast.n_variables
    for x in (rng.normal(size=(5, n)), rng.choice(np.array([-1, 1], np.int8), size=(5, n)),
              rng.integers(-3, 4, size=(5, n)), rng.integers(0, 2, size=(5, n)).astype(np.float32)):
        assert np.allclose(fast.evaluate(x), slow.evaluate(x.astype(np.float64)), rtol=1e-12, atol=1e-9)
    assert not fast.energies[0].expanded


def test_spin_energies_are_exact_integers_counted():
    # -J sum s_i s_j - h sum s_i at L = 64, J = 1, h = 1/2: 2 L^2 bonds, all aligned, then a checkerboard
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": 64})
    up = np.ones((1, 64 * 64), np.int8)
    checker = (np.indices((64, 64)).sum(axis=0) % 2 * 2 - 1).astype(np.int8).reshape(1, -1)
    assert h.evaluate(up)[0] == -(2 * 64 * 64) - Fraction(64 * 64, 2)
    assert h.evaluate(checker)[0] == 2 * 64 * 64
    assert h.evaluate(np.vstack([up, checker]).astype(np.float64)).tolist() == [-10240.0, 8192.0]


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.float64])
def test_the_shared_network_agrees_on_integer_and_float_inputs(dtype):
    c = hamc.compile(EXAMPLES / "ising.ham", params={"L": 10}, check=False)
    x = np.random.default_rng(3).choice(np.array([-1, 1], dtype), size=(40, 100))
    assert np.array_equal(c.network(x), c.hamiltonian.evaluate(x))
