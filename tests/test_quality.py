"""The network-quality table: the paper's construction against hamc's default and the flat count."""
import json

import pytest

import hamc
from hamc.quality import compare, quality_table

from conftest import run

XY = "real x, y\nH = x*y"


def test_compare_xy_paper_default_and_flat():
    rows = compare(hamc.load(XY), options=hamc.BuildOptions())
    assert [r.dtype for r in rows] == ["float64", "float32"]
    for row, paper_error, default_error in zip(rows, (1e-8, 3e-4), (1e-10, 1e-4)):
        assert row.paper.neurons == row.default.neurons == row.flat_neurons == 4
        assert (row.paper.gates, row.default.gates) == ("paper", "single")
        assert row.paper.max_rel_error >= paper_error and row.default.max_rel_error <= default_error
        assert row.default.max_rel_error <= row.default.rel_error_bound
        assert row.paper.max_rel_error <= row.paper.rel_error_bound
    lines = quality_table(rows, "xy").splitlines()
    assert lines[0].startswith("| example | dtype | paper: neurons |") and len(lines) == 4
    assert lines[2].startswith("| xy | float64 | 4 | ") and lines[2].endswith(" | single | 4 |")


def test_compare_counts_squares_for_a_quadratic(tmp_path):
    # x^2 + x*y: the paper squares with a product gate (4 neurons); hamc, forced to the expansion,
    # squares with 2, and by default factors x (x + y): one product gate
    rows = compare(hamc.load("real x, y\nH = x^2 + x*y"), options=hamc.BuildOptions(structure="expanded"))
    assert rows[0].paper.neurons == 4 + 4 and rows[0].default.neurons == 2 + 4
    rows = compare(hamc.load("real x, y\nH = x^2 + x*y"), options=hamc.BuildOptions())
    assert rows[0].paper.neurons == 4 + 4 and rows[0].default.neurons == 4


def test_cli_compare_prints_the_table_and_json(capsys, tmp_path):
    path = tmp_path / "xy.ham"
    path.write_text(XY)
    code, out, _ = run(capsys, "compile", str(path), "-o", str(tmp_path), "--compare")
    assert code == 0 and "| dtype | paper: neurons | paper: max_rel_error (bound) |" in out
    assert "| float32 | 4 | " in out
    code, out, _ = run(capsys, "compile", str(path), "-o", str(tmp_path), "--compare", "--json")
    j = json.loads(out)
    assert code == 0 and [r["dtype"] for r in j["compare"]] == ["float64", "float32"]
    assert j["compare"][0]["hamc"]["neurons"] == 4 and j["gates"] == "single"


def test_unknown_gates_are_refused_by_the_options_themselves(capsys, tmp_path):
    with pytest.raises(hamc.HamcError, match="unknown gates 'best'; choose one of auto, single, richardson, paper"):
        hamc.BuildOptions(gates="best")
    with pytest.raises(hamc.HamcError, match=r"input range \[1.0, -1.0\] must be finite with lo < hi"):
        hamc.BuildOptions(input_range=(1.0, -1.0))
    path = tmp_path / "xy.ham"
    path.write_text(XY)
    code, _, err = run(capsys, "compile", str(path), "--dtype", "float32", "--tol", "-1")
    assert (code, err) == (2, f"{path}: error: tolerance must be positive, got -1.0\n")
