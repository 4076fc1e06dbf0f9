"""Diagram -> standalone TikZ picture for LaTeX, at the positions of hamc's own layout (diagram.layout).

Coordinates are the layout's points (1 bp each, y downwards), so the .tex and the Graphviz drawing
show the same picture; labels are LaTeX math. Gate frames sit on a background layer, edges above
them, nodes and labels (on white) on top.
"""
from __future__ import annotations

from .diagram import Diagram
from .geometry import BIAS_SIZE, NEURON_SIZE, Layout
from .layout import layout
from .style import arrow_length, pen_widths, shape

_STYLE = {
    "input": "hinp", "neuron": "hneu", "output": "hout", "bias": "hbias", "gate": "hgate", "shared": "hshared",
    "block": "hblock",
}
# styles are prefixed with h: TikZ already owns keys such as `out` and `pos`
_PREAMBLE = r"""\documentclass[tikz,border=4pt]{standalone}
\usepackage{amsmath}
\definecolor{hpositive}{HTML}{2166AC}
\definecolor{hnegative}{HTML}{B2182B}
\definecolor{hneutral}{HTML}{555555}
\pgfdeclarelayer{hframes}
\pgfdeclarelayer{hedges}
\pgfsetlayers{hframes,hedges,main}
\begin{document}
\begin{tikzpicture}[x=1bp, y=-1bp,
  hneu/.style={circle, draw, fill=white, minimum size=%(neuron)sbp, inner sep=0pt},
  hsquare/.style={rectangle, draw, fill=white, minimum size=%(neuron)sbp, inner sep=0pt},
  hcircle/.style={circle, draw, fill=white, inner sep=1pt},
  hinp/.style={inner sep=1.5pt},
  hout/.style={draw, rounded corners=3pt, fill=white, inner sep=3pt},
  hbias/.style={draw=gray, minimum size=%(bias)sbp, inner sep=0pt, font=\small},
  hgate/.style={draw, rounded corners=3pt, fill=white, inner sep=3pt},
  hshared/.style={draw, very thick, rounded corners=3pt, fill=yellow!20, inner sep=3pt},
  hblock/.style={draw, rounded corners=3pt, fill=gray!8, align=center, inner sep=4pt, font=\small},
  hframe/.style={draw=gray!70, rounded corners=4pt},
  hsite/.style={draw=gray, dashed, rounded corners=6pt},
  hedge/.style={->, >=stealth},
  htext/.style={fill=white, inner sep=0.6pt},
  hheader/.style={htext, font=\footnotesize},
  hnote/.style={htext, font=\scriptsize, text=black!75},
  hweight/.style={htext, font=\footnotesize},
  hlegend/.style={inner sep=0.6pt, font=\scriptsize},
]"""


_SPECIAL = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "{": r"\{",
            "}": r"\}", "$": r"\$", "^": r"\^{}", "~": r"\~{}", "λ": r"$\lambda$", "β": r"$\beta$",
            "σ": r"$\sigma$", "θ": r"$\theta$", "Σ": r"$\Sigma$", "·": r"$\cdot$", "⋯": r"$\cdots$",
            "×": r"$\times$", "²": r"$^2$", "'": "'"}
_SPECIAL.update({chr(0x2080 + d): f"$_{d}$" for d in range(10)})


def tex_text(text: str) -> str:
    """Plain text (a title) -> LaTeX text: specials escaped, Greek and symbols as math, other
    non-ASCII characters as '?', so pdflatex never meets an unknown character."""
    return "".join(_SPECIAL.get(c, c if ord(c) < 128 else "?") for c in text).replace("''", "$''$")


def _glyph(diagram: Diagram, glyph: str, x: float, y: float) -> str:
    """A legend sample: a line in the sign's colour, a thin and a thick line, or a node's outline."""
    if glyph in ("positive", "negative"):
        return f"  \\draw[draw=h{glyph}, line width=1.5bp] ({x:.1f},{y:.1f}) -- ({x + 24:.1f},{y:.1f});"
    if glyph == "thick":
        return (f"  \\draw[draw=hneutral, line width=0.5bp] ({x:.1f},{y - 3:.1f}) -- ({x + 24:.1f},{y - 3:.1f}); "
                f"\\draw[draw=hneutral, line width=2.5bp] ({x:.1f},{y + 3:.1f}) -- ({x + 24:.1f},{y + 3:.1f});")
    outline = shape(diagram, glyph)
    form = {"circle": "circle, minimum size=10bp", "square": "minimum size=10bp"}.get(
        outline, "rounded corners=2pt, minimum size=10bp")
    fill = "yellow!20" if glyph == "shared" else "white"
    return f"  \\node[draw, fill={fill}, inner sep=0pt, {form}] at ({x + 12:.1f},{y:.1f}) {{}};"


def _content(n) -> str:
    if n.kind == "block":
        return n.math
    return f"${n.math}$"


def _in_math(text: str) -> str:
    r"""Wrap for a node: '\text{...}' headers and math alike go in $...$."""
    return f"${text}$"


def to_tikz(diagram: Diagram, lay: Layout | None = None) -> str:
    lay = layout(diagram) if lay is None else lay
    lines = [_PREAMBLE % {"neuron": f"{NEURON_SIZE:g}", "bias": f"{BIAS_SIZE:g}"}]
    if diagram.title:
        title = r" \\ ".join(tex_text(line) for line in diagram.title.split("\n"))
        lines.append(f"  \\node[anchor=south, font=\\small, align=center] at ({lay.width / 2:.1f},-8) {{{title}}};")
    for n in diagram.nodes:
        x, y = lay.pos[n.id]
        style = _STYLE.get(n.kind, "hneu")
        outline = shape(diagram, n.kind)
        if outline in ("square", "circle") and n.kind != "bias":
            style = "hsquare" if outline == "square" else "hcircle"
            style += f", minimum size={lay.size[n.id][0]:.1f}bp" if outline == "circle" else ""
        elif n.kind in ("output", "gate", "shared", "block"):     # the size hamc's layout gave the box
            w, h = lay.size[n.id]
            style += f", minimum width={w:.1f}bp, minimum height={h:.1f}bp"
        lines.append(f"  \\node[{style}] ({n.id}) at ({x:.1f},{y:.1f}) {{{_content(n)}}};")
    lines.append(r"  \begin{pgfonlayer}{hframes}")
    for bid, kind, x0, y0, x1, y1 in lay.boxes:
        style = "hsite" if kind == "frame" else "hframe"
        lines.append(f"    \\draw[{style}] ({x0:.1f},{y0:.1f}) rectangle ({x1:.1f},{y1:.1f});")
    lines.append(r"  \end{pgfonlayer}")
    lines.append(r"  \begin{pgfonlayer}{hedges}")
    arrow = "hedge, " if arrow_length(diagram) else ""
    for e, points, pen in zip(diagram.edges, lay.routes, pen_widths(diagram)):
        color = "hneutral" if e.weight is None else ("hpositive" if e.weight > 0 else "hnegative")
        line = " -- ".join(f"({x:.1f},{y:.1f})" for x, y in points)
        lines.append(f"    \\draw[{arrow}draw={color}, line width={pen:g}bp] {line};")
    lines.append(r"  \end{pgfonlayer}")
    for t in lay.texts:
        style = {"header": "hheader", "note": "hnote", "weight": "hweight", "legend": "hlegend"}[t.kind]
        color = {1: ", text=hpositive", -1: ", text=hnegative"}.get(t.sign, "")
        body = tex_text(t.text) if t.kind == "legend" and t.math == t.text else _in_math(t.math)
        lines.append(f"  \\node[{style}{color}] at ({t.x:.1f},{t.y:.1f}) {{{body}}};")
    lines += [_glyph(diagram, *g) for g in lay.glyphs]
    lines += [r"\end{tikzpicture}", r"\end{document}", ""]
    return "\n".join(lines)
