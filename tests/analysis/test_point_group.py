"""Point groups of lattice sums (read off the one-site density) and symmetric groups found without a search."""
from __future__ import annotations

from math import factorial

import pytest

import hamc

from conftest import EXAMPLES


def example(name: str, **params) -> hamc.Analysis:
    return hamc.analyze(hamc.load(EXAMPLES / f"{name}.ham", params=params))


@pytest.mark.parametrize("name, independent", [("ising", 2), ("phi4", 3), ("image", 4)])
def test_independent_parameters_are_the_same_at_every_size(name, independent):
    # ising: field, bonds; phi4: phi^2, phi^4, bonds; image: phi^2, nearest, diagonal and
    # distance-2 pairs. Odd and even sides, below and above the 64 variables of a full search.
    for side in (5, 8, 9, 300):
        a = example(name, L=side)
        assert (a.parameters.independent, a.point_group, a.translations) == (independent, 8, side * side)
        assert (a.symmetry, a.symmetry_group_order) == ("space group", 8 * side * side)


@pytest.mark.parametrize("text, point_group, independent", [
    ("lattice G = chain(L, periodic)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])", 2, 1),
    ("lattice G = square(L, L, periodic)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])", 8, 1),
    ("lattice G = triangular(L, L, periodic)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])", 12, 1),
    ("lattice G = cubic(L, L, L, periodic)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j]) + sum(i in G: s[i])", 48, 2),
    # a chiral three-spin term on the chain: the reflection maps s[i-1] s[i] s[i+2] to a new term
    ("spin s[L] periodic\nH = sum(i in 0..L-1: s[i]*s[i+1]*s[i+3])", 1, 1),
    # anisotropic couplings: only the reflections of each axis (and their product) are left
    ("spin s[L, L] periodic\nH = sum(i in 0..L-1, j in 0..L-1: s[i,j]*s[i+1,j] + 2*s[i,j]*s[i,j+1])", 4, 2),
])
@pytest.mark.parametrize("side", [6, 13])
def test_point_groups_of_named_lattices(text, point_group, independent, side):
    a = hamc.analyze(hamc.load(f"param L = {side}\n" + text))
    sites = a.translations
    assert sites == side ** text.split("periodic")[0].count("L")
    assert (a.point_group, a.symmetry_group_order, a.parameters.independent) == \
        (point_group, sites * point_group, independent)


def test_a_rectangle_is_not_rotated():
    a = hamc.analyze(hamc.load("lattice G = square(7, 9, periodic)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])"))
    # the rectangle's four reflections only; x and y bonds are two orbits
    assert (a.point_group, a.symmetry_group_order, a.parameters.independent) == (4, 4 * 63, 2)


@pytest.mark.parametrize("n", [16, 40, 1000])
def test_curie_weiss_symmetric_group_at_any_size(n):
    a = example("curie_weiss", N=n)
    assert (a.symmetry, a.symmetry_group_order, a.symmetry_exact) == ("automorphisms", factorial(n), True)
    # the constant and the one coupling every pair shares
    assert a.parameters == hamc.ParameterCounts(generic=(n + 1) * (n + 2) // 2, nonzero=1 + n * (n - 1) // 2,
                                                independent=2)


def test_two_interchangeable_classes_without_a_search():
    # 70 bits all alike and 30 spins all alike, coupled only through the sum of the bits: 70! 30!
    text = "bit b[70]\nspin s[30]\nH = sum(i in 0..69: b[i]) * sum(j in 0..29: s[j]) + sum(j in 0..29: s[j])^2"
    a = hamc.analyze(hamc.load(text))
    assert (a.symmetry_group_order, a.symmetry_exact) == (factorial(70) * factorial(30), True)
    # orbits: b s, the constant 30 from s^2 = 1, s s pairs
    assert a.parameters.independent == 3


def test_one_odd_variable_leaves_the_rest_interchangeable():
    # 99 spins coupled to all others, one spin with a field: 99!, the field's spin fixed
    text = "spin s[100]\nH = sum(i in 0..99: s[i])^2 + s[0]"
    a = hamc.analyze(hamc.load(text))
    assert (a.symmetry_group_order, a.parameters.independent) == (factorial(99), 4)   # const, s0, s0 si, si sj


def test_an_open_chain_gives_up_refining_rather_than_taking_n_rounds():
    # 10^4 sites tell apart only after ~5,000 refinement rounds; the analysis stops early, finds no
    # interchangeable variables and no translations (the chain is open): every bond its own orbit
    a = hamc.analyze(hamc.load("spin s[10000]\nH = sum(i in 0..9998: s[i]*s[i+1])"))
    assert (a.symmetry, a.symmetry_group_order, a.parameters.independent) == ("none", 1, 9999)
