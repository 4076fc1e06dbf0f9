"""Diagram -> Layout: hamc's own layered layout, shared by the SVG, DOT and TikZ writers.

The layout keeps the diagram's order inside every column (neuron j of a layer is row j), places each
node or gate near the nodes it is wired to (a few barycentre sweeps, with order-preserving spacing by
isotonic regression) and spaces the columns for the edges' slopes and labels; label_placement then
routes the edges and puts every label where it collides with nothing. Plain arithmetic: deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .diagram import Diagram, Node
from .geometry import HEADER_FONT, NOTE_FONT, WEIGHT_FONT, Layout, node_size, text_width
from .label_placement import finish

MIN_PITCH = 30.0          # centre to centre of lone nodes in a column
MEMBER_GAP = 5.0          # between the neurons of one gate
ITEM_GAP = 9.0            # between gates
CLUSTER_PAD = 4.0
COLUMN_GAP = 56.0
ROW_GAP = 30.0            # between the rows of a top-to-bottom diagram


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
    pools: list[list[float]] = []      # [mean, weight, count]
    for t, w in zip(targets, weights):
        pools.append([t, w, 1])
        while len(pools) > 1 and pools[-2][0] > pools[-1][0]:
            m2, w2, c2 = pools.pop()
            m1, w1, c1 = pools.pop()
            pools.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out = []
    for m, _, c in pools:
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


def _layout_down(d: Diagram, size: dict) -> dict:
    """Ranks as rows, top to bottom, each row centred."""
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
    return pos


def layout(d: Diagram, *, legend: bool = False) -> Layout:
    """Positions of every node, gate frame, label and edge line; `legend` adds a key to colours,
    thicknesses and shapes below the drawing."""
    size = {n.id: node_size(n, d.style) for n in d.nodes}
    if d.direction == "down":
        return finish(d, _layout_down(d, size), size, [], legend=legend)
    cols = _Columns(d, size)
    cols.sweeps()
    x_of = cols.x_positions()
    pos = {n.id: (x_of[n.rank], cols.y(n.id)) for n in d.nodes}
    boxes = [(it.cluster, "gate", x_of[r] - it.width / 2, it.top, x_of[r] + it.width / 2, it.top + it.height)
             for r in cols.ranks for it in cols.items[r] if it.cluster is not None]
    return finish(d, pos, size, boxes, legend=legend)


class _Columns:
    """The items (lone nodes, gates) of every column and their vertical places."""

    def __init__(self, d: Diagram, size: dict):
        self.d, self.size = d, size
        self.by_id = {n.id: n for n in d.nodes}
        cluster_label = {cid: text for cid, text, _ in d.clusters}
        self.ranks = sorted({n.rank for n in d.nodes})
        self.columns = {r: [n for n in d.nodes if n.rank == r] for r in self.ranks}
        self.crowd = _label_crowd(d)
        need = {r: min(0.85 * (WEIGHT_FONT + 4) * max([self.crowd.get(n.id, 0) for n in self.columns[r]]), 72.0)
                for r in self.ranks}
        self.items = {r: _items(self.columns[r], size, cluster_label, need[r]) for r in self.ranks}
        self.where = {m: (it, off) for r in self.ranks for it in self.items[r] for m, off in zip(it.members, it.offsets)}
        self.preds: dict[str, list[str]] = {n.id: [] for n in d.nodes}
        self.succs: dict[str, list[str]] = {n.id: [] for n in d.nodes}
        for e in d.edges:
            if self.by_id[e.source].rank != self.by_id[e.target].rank:
                self.preds[e.target].append(e.source)
                self.succs[e.source].append(e.target)
        self.pitch = self._pitches(need)
        for r in self.ranks:                      # start: each column stacked, centred on 0
            its = self.items[r]
            _place(its, [None] * len(its), [1.0] * len(its), self.pitch[r])
            mid = (its[0].top + its[-1].top + its[-1].height) / 2 if its else 0.0
            for it in its:
                it.top -= mid

    def y(self, nid: str) -> float:
        it, off = self.where[nid]
        return it.top + off

    def _pitches(self, need: dict) -> dict:
        """A short column of lone nodes (inputs beside a tall layer) is spread over part of its
        neighbours' height."""
        ranks, items = self.ranks, self.items
        stacked = {r: sum(it.height for it in items[r]) + ITEM_GAP * (len(items[r]) - 1) for r in ranks}
        pitch = {}
        for i, r in enumerate(ranks):
            near = [stacked[q] for q in ranks[max(0, i - 1):i + 2] if q != r]
            lone = all(it.cluster is None for it in items[r])
            pitch[r] = min(max(MIN_PITCH, 0.7 * max(near) / len(items[r])), 72.0) if lone and near else MIN_PITCH
            pitch[r] = max(pitch[r], need[r])
        return pitch

    def sweeps(self) -> None:
        for _ in range(3):
            self._sweep(self.ranks[1:], self.preds, True)
            self._sweep(self.ranks[-2::-1], self.succs, False)
        self._sweep(self.ranks[1:], self.preds, False)

    def _desired(self, it: _Item, nbrs: dict) -> tuple[float | None, float]:
        if len(it.members) == 1 and self.by_id[it.members[0]].kind == "bias":
            # a "1" input sits below what it feeds, so the lines it draws cross nothing
            targets = [self.y(t) for t in self.succs[it.members[0]]]
            return (max(targets) + MIN_PITCH - it.offsets[0] if targets else None), 1.0
        vals = [float(np.mean([self.y(p) for p in nbrs[m]])) - off for m, off in zip(it.members, it.offsets) if nbrs[m]]
        return (float(np.mean(vals)) if vals else None), (float(len(vals)) or 1.0)

    def _sweep(self, order, nbrs, reorder: bool) -> None:
        for r in order:
            desired, weights = zip(*[self._desired(it, nbrs) for it in self.items[r]]) if self.items[r] else ((), ())
            desired, weights = list(desired), list(weights)
            if reorder:     # gates (never the neurons inside one) move next to what feeds them;
                # inputs, outputs and "1" nodes keep their places
                keys = [(it.top if d is None else d) + it.height / 2 for it, d in zip(self.items[r], desired)]
                slots = [i for i, it in enumerate(self.items[r])
                         if all(self.by_id[m].kind in ("neuron", "gate", "shared", "sum") for m in it.members)]
                perm = list(range(len(keys)))
                for slot, i in zip(slots, sorted(slots, key=lambda i: (round(keys[i], 6), i))):
                    perm[slot] = i
                self.items[r] = [self.items[r][i] for i in perm]
                desired = [desired[i] for i in perm]
                weights = [weights[i] for i in perm]
            _place(self.items[r], desired, weights, self.pitch[r])

    def x_positions(self) -> dict:
        """Column centres: gaps wide enough for the edges' slopes and their labels."""
        by_id, d, ranks = self.by_id, self.d, self.ranks
        col_w = {r: max(it.width for it in self.items[r]) for r in ranks}
        x_of, x = {}, 0.0
        for i, r in enumerate(ranks):
            if i:
                prev = ranks[i - 1]
                between = [e for e in d.edges if by_id[e.source].rank == prev and by_id[e.target].rank == r]
                gap = COLUMN_GAP
                slopes = [abs(self.y(e.target) - self.y(e.source)) for e in between]
                if slopes:
                    gap = max(gap, min(0.22 * max(slopes), 130.0))
                label_w = [text_width(e.label, WEIGHT_FONT) for e in d.edges
                           if e.label and by_id[e.source].rank < r <= by_id[e.target].rank]
                if label_w:
                    crowded = max([self.crowd.get(n.id, 0) for n in self.columns[prev] + self.columns[r]] + [1])
                    gap = max(gap, (1.6 + 0.3 * crowded) * max(label_w) + 40, 130.0)
                x += col_w[prev] / 2 + gap + col_w[r] / 2
            x_of[r] = x
        return x_of


def _label_crowd(d: Diagram) -> dict[str, int]:
    """Weight labels per node at the quieter end of their edges, where they will sit."""
    fan_in, fan_out = {}, {}
    for e in d.edges:
        fan_in[e.target] = fan_in.get(e.target, 0) + 1
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    crowd: dict[str, int] = {}
    for e in d.edges:
        if e.label:
            end = e.target if fan_in[e.target] <= fan_out[e.source] else e.source
            crowd[end] = crowd.get(end, 0) + 1
    return crowd
