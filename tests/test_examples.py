"""A table over every examples/*.ham: sizes, terms, locality, symmetry, coefficients and hand-computed energies."""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from conftest import EXAMPLES, example, example_analysis

F = Fraction
SK = np.load(EXAMPLES / "data" / "sk_couplings.npy", allow_pickle=False)
CLOCK = np.loadtxt(EXAMPLES / "data" / "clock6.csv", delimiter=",")
EA = np.load(EXAMPLES / "data" / "ea_couplings.npy", allow_pickle=False)          # (4, 4, 4, 3)
RF = np.load(EXAMPLES / "data" / "random_fields.npy", allow_pickle=False)         # (8, 8)


def grid(values: np.ndarray) -> np.ndarray:
    """A 2-d field as one configuration row (C order: s[i,j] is column i*L + j)."""
    return values.reshape(1, -1).astype(float)


def checkerboard(n: int) -> np.ndarray:
    i, j = np.indices((n, n))
    return np.where((i + j) % 2 == 0, 1.0, -1.0)


def delta(shape, at=(0, 0)) -> np.ndarray:
    out = np.zeros(shape)
    out[at] = 1
    return out


def one_hot(states: np.ndarray, q: int) -> np.ndarray:
    """Integer states as one configuration row of one-hot bits (site-major, q bits per site)."""
    return (states.reshape(-1, 1) == np.arange(q)).astype(float).reshape(1, -1)


# Independent brute-force energies, written from each file's header formula with numpy rolls.
def ising_energy(s, J=1.0, h=0.5):
    return -J * np.sum(s * np.roll(s, -1, 0) + s * np.roll(s, -1, 1)) - h * np.sum(s)


def j1j2_energy(s, J1=1.0, J2=0.5):
    right, down = np.roll(s, -1, 0), np.roll(s, -1, 1)
    return J1 * np.sum(s * right + s * down) + J2 * np.sum(s * np.roll(right, -1, 1) + s * np.roll(right, 1, 1))


def potts_energy(n, J=1.0, h=0.5):
    return -J * np.sum((n == np.roll(n, -1, 0)).astype(int) + (n == np.roll(n, -1, 1))) - h * np.sum(n == 0)


def clock_energy(n, J=1.0, q=6):
    return -J * np.sum(np.cos(2 * np.pi * (n - np.roll(n, -1, 0)) / q) + np.cos(2 * np.pi * (n - np.roll(n, -1, 1)) / q))


def image_energy(p, y0=1.0, y1=0.5, y2=0.25):
    up, down, right, left = np.roll(p, -1, 0), np.roll(p, 1, 0), np.roll(p, -1, 1), np.roll(p, 1, 1)
    lap = up + down + right + left - 4 * p
    return np.sum(y0 * p ** 2 + y1 * ((up - p) ** 2 + (right - p) ** 2) + y2 * lap ** 2)


def phi4_energy(p, m2=1.0, lam=1.0):
    grad = (np.roll(p, -1, 0) - p) ** 2 + (np.roll(p, -1, 1) - p) ** 2
    return np.sum(m2 / 2 * p ** 2 + lam / 24 * p ** 4 + grad / 2)


def microphone_energy(x, h0=1.0, a=1.0, b=-0.5):
    return h0 + np.sum(a * x ** 2 + b * x * np.roll(x, -1))


def edwards_anderson_energy(s):
    return -sum(np.sum(EA[..., d] * s * np.roll(s, -1, d)) for d in range(3))


def random_field_energy(s, J=1.0):
    return -J * np.sum(s * np.roll(s, -1, 0) + s * np.roll(s, -1, 1)) - np.sum(RF * s)


RNG = np.random.default_rng(2024)
RANDOM_SPINS_16 = RNG.choice([-1.0, 1.0], size=(16, 16))
RANDOM_FIELD_8 = RNG.normal(size=(8, 8))
RANDOM_SAMPLES_32 = RNG.normal(size=32)
RANDOM_SPINS_64 = RNG.choice([-1.0, 1.0], size=64)
RANDOM_STATES_3 = RNG.integers(0, 3, size=(4, 4))
RANDOM_STATES_6 = RNG.integers(0, 6, size=(4, 4))
RANDOM_SPINS_4X4X4 = RNG.choice([-1.0, 1.0], size=(4, 4, 4))

# name: variables per domain, terms per degree, degree, max neighbours, symmetry order,
#       independent parameters, how many monomials carry each coefficient value,
#       and (configuration, energy) pairs: energies by hand, or by the brute-force formulas above.
TABLE = {
    "ising": dict(
        variables={"spin": 256}, terms={1: 256, 2: 512}, degree=2, neighbors=4, order=2048, independent=2,
        coefficients={F(-1): 512, F(-1, 2): 256},
        energies=[
            (np.ones((1, 256)), -640),                                  # -J*512 - h*256
            (grid(checkerboard(16)), 512),                              # every bond anti-aligned, no net field
            (grid(np.where(np.arange(256) == 37, -1.0, 1.0)), -631),    # one flip: 4 bonds turn (+8), field -127
            (grid(RANDOM_SPINS_16), ising_energy(RANDOM_SPINS_16)),
        ]),
    "j1j2": dict(
        variables={"spin": 256}, terms={2: 1024}, degree=2, neighbors=8, order=2048, independent=2,
        coefficients={F(1): 512, F(1, 2): 512},
        energies=[
            (np.ones((1, 256)), 768),                                   # J1 * 512 + J2 * 512
            (grid(checkerboard(16)), -256),                             # Neel: J1 bonds -512, J2 bonds +256
            (grid(np.where(np.arange(16)[:, None] % 2 == 0, 1.0, -1.0) * np.ones(16)), -256),  # stripes: the same
            (grid(RANDOM_SPINS_16), j1j2_energy(RANDOM_SPINS_16)),
        ]),
    "maxcut": dict(
        variables={"bit": 8}, terms={1: 8, 2: 12}, degree=2, neighbors=3, order=1, independent=20,
        # x[v]: minus the weights at v (6 5 8 8 7 4 10 6); x[u] x[v]: twice the weight of edge u-v
        coefficients={F(-6): 2, F(-5): 1, F(-8): 2, F(-7): 1, F(-4): 1, F(-10): 1,
                      F(6): 2, F(2): 4, F(4): 4, F(8): 1, F(10): 1},
        energies=[
            (np.zeros((1, 8)), 0),
            (np.ones((1, 8)), 0),                                       # nothing cut
            (np.array([[1, 0, 0, 0, 0, 0, 0, 0]]), -6),                 # the three edges at vertex 0
            (np.array([[0, 1, 1, 0, 1, 0, 0, 1]]), -24),                # a maximum cut: all but 1-2 and 5-6
        ]),
    "curie_weiss": dict(
        variables={"spin": 16}, terms={0: 1, 2: 120}, degree=2, neighbors=15, order=20_922_789_888_000,
        independent=2, coefficients={F(-1): 1, F(-1, 8): 120},         # -(1/16)(16 + 2 sum_{i<j} s_i s_j)
        energies=[
            (np.ones((1, 16)), -16),                                    # -(16)^2 / 16
            (np.array([[1.0] * 8 + [-1.0] * 8]), 0),
            (np.array([[-1.0] + [1.0] * 15]), -12.25),                  # -(14)^2 / 16
        ]),
    "image": dict(
        variables={"real": 64}, terms={2: 448}, degree=2, neighbors=12, order=512, independent=4,
        # phi_r^2: y0 + 4 y1 + (16 + 4) y2 = 8; nearest pairs: -2 y1 - 16 y2 = -5;
        # pairs at (2,0),(0,2): 2 y2 = 1/2; diagonal pairs (1,1),(1,-1): 4 y2 = 1
        coefficients={F(8): 64, F(-5): 128, F(1, 2): 128, F(1): 128},
        energies=[
            (np.ones((1, 64)), 64),                                     # no gradients: y0 * 64
            (grid(delta((8, 8), (3, 5))), 8),
            (grid(RANDOM_FIELD_8), image_energy(RANDOM_FIELD_8)),
        ]),
    "microphone": dict(
        variables={"real": 32}, terms={0: 1, 2: 64}, degree=2, neighbors=2, order=64, independent=3,
        coefficients={F(1): 33, F(-1, 2): 32},
        energies=[
            (np.ones((1, 32)), 17),                                     # 1 + 32 (1 - 1/2)
            (np.array([[(-1.0) ** i for i in range(32)]]), 49),         # 1 + 32 (1 + 1/2)
            (np.arange(32.0).reshape(1, -1), 5457),                     # 1 + 10416 - (9455 + 465)/2
            (RANDOM_SAMPLES_32.reshape(1, -1), microphone_energy(RANDOM_SAMPLES_32)),
        ]),
    "phi4": dict(
        variables={"real": 64}, terms={2: 192, 4: 64}, degree=4, neighbors=4, order=512, independent=3,
        coefficients={F(5, 2): 64, F(-1): 128, F(1, 24): 64},          # m2/2 + 4/2; -1 per bond; lam/24
        energies=[
            (np.ones((1, 64)), F(104, 3)),                              # 64 (1/2 + 1/24)
            (np.full((1, 64), 2.0), F(512, 3)),                         # 64 (2 + 16/24)
            (grid(delta((8, 8), (7, 0))), F(61, 24)),                   # 1/2 + 1/24 + 4 bonds / 2
            (grid(RANDOM_FIELD_8), phi4_energy(RANDOM_FIELD_8)),
        ]),
    "product32": dict(
        variables={"real": 32}, terms={32: 1}, degree=32, neighbors=31,
        order=263_130_836_933_693_530_167_218_012_160_000_000, independent=1, coefficients={F(1): 1},
        energies=[
            (np.ones((1, 32)), 1),
            (np.full((1, 32), 2.0), 2 ** 32),
            (np.full((1, 32), -1.0), 1),
            (np.array([[1.0] * 31 + [0.0]]), 0),
            (np.arange(1.0, 33.0).reshape(1, -1) / 16, float(np.prod(np.arange(1, 33) / 16))),
        ]),
    "spin_glass": dict(
        variables={"spin": 64}, terms={2: 2016}, degree=2, neighbors=63, order=1, independent=2016,
        coefficients=None,                                              # checked against the file below
        energies=[
            (np.ones((1, 64)), -np.sum(np.triu(SK, 1)) / 8),
            (RANDOM_SPINS_64.reshape(1, -1), -(RANDOM_SPINS_64 @ SK @ RANDOM_SPINS_64) / 2 / 8),
        ]),
    "edwards_anderson": dict(
        variables={"spin": 64}, terms={2: 192}, degree=2, neighbors=6, order=1, independent=192,
        coefficients=None,                                              # floats from the file
        energies=[
            (np.ones((1, 64)), -np.sum(EA)),                            # every bond aligned
            (RANDOM_SPINS_4X4X4.reshape(1, -1), edwards_anderson_energy(RANDOM_SPINS_4X4X4)),
        ]),
    "random_field": dict(
        variables={"spin": 64}, terms={1: 64, 2: 128}, degree=2, neighbors=4, order=1, independent=192,
        coefficients=None,
        energies=[
            (np.ones((1, 64)), -128 - np.sum(RF)),
            (grid(checkerboard(8)), 128 - np.sum(RF * checkerboard(8))),
            (grid(RANDOM_SPINS_16[:8, :8]), random_field_energy(RANDOM_SPINS_16[:8, :8])),
        ]),
    "three_body": dict(
        variables={"spin": 12}, terms={2: 12, 3: 12}, degree=3, neighbors=4, order=24, independent=2,
        coefficients={F(-1): 12, F(-1, 2): 12},
        energies=[
            (np.ones((1, 12)), -18),                                    # -K 12 - J 12
            (-np.ones((1, 12)), 6),                                     # triples -1, pairs +1
            (np.array([[(-1.0) ** i for i in range(12)]]), 6),          # triples sum to 0, pairs -1
        ]),
    "potts": dict(
        # q bit pairs per bond, one field bit per site; the 4 x 4 torus has 384 automorphisms, and
        # states 1 and 2 may swap (the field singles out state 0)
        variables={"discrete": 16}, terms={1: 16, 2: 96}, degree=2, neighbors=4, order=768, independent=3,
        coefficients={F(-1): 96, F(-1, 2): 16},
        energies=[
            (one_hot(np.zeros((4, 4), int), 3), -40),                  # 32 bonds agree, 16 sites in state 0
            (one_hot(1 + checkerboard(4).astype(int).clip(0), 3), 0),  # states 1 and 2 alternate
            (one_hot(RANDOM_STATES_3, 3), potts_energy(RANDOM_STATES_3)),
        ]),
    "clock": dict(
        # q^2 bit pairs per bond (no cosine of a multiple of 60 degrees is 0); translations only
        # (96 bits are past the automorphism search), 72 = the distinct bond terms up to translation
        variables={"discrete": 16}, terms={2: 1152}, degree=2, neighbors=24, order=16, independent=72,
        coefficients=None,
        energies=[
            (one_hot(np.zeros((4, 4), int), 6), -32),                  # aligned: cos 0 on every bond
            (one_hot(3 * checkerboard(4).astype(int).clip(0), 6), 32),  # opposite angles on every bond
            (one_hot(RANDOM_STATES_6, 6), clock_energy(RANDOM_STATES_6)),
        ]),
    "cat_dog": dict(
        variables={"bit": 4}, terms={0: 2, 1: 6, 2: 2, 3: 2}, degree=3, neighbors=3, order=1, independent=9,
        coefficients=None,
        energies=[
            (np.array([[0, 0, 0, 0]]), [2, 2.5]),
            (np.array([[1, 1, 1, 1]]), [0, 0.5]),
            (np.array([[1, 1, 0, 0]]), [-1.5, 3]),
            (np.array([[0, 0, 1, 1]]), [2.5, -1]),
        ]),
}


def test_the_table_covers_every_example_file():
    assert set(TABLE) == {p.stem for p in EXAMPLES.glob("*.ham")}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_example_analysis(name):
    row, a = TABLE[name], example_analysis(name)
    assert {d: n for d, n in a.variables.items() if n} == row["variables"]
    assert a.terms == row["terms"]
    assert a.degree == row["degree"]
    assert a.max_neighbors == row["neighbors"]
    assert a.symmetry_group_order == row["order"]
    assert a.parameters.independent == row["independent"]
    assert a.parameters.nonzero == sum(row["terms"].values())


@pytest.mark.parametrize("name", sorted(n for n in TABLE if TABLE[n]["coefficients"]))
def test_example_coefficients(name):
    h = example(name)
    poly = h.energies[0]
    assert poly.exact
    values = Counter(F(int(c.p), int(c.q)) for d in poly.monomials
                     for c in (poly.coefficients[d].scalar(k) for k in range(len(poly.monomials[d]))))
    assert values == TABLE[name]["coefficients"]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_example_energies(name):
    h = example(name)
    for x, energy in TABLE[name]["energies"]:
        np.testing.assert_allclose(h.evaluate(x)[0], np.asarray(energy, dtype=float), rtol=1e-12, atol=1e-9)


def test_spin_glass_coefficients_come_from_the_file():
    h = example("spin_glass")
    assert not h.energies[0].exact
    block, coef = h.energies[0].monomials[2], h.energies[0].coefficients[2].as_float()
    assert np.count_nonzero(np.triu(SK, 1)) == 2016 == len(block)     # every pair i < j is coupled
    np.testing.assert_allclose(coef, -SK[block[:, 0], block[:, 1]] / 8, rtol=1e-15)


def test_cat_dog_priors_and_posterior():
    h = example("cat_dog")
    assert h.labels == ("cat", "dog")
    assert [F(p) for p in h.priors] == [F(3, 5), F(2, 5)]
    p = h.posterior(np.array([[0, 0, 0, 0]]))[0]
    cat, dog = 0.6 * np.exp(-2), 0.4 * np.exp(-2.5)
    np.testing.assert_allclose(p, [cat / (cat + dog), dog / (cat + dog)], rtol=1e-12)
