"""Network | ProductPlan -> Diagram: ranked nodes, weighted edges and gate clusters to draw."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .labels import _tex_name, _value, compact_monomial, gate_label, monomial_label, tex_number

__all__ = ["Diagram", "Edge", "Node", "compact_monomial", "gate_label", "monomial_label", "tex_number"]

# A neuron-by-neuron drawing is readable up to about this many neurons in one layer (a column taller
# than a page otherwise) and this many nodes and weights in all; beyond, auto draws the blocks view.
NEURON_VIEW_MAX_COLUMN = 32
NEURON_VIEW_MAX_ROWS = 40          # a layer's neurons plus its gates' labels (a one-neuron gate costs two rows)
NEURON_VIEW_MAX_NODES = 200
NEURON_VIEW_MAX_EDGES = 1200
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
    math: str                  # LaTeX, without $ (TikZ); for blocks, LaTeX text lines joined by \\
    rank: int                  # column, left to right
    kind: str = "neuron"       # input, neuron, output, bias, gate, shared, block
    cluster: str | None = None
    note: str = ""             # an annotation below the node (a bias, a coefficient)
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
    clusters: tuple[tuple[str, str, str], ...] = ()   # (id, plain label, LaTeX label): one gate each
    frames: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()  # (id, label, LaTeX, node ids) around columns
    direction: str = "right"   # ranks left to right; "down": top to bottom (the blocks view, a narrow summary)
    style: str = "hamc"        # hamc: circles are neurons; paper: squares apply sigma, circles sum (the paper's Fig. 2)


# ---- views ---------------------------------------------------------------------------------------

def input_names(net) -> tuple[str, ...]:
    """The names of the first layer's inputs: the variables, or for a weight-shared (convolutional)
    network the patch a site reads, s[i,j], s[i+1,j], ... ."""
    shared = getattr(net, "shared", None)
    if shared is None:
        return tuple(net.inputs)
    letters = "ijklmn"
    return tuple(f"{shared.variable}[{','.join(letters[a] + (f'{int(o):+d}' if o else '') for a, o in enumerate(off))}]"
                 for off in np.asarray(shared.offsets).reshape(len(shared.offsets), -1))


def _lattice(shared) -> str:
    return " × ".join(str(int(s)) for s in shared.shape)


def _sites(shared) -> tuple[str, str]:
    """'at each of the 256 sites of the 16 x 16 periodic lattice' (plain, LaTeX)."""
    if len(shared.shape) == 1:
        text = f"at each of the {shared.sites:,} sites of a periodic chain"
        return text, rf"\text{{{text}}}"
    shape = _lattice(shared)
    text = f"at each of the {shared.sites:,} sites of the {shape} periodic lattice"
    tex = shape.replace("×", r"$\times$")
    return text, rf"\text{{at each of the {shared.sites:,} sites of the {tex} periodic lattice}}"


def check_network_labels(labels: str, biases: str) -> None:
    """ValueError unless `labels` and `biases` are modes a compiled network is drawn with."""
    if labels == "symbolic":
        raise ValueError("symbolic weight labels (lambda, beta, ...) are drawn for the paper's figures "
                         "(--figure product-gate, bit-gate); use --labels values for a compiled network")
    if labels not in LABEL_MODES:
        raise ValueError(f"unknown labels '{labels}'; choose one of {', '.join(LABEL_MODES)}")
    if biases not in BIAS_MODES:
        raise ValueError(f"unknown biases '{biases}'; choose one of {', '.join(BIAS_MODES)}")


def network_diagram(net, *, labels: str = "none", biases: str = "annotate", title: str = "") -> Diagram:
    """Every input, hidden neuron and output; gates as clusters; edges for the nonzero weights.
    A weight-shared network is drawn as the small network every lattice site runs (in a frame),
    followed by the sum over the sites."""
    check_network_labels(labels, biases)
    shared = getattr(net, "shared", None)
    names = input_names(net)
    nodes, edges, clusters = [], [], []
    prev = [f"i{j}" for j in range(len(names))]
    nodes += [Node(p, name, _tex_name(name), 0, "input") for p, name in zip(prev, names)]
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        ids = [f"o{j}" if last else f"h{k + 1}_{j}" for j in range(layer.n_out)]
        cluster_of = _gate_clusters(layer, k, last and shared is None, clusters)
        nodes += _layer_nodes(net, layer, k, ids, cluster_of, labels, biases)
        w = sp.coo_matrix(layer.weight)
        order = np.lexsort((w.row, w.col))
        edges += [_weight_edge(prev[int(w.row[e])], ids[int(w.col[e])], float(w.data[e]), labels) for e in order]
        if biases == "node" and np.any(layer.bias != 0):
            bid = f"one{k}"
            nodes.append(Node(bid, "1", "1", k, "bias"))
            edges += [_weight_edge(bid, ids[j], float(layer.bias[j]), labels) for j in np.flatnonzero(layer.bias)]
        prev = ids
    frames = ()
    if shared is not None:
        frames = (("site", *_sites(shared), tuple(n.id for n in nodes)),)
        _site_sum(net, prev, labels, biases, nodes, edges, clusters)
    return Diagram(title, tuple(nodes), tuple(edges), tuple(clusters), frames)


_SOFTMAX = ("softmax", "softmax(-H_y - μ_y)", r"\mathrm{softmax}(-H_y-\mu_y)")


def _gate_clusters(layer, k: int, head: bool, clusters: list) -> list[str | None]:
    """Add a cluster per gate of the layer (and the softmax head's) to `clusters`; each neuron's one."""
    cluster_of: list[str | None] = [None] * layer.n_out
    start = 0
    for b, block in enumerate(layer.gates):
        for g in range(block.count):
            cid = f"g{k + 1}_{b}_{g}"
            text, math = gate_label(block.labels[g]) if block.labels else (block.kind, rf"\text{{{block.kind}}}")
            clusters.append((cid, text, math))
            cluster_of[start:start + block.size] = [cid] * block.size
            start += block.size
    if head and layer.activation == "softmax":
        clusters.append(_SOFTMAX)
        cluster_of = ["softmax"] * layer.n_out
    return cluster_of


def _bias_note(bias: float, labels: str, biases: str) -> str:
    return f"b={_value(bias)}" if biases == "annotate" and bias != 0 and labels == "values" else ""


def _layer_nodes(net, layer, k: int, ids: list, cluster_of: list, labels: str, biases: str) -> list[Node]:
    shared, outputs = getattr(net, "shared", None), tuple(net.outputs)
    last = k == len(net.layers) - 1
    symbol = ACTIVATION_SYMBOLS.get(layer.activation, layer.activation)
    nodes = []
    for j, nid in enumerate(ids):
        note = _bias_note(float(layer.bias[j]), labels, biases)
        if last:
            # a site's share of the output, named so it is not read as a field h or a variable
            text = outputs[j] if shared is None else (f"{outputs[j]} site" if len(outputs) > 1 else "H site")
            math = _tex_name(text) if shared is None else rf"\mathrm{{{text.split()[0]}}}_{{\text{{site}}}}"
            kind = "output"
        else:
            text, math, kind = symbol, ACTIVATION_MATH.get(layer.activation, symbol), "neuron"
        nodes.append(Node(nid, text, math, k + 1, kind, cluster_of[j], note, tex_number(note)))
    return nodes


def _site_sum(net, prev: list, labels: str, biases: str, nodes: list, edges: list, clusters: list) -> None:
    """The sum over the sites after a weight-shared network's frame (and its softmax, "1" input)."""
    shared = net.shared
    pool_one = biases == "node" and bool(np.any(shared.pool_bias != 0))
    rank = len(net.layers) + 1 + pool_one          # the sum's "1" gets a column of its own, outside the frame
    soft = shared.pool_activation == "softmax"
    for j, name in enumerate(net.outputs):
        note = _bias_note(float(shared.pool_bias[j]), labels, biases)
        nodes.append(Node(f"p{j}", name, name, rank, "output", "softmax" if soft else None, note, tex_number(note)))
        shown = labels != "none" or j == 0
        edges.append(Edge(prev[j], f"p{j}", None, "Σ sites" if shown else "",
                          r"\textstyle\sum_{\text{sites}}" if shown else ""))
    if soft:
        clusters.append(_SOFTMAX)
    if pool_one:
        nodes.append(Node("one_pool", "1", "1", rank - 1, "bias"))
        edges += [_weight_edge("one_pool", f"p{j}", float(shared.pool_bias[j]), labels)
                  for j in np.flatnonzero(shared.pool_bias)]


def _weight_edge(source: str, target: str, w: float, labels: str) -> Edge:
    text = _value(w) if labels == "values" else ""
    return Edge(source, target, w, text, tex_number(text))


def neuron_view_size(net) -> tuple[int, int, int]:
    """(largest column, nodes, weights) of the neurons view."""
    n_in = len(input_names(net))
    column = max([n_in] + [layer.n_out for layer in net.layers])
    nodes = n_in + sum(layer.n_out for layer in net.layers)
    return column, nodes, sum(layer.synapses for layer in net.layers)


def neuron_view_rows(net) -> int:
    """The rows of the neurons view's tallest column: its neurons and its gates' labels."""
    return _rows(net)


def _rows(net) -> int:
    return max(layer.n_out + sum(b.count for b in layer.gates) for layer in net.layers)


def fits_neuron_view(net) -> bool:
    column, nodes, edges = neuron_view_size(net)
    return (column <= NEURON_VIEW_MAX_COLUMN and _rows(net) <= NEURON_VIEW_MAX_ROWS
            and nodes <= NEURON_VIEW_MAX_NODES and edges <= NEURON_VIEW_MAX_EDGES)


def plan_diagram(plan, names, *, title: str = "") -> Diagram:
    """One node per sub-product, in the layer that computes it; shared ones (used twice or more) shaded."""
    g = plan.to_networkx(names)
    nodes = []
    index = {}
    for key in sorted(g.nodes, key=lambda n: (g.nodes[n]["layer"], g.nodes[n]["variables"], n)):
        data = g.nodes[key]
        text, math = compact_monomial(key.split("*"))
        coef = data["coefficients"]
        note = "c=" + ",".join(_value(c) for c in coef) if coef else ""
        kind = "input" if data["degree"] == 1 else ("shared" if g.out_degree(key) > 1 else "gate")
        index[key] = f"n{len(nodes)}"
        nodes.append(Node(index[key], text, math, data["layer"], kind, None, note, tex_number(note)))
    edges = [Edge(index[a], index[b]) for a, b in sorted(g.edges, key=lambda e: (index[e[1]], index[e[0]]))]
    # counted as the compile summary counts them: gates built, and gates saved by reusing a product
    products, reused = plan.product_gates, plan.unshared_product_gates - plan.product_gates
    summary = f"{products} product gate{'s' if products != 1 else ''}, {reused} reused" + (
        " (reused products shaded)" if any(n.kind == "shared" for n in nodes) else "")
    return Diagram(f"{title}\n{summary}" if title else summary, tuple(nodes), tuple(edges))


def blocks_diagram(net, *, title: str = "") -> Diagram:
    """One box per layer with its neuron counts by gate kind; edges carry the synapse counts. A
    weight-shared network shows its per-site layers and the sum over the sites."""
    shared = getattr(net, "shared", None)
    sites = shared.sites if shared is not None else 1
    n_in = len(net.inputs)
    lines = ["inputs", f"{n_in:,} variable{'s' if n_in != 1 else ''}"]
    if shared is not None:
        lines.append("periodic chain" if len(shared.shape) == 1 else f"{_lattice(shared)} lattice")
    nodes = [_block("L0", 0, lines)]
    edges = []
    if shared is not None:
        patch = len(shared.offsets)
        nodes.append(_block("P", 1, ["patch per site", f"{patch} variable{'s' if patch != 1 else ''}",
                                     f"× {sites:,} sites"]))
        edges.append(Edge("L0", "P", None, "read", r"\text{read}"))
    offset = 1 if shared is not None else 0
    prev = "P" if shared is not None else "L0"
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        head = ("output" if last and shared is None else "per-site output" if last else f"layer {k + 1}")
        nid = f"L{k + 1}"
        nodes.append(_block(nid, k + 1 + offset, _layer_lines(layer, head, shared, sites)))
        text = f"{layer.synapses:,} synapses" + (" per site" if shared is not None else "")
        edges.append(Edge(prev, nid, None, text, rf"\text{{{text}}}"))
        prev = nid
    if shared is not None:
        n_out = len(net.outputs)
        lines = ["output", f"sum over {sites:,} sites", f"{n_out:,} output{'s' if n_out != 1 else ''}"
                 + (f" ({shared.pool_activation})" if shared.pool_activation != "identity" else "")]
        nodes.append(_block("S", len(net.layers) + 1 + offset, lines))
        edges.append(Edge(prev, "S", None, "Σ sites", r"\textstyle\sum_{\text{sites}}"))
    return Diagram(title, tuple(nodes), tuple(edges), direction="down")


def _layer_lines(layer, head: str, shared, sites: int) -> list[str]:
    """A layer's box: its activation, neuron count and gates by kind, per site on a shared network."""
    counts: dict[str, list[int]] = {}
    for b in layer.gates:
        c = counts.setdefault(b.kind, [0, 0])
        c[0] += b.neurons
        c[1] += b.count
    n, per_site = layer.n_out, " per site" if shared is not None else ""
    lines = [f"{head} ({layer.activation})"]
    if len(counts) == 1 and sum(m for m, _ in counts.values()) == n:
        (kind, (m, g)), = counts.items()
        lines.append(f"{n:,} {kind} neuron{'s' if n != 1 else ''}{per_site}"
                     + (f" ({g:,} gate{'s' if g != 1 else ''})" if g != m else ""))
    else:
        lines.append(f"{n:,} neuron{'s' if n != 1 else ''}{per_site}")
        lines += [f"{m:,} {kind}" + (f" ({g:,} gate{'s' if g != 1 else ''})" if g != m else "")
                  for kind, (m, g) in counts.items()]
    if shared is not None:
        lines.append(f"× {sites:,} sites = {n * sites:,}")
    return lines


def _block(nid: str, rank: int, lines: list[str]) -> Node:
    def tex(line: str) -> str:
        return (line.replace("_", r"\_").replace("Σ", r"$\Sigma$").replace("×", r"$\times$")
                .replace(" x ", r" $\times$ "))
    return Node(nid, "\n".join(lines), r" \\ ".join(tex(line) for line in lines), rank, "block")
