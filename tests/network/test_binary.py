"""Step layers on bits and spins as boolean algebra on bytes: exact, equal to the float and integer paths."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hamc
from hamc.ir import flat_stencil
from hamc.network import binary
from hamc.network.model import ACTIVATION_FUNCTIONS, Layer, Network
from hamc.network.shared import SharedLayout

from conftest import EXAMPLES


def ising_energy(L, X, J=1, h=0.5):
    """The 2D Ising energy by periodic shifts in int64 (independent of hamc)."""
    s = X.reshape(len(X), L, L).astype(np.int64)
    bonds = (s * np.roll(s, 1, axis=1) + s * np.roll(s, 1, axis=2)).sum((1, 2))
    return -J * bonds - h * s.sum((1, 2))


@pytest.fixture
def boolean_only(monkeypatch):
    """Fail if the shared network falls back to integer sums: the boolean path must carry these."""
    def refuse(*args):
        raise AssertionError("fell back to integer sums")
    monkeypatch.setattr(SharedLayout, "_integer_counts", refuse)


def test_ising_4x4_on_every_spin_configuration_is_exact(boolean_only, monkeypatch):
    net = hamc.compile(EXAMPLES / "ising.ham", params={"L": 4}, check=False).network
    X = np.array(list(itertools.product((-1, 1), repeat=16)), np.int8)
    monkeypatch.setattr(flat_stencil, "CHUNK_SITES", 1000 * 16 + 5)        # chunks of 1000, a short last one
    assert np.array_equal(net(X), ising_energy(4, X))


@pytest.mark.parametrize("L", [64, 67])
def test_ising_random_lattices_are_exact(boolean_only, L):
    net = hamc.compile(EXAMPLES / "ising.ham", params={"L": L}, check=False).network
    X = np.random.default_rng(L).choice(np.array([-1, 1], np.int16), size=(300, L * L))
    assert np.array_equal(net(X), ising_energy(L, X))


@pytest.mark.parametrize("name,params", [("three_body", {"N": 5}), ("three_body", {"N": 64}), ("j1j2", {"L": 8})])
def test_spin_examples_equal_their_exact_energies(boolean_only, name, params):
    c = hamc.compile(EXAMPLES / f"{name}.ham", params=params, check=False)
    X = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(200, len(c.network.inputs)))
    assert np.array_equal(c.network(X), c.hamiltonian.evaluate(X))


def test_other_integers_fall_back_to_integer_sums_and_stay_exact():
    net = hamc.compile(EXAMPLES / "ising.ham", params={"L": 8}, check=False).network
    X = np.random.default_rng(1).integers(-1, 2, size=(50, 64), dtype=np.int8)     # zeros among the spins
    X[0] = 1
    assert binary.two_values(X) is None
    assert np.array_equal(net(X), net(X.astype(np.float64)))


def test_two_values():
    assert binary.two_values(np.array([[-1, 1, 1]], np.int8)) == (-1, 1)
    assert binary.two_values(np.array([[0, 1]], np.int64)) == (0, 1)
    assert binary.two_values(np.array([[3, 3]], np.int32)) == (3, 4)      # one value: any pair holding it
    assert binary.two_values(np.array([[-1, 0, 1]], np.int8)) is None
    assert binary.two_values(np.array([[0, 2]], np.int8)) is None


def test_and_plans_read_bit_products_and_refuse_other_functions():
    w2 = np.array([[1, 1, 1], [0, 1, 0], [0, 0, -1]])          # x0; x0 and x1; x0 and not x2 (on bits)
    assert binary.and_plans([(w2, np.array([-1, -2, -1]))], 0, 1) == [[((0,), ()), ((0, 1), ()), ((0,), (2,))]]
    assert binary.and_plans([(np.array([[1], [1], [1]]), np.array([-2]))], 0, 1) is None       # a majority
    assert binary.and_plans([(np.array([[1]]), np.array([5]))], 0, 1) == [[True]]               # always on
    assert binary.and_plans([(np.array([[-1], [-1]]), np.array([0]))], 0, 1) == [[((), (0, 1))]]  # a NOR


def test_boundary_sites_are_those_whose_patch_wraps():
    offsets = np.array([[0, 0], [0, -1], [-1, 0]])
    sites = flat_stencil._boundary((4, 5), offsets)
    expected = [i * 5 + j for i in range(4) for j in range(5) if i == 0 or j == 0]
    assert sites.tolist() == expected


def random_network(data, rank):
    """A shared network of 1-3 step layers with half-integer weights, offsets reaching up to 3 sites
    (more than a small lattice's side), on a random periodic lattice."""
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank)))
    patch = data.draw(st.integers(1, 4))
    offsets = np.array(data.draw(st.lists(st.lists(st.integers(-3, 3), min_size=rank, max_size=rank),
                                          min_size=patch, max_size=patch)), np.int64)
    halves = st.integers(-3, 3).map(lambda k: k / 2)
    layers, width = [], patch
    for _ in range(data.draw(st.integers(1, 3))):
        n = data.draw(st.integers(1, 4))
        w = np.array(data.draw(st.lists(st.lists(halves, min_size=n, max_size=n), min_size=width, max_size=width)))
        b = np.array(data.draw(st.lists(halves, min_size=n, max_size=n)))
        layers.append(Layer(w, b, "step"))
        width = n
    layers.append(Layer(np.arange(1.0, width + 1)[:, None], np.array([0.25]), "identity"))
    layout = SharedLayout(shape, offsets, np.array([0.5]), "identity", "s")
    return Network(tuple(layers), [f"s{i}" for i in range(layout.sites)], ("H",), shared=layout)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rank=st.integers(1, 3), values=st.sampled_from([(-1, 1), (0, 1), (3, 4), (-1, -1)]))
def test_random_step_networks_give_the_float_forward_pass_exactly(data, rank, values):
    net = random_network(data, rank)
    rows = data.draw(st.integers(0, 9))
    X = np.random.default_rng(rows).choice(np.array(values, np.int8), size=(rows, net.shared.sites))
    float_out = net.shared.forward(X.astype(np.float64), net.layers, ACTIVATION_FUNCTIONS)
    doubled = net.shared.integer_layers(net.layers)
    counts = net.shared._binary_counts(X, doubled)
    if counts is not None:                  # every neuron an AND of literals: booleans; else integer sums
        assert np.array_equal(counts, net.shared._integer_counts(X, doubled))
    assert np.array_equal(net(X), float_out[:, 0])
