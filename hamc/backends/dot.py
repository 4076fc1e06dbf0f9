"""Diagram -> Graphviz DOT text (deterministic), and DOT -> svg/pdf/png through Graphviz's `dot`."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from ..diagram import Diagram
from ..errors import HamcError

POSITIVE, NEGATIVE, NEUTRAL = "#2166ac", "#b2182b", "#555555"
RENDER_FORMATS = ("svg", "pdf", "png")
_NODE_STYLE = {
    "input": 'shape=plaintext, fontsize=11',
    "neuron": 'shape=circle, fixedsize=true, width=0.42, fontsize=10',
    "output": 'shape=box, style=rounded, fontsize=11',
    "bias": 'shape=square, fixedsize=true, width=0.3, fontsize=9, color="#888888"',
    "gate": 'shape=box, style=rounded, fontsize=10',
    "shared": 'shape=box, style="rounded,filled,bold", fillcolor="#fff2cc", fontsize=10',
    "block": 'shape=box, style=rounded, fontsize=10',
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _widths(diagram: Diagram) -> dict[int, float]:
    """Pen width per edge, by log-magnitude of its weight within this diagram (0.4 to 2.6 pt)."""
    mags = np.array([abs(e.weight) for e in diagram.edges if e.weight], dtype=np.float64)
    if not len(mags):
        return {}
    lo, hi = np.log10(mags.min()), np.log10(mags.max())
    out = {}
    for k, e in enumerate(diagram.edges):
        if e.weight:
            frac = 0.5 if hi == lo else (np.log10(abs(e.weight)) - lo) / (hi - lo)
            out[k] = round(0.4 + 2.2 * float(frac), 2)
    return out


def to_dot(diagram: Diagram) -> str:
    lines = [f"digraph {_quote(diagram.title or 'hamc')} {{",
             '  graph [rankdir=LR, splines=line, nodesep=0.12, ranksep=1.1, fontname="Helvetica", '
             'forcelabels=true' + (f", label={_quote(diagram.title)}, labelloc=t" if diagram.title else "") + "];",
             '  node [fontname="Helvetica"];',
             '  edge [arrowsize=0.35, fontname="Helvetica", fontsize=8];']
    members: dict[str, list[str]] = {}
    for n in diagram.nodes:
        if n.cluster:
            members.setdefault(n.cluster, []).append(n.id)
    for n in diagram.nodes:
        note = f", xlabel={_quote(n.note)}" if n.note else ""
        lines.append(f"  {n.id} [label={_quote(n.label)}, {_NODE_STYLE.get(n.kind, _NODE_STYLE['neuron'])}{note}];")
    for cid, label, _ in diagram.clusters:
        if cid in members:
            lines.append(f"  subgraph cluster_{cid} {{ label={_quote(label)}; fontsize=9; style=rounded; "
                         f'color="#aaaaaa"; {"; ".join(members[cid])}; }}')
    ranks: dict[int, list[str]] = {}
    for n in diagram.nodes:
        if not n.cluster:
            ranks.setdefault(n.rank, []).append(n.id)
    for rank in sorted(ranks):
        lines.append(f"  {{ rank=same; {'; '.join(ranks[rank])}; }}")
    widths = _widths(diagram)
    fan_in, fan_out = {}, {}
    for e in diagram.edges:
        fan_in[e.target] = fan_in.get(e.target, 0) + 1
        fan_out[e.source] = fan_out.get(e.source, 0) + 1
    for k, e in enumerate(diagram.edges):
        attrs = []
        if e.weight is not None:
            attrs.append(f'color="{POSITIVE if e.weight > 0 else NEGATIVE}"')
            attrs.append(f"penwidth={widths.get(k, 0.4)}")
        else:
            attrs.append(f'color="{NEUTRAL}"')
        if e.label:
            # a weight label sits at the end of the edge where fewer edges meet, so labels do not pile up
            end = "headlabel" if fan_in[e.target] <= fan_out[e.source] else "taillabel"
            attrs.append(f"{end}={_quote(e.label)}, labeldistance=2.2, labelangle=25")
        lines.append(f"  {e.source} -> {e.target} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str) -> bytes:
    """Render DOT text with Graphviz; a clear HamcError if `dot` is missing or fails."""
    if fmt not in RENDER_FORMATS:
        raise HamcError(f"cannot render to '{fmt}'; choose one of {', '.join(RENDER_FORMATS)}")
    if not dot_available():
        raise HamcError(f"rendering {fmt} needs Graphviz's 'dot', which is not installed; the .dot file "
                        "was written. Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: "
                        "brew install graphviz; conda: conda install graphviz) and run again")
    done = subprocess.run(["dot", f"-T{fmt}"], input=dot_text.encode(), capture_output=True, timeout=600)
    if done.returncode != 0:
        raise HamcError(f"Graphviz failed to render {fmt}: {done.stderr.decode(errors='replace').strip()[:500]}")
    return done.stdout
