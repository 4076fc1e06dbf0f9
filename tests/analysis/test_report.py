"""Analysis tests: term counts, locality, symmetry group orders and parameter counts on hand-checked systems."""
from __future__ import annotations

import json
from math import comb, factorial

import pytest

import hamc

from conftest import EXAMPLES, example_analysis


def analysis(text: str, **kwargs) -> hamc.Analysis:
    return hamc.analyze(hamc.load(text), **kwargs)


# the square-lattice Ising model --------------------------------------------------------------
def test_ising_l16_uses_translations_and_the_square_group():
    a = example_analysis("ising")
    assert a.variables == {"real": 0, "bit": 0, "spin": 256, "discrete": 0}
    assert a.terms == {1: 256, 2: 512}
    assert (a.degree, a.max_neighbors, a.interaction_edges) == (2, 4, 512)
    assert (a.symmetry, a.symmetry_group_order, a.translations, a.translation_invariant) == \
        ("space group", 2048, 256, True)
    assert a.point_group == 8                    # the square's 4 rotations and 4 reflections
    # generic: every monomial of degree <= 2 in 256 variables; independent: the field and the
    # bonds (a quarter turn maps the horizontal bonds to the vertical ones)
    assert a.parameters == hamc.ParameterCounts(generic=33153, nonzero=768, independent=2)
    assert a.parameters.generic == (258 * 257) // 2
    assert a.exact and a.classes == ()


def test_ising_l4_reports_the_same_space_group_as_every_size():
    # The 4x4 torus C4 x C4 is the 4-cube Q4 with |Aut| = 2^4 * 4! = 384; a lattice sum reports its
    # space group, 16 translations x 8 point symmetries, as at every other size.
    a = hamc.analyze(hamc.load(EXAMPLES / "ising.ham", params={"L": 4}))
    assert (a.symmetry, a.symmetry_group_order, a.translations) == ("space group", 128, 16)
    assert a.parameters == hamc.ParameterCounts(generic=comb(18, 2), nonzero=48, independent=2)


def test_ising_l8_automorphisms_are_translations_times_the_square_group():
    # Aut(C8 x C8) = (D8 x D8) : Z2, order 16 * 16 * 2 = 512 = 64 translations * 8 point symmetries.
    a = hamc.analyze(hamc.load(EXAMPLES / "ising.ham", params={"L": 8}))
    assert (a.symmetry_group_order, a.translations) == (512, 64)


def test_staggered_field_halves_the_translations():
    text = ("spin s[10, 10] periodic\n"
            "H = -sum(i in 0..9, j in 0..9: s[i,j]*s[i+1,j] + s[i,j]*s[i,j+1]) - sum(i in 0..4, j in 0..9: s[2*i,j])")
    a = analysis(text)
    assert (a.symmetry, a.symmetry_group_order, a.translation_invariant) == ("translations", 50, False)
    # field on even rows (1) + horizontal bonds on even/odd rows (2) + vertical bonds from even/odd rows (2)
    assert a.parameters == hamc.ParameterCounts(generic=comb(102, 2), nonzero=250, independent=5)


# other examples ------------------------------------------------------------------------------
def test_curie_weiss_is_symmetric_under_all_permutations():
    a = example_analysis("curie_weiss")
    assert a.symmetry_group_order == factorial(16) == 20_922_789_888_000
    assert a.terms == {0: 1, 2: 120} and a.max_neighbors == 15
    assert a.parameters == hamc.ParameterCounts(generic=153, nonzero=121, independent=2)


def test_three_body_ring_has_the_dihedral_group():
    a = example_analysis("three_body")
    assert (a.symmetry_group_order, a.translations) == (24, 12)          # D12: 12 rotations, 12 reflections
    assert a.terms == {2: 12, 3: 12} and a.max_neighbors == 4             # i-2, i-1, i+1, i+2
    assert a.parameters.independent == 2


def test_three_body_without_an_automorphism_search():
    # the reflection is found on the one-site density, no search needed
    a = hamc.analyze(hamc.load(EXAMPLES / "three_body.ham"), automorphism_max_variables=0)
    assert (a.symmetry, a.symmetry_group_order, a.parameters.independent) == ("space group", 24, 2)


@pytest.mark.parametrize("n, order", [(10, 20), (32, 64), (100, 200)])   # dihedral (the chain's reflection)
def test_microphone_parameter_counts(n, order):                             # at every size
    a = hamc.analyze(hamc.load(EXAMPLES / "microphone.ham", params={"n": n}))
    assert a.parameters == hamc.ParameterCounts(generic=(n + 1) * (n + 2) // 2, nonzero=2 * n + 1, independent=3)
    assert a.translations == n and a.max_neighbors == 2
    assert a.symmetry_group_order == order


def test_random_couplings_have_no_symmetry():
    a = analysis("real x[4]\nH = 1*x[0]*x[1] + 2*x[1]*x[2] + 3*x[2]*x[3] + 4*x[3]*x[0]")
    assert (a.symmetry_group_order, a.parameters.independent) == (1, 4)
    assert example_analysis("spin_glass").symmetry_group_order == 1


# small hypergraphs with known automorphism groups ---------------------------------------------
@pytest.mark.parametrize("text, order, independent", [
    ("spin s[4]\nH = s[0]*s[1] + s[1]*s[2] + s[2]*s[3] + s[3]*s[0]", 8, 1),      # 4-cycle: D4
    ("spin s[3]\nH = s[0]*s[1] + s[1]*s[2] + s[0]*s[2]", 6, 1),                  # triangle: S3
    ("spin s[3]\nH = s[0]*s[1] + s[1]*s[2]", 2, 1),                              # path of 3: flip
    ("spin s[4]\nH = s[0]*s[1] + 2*s[1]*s[2] + s[2]*s[3] + 2*s[3]*s[0]", 4, 2),  # alternating 4-cycle: Klein four
    ("real x[3]\nH = x[0]", 2, 1),                                                # unused x[1], x[2] swap
    ("real x[4]\nH = x[0]*x[1]*x[2] + x[1]*x[2]*x[3]", 4, 1),                    # swap 1,2; swap 0,3
    ("real x[6]\nH = x[0]*x[1] + x[2]*x[3] + x[4]*x[5]", 48, 1),                 # 3 disjoint edges: 2^3 * 3!
    ("bit b[3]\nspin s[3]\nH = sum(i in 0..2: b[i] + s[i])", 36, 2),              # bits and spins never mix
    ("real x[4]\nH = x[0]^2*x[1] + x[1]^2*x[0] + x[2]*x[3]", 4, 2),              # powers are respected
    ("real x[4]\nH = x[0]^2*x[1] + x[2]*x[3]", 2, 2),                            # x0 and x1 differ now
    ("real x[3]\nH = x[0]*x[1] + x[1]*x[2] + x[0]*x[2] + x[0]", 2, 3),            # the field breaks S3
])
def test_small_automorphism_groups(text, order, independent):
    a = analysis(text)
    assert (a.symmetry, a.symmetry_group_order, a.parameters.independent) == ("automorphisms", order, independent)


def test_locality_counts_distinct_partners():
    a = analysis("real x[5]\nH = x[0]*x[1]*x[2] + x[0]^2*x[3] + x[4]")
    assert (a.max_neighbors, a.interaction_edges) == (3, 4)       # x0 meets x1, x2, x3; x4 meets no one
    assert a.terms == {1: 1, 3: 2} and a.degree == 3


def test_classifier_counts_add_up_over_classes():
    a = example_analysis("cat_dog")
    assert a.classes == ("cat", "dog")
    assert a.terms == {0: 2, 1: 6, 2: 2, 3: 2}
    assert a.parameters == hamc.ParameterCounts(generic=2 * comb(4 + 3, 3), nonzero=12, independent=9)


def test_float_coefficients_are_reported():
    assert not analysis("real x\nH = sqrt(2) * x").exact
    assert analysis("real x\nH = 0.5 * x").exact


# output --------------------------------------------------------------------------------------
def test_to_json_round_trips_with_the_documented_keys():
    data = json.loads(json.dumps(example_analysis("ising").to_json()))
    assert {"variables", "terms", "degree", "max_neighbors", "symmetry_group_order", "parameters"} <= set(data)
    assert data["variables"] == {"real": 0, "bit": 0, "spin": 256, "discrete": 0}
    assert data["terms"] == {"1": 256, "2": 512}
    assert (data["degree"], data["max_neighbors"], data["symmetry_group_order"]) == (2, 4, 2048)
    assert (data["symmetry"], data["translations"], data["point_group"]) == ("space group", 256, 8)
    assert data["parameters"] == {"generic": 33153, "nonzero": 768, "independent": 2}


def test_summary_text():
    assert example_analysis("ising").summary().splitlines() == [
        "variables      256 spin",
        "terms          768 (256 of degree 1, 512 of degree 2)",
        "degree         2",
        "locality       each variable interacts with at most 4 others (512 interacting pairs)",
        "symmetry       space group: group of order 2,048 (256 translations x 8 point symmetries)",
        "monomials      33,153 possible -> 768 nonzero -> 2 independent coefficients (orbits of the symmetry)",
        "coefficients   exact rationals",
    ]
    assert example_analysis("cat_dog").summary().splitlines()[0] == "classes        cat, dog"


def test_zero_hamiltonian_has_every_permutation_and_no_term():
    # H = 0 (also all terms of a displacement falling off an open lattice): no monomial at all;
    # every permutation of the 4 spins leaves it invariant
    a = analysis("spin s[4]\nH = 0")
    assert (a.terms, a.symmetry_group_order) == ({}, factorial(4))
    assert (a.parameters.nonzero, a.parameters.independent) == (0, 0)
    b = analysis("lattice G = square(3, 3, open)\nspin s[G]\nH = sum(i in G: s[i] * s[i + (3, 0)])")
    assert (b.terms, b.symmetry_group_order) == ({}, factorial(9))
