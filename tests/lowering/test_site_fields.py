"""Disordered lattice sums lowered at one site: per-site coefficient arrays against the term-by-term lowering."""
import itertools

import numpy as np
import pytest

import hamc

from conftest import EDWARDS_ANDERSON

EA = EDWARDS_ANDERSON.format(L=3)

RANDOM_FIELD = """param L = 4
param J = 1
param h = load("h.npy", L, L)
lattice G = square(L, L, periodic)
spin s[G]
H = -J * sum(i in 0..L-1, j in 0..L-1: s[i,j] * s[i+1,j] + s[i,j] * s[i,j+1]) - sum(i in 0..L-1, j in 0..L-1: h[i,j] * s[i,j])
"""

CHAIN = """param N = 12
param J = load("J.npy", N)
{domain} s[N] periodic
H = -sum(i in 0..N-1: J[i] * s[i] * s[i+1]) + sum(i in 0..N-1: J[i] * J[i] * s[i] + J[i] + 3 * s[i])
"""

BONDS = """param J = load("J.npy", 4, 4)
lattice G = square(4, 4, periodic)
spin s[G]
H = -sum(<i,j> in G: J[j] * s[i] * s[j]) - sum(i in G: J[i] * s[i])
"""


def term_by_term(text: str) -> str:
    """The same program with an always-true condition on each sum: lowered term by term, as before."""
    return text.replace("k in 0..L-1:", "k in 0..L-1, i >= 0:").replace("j in 0..L-1:", "j in 0..L-1, i >= 0:") \
        .replace("i in 0..N-1:", "i in 0..N-1, i >= 0:")


def loaded(text: str, **arrays):
    return hamc.load(text, params=arrays)


def assert_same_polynomial(new, old):
    assert new.energies[0].density is not None and not new.energies[0].density.uniform
    assert old.energies[0].density is None or old.energies[0].density.uniform
    a, b = new.energies[0], old.energies[0]
    assert sorted(a.monomials) == sorted(b.monomials)
    for d in b.monomials:
        assert np.array_equal(a.monomials[d], b.monomials[d])
        assert a.coefficients[d].exact == b.coefficients[d].exact
        assert np.array_equal(a.coefficients[d].as_float(), b.coefficients[d].as_float())


def spins(n, count, seed=0):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), size=(count, n))


def every(n, values=(-1, 1)):
    return np.array(list(itertools.product(values, repeat=n)), np.int8)


def ea_energy(J, x):
    L = J.shape[0]
    grid = x.reshape(-1, L, L, L).astype(np.float64)
    return -sum((J[..., d] * grid * np.roll(grid, -1, axis=d + 1)).sum(axis=(1, 2, 3)) for d in range(3))


@pytest.mark.parametrize("L", [3, 4])
@pytest.mark.parametrize("kind", ["random", "periodic"])
def test_edwards_anderson_density_expands_to_the_term_by_term_lowering(L, kind):
    rng = np.random.default_rng(L)
    idx = np.indices((L, L, L, 3)).sum(axis=0)
    J = rng.choice([-1.0, 1.0], size=(L, L, L, 3)) if kind == "random" else (-1.0) ** idx * (1 + idx % 3)
    text = EA.replace("param L = 3", f"param L = {L}")
    new = loaded(text, J=J)
    assert_same_polynomial(new, loaded(term_by_term(text), J=J))
    fresh = loaded(text, J=J)
    x = spins(L ** 3, 64)
    assert np.array_equal(fresh.evaluate(x), ea_energy(J, x))
    assert not fresh.energies[0].expanded                   # evaluated through the density
    assert len(fresh.energies[0].density.disorder.local) == 3


@pytest.mark.parametrize("L", [4, 8])
def test_random_field_density_against_term_by_term_and_numpy(L):
    h = np.random.default_rng(L).integers(-8, 9, size=(L, L)) / 4.0     # dyadic: every sum exact
    text = RANDOM_FIELD.replace("param L = 4", f"param L = {L}")
    assert_same_polynomial(loaded(text, h=h), loaded(term_by_term(text), h=h))
    fresh = loaded(text, h=h)
    x = every(16) if L == 4 else spins(L * L, 256)
    grid = x.reshape(-1, L, L).astype(np.float64)
    direct = -(grid * np.roll(grid, -1, 1) + grid * np.roll(grid, -1, 2)).sum(axis=(1, 2)) - (h * grid).sum(axis=(1, 2))
    assert np.array_equal(fresh.evaluate(x), direct)
    density = fresh.energies[0].density
    assert len(density.local) == 2 and len(density.disorder.local) == 1 and density.disorder.fields[0].base is not None


@pytest.mark.parametrize("domain,values", [("spin", (-1, 1)), ("bit", (0, 1))])
def test_chain_with_integer_couplings_stays_exact_and_equals_every_configuration(domain, values):
    J = np.array([1, 2, -3, 4, 5, -1, 0, 7, -2, 1, 1, -6])
    text = CHAIN.format(domain=domain)
    new = loaded(text, J=J)
    assert new.exact
    assert_same_polynomial(new, loaded(term_by_term(text), J=J))
    x = every(12, values)
    s = x.astype(np.float64)
    direct = -(J * s * np.roll(s, -1, 1)).sum(1) + (J * J * s).sum(1) + J.sum() + 3 * s.sum(1)
    assert np.array_equal(loaded(text, J=J).evaluate(x), direct)
    ones = np.ones(12)
    assert loaded(text, J=J).energies[0].bound(ones) == loaded(term_by_term(text), J=J).energies[0].bound(ones)


def test_bond_and_site_binders_read_the_field_at_either_end():
    J = np.arange(16).reshape(4, 4) - 7
    h = loaded(BONDS, J=J)
    x = every(16)
    g = x.reshape(-1, 4, 4).astype(np.float64)
    direct = -sum((np.roll(J, -1, d) * g * np.roll(g, -1, d + 1)).sum(axis=(1, 2)) for d in range(2)) \
        - (J * g).sum(axis=(1, 2))
    assert np.array_equal(h.evaluate(x), direct) and h.exact
    assert len(loaded(BONDS, J=J).energies[0].monomials[2]) == 2 * 16 - 2     # J = 0 at one site: its two bonds drop


def test_no_translation_symmetry_is_claimed_and_the_analysis_matches_the_old_lowering():
    J = np.random.default_rng(1).choice([-1.0, 1.0], size=(3, 3, 3, 3))
    new, old = hamc.analyze(loaded(EA, J=J)), hamc.analyze(loaded(term_by_term(EA), J=J))
    assert not new.translation_invariant and new.translations < 27
    for key in ("terms", "degree", "max_neighbors", "interaction_edges", "symmetry", "symmetry_group_order",
                "translations", "translation_invariant", "exact", "coefficients"):
        assert getattr(new, key) == getattr(old, key), key


def test_sympy_form_and_dask_evaluation_of_a_disordered_sum():
    import dask.array as da
    J = np.array([1, 2, -3, 4, 5, -1, 0, 7, -2, 1, 1, -6])
    text = CHAIN.format(domain="spin")
    assert loaded(text, J=J).to_sympy() == loaded(term_by_term(text), J=J).to_sympy()
    x = every(12)[:1024]
    h = loaded(text, J=J)
    lazy = h.evaluate(da.from_array(x, chunks=(256, 12)))
    assert np.array_equal(lazy.compute(), loaded(text, J=J).evaluate(x))


@pytest.mark.parametrize("body,shape,message,col", [
    ("J[i] * s[i] * s[i+1]", 11, "index 11 is out of range 0..10 for axis 0 of 'J' (shape (11,))", 23),
    ("J[i+1] * s[i] * s[i+1]", 12, "index 12 is out of range 0..11 for axis 0 of 'J' (shape (12,))", 23),
    ("J[i, 0] * s[i]", 12, "'J' takes 1 index(es), got 2", 23),
])
def test_parameter_errors_keep_their_position(body, shape, message, col):
    text = f"param N = 12\nparam J = load(\"J.npy\", {shape})\nspin s[N] periodic\nH = -sum(i in 0..N-1: {body})\n"
    with pytest.raises(hamc.HamcError) as info:
        loaded(text, J=np.ones(shape))
    assert message in str(info.value)
    assert (info.value.span.line, info.value.span.col) == (4, col)


@pytest.mark.parametrize("body,expected", [
    ("J[2 * i - i] * s[i] * s[i+1]", lambda J, s: (J[:12] * s * np.roll(s, -1, 1)).sum(1)),   # still affine
    ("J[i] * s[i] * s[i+1]", lambda J, s: (J[:12] * s * np.roll(s, -1, 1)).sum(1)),          # longer J
    ("sqrt(J[i] * J[i]) * s[i]", lambda J, s: (np.abs(J[:12]) * s).sum(1)),                  # not a factor
])
def test_other_parameter_uses_fall_back_to_the_term_by_term_lowering(body, expected):
    J = np.arange(13, dtype=np.float64) - 6
    text = f"param N = 12\nparam J = load(\"J.npy\", 13)\nspin s[N] periodic\nH = sum(i in 0..N-1: {body})\n"
    x = every(12)
    assert np.array_equal(loaded(text, J=J).evaluate(x), expected(J, x.astype(np.float64)))


def test_dask_runs_a_disordered_sum_chunk_by_chunk_with_its_coefficients_cut_alike():
    import dask.array as da
    J = np.random.default_rng(2).choice([-1.0, 1.0], size=(4, 4, 4, 3))
    h = loaded(EA.replace("param L = 3", "param L = 4"), J=J)
    x = spins(64, 6, seed=3)
    for chunks in ((3, 2, 4, 4), (6, 2, 3, 1), (2, 4, 4, 4)):
        lazy = h.evaluate(da.from_array(x.reshape(6, 4, 4, 4), chunks=chunks))
        assert np.array_equal(lazy.compute(), ea_energy(J, x))
    fields = np.random.default_rng(4).integers(-8, 9, size=(8, 8)) / 4.0
    rf = loaded(RANDOM_FIELD.replace("param L = 4", "param L = 8"), h=fields)
    y = spins(64, 4, seed=5)
    assert np.array_equal(rf.evaluate(da.from_array(y.reshape(4, 8, 8), chunks=(2, 3, 5))).compute(), rf.evaluate(y))
