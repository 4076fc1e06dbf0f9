"""k-th shell bonds (`bonds(G, k)`, `<<i,j>>`) and displacements (`s[i + (1, 0)]`) on every named lattice,
against shells enumerated here from the sites' coordinates by distance (no hamc in the expectation)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import hamc

from conftest import EXAMPLES, error, terms

SIZES = {"chain": (9,), "square": (7, 7), "triangular": (7, 7), "cubic": (5, 5, 5)}
SHELLS = {"chain": 4, "square": 4, "triangular": 4, "cubic": 3}


def positions(kind: str, sites: np.ndarray) -> np.ndarray:
    """Cartesian coordinates of integer sites (rows); the triangular basis is (1, 0) and (1/2, sqrt(3)/2)."""
    if kind == "triangular":
        return np.stack([sites[:, 0] + sites[:, 1] / 2, sites[:, 1] * math.sqrt(3) / 2], axis=1)
    return sites.astype(float)


def expected_shell(kind: str, shape, periodic: bool, k: int) -> set:
    """The pairs of sites (flat indices, smaller first) at the k-th smallest distance; on a torus the
    distance to the nearest periodic image."""
    sites = np.array(list(itertools.product(*map(range, shape))))
    shifts = np.array(list(itertools.product(*[(-n, 0, n) if periodic else (0,) for n in shape])))
    here = positions(kind, sites)
    dist = np.full((len(sites), len(sites)), np.inf)
    for shift in shifts:
        there = positions(kind, sites + shift)
        dist = np.minimum(dist, np.linalg.norm(here[:, None, :] - there[None, :, :], axis=2))
    upper = np.triu(np.ones_like(dist, bool), 1)
    rounded = np.round(dist, 9)
    shell = np.unique(rounded[upper])[k - 1]
    return {(int(x), int(y)) for x, y in zip(*np.nonzero(upper & (rounded == shell)))}


def loaded_pairs(h: hamc.Hamiltonian) -> set:
    """The monomials s_a s_b of H (each with coefficient 1), as flat index pairs."""
    poly = h.energies[0]
    block, coef = poly.monomials[2], poly.coefficients[2]
    assert set(poly.monomials) == {2} and all(coef.scalar(r) == 1 for r in range(len(block)))
    return {tuple(int(v) for v in row) for row in block}


@pytest.mark.parametrize("boundary", ["periodic", "open"])
@pytest.mark.parametrize("kind", list(SIZES))
def test_every_shell_matches_an_enumeration_by_distance(kind, boundary):
    sizes = ", ".join(map(str, SIZES[kind]))
    for k in range(1, SHELLS[kind] + 1):
        h = hamc.load(f"lattice G = {kind}({sizes}, {boundary})\nspin s[G]\n"
                      f"H = sum(<i,j> in bonds(G, {k}): s[i] * s[j])")
        assert (h.energies[0].density is not None) == (boundary == "periodic")     # the one-site fast path
        assert loaded_pairs(h) == expected_shell(kind, SIZES[kind], boundary == "periodic", k), (kind, k)


def test_double_brackets_are_the_second_shell():
    text = "lattice G = triangular(6, 6)\nspin s[G]\nH = sum({binder}: s[i] * s[j])"
    assert terms(hamc.load(text.format(binder="<<i,j>> in G"))) == \
        terms(hamc.load(text.format(binder="<i,j> in bonds(G, 2)")))


@pytest.mark.parametrize("boundary", ["periodic", "open"])
def test_displacements_give_the_plaquette_and_the_diagonal(boundary):
    shape = (5, 4)
    h = hamc.load(f"lattice G = square(5, 4, {boundary})\nspin s[G]\n"
                  "H = sum(i in G: s[i] * s[i + (1, 0)] * s[i + (0, 1)] * s[i + (1, 0) + (0, 1)]) "
                  "+ 3 * sum(i in G: s[i] * s[i - (1, -1)])")
    expected = {}
    for x, y in itertools.product(range(5), range(4)):
        corners = [(x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1)]
        if boundary == "periodic":
            corners = [(a % 5, b % 4) for a, b in corners]
        if all(0 <= a < 5 and 0 <= b < 4 for a, b in corners):
            key = tuple(sorted(np.ravel_multi_index(c, shape) for c in corners))
            expected[key] = expected.get(key, 0) + 1
        other = (x - 1, y + 1)
        if boundary == "periodic":
            other = (other[0] % 5, other[1] % 4)
        if 0 <= other[0] < 5 and 0 <= other[1] < 4:
            key = tuple(sorted((np.ravel_multi_index((x, y), shape), np.ravel_multi_index(other, shape))))
            expected[key] = expected.get(key, 0) + 3
    poly = h.energies[0]
    found = {tuple(int(v) for v in row): poly.coefficients[d].scalar(r)
             for d, block in poly.monomials.items() for r, row in enumerate(block)}
    assert found == expected


def test_anisotropic_couplings_by_direction():
    h = hamc.load("param Jx = 2\nparam Jy = 5\nlattice G = square(4, 4)\nspin s[G]\n"
                  "H = -Jx * sum(i in G: s[i] * s[i + (1, 0)]) - Jy * sum(i in G: s[i] * s[i + (0, 1)])")
    found = terms(h)
    assert found[("s[0,0]", "s[1,0]")] == -2 and found[("s[0,0]", "s[0,1]")] == -5 and len(found) == 32


@pytest.mark.parametrize("text, line, col, message", [
    ("lattice G = square(4, 4)\nspin s[G]\nH = sum(i in G: s[i] * s[i + 1])", 3, 26,
     "'i' is a lattice site with 2 coordinates; use it only as a variable index, as in s[i], moved by a "
     "lattice vector as in s[i + (1, 0)]"),
    ("lattice G = cubic(3, 3, 3)\nspin s[G]\nH = sum(i in G: s[i + (1, 0)])", 3, 23,
     "this displacement has 2 components, the site 3 coordinate(s)"),
    ("real x[4]\nH = x[2 + (1, 0)]", 2, 11,
     "a displacement such as (1, 0) is added to a lattice site inside an index, as in s[i + (1, 0)]"),
    ("real x\nH = (1, 0) * x", 2, 5,
     "a displacement such as (1, 0) is added to a lattice site inside an index, as in s[i + (1, 0)]"),
    ("lattice G = chain(8)\nspin s[G]\nH = sum(<i,j> in bonds(G, 0): s[i] * s[j])", 3, 27,
     "the shell of neighbours must be 1..50, got 0"),
    ("lattice G = chain(8)\nspin s[G]\nH = sum(<i,j> in bonds(G, 1/2): s[i] * s[j])", 3, 27,
     "this must be an integer, got 1/2"),
])
def test_displacement_and_shell_errors(text, line, col, message):
    err = error(text)
    assert (err.line, err.col, err.message) == (line, col, message)


def test_a_large_open_lattice_shell_is_refused_before_its_table_is_made():
    err = error("lattice G = cubic(300, 300, 300, open)\nspin s[G]\nH = sum(<i,j> in bonds(G, 3): s[i] * s[j])",
                max_terms=10**6)
    assert err.message == ("this sum has 108,000,000 index combinations (limit 1,000,000); raise the limit with "
                           "--max-terms") and (err.line, err.col) == (3, 9)


def test_the_j1j2_example_on_every_configuration_of_a_4x4_lattice():
    c = hamc.compile(EXAMPLES / "j1j2.ham", params={"L": 4})
    assert c.verification.exhaustive and c.verification.samples == 2**16
    s = 1.0 - 2.0 * np.array(list(itertools.product((0, 1), repeat=16)))
    grid = s.reshape(-1, 4, 4)
    right, down = np.roll(grid, -1, 1), np.roll(grid, -1, 2)
    diagonals = np.roll(right, -1, 2) + np.roll(right, 1, 2)
    energy = (grid * (right + down)).sum(axis=(1, 2)) + 0.5 * (grid * diagonals).sum(axis=(1, 2))
    np.testing.assert_allclose(c.hamiltonian.evaluate(s), energy, atol=1e-12)
    np.testing.assert_allclose(c.network(s), energy, atol=1e-6)
    neel = np.where(np.add.outer(np.arange(4), np.arange(4)) % 2 == 0, 1.0, -1.0)
    stripes = np.where(np.arange(4)[:, None] % 2 == 0, 1.0, -1.0) * np.ones(4)
    # at J2 = J1/2 both are ground states: Neel -32 + 16 (J1, J2 bonds), stripes 0 - 16
    assert energy.min() == -16
    np.testing.assert_allclose(c.network(np.stack([neel.ravel(), stripes.ravel()])), [-16, -16], atol=1e-6)
