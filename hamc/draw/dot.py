"""Diagram -> Graphviz DOT text (deterministic), and DOT -> svg/pdf/png through Graphviz's `dot`.

The DOT text carries hamc's own layout (layout.layout): every node is pinned (`pos="x,y!"`, in
points), every edge carries its line (`pos`, a piecewise-straight spline), and the graph asks for the
neato engine, so `neato -n2 -Tpdf file.dot` draws exactly hamc's picture: columns aligned, the network's neuron order kept, gate and weight labels where hamc put
them. Gates are subgraphs `gate_<id>` holding a frame node, their neurons and a label node; the
nodes of column k are in subgraph `rank_k`. Edge colours give the sign of the weight (blue +, red -),
pen widths its log-magnitude, and the SVG tooltip of every weighted edge its value.
"""
from __future__ import annotations

import shutil
import subprocess

from .diagram import Diagram
from .geometry import Layout
from .layout import layout
from .style import FONT, NEGATIVE, NEUTRAL, POSITIVE, TEXT, arrow_length, edge_color, pen_widths, shape
from ..errors import HamcError

__all__ = ["NEGATIVE", "NEUTRAL", "POSITIVE", "edge_color", "render", "to_dot"]


def _error(message: str) -> HamcError:
    return HamcError(message, filename="hamc")

RENDER_FORMATS = ("svg", "pdf", "png")
PNG_DPI = 144
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


def to_dot(diagram: Diagram, lay: Layout | None = None) -> str:
    lay = layout(diagram) if lay is None else lay
    w = _Writer(diagram, lay)
    title = f", label={_quote(diagram.title)}, labelloc=t, fontsize=12" if diagram.title else ""
    lines = [f"digraph {_quote(diagram.title or 'hamc')} {{",
             "  // drawn by hamc: node and edge positions are fixed (points); render with `neato -n2 -Tpdf`",
             f'  graph [layout=neato, inputscale=72, splines=line, outputorder=edgesfirst, pad=0.12, '
             f'fontname="{FONT}"{title}];',
             f'  node [fontname="{FONT}", margin="0.06,0.03"];',
             f'  edge [arrowsize=0.5, fontname="{FONT}"];']
    for box in lay.boxes:
        if box[1] in ("frame", "legend"):
            lines.append(w.box(box, "  "))
            if f"hdr_{box[0]}" in w.texts:
                lines.append(w.text(w.texts[f"hdr_{box[0]}"], "  "))
    for rank in sorted({n.rank for n in diagram.nodes}):
        lines += w.column(rank)
    arrow = arrow_length(diagram)
    for k, (e, pen) in enumerate(zip(diagram.edges, pen_widths(diagram))):
        attrs = [f'color="{edge_color(e.weight)}"', f'pos="{_spline(lay.routes[k], lay.height, arrow)}"',
                 f"penwidth={pen:g}", f"arrowsize={arrow / 10:g}" if arrow else "arrowhead=none"]
        if e.weight is not None:
            attrs.append(f'tooltip="{e.weight:.6g}"')
        lines.append(f"  {e.source} -> {e.target} [{', '.join(attrs)}];")
    lines += [w.text(t, "  ") for t in lay.texts if t.kind != "header"]
    lines += [_glyph(diagram, k, *g, lay.height) for k, g in enumerate(lay.glyphs)]
    lines.append("}")
    return "\n".join(lines) + "\n"


class _Writer:
    """DOT lines for the nodes, texts and boxes of one laid-out diagram (y flipped: DOT's y is up)."""

    def __init__(self, diagram: Diagram, lay: Layout):
        self.diagram, self.lay = diagram, lay
        self.texts = {t.id: t for t in lay.texts}
        self.gate_boxes = {b[0]: b for b in lay.boxes if b[1] == "gate"}

    def pos(self, x: float, y: float) -> str:
        return f'pos="{x:.1f},{self.lay.height - y:.1f}!"'

    def text(self, t, indent: str) -> str:
        color = {1: POSITIVE, -1: NEGATIVE}.get(t.sign, TEXT)
        return (f"{indent}{t.id} [label={_quote(t.text)}, {_TEXT_STYLE}, fontsize={t.size:g}, "
                f'fontcolor="{color}", {self.pos(t.x, t.y)}, class="{t.kind}"];')

    def box(self, box, indent: str) -> str:
        bid, kind, x0, y0, x1, y1 = box
        style = 'style="rounded,dashed", color="#777777"' if kind == "frame" else 'style=rounded, color="#a0a0a0"'
        return (f'{indent}box_{bid} [label="", shape=box, {style}, fixedsize=true, width={(x1 - x0) / 72:.3f}, '
                f'height={(y1 - y0) / 72:.3f}, {self.pos((x0 + x1) / 2, (y0 + y1) / 2)}, class="{kind}"];')

    def node(self, n, indent: str) -> str:
        w, h = self.lay.size[n.id]
        style = _NODE_STYLE.get(n.kind, _NODE_STYLE["neuron"]).format(w=f"{w / 72:.3f}", h=f"{h / 72:.3f}")
        outline = shape(self.diagram, n.kind)
        if self.diagram.style == "paper" and outline in ("square", "circle"):   # squares apply sigma, circles sum
            style = f"shape={outline}, fixedsize=true, width={w / 72:.3f}, style=filled, fillcolor=white, fontsize=10"
        return f'{indent}{n.id} [label={_quote(n.label)}, {style}, {self.pos(*self.lay.pos[n.id])}, class="{n.kind}"];'

    def column(self, rank: int) -> list[str]:
        """Subgraph rank_<k>: its lone nodes, and a subgraph per gate (frame, neurons, header)."""
        column = [n for n in self.diagram.nodes if n.rank == rank]
        lines = [f"  subgraph rank_{rank} {{"]
        k = 0
        while k < len(column):
            n = column[k]
            run = [n]
            while n.cluster is not None and k + len(run) < len(column) and column[k + len(run)].cluster == n.cluster:
                run.append(column[k + len(run)])
            k += len(run)
            if n.cluster is None:
                lines.append(self.node(n, "    "))
                continue
            lines.append(f"    subgraph gate_{n.cluster} {{")
            if n.cluster in self.gate_boxes:
                lines.append(self.box(self.gate_boxes[n.cluster], "      "))
            lines += [self.node(m, "      ") for m in run]
            if f"hdr_{n.cluster}" in self.texts:
                lines.append(self.text(self.texts[f"hdr_{n.cluster}"], "      "))
            lines.append("    }")
        return lines + ["  }"]


def _glyph(diagram: Diagram, k: int, glyph: str, x: float, y: float, height: float) -> str:
    """A legend sample: a shape node, or a line (an edge between two invisible points)."""
    if glyph in ("positive", "negative", "thick"):
        ends = [f'  key{k}{end} [shape=point, width=0.01, style=invis, pos="{px:.1f},{height - y:.1f}!"];'
                for end, px in (("a", x), ("b", x + 24))]
        color = {"positive": POSITIVE, "negative": NEGATIVE}.get(glyph, NEUTRAL)
        pen = 2.5 if glyph == "thick" else 1.5
        return "\n".join(ends + [f'  key{k}a -> key{k}b [color="{color}", penwidth={pen}, arrowhead=none, '
                                  f'pos="{x:.1f},{height - y:.1f} {x + 8:.1f},{height - y:.1f} '
                                  f'{x + 16:.1f},{height - y:.1f} {x + 24:.1f},{height - y:.1f}"];'])
    outline = {"square": "square", "circle": "circle", "rounded": "box"}.get(shape(diagram, glyph), "box")
    fill = ', style="rounded,filled", fillcolor="#fff2cc"' if glyph == "shared" else (
        ', style=rounded' if outline == "box" else "")
    return (f'  key{k} [label="", shape={outline}, fixedsize=true, width=0.139, height=0.139{fill}, '
            f'pos="{x + 12:.1f},{height - y:.1f}!"];')


def _spline(points, height: float, arrow: float) -> str:
    """A polyline as Graphviz's edge `pos`: cubic pieces along straight lines, the last one stopping
    where the arrowhead starts, the tip given by `e,x,y`."""
    (tx, ty), (px, py) = points[-1], points[-2]
    length = max(((tx - px) ** 2 + (ty - py) ** 2) ** 0.5, 1e-9)
    cut = min(arrow, 0.8 * length) / length
    pts = list(points[:-1]) + [(tx - cut * (tx - px), ty - cut * (ty - py))]
    out = [pts[0]]
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        out += [(ax + (bx - ax) / 3, ay + (by - ay) / 3), (ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3), (bx, by)]
    tip = f"e,{tx:.1f},{height - ty:.1f} " if arrow else ""
    return tip + " ".join(f"{x:.1f},{height - y:.1f}" for x, y in out)


def dot_available() -> bool:
    return shutil.which("neato") is not None


def render(dot_text: str, fmt: str, *, dpi: int = PNG_DPI) -> bytes:
    """Render DOT text with Graphviz; a clear HamcError if `dot` is missing or fails."""
    if fmt not in RENDER_FORMATS:
        raise _error(f"cannot render to '{fmt}'; choose one of {', '.join(RENDER_FORMATS)}")
    exe = shutil.which("neato")
    if exe is None:
        raise _error(f"rendering {fmt} needs Graphviz's 'dot' program, which is not installed (not on PATH). "
                        f"{INSTALL_HINT}, then run again; or render the .dot file elsewhere")
    args = [exe, "-n2", f"-T{fmt}"] + ([f"-Gdpi={dpi}"] if fmt == "png" else [])
    try:
        done = subprocess.run(args, input=dot_text.encode(), capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _error(f"Graphviz failed to render {fmt}: {exc}") from None
    if done.returncode != 0:
        raise _error(f"Graphviz failed to render {fmt}: {done.stderr.decode(errors='replace').strip()[:500]}")
    return done.stdout
