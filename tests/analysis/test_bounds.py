"""The energy bound S = sum_m |c_m| prod R_i^r_i is taken over the simplified polynomial: the same
Hamiltonian gets the same S, term counts and verdict however its lattice sums are written."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

import hamc
from hamc.analysis.bounds import energy_scale

RANGE = (-1.0, 1.0)
# eps * sum phi^2: the phi[i]*phi[i+1] of one site cancels the phi[i]*phi[i-1] of the next
CANCELLING = """param N = 16
param eps = 1/1000
real phi[N] periodic
H = sum(i in 0..N-1{cond}: eps * phi[i]^2 + phi[i] * (phi[i+1] - phi[i-1]))
"""


def written_both_ways(template: str, **params):
    """The lattice sum as a one-site density, and with a vacuous condition (lowered term by term)."""
    return (hamc.load(template.format(cond=""), params=params),
            hamc.load(template.format(cond=", i >= 0"), params=params))


def test_translates_that_cancel_do_not_count_in_s():
    density, terms = written_both_ways(CANCELLING)
    assert density.energies[0].density is not None and terms.energies[0].density is None
    assert energy_scale(density, RANGE) == pytest.approx(0.016, rel=1e-12)
    assert energy_scale(terms, RANGE) == pytest.approx(0.016, rel=1e-12)
    # the one-site density itself is simplified: phi[i]^2 alone
    assert len(density.energies[0].density.local) == 1


@pytest.mark.parametrize("n", [16, 100])     # 100 sites: analyze reads the density without expanding it
def test_both_ways_give_the_same_terms(n):
    density, terms = written_both_ways(CANCELLING, N=n)
    a, b = hamc.analyze(density), hamc.analyze(terms)
    assert a.terms == b.terms == {2: n}
    assert a.parameters.nonzero == b.parameters.nonzero == n
    assert density.energies[0].n_terms == n


def test_both_ways_get_the_same_verdict():
    # measured max rel error 5.9e-13 for eps * sum phi^2 (S = 0.016; with the uncancelled S = 32.016
    # it would read 4e-16): a tol of 1e-13 must be refused both ways, by the bound and by the sample
    for h in written_both_ways(CANCELLING):
        for check_by in ("bound", "sample"):
            with pytest.raises(hamc.HamcError, match="max_rel_error 5.9e-13 .* above the tolerance 1e-13"):
                hamc.compile(h, options=hamc.BuildOptions(tol=1e-13), check_by=check_by)
        c = hamc.compile(h, options=hamc.BuildOptions(tol=1e-6))
        assert c.verification.scale == pytest.approx(0.016, rel=1e-12)


def test_cancelling_bonds_on_a_square_lattice():
    # all bonds minus the horizontal ones: the vertical bonds, L^2 of them
    text = """param L = 10
lattice G = square(L, L, periodic)
spin s[G]
H = sum(<i,j> in G: s[i] * s[j]) - sum(i in 0..L-1, j in 0..L-1{cond}: s[i,j] * s[i+1,j]) + sum(i in G: s[i])
"""
    density, terms = written_both_ways(text)
    assert energy_scale(density, RANGE) == energy_scale(terms, RANGE) == 2 * 100
    assert hamc.analyze(density).terms == hamc.analyze(terms).terms == {1: 100, 2: 100}


def test_a_translate_that_is_its_own_image_keeps_its_count():
    # phi[i]*phi[i+2] on 4 sites: 2 distinct monomials, each reached twice (coefficient 2): S = 4
    text = "real phi[4] periodic\nH = sum(i in 0..3{cond}: phi[i] * phi[i+2])\n"
    density, terms = written_both_ways(text)
    assert energy_scale(density, RANGE) == energy_scale(terms, RANGE) == 4
    x = np.random.default_rng(0).uniform(-1, 1, (5, 4))
    assert np.allclose(density.evaluate(x), 2 * (x[:, 0] * x[:, 2] + x[:, 1] * x[:, 3]), rtol=1e-14)


def test_constants_of_the_density_and_outside_it_add_up_before_bounding():
    # N per-site ones minus N: S is that of sum phi^2 alone
    text = "param N = 10\nreal phi[N] periodic\nH = sum(i in 0..N-1{cond}: 1 + phi[i]^2) - N\n"
    density, terms = written_both_ways(text)
    assert energy_scale(density, RANGE) == energy_scale(terms, RANGE) == 10


def test_terms_outside_a_lattice_sum_that_cancel_its_terms():
    text = ("param N = 10\nreal phi[N] periodic\n"
            "H = sum(i in 0..N-1: phi[i] * phi[i+1] + phi[i]^2 / 4) - sum(i in 0..N-1, i >= 0: phi[i] * phi[i+1])\n")
    h = hamc.load(text)
    assert h.energies[0].density is not None
    assert energy_scale(h, RANGE) == pytest.approx(2.5, rel=1e-12)
    phi = sympy.IndexedBase("phi", shape=(10,))
    assert sympy.expand(h.to_sympy().doit()) == sympy.expand(sum(phi[i] ** 2 for i in range(10)) / 4)
