"""The locally connected layout: disordered lattices, one gate template, per-site coefficient arrays."""
import itertools

import numpy as np
import pytest

import hamc

from conftest import EXAMPLES

LOCAL = hamc.BuildOptions(layout="local")

EA = """param L = 2
param J = load("J.npy", L, L, L, 3)
lattice G = cubic(L, L, L, periodic)
spin s[G]
H = -sum(i in 0..L-1, j in 0..L-1, k in 0..L-1: J[i,j,k,0] * s[i,j,k] * s[i+1,j,k]
         + J[i,j,k,1] * s[i,j,k] * s[i,j+1,k] + J[i,j,k,2] * s[i,j,k] * s[i,j,k+1])
"""

CHAIN = """param N = 10
param h = load("h.npy", N)
param K = load("K.npy", N)
spin s[N] periodic
H = -sum(i in 0..N-1: K[i] * s[i] * s[i+1] + h[i] * s[i])
"""

REAL_CHAIN = """param N = 6
param K = load("K.npy", N)
real x[N] periodic
H = sum(i in 0..N-1: x[i]^2 / 2 - K[i] * x[i] * x[i+1])
"""


def every_spin_configuration(n):
    return np.array(list(itertools.product([-1, 1], repeat=n)), np.float64)


def compiled(tmp_path, text, **arrays):
    for name, values in arrays.items():
        np.save(tmp_path / f"{name}.npy", values)
    (tmp_path / "h.ham").write_text(text)
    return hamc.compile(tmp_path / "h.ham", options=LOCAL)


def test_edwards_anderson_2x2x2_exhaustively_equals_numpy_from_the_couplings(tmp_path):
    J = np.random.default_rng(4).choice([-1.0, 1.0], size=(2, 2, 2, 3))
    c = compiled(tmp_path, EA, J=J)
    x = every_spin_configuration(8)
    grid = x.reshape(-1, 2, 2, 2)
    direct = -sum((J[..., d] * grid * np.roll(grid, -1, axis=d + 1)).sum(axis=(1, 2, 3)) for d in range(3))
    assert c.network.meta["layout"] == "local" and c.network.shared.coefficients.shape[1:] == (2, 2, 2)
    assert np.array_equal(c.network(x), direct)       # bit gates and +-1 weights: exact


def test_random_fields_and_couplings_on_a_chain_exhaustively(tmp_path):
    rng = np.random.default_rng(5)
    h, K = rng.normal(size=10), rng.normal(size=10)
    c = compiled(tmp_path, CHAIN, h=h, K=K)
    x = every_spin_configuration(10)
    direct = -(K * x * np.roll(x, -1, axis=1)).sum(axis=1) - (h * x).sum(axis=1)
    np.testing.assert_allclose(c.network(x), direct, rtol=0, atol=1e-12)
    # two patterns (bond, field): a 2-site neighbourhood, their coefficient arrays are K and h
    layout = c.network.shared
    assert len(layout.offsets) == 2 and layout.coefficients.shape == (2, 10)
    assert sorted(map(tuple, np.sort(-layout.coefficients, axis=1))) == sorted([tuple(np.sort(h)), tuple(np.sort(K))])


def test_real_variables_use_the_tree_gates_within_the_tolerance(tmp_path):
    K = np.random.default_rng(6).uniform(0.1, 0.4, size=6)
    c = compiled(tmp_path, REAL_CHAIN, K=K)
    x = np.random.default_rng(7).uniform(-1, 1, size=(200, 6))
    direct = (x ** 2 / 2).sum(axis=1) - (K * x * np.roll(x, -1, axis=1)).sum(axis=1)
    assert c.network.meta["strategy"] == "tree"
    np.testing.assert_allclose(c.network(x), direct, rtol=0, atol=1e-5)


def test_the_example_round_trips_through_npz_and_runs_the_same(tmp_path):
    c = hamc.compile(EXAMPLES / "edwards_anderson.ham", options=LOCAL)
    hamc.save_network(c.network, tmp_path / "ea.npz")
    loaded = hamc.load_network(tmp_path / "ea.npz")
    x = np.random.default_rng(8).choice([-1.0, 1.0], size=(30, 64))
    assert np.array_equal(loaded(x), c.network(x))
    assert np.array_equal(loaded.shared.coefficients, c.network.shared.coefficients)
    assert np.array_equal(c.network(x), c.hamiltonian.evaluate(x))


def test_a_coefficient_array_of_the_wrong_shape_is_refused(tmp_path):
    c = hamc.compile(EXAMPLES / "edwards_anderson.ham", options=LOCAL)
    hamc.save_network(c.network, tmp_path / "ea.npz")
    with np.load(tmp_path / "ea.npz") as f:
        arrays = dict(f)
    arrays["local/coefficients"] = arrays["local/coefficients"][:, :2]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(hamc.HamcError, match=r"key 'local/coefficients' has shape \(3, 2, 4, 4\), expected "
                                             r"\(3, 4, 4, 4\)"):
        hamc.load_network(tmp_path / "bad.npz")


def test_no_lattice_no_local_layout():
    with pytest.raises(hamc.HamcError, match="a locally connected layout needs one energy over one periodic"):
        hamc.compile(EXAMPLES / "spin_glass.ham", options=LOCAL)


def test_hamc_evaluate_runs_a_local_layout_on_numpy_and_dask_lattices():
    da = pytest.importorskip("dask.array")
    c = hamc.compile(EXAMPLES / "edwards_anderson.ham", options=LOCAL)
    x = np.random.default_rng(9).choice([-1.0, 1.0], size=(6, 4, 4, 4))
    direct = c.hamiltonian.evaluate(x.reshape(6, -1))
    assert np.array_equal(hamc.evaluate(c.network, x)[:, 0], direct)
    for chunks in ((3, 2, 4, 4), (6, 2, 3, 1), (2, 4, 4, 4)):
        assert np.array_equal(hamc.evaluate(c.network, da.from_array(x, chunks=chunks)).compute()[:, 0], direct)
    rf = hamc.compile(EXAMPLES / "random_field.ham", options=LOCAL)
    y = np.random.default_rng(11).choice([-1.0, 1.0], size=(4, 8, 8))
    np.testing.assert_allclose(hamc.evaluate(rf.network, da.from_array(y, chunks=(2, 3, 5))).compute()[:, 0],
                               rf.hamiltonian.evaluate(y.reshape(4, -1)), rtol=0, atol=1e-12)


def test_the_readme_forward_pass_reads_a_local_layout(tmp_path):
    from network.test_model import readme_forward
    c = hamc.compile(EXAMPLES / "random_field.ham", options=LOCAL)
    hamc.save_network(c.network, tmp_path / "rf.npz")
    x = np.random.default_rng(10).choice([-1.0, 1.0], size=(5, 64))
    np.testing.assert_allclose(readme_forward()(tmp_path / "rf.npz", x), c.hamiltonian.evaluate(x),
                               rtol=0, atol=1e-12)
