"""Figure name -> Diagram: the two panels of the paper's Figure 2 and a product tree of N inputs."""
from __future__ import annotations

from . import gates
from .diagram import Diagram, Edge, Node

FIGURES = ("product-gate", "bit-gate", "tree")


def product_gate_figure(activation: str = "sigmoid", *, labels: str = "symbolic") -> Diagram:
    """Fig. 2 left: u*v from four neurons, input weights +-lambda, output weights +-1/(4 lambda^2 sigma'')."""
    lam = gates.product_scale(activation, "float64").value
    g = gates.product_gate(activation, lam)
    nodes = [Node("u", "u", "u", 0, "input"), Node("v", "v", "v", 0, "input")]
    nodes += [Node(f"h{j}", "σ", r"\sigma", 1, "neuron", None,
                   f"c={g.b[j]:.3g}" if labels == "values" else "") for j in range(4)]
    nodes.append(Node("uv", "uv", "uv", 2, "output"))
    edges = []
    for i, src in enumerate(("u", "v")):
        for j in range(4):
            w = float(g.w_in[i, j])
            sym = r"\lambda" if w > 0 else r"-\lambda"
            edges.append(Edge(src, f"h{j}", w, _label(w, sym.replace("\\lambda", "λ"), labels), _math(w, sym, labels)))
    for j in range(4):
        w = float(g.w_out[j, 0])
        sym = (r"\frac{1}{4\lambda^2\sigma''}" if w > 0 else r"-\frac{1}{4\lambda^2\sigma''}")
        edges.append(Edge(f"h{j}", "uv", w, _label(w, ("" if w > 0 else "-") + "1/(4λ²σ'')", labels),
                          _math(w, sym, labels)))
    return Diagram(f"u·v from 4 neurons ({activation}, λ={lam:.3g})", tuple(nodes), tuple(edges))


def bit_gate_figure(k: int = 3, *, labels: str = "symbolic", beta: float = 23.0) -> Diagram:
    """Fig. 2 right: the product of k bits from one neuron sigma(beta (sum x_i - k + 1/2))."""
    g = gates.bit_product_gate(k, beta, "sigmoid")
    nodes = [Node(f"x{i}", f"x{i + 1}", f"x_{{{i + 1}}}", 0, "input") for i in range(k)]
    note = {"none": "", "values": f"b={g.b[0]:.3g}", "symbolic": f"b=-β({k}-1/2)"}[labels]
    note_math = {"none": "", "values": f"b={g.b[0]:.3g}", "symbolic": rf"b=-\beta({k}-\tfrac12)"}[labels]
    nodes.append(Node("h", "σ", r"\sigma", 1, "neuron", None, note, note_math))
    nodes.append(Node("p", "x1⋯x%d" % k, r"x_1\cdots x_{%d}" % k, 2, "output"))
    edges = [Edge(f"x{i}", "h", float(g.w_in[i, 0]), _label(float(g.w_in[i, 0]), "β", labels),
                  _math(float(g.w_in[i, 0]), r"\beta", labels)) for i in range(k)]
    edges.append(Edge("h", "p", 1.0, _label(1.0, "1", labels), _math(1.0, "1", labels)))
    return Diagram(f"product of {k} bits from one neuron (β={beta:g})", tuple(nodes), tuple(edges))


def _label(w: float, symbol: str, labels: str) -> str:
    return {"none": "", "values": f"{w:.3g}", "symbolic": symbol}[labels]


def _math(w: float, symbol: str, labels: str) -> str:
    return {"none": "", "values": f"{w:.3g}", "symbolic": symbol}[labels]
