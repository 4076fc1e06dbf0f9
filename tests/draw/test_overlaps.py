"""The layout never overlaps: nodes, frames, labels and the lines under labels, for every README
figure, the paper's Fig. 2 panels, product trees of 2 to 16 inputs and every example's drawing."""
from __future__ import annotations

import re
import sys
from dataclasses import replace

import pytest

from hamc.build.options import BuildOptions
from hamc.errors import HamcError
from hamc.draw.diagram import Diagram, Edge, Node
from hamc.draw.figures import bit_gate_figure, product_gate_figure
from hamc.draw.geometry import text_box
from hamc.draw.layout import layout
from hamc.draw.output import choose_view, network_drawing
from hamc.draw.overlaps import Overlaps, overlaps
from hamc.pipeline import compile_hamiltonian

from conftest import EXAMPLES, REPO

sys.path.insert(0, str(REPO / "docs"))
import make_figures  # noqa: E402

NONE = Overlaps(0, 0, 0, 0, 0)


def _drawing(source, view="auto", **kw):
    c = compile_hamiltonian(source, options=BuildOptions(**kw.pop("options", {})), samples=20, check=False)
    return network_drawing(c, view if kw.get("detail") == "gates" else choose_view(c, view)[0], **kw)


@pytest.fixture(scope="module")
def readme_figures():
    return make_figures.figures()


@pytest.mark.parametrize("name", list(make_figures.FIGURES))
def test_readme_figures_do_not_overlap(name, readme_figures):
    d = readme_figures[name]
    assert overlaps(d, layout(d, legend=True)) == NONE


@pytest.mark.parametrize("style", ["paper", "hamc"])
@pytest.mark.parametrize("labels", ["symbolic", "values", "none"])
@pytest.mark.parametrize("biases", ["annotate", "node"])
def test_figure_2_panels_do_not_overlap(style, labels, biases):
    for d in (product_gate_figure("sigmoid", labels=labels, biases=biases), bit_gate_figure(3, labels=labels, biases=biases)):
        d = replace(d, style=style)
        assert overlaps(d, layout(d, legend=True)) == NONE, d.title


def test_trees_of_2_to_16_do_not_overlap():
    for n in range(2, 17):
        d = _drawing(f"real x[1..{n}]\nH = prod(i in 1..{n}: x[i])", options={"strategy": "tree"})
        products = [c for c in d.clusters if not c[1].startswith("copy")]
        assert len(products) == n - 1 and overlaps(d, layout(d)) == NONE, n
        c = compile_hamiltonian(f"real x[1..{n}]\nH = prod(i in 1..{n}: x[i])", options=BuildOptions(strategy="tree"),
                                samples=20, check=False)
        gates = network_drawing(c, "neurons", detail="gates")
        assert overlaps(gates, layout(gates)) == NONE, n


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ham")), ids=lambda p: p.stem)
def test_every_example_drawing_does_not_overlap(path):
    d = _drawing(path)
    assert overlaps(d, layout(d, legend=True)) == NONE
    try:
        gates = _drawing(path, "neurons", detail="gates")
    except HamcError as err:                # hundreds of gates in one layer: refused, no page shows them
        tall = re.search(r"([\d,]+) gates in one layer make a drawing about ([\d,]+) cm tall, more than a page "
                         r"shows \(141 cm\)", str(err))
        assert tall and int(tall[1].replace(",", "")) > 100 and int(tall[2].replace(",", "")) > 141
    else:
        assert overlaps(gates, layout(gates, legend=True)) == NONE
    if path.stem == "cat_dog":
        d = _drawing(path, "neurons", labels="values")
        assert overlaps(d, layout(d)) == NONE


def test_the_check_counts_each_kind_of_collision():
    """A drawing made to collide: two nodes on one spot, a label over a crossing line."""
    nodes = (Node("a", "a", "a", 0, "input"), Node("b", "b", "b", 0, "input"), Node("c", "σ", r"\sigma", 1),
             Node("d", "σ", r"\sigma", 1))
    d = Diagram("", nodes, (Edge("a", "d", 1.0, "1.5"), Edge("b", "c", -1.0, "-2.5")))
    lay = layout(d)
    crossed = replace(lay, pos={**lay.pos, "b": lay.pos["a"]})                  # b moved onto a
    assert overlaps(d, crossed).node_node == 1
    label = next(t for t in lay.texts if t.id == "wl_0")
    x0, y0, x1, y1 = text_box(label)
    across = replace(lay, routes=(lay.routes[0], ((x0 - 5, y0 - 5), (x1 + 5, y1 + 5))))   # edge 1 through label 0
    assert overlaps(d, across).label_edge == 1 and overlaps(d, across).total == 1
    on_top = replace(lay, texts=lay.texts + (replace(label, id="wl_1"),))
    assert overlaps(d, on_top).label_label == 1


def test_a_tree_of_32_drawn_as_gates_fits_a_page_without_overlaps():
    from hamc.draw.gate_view import gate_diagram
    c = compile_hamiltonian("real x[1..32]\nH = prod(i in 1..32: x[i])", options=BuildOptions(strategy="tree"),
                            samples=20, check=False)
    d = gate_diagram(c.network)
    gates = [n for n in d.nodes if n.kind == "gate"]
    assert len(gates) == 31 and len(d.edges) == 2 * 31 + 1          # one edge per factor, and the output's
    assert sorted(n.label for n in gates if n.rank == 5) == ["x[1]⋯x[32]"]
    lay = layout(d, legend=True)
    assert overlaps(d, lay) == NONE and lay.height < 1100 and lay.width < 800      # points: one page, scaled
