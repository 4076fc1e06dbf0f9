"""CLI tests for `hamc compile` and `hamc verify`: summaries, --json, files written, exit codes, refusals."""
from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest

from hamc.cli import main

from conftest import EXAMPLES, run

PRODUCT32 = str(EXAMPLES / "product32.ham")
ISING = str(EXAMPLES / "ising.ham")
CAT_DOG = str(EXAMPLES / "cat_dog.ham")
MICROPHONE = str(EXAMPLES / "microphone.ham")
KNOWN_ACTIVATIONS = ("sigmoid", "tanh", "softplus", "exp", "step", "relu")      # README's list


def number(text: str, label: str) -> str:
    line = next(l for l in text.splitlines() if l.startswith(label))
    return line[len(label):].strip()


# successful compiles ----------------------------------------------------------------------------------
def test_compile_product32_summary_and_file(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", out_dir)
    assert (code, err) == (0, "")
    assert number(out, "strategy") == "tree (sigmoid, float64): real variables: products of smooth gates, accurate to --tol"
    assert number(out, "hidden neurons") == "124 (124 product)"
    assert number(out, "flat network") == "4,294,967,296 hidden neurons in one layer"
    assert number(out, "product gates") == "31 in 5 layer(s), 0 reused (31 without reuse)"
    assert number(out, "depth") == "5 hidden layer(s)"
    assert number(out, "synapses") == "612"
    rel = float(re.search(r"max rel ([0-9.e+-]+)", number(out, "error")).group(1))
    assert 0 < rel <= 1e-6
    assert out.splitlines()[-1] == f"wrote {out_dir / 'product32.npz'}"
    assert sorted(p.name for p in out_dir.iterdir()) == ["product32.npz"]
    with np.load(out_dir / "product32.npz", allow_pickle=False) as f:
        assert int(f["n_layers"]) == 6


def test_compile_json(capsys, tmp_path):
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert {"hidden_neurons", "synapses", "parameters", "depth", "flat_hidden_neurons", "max_abs_error",
            "max_rel_error"} <= set(data)
    assert (data["hidden_neurons"], data["synapses"], data["parameters"], data["depth"]) == (124, 612, 736, 5)
    assert data["flat_hidden_neurons"] == 4294967296
    assert data["max_rel_error"] <= 1e-6 and data["max_abs_error"] == data["max_rel_error"]      # S = 1
    assert data["written"] == [str(tmp_path / "product32.npz")]


def test_compile_input_range_option(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", PRODUCT32, "-o", tmp_path, "--json", "--input-range", "0.5", "1.5")
    data = json.loads(out)
    assert code == 0
    assert data["scale"] == pytest.approx(1.5 ** 32, rel=1e-12)
    assert data["max_rel_error"] <= 1e-6
    assert data["max_abs_error"] == pytest.approx(data["max_rel_error"] * 1.5 ** 32, rel=1e-9)


def test_compile_ising_bits_with_params(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", ISING, "-o", tmp_path, "--json", "--param", "L=4", "--strategy", "bits",
                       "--activation", "sigmoid", "--tol", "1e-9")
    data = json.loads(out)
    assert code == 0
    assert (data["strategy"], data["hidden_neurons"], data["depth"]) == ("bits", 48, 1)
    assert data["exhaustive"] and data["samples"] == 2 ** 16 and data["max_rel_error"] <= 1e-9


def test_two_cli_compiles_write_identical_bytes(capsys, tmp_path):
    for folder in ("a", "b"):
        assert run(capsys, "compile", CAT_DOG, "-o", tmp_path / folder)[0] == 0
        assert run(capsys, "compile", MICROPHONE, "-o", tmp_path / folder, "--param", "n=8")[0] == 0
    for name in ("cat_dog.npz", "microphone.npz"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "cat_dog.npz").read_bytes() != (tmp_path / "a" / "microphone.npz").read_bytes()


# verify ------------------------------------------------------------------------------------------------
def test_verify_exit_0_under_tol_and_1_above(capsys):
    code, out, err = run(capsys, "verify", PRODUCT32)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("OK: rel_error_bound ") and out.splitlines()[-1].endswith("<= tol 1e-06")
    code, out, err = run(capsys, "verify", PRODUCT32, "--tol", "1e-12")
    assert (code, err) == (1, "")
    assert out.splitlines()[-1].startswith("FAILED: rel_error_bound ") and out.splitlines()[-1].endswith("> tol 1e-12")
    code, out, _ = run(capsys, "verify", PRODUCT32, "--tol", "1e-12", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["rel_error_bound"] > data["max_rel_error"] > 1e-12
    assert data["check"] == "bound" and data["error_bound"] == data["rel_error_bound"]      # S = 1


def test_check_sample_holds_tol_against_the_measured_maximum(capsys, tmp_path):
    # product32's certified bound is ~3x its measured maximum: a tol between the two passes only on the sample
    _, out, _ = run(capsys, "verify", PRODUCT32, "--json")
    data = json.loads(out)
    tol = f"{(data['max_rel_error'] * data['rel_error_bound']) ** 0.5:.3g}"
    code, out, err = run(capsys, "verify", PRODUCT32, "--tol", tol, "--check", "sample")
    assert (code, err) == (0, "") and out.splitlines()[-1].startswith("OK: max_rel_error ")
    assert "on the measured max rel error" in out and "certified bound" in out
    code, out, err = run(capsys, "compile", PRODUCT32, "--tol", tol, "--gates", "single", "-o", tmp_path / "out")
    assert code == 2 and out == "" and not (tmp_path / "out").exists()
    assert (f"the certified error bound {data['rel_error_bound']:.2g} (rel; " in err and f"above the tolerance {tol}, "
            f"although the measured max_rel_error {data['max_rel_error']:.2g}" in err and "--check sample" in err)
    # --gates auto (the default) then builds Richardson pairs, whose bound meets that tol: 8 neurons a product
    code, out, err = run(capsys, "compile", PRODUCT32, "--tol", tol, "-o", tmp_path / "out")
    assert code == 0 and "hidden neurons  248 (248 product)" in out
    assert f"gates           richardson: single gates reach {data['rel_error_bound']:.2g} (the bound)" in out


def test_verify_classifier_enumerates_all_inputs(capsys):
    code, out, _ = run(capsys, "verify", CAT_DOG, "--json", "--strategy", "bits", "--activation", "sigmoid",
                       "--tol", "1e-10")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    assert data["exhaustive"] and data["samples"] == 16 and data["outputs"] == ["cat", "dog"]
    assert data["max_rel_error"] <= 1e-10


def test_verify_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "verify", CAT_DOG)[0] == 0
    assert list(tmp_path.iterdir()) == []


# refusals: exit 2, a message, no traceback, nothing written ------------------------------------------------
def test_flat_strategy_on_product32_is_refused_before_building(capsys, tmp_path):
    out_dir = tmp_path / "never"
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", out_dir, "--strategy", "flat")
    assert (code, out) == (2, "")
    assert err.startswith(f"{PRODUCT32}: error: ")
    assert "4,294,967,296" in err and "24" in err
    assert not out_dir.exists()                             # the folder is not even created
    existing = tmp_path / "existing"
    existing.mkdir()
    assert run(capsys, "compile", PRODUCT32, "-o", existing, "--strategy", "flat")[0] == 2
    assert list(existing.iterdir()) == []


def test_unknown_activation(capsys, tmp_path):
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path / "o", "--activation", "swish")
    assert (code, out) == (2, "")
    assert "unknown activation 'swish'" in err
    assert all(name in err for name in KNOWN_ACTIVATIONS)
    assert not (tmp_path / "o").exists()


def test_impossible_float32_tolerance(capsys, tmp_path):
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path / "o", "--dtype", "float32", "--tol", "1e-9")
    assert (code, out) == (2, "")
    assert "float32" in err and "1e-09" in err
    reachable = float(re.search(r"reaches about ([0-9.e+-]+)", err).group(1))
    assert 1e-3 < reachable < 31 * 2e-3                     # 31 chained float32 gates of ~1e-3 each
    assert not (tmp_path / "o").exists()
    assert "use --dtype float64 or a looser --tol" in err and ".md" not in err    # no file users do not have


def test_bits_on_real_variables(capsys, tmp_path):
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path / "o", "--strategy", "bits")
    assert (code, out) == (2, "")
    assert "bits strategy needs bit or spin variables" in err and "real" in err
    code, _, err = run(capsys, "verify", PRODUCT32, "--strategy", "bits")
    assert code == 2 and "real" in err


def test_smooth_activation_required_for_products(capsys, tmp_path):
    code, _, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path / "o", "--activation", "relu")
    assert code == 2 and "not smooth" in err
    code, _, err = run(capsys, "compile", CAT_DOG, "-o", tmp_path / "o", "--activation", "softplus")
    assert code == 2 and "threshold" in err


@pytest.mark.parametrize("argv,message", [
    (("--tol", "0"), "tolerance must be positive"),
    (("--tol=-1e-3",), "tolerance must be positive"),
    (("--input-range", "1", "1"), "lo < hi"),
    (("--input-range", "2", "-2"), "lo < hi"),
    (("--samples", "0"), "at least 1 random input"),
    (("--samples", "-5"), "at least 1 random input"),
])
def test_bad_numeric_options(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, "compile", PRODUCT32, "-o", tmp_path / "o", *argv)
    assert (code, out) == (2, "") and message in err
    assert not (tmp_path / "o").exists()


def test_usage_errors_exit_2(capsys):
    for argv in (["compile", PRODUCT32, "--strategy", "deep"], ["compile", PRODUCT32, "--dtype", "float16"],
                 ["verify"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_missing_file(capsys, tmp_path):
    code, out, err = run(capsys, "compile", tmp_path / "nope.ham", "-o", tmp_path / "o")
    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'nope.ham'}: error: cannot read '{tmp_path / 'nope.ham'}': no such file\n"
    assert not (tmp_path / "o").exists()


def test_constant_hamiltonian_compiles(capsys, tmp_path):
    path = tmp_path / "const.ham"
    path.write_text("bit b[2]\nH = 3\n")
    code, out, err = run(capsys, "compile", path, "-o", tmp_path / "o", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["hidden_neurons"] == 0 and json.loads(out)["max_abs_error"] == 0.0
    with np.load(tmp_path / "o" / "const.npz", allow_pickle=False) as f:
        last = int(f["n_layers"]) - 1
        assert f[f"layer{last}/bias"].tolist() == [3.0] and len(f[f"layer{last}/values"]) == 0


def test_stage_lines_are_printed_for_a_person_at_a_terminal(capsys, monkeypatch, tmp_path):
    """At a terminal, each stage prints one progress line on stderr; --quiet silences them."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(capsys, "compile", EXAMPLES / "ising.ham", "-o", tmp_path)
    stages = [line.split("...")[0] for line in err.splitlines()]
    assert code == 0 and stages == ["hamc: lowering", "hamc: building", "hamc: verifying"]
    assert all(line.endswith(" s)") for line in err.splitlines())
    code, _, err = run(capsys, "compile", EXAMPLES / "ising.ham", "-o", tmp_path, "--quiet")
    assert (code, err) == (0, "")


def test_the_strategy_line_says_why(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", EXAMPLES / "ising.ham", "-o", tmp_path)
    assert out.splitlines()[0] == ("strategy        bits (step, float64): every variable is a bit or spin: "
                                   "one threshold neuron per monomial, exact")
    code, out, _ = run(capsys, "compile", EXAMPLES / "ising.ham", "-o", tmp_path, "--strategy", "tree", "--json")
    assert json.loads(out)["strategy_reason"] == "as asked (--strategy)"


def test_the_error_line_says_what_it_was_measured_on(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "cat_dog.ham"), "-o", str(tmp_path))
    assert code == 0 and "(on all 2^4 configurations)" in out and "S = 1: the outputs are probabilities" in out
    assert "tol 1e-06 on the certified bound's max rel error (rel = abs / S)" in out
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "ising.ham"), "-o", str(tmp_path))
    assert "(on 2,000 random configurations)" in out and "spins           rewritten over bits, s = 2x - 1" in out
    from hamc.verification import Verification, describe_sample
    smoke = Verification(0.0, 0.0, 1.0, 2, False, "energy")
    assert describe_sample(smoke, 10**6, True) == \
        "2 random configurations: a smoke check of a 1,000,000-variable model, not a test"
