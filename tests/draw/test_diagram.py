"""Diagrams: DOT structure of compiled networks, the paper's figures against REFERENCE.md, layout
geometry, determinism, the committed README figures, rendering with Graphviz and pdflatex."""
from __future__ import annotations

import html
from dataclasses import replace
import importlib.util
import math
import re
import shutil
import subprocess

import numpy as np
import pytest
import scipy.sparse as sp

import hamc
from hamc.build import series_scales
from hamc.draw.dot import NEGATIVE, NEUTRAL, POSITIVE, dot_available, render, to_dot
from hamc.draw.tikz import to_tikz
from hamc.build.options import BuildOptions
from hamc.pipeline import compile_hamiltonian
from hamc.draw.diagram import (blocks_diagram, compact_monomial, fits_neuron_view, gate_label, input_names,
                          network_diagram, plan_diagram)
from hamc.draw.geometry import text_width
from hamc.draw.layout import layout
from hamc.draw.output import choose_view
from hamc.draw.figures import bit_gate_figure, product_gate_figure

from conftest import EXAMPLES, REPO

SHARING = "real x[1..4]\nH = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]\n"


def _compile(source, params=None, **options):
    return compile_hamiltonian(source, params=params, options=BuildOptions(**options), samples=200, check=False)


@pytest.fixture(scope="module")
def sharing():
    return _compile(SHARING, strategy="tree")


@pytest.fixture(scope="module")
def ising():
    return _compile(str(EXAMPLES / "ising.ham"), params={"L": 4})


# ---- parsing the DOT text hamc writes ------------------------------------------------------------

_NODE = re.compile(r"^\s*(\w+) \[(.*)\];$")
_EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\];$")


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf'(?:^|, ){name}=("(?:[^"\\]|\\.)*"|[^,]+)', attrs)
    return None if m is None else m.group(1).strip('"')


def parse_dot(text: str):
    """(nodes {id: (subgraph path, attrs)}, edges [(src, dst, attrs)]) of hamc's line-per-item DOT."""
    nodes, edges, stack = {}, [], []
    for line in text.splitlines():
        if m := re.match(r"^\s*subgraph (\w+) \{$", line):
            stack.append(m.group(1))
        elif line.strip() == "}" and stack:
            stack.pop()
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3)))
        elif (m := _NODE.match(line)) and m.group(1) not in ("graph", "node", "edge"):
            nodes[m.group(1)] = (tuple(stack), m.group(2))
    return nodes, edges


def _rank(path) -> int:
    return next(int(p[5:]) for p in path if p.startswith("rank_"))


NEURON_CLASSES = ("input", "neuron", "output")


def _layer_of(node_id: str, n_layers: int) -> tuple[int, int]:
    """Diagram id -> (column, index): i3 -> (0, 3), h2_5 -> (2, 5), o0 -> (n_layers, 0)."""
    if node_id.startswith("i"):
        return 0, int(node_id[1:])
    if node_id.startswith("o"):
        return n_layers, int(node_id[1:])
    k, j = node_id[1:].split("_")
    return int(k), int(j)


def _check_network_dot(net, text: str, first_width: int):
    nodes, edges = parse_dot(text)
    per_rank: dict[int, int] = {}
    for path, attrs in nodes.values():
        if _attr(attrs, "class") in NEURON_CLASSES and path:
            per_rank[_rank(path)] = per_rank.get(_rank(path), 0) + 1
    assert per_rank[0] == first_width
    for k, layer in enumerate(net.layers):
        assert per_rank[k + 1] == layer.n_out
    weighted = [e for e in edges if _attr(e[2], "tooltip") is not None]
    per_layer = [sp.csr_matrix(layer.weight) for layer in net.layers]
    checked = 0
    for src, dst, attrs in weighted:
        if src.startswith("one"):
            continue
        col_s, row = _layer_of(src, len(net.layers))
        col_t, col = _layer_of(dst, len(net.layers))
        assert col_t == col_s + 1
        w = per_layer[col_t - 1][row, col]
        assert w != 0
        assert float(_attr(attrs, "tooltip")) == pytest.approx(w, rel=1e-5)
        assert _attr(attrs, "color") == (POSITIVE if w > 0 else NEGATIVE)
        checked += 1
    assert checked == sum(layer.synapses for layer in net.layers)
    return nodes, edges


# ---- compiled networks ---------------------------------------------------------------------------

def test_network_dot_ranks_edges_and_colours(sharing):
    net = sharing.network
    assert net.shared is None and [layer.n_out for layer in net.layers] == [6, 8, 1]
    text = to_dot(network_diagram(net))
    nodes, edges = _check_network_dot(net, text, len(net.inputs))
    assert sum(1 for e in edges if _attr(e[2], "tooltip")) == net.synapses == 58
    # one labelled frame per gate: x1*x2 (4 neurons), copy x3, copy x4, two 4-neuron products
    gates_drawn = {p[-1] for p, _ in nodes.values() if p and p[-1].startswith("gate_")}
    assert len(gates_drawn) == sum(b.count for layer in net.layers for b in layer.gates) == 5
    headers = sorted(_attr(a, "label") for _, a in nodes.values() if _attr(a, "class") == "header")
    assert headers == ["copy x[3]", "copy x[4]", "x[1]*x[2]", "x[1]*x[2]*x[3]", "x[1]*x[2]*x[4]"]
    assert "layout=neato" in text and text.count('pos="') == len(nodes) + len(edges)


def test_network_biases_as_a_one_input(sharing):
    net = sharing.network
    d = network_diagram(net, biases="node", labels="values")
    nonzero = sum(int(np.count_nonzero(layer.bias)) for layer in net.layers)
    assert nonzero > 0
    nodes, edges = parse_dot(to_dot(d))
    ones = [n for n, (_, a) in nodes.items() if _attr(a, "class") == "bias"]
    assert ones and all(_attr(nodes[n][1], "label") == "1" for n in ones)
    assert len([e for e in edges if e[0] in ones]) == nonzero
    assert len([e for e in edges if _attr(e[2], "tooltip")]) == net.synapses + nonzero
    # every weight has its value written on it
    assert len([n for n, (_, a) in nodes.items() if _attr(a, "class") == "weight"]) == net.synapses + nonzero


def test_weight_shared_network_is_drawn_per_site(ising):
    net = ising.network
    assert net.shared is not None and net.sites == 16
    d = network_diagram(net, title="ising")
    text = to_dot(d)
    patch = len(net.shared.offsets)
    assert [n.label for n in d.nodes if n.rank == 0] == list(input_names(net))
    assert input_names(net)[0] == "s[i,j]"
    nodes, edges = parse_dot(text)
    per_rank: dict[int, int] = {}
    for path, attrs in nodes.values():
        if _attr(attrs, "class") in NEURON_CLASSES and path:
            per_rank[_rank(path)] = per_rank.get(_rank(path), 0) + 1
    sizes = [patch] + [layer.n_out for layer in net.layers] + [len(net.outputs)]
    assert [per_rank[r] for r in sorted(per_rank)] == sizes
    assert len([e for e in edges if _attr(e[2], "tooltip")]) == sum(layer.synapses for layer in net.layers)
    assert _attr(nodes["box_site"][1], "class") == "frame"
    assert "at each of the 16 sites of the 4 × 4 periodic lattice" in text


def test_symbolic_labels_are_refused_for_compiled_networks(sharing):
    with pytest.raises(ValueError, match="--figure"):
        network_diagram(sharing.network, labels="symbolic")


def test_plan_view_shows_shared_sub_products(sharing):
    d = plan_diagram(sharing.plan, input_names(sharing.network), title="sharing")
    nodes, edges = parse_dot(to_dot(d))
    shared = [n for n, (_, a) in nodes.items() if _attr(a, "class") == "shared"]
    assert [_attr(nodes[n][1], "label") for n in shared] == ["x[1]*x[2]"]
    assert len([e for e in edges if e[0] == shared[0]]) == 2
    assert len([n for n, (_, a) in nodes.items() if _attr(a, "class") in ("gate", "shared")]) == 3
    assert "3 product gates, 1 reused (reused products shaded)" in d.title      # 4 without reuse
    assert all(_attr(e[2], "color") == NEUTRAL for e in edges)


def test_blocks_view_counts_neurons_by_gate_kind():
    compiled = _compile(str(EXAMPLES / "phi4.ham"), params={"L": 4}, layout="unrolled")
    net = compiled.network
    d = blocks_diagram(net, title="phi4")
    assert len(d.nodes) == len(net.layers) + 1 and d.direction == "down"
    for k, layer in enumerate(net.layers[:-1]):
        label = d.nodes[k + 1].label
        for kind in {b.kind for b in layer.gates}:
            neurons = sum(b.neurons for b in layer.gates if b.kind == kind)
            assert re.search(rf"\b{neurons:,} {kind}\b", label), label
    assert [e.label for e in d.edges] == [f"{layer.synapses:,} synapses" for layer in net.layers]


def test_auto_view_switches_to_blocks_and_says_why():
    big = _compile(str(EXAMPLES / "curie_weiss.ham"), structure="expanded")   # 136 bit neurons in one layer
    assert not fits_neuron_view(big.network)
    view, note = choose_view(big, "auto")
    assert view == "blocks" and "136 neurons in one layer" in note and "--view neurons" in note
    assert "--view plan" not in note                            # bits: there is no product tree
    small = _compile(str(EXAMPLES / "curie_weiss.ham"), params={"N": 5}, structure="expanded")
    assert choose_view(small, "auto") == ("neurons", "")


def test_dot_is_deterministic(sharing):
    again = _compile(SHARING, strategy="tree")
    a = to_dot(network_diagram(sharing.network, labels="values", biases="node"))
    b = to_dot(network_diagram(again.network, labels="values", biases="node"))
    assert a == b
    assert to_dot(product_gate_figure()) == to_dot(product_gate_figure())


# ---- the paper's Figure 2 ------------------------------------------------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_product_gate_figure_weights_match_reference():
    c = math.log(2 + math.sqrt(3))                              # argmax |sigma''| (REFERENCE.md section 3)
    s = _sigmoid(c)
    s2 = s * (1 - s) * (1 - 2 * s)                              # sigma''(c) < 0 for the sigmoid
    lam = series_scales.product_scale("sigmoid", "float64").value
    d = product_gate_figure("sigmoid", labels="symbolic")
    w = {(e.source, e.target): e for e in d.edges}
    signs_u, signs_v = (1, -1, 1, -1), (1, -1, -1, 1)          # u+v, -(u+v), u-v, -(u-v)
    for j in range(4):
        assert w["u", f"h{j}"].weight == pytest.approx(signs_u[j] * lam, rel=1e-12)
        assert w["v", f"h{j}"].weight == pytest.approx(signs_v[j] * lam, rel=1e-12)
        assert w["u", f"h{j}"].label == ("λ" if signs_u[j] > 0 else "-λ")
        out = w[f"h{j}", "uv"]
        plus = j < 2
        assert out.weight == pytest.approx((1 if plus else -1) / (4 * lam ** 2 * s2), rel=1e-9)
        assert out.label == ("" if plus else "-") + "1/(4λ²σ'')"
        assert out.math == ("" if plus else "-") + r"1/(4\lambda^2\sigma'')"
    hidden = [n for n in d.nodes if n.rank == 1]
    assert [n.note for n in hidden] == ["b=c"] * 4
    # the drawn weights multiply: sum_j w_j sigma(c + a_j u + b_j v) = u v
    for u, v in ((0.3, -0.7), (1.0, 1.0), (-0.5, 0.25)):
        value = sum(w[f"h{j}", "uv"].weight * _sigmoid(c + w["u", f"h{j}"].weight * u + w["v", f"h{j}"].weight * v)
                    for j in range(4))
        assert value == pytest.approx(u * v, abs=1e-6)
    # the DOT text carries the same numbers and colours
    nodes, edges = parse_dot(to_dot(d))
    for src, dst, attrs in edges:
        e = w[src, dst]
        assert float(_attr(attrs, "tooltip")) == pytest.approx(e.weight, rel=1e-5)
        assert _attr(attrs, "color") == (POSITIVE if e.weight > 0 else NEGATIVE)
    labels = sorted(_attr(a, "label") for _, a in nodes.values() if _attr(a, "class") == "weight")
    assert labels == sorted(["λ"] * 4 + ["-λ"] * 4 + ["1/(4λ²σ'')"] * 2 + ["-1/(4λ²σ'')"] * 2)


def test_product_gate_bias_as_a_one_input():
    d = product_gate_figure("sigmoid", labels="values", biases="node")
    ones = [e for e in d.edges if e.source == "one"]
    assert len(ones) == 4 and all(e.weight == pytest.approx(math.log(2 + math.sqrt(3)), rel=1e-9) for e in ones)
    assert all(e.label == "1.32" for e in ones)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_bit_gate_figure_weights_match_reference(k):
    beta = 23.0
    d = bit_gate_figure(k, labels="symbolic", biases="node", beta=beta)
    ins = [e for e in d.edges if e.target == "h" and e.source != "one"]
    assert [e.weight for e in ins] == [beta] * k and {e.label for e in ins} == {"β"}
    bias = next(e for e in d.edges if e.source == "one")
    assert bias.weight == pytest.approx(-beta * (k - 0.5))
    assert bias.label == f"-{k - 0.5:g}β"
    out = next(e for e in d.edges if e.source == "h")
    assert out.weight == 1.0
    # sigma(beta (sum x - k + 1/2)) is the product of the bits, within sigma(-beta/2)
    for bits in np.ndindex(*(2,) * k):
        z = sum(e.weight * x for e, x in zip(ins, bits)) + bias.weight
        assert _sigmoid(z) == pytest.approx(float(all(bits)), abs=_sigmoid(-beta / 2) * 1.0001)
    annotated = bit_gate_figure(k, labels="symbolic", biases="annotate")
    assert next(n for n in annotated.nodes if n.id == "h").note == f"b=-{k - 0.5:g}β"
    assert next(n for n in bit_gate_figure(k, labels="values", biases="annotate").nodes
                if n.id == "h").note == f"b={-beta * (k - 0.5):.3g}"


def test_labels_none_draws_no_weight_labels():
    assert all(not e.label for e in product_gate_figure(labels="none").edges)
    assert "class=\"weight\"" not in to_dot(bit_gate_figure(3, labels="none"))


# ---- layout geometry -----------------------------------------------------------------------------

def _text_rect(t):
    w, h = text_width(t.text, t.size), t.size + 2
    return t.x - w / 2, t.y - h / 2, t.x + w / 2, t.y + h / 2


def _node_rect(lay, nid, shrink=0.0):
    (x, y), (w, h) = lay.pos[nid], lay.size[nid]
    return x - w / 2 + shrink, y - h / 2 + shrink, x + w / 2 - shrink, y + h / 2 - shrink


def _overlap(a, b, slack=0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def _diagrams(sharing, ising):
    cat_dog = _compile(str(EXAMPLES / "cat_dog.ham"))
    return {
        "product-gate": product_gate_figure(labels="symbolic"),
        "bit-gate": bit_gate_figure(4, labels="symbolic", biases="node"),
        "sharing-neurons": network_diagram(sharing.network),
        "sharing-plan": plan_diagram(sharing.plan, input_names(sharing.network)),
        "ising-neurons": network_diagram(ising.network),
        "cat-dog": network_diagram(cat_dog.network),
    }


def test_layout_columns_aligned_and_nothing_overlaps(sharing, ising):
    for name, d in _diagrams(sharing, ising).items():
        lay = layout(d)
        for rank in {n.rank for n in d.nodes}:
            xs = {lay.pos[n.id][0] for n in d.nodes if n.rank == rank}
            assert len(xs) == 1, (name, rank, xs)
        # inputs keep their order, and so do the neurons of each gate; nothing in a column overlaps
        inputs = [lay.pos[n.id][1] for n in d.nodes if n.rank == 0]
        assert inputs == sorted(inputs), name
        for cid, _, _ in d.clusters:
            ys = [lay.pos[n.id][1] for n in d.nodes if n.cluster == cid]
            assert ys == sorted(ys), (name, cid)
        for rank in {n.rank for n in d.nodes}:
            col = sorted((n.id for n in d.nodes if n.rank == rank), key=lambda i: lay.pos[i][1])
            for a, b in zip(col, col[1:]):
                assert not _overlap(_node_rect(lay, a), _node_rect(lay, b)), (name, a, b)
        texts = list(lay.texts)
        for i, t in enumerate(texts):
            for u in texts[i + 1:]:
                assert not _overlap(_text_rect(t), _text_rect(u)), (name, t.text, u.text)
            for n in d.nodes:
                assert not _overlap(_text_rect(t), _node_rect(lay, n.id, 1.0)), (name, t.text, n.id)
        gate_boxes = [b for b in lay.boxes if b[1] == "gate"]
        for i, a in enumerate(gate_boxes):
            for b in gate_boxes[i + 1:]:
                assert not _overlap(a[2:], b[2:]), (name, a[0], b[0])


def test_weight_labels_sit_on_their_own_edges():
    d = product_gate_figure(labels="symbolic")
    lay = layout(d)
    for t in lay.texts:
        if t.kind != "weight":
            continue
        e = d.edges[int(t.id[3:])]
        (x0, y0), (x1, y1) = lay.pos[e.source], lay.pos[e.target]
        # distance of the label's centre from the line through the edge's end points
        dist = abs((x1 - x0) * (y0 - t.y) - (x0 - t.x) * (y1 - y0)) / math.hypot(x1 - x0, y1 - y0)
        assert dist < 3.0, (t.text, dist)


# ---- labels --------------------------------------------------------------------------------------

def test_compact_labels():
    assert compact_monomial([f"x[{i}]" for i in range(1, 17)]) == ("x[1]⋯x[16]", r"x_{1}\cdots x_{16}")
    assert compact_monomial(["x[1]", "x[2]", "x[3]"])[0] == "x[1]*x[2]*x[3]"
    assert compact_monomial(["x[1]", "x[1]", "x[2]"])[0] == "x[1]^2*x[2]"
    assert compact_monomial(["phi[0,1]", "phi[0,1]"]) == ("phi[0,1]^2", r"\phi_{0,1}^{2}")
    assert gate_label("copy x[3]") == ("copy x[3]", r"\text{copy}\ x_{3}")
    assert gate_label("bits {s[i,j] s[i+1,j]}")[0] == "bits {s[i,j] s[i+1,j]}"
    assert gate_label("x[1]^2")[1] == "x_{1}^{2}"


# ---- README figures ------------------------------------------------------------------------------

def _make_figures():
    spec = importlib.util.spec_from_file_location("make_figures", REPO / "docs" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_readme_figures_are_up_to_date():
    make = _make_figures()
    figures = make.figures()
    assert set(figures) == {"product-gate", "bit-gate", "tree-8", "plan-sharing", "ising-neurons", "ising-blocks",
                            "cat-dog-values"}
    for name, diagram in figures.items():
        for file, data in make.files(name, diagram).items():
            committed = REPO / "docs" / file
            assert committed.exists(), f"{committed} missing: run python docs/make_figures.py"
            assert data == committed.read_bytes(), f"docs/{file} is stale: run python docs/make_figures.py"
        assert (REPO / "docs" / f"{name}.png").exists()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert make.START in readme and make.with_section(readme) == readme, "README figures: run docs/make_figures.py"
    assert all(f"](docs/{name}.png)" in readme for name in figures)


# ---- hamc.draw: the public drawing functions and notebook display -------------------------------

def test_draw_to_dot_of_a_network_a_plan_and_a_diagram(sharing):
    net, plan = sharing.network, sharing.plan
    assert hamc.draw.to_dot(net) == to_dot(network_diagram(net))           # 6 neurons a layer: auto draws them
    assert hamc.draw.to_dot(net, "blocks") == to_dot(blocks_diagram(net))
    assert hamc.draw.to_dot(net, "neurons", labels="values", biases="node") == \
        to_dot(network_diagram(net, labels="values", biases="node"))
    assert hamc.draw.to_dot(plan) == to_dot(plan_diagram(plan, None))
    assert hamc.draw.to_dot(blocks_diagram(net)) == to_dot(blocks_diagram(net))
    with pytest.raises(ValueError, match="unknown view 'plan' for a Network"):
        hamc.draw.to_dot(net, "plan")
    with pytest.raises(TypeError, match="not int"):
        hamc.draw.to_dot(3)


def test_notebook_display_is_registered_by_import_hamc(sharing, monkeypatch):
    net, plan = sharing.network, sharing.plan
    assert hamc.compile is not None                                          # the public API, used once
    assert type(net)._repr_svg_ is hamc.draw.svg and type(plan)._repr_svg_ is hamc.draw.svg
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name in ("dot", "neato") else real(name, *a, **k))
    svg = net._repr_svg_()                                                   # drawn by hamc: no Graphviz needed
    assert svg.startswith("<svg") and svg.count('class="node neuron"') == 6 + 8     # the hidden neurons
    assert plan._repr_svg_().count("<polyline") == plan_diagram(plan, None).edges.__len__()


# ---- rendering -----------------------------------------------------------------------------------

@pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
def test_render_svg_with_graphviz():
    svg = render(to_dot(product_gate_figure(labels="symbolic")), "svg").decode()
    assert "<svg" in svg
    assert svg.count('class="node neuron"') == 4 and svg.count('class="node weight"') == 12
    assert svg.count('class="edge"') == 12 and "1/(4λ²σ'')" in html.unescape(svg)


def test_tikz_text_has_every_node_and_edge(sharing):
    d = network_diagram(sharing.network)
    tex = to_tikz(d)
    assert tex.startswith(r"\documentclass[tikz") and tex.rstrip().endswith(r"\end{document}")
    for n in d.nodes:
        assert f"({n.id}) at (" in tex
    assert tex.count(r"\draw[hedge") == len(d.edges)
    assert tex.count(r"\draw[hframe]") == 5
    assert to_tikz(d) == tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_tikz_compiles_with_pdflatex(tmp_path, ising):
    tree = _compile("real x[1..4]\nH = x[1]*x[2]*x[3]*x[4]\n", strategy="tree")
    gate = replace(product_gate_figure("sigmoid", labels="symbolic", biases="node"), style="paper")
    pictures = {"tree": network_diagram(tree.network, labels="values", title="tree of 4 (values)"),
                "blocks": blocks_diagram(ising.network, title="ising_4x4 blocks"), "gate": gate}
    for name, d in pictures.items():
        text = to_tikz(d, layout(d, legend=name == "gate"))       # the legend: its glyphs and text in TeX
        assert name != "gate" or (text.count("\\node[hlegend") == 6 and "\\node[draw, fill=white, inner sep=0pt, " in text)
        (tmp_path / f"{name}.tex").write_text(text, encoding="utf-8")
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                              cwd=tmp_path, capture_output=True, timeout=180)
        assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]
        assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
