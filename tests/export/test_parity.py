"""Every example, both layouts, float64 and float32: PyTorch, JAX and ONNX outputs against network(X)
and the exact polynomial, within the network's own certified error bound."""
from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

import hamc
from conftest import EXAMPLES

from exported import CASES, bound, compiled, inputs, reference


def run_torch(net, x):
    with torch.no_grad():
        return hamc.to_torch(net)(torch.from_numpy(x)).numpy()


def run_jax(net, x):
    import jax
    apply_fn, params = hamc.to_jax(net)
    return np.asarray(jax.jit(apply_fn)(params, x))      # jitted: 2-5x faster than eager dispatch op by op


def run_onnx(net, x):
    session = onnxruntime.InferenceSession(hamc.to_onnx(net).SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


EXPORTERS = {"torch": run_torch, "jax": run_jax, "onnx": run_onnx}


@pytest.mark.parametrize("exporter", sorted(EXPORTERS))
@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_export_matches_the_network_and_the_polynomial_within_its_error_bound(case, exporter):
    c = compiled(*case)
    x = inputs(*case)
    out = EXPORTERS[exporter](c.network, x)
    assert out.dtype == c.network.dtype and out.shape == (len(x), len(c.network.outputs))
    assert np.max(np.abs(out - reference(*case))) <= bound(*case)
    if len(c.network.outputs) == 1:             # an energy: against the polynomial itself
        exact = c.hamiltonian.evaluate(x.astype(np.float64))
        assert np.max(np.abs(out[:, 0] - exact)) <= bound(*case)


def test_large_layers_export_as_sparse_tensors(monkeypatch):
    import hamc.export.jax as jax_export
    import hamc.export.torch as torch_export
    monkeypatch.setattr(torch_export, "DENSE_MAX_ENTRIES", 0)
    monkeypatch.setattr(jax_export, "DENSE_MAX_ENTRIES", 0)
    case = ("phi4", "shared", "float64")        # hidden layers and the last one: the unrolled layout's Dense
    net, x = compiled(*case).network, inputs(*case)
    module = hamc.to_torch(net)
    dense_layers = [*module.hidden, module.last]
    assert len(dense_layers) >= 2 and all(layer.weight.is_sparse for layer in dense_layers)
    for exporter in (run_torch, run_jax):
        assert np.max(np.abs(exporter(net, x) - reference(*case))) <= bound(*case)


def exact_gradient(h, x: np.ndarray) -> np.ndarray:
    """dH/dx from the polynomial: along each axis H is a polynomial of degree <= 4 in the step t, for
    which the 5-point central difference is exact (up to rounding, at step 1/2)."""
    assert hamc.analyze(h).degree <= 4
    out = np.empty_like(x)
    for i in range(x.shape[1]):
        step = np.zeros(x.shape[1])
        step[i] = 0.5
        f = [h.evaluate(x + k * step) for k in (-2, -1, 1, 2)]
        out[:, i] = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * 0.5)
    return out


def test_gradients_match_the_exact_gradient_of_the_polynomial():
    for layout in ("shared", "unrolled"):
        c = compiled("phi4", layout, "float64")
        x = torch.from_numpy(inputs("phi4", layout, "float64")[:8]).requires_grad_(True)
        hamc.to_torch(c.network)(x).sum().backward()
        exact = exact_gradient(c.hamiltonian, x.detach().numpy())
        # not certified, but measured at 7e-9 against gradients of ~9: within H's own budget (3e-8)
        assert np.max(np.abs(x.grad.numpy() - exact)) <= bound("phi4", layout, "float64")
        assert np.max(np.abs(exact)) > 1


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("strategy", ["bits", "tree"])
def test_locally_connected_layout_exports_weigh_each_site_by_its_coefficients(strategy, dtype):
    # the random-field model's fields differ from site to site: exports that pooled the sites as for a
    # shared layout returned 3 columns (one per pattern, unweighted) and were off by ~47
    c = hamc.compile(EXAMPLES / "random_field.ham", layout="local", strategy=strategy, dtype=dtype,
                     tol=1e-2 if dtype == "float32" else 1e-6, check="sample")
    x = np.random.default_rng(5).choice([-1.0, 1.0], (16, c.hamiltonian.n_variables)).astype(dtype)
    exact = c.hamiltonian.evaluate(x.astype(np.float64))
    slack = (1e-9 if dtype == "float64" else 1e-4) * np.abs(exact).max()
    mine = np.abs(c.network(x) - exact).max()
    assert mine <= slack
    for name, run in EXPORTERS.items():
        out = run(c.network, x)
        assert out.shape == (16, 1) and out.dtype == c.network.dtype, name
        assert np.abs(out[:, 0] - exact).max() <= mine + slack, name
