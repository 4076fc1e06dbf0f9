"""Hamiltonian.to_sympy and its LaTeX: a lattice sum as one Sum over sites, arrays as subscripts s_{i,j}."""
import itertools

import numpy as np
import pytest
import sympy

import hamc
from conftest import EXAMPLES


def test_a_lattice_of_3_million_terms_is_one_sum():
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": 1000})        # 3 x 10^6 terms when expanded
    expr = h.to_sympy()
    s = sympy.IndexedBase("s", shape=(1000, 1000))
    i, j = sympy.symbols("i j", integer=True)
    want = sympy.Sum(-s[sympy.Mod(i + 1, 1000), j] * s[i, j] - s[i, sympy.Mod(j + 1, 1000)] * s[i, j] - s[i, j] / 2,
                     (i, 0, 999), (j, 0, 999))
    assert expr == want and not h.energies[0].expanded
    latex = h._repr_latex_()
    assert latex.startswith(r"$H = \sum_{\substack{0 \leq i \leq 999\\0 \leq j \leq 999}}") and "{s}_{i,j}" in latex


def test_the_sum_expands_to_the_polynomial():
    h = hamc.load(EXAMPLES / "image.ham", params={"L": 4})
    expr = h.to_sympy().doit()
    x = np.random.default_rng(1).uniform(-1, 1, size=(2, 16))
    phi = {str(a): a for a in expr.atoms(sympy.Indexed)}
    for row, want in zip(x, h.evaluate(x)):
        value = expr.xreplace({phi[f"phi[{k // 4}, {k % 4}]"]: sympy.Float(v, 30) for k, v in enumerate(row)})
        assert abs(float(value) - want) < 1e-12


def test_explicit_terms_keep_their_subscripts():
    h = hamc.load("real x[2, 3]\nreal y\nH = 2*x[0,1]*x[1,2] - y/3")
    assert h._repr_latex_() == r"$H = - \frac{y}{3} + 2 {x}_{0,1} {x}_{1,2}$"
    with pytest.raises(ValueError, match="2 terms is too many for a sympy expression"):
        h.to_sympy(max_terms=1)


def test_discrete_variables_become_kronecker_deltas_with_the_same_energies():
    # the one-hot bit n[i]=k is delta(n[i], k): the 2 x 2 Potts model's expression, at every one of
    # its 81 states, equals the Hamiltonian's energy (to_sympy raised an IndexError before)
    h = hamc.load(EXAMPLES / "potts.ham", params={"L": 2})
    expr = h.to_sympy()
    sites = {tuple(int(i) for i in a.indices): a for a in expr.atoms(sympy.Indexed)}
    assert sorted(sites) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    states = np.array(list(itertools.product(range(3), repeat=4)))
    energies = h.evaluate(hamc.one_hot(states, 3))
    for row, energy in zip(states, energies):
        value = expr.subs({sites[a, b]: int(row[2 * a + b]) for a, b in sites})
        assert sympy.Rational(value) == sympy.Rational(str(energy))
