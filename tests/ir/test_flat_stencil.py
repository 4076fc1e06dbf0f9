"""Sums over a periodic lattice of monomials of bits or spins, by moved views of one flat byte array."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hamc
from hamc.ir import flat_stencil
from hamc.ir.flat_stencil import bits_or_spins, count_rows, monomial_sums

from conftest import EXAMPLES


def rolled_sums(shape, terms, x):
    """sum_s prod_{o in term} x[s + o] by np.roll in int64, the independent reference."""
    grid = x.reshape((len(x),) + tuple(shape)).astype(np.int64)
    axes = tuple(range(1, len(shape) + 1))
    out = []
    for term in terms:
        product = np.ones_like(grid)
        for o in term:
            product = product * np.roll(grid, tuple(-int(k) for k in o), axis=axes)
        out.append(product.reshape(len(x), -1).sum(axis=1))
    return np.stack(out, axis=1)


def test_ising_4x4_evaluate_on_every_configuration_is_exact(monkeypatch):
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": 4})
    X = np.array(list(itertools.product((-1, 1), repeat=16)), np.int8)
    monkeypatch.setattr(flat_stencil, "CHUNK_SITES", 999 * 16)      # many chunks, a short last one
    s = X.reshape(-1, 4, 4).astype(np.int64)
    bonds = (s * np.roll(s, 1, axis=1) + s * np.roll(s, 1, axis=2)).sum((1, 2))
    assert np.array_equal(h.evaluate(X), -bonds - 0.5 * s.sum((1, 2)))


@pytest.mark.parametrize("name,params", [("ising", {"L": 64}), ("three_body", {"N": 7}), ("j1j2", {"L": 5})])
def test_lattice_evaluate_equals_the_expanded_terms(name, params):
    h = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    X = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(40, h.n_variables))
    fast = h.evaluate(X)
    h.energies[0].monomials                                          # expands the lattice sum: the term-by-term path
    assert h.energies[0].expanded
    assert np.allclose(fast, h.evaluate(X), rtol=0, atol=1e-9)


def test_bits_spins_and_other_integers():
    assert bits_or_spins(np.array([[0, 1, 1]], np.int8)) == "bits"
    assert bits_or_spins(np.array([[1, 1]], np.int64)) == "bits"
    assert bits_or_spins(np.array([[-1, 1]], np.int16)) == "spins"
    assert bits_or_spins(np.array([[-1, -1]], np.int8)) == "spins"
    assert bits_or_spins(np.array([[-1, 0, 1]], np.int8)) is None
    assert bits_or_spins(np.array([[2, 1]], np.int8)) is None
    assert monomial_sums((3,), [np.array([[0]])], np.array([[-1, 0, 1]], np.int8)) is None
    assert monomial_sums((3,), [np.array([[0]])], np.array([[0.0, 1.0, 1.0]])) is None     # floats: not here


def test_count_rows_carries_no_byte_lane_over():
    flat = np.ones(3 * 4096, np.bool_)                  # 512 words a row: 255 at a time reach 255 per lane
    assert count_rows(flat, 3).tolist() == [4096] * 3
    assert count_rows(np.ones(3 * 13, np.bool_), 3).tolist() == [13] * 3       # not whole words


@settings(max_examples=80, deadline=None)
@given(data=st.data(), rank=st.integers(1, 3), kind=st.sampled_from(["bits", "spins"]))
def test_random_monomials_equal_rolled_products(data, rank, kind):
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank)))
    offset = st.lists(st.integers(-3, 3), min_size=rank, max_size=rank)
    terms = [np.array(t, np.int64).reshape(-1, rank)
             for t in data.draw(st.lists(st.lists(offset, min_size=0, max_size=4), min_size=1, max_size=4))]
    rows = data.draw(st.integers(1, 6))
    values = np.array([0, 1] if kind == "bits" else [-1, 1], data.draw(st.sampled_from([np.int8, np.int32, np.bool_]))
                      if kind == "bits" else np.int8)
    x = np.random.default_rng(rows).choice(values, size=(rows, int(np.prod(shape))))
    assert np.array_equal(monomial_sums(shape, terms, x), rolled_sums(shape, terms, x))
