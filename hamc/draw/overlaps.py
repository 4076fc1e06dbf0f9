"""Layout -> Overlaps: the collisions a reader would see (node/node, frame/frame, label/label,
label/node, a label crossed by an edge), counted from the boxes the layout computed."""
from __future__ import annotations

from dataclasses import dataclass

from .diagram import Diagram
from .geometry import Layout, node_box, route_segments, segment_hits, text_box

_EPS = 0.05        # pt: boxes that only touch do not overlap (positions are rounded to 0.1 pt)


@dataclass(frozen=True)
class Overlaps:
    node_node: int
    frame_frame: int
    label_label: int
    label_node: int
    label_edge: int         # a label with a line through it that is not its own edge

    @property
    def total(self) -> int:
        return self.node_node + self.frame_frame + self.label_label + self.label_node + self.label_edge


def _hit(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > _EPS and min(a[3], b[3]) - max(a[1], b[1]) > _EPS


def _inside(a, b) -> bool:
    """a lies within b."""
    return a[0] >= b[0] - _EPS and a[1] >= b[1] - _EPS and a[2] <= b[2] + _EPS and a[3] <= b[3] + _EPS


def _pairs(rects: list) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects)) if _hit(rects[i], rects[j])]


def overlaps(d: Diagram, lay: Layout) -> Overlaps:
    nodes = [(n.id, node_box(lay, n.id)) for n in d.nodes]
    texts = [(t, text_box(t)) for t in lay.texts]
    boxes = [b[2:] for b in lay.boxes]
    frame_frame = sum(1 for i, j in _pairs(boxes) if not (_inside(boxes[i], boxes[j]) or _inside(boxes[j], boxes[i])))
    label_node = sum(1 for _, r in texts for _, q in nodes if _hit(r, q))
    seg, owner = route_segments(lay.routes)
    label_edge = 0
    for t, r in texts:
        hits = segment_hits(r, seg)
        if t.kind == "weight":
            hits &= owner != int(t.id[3:])         # "wl_<edge index>": a label may sit on its own edge
        label_edge += int(hits.any())
    return Overlaps(len(_pairs([q for _, q in nodes])), frame_frame, len(_pairs([r for _, r in texts])),
                    label_node, label_edge)

