"""Notebook reprs: HTML tables of Compiled, Analysis and Verification hold the numbers they report."""
import re
import shutil

import pytest

import hamc
from conftest import EXAMPLES


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r"<tr><th[^>]*>(.*?)</th><td>(.*?)</td></tr>", html))


@pytest.fixture(scope="module")
def ising():
    return hamc.compile(EXAMPLES / "ising.ham", params={"L": 4})


def test_compiled_table_has_neurons_depth_error_and_bound(ising):
    rows, net = _rows(ising._repr_html_()), ising.network
    assert rows["hidden neurons"] == "48 (48 bit)" == f"{3 * 16} ({3 * 16} bit)"   # a gate per term, 16 sites
    assert rows["depth"] == f"{net.depth} hidden layer(s)" == "1 hidden layer(s)"
    assert rows["synapses"] == f"{net.synapses:,}" and rows["parameters"] == f"{net.parameters:,}"
    assert rows["max abs error"] == "0" and rows["max rel error"] == "0"        # bits: exact on all 2^16 inputs
    bound = ising.error_bound
    assert 0 < bound.absolute < 1e-9
    assert rows["error bound"] == f"{bound.absolute:.3g}" and rows["rel error bound"] == f"{bound.relative:.3g}"
    assert rows["tol"] == "1e-06 (checked against the bound: met)"


def test_verification_and_analysis_tables(ising):
    rows = _rows(ising.verification._repr_html_())
    assert rows["inputs"] == "65,536 (all configurations)" and rows["scale S"] == "40"     # S = 32 + 16/2
    rows = _rows(hamc.analyze(ising.hamiltonian)._repr_html_())
    assert rows["terms"] == "48 (16 of degree 1, 32 of degree 2)" and rows["degree"] == "2"
    assert rows["monomials"] == ("153 possible -&gt; 48 nonzero -&gt; 2 independent coefficients "
                                 "(orbits of the symmetry)")     # C(16+2, 2) monomials


def test_real_errors_are_the_measured_numbers():
    c = hamc.compile("real x\nreal y\nH = x*y + x^2", samples=300)
    rows = _rows(c._repr_html_())
    assert rows["max abs error"] == f"{c.verification.max_abs_error:.3g}"
    assert float(rows["max rel error"]) == pytest.approx(c.verification.max_abs_error / c.verification.scale, rel=1e-2)
    assert float(rows["max rel error"]) <= float(rows["rel error bound"]) <= 1e-6


def test_figure_inline_with_graphviz(ising):
    assert shutil.which("dot")          # the test machines have Graphviz
    assert "<svg" in ising._repr_html_()


def test_the_figure_needs_no_graphviz(ising, monkeypatch):
    monkeypatch.setenv("PATH", "")          # hamc draws the SVG itself
    html = ising._repr_html_()
    assert "<svg" in html and "No figure" not in html


def test_help_of_compile_documents_every_argument_and_build_option():
    import dataclasses
    import inspect
    doc = inspect.getdoc(hamc.compile)
    names = [p for p in inspect.signature(hamc.compile).parameters if p != "build_options"]
    names += [f.name for f in dataclasses.fields(hamc.BuildOptions)]
    assert {"params", "tol", "dtype"} <= set(names)
    undocumented = [n for n in names if not re.search(rf"^\s*{n}\s", doc, re.M)]
    assert undocumented == []
