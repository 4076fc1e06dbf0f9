"""Sizes and boxes of what a drawing shows (points, y downwards): the measures the layout, the writers
and the overlap check share."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .diagram import Diagram, Edge, Node

FONT = {"input": 11, "neuron": 10, "output": 11, "bias": 9, "gate": 10, "shared": 10, "block": 10, "sum": 10}
HEADER_FONT, WEIGHT_FONT, NOTE_FONT, TITLE_FONT, LEGEND_FONT = 9, 9, 9, 12, 8
NEURON_SIZE, BIAS_SIZE = 24.0, 18.0
_NARROW = set("ijl.,:;'|!()[]{}1 tfrI-·")
_WIDE = set("mwMWG@%⋯")
BOX_KINDS = ("output", "gate", "shared", "block")


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in a sans-serif font at `size` points (the widest line); on
    the generous side (DejaVu Sans, which Graphviz often picks for Helvetica, is wide)."""
    return max(sum(0.36 if c in _NARROW else 0.9 if c in _WIDE else 0.63 for c in line) * size
               for line in text.split("\n"))


def node_size(n: Node, style: str = "hamc") -> tuple[float, float]:
    size = FONT.get(n.kind, 10)
    if style == "paper" and n.kind == "output":          # a circle around the sum's name
        diameter = max(NEURON_SIZE + 2, text_width(n.label, size) + 10)
        return diameter, diameter
    if n.kind in ("neuron", "sum"):
        return NEURON_SIZE, NEURON_SIZE
    if n.kind == "bias":
        return BIAS_SIZE, BIAS_SIZE
    if n.kind == "input":
        return text_width(n.label, size) + 8, size + 6
    if n.kind == "block":
        lines = n.label.count("\n") + 1
        return text_width(n.label, size) + 18, lines * (size + 3) + 10
    return max(text_width(n.label, size) + 16, 26.0), size + 12


def ports(d: Diagram, e: Edge, by_id: dict) -> tuple[str, str]:
    """Where an edge leaves and enters its nodes: compass points of boxes, input labels and neurons in
    a gate (so lines reach them from the side, not through their neighbours), '' for a lone neuron's
    centre."""
    src, dst = by_id[e.source], by_id[e.target]
    if d.direction == "down":
        return ("s" if src.kind in BOX_KINDS else ""), ("n" if dst.kind in BOX_KINDS else "")
    return ("e" if src.kind in BOX_KINDS + ("input",) or src.cluster else ""), \
        ("w" if dst.kind in BOX_KINDS or dst.cluster else "")


def port_point(center, wh, port: str) -> tuple[float, float]:
    (x, y), (w, h) = center, wh
    return {"e": (x + w / 2, y), "w": (x - w / 2, y), "s": (x, y + h / 2), "n": (x, y - h / 2)}.get(port, (x, y))


def clip_out(a, b, wh) -> tuple[float, float]:
    """The point where the line from centre a towards b leaves a box of size wh around a."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    s = min(([wh[0] / 2 / abs(dx)] if dx else []) + ([wh[1] / 2 / abs(dy)] if dy else []) + [1.0])
    return a[0] + s * dx, a[1] + s * dy


@dataclass(frozen=True)
class Text:
    id: str
    text: str
    math: str
    x: float
    y: float
    kind: str             # header (a gate's or frame's label), note, weight (an edge label), legend, title
    sign: int = 0         # a weight label's sign: +1, -1 (coloured like its edge), 0
    size: float = 9.0


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    pos: dict            # node id -> (x, y), y downwards
    size: dict           # node id -> (w, h)
    boxes: tuple         # (id, kind 'gate' | 'frame' | 'legend', x0, y0, x1, y1)
    texts: tuple         # Text
    routes: tuple = ()   # per edge: the points of its line, tail to arrow tip
    glyphs: tuple = ()   # legend samples: (kind, x0, y) a 24 pt wide sample starting at x0, centred on y


def rect(center, wh, grow: float = 0.0) -> tuple[float, float, float, float]:
    (x, y), (w, h) = center, wh
    return x - w / 2 - grow, y - h / 2 - grow, x + w / 2 + grow, y + h / 2 + grow


def text_box(t: Text) -> tuple[float, float, float, float]:
    """The box a label's text takes (the estimate the layout reserved room with)."""
    lines = t.text.count("\n") + 1
    return rect((t.x, t.y), (text_width(t.text, t.size), lines * (t.size + 3)))


def node_box(lay: Layout, nid: str) -> tuple[float, float, float, float]:
    return rect(lay.pos[nid], lay.size[nid])


def route_segments(routes) -> tuple[np.ndarray, np.ndarray]:
    """All straight pieces of the edges' lines (rows x0, y0, x1, y1) and the edge each belongs to."""
    rows, owner = [], []
    for k, pts in enumerate(routes):
        for a, b in zip(pts, pts[1:]):
            rows.append([*a, *b])
            owner.append(k)
    return np.array(rows, dtype=np.float64).reshape(-1, 4), np.array(owner, dtype=np.int64)


def segment_hits(box, seg: np.ndarray) -> np.ndarray:
    """Which segments (rows x0, y0, x1, y1) pass through the inside of a box (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = seg.T
    enter, leave = np.zeros(len(seg)), np.ones(len(seg))
    ok = np.ones(len(seg), bool)
    for p, d, lo, hi in ((x0, x1 - x0, box[0], box[2]), (y0, y1 - y0, box[1], box[3])):
        flat = np.abs(d) < 1e-12
        ok &= ~flat | ((p > lo) & (p < hi))
        with np.errstate(divide="ignore", invalid="ignore"):
            t0, t1 = (lo - p) / d, (hi - p) / d
        t_in, t_out = np.where(flat, -np.inf, np.minimum(t0, t1)), np.where(flat, np.inf, np.maximum(t0, t1))
        enter, leave = np.maximum(enter, t_in), np.minimum(leave, t_out)
    return ok & (enter < leave - 1e-9)


def overlap_area(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0
