"""Discrete (q-state) variables: one-hot lowering of delta and table lookups, checked against energies
computed directly from the integer states; their errors, inputs and analysis."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import hamc
from hamc.build.options import BuildOptions
from hamc.verification import sample_inputs
from conftest import EXAMPLES, error, run

CLOCK = np.loadtxt(EXAMPLES / "data" / "clock6.csv", delimiter=",")


def all_states(sites: int, q: int) -> np.ndarray:
    return np.array(list(itertools.product(range(q), repeat=sites)))


def bonds(n: np.ndarray):
    """(n_i, n_j) over the bonds of a periodic square lattice: each site with its right and lower neighbour."""
    return [(n, np.roll(n, -1, axis)) for axis in (-2, -1)]


def potts_energy(states: np.ndarray, L: int, J=1.0, h=0.5) -> np.ndarray:
    n = states.reshape(-1, L, L)
    agree = sum((a == b).sum(axis=(1, 2)) for a, b in bonds(n))
    return -J * agree - h * (n == 0).sum(axis=(1, 2))


def clock_energy(states: np.ndarray, L: int, J=1.0, q=6) -> np.ndarray:
    n = states.reshape(-1, L, L)
    return -J * sum(np.cos(2 * np.pi * (a - b) / q).sum(axis=(1, 2)) for a, b in bonds(n))


def network_energies(compiled, states: np.ndarray, q: int) -> np.ndarray:
    return compiled.network(hamc.one_hot(states, q).astype(float))


def test_potts_example_exhaustively_at_L3_against_direct_energies():
    compiled = hamc.compile(EXAMPLES / "potts.ham", params={"L": 3}, options=BuildOptions(strategy="bits"))
    states = all_states(9, 3)                                   # 3^9 = 19,683 configurations
    expected = potts_energy(states, 3)
    np.testing.assert_array_equal(compiled.hamiltonian.evaluate(hamc.one_hot(states, 3)), expected)
    np.testing.assert_array_equal(network_energies(compiled, states, 3), expected)
    assert expected.min() == -18 - 4.5                          # all in state 0: 18 bonds and 9 fields


def test_clock_example_exhaustively_at_L2_and_sampled_at_L4():
    compiled = hamc.compile(EXAMPLES / "clock.ham", params={"L": 2}, options=BuildOptions(strategy="bits"))
    states = all_states(4, 6)                                   # 6^4 = 1,296 configurations
    np.testing.assert_allclose(network_energies(compiled, states, 6), clock_energy(states, 2), atol=1e-12)
    compiled = hamc.compile(EXAMPLES / "clock.ham", options=BuildOptions(strategy="bits"))
    states = np.random.default_rng(6).integers(0, 6, size=(300, 16))
    np.testing.assert_allclose(network_energies(compiled, states, 6), clock_energy(states, 4), atol=1e-12)
    assert network_energies(compiled, np.zeros((1, 16), int), 6)[0] == -32     # aligned: -J per bond


def test_the_table_is_the_clock_cosine():
    a = np.arange(6)
    np.testing.assert_allclose(CLOCK, np.cos(2 * np.pi * (a[:, None] - a[None, :]) / 6), atol=1e-12)


def test_one_hot_terms_counted_from_the_states():
    h = hamc.load(EXAMPLES / "potts.ham")
    assert h.n_variables == 16 * 3
    # a bond agrees in one of q states: q bit pairs per bond; the field is one bit per site
    assert h.energies[0].terms_by_degree() == {1: 16, 2: 2 * 16 * 3}
    assert list(h.variable_labels())[:4] == ["n[0,0]=0", "n[0,0]=1", "n[0,0]=2", "n[0,1]=0"]
    assert h.variable_label(5) == "n[0,1]=2"


def test_analyze_says_how_many_bits_encode_the_discrete_variables(capsys):
    a = hamc.analyze(hamc.load(EXAMPLES / "clock.ham"))
    assert (a.variables["discrete"], a.one_hot_bits) == (16, 96)
    assert a.to_json()["one_hot_bits"] == 96
    code, out, _ = run(capsys, "analyze", str(EXAMPLES / "potts.ham"), "--param", "L=2")
    assert code == 0 and out.splitlines()[0] == "variables      4 discrete (as 12 one-hot bits)"


def test_state_values_delta_with_integers_and_offset_states():
    text = ("discrete m[3] in 1..4 open\n"
            "H = m[0] + 10 * m[1] + 100 * m[2] + 100 * delta(m[0], 4) + 1000 * sum(i in 0..2: delta(m[i], m[i+1]))")
    h = hamc.load(text)
    states = all_states(3, 4)                                   # positions 0..3 are the values 1..4
    m = states + 1
    expected = (m @ [1, 10, 100] + 100 * (m[:, 0] == 4)
                + 1000 * ((m[:, 0] == m[:, 1]).astype(int) + (m[:, 1] == m[:, 2])))   # m[3] is off the open end
    np.testing.assert_array_equal(h.evaluate(hamc.one_hot(states, 4)), expected)


def test_lookup_with_mixed_indices_and_a_delta_of_a_variable_with_itself():
    text = "param h = load(\"h.npy\")\ndiscrete n[2] in 0..2\nH = sum(i in 0..1: h[i, n[i]]) + delta(n[1], n[1])"
    table = np.array([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]])
    h = hamc.load(text, params={"h": table})
    states = all_states(2, 3)
    np.testing.assert_array_equal(h.evaluate(hamc.one_hot(states, 3)), table[0, states[:, 0]] + table[1, states[:, 1]] + 1)
    assert h.energies[0].terms_by_degree() == {1: 6}            # delta(n, n) = the sum of its bits (1)


def test_verification_samples_only_valid_one_hot_inputs():
    h = hamc.load(EXAMPLES / "potts.ham", params={"L": 2})
    x, exhaustive = sample_inputs(h, (-1.0, 1.0), 2000, 0)
    assert exhaustive and x.shape == (3 ** 4, 12)
    assert (x.reshape(-1, 4, 3).sum(axis=2) == 1).all()
    assert len({row.tobytes() for row in x}) == 3 ** 4
    x, exhaustive = sample_inputs(h := hamc.load(EXAMPLES / "potts.ham"), (-1.0, 1.0), 500, 0)
    assert not exhaustive and x.shape == (500, 48) and (x.reshape(-1, 16, 3).sum(axis=2) == 1).all()


def test_verification_with_reals_spins_and_discrete_variables():
    h = hamc.load("real x\nspin s\ndiscrete n in 0..2\nH = x * s * delta(n, 2) + x^2 * n")
    x, exhaustive = sample_inputs(h, (-1.0, 1.0), 200, 0)
    assert not exhaustive and x.shape == (200, 5)
    assert set(np.unique(x[:, 1])) == {-1.0, 1.0} and (x[:, 2:].sum(axis=1) == 1).all()
    assert np.abs(x[:, 0]).max() <= 1 and len(np.unique(x[:, 0])) > 10
    compiled = hamc.compile("real x\nspin s\ndiscrete n in 0..2\nH = x * s * delta(n, 2) + x^2 * n")
    assert compiled.verification.max_abs_error < 1e-6


def test_one_hot_encoding_and_its_errors():
    np.testing.assert_array_equal(hamc.one_hot([[2, 0]], 3), [[0, 0, 1, 1, 0, 0]])
    np.testing.assert_array_equal(hamc.one_hot([5], 2, low=4), [0, 1])
    for call, message in [(lambda: hamc.one_hot([1, 3], 3), "state 3 is out of range 0..2"),
                          (lambda: hamc.one_hot([0], 1), "one_hot takes q >= 2 states, got 1"),
                          (lambda: hamc.one_hot([0.5], 2), "one_hot takes integer states, not float64")]:
        with pytest.raises(hamc.HamcError) as info:
            call()
        assert info.value.message == message


@pytest.mark.parametrize("text, message, line, col", [
    ("discrete n[4] in 0..0\nH = n[0]", "a discrete variable takes at least 2 states, got 1 (0..0)", 1, 18),
    ("discrete n[4] in 3..1\nH = n[0]", "a discrete variable takes at least 2 states, got 0 (3..1)", 1, 18),
    ("discrete n[4]\nH = n[0]", "a discrete variable needs its states, as in  discrete n[N] in 0..q-1", 1, 10),
    ("spin s[4] in 0..2\nH = s[0]", "only a discrete variable has states (`in lo..hi`); 's' is spin", 1, 14),
    ("real x[2]\ndiscrete n[2] in 0..2\nH = delta(x[0], n[1])",
     "delta compares discrete variables and integers; 'x' is a real variable", 3, 11),
    ("discrete n[2] in 0..2\nH = delta(n[0])", "delta takes two arguments, got 1", 2, 5),
    ("discrete n[2] in 0..3\nparam C = load(\"C.npy\")\nH = C[n[0], n[1]]",
     "'n' takes the states 0..3, but axis 0 of 'C' (shape (3, 3)) has indices 0..2", 3, 5),
    ("discrete n[2] in 0..2\nparam C = load(\"C.npy\")\nH = C[n[0], 3]",
     "index 3 is out of range 0..2 for axis 1 of 'C' (shape (3, 3))", 3, 5),
    ("spin s[2]\nparam C = load(\"C.npy\")\nH = C[s[0], s[1]]",
     "only a discrete variable can index an array parameter; 's' is a spin variable", 3, 7),
    ("discrete n[2] in 0..2\nparam C = load(\"C.npy\")\nH = C[n[0]]", "'C' takes 2 index(es), got 1", 3, 5),
])
def test_discrete_errors_are_located(text, message, line, col):
    err = error(text, params={"C": np.eye(3)} if "C.npy" in text else None)
    assert (err.message, err.line, err.col) == (message, line, col)


def test_cli_refuses_a_single_state_with_exit_2(tmp_path, capsys):
    path = tmp_path / "one.ham"
    path.write_text("discrete n[3] in 0..0\nH = n[0]\n")
    code, out, err = run(capsys, "compile", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in err and not (tmp_path / "out").exists()
    assert f"{path}:1:18: error: a discrete variable takes at least 2 states, got 1 (0..0)" in err


def test_many_states_on_many_bonds_are_refused_before_allocating():
    # 2 x 100^2 bonds x 65,536 states: the one-hot terms of n[i] alone would take 10 GB
    text = "lattice G = square(100, 100)\ndiscrete n[G] in 0..65535\nH = -sum(<i,j> in G: delta(n[i], n[j]))"
    err = error(text)
    assert "about 1,310,720,000 terms (limit 20,000,000)" in str(err)
    assert (err.line, err.col) == (3, 28)
    small = hamc.load(text.replace("100", "2").replace("65535", "2"))   # the same model, q = 3 at L = 2
    assert small.n_variables == 12
