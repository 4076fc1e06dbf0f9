"""Network | ProductPlan | paper figure -> Diagram (ranked nodes, weighted edges, gate clusters), and
hamc's own layered layout of a Diagram, shared by the DOT and TikZ writers so both draw the same picture.

The layout keeps the diagram's order inside every column (neuron j of a layer is row j), places each
node or gate near the nodes it is wired to (a few barycentre sweeps, with order-preserving spacing by
isotonic regression), reserves room for gate labels and annotations, and puts weight labels on their
edges where they collide with nothing else. It is plain arithmetic on the diagram: deterministic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# A neuron-by-neuron drawing is readable up to about this many neurons in one layer (a column taller
# than a page otherwise) and this many nodes and weights in all; beyond, auto draws the blocks view.
NEURON_VIEW_MAX_COLUMN = 32
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


# ---- labels --------------------------------------------------------------------------------------

def _value(w: float) -> str:
    """3 significant digits, exponents short: 0.000319 -> '3.19e-4', -2.55e+07 -> '-2.55e7'."""
    text = f"{w:.2e}" if 0 < abs(w) < 1e-3 else f"{w:.3g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def tex_number(text: str) -> str:
    """'-2.6e+06' -> '-2.6\\times10^{6}' (LaTeX); other text unchanged."""
    m = re.fullmatch(r"([-+]?[0-9.]+)e([-+]?)0*([0-9]+)", text)
    if not m:
        return text
    return rf"{m.group(1)}\times10^{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}"


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "xi",
          "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi",
          "Pi", "Sigma", "Phi", "Psi", "Omega"}


def _tex_base(base: str) -> str:
    return "\\" + base if base in _GREEK else base if len(base) == 1 else rf"\mathit{{{base}}}"


def _tex_name(name: str) -> str:
    """x[1] -> x_{1}, s[0,1] -> s_{0,1}, s[i+1,j] -> s_{i+1,j}, phi[2] -> \\phi_{2}, x1 -> x_{1}."""
    if "[" in name:
        base, idx = name.split("[", 1)
        return f"{_tex_base(base)}_{{{idx.rstrip(']')}}}"
    stripped = name.rstrip("0123456789")
    if stripped != name and stripped:
        return f"{_tex_base(stripped)}_{{{name[len(stripped):]}}}"
    return _tex_base(name)


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


_INDEXED = re.compile(r"^(.*)\[(-?\d+)\]$")


def compact_monomial(names: list[str]) -> tuple[str, str]:
    """Like monomial_label, but four or more consecutive indices of one array are written as a run:
    x[1]*x[2]*...*x[16] -> 'x[1]⋯x[16]' ('x_{1}\\cdots x_{16}'), so long products keep short labels."""
    powers: list[list] = []
    for name in names:
        if powers and powers[-1][0] == name:
            powers[-1][1] += 1
        else:
            powers.append([name, 1])
    groups: list[list] = []        # [name, power] or [base, first, last] for runs of single factors
    for name, power in powers:
        m = _INDEXED.match(name)
        last = groups[-1] if groups else None
        if m and power == 1 and last is not None and len(last) == 3 and last[0] == m.group(1) \
                and int(m.group(2)) == last[2] + 1:
            last[2] += 1
        elif m and power == 1:
            groups.append([m.group(1), int(m.group(2)), int(m.group(2))])
        else:
            groups.append([name, power])
    text, math = [], []
    for g in groups:
        if len(g) == 3 and g[2] - g[1] >= 3:
            text.append(f"{g[0]}[{g[1]}]⋯{g[0]}[{g[2]}]")
            math.append(rf"{_tex_name(f'{g[0]}[{g[1]}]')}\cdots {_tex_name(f'{g[0]}[{g[2]}]')}")
            continue
        for name, power in ([(f"{g[0]}[{i}]", 1) for i in range(g[1], g[2] + 1)] if len(g) == 3 else [g]):
            text.append(name if power == 1 else f"{name}^{power}")
            math.append(_tex_name(name) if power == 1 else f"{_tex_name(name)}^{{{power}}}")
    return "*".join(text), r"\,".join(math)


def gate_label(label: str) -> tuple[str, str]:
    """A gate label as stored in a network ('x[1]*x[2]', 'copy x[3]', 'bits {x[0] x[1]}', 'x[1]^2',
    'copy sum 0') -> (compact plain text, LaTeX)."""
    head, _, rest = label.partition(" ")
    if rest and head in ("copy", "bits", "flat") and not rest.startswith("sum"):
        names = _factors(rest.strip("{}").split())
        text, math = compact_monomial(names)
        shown = "{" + " ".join(text.split("*")) + "}" if head in ("bits", "flat") else text
        shown_math = (r"\{" + r"\ ".join(math.split(r"\,")) + r"\}") if head in ("bits", "flat") else math
        return f"{head} {shown}", rf"\text{{{head}}}\ {shown_math}"
    if rest:
        return label, rf"\text{{{label}}}"
    return compact_monomial(_factors(label.split("*")))


def _factors(tokens: list[str]) -> list[str]:
    names = []
    for f in tokens:
        base, _, power = f.partition("^")
        names += [base] * (int(power) if power.isdigit() else 1)
    return names


def _cluster_math(label: str) -> str:
    return gate_label(label)[1]


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


def network_diagram(net, *, labels: str = "none", biases: str = "annotate", title: str = "") -> Diagram:
    """Every input, hidden neuron and output; gates as clusters; edges for the nonzero weights.
    A weight-shared network is drawn as the small network every lattice site runs (in a frame),
    followed by the sum over the sites."""
    if labels == "symbolic":
        raise ValueError("symbolic weight labels (lambda, beta, ...) are drawn for the paper's figures "
                         "(--figure product-gate, bit-gate); use --labels values for a compiled network")
    if labels not in LABEL_MODES:
        raise ValueError(f"unknown labels '{labels}'; choose one of {', '.join(LABEL_MODES)}")
    if biases not in BIAS_MODES:
        raise ValueError(f"unknown biases '{biases}'; choose one of {', '.join(BIAS_MODES)}")
    shared = getattr(net, "shared", None)
    names = input_names(net)
    nodes, edges, clusters = [], [], []
    prev = [f"i{j}" for j in range(len(names))]
    nodes += [Node(p, name, _tex_name(name), 0, "input") for p, name in zip(prev, names)]
    outputs = tuple(net.outputs)
    for k, layer in enumerate(net.layers):
        last = k == len(net.layers) - 1
        ids = [f"o{j}" if last else f"h{k + 1}_{j}" for j in range(layer.n_out)]
        cluster_of: list[str | None] = [None] * layer.n_out
        start = 0
        for b, block in enumerate(layer.blocks):
            for g in range(block.count):
                cid = f"g{k + 1}_{b}_{g}"
                text, math = gate_label(block.labels[g]) if block.labels else (block.kind, rf"\text{{{block.kind}}}")
                clusters.append((cid, text, math))
                cluster_of[start:start + block.size] = [cid] * block.size
                start += block.size
        if last and layer.activation == "softmax" and shared is None:
            clusters.append(("softmax", "softmax", r"\text{softmax}"))
            cluster_of = ["softmax"] * layer.n_out
        symbol = ACTIVATION_SYMBOLS.get(layer.activation, layer.activation)
        for j, nid in enumerate(ids):
            bias = float(layer.bias[j])
            note = f"b={_value(bias)}" if biases == "annotate" and bias != 0 and labels == "values" else ""
            if last:
                text = outputs[j] if shared is None else (f"h[{outputs[j]}]" if len(outputs) > 1 else "h")
                math = _tex_name(text)
                kind = "output"
            else:
                text, math, kind = symbol, ACTIVATION_MATH.get(layer.activation, symbol), "neuron"
            nodes.append(Node(nid, text, math, k + 1, kind, cluster_of[j], note, tex_number(note)))
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
        rank = len(net.layers) + 1
        framed = tuple(n.id for n in nodes)
        frames = (("site", *_sites(shared), framed),)
        soft = shared.pool_activation == "softmax"
        for j, name in enumerate(outputs):
            bias = float(shared.pool_bias[j])
            note = f"b={_value(bias)}" if biases == "annotate" and bias != 0 and labels == "values" else ""
            nodes.append(Node(f"p{j}", name, name, rank, "output", "softmax" if soft else None, note, tex_number(note)))
            edges.append(Edge(prev[j], f"p{j}", None, "Σ sites" if labels != "none" or j == 0 else "",
                              r"\textstyle\sum_{\text{sites}}" if labels != "none" or j == 0 else ""))
        if soft:
            clusters.append(("softmax", "softmax", r"\text{softmax}"))
        if biases == "node" and np.any(shared.pool_bias != 0):
            nodes.append(Node("one_pool", "1", "1", rank - 1, "bias"))
            edges += [_weight_edge("one_pool", f"p{j}", float(shared.pool_bias[j]), labels)
                      for j in np.flatnonzero(shared.pool_bias)]
    return Diagram(title, tuple(nodes), tuple(edges), tuple(clusters), frames)


def _weight_edge(source: str, target: str, w: float, labels: str) -> Edge:
    text = _value(w) if labels == "values" else ""
    return Edge(source, target, w, text, tex_number(text))


def neuron_view_size(net) -> tuple[int, int, int]:
    """(largest column, nodes, weights) of the neurons view."""
    n_in = len(input_names(net))
    column = max([n_in] + [layer.n_out for layer in net.layers])
    nodes = n_in + sum(layer.n_out for layer in net.layers)
    return column, nodes, sum(layer.synapses for layer in net.layers)


def fits_neuron_view(net) -> bool:
    column, nodes, edges = neuron_view_size(net)
    return column <= NEURON_VIEW_MAX_COLUMN and nodes <= NEURON_VIEW_MAX_NODES and edges <= NEURON_VIEW_MAX_EDGES


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
    products = sum(1 for n in nodes if n.kind != "input")
    shared = sum(1 for n in nodes if n.kind == "shared")
    summary = f"{products} product{'s' if products != 1 else ''}, " + (
        f"{shared} shared (shaded)" if shared else "none shared")
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
        counts: dict[str, list[int]] = {}
        for b in layer.blocks:
            c = counts.setdefault(b.kind, [0, 0])
            c[0] += b.neurons
            c[1] += b.count
        head = ("output" if last and shared is None else "per-site output" if last else f"layer {k + 1}")
        n = layer.n_out
        per_site = " per site" if shared is not None else ""
        lines = [f"{head} ({layer.activation})"]
        kinds = [f"{m:,} {kind}" + (f" ({g:,} gate{'s' if g != 1 else ''})" if g != m else "")
                 for kind, (m, g) in counts.items()]
        if len(counts) == 1 and sum(m for m, _ in counts.values()) == n:
            (kind, (m, g)), = counts.items()
            lines.append(f"{n:,} {kind} neuron{'s' if n != 1 else ''}{per_site}"
                         + (f" ({g:,} gate{'s' if g != 1 else ''})" if g != m else ""))
        else:
            lines.append(f"{n:,} neuron{'s' if n != 1 else ''}{per_site}")
            lines += kinds
        if shared is not None:
            lines.append(f"× {sites:,} sites = {n * sites:,}")
        nid = f"L{k + 1}"
        nodes.append(_block(nid, k + 1 + offset, lines))
        syn = layer.synapses
        text = f"{syn:,} synapses" + (" per site" if shared is not None else "")
        edges.append(Edge(prev, nid, None, text, rf"\text{{{text}}}"))
        prev = nid
    if shared is not None:
        n_out = len(net.outputs)
        lines = ["output", f"sum over {sites:,} sites", f"{n_out:,} output{'s' if n_out != 1 else ''}"
                 + (f" ({shared.pool_activation})" if shared.pool_activation != "identity" else "")]
        nodes.append(_block("S", len(net.layers) + 1 + offset, lines))
        edges.append(Edge(prev, "S", None, "Σ sites", r"\textstyle\sum_{\text{sites}}"))
    return Diagram(title, tuple(nodes), tuple(edges), direction="down")


def _block(nid: str, rank: int, lines: list[str]) -> Node:
    def tex(line: str) -> str:
        return (line.replace("_", r"\_").replace("Σ", r"$\Sigma$").replace("×", r"$\times$")
                .replace(" x ", r" $\times$ "))
    return Node(nid, "\n".join(lines), r" \\ ".join(tex(line) for line in lines), rank, "block")


# ---- layout --------------------------------------------------------------------------------------
# Lengths in points (1/72 inch), y downwards. The DOT writer pins nodes at these positions (neato);
# the TikZ writer uses them as bp.

FONT = {"input": 11, "neuron": 10, "output": 11, "bias": 9, "gate": 10, "shared": 10, "block": 10}
HEADER_FONT, WEIGHT_FONT, NOTE_FONT, TITLE_FONT = 9, 9, 9, 12
NEURON_SIZE, BIAS_SIZE = 24.0, 18.0
MIN_PITCH = 30.0          # centre to centre of lone nodes in a column
MEMBER_GAP = 5.0          # between the neurons of one gate
ITEM_GAP = 9.0            # between gates
CLUSTER_PAD = 4.0
COLUMN_GAP = 56.0
_NARROW = set("ijl.,:;'|!()[]{}1 tfrI-·")
_WIDE = set("mwMWG@%⋯")


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in a sans-serif font at `size` points (the widest line); on
    the generous side (DejaVu Sans, which Graphviz often picks for Helvetica, is wide)."""
    return max(sum(0.36 if c in _NARROW else 0.9 if c in _WIDE else 0.63 for c in line) * size
               for line in text.split("\n"))


def node_size(n: Node) -> tuple[float, float]:
    size = FONT.get(n.kind, 10)
    if n.kind == "neuron":
        return NEURON_SIZE, NEURON_SIZE
    if n.kind == "bias":
        return BIAS_SIZE, BIAS_SIZE
    if n.kind == "input":
        return text_width(n.label, size) + 8, size + 6
    if n.kind == "block":
        lines = n.label.count("\n") + 1
        return text_width(n.label, size) + 18, lines * (size + 3) + 10
    return max(text_width(n.label, size) + 16, 26.0), size + 12


BOX_KINDS = ("output", "gate", "shared", "block")


def ports(d: Diagram, e: Edge, by_id: dict) -> tuple[str, str]:
    """Where an edge leaves and enters its nodes: compass points of boxes and input labels (so lines
    reach wide boxes from the side, not through their neighbours), '' for a neuron's centre."""
    src, dst = by_id[e.source], by_id[e.target]
    if d.direction == "down":
        return ("s" if src.kind in BOX_KINDS else ""), ("n" if dst.kind in BOX_KINDS else "")
    return ("e" if src.kind in BOX_KINDS + ("input",) else ""), ("w" if dst.kind in BOX_KINDS else "")


def _port_point(center, wh, port: str) -> tuple[float, float]:
    (x, y), (w, h) = center, wh
    return {"e": (x + w / 2, y), "w": (x - w / 2, y), "s": (x, y + h / 2), "n": (x, y - h / 2)}.get(port, (x, y))


@dataclass(frozen=True)
class Text:
    id: str
    text: str
    math: str
    x: float
    y: float
    kind: str             # header (a gate's or frame's label), note, weight (an edge label)
    sign: int = 0         # a weight label's sign: +1, -1 (coloured like its edge), 0
    size: float = 9.0


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    pos: dict            # node id -> (x, y), y downwards
    size: dict           # node id -> (w, h)
    boxes: tuple         # (id, kind 'gate' | 'frame', x0, y0, x1, y1)
    texts: tuple         # Text


@dataclass
class _Item:
    members: list        # node ids
    offsets: list        # each member's centre below the item's top
    height: float
    width: float
    cluster: str | None
    top: float = 0.0


def _note_height(n: Node) -> float:
    return NOTE_FONT + 4 if n.note else 0.0


def _items(col: list[Node], size: dict, cluster_label: dict, member_pitch: float = 0.0) -> list[_Item]:
    items: list[_Item] = []
    k = 0
    while k < len(col):
        n = col[k]
        if n.cluster is None:
            w, h = size[n.id]
            nh = _note_height(n)
            items.append(_Item([n.id], [h / 2], h + nh, max(w, text_width(n.note, NOTE_FONT) if n.note else 0),
                               None))
            k += 1
            continue
        run = [n]
        while k + len(run) < len(col) and col[k + len(run)].cluster == n.cluster:
            run.append(col[k + len(run)])
        header = cluster_label.get(n.cluster, "")
        y = CLUSTER_PAD + (HEADER_FONT + 6 if header else 0)
        offsets = []
        for m in run:
            h = size[m.id][1]
            offsets.append(y + h / 2)
            y += max(h + _note_height(m) + MEMBER_GAP, member_pitch)
        height = y - (max(h + _note_height(m) + MEMBER_GAP, member_pitch) - h - _note_height(m)) + CLUSTER_PAD
        width = max([size[m.id][0] for m in run] + [text_width(m.note, NOTE_FONT) for m in run if m.note]
                    + [text_width(header, HEADER_FONT) + 4]) + 2 * CLUSTER_PAD
        items.append(_Item([m.id for m in run], offsets, height, width, n.cluster))
        k += len(run)
    return items


def _gap(a: _Item, b: _Item, pitch: float = MIN_PITCH) -> float:
    if a.cluster or b.cluster:
        return ITEM_GAP
    return max(6.0, pitch - (a.height + b.height) / 2)


def _isotonic(targets: list[float], weights: list[float]) -> list[float]:
    """Least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []      # [mean, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out = []
    for m, _, c in blocks:
        out += [m] * c
    return out


def _place(items: list[_Item], desired: list[float | None], weights: list[float], pitch: float = MIN_PITCH) -> None:
    """Move the items' tops as close to `desired` as possible, keeping their order and spacing."""
    shift, offs = 0.0, []
    for i, it in enumerate(items):
        offs.append(shift)
        if i + 1 < len(items):
            shift += it.height + _gap(it, items[i + 1], pitch)
    targets = [(it.top if d is None else d) - o for it, d, o in zip(items, desired, offs)]
    ws = [w if d is not None else 1e-3 for d, w in zip(desired, weights)]
    for it, q, o in zip(items, _isotonic(targets, ws), offs):
        it.top = q + o


ROW_GAP = 30.0            # between the rows of a top-to-bottom diagram


def _layout_down(d: Diagram, size: dict) -> tuple[dict, list]:
    """Ranks as rows, top to bottom, each row centred; edge labels beside their edges."""
    pos, y = {}, 0.0
    for r in sorted({n.rank for n in d.nodes}):
        row = [n for n in d.nodes if n.rank == r]
        height = max(size[n.id][1] for n in row)
        width = sum(size[n.id][0] for n in row) + 20.0 * (len(row) - 1)
        x = -width / 2
        for n in row:
            pos[n.id] = (x + size[n.id][0] / 2, y + height / 2)
            x += size[n.id][0] + 20.0
        y += height + ROW_GAP
    texts = []
    for k, e in enumerate(d.edges):
        if e.label:
            (ax, ay), (bx, by) = pos[e.source], pos[e.target]
            w = text_width(e.label, WEIGHT_FONT)
            texts.append(Text(f"wl_{k}", e.label, e.math or e.label, (ax + bx) / 2 + w / 2 + 6, (ay + by) / 2,
                              "weight", 0, WEIGHT_FONT))
    return pos, texts


def layout(d: Diagram) -> Layout:
    size = {n.id: node_size(n) for n in d.nodes}
    if d.direction == "down":
        pos, texts = _layout_down(d, size)
        return _translate(d, pos, size, [], texts)
    by_id = {n.id: n for n in d.nodes}
    cluster_label = {cid: text for cid, text, _ in d.clusters}
    ranks = sorted({n.rank for n in d.nodes})
    columns = {r: [n for n in d.nodes if n.rank == r] for r in ranks}
    # weight labels need room where they sit: near the quieter end of their edges
    fan_in, fan_out = {}, {}
    for e in d.edges:
        fan_in[e.target] = fan_in.get(e.target, 0) + 1
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    crowd: dict[str, int] = {}
    for e in d.edges:
        if e.label:
            end = e.target if fan_in[e.target] <= fan_out[e.source] else e.source
            crowd[end] = crowd.get(end, 0) + 1
    need = {r: min(0.85 * (WEIGHT_FONT + 4) * max([crowd.get(n.id, 0) for n in columns[r]]), 72.0) for r in ranks}
    items = {r: _items(columns[r], size, cluster_label, need[r]) for r in ranks}
    where = {}
    for r in ranks:
        for it in items[r]:
            for m, off in zip(it.members, it.offsets):
                where[m] = (it, off)
    preds: dict[str, list[str]] = {n.id: [] for n in d.nodes}
    succs: dict[str, list[str]] = {n.id: [] for n in d.nodes}
    for e in d.edges:
        if by_id[e.source].rank != by_id[e.target].rank:
            preds[e.target].append(e.source)
            succs[e.source].append(e.target)

    def y(nid: str) -> float:
        it, off = where[nid]
        return it.top + off

    # a short column of lone nodes (inputs beside a tall layer) is spread over part of its neighbours' height
    stacked = {r: sum(it.height for it in items[r]) + ITEM_GAP * (len(items[r]) - 1) for r in ranks}
    pitch = {}
    for i, r in enumerate(ranks):
        near = [stacked[q] for q in ranks[max(0, i - 1):i + 2] if q != r]
        lone = all(it.cluster is None for it in items[r])
        pitch[r] = min(max(MIN_PITCH, 0.7 * max(near) / len(items[r])), 72.0) if lone and near else MIN_PITCH
        pitch[r] = max(pitch[r], need[r])
    for r in ranks:                      # start: each column stacked, centred on 0
        _place(items[r], [None] * len(items[r]), [1.0] * len(items[r]), pitch[r])
        its = items[r]
        mid = (its[0].top + its[-1].top + its[-1].height) / 2 if its else 0.0
        for it in its:
            it.top -= mid

    def sweep(order, nbrs):
        for r in order:
            desired, weights = [], []
            for it in items[r]:
                vals = [float(np.mean([y(p) for p in nbrs[m]])) - off
                        for m, off in zip(it.members, it.offsets) if nbrs[m]]
                desired.append(float(np.mean(vals)) if vals else None)
                weights.append(float(len(vals)) or 1.0)
            _place(items[r], desired, weights, pitch[r])

    for _ in range(3):
        sweep(ranks[1:], preds)
        sweep(ranks[-2::-1], succs)
    sweep(ranks[1:], preds)

    # columns: widths, and gaps wide enough for the edges' slopes and their labels
    col_w = {r: max(it.width for it in items[r]) for r in ranks}
    x_of, x = {}, 0.0
    for i, r in enumerate(ranks):
        if i:
            prev = ranks[i - 1]
            between = [e for e in d.edges if by_id[e.source].rank == prev and by_id[e.target].rank == r]
            gap = COLUMN_GAP
            slopes = [abs(y(e.target) - y(e.source)) for e in between]
            if slopes:
                gap = max(gap, min(0.22 * max(slopes), 130.0))
            label_w = [text_width(e.label, WEIGHT_FONT) for e in d.edges
                       if e.label and by_id[e.source].rank < r <= by_id[e.target].rank]
            if label_w:
                crowded = max([crowd.get(n.id, 0) for n in columns[prev] + columns[r]] + [1])
                gap = max(gap, (1.6 + 0.3 * crowded) * max(label_w) + 40, 130.0)
            x += col_w[prev] / 2 + gap + col_w[r] / 2
        x_of[r] = x
    pos = {n.id: (x_of[n.rank], y(n.id)) for n in d.nodes}

    boxes, texts = [], []
    obstacles = [_rect(pos[n.id], size[n.id], 7) for n in d.nodes]      # 7: keep clear of arrowheads
    for r in ranks:
        for it in items[r]:
            if it.cluster is None:
                continue
            cx = x_of[r]
            half = it.width / 2
            boxes.append((it.cluster, "gate", cx - half, it.top, cx + half, it.top + it.height))
            label = cluster_label.get(it.cluster, "")
            if label:
                math = next(m for c, _, m in d.clusters if c == it.cluster)
                hy = it.top + CLUSTER_PAD + (HEADER_FONT + 4) / 2
                texts.append(Text(f"hdr_{it.cluster}", label, math, cx, hy, "header", 0, HEADER_FONT))
                obstacles.append(_rect((cx, hy), (text_width(label, HEADER_FONT) + 2, HEADER_FONT + 3), 1))
    for n in d.nodes:
        if n.note:
            nx, ny = pos[n.id]
            ty = ny + size[n.id][1] / 2 + (NOTE_FONT + 4) / 2
            if not succs[n.id] and n.cluster is None:      # a last node: its note beside it, clear of edges
                nx, ty = nx + size[n.id][0] / 2 + text_width(n.note, NOTE_FONT) / 2 + 4, ny
            texts.append(Text(f"note_{n.id}", n.note, n.note_math or n.note, nx, ty, "note", 0, NOTE_FONT))
            obstacles.append(_rect((nx, ty), (text_width(n.note, NOTE_FONT) + 2, NOTE_FONT + 3), 1))
    for fid, label, math, members in d.frames:
        rects = [_rect(pos[m], size[m], 0) for m in members if m in pos]
        rects += [(b[2], b[3], b[4], b[5]) for b in boxes if b[1] == "gate" and any(
            where[m][0].cluster == b[0] for m in members if m in where)]
        if not rects:
            continue
        x0 = min(r[0] for r in rects) - 10
        x1 = max(r[2] for r in rects) + 10
        y1 = max(r[3] for r in rects) + 10
        y0 = min(r[1] for r in rects) - 10 - (HEADER_FONT + 6)
        x1 = max(x1, x0 + text_width(label, HEADER_FONT) + 12)
        boxes.append((fid, "frame", x0, y0, x1, y1))
        hy = y0 + 4 + (HEADER_FONT + 4) / 2
        texts.append(Text(f"hdr_{fid}", label, math, (x0 + x1) / 2, hy, "header", 0, HEADER_FONT))
        obstacles.append(_rect(((x0 + x1) / 2, hy), (text_width(label, HEADER_FONT) + 2, HEADER_FONT + 3), 1))
    texts += _weight_labels(d, pos, size, obstacles)
    return _translate(d, pos, size, boxes, texts)


def _translate(d: Diagram, pos: dict, size: dict, boxes: list, texts: list) -> Layout:
    """Shift everything so that the drawing starts at (0, 0); round to 0.1 pt (stable text)."""
    rects = [_rect(pos[n.id], size[n.id], 0) for n in d.nodes]
    rects += [(b[2], b[3], b[4], b[5]) for b in boxes]
    rects += [_rect((t.x, t.y), (text_width(t.text, t.size), t.size + 3), 0) for t in texts]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)
    pos = {k: (round(v[0] - x0, 1), round(v[1] - y0, 1)) for k, v in pos.items()}
    boxes = tuple((b[0], b[1], round(b[2] - x0, 1), round(b[3] - y0, 1), round(b[4] - x0, 1), round(b[5] - y0, 1))
                  for b in boxes)
    texts = tuple(Text(t.id, t.text, t.math, round(t.x - x0, 1), round(t.y - y0, 1), t.kind, t.sign, t.size)
                  for t in texts)
    return Layout(round(x1 - x0, 1), round(y1 - y0, 1), pos, size, boxes, texts)


def _rect(center, wh, grow: float) -> tuple[float, float, float, float]:
    (x, y), (w, h) = center, wh
    return x - w / 2 - grow, y - h / 2 - grow, x + w / 2 + grow, y + h / 2 + grow


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


# fractions of an edge, from its quieter end, where a weight label may sit
_LABEL_SPOTS = tuple(sorted((round(0.12 + 0.04 * i, 2) for i in range(20)), key=lambda f: (abs(f - 0.3), f)))
_CROSSING_COST = 40.0     # a label over another edge costs like this much overlap (pt^2)


def _crossings(rect, seg: np.ndarray) -> np.ndarray:
    """Which segments (rows x0, y0, x1, y1) pass through the rectangle (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = seg.T
    enter, leave = np.zeros(len(seg)), np.ones(len(seg))
    ok = np.ones(len(seg), bool)
    for p, d, lo, hi in ((x0, x1 - x0, rect[0], rect[2]), (y0, y1 - y0, rect[1], rect[3])):
        flat = np.abs(d) < 1e-12
        ok &= ~flat | ((p >= lo) & (p <= hi))
        with np.errstate(divide="ignore", invalid="ignore"):
            t0, t1 = (lo - p) / d, (hi - p) / d
        t_in, t_out = np.where(flat, -np.inf, np.minimum(t0, t1)), np.where(flat, np.inf, np.maximum(t0, t1))
        enter, leave = np.maximum(enter, t_in), np.minimum(leave, t_out)
    return ok & (enter <= leave)


def _weight_labels(d: Diagram, pos, size, obstacles) -> list[Text]:
    fan_in, fan_out = {}, {}
    for e in d.edges:
        fan_in[e.target] = fan_in.get(e.target, 0) + 1
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    by_id = {n.id: n for n in d.nodes}
    ends = []
    for e in d.edges:
        tail, head = ports(d, e, by_id)
        ends.append((_port_point(pos[e.source], size[e.source], tail), _port_point(pos[e.target], size[e.target], head)))
    seg = np.array([[*a, *b] for a, b in ends], dtype=np.float64).reshape(-1, 4)
    placed = []
    out = []
    for k, e in enumerate(d.edges):
        if not e.label:
            continue
        (ax, ay), (bx, by) = ends[k][::-1] if fan_in[e.target] <= fan_out[e.source] else ends[k]
        wh = (text_width(e.label, WEIGHT_FONT) + 3, WEIGHT_FONT + 3)
        best, best_cost = None, None
        for f in _LABEL_SPOTS:
            c = (ax + f * (bx - ax), ay + f * (by - ay))
            r = _rect(c, wh, 0)
            cost = sum(_overlap(r, o) for o in obstacles) + sum(_overlap(r, o) for o in placed)
            crossing = _crossings(r, seg)
            crossing[k] = False
            cost += _CROSSING_COST * int(crossing.sum())
            if best_cost is None or cost < best_cost - 1e-9:
                best, best_cost = c, cost
            if cost == 0:
                break
        placed.append(_rect(best, wh, 1))
        sign = 0 if e.weight is None else (1 if e.weight > 0 else -1)
        out.append(Text(f"wl_{k}", e.label, e.math or e.label, best[0], best[1], "weight", sign, WEIGHT_FONT))
    return out
