"""hamc.evaluate: NumPy and dask configurations, lattice chunks with periodic halos, a LocalCluster."""
import numpy as np
import pytest

import hamc

from conftest import EXAMPLES

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def ising():
    return hamc.compile(EXAMPLES / "ising.ham", params={"L": 12, "h": 0.25})


def spins(shape, seed=0):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), size=shape)


def direct_ising_energy(x, J=1.0, h=0.25):
    """-J sum over bonds - h sum of spins, written out with np.roll on the (batch, L, L) grid."""
    x = x.astype(np.float64)
    bonds = (x * np.roll(x, -1, axis=1)).sum(axis=(1, 2)) + (x * np.roll(x, -1, axis=2)).sum(axis=(1, 2))
    return -J * bonds - h * x.sum(axis=(1, 2))


def test_numpy_configurations_give_batch_by_outputs(ising):
    x = spins((5, 12, 12))
    out = hamc.evaluate(ising.network, x)
    assert out.shape == (5, 1)
    assert np.array_equal(out, hamc.evaluate(ising.network, x.reshape(5, -1)))
    assert np.array_equal(out[:, 0], direct_ising_energy(x))
    assert np.array_equal(hamc.evaluate(ising.hamiltonian, x)[:, 0], direct_ising_energy(x))


def test_a_wrong_shape_is_refused_with_both_accepted_shapes(ising):
    with pytest.raises(ValueError, match=r"\(batch, 144\) or \(batch, 12, 12\), got \(2, 6, 24\)"):
        hamc.evaluate(ising.network, np.zeros((2, 6, 24)))


@pytest.mark.parametrize("chunks", [(3, 4, 6), (7, 12, 5), (2, 3, 3)])
def test_dask_lattice_chunks_with_periodic_halos_equal_numpy_exactly(ising, chunks):
    x = spins((7, 12, 12), seed=sum(chunks))
    grid = da.from_array(x, chunks=chunks)
    assert grid.numblocks[1] * grid.numblocks[2] > 1
    net, energy = hamc.evaluate(ising.network, grid), ising.hamiltonian.evaluate(grid)
    assert isinstance(net, da.Array) and net.shape == (7, 1) and energy.shape == (7,)
    assert np.array_equal(net.compute(), ising.network(x.reshape(7, -1))[:, None])
    assert np.array_equal(energy.compute(), direct_ising_energy(x))


def test_dask_rows_of_a_network_without_a_lattice():
    c = hamc.compile(EXAMPLES / "spin_glass.ham")
    y = spins((9, 64), seed=3)
    out = hamc.evaluate(c.network, da.from_array(y, chunks=(4, 16))).compute()
    assert out.shape == (9, 1)                          # BLAS may round row blocks differently
    assert np.allclose(out, hamc.evaluate(c.network, y), rtol=0, atol=1e-12)
    assert np.allclose(c.hamiltonian.evaluate(da.from_array(y, chunks=(4, 16))).compute(),
                       c.hamiltonian.evaluate(y), rtol=0, atol=1e-12)


def test_a_local_cluster_with_two_workers_equals_numpy_exactly(ising):
    distributed = pytest.importorskip("distributed")
    x = spins((8, 12, 12), seed=5)
    grid = da.from_array(x, chunks=(4, 6, 6))          # 2 x 2 x 2 chunks
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        net, energy = client.compute([hamc.evaluate(ising.network, grid), ising.hamiltonian.evaluate(grid)])
        net, energy = net.result(), energy.result()
    assert np.array_equal(net[:, 0], direct_ising_energy(x))
    assert np.array_equal(energy, direct_ising_energy(x))


@pytest.mark.parametrize("chunks", [(1, 1, 1), (2, 1, 4)])
def test_dask_chunks_narrower_than_the_stencil_reach(chunks):
    # the image model reaches 2 sites: chunks of 1 made map_overlap rechunk and the output chunks
    # no longer matched (ValueError "Dimension 1 has 3 blocks")
    import dask.array as da
    c = hamc.compile(EXAMPLES / "image.ham", params={"L": 6})
    x = np.random.default_rng(3).uniform(-1, 1, (3, 6, 6))
    exact = c.hamiltonian.evaluate(x.reshape(3, -1))
    net = hamc.evaluate(c.network, da.from_array(x, chunks=chunks)).compute()
    assert net.shape == (3, 1) and np.abs(net[:, 0] - exact).max() <= c.error_bound.absolute
    energy = c.hamiltonian.evaluate(da.from_array(x, chunks=chunks)).compute()
    assert np.abs(energy - exact).max() <= 1e-12 * np.abs(exact).max()
