"""The locally connected layout: disordered lattices, one gate template, per-site coefficient arrays."""
import itertools

import numpy as np
import pytest

import hamc

from conftest import EDWARDS_ANDERSON, EXAMPLES

LOCAL = hamc.BuildOptions(layout="local")

EA = EDWARDS_ANDERSON.format(L=2)

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


RANDOM_FIELD = (EXAMPLES / "random_field.ham").read_text().replace('"data/random_fields.npy"', '"h.npy"')


@pytest.mark.parametrize("L", [3, 4])
def test_the_coefficient_arrays_come_from_the_density_not_an_expansion(tmp_path, L):
    J = np.random.default_rng(L).choice([-1.0, 1.0], size=(L, L, L, 3))
    c = compiled(tmp_path, EA.replace("param L = 2", f"param L = {L}"), J=J)
    assert not c.hamiltonian.energies[0].expanded          # built and verified from the density
    # one pattern per bond direction: its array is -J[..., d], rolled if the bond is read from its second site
    arrays = c.network.shared.coefficients
    assert len(arrays) == 3 and all(any(np.array_equal(a, -J[..., d]) or np.array_equal(a, -np.roll(J[..., d], 1, d))
                                        for a in arrays) for d in range(3))
    x = np.random.default_rng(0).choice([-1.0, 1.0], size=(64, L ** 3))
    assert np.array_equal(c.network(x), c.hamiltonian.evaluate(x))


@pytest.mark.parametrize("L", [4, 8])
def test_random_field_network_equals_the_exact_energy_within_its_scale(tmp_path, L):
    h = np.random.default_rng(L).normal(size=(L, L))
    c = compiled(tmp_path, RANDOM_FIELD.replace("param L = 8", f"param L = {L}"), h=h)
    assert not c.hamiltonian.energies[0].expanded
    x = every_spin_configuration(16) if L == 4 else np.random.default_rng(1).choice([-1.0, 1.0], size=(500, 64))
    grid = x.reshape(-1, L, L)
    direct = -(grid * np.roll(grid, -1, 1) + grid * np.roll(grid, -1, 2)).sum(axis=(1, 2)) - (h * grid).sum(axis=(1, 2))
    scale = 2 * L * L + np.abs(h).sum()                    # S: the sum of |coefficients|
    assert c.verification.scale == pytest.approx(scale, rel=1e-12)
    assert np.abs(c.network(x) - direct).max() <= 1e-12 * scale
    assert sum(np.array_equal(a, -h) for a in c.network.shared.coefficients) == 1


def test_the_coefficient_arrays_are_refused_beyond_the_memory_limit_with_the_float32_way_out(tmp_path):
    np.save(tmp_path / "h.npy", np.ones((100, 100)))
    (tmp_path / "rf.ham").write_text(RANDOM_FIELD.replace("param L = 8", "param L = 100"))
    # 3 local terms x 10^4 sites: (3 x 8 + 8 + 40) bytes a site in float64, (3 x 4 + 8 + 40) in float32
    small = hamc.BuildOptions(layout="local", max_memory=650_000)
    with pytest.raises(hamc.HamcError, match=r"this locally connected layout of 10,000 sites needs about 0\.0 GB to "
                                             r"build and verify \(limit 0\.0 GB, --max-memory\); in float32 it needs"):
        hamc.compile(tmp_path / "rf.ham", options=small, check=False)
    c = hamc.compile(tmp_path / "rf.ham", options=hamc.BuildOptions(layout="local", max_memory=650_000,
                                                                     dtype="float32"), check=False)
    assert c.network.shared.coefficients.dtype == np.float32 and c.network.shared.coefficients.shape == (3, 100, 100)


def test_the_forward_pass_block_by_block_of_lattice_rows_equals_the_exact_energy(tmp_path, monkeypatch):
    import hamc.network.local as local
    J = np.random.default_rng(3).choice([-1.0, 1.0], size=(3, 3, 3, 3))
    c = compiled(tmp_path, EA.replace("param L = 2", "param L = 3"), J=J)
    x = np.random.default_rng(2).choice([-1.0, 1.0], size=(7, 27))
    monkeypatch.setattr(local, "CHUNK_ELEMENTS", 1)           # one lattice row (9 sites) per block
    grid = x.reshape(-1, 3, 3, 3)
    direct = -sum((J[..., d] * grid * np.roll(grid, -1, axis=d + 1)).sum(axis=(1, 2, 3)) for d in range(3))
    assert np.array_equal(c.network(x).reshape(-1), direct)


def test_a_disordered_sum_beside_other_terms_takes_the_table_path_and_stays_exact_past_8192_sites(tmp_path):
    # an explicit term beside the sum: the coefficient arrays come from the monomial table (10^4 linear
    # terms, an (m, 1) block that NumPy 2.4's unravel_index misreads unless raveled first)
    h = np.random.default_rng(12).integers(-4, 5, size=(100, 100)) / 2.0
    c = compiled(tmp_path, RANDOM_FIELD.replace("param L = 8", "param L = 100").rstrip() + " + s[0,0]\n", h=h)
    x = np.random.default_rng(13).choice([-1.0, 1.0], size=(4, 10_000))
    grid = x.reshape(-1, 100, 100)
    direct = -(grid * np.roll(grid, -1, 1) + grid * np.roll(grid, -1, 2)).sum(axis=(1, 2)) \
        - (h * grid).sum(axis=(1, 2)) + x[:, 0]
    assert np.array_equal(c.network(x).reshape(-1), direct)
