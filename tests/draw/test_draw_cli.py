"""`hamc draw` and `hamc compile --emit`: files written, formats, the missing-Graphviz path, errors."""
from __future__ import annotations

import shutil

import pytest

import hamc

from hamc.draw.dot import dot_available

from conftest import EXAMPLES, run


def test_figure_to_dot_needs_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "draw", "--figure", "product-gate", "--labels", "symbolic", "--format", "dot")
    assert code == 0 and out.strip() == "wrote product-gate.dot"
    text = (tmp_path / "product-gate.dot").read_text(encoding="utf-8")
    assert text.startswith('digraph "u·v from 4 neurons') and text.count("class=\"weight\"") == 12
    code, out, _ = run(capsys, "draw", "--figure", "bit-gate", "4", "--biases", "node", "--format", "dot")
    assert code == 0 and (tmp_path / "bit-gate-4-bias-node.dot").exists()     # the name says what differs
    code, out, _ = run(capsys, "draw", "--figure", "bit-gate", "4", "--format", "dot")
    assert code == 0 and out.strip() == "wrote bit-gate-4.dot"
    code, out, _ = run(capsys, "draw", "--figure", "tree", "8", "--format", "dot")
    assert code == 0 and (tmp_path / "tree-8.dot").read_text(encoding="utf-8").count("subgraph gate_") == 7


def test_network_draw_is_byte_identical_twice(tmp_path, capsys):
    for name in ("a", "b"):
        code, _, _ = run(capsys, "draw", str(EXAMPLES / "cat_dog.ham"), "--labels", "values", "--biases", "node",
                         "--format", "tex", "-o", str(tmp_path / name / "cat_dog"))
        assert code == 0
    for ext in (".dot", ".tex"):
        a, b = (tmp_path / "a" / f"cat_dog{ext}").read_bytes(), (tmp_path / "b" / f"cat_dog{ext}").read_bytes()
        assert a == b and len(a) > 1000


def test_output_suffix_picks_the_format(tmp_path, capsys):
    code, out, _ = run(capsys, "draw", "--figure", "bit-gate", "-o", str(tmp_path / "fig.v2.tex"))
    assert code == 0
    assert (tmp_path / "fig.v2.tex").exists() and (tmp_path / "fig.v2.dot").exists()
    assert not (tmp_path / "fig.v2.svg").exists()


def test_auto_view_note_for_a_large_network(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "draw", str(EXAMPLES / "curie_weiss.ham"), "--format", "dot",
                          "--structure", "expanded")
    assert code == 0
    assert "136 neurons in one layer" in err and "blocks view" in err
    assert (tmp_path / "curie_weiss-blocks.dot").exists()
    code, out, err = run(capsys, "draw", str(EXAMPLES / "curie_weiss.ham"), "-p", "N=4", "--format", "dot")
    assert code == 0 and err == "" and (tmp_path / "curie_weiss-neurons.dot").exists()


def test_without_graphviz_the_dot_file_is_still_written(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))                       # no `dot` anywhere
    assert shutil.which("dot") is None and not dot_available()
    code, out, err = run(capsys, "draw", "--figure", "product-gate", "-o", str(tmp_path / "pg.svg"))
    assert code == 0 and (tmp_path / "pg.svg").read_text().startswith("<svg")      # hamc draws SVG itself
    code, out, err = run(capsys, "draw", "--figure", "product-gate", "-o", str(tmp_path / "pg.pdf"))
    assert code == 2
    assert "Graphviz" in err and "not installed" in err and "apt-get install graphviz" in err
    assert "brew install graphviz" in err and str(tmp_path / "pg.dot") in err
    assert (tmp_path / "pg.dot").exists() and not (tmp_path / "pg.pdf").exists()


def test_without_graphviz_compile_emit_svg(tmp_path, monkeypatch, capsys):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name in ("dot", "neato") else real(name, *a, **k))
    code, out, err = run(capsys, "compile", str(EXAMPLES / "cat_dog.ham"), "-o", str(tmp_path), "--emit", "npz,svg")
    assert code == 0 and "cat_dog" in out and f"wrote {tmp_path / 'cat_dog.npz'}" in out
    assert (tmp_path / "cat_dog.svg").read_text().count('class="node neuron"') == 8
    code, out, err = run(capsys, "compile", str(EXAMPLES / "cat_dog.ham"), "-o", str(tmp_path), "--emit", "npz,png")
    assert code == 2 and "Install Graphviz" in err and (tmp_path / "cat_dog.dot").exists()
    assert not (tmp_path / "cat_dog.png").exists()


def test_compile_emit_npz_and_dot(tmp_path, capsys):
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "cat_dog.ham"), "-o", str(tmp_path), "--emit", "npz,dot")
    assert code == 0
    assert (tmp_path / "cat_dog.npz").stat().st_size > 0
    text = (tmp_path / "cat_dog.dot").read_text(encoding="utf-8")
    assert text.startswith("digraph") and "subgraph rank_1" in text
    assert f"wrote {tmp_path / 'cat_dog.npz'}" in out and f"wrote {tmp_path / 'cat_dog.dot'}" in out


@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_draw_svg_and_png_with_graphviz(tmp_path, capsys):
    code, _, _ = run(capsys, "draw", "--figure", "product-gate", "--labels", "symbolic", "-o", str(tmp_path / "pg.svg"))
    assert code == 0 and "<svg" in (tmp_path / "pg.svg").read_text(encoding="utf-8")
    code, _, _ = run(capsys, "draw", str(EXAMPLES / "ising.ham"), "-p", "L=4", "--view", "blocks",
                     "--format", "png", "-o", str(tmp_path / "ising"))
    assert code == 0 and (tmp_path / "ising.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv, message", [
    (["--figure", "nope"], "unknown figure 'nope'"),
    (["--figure", "tree"], "takes the number of inputs"),
    (["--figure", "tree", "1"], "size from 2 to 64"),
    (["--figure", "tree", "65"], "size from 2 to 64"),
    (["--figure", "tree", "x"], "whole number"),
    (["--figure", "bit-gate", "0"], "size from 1 to 64"),
    (["--figure", "product-gate", "3"], "takes no size"),
    (["--figure", "tree", "4", "--labels", "symbolic"], "--labels symbolic"),
    ([], "needs a .ham file"),
    (["no_such_file.ham"], "no_such_file.ham"),
    ([str(EXAMPLES / "cat_dog.ham"), "--figure", "tree", "4"], "not both"),
    ([str(EXAMPLES / "cat_dog.ham"), "--labels", "symbolic"], "symbolic"),
    ([str(EXAMPLES / "cat_dog.ham"), "--view", "plan"], "plan view shows a product tree"),
])
def test_draw_errors_exit_2_with_a_message(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "draw", *argv, "--format", "dot")
    assert code == 2 and message in err
    assert not list(tmp_path.glob("*.dot"))


def test_neurons_view_refuses_what_no_page_shows_and_tex_what_tex_cannot_place(tmp_path, capsys):
    code, out, err = run(capsys, "draw", str(EXAMPLES / "spin_glass.ham"), "--view", "neurons", "-o", str(tmp_path / "s.svg"))
    # 2,016 pair and 64 single-spin bit neurons, each a gate with its label: 4,160 rows of 30 pt = 4,403 cm
    assert code == 2 and "2,080 neurons in one layer" in err and f"about {4160 * 30 / 72 * 2.54:,.0f} cm tall" in err
    assert "use --view blocks" in err and not list(tmp_path.iterdir())
    code, out, err = run(capsys, "draw", str(EXAMPLES / "spin_glass.ham"), "--detail", "gates", "-o", str(tmp_path / "s.svg"))
    assert code == 2 and "2,080 gates in one layer" in err and not list(tmp_path.iterdir())
    from hamc.draw.output import write_drawing
    from hamc.draw.diagram import Diagram, Node
    wide = Diagram("", tuple(Node(f"n{k}", "σ", r"\sigma", k) for k in range(250)), ())   # 250 columns of 80 pt
    with pytest.raises(hamc.HamcError, match="more than TeX can place"):
        write_drawing(wide, tmp_path / "wide", "tex")
    assert not (tmp_path / "wide.tex").exists() and (tmp_path / "wide.dot").exists()


def test_tree_figure_above_8_inputs_is_drawn_as_gates(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "draw", "--figure", "tree", "32")
    assert (code, err) == (0, "") and out.split() == ["wrote", "tree-32.dot", "wrote", "tree-32.svg"]
    svg = (tmp_path / "tree-32.svg").read_text()
    assert svg.count('class="node gate"') == 31 and svg.count("<polyline") == 63
    code, out, err = run(capsys, "draw", "--figure", "tree", "8", "--detail", "gates", "--format", "dot")
    assert code == 0 and (tmp_path / "tree-8-gates.dot").read_text().count('class="gate"') == 7
