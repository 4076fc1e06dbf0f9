"""Diagram -> Graphviz DOT text (deterministic), and DOT -> svg/pdf/png through Graphviz's `dot`.

The DOT text carries hamc's own layout (diagram.layout): every node is pinned (`pos="x,y!"`, in
points) and the graph asks for the neato engine, so `dot -Tsvg file.dot` draws exactly hamc's
picture: columns aligned, the network's neuron order kept, gate and weight labels where hamc put
them. Gates are subgraphs `gate_<id>` holding a frame node, their neurons and a label node; the
nodes of column k are in subgraph `rank_k`. Edge colours give the sign of the weight (blue +, red -),
pen widths its log-magnitude, and the SVG tooltip of every weighted edge its value.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from .diagram import Diagram
from .layout import Layout, layout, ports
from ..errors import HamcError


def _error(message: str) -> HamcError:
    return HamcError(message, filename="hamc")

POSITIVE, NEGATIVE, NEUTRAL = "#2166ac", "#b2182b", "#555555"
RENDER_FORMATS = ("svg", "pdf", "png")
PNG_DPI = 144
# a family list: fontconfig may otherwise pick a serif design size for a small "Helvetica"
FONT = "Helvetica,Arial,sans-serif"
INSTALL_HINT = ("Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; Fedora: sudo dnf install "
                "graphviz; macOS: brew install graphviz; conda: conda install -c conda-forge graphviz)")
_NODE_STYLE = {
    "input": 'shape=plaintext, width=0, height=0, margin="0.04,0.02", fontsize=11',
    "neuron": 'shape=circle, fixedsize=true, width={w}, style=filled, fillcolor=white, fontsize=10',
    "output": 'shape=box, style="rounded,filled", fillcolor=white, fixedsize=true, width={w}, height={h}, fontsize=11',
    "bias": 'shape=square, fixedsize=true, width={w}, color="#777777", fontsize=9',
    "gate": 'shape=box, style="rounded,filled", fillcolor=white, fixedsize=true, width={w}, height={h}, fontsize=10',
    "shared": 'shape=box, style="rounded,filled,bold", fillcolor="#fff2cc", fixedsize=true, width={w}, height={h}, '
              'fontsize=10',
    "block": 'shape=box, style="rounded,filled", fillcolor="#f5f5f5", fixedsize=true, width={w}, height={h}, '
             'fontsize=10',
}
_TEXT_STYLE = 'shape=plaintext, style=filled, fillcolor=white, width=0, height=0, margin="0.015,0.005"'


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def pen_range(diagram: Diagram) -> tuple[float, float]:
    """Thinnest and thickest pen (pt): thinner where many edges share the picture."""
    return (0.5, 2.6) if len(diagram.edges) <= 40 else (0.4, 1.6)


def _widths(diagram: Diagram) -> dict[int, float]:
    """Pen width per weighted edge, by log-magnitude of its weight within this diagram."""
    mags = np.array([abs(e.weight) for e in diagram.edges if e.weight], dtype=np.float64)
    if not len(mags):
        return {}
    lo, hi = np.log10(mags.min()), np.log10(mags.max())
    thin, thick = pen_range(diagram)
    out = {}
    for k, e in enumerate(diagram.edges):
        if e.weight:
            frac = 0.5 if hi == lo else (np.log10(abs(e.weight)) - lo) / (hi - lo)
            out[k] = round(thin + (thick - thin) * float(frac), 2)
    return out


def edge_color(weight: float | None) -> str:
    return NEUTRAL if weight is None else POSITIVE if weight > 0 else NEGATIVE


def to_dot(diagram: Diagram, lay: Layout | None = None) -> str:
    lay = layout(diagram) if lay is None else lay
    height = lay.height

    def pos(x: float, y: float) -> str:
        return f'pos="{x:.1f},{height - y:.1f}!"'

    title = f", label={_quote(diagram.title)}, labelloc=t, fontsize=12" if diagram.title else ""
    lines = [f"digraph {_quote(diagram.title or 'hamc')} {{",
             "  // drawn by hamc: node positions are fixed (points); render with `dot -Tsvg` (neato engine)",
             f'  graph [layout=neato, inputscale=72, splines=line, outputorder=edgesfirst, pad=0.12, '
             f'fontname="{FONT}"{title}];',
             f'  node [fontname="{FONT}", margin="0.06,0.03"];',
             f'  edge [arrowsize=0.5, fontname="{FONT}"];']
    texts = {t.id: t for t in lay.texts}

    def text_node(t, indent: str) -> str:
        color = {1: POSITIVE, -1: NEGATIVE}.get(t.sign, "#333333")
        return (f"{indent}{t.id} [label={_quote(t.text)}, {_TEXT_STYLE}, fontsize={t.size:g}, "
                f'fontcolor="{color}", {pos(t.x, t.y)}, class="{t.kind}"];')

    def box_node(box, indent: str) -> str:
        bid, kind, x0, y0, x1, y1 = box
        style = 'style="rounded,dashed", color="#777777"' if kind == "frame" else 'style=rounded, color="#a0a0a0"'
        return (f'{indent}box_{bid} [label="", shape=box, {style}, fixedsize=true, width={(x1 - x0) / 72:.3f}, '
                f'height={(y1 - y0) / 72:.3f}, {pos((x0 + x1) / 2, (y0 + y1) / 2)}, class="{kind}"];')

    def node_line(n, indent: str) -> str:
        w, h = lay.size[n.id]
        style = _NODE_STYLE.get(n.kind, _NODE_STYLE["neuron"]).format(w=f"{w / 72:.3f}", h=f"{h / 72:.3f}")
        return f'{indent}{n.id} [label={_quote(n.label)}, {style}, {pos(*lay.pos[n.id])}, class="{n.kind}"];'

    for box in lay.boxes:
        if box[1] == "frame":
            lines.append(box_node(box, "  "))
            if f"hdr_{box[0]}" in texts:
                lines.append(text_node(texts[f"hdr_{box[0]}"], "  "))
    gate_boxes = {b[0]: b for b in lay.boxes if b[1] == "gate"}
    for rank in sorted({n.rank for n in diagram.nodes}):
        column = [n for n in diagram.nodes if n.rank == rank]
        lines.append(f"  subgraph rank_{rank} {{")
        k = 0
        while k < len(column):
            n = column[k]
            if n.cluster is None:
                lines.append(node_line(n, "    "))
                k += 1
                continue
            run = [n]
            while k + len(run) < len(column) and column[k + len(run)].cluster == n.cluster:
                run.append(column[k + len(run)])
            lines.append(f"    subgraph gate_{n.cluster} {{")
            if n.cluster in gate_boxes:
                lines.append(box_node(gate_boxes[n.cluster], "      "))
            lines += [node_line(m, "      ") for m in run]
            if f"hdr_{n.cluster}" in texts:
                lines.append(text_node(texts[f"hdr_{n.cluster}"], "      "))
            lines.append("    }")
            k += len(run)
        lines.append("  }")
    widths = _widths(diagram)
    by_id = {n.id: n for n in diagram.nodes}
    for k, e in enumerate(diagram.edges):
        attrs = [f'color="{edge_color(e.weight)}"']
        tail, head = ports(diagram, e, by_id)
        attrs += ([f"tailport={tail}"] if tail else []) + ([f"headport={head}"] if head else [])
        if e.weight is not None:
            attrs += [f"penwidth={widths.get(k, 0.5)}", f'tooltip="{e.weight:.6g}"']
            if len(diagram.edges) > 40:
                attrs.append("arrowsize=0.4")
        else:
            attrs.append("penwidth=0.9")
        lines.append(f"  {e.source} -> {e.target} [{', '.join(attrs)}];")
    for t in lay.texts:
        if t.kind != "header":
            lines.append(text_node(t, "  "))
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text with Graphviz; a clear HamcError if `dot` is missing or fails."""
    if fmt not in RENDER_FORMATS:
        raise _error(f"cannot render to '{fmt}'; choose one of {', '.join(RENDER_FORMATS)}")
    exe = shutil.which("dot")
    if exe is None:
        raise _error(f"rendering {fmt} needs Graphviz's 'dot' program, which is not installed (not on PATH). "
                        f"{INSTALL_HINT}, then run again; or render the .dot file elsewhere")
    args = [exe, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
    try:
        done = subprocess.run(args, input=dot_text.encode(), capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _error(f"Graphviz failed to render {fmt}: {exc}") from None
    if done.returncode != 0:
        raise _error(f"Graphviz failed to render {fmt}: {done.stderr.decode(errors='replace').strip()[:500]}")
    return done.stdout
