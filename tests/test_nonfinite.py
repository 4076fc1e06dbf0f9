"""No silent NaN or inf: ranges a dtype cannot hold are refused before building, and verification
counts non-finite outputs instead of letting max() skip them."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from dataclasses import replace

import hamc
from hamc.build import assemble as build
from hamc.build import table_layers
from hamc.build.options import BuildOptions
from hamc.cli import main

from conftest import EXAMPLES

XY = "real x\nreal y\nH = x*y"
PRODUCT32 = EXAMPLES / "product32.ham"


def refusal(source, R: float, dtype: str = "float64", **options) -> str:
    with pytest.raises(hamc.HamcError) as info:
        hamc.compile(source, options=BuildOptions(input_range=(-R, R), dtype=dtype, **options))
    return info.value.message


@pytest.mark.parametrize("strategy", ["tree", "flat"])
def test_xy_at_1e154_is_refused_in_float64(strategy):
    # |H| <= 1e308 fits, but the readout of x*y is 1e308 times the gate's 1/(4 s2 lambda^2) ~ 1e8
    message = refusal(XY, 1e154, strategy=strategy)
    assert message.startswith("--input-range -1e+154 1e+154 is too wide for --dtype float64: ")
    assert "beyond the largest float64 (1.8e+308)" in message
    assert message.endswith("use a smaller --input-range (rescale the variables)")


def test_product32_at_1e10_is_refused_with_the_bound_it_reaches():
    assert refusal(PRODUCT32, 1e10) == (
        "--input-range -1e+10 1e+10 is too wide for --dtype float64: |H| can reach 1e+320 on this box, beyond "
        "the largest float64 (1.8e+308); use a smaller --input-range (rescale the variables)")


@pytest.mark.parametrize("source,R,reach", [(XY, 1e20, "1e+40"), (PRODUCT32, 1e10, "1e+320"),
                                            (PRODUCT32, 1e2, "1e+64")])
def test_float32_refusals_name_the_dtype_and_suggest_float64(source, R, reach):
    message = refusal(source, R, "float32")
    assert f"is too wide for --dtype float32: |H| can reach {reach} on this box, beyond the largest float32 " \
           "(3.4e+38)" in message
    assert message.endswith("or use --dtype float64")


def test_a_range_too_narrow_for_float32_is_refused():
    message = refusal(XY, 1e-100, "float32")
    assert message.startswith("--input-range -1e-100 1e-100 is too narrow for --dtype float32: the first layer's "
                              "input weights (lambda / R) reach ")
    assert "use a wider --input-range" in message


def test_huge_coefficients_on_spins_name_the_coefficients():
    source = "spin s[3]\nH = 1e300 * s[0]*s[1]*s[2] + 1e300 * s[0]*s[1]"
    assert hamc.compile(source).verification.max_rel_error == 0.0           # bits: exact in float64
    message = refusal(source, 1.0, "float32")
    assert message.startswith("the coefficients are too large for --dtype float32: |H| can reach 2e+300")
    assert message.endswith("rescale H's coefficients, or use --dtype float64")


@pytest.mark.parametrize("dtype,R,tol", [("float64", 1e150, 1e-6), ("float32", 1e16, 1e-2)])
def test_just_inside_the_limit_the_network_is_finite_and_accurate(dtype, R, tol):
    c = hamc.compile(XY, options=BuildOptions(input_range=(-R, R), dtype=dtype))
    corners = np.array([[R, R], [-R, R], [R, -R], [-R, -R], [R / 2, R / 3]])
    got = c.network(corners).astype(np.float64)
    assert np.all(np.isfinite(got))
    assert np.max(np.abs(got - corners.prod(axis=1))) <= tol * R * R
    assert c.verification.ok and c.verification.max_rel_error <= tol


def with_weight(net: hamc.Network, value: float, layer: int = 0) -> hamc.Network:
    """The network with its first nonzero weight of `layer` replaced by `value`."""
    layers = list(net.layers)
    w = layers[layer].weight.copy()
    data = w.data if sp.issparse(w) else w.reshape(-1)
    data[np.flatnonzero(data)[0]] = value
    layers[layer] = replace(layers[layer], weight=w)
    return replace(net, layers=tuple(layers))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_verify_counts_nonfinite_outputs_instead_of_skipping_them(value):
    c = hamc.compile(XY)
    v = hamc.verify(with_weight(c.network, value, layer=-1), c.hamiltonian, samples=300)
    assert v.nonfinite == 300 and not v.ok
    assert v.max_abs_error == np.inf and v.max_rel_error == np.inf
    assert v.to_json()["max_abs_error"] is None and v.to_json()["nonfinite"] == 300


def test_one_nan_row_among_finite_ones_is_counted():
    c = hamc.compile("real x\nH = x^2")
    x = np.array([[0.5], [np.nan], [1.0]])
    with np.errstate(invalid="ignore"):
        assert np.isnan(c.network(x)[1])
    v = hamc.verify(c.network, c.hamiltonian, samples=200)
    assert v.ok and v.nonfinite == 0 and np.isfinite(v.max_abs_error)


def test_the_builder_refuses_nonfinite_weights_if_the_range_check_missed_them(monkeypatch):
    monkeypatch.setattr(table_layers, "check_range", lambda *args: None)
    with np.errstate(over="ignore"):
        message = refusal(XY, 1e154)
    assert message.startswith("--input-range -1e+154 1e+154 is too wide for --dtype float64: ")
    assert "are not finite in float64" in message


def test_compile_refuses_nonfinite_outputs_if_every_earlier_check_missed_them(monkeypatch):
    monkeypatch.setattr(table_layers, "check_range", lambda *args: None)
    monkeypatch.setattr(build, "check_finite_layers", lambda *args: None)
    with np.errstate(all="ignore"):
        message = refusal(XY, 1e154)
    assert message.startswith("the network's output is not finite (NaN or inf) on 2,000 of 2,000 inputs "
                              "with --input-range -1e+154 1e+154 and --dtype float64")


def test_cli_exits_2_and_writes_nothing(tmp_path, capsys):
    ham = tmp_path / "xy.ham"
    ham.write_text(XY)
    big = "1" + "0" * 154
    code = main(["compile", str(ham), "--input-range", "-" + big, big, "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"{ham}: error: --input-range -1e+154 1e+154 is too wide")
    assert "Traceback" not in err and "Warning" not in err
    assert not (tmp_path / "out" / "xy.npz").exists()
