"""CLI tests for `hamc analyze`: summary, --json, --param, --max-terms, and exit code 2 without tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hamc.cli import main

from conftest import EXAMPLES, REPO, run

THREE_BODY = str(EXAMPLES / "three_body.ham")
ISING = str(EXAMPLES / "ising.ham")


def test_analyze_prints_the_summary(capsys):
    code, out, err = run(capsys, "analyze", THREE_BODY)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "variables      12 spin",
        "terms          24 (12 of degree 2, 12 of degree 3)",
        "degree         3",
        "locality       each variable interacts with at most 4 others (24 interacting pairs)",
        "symmetry       space group: group of order 24 (12 translations x 2 point symmetries)",
        "monomials      455 possible -> 24 nonzero -> 2 independent coefficients (orbits of the symmetry)",
        "coefficients   exact rationals",
    ]


def test_analyze_json(capsys):
    code, out, _ = run(capsys, "analyze", ISING, "--json")
    data = json.loads(out)
    assert code == 0
    assert {"variables", "terms", "degree", "max_neighbors", "symmetry_group_order", "parameters"} <= set(data)
    assert (data["variables"]["spin"], data["terms"], data["symmetry_group_order"]) == (256, {"1": 256, "2": 512}, 2048)
    assert data["parameters"] == {"generic": 33153, "nonzero": 768, "independent": 2}


def test_param_overrides(capsys):
    code, out, _ = run(capsys, "analyze", ISING, "--json", "--param", "L=4", "-p", "h=0")
    data = json.loads(out)
    assert code == 0
    assert data["variables"]["spin"] == 16
    assert data["terms"] == {"2": 32}                 # h = 0 removes the field terms
    assert data["symmetry_group_order"] == 128


def test_syntax_error_exits_2_with_location_and_caret(capsys, tmp_path):
    path = tmp_path / "bad.ham"
    path.write_text("real x\nH = x +* 2\n")
    code, out, err = run(capsys, "analyze", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:2:8: error: syntax error: unexpected '*'; expected '(', '+', '-', a name, a number, "
        "a quoted path, sum/prod",
        "    H = x +* 2",
        "           ^",
    ]
    assert "Traceback" not in err


def test_semantic_error_exits_2(capsys, tmp_path):
    path = tmp_path / "bad.ham"
    path.write_text("param J = 1\nreal x[3]\nH = J * x[0] / x[1]\n")
    code, _, err = run(capsys, "analyze", str(path))
    assert code == 2
    assert err.splitlines()[0] == f"{path}:3:16: error: a variable in a denominator is not a polynomial"
    assert err.splitlines()[2] == " " * 19 + "^~~~"
    assert "Traceback" not in err


def test_missing_file_exits_2(capsys, tmp_path):
    path = tmp_path / "nope.ham"
    code, _, err = run(capsys, "analyze", str(path))
    assert code == 2
    assert err == f"{path}: error: cannot read '{path}': no such file\n"


def test_bad_param_values_exit_2(capsys):
    code, _, err = run(capsys, "analyze", ISING, "--param", "L=abc")
    assert (code, err) == (2, "--param L:1:1: error: unknown name 'abc'\n    abc\n    ^~~\n")
    code, _, err = run(capsys, "analyze", ISING, "--param", "K=3")
    assert (code, err) == (2, f"--param K: error: no parameter named 'K' in {ISING} to override "
                              "(parameters: J, L, h)\n")
    code, _, err = run(capsys, "analyze", ISING, "--param", "L=0")
    assert code == 2 and err.startswith(f"{ISING}:8:20: error: a size must be a positive integer, got 0")


def test_malformed_param_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["analyze", ISING, "--param", "L"])
    assert info.value.code == 2
    assert "expected NAME=VALUE, got 'L'" in capsys.readouterr().err


def test_max_terms_option(capsys):
    # a 4 x 4 lattice (16 spins) is analysed term by term (its full automorphism group): expanding
    # the bond sum's 32 index combinations is refused under --max-terms 10
    code, _, err = run(capsys, "analyze", ISING, "--param", "L=4", "--max-terms", "10")
    assert code == 2
    assert err.splitlines()[0] == (f"{ISING}:11:14: error: this sum has 32 index combinations (limit 10); "
                                   "raise the limit with --max-terms")
    # at L = 16 the analysis is read off the one-site density: nothing is expanded, nothing refused
    code, out, _ = run(capsys, "analyze", ISING, "--max-terms", "10")
    assert code == 0 and "768 (256 of degree 1, 512 of degree 2)" in out


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "hamc", "analyze", "examples/ising.ham", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout)["parameters"] == {"generic": 33153, "nonzero": 768, "independent": 2}
