"""Network -> Diagram of its gates: one box per gate, one edge per factor a gate receives (a product
tree drawn as a tree: the neurons inside each gate left out, so a tree of 32 inputs fits a page)."""
from __future__ import annotations

import scipy.sparse as sp

from .diagram import Diagram, Edge, Node, _site_sum, _sites, input_names
from .labels import _tex_name, gate_label

DETAILS = ("neurons", "gates")


def gate_diagram(net, *, title: str = "") -> Diagram:
    """Inputs, a box per gate (its label: the product it computes), the outputs; an edge wherever a
    gate reads a neuron of another gate or an input (neutral: several weights stand behind each)."""
    names = input_names(net)
    nodes = [Node(f"i{j}", name, _tex_name(name), 0, "input") for j, name in enumerate(names)]
    owner = [f"i{j}" for j in range(len(names))]          # for each neuron of the previous layer: its node
    edges = []
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        ids, mine = _layer_nodes(net, layer, k, last)
        nodes += ids
        w = sp.coo_matrix(layer.weight)
        total: dict[tuple[str, str], float] = {}
        for r, c in zip(w.row, w.col):
            total[(owner[int(r)], mine[int(c)])] = 0.0
        for (a, b) in sorted(total, key=lambda ab: (ab[1], ab[0])):
            edges.append(Edge(a, b))
        owner = mine
    frames, clusters = (), []
    if getattr(net, "shared", None) is not None:       # the gates every site runs, then the sum over sites
        frames = (("site", *_sites(net.shared), tuple(n.id for n in nodes)),)
        _site_sum(net, owner, "none", "annotate", nodes, edges, clusters)
    return Diagram(title, tuple(nodes), tuple(edges), tuple(clusters), frames)


def _layer_nodes(net, layer, k: int, last: bool) -> tuple[list[Node], list[str]]:
    """The nodes of one layer (a gate each, or the outputs) and the node of each of its neurons."""
    if last:
        outputs = tuple(net.outputs)
        shared = getattr(net, "shared", None)
        text = [o if shared is None else (f"{o} site" if len(outputs) > 1 else "H site") for o in outputs]
        return [Node(f"o{j}", t, _tex_name(t), k + 1, "output") for j, t in enumerate(text)], \
            [f"o{j}" for j in range(layer.n_out)]
    nodes, mine = [], []
    for b, block in enumerate(layer.gates):
        for g in range(block.count):
            gid = f"g{k + 1}_{b}_{g}"
            text, math = gate_label(block.labels[g]) if block.labels else (block.kind, rf"\text{{{block.kind}}}")
            nodes.append(Node(gid, text, math, k + 1, "gate"))
            mine += [gid] * block.size
    loose = [f"h{k + 1}_{j}" for j in range(len(mine), layer.n_out)]      # neurons in no gate: drawn as such
    nodes += [Node(nid, "σ", r"\sigma", k + 1, "neuron") for nid in loose]
    return nodes, mine + loose
