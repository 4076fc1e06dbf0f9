"""hamc verify FILE --network NET.npz: a stored (or edited) network audited against its source."""
from __future__ import annotations

import json

import numpy as np
import pytest

import hamc
from hamc.auditing import audit
from hamc.build.options import BuildOptions

from conftest import EXAMPLES, run

ISING = str(EXAMPLES / "ising.ham")
XY = "real x\nreal y\nH = x*y\n"


def saved(tmp_path, source, name: str, **options) -> str:
    path = tmp_path / f"{name}.npz"
    hamc.save_network(hamc.compile(source, options=BuildOptions(**options)).network, path)
    return str(path)


def edited(path: str, key: str, change) -> str:
    """A copy of the .npz with one array changed, written by plain NumPy as an editor would."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    arrays[key] = change(arrays[key].copy())
    out = path.replace(".npz", "-edited.npz")
    np.savez(out, **arrays)
    return out


def scaled(index: int, factor: float):
    def change(a):
        a[index] *= factor
        return a
    return change


def ham(tmp_path, text: str, name: str = "h") -> str:
    path = tmp_path / f"{name}.ham"
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def ising_npz(tmp_path_factory):
    return saved(tmp_path_factory.mktemp("ising"), EXAMPLES / "ising.ham", "ising")


def test_the_written_ising_network_passes(capsys, ising_npz):
    code, out, err = run(capsys, "verify", ISING, "--network", ising_npz, "--json")
    j = json.loads(out)
    assert (code, err) == (0, "")
    assert j["ok"] and j["problems"] == [] and j["max_abs_error"] == 0.0 and j["nonfinite"] == 0
    assert (j["inputs"], j["outputs"], j["layout"], j["strategy"]) == (256, ["H"], "shared", "bits")
    assert j["scale"] == 2 * 256 * 1 + 256 * 0.5 and j["samples"] == 2000 and j["tol"] == 1e-6
    recorded = json.loads(str(np.load(ising_npz, allow_pickle=False)["meta"]))["error_bound"]
    assert j["error_bound"] == recorded and 0 < recorded < 1e-6 * j["scale"]   # the build's certified bound


def test_an_altered_output_weight_of_ising_is_caught(capsys, ising_npz):
    # one of the local network's readout weights 7 -> 7.007: H changes by 0.007 per active site
    code, out, _ = run(capsys, "verify", ISING, "--network", edited(ising_npz, "layer1/values", scaled(0, 1.001)))
    assert code == 1
    assert out.splitlines()[-1] == ("FAILED: max_rel_error 0.00174 > tol 1e-06; the measured error 1.11 exceeds "
                                    "the error bound 1.22e-10 recorded in the file")


def test_an_altered_hidden_weight_of_product32_is_caught(capsys, tmp_path):
    npz = saved(tmp_path, EXAMPLES / "product32.ham", "product32")
    ok_code, ok_out, _ = run(capsys, "verify", EXAMPLES / "product32.ham", "--network", npz, "--json")
    assert ok_code == 0 and json.loads(ok_out)["max_rel_error"] < 1e-6
    code, out, _ = run(capsys, "verify", EXAMPLES / "product32.ham", "--json",
                       "--network", edited(npz, "layer2/values", scaled(5, 1 + 1e-4)))
    j = json.loads(out)
    assert code == 1 and not j["ok"] and j["max_rel_error"] > 1e-5


def test_a_nan_weight_is_refused_when_the_file_is_read(capsys, tmp_path):
    npz = edited(saved(tmp_path, XY, "xy"), "layer1/values", scaled(0, np.nan))
    code, out, err = run(capsys, "verify", ham(tmp_path, XY), "--network", npz, "--json")
    assert (code, out) == (2, "")
    assert err == f"{npz}: error: not a valid hamc-network-1 file: key 'layer1/values' contains NaN or infinite values\n"


@pytest.mark.parametrize("other,message", [
    ("real x\nreal z\nH = x*z", "input 1 of the network is 'y' but variable 1 of {h} is 'z': "),
    ("real y\nreal x\nH = x*y", "input 0 of the network is 'x' but variable 0 of {h} is 'y': "),
    ("real x[3]\nH = x[0]*x[1]", "the network has 2 inputs (x, y) but {h} declares 3 variables (x[0], x[1], x[2])"),
    ("bit x\nH[a] = x\nH[b] = 1 - x", "the network computes H but {h} defines a, b"),
])
def test_a_network_for_other_variables_is_refused(capsys, tmp_path, other, message):
    npz = saved(tmp_path, XY, "xy")
    h = ham(tmp_path, other, "other")
    code, out, err = run(capsys, "verify", h, "--network", npz)
    assert code == 2 and out == ""
    assert err.startswith(f"{npz}: error: " + message.format(h=h)) and "Traceback" not in err


def test_a_shared_network_for_another_lattice_is_refused(capsys, ising_npz):
    code, _, err = run(capsys, "verify", ISING, "--param", "L=8", "--network", ising_npz)
    assert code == 2
    assert err == (f"{ising_npz}: error: the network reads the periodic lattice s[16, 16] but {ISING} declares "
                   "s[8, 8]: it is not a network for this Hamiltonian\n")


def test_same_variables_other_couplings_fail_the_error_check(capsys, ising_npz):
    code, out, _ = run(capsys, "verify", ISING, "--param", "J=2", "--network", ising_npz, "--json")
    assert code == 1 and json.loads(out)["max_rel_error"] > 0.01


def test_the_range_and_tol_default_to_those_the_file_records(tmp_path):
    npz = saved(tmp_path, XY, "xy", input_range=(-3.0, 3.0), tol=1e-5)
    h = hamc.load(XY)
    result = audit(h, npz)
    assert result.ok and result.input_range == (-3.0, 3.0) and result.tol == 1e-5
    assert result.verification.scale == 9.0                 # S = |x| |y| <= 3 * 3
    wider = audit(h, npz, input_range=(-30.0, 30.0), tol=1e-3)
    assert wider.verification.scale == 900.0 and wider.tol == 1e-3


def with_meta(path: str, **entries) -> str:
    return edited(path, "meta", lambda a: np.array(json.dumps({**json.loads(str(a)), **entries}, sort_keys=True)))


def test_a_recorded_error_bound_is_reported_and_must_hold(tmp_path):
    npz, h = saved(tmp_path, XY, "xy"), hamc.load(XY)
    measured = audit(h, npz).verification.max_abs_error
    assert measured > 0
    holds = audit(h, with_meta(npz, error_bound=10 * measured))
    assert holds.ok and holds.error_bound == 10 * measured and holds.rel_error_bound == 10 * measured / 1.0
    broken = audit(h, with_meta(npz, error_bound=measured / 10))
    assert not broken.ok and broken.problems == (
        f"the measured error {measured:.3g} exceeds the error bound {measured / 10:.3g} recorded in the file",)


def test_a_classifier_and_a_float32_network_pass(tmp_path):
    cat_dog = EXAMPLES / "cat_dog.ham"
    assert audit(cat_dog, saved(tmp_path, cat_dog, "cat_dog")).ok            # a .ham path, loaded
    result = audit(hamc.load(XY), saved(tmp_path, XY, "xy32", dtype="float32"))
    assert result.ok and result.tol == 1e-2 and result.network.dtype == np.float32


def test_a_missing_file_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "verify", ham(tmp_path, XY), "--network", tmp_path / "none.npz")
    assert code == 2 and err == f"{tmp_path / 'none.npz'}: error: cannot read a network: no such file\n"


def test_the_summary_says_what_was_checked(capsys, ising_npz):
    code, out, _ = run(capsys, "verify", ISING, "--network", ising_npz)
    assert code == 0 and out.splitlines() == [
        f"network         {ising_npz}: bits (step, float64), shared layout",
        "inputs          256, outputs H: as declared in the source",
        "input range     [-1, 1]",
        "error           max abs 0, max rel 0 (on 2,000 random configurations; tol 1e-06)",
        "error bound     1.22e-10 (rel 1.9e-13), recorded in the file",
        "OK",
    ]
