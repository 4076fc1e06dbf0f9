"""The export files and their failures: --emit onnx and pt, loading without hamc, deterministic bytes,
standard ONNX operators, refused dtypes, a missing framework named by its extra."""
from __future__ import annotations

import sys

import numpy as np
import onnx
import onnxruntime
import pytest

import hamc

from conftest import EXAMPLES, run
from exported import compiled

STANDARD_OPS = {"MatMul", "Add", "Sub", "Sigmoid", "Tanh", "Softplus", "Relu", "Exp", "Softmax", "Reshape", "Gather",
                "Slice", "Concat", "ReduceSum", "GreaterOrEqual", "Cast", "Abs", "Neg", "Log", "Identity"}


def test_emit_onnx_writes_a_model_onnxruntime_runs_as_the_ising_energy(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", EXAMPLES / "ising.ham", "--param", "L=8", "--emit", "npz,onnx", "-o", tmp_path)
    assert code == 0 and f"wrote {tmp_path / 'ising.onnx'}" in out and (tmp_path / "ising.npz").exists()
    model = onnx.load(tmp_path / "ising.onnx")
    onnx.checker.check_model(model)
    assert {n.op_type for n in model.graph.node} <= STANDARD_OPS
    session = onnxruntime.InferenceSession(tmp_path / "ising.onnx", providers=["CPUExecutionProvider"])
    (x_info,), (y_info,) = session.get_inputs(), session.get_outputs()
    assert (x_info.name, x_info.shape, y_info.shape) == ("x", ["batch", 64], ["batch", 1])
    spins = np.random.default_rng(5).choice([-1.0, 1.0], size=(50, 8, 8))
    energies = session.run(None, {"x": spins.reshape(50, 64)})[0][:, 0]
    # H = -sum s_i s_j over right and down bonds - 0.5 sum s_i, written with rolls
    expected = [-np.sum(s * np.roll(s, -1, 0) + s * np.roll(s, -1, 1)) - 0.5 * s.sum() for s in spins]
    assert np.array_equal(energies, expected)
    assert session.run(None, {"x": np.ones((1, 64))})[0].tolist() == [[-160.0]]     # -128 bonds - 32 field


@pytest.mark.parametrize("case", [("ising", "shared", "float64"), ("phi4", "unrolled", "float32"),
                                  ("cat_dog", "auto", "float64")])
def test_onnx_files_are_byte_identical_and_standard(case, tmp_path):
    net = compiled(*case).network
    a, b = hamc.to_onnx(net, tmp_path / "a.onnx"), hamc.to_onnx(net, tmp_path / "b.onnx")
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes() == b.SerializeToString()
    assert {n.op_type for n in a.graph.node} <= STANDARD_OPS
    assert a.graph.doc_string == "outputs: " + ", ".join(net.outputs)


def test_emit_pt_writes_an_archive_torch_loads_without_hamc(capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "compile", EXAMPLES / "cat_dog.ham", "--emit", "pt", "-o", tmp_path)
    assert code == 0 and f"wrote {tmp_path / 'cat_dog.pt2'}" in out and not (tmp_path / "cat_dog.npz").exists()
    first = (tmp_path / "cat_dog.pt2").read_bytes()
    run(capsys, "compile", EXAMPLES / "cat_dog.ham", "--emit", "pt", "-o", tmp_path)
    assert (tmp_path / "cat_dog.pt2").read_bytes() == first                 # deterministic
    import torch
    # every hamc module hidden while torch loads it: an import of hamc would fail
    for name in [m for m in sys.modules if m == "hamc" or m.startswith("hamc.")]:
        monkeypatch.setitem(sys.modules, name, None)
    module = torch.export.load(tmp_path / "cat_dog.pt2").module()
    rows = [[0, 0, 0, 0], [1, 1, 0, 1], [1, 0, 1, 1]]
    loaded = module(torch.tensor(rows, dtype=torch.float64)).detach().numpy()
    monkeypatch.undo()
    assert b"hamc/export" not in first                                      # no source paths of this checkout
    x = np.array([[0, 0, 0, 0], [1, 1, 0, 1], [1, 0, 1, 1]], np.float64)
    exact = hamc.load(EXAMPLES / "cat_dog.ham").posterior(x)          # softmax(-H_y - mu_y), eq 8
    assert loaded.shape == (3, 2)
    assert np.max(np.abs(loaded - exact)) <= compiled("cat_dog", "auto", "float64").error_bound.absolute


@pytest.mark.parametrize("exporter", ["to_torch", "to_jax", "to_onnx"])
def test_a_dtype_the_network_was_not_compiled_for_is_refused(exporter):
    import torch
    net = compiled("phi4", "shared", "float64").network
    for wrong in ("float32", np.float32, torch.float32):
        with pytest.raises(hamc.HamcError) as info:
            getattr(hamc, exporter)(net, dtype=wrong)
        assert info.value.message.startswith("this network was compiled for float64, not float32")
        assert "recompile with --dtype float32" in info.value.message
    getattr(hamc, exporter)(net, dtype=torch.float64)                       # its own dtype is fine


@pytest.mark.parametrize("framework,exporter,extra", [("torch", "to_torch", "torch"), ("jax", "to_jax", "jax"),
                                                      ("onnx", "to_onnx", "onnx")])
def test_a_missing_framework_is_named_with_its_extra(framework, exporter, extra, monkeypatch):
    monkeypatch.setitem(sys.modules, framework, None)             # import fails as if not installed
    monkeypatch.delitem(sys.modules, f"hamc.export.{framework}", raising=False)
    with pytest.raises(hamc.HamcError) as info:
        getattr(hamc, exporter)(compiled("cat_dog", "auto", "float64").network)
    assert info.value.message == (f"exporting needs {extra}, which is not installed: "
                                  f'pip install "hamc[{extra}]"')


def test_emit_pt_without_torch_exits_2_naming_the_extra(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    code, out, err = run(capsys, "compile", EXAMPLES / "cat_dog.ham", "--emit", "npz,pt", "-o", tmp_path)
    assert code == 2 and 'pip install "hamc[torch]"' in err
    assert not (tmp_path / "cat_dog.pt2").exists() and not (tmp_path / "cat_dog.npz").exists()
