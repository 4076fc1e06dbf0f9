"""Network | ProductPlan | paper figure -> Diagram: nodes in ranked columns, weighted edges, clusters."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Above these sizes a neuron-by-neuron drawing is unreadable: draw the plan or the blocks instead.
NEURON_VIEW_MAX_NODES = 400
NEURON_VIEW_MAX_EDGES = 2500
LABEL_MODES = ("none", "values", "symbolic")
BIAS_MODES = ("annotate", "node")
ACTIVATION_SYMBOLS = {"sigmoid": "σ", "tanh": "tanh", "softplus": "sp", "exp": "exp", "relu": "relu",
                      "step": "θ", "identity": "Σ", "softmax": "softmax"}
ACTIVATION_MATH = {"sigmoid": r"\sigma", "tanh": r"\tanh", "softplus": r"\mathrm{sp}", "exp": r"\exp",
                   "relu": r"\mathrm{relu}", "step": r"\theta", "identity": r"\Sigma", "softmax": r"\mathrm{sm}"}


@dataclass(frozen=True)
class Node:
    id: str
    label: str                 # plain text (DOT)
    math: str                  # LaTeX, without $ (TikZ)
    rank: int                  # column, left to right
    kind: str = "neuron"       # input, neuron, output, bias, gate, block, shared
    cluster: str | None = None
    note: str = ""             # an annotation beside the node (a bias, a coefficient)
    note_math: str = ""        # the same in LaTeX, if it differs


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: float | None = None
    label: str = ""
    math: str = ""


@dataclass(frozen=True)
class Diagram:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[tuple[str, str, str], ...] = ()   # (id, plain label, LaTeX label)


def _value(w: float) -> str:
    return f"{w:.3g}"


def _tex_name(name: str) -> str:
    """x[1] -> x_{1}, s[0,1] -> s_{0,1}, x1 -> x_{1}."""
    if "[" in name:
        base, idx = name.split("[", 1)
        return f"{base}_{{{idx.rstrip(']')}}}"
    stripped = name.rstrip("0123456789")
    return f"{stripped}_{{{name[len(stripped):]}}}" if stripped != name and stripped else name


def monomial_label(names: list[str]) -> tuple[str, str]:
    """('x[1]^2*x[2]', 'x_{1}^{2} x_{2}'): repeated factors written as powers."""
    runs: list[list] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1][1] += 1
        else:
            runs.append([name, 1])
    text = "*".join(n if r == 1 else f"{n}^{r}" for n, r in runs)
    math = r"\,".join(_tex_name(n) if r == 1 else f"{_tex_name(n)}^{{{r}}}" for n, r in runs)
    return text, math


def network_diagram(net, *, labels: str = "none", biases: str = "annotate", title: str = "") -> Diagram:
    """Every input, hidden neuron and output; gates as clusters; edges for the nonzero weights."""
    if labels == "symbolic":
        raise ValueError("symbolic weight labels are drawn for the paper figures (--figure); "
                         "use --labels values for a compiled network")
    nodes, edges, clusters = [], [], []
    prev = [f"i{j}" for j in range(len(net.inputs))]
    nodes += [Node(p, name, _tex_name(name), 0, "input") for p, name in zip(prev, net.inputs)]
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        ids = [f"o{j}" if last else f"h{k}_{j}" for j in range(layer.n_out)]
        cluster_of = [None] * layer.n_out
        start = 0
        for b, block in enumerate(layer.blocks):
            for g in range(block.count):
                cid = f"c{k}_{b}_{g}"
                label = block.labels[g] if block.labels else block.kind
                clusters.append((cid, label, _cluster_math(label)))
                cluster_of[start:start + block.size] = [cid] * block.size
                start += block.size
        symbol = ACTIVATION_SYMBOLS.get(layer.activation, layer.activation)
        for j, nid in enumerate(ids):
            bias = float(layer.bias[j])
            note = f"b={_value(bias)}" if biases == "annotate" and bias != 0 and labels != "none" else ""
            text = net.outputs[j] if last else symbol
            math = (net.outputs[j] if last else ACTIVATION_MATH.get(layer.activation, symbol))
            nodes.append(Node(nid, text, math, k + 1, "output" if last else "neuron", cluster_of[j], note))
        w = sp.coo_matrix(layer.weight)
        order = np.lexsort((w.row, w.col))
        edges += [Edge(prev[int(w.row[e])], ids[int(w.col[e])], float(w.data[e]),
                       _value(float(w.data[e])) if labels == "values" else "") for e in order]
        if biases == "node" and np.any(layer.bias != 0):
            bid = f"one{k}"
            nodes.append(Node(bid, "1", "1", k, "bias"))
            edges += [Edge(bid, ids[j], float(layer.bias[j]), _value(float(layer.bias[j])) if labels == "values" else "")
                      for j in np.flatnonzero(layer.bias)]
        prev = ids
    return Diagram(title, tuple(nodes), tuple(edges), tuple(clusters))


def _cluster_math(label: str) -> str:
    """'copy x[3]' -> '\\text{copy}\\ x_{3}'; 'x[1]*x[2]' -> 'x_{1}\\,x_{2}'; 'bits {x[0] x[1]}' likewise."""
    head, _, rest = label.partition(" ")
    factors = (rest.strip("{}").replace("*", " ").split() if rest else label.split("*"))
    names = []
    for f in factors:
        base, _, power = f.partition("^")
        names += [base] * (int(power) if power.isdigit() else 1)
    math = monomial_label(names)[1]
    return rf"\text{{{head}}}\ {math}" if rest else math


def fits_neuron_view(net) -> bool:
    return (len(net.inputs) + sum(layer.n_out for layer in net.layers) <= NEURON_VIEW_MAX_NODES
            and net.synapses <= NEURON_VIEW_MAX_EDGES)


def plan_diagram(plan, names, *, title: str = "") -> Diagram:
    """One node per sub-product, in the layer that computes it; shared ones (used twice or more) marked."""
    g = plan.to_networkx(names)
    nodes, edges = [], []
    index = {}
    for key in sorted(g.nodes, key=lambda n: (g.nodes[n]["layer"], g.nodes[n]["degree"], n)):
        data = g.nodes[key]
        text, math = monomial_label(key.split("*"))
        coef = data["coefficients"]
        note = "c=" + ",".join(_value(c) for c in coef) if coef else ""
        kind = "input" if data["degree"] == 1 else ("shared" if g.out_degree(key) > 1 else "gate")
        index[key] = f"n{len(nodes)}"
        nodes.append(Node(index[key], text, math, data["layer"], kind, None, note))
    edges = [Edge(index[a], index[b]) for a, b in sorted(g.edges)]
    return Diagram(title, tuple(nodes), tuple(edges))


def blocks_diagram(net, *, title: str = "") -> Diagram:
    """One box per layer with its neuron counts by gate kind; edges carry the synapse counts."""
    # block nodes carry LaTeX text lines (not math): TikZ breaks lines with \\ only outside $...$
    nodes = [Node("L0", f"inputs\n{len(net.inputs):,}", rf"inputs\\ {len(net.inputs):,}", 0, "block")]
    edges = []
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        counts: dict[str, int] = {}
        for b in layer.blocks:
            counts[b.kind] = counts.get(b.kind, 0) + b.neurons
        parts = [f"{n:,} {kind}" for kind, n in counts.items()] or [
            f"{layer.n_out:,} neuron{'s' if layer.n_out != 1 else ''}"]
        head = "output" if last else f"layer {k + 1}"
        text = "\n".join([head, *parts, layer.activation])
        math = r"\\ ".join([head, *parts, f"${ACTIVATION_MATH.get(layer.activation, layer.activation)}$"])
        nodes.append(Node(f"L{k + 1}", text, math, k + 1, "block"))
        edges.append(Edge(f"L{k}", f"L{k + 1}", None, f"{layer.synapses:,} synapses"))
    return Diagram(title, tuple(nodes), tuple(edges))
