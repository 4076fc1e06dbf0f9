"""load_network checks a .npz against the format before allocating what it declares."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import hamc
from hamc.io.npz import network_arrays

from conftest import EXAMPLES, REPO


@pytest.fixture(scope="module")
def arrays():
    c = hamc.compile("real x[3]\nH = x[0]*x[1] + 2*x[2]", samples=50)
    return {k: np.asarray(v) for k, v in network_arrays(c.network).items()}


def save(tmp_path, arrays: dict, name: str = "net.npz"):
    path = tmp_path / name
    np.savez_compressed(path, **arrays)
    return path


def refusal(path) -> str:
    with pytest.raises(hamc.HamcError) as info:
        hamc.load_network(path)
    assert info.value.filename == str(path)
    return info.value.message


def test_a_valid_file_still_loads(tmp_path, arrays):
    net = hamc.load_network(save(tmp_path, arrays))
    x = np.array([[0.5, -0.25, 1.0]])
    assert net(x) == pytest.approx([0.5 * -0.25 + 2.0], abs=1e-6)


def test_a_declared_huge_shape_is_refused_without_allocating(tmp_path, arrays):
    # 2 + 2 x 10^9 inputs in a small file: make_layer would build an 8 GB CSR index
    bad = {**arrays, "layer0/shape": np.array([10**9, 10**9])}
    path = save(tmp_path, bad)
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); import hamc\n"
            "try:\n    hamc.load_network(%r)\nexcept hamc.HamcError as e:\n    print(e.message)" % str(path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == ("not a valid hamc-network-1 file: key 'layer0/shape' is [1000000000, 1000000000], "
                                   "but the layer before gives 3 inputs")


def test_a_compressed_member_declaring_gigabytes_is_refused_from_its_header(tmp_path, arrays):
    bias = io.BytesIO()
    np.lib.format.write_array_header_1_0(bias, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    path = save(tmp_path, arrays)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("layer9/bias.npy", bias.getvalue())
    assert refusal(path) == ("not a valid hamc-network-1 file: key 'layer9/bias' brings the values declared to "
                             f"{10**9 + sum(a.size for a in arrays.values()):,} (limit 268,435,456)")


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("layer0/rows"), "key 'layer0/rows' is missing"),
    (lambda a: a.pop("format"), "key 'format' is missing"),
    (lambda a: a.update({"format": np.array("something-else")}), "key 'format' is 'something-else', expected "
                                                                   "'hamc-network-1'"),
    (lambda a: a.update({"layer0/cols": a["layer0/cols"] + 1000}), "key 'layer0/cols' has an index out of range"),
    (lambda a: a.update({"layer0/rows": -a["layer0/rows"] - 1}), "key 'layer0/rows' has an index out of range 0..2"),
    (lambda a: a.update({"layer0/values": a["layer0/values"][:-1]}), "key 'layer0/values' has"),
    (lambda a: a.update({"layer0/activation": np.array("evil")}), "key 'layer0/activation' is 'evil', expected one of"),
    (lambda a: a.update({"layer0/bias": a["layer0/bias"].astype(complex)}), "key 'layer0/bias' holds complex128, "
                                                                            "expected float values"),
    (lambda a: a.update({"layer1/bias": np.array([np.nan])}), "key 'layer1/bias' contains NaN or infinite values"),
    (lambda a: a.update({"n_layers": np.array(10**12)}), "key 'n_layers' is 1000000000000, expected 1 to 10,000"),
    (lambda a: a.update({"meta": np.array("{not json")}), "key 'meta' is not JSON"),
    (lambda a: a.update({"outputs": np.array(["H", "G"])}), "has 1 outputs, but 'outputs' names 2"),
])
def test_a_file_off_the_format_names_the_key(tmp_path, arrays, change, message):
    bad = dict(arrays)
    change(bad)
    assert message in refusal(save(tmp_path, bad))


def test_foreign_files_are_refused_cleanly(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.ones(3))
    assert refusal(tmp_path / "other.npz") == "not a valid hamc-network-1 file: key 'format' is missing"
    np.save(tmp_path / "one.npy", np.ones(3))
    assert "a single array" in refusal(tmp_path / "one.npy")
    (tmp_path / "text.npz").write_text("hello")
    assert refusal(tmp_path / "text.npz") == "cannot read a network: not a .npz file"
    assert refusal(tmp_path / "missing.npz") == "cannot read a network: no such file"


def test_a_shared_network_round_trips_and_its_lattice_is_checked(tmp_path):
    c = hamc.compile(EXAMPLES / "ising.ham", params={"L": 4})
    arrays = {k: np.asarray(v) for k, v in network_arrays(c.network).items()}
    net = hamc.load_network(save(tmp_path, arrays))
    x = np.where(np.arange(16) % 3 == 0, 1, -1)[None, :].astype(np.int8)
    assert net(x) == pytest.approx(c.hamiltonian.evaluate(x))
    huge = {**arrays, "lattice/shape": np.array([10**6, 10**6])}
    assert "key 'lattice/shape' is [1000000, 1000000], expected 1 to 8 positive sizes" in refusal(save(tmp_path, huge))
