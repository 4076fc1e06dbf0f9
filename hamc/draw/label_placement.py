"""Positions -> Layout: edge lines routed around gate frames, then gate and frame headers, notes and
weight labels placed where they collide with no node, label or line, and an optional legend."""
from __future__ import annotations

from .diagram import Diagram
from .geometry import (HEADER_FONT, LEGEND_FONT, NOTE_FONT, WEIGHT_FONT, Layout, Text, clip_out, overlap_area,
                       port_point, ports, rect, route_segments, segment_hits, text_width)

CLUSTER_PAD = 4.0
# fractions of an edge's outer piece, from its quieter end, where a weight label may sit
_LABEL_SPOTS = tuple(sorted((round(0.08 + 0.04 * i, 2) for i in range(22)), key=lambda f: (abs(f - 0.3), f)))
_CROSSING_COST = 40.0     # a label over another edge costs like this much overlap (pt^2)
ARROW = 5.0               # arrowhead length (pt)


def finish(d: Diagram, pos: dict, size: dict, boxes: list, *, legend: bool = False) -> Layout:
    routes = _routes(d, pos, size, {b[0]: b for b in boxes if b[1] == "gate"})
    texts: list[Text] = []
    obstacles = [rect(pos[n.id], size[n.id], 2) for n in d.nodes]
    for b in boxes:
        label = next(((t, m) for c, t, m in d.clusters if c == b[0]), None)
        if label and label[0]:
            cx, hy = (b[2] + b[4]) / 2, b[3] + CLUSTER_PAD + (HEADER_FONT + 4) / 2
            texts.append(Text(f"hdr_{b[0]}", label[0], label[1], cx, hy, "header", 0, HEADER_FONT))
    texts += _notes(d, pos, size, routes)
    frame_boxes, frame_texts = _frames(d, pos, size, boxes)
    boxes, texts = boxes + frame_boxes, texts + frame_texts
    obstacles += [rect((t.x, t.y), (text_width(t.text, t.size) + 2, t.size + 3), 1) for t in texts]
    texts += _weight_labels(d, routes, obstacles)
    keys = [t for t in texts if t.kind == "key"]
    texts = [t for t in texts if t.kind != "key"]
    rows = [("key", t.text, t.math) for t in keys]
    if legend:
        rows = [(glyph, text, text) for glyph, text in legend_entries(d)] + rows
    glyphs = []
    if rows:
        boxes, texts, glyphs = _legend(boxes, texts, pos, size, rows)
    return _translate(d, pos, size, boxes, texts, routes, glyphs)


def _routes(d: Diagram, pos: dict, size: dict, gate_box: dict) -> list[tuple]:
    """Each edge as a polyline: a node narrower than its column (a neuron in a gate, a short label) is
    reached through the column's side at its own height, so no line crosses a gate's header, its other
    neurons, or a wider neighbour."""
    by_id = {n.id: n for n in d.nodes}
    left, right = _column_sides(d, pos, size, gate_box)
    out = []
    for e in d.edges:
        src, dst = by_id[e.source], by_id[e.target]
        tail, head = ports(d, e, by_id)
        a = port_point(pos[e.source], size[e.source], tail)
        b = port_point(pos[e.target], size[e.target], head)
        mids = []
        if d.direction != "down":
            (sx, sy), (tx, ty) = pos[e.source], pos[e.target]
            if right[src.rank] > sx + size[e.source][0] / 2 + 0.5:
                mids.append((right[src.rank], sy))
            if left[dst.rank] < tx - size[e.target][0] / 2 - 0.5:
                mids.append((left[dst.rank], ty))
        a = a if tail else clip_out(a, (mids or [b])[0], size[e.source])
        b = b if head else clip_out(b, (mids or [a])[-1], size[e.target])
        out.append(tuple([a] + mids + [b]))
    return out


def _column_sides(d: Diagram, pos: dict, size: dict, gate_box: dict) -> tuple[dict, dict]:
    """The left and right edge of every column (its nodes and gate frames)."""
    left: dict[int, float] = {}
    right: dict[int, float] = {}
    for n in d.nodes:
        x0, _, x1, _ = gate_box[n.cluster][2:] if n.cluster in gate_box else rect(pos[n.id], size[n.id])
        left[n.rank] = min(left.get(n.rank, x0), x0)
        right[n.rank] = max(right.get(n.rank, x1), x1)
    return left, right


def _notes(d: Diagram, pos: dict, size: dict, routes: list) -> list[Text]:
    """A note below its node; a last node's beside it, clear of the edges that reach it."""
    has_out = {e.source for e in d.edges}
    texts = []
    for n in d.nodes:
        if not n.note:
            continue
        nx, ny = pos[n.id]
        ty = ny + size[n.id][1] / 2 + (NOTE_FONT + 4) / 2
        if n.id not in has_out and n.cluster is None and d.direction != "down":
            nx, ty = nx + size[n.id][0] / 2 + text_width(n.note, NOTE_FONT) / 2 + 4, ny
        texts.append(Text(f"note_{n.id}", n.note, n.note_math or n.note, nx, ty, "note", 0, NOTE_FONT))
    return texts


def _frames(d: Diagram, pos: dict, size: dict, boxes: list) -> tuple[list, list]:
    """A dashed frame around the nodes (and their gates) of each diagram frame, its header on top."""
    cluster_of = {n.id: n.cluster for n in d.nodes}
    out_boxes, texts = [], []
    for fid, label, math, members in d.frames:
        rects = [rect(pos[m], size[m]) for m in members if m in pos]
        clusters = {cluster_of.get(m) for m in members}
        rects += [b[2:] for b in boxes if b[1] == "gate" and b[0] in clusters]
        notes = [m for m in members if m in pos and any(n.id == m and n.note for n in d.nodes)]
        rects += [rect(pos[m], (0, size[m][1] + 2 * (NOTE_FONT + 4))) for m in notes]
        if not rects:
            continue
        x0, x1 = min(r[0] for r in rects) - 10, max(r[2] for r in rects) + 10
        y0, y1 = min(r[1] for r in rects) - 10 - (HEADER_FONT + 6), max(r[3] for r in rects) + 10
        x1 = max(x1, x0 + text_width(label, HEADER_FONT) + 12)
        out_boxes.append((fid, "frame", x0, y0, x1, y1))
        texts.append(Text(f"hdr_{fid}", label, math, (x0 + x1) / 2, y0 + 4 + (HEADER_FONT + 4) / 2, "header", 0,
                          HEADER_FONT))
    return out_boxes, texts


def _outer_piece(pts: tuple) -> tuple:
    """The longest straight piece of a route: where its label has room."""
    return max(zip(pts, pts[1:]), key=lambda ab: (ab[1][0] - ab[0][0]) ** 2 + (ab[1][1] - ab[0][1]) ** 2)


def _weight_labels(d: Diagram, routes: list, obstacles: list) -> list[Text]:
    """Each label on its edge's outer piece where it touches nothing; else beside the edge; else a
    short tag on the edge and the value in a weight key (kind 'key', placed with the legend)."""
    fan_in, fan_out = {}, {}
    for e in d.edges:
        fan_in[e.target] = fan_in.get(e.target, 0) + 1
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    seg, owner = route_segments(routes)
    placed, out, tags = [], [], 0
    for k, e in enumerate(d.edges):
        if not e.label:
            continue
        a, b = _outer_piece(routes[k])
        a, b = (b, a) if fan_in[e.target] <= fan_out[e.source] else (a, b)
        text, math = e.label, e.math or e.label
        spot = _spot(a, b, text, k, obstacles + placed, seg, owner)
        if spot is None:
            text = math = _tag(tags)
            tags += 1
            spot = _spot(a, b, text, k, obstacles + placed, seg, owner, anyway=True)
            out.append(Text(f"key_{k}", f"{text} = {e.label}", f"{text} = {e.math or e.label}", 0.0, 0.0, "key",
                            0, WEIGHT_FONT))
        placed.append(rect(spot, (text_width(text, WEIGHT_FONT) + 3, WEIGHT_FONT + 3), 1))
        sign = 0 if e.weight is None else (1 if e.weight > 0 else -1)
        out.append(Text(f"wl_{k}", text, math, spot[0], spot[1], "weight", sign, WEIGHT_FONT))
    return out


def _tag(i: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[i % 26] + (str(i // 26) if i >= 26 else "")


def _spot(a, b, text: str, k: int, taken: list, seg, owner, anyway: bool = False):
    """The first free place for `text` along the piece a -> b (from a), then beside it; the least
    bad one if `anyway`, else None."""
    wh = (text_width(text, WEIGHT_FONT) + 3, WEIGHT_FONT + 3)
    (ax, ay), (bx, by) = a, b
    length = max(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5, 1e-9)
    nx, ny = -(by - ay) / length, (bx - ax) / length          # unit normal
    side = (abs(nx) * wh[0] + abs(ny) * wh[1]) / 2 + 1.5
    spots = [(ax + f * (bx - ax), ay + f * (by - ay)) for f in _LABEL_SPOTS]
    spots += [(x + s * side * nx, y + s * side * ny) for x, y in spots for s in (1, -1)]
    best, best_cost = None, None
    for c in spots:
        r = rect(c, wh)
        cost = sum(overlap_area(r, o) for o in taken)
        cost += _CROSSING_COST * int((segment_hits(r, seg) & (owner != k)).sum())
        if cost == 0:
            return c
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = c, cost
    return best if anyway else None


def legend_entries(d: Diagram) -> list[tuple[str, str]]:
    """(glyph, text) for what the drawing uses: the colours of the signs, thickness, and node shapes."""
    weights = [e.weight for e in d.edges if e.weight is not None]
    kinds = {n.kind for n in d.nodes}
    out = []
    if any(w > 0 for w in weights):
        out.append(("positive", "positive weight"))
    if any(w < 0 for w in weights):
        out.append(("negative", "negative weight"))
    if len({abs(w) for w in weights if w}) > 1:
        out.append(("thick", "thickness: log |weight|"))
    if d.style == "paper":
        shapes = {"neuron": "applies the activation to its weighted inputs", "output": "sums its weighted inputs",
                  "bias": 'the "1" input: its weights are the biases'}
    else:
        shapes = {"neuron": "neuron: activation of its weighted inputs + bias",
                  "gate": "a gate, its neurons not drawn: the product it computes",
                  "bias": 'the "1" input: its weights are the biases', "output": "output",
                  "shared": "product reused by several terms"}
    out += [(kind, text) for kind, text in shapes.items() if kind in kinds]
    return out


def _legend(boxes, texts, pos, size, rows) -> tuple[list, list, list]:
    """A key below everything else, one row each: a glyph on the left (none for a weight's tag), its
    text on the right."""
    rects = [rect(pos[k], size[k]) for k in pos] + [b[2:] for b in boxes]
    rects += [rect((t.x, t.y), (text_width(t.text, t.size), t.size + 3)) for t in texts]
    x0, y0 = min(r[0] for r in rects), max(r[3] for r in rects) + 14
    step = LEGEND_FONT + 8
    indent = 34 if any(glyph != "key" for glyph, _, _ in rows) else 8
    width = indent + max(text_width(text, LEGEND_FONT) for _, text, _ in rows) + 8
    boxes = boxes + [("legend", "legend", x0, y0, x0 + width, y0 + step * len(rows) + 8)]
    glyphs = []
    for i, (glyph, text, math) in enumerate(rows):
        y = y0 + 4 + step * (i + 0.5)
        texts = texts + [Text(f"legend_{i}", text, math, x0 + indent + text_width(text, LEGEND_FONT) / 2, y,
                              "legend", {"positive": 1, "negative": -1}.get(glyph, 0), LEGEND_FONT)]
        glyphs += [(glyph, x0 + 5, y)] if glyph != "key" else []
    return boxes, texts, glyphs


def _translate(d: Diagram, pos: dict, size: dict, boxes: list, texts: list, routes: list, glyphs: list) -> Layout:
    """Shift everything so that the drawing starts at (0, 0); round to 0.1 pt (stable text)."""
    rects = [rect(pos[n.id], size[n.id]) for n in d.nodes]
    rects += [(b[2], b[3], b[4], b[5]) for b in boxes]
    rects += [rect((t.x, t.y), (text_width(t.text, t.size), t.size + 3)) for t in texts]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[2] for r in rects), max(r[3] for r in rects)

    def at(x, y):
        return round(x - x0, 1), round(y - y0, 1)
    pos = {k: at(*v) for k, v in pos.items()}
    boxes = tuple((b[0], b[1], *at(b[2], b[3]), *at(b[4], b[5])) for b in boxes)
    texts = tuple(Text(t.id, t.text, t.math, *at(t.x, t.y), t.kind, t.sign, t.size) for t in texts)
    routes = tuple(tuple(at(*p) for p in pts) for pts in routes)
    glyphs = tuple((g, *at(x, y)) for g, x, y in glyphs)
    return Layout(round(x1 - x0, 1), round(y1 - y0, 1), pos, size, boxes, texts, routes, glyphs)
