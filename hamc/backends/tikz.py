"""Diagram -> standalone TikZ picture for LaTeX, laid out in hamc's own ranked columns."""
from __future__ import annotations

from ..diagram import Diagram

COLUMN_CM, ROW_CM = 3.0, 0.9
# styles are prefixed with h: TikZ already owns keys such as `out` and `pos`
_STYLE = {
    "input": "hinp", "neuron": "hneu", "output": "hout", "bias": "hbias", "gate": "hgate", "shared": "hshared",
    "block": "hblock",
}
_PREAMBLE = r"""\documentclass[tikz,border=4pt]{standalone}
\usepackage{amsmath}
\usetikzlibrary{fit}
\begin{document}
\begin{tikzpicture}[
  hneu/.style={circle, draw, minimum size=7mm, inner sep=0pt, font=\small},
  hinp/.style={font=\small},
  hout/.style={draw, rounded corners, font=\small},
  hbias/.style={draw, gray, minimum size=5mm, font=\scriptsize},
  hgate/.style={draw, rounded corners, font=\small},
  hshared/.style={draw, rounded corners, very thick, fill=yellow!15, font=\small},
  hblock/.style={draw, rounded corners, align=center, font=\small},
  hpos/.style={->, >=stealth, draw=blue!70!black},
  hneg/.style={->, >=stealth, draw=red!70!black},
  hplain/.style={->, >=stealth, draw=gray},
  hwlabel/.style={font=\tiny, fill=white, inner sep=1pt},
]"""


def _width(weight, lo, hi) -> float:
    import math
    if not weight or hi == lo:
        return 0.6
    return round(0.3 + 1.2 * (math.log10(abs(weight)) - lo) / (hi - lo), 2)


def to_tikz(diagram: Diagram) -> str:
    import math
    columns: dict[int, list] = {}
    for n in diagram.nodes:
        columns.setdefault(n.rank, []).append(n)
    lines = [_PREAMBLE]
    for rank in sorted(columns):
        col = columns[rank]
        for i, n in enumerate(col):
            y = -(i - (len(col) - 1) / 2) * ROW_CM
            note = f", label=below:{{\\tiny ${n.note_math or n.note}$}}" if n.note else ""
            content = n.math if n.kind == "block" else f"${n.math}$"
            lines.append(f"  \\node[{_STYLE.get(n.kind, 'hneu')}{note}] ({n.id}) at ({rank * COLUMN_CM:.2f},{y:.2f}) "
                         f"{{{content}}};")
    members: dict[str, list[str]] = {}
    for n in diagram.nodes:
        if n.cluster:
            members.setdefault(n.cluster, []).append(n.id)
    for cid, _, math_label in diagram.clusters:
        if cid in members:
            fit = "".join(f"({m})" for m in members[cid])
            lines.append(f"  \\node[draw=gray!60, rounded corners, inner sep=2pt, fit={fit}, "
                         f"label={{[font=\\tiny]above:${math_label}$}}] {{}};")
    mags = [math.log10(abs(e.weight)) for e in diagram.edges if e.weight]
    lo, hi = (min(mags), max(mags)) if mags else (0.0, 0.0)
    for e in diagram.edges:
        style = "hplain" if e.weight is None else ("hpos" if e.weight > 0 else "hneg")
        label = e.math or (e.label.replace("e", r"\mathrm{e}") if e.label else "")
        node = f" node[hwlabel, pos=0.6] {{${label}$}}" if label else ""
        lines.append(f"  \\draw[{style}, line width={_width(e.weight, lo, hi)}pt] ({e.source}) --{node} ({e.target});")
    lines += [r"\end{tikzpicture}", r"\end{document}", ""]
    return "\n".join(lines)
