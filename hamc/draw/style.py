"""One drawing style for the SVG, DOT and TikZ writers: colours by sign, pen widths by |weight|, shapes."""
from __future__ import annotations

import math

from .diagram import Diagram

POSITIVE, NEGATIVE, NEUTRAL = "#2166ac", "#b2182b", "#555555"
FRAME, SITE_FRAME, TEXT, NOTE = "#a0a0a0", "#777777", "#333333", "#444444"
SHARED_FILL, BLOCK_FILL = "#fff2cc", "#f5f5f5"
FONT = "Helvetica,Arial,sans-serif"    # a family list: fontconfig may otherwise pick a serif "Helvetica"
STYLES = ("hamc", "paper")


def edge_color(weight: float | None) -> str:
    return NEUTRAL if weight is None else POSITIVE if weight > 0 else NEGATIVE


def pen_range(diagram: Diagram) -> tuple[float, float]:
    """Thinnest and thickest pen (pt): thinner where many edges share the picture."""
    return (0.5, 2.6) if len(diagram.edges) <= 40 else (0.4, 1.6)


def arrow_length(diagram: Diagram) -> float:
    """Arrowhead length (pt); the paper's style draws none (its figures read left to right)."""
    if diagram.style == "paper":
        return 0.0
    return 4.0 if len(diagram.edges) > 40 else 5.0


def pen_widths(diagram: Diagram) -> list[float]:
    """Pen width per edge: by log-magnitude of its weight within this diagram (0.9 for unweighted)."""
    mags = [math.log10(abs(e.weight)) for e in diagram.edges if e.weight]
    lo, hi = (min(mags), max(mags)) if mags else (0.0, 0.0)
    thin, thick = pen_range(diagram)
    out = []
    for e in diagram.edges:
        if e.weight is None or not e.weight:
            out.append(0.9 if e.weight is None else thin)
            continue
        frac = 0.5 if hi == lo else (math.log10(abs(e.weight)) - lo) / (hi - lo)
        out.append(round(thin + (thick - thin) * frac, 2))
    return out


def shape(diagram: Diagram, kind: str) -> str:
    """The outline a node kind is drawn with: the paper's style draws activations as squares and sums
    as circles (its Fig. 2); hamc's style draws neurons as circles and outputs as rounded boxes."""
    if diagram.style == "paper":
        return {"neuron": "square", "output": "circle", "sum": "circle", "bias": "circle"}.get(kind, _HAMC[kind])
    return _HAMC[kind]


_HAMC = {"input": "none", "neuron": "circle", "sum": "circle", "output": "rounded", "bias": "square",
         "gate": "rounded", "shared": "rounded", "block": "rounded"}
