"""Diagram -> SVG text, drawn by hamc itself from its own layout (no Graphviz needed; deterministic).

Every element carries a class (`node neuron`, `edge`, `header`, ...); a weighted edge's <title> is its
value (a tooltip in a browser or notebook).
"""
from __future__ import annotations

from html import escape

from .diagram import Diagram
from .geometry import FONT as FONT_SIZE, TITLE_FONT, Layout
from .layout import layout
from .geometry import text_width
from .style import (BLOCK_FILL, FONT, FRAME, NEGATIVE, NEUTRAL, NOTE, POSITIVE, SHARED_FILL, SITE_FRAME, TEXT,
                    arrow_length, edge_color, pen_widths, shape)

_TITLE_LINE = TITLE_FONT + 4
_MARGIN = 6.0


def to_svg(diagram: Diagram, lay: Layout | None = None) -> str:
    lay = layout(diagram) if lay is None else lay
    title = diagram.title.split("\n") if diagram.title else []
    top = _MARGIN + _TITLE_LINE * len(title) + (4 if title else 0)
    width, height = lay.width + 2 * _MARGIN, lay.height + top + _MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}pt" height="{height:.1f}pt" '
           f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="{FONT}">',
           _markers(arrow_length(diagram)), '<rect width="100%" height="100%" fill="white"/>']
    out += [_text(width / 2, _MARGIN + _TITLE_LINE * (i + 0.5), line, TITLE_FONT, TEXT, "title")
            for i, line in enumerate(title)]
    out.append(f'<g transform="translate({_MARGIN:g},{top:.1f})">')
    out += [_box(b) for b in lay.boxes]
    out += _edges(diagram, lay)
    out += [_node(diagram, lay, n) for n in diagram.nodes]
    out += _texts(diagram, lay)
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)


def _markers(arrow: float) -> str:
    if not arrow:
        return ""
    return "<defs>" + "".join(
        f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" '
        f'markerWidth="{arrow:g}" markerHeight="{arrow:g}" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{color}"/></marker>'
        for name, color in (("pos", POSITIVE), ("neg", NEGATIVE), ("none", NEUTRAL))) + "</defs>"


def _text(x: float, y: float, text: str, size: float, color: str, cls: str, halo: bool = False) -> str:
    lines = text.split("\n")
    first = y - (len(lines) - 1) * (size + 3) / 2
    spans = "".join(f'<tspan x="{x:.1f}" y="{first + i * (size + 3):.1f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    back = ""
    if halo:                     # white under the text, so the edge it sits on does not run through it
        w, h = text_width(text, size) + 2, len(lines) * (size + 3)
        back = f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" fill="white"/>'
    return (f'{back}<text class="{cls}" text-anchor="middle" dominant-baseline="central" font-size="{size:g}" '
            f'fill="{color}">{spans}</text>')


def _box(b) -> str:
    bid, kind, x0, y0, x1, y1 = b
    dash = ' stroke-dasharray="5,3"' if kind == "frame" else ""
    color = SITE_FRAME if kind == "frame" else FRAME
    r = 6 if kind == "frame" else 4
    return (f'<rect class="{kind}" x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            f'rx="{r}" fill="none" stroke="{color}"{dash}/>')


def _edges(d: Diagram, lay: Layout) -> list[str]:
    pens, arrow = pen_widths(d), arrow_length(d)
    out = []
    for e, pts, pen in zip(d.edges, lay.routes, pens):
        color = edge_color(e.weight)
        name = "none" if e.weight is None else "pos" if e.weight > 0 else "neg"
        tip = f' marker-end="url(#arrow-{name})"' if arrow else ""
        title = f"<title>{e.weight:.6g}</title>" if e.weight is not None else ""
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        out.append(f'<polyline class="edge" points="{points}" fill="none" stroke="{color}" stroke-width="{pen:g}" '
                   f'stroke-linejoin="round"{tip}>{title}</polyline>')
    return out


def _node(d: Diagram, lay: Layout, n) -> str:
    (x, y), (w, h) = lay.pos[n.id], lay.size[n.id]
    outline = shape(d, n.kind)
    fill = SHARED_FILL if n.kind == "shared" else BLOCK_FILL if n.kind == "block" else "white"
    stroke = SITE_FRAME if n.kind == "bias" else "black"
    width = 1.8 if n.kind == "shared" else 1.0
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"'
    if outline == "circle":
        body = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{w / 2:.1f}" {common}/>'
    elif outline in ("square", "rounded"):
        rx = ' rx="4"' if outline == "rounded" else ""
        body = f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}"{rx} {common}/>'
    else:
        body = ""
    label = _text(x, y, n.label, FONT_SIZE.get(n.kind, 10), "black", "label")
    return f'<g class="node {n.kind}" id="{escape(n.id)}">{body}{label}</g>'


def _texts(d: Diagram, lay: Layout) -> list[str]:
    out = [_glyph(d, *g) for g in lay.glyphs]
    for t in lay.texts:
        color = {1: POSITIVE, -1: NEGATIVE}.get(t.sign, NOTE if t.kind == "note" else TEXT)
        out.append(_text(t.x, t.y, t.text, t.size, color, t.kind, halo=t.kind == "weight"))
    return out


def _glyph(d: Diagram, glyph: str, x: float, y: float) -> str:
    """The sample left of a legend row: a line in the sign's colour, a thin and a thick line, a shape."""
    if glyph == "thick":
        return (f'<g class="glyph"><line x1="{x:.1f}" y1="{y - 3:.1f}" x2="{x + 24:.1f}" y2="{y - 3:.1f}" '
                f'stroke="{NEUTRAL}" stroke-width="0.5"/><line x1="{x:.1f}" y1="{y + 3:.1f}" x2="{x + 24:.1f}" '
                f'y2="{y + 3:.1f}" stroke="{NEUTRAL}" stroke-width="2.5"/></g>')
    if glyph in ("positive", "negative"):
        color = POSITIVE if glyph == "positive" else NEGATIVE
        return (f'<line class="glyph" x1="{x:.1f}" y1="{y:.1f}" x2="{x + 24:.1f}" y2="{y:.1f}" stroke="{color}" '
                f'stroke-width="1.5"/>')
    outline, s = shape(d, glyph), 10.0
    if outline == "circle":
        return f'<circle class="glyph" cx="{x + 12:.1f}" cy="{y:.1f}" r="{s / 2:g}" fill="white" stroke="black"/>'
    rx = ' rx="2"' if outline == "rounded" else ""
    fill = SHARED_FILL if glyph == "shared" else "white"
    return (f'<rect class="glyph" x="{x + 12 - s / 2:.1f}" y="{y - s / 2:.1f}" width="{s:g}" height="{s:g}"{rx} '
            f'fill="{fill}" stroke="black"/>')
