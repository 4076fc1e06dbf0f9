"""Diagram -> Layout: hamc's own layered layout, shared by the DOT and TikZ writers.

The layout keeps the diagram's order inside every column (neuron j of a layer is row j), places each
node or gate near the nodes it is wired to (a few barycentre sweeps, with order-preserving spacing by
isotonic regression), reserves room for gate labels and annotations, and puts weight labels on their
edges where they collide with nothing else. It is plain arithmetic on the diagram: deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .diagram import Diagram, Edge, Node

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

    def sweep(order, nbrs, reorder: bool):
        for r in order:
            desired, weights = [], []
            for it in items[r]:
                if len(it.members) == 1 and by_id[it.members[0]].kind == "bias":
                    # a "1" input sits below what it feeds, so the lines it draws cross nothing
                    targets = [y(t) for t in succs[it.members[0]]]
                    desired.append(max(targets) + MIN_PITCH - it.offsets[0] if targets else None)
                    weights.append(1.0)
                    continue
                vals = [float(np.mean([y(p) for p in nbrs[m]])) - off
                        for m, off in zip(it.members, it.offsets) if nbrs[m]]
                desired.append(float(np.mean(vals)) if vals else None)
                weights.append(float(len(vals)) or 1.0)
            if reorder:     # gates (never the neurons inside one) move next to what feeds them;
                # inputs, outputs and "1" nodes keep their places
                keys = [(it.top if d is None else d) + it.height / 2 for it, d in zip(items[r], desired)]
                slots = [i for i, it in enumerate(items[r])
                         if all(by_id[m].kind in ("neuron", "gate", "shared") for m in it.members)]
                perm = list(range(len(keys)))
                for slot, i in zip(slots, sorted(slots, key=lambda i: (round(keys[i], 6), i))):
                    perm[slot] = i
                items[r] = [items[r][i] for i in perm]
                desired = [desired[i] for i in perm]
                weights = [weights[i] for i in perm]
            _place(items[r], desired, weights, pitch[r])

    for _ in range(3):
        sweep(ranks[1:], preds, True)
        sweep(ranks[-2::-1], succs, False)
    sweep(ranks[1:], preds, False)

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
        ends.append((_port_point(pos[e.source], size[e.source], tail),
                     _port_point(pos[e.target], size[e.target], head)))
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
