"""Compiled network or paper figure -> Diagram -> files (.svg by hamc; .dot always; .pdf/.png via Graphviz; .tex)."""
from __future__ import annotations

from pathlib import Path

from .dot import INSTALL_HINT, PNG_DPI, RENDER_FORMATS, dot_available, render, to_dot
from ..io.atomic import write_atomic
from .svg import to_svg
from .tikz import to_tikz
from .diagram import (NEURON_VIEW_MAX_COLUMN, NEURON_VIEW_MAX_EDGES, NEURON_VIEW_MAX_NODES, Diagram,
                      blocks_diagram, check_network_labels, fits_neuron_view, input_names, network_diagram,
                      neuron_view_rows, neuron_view_size, plan_diagram)
from .gate_view import gate_diagram
from .layout import layout as diagram_layout
from ..errors import HamcError


def _error(message: str) -> HamcError:
    return HamcError(message, filename="hamc")

VIEWS = ("auto", "neurons", "plan", "blocks")
FORMATS = ("dot", "tex") + RENDER_FORMATS
NEURON_VIEW_HARD_MAX = 5000
# a drawing taller than this (points; 1.4 m, an A0 poster's height with margins) is no page's
PAGE_MAX_POINTS = 4000.0
TEX_MAX_POINTS = 16000.0   # TeX's largest dimension is 16383.99 pt
ROW_POINTS = 30.0          # a neuron (or a gate's label) takes about this much height in a column


def choose_view(compiled, view: str) -> tuple[str, str]:
    """The view to draw, and a note saying why when hamc chose it."""
    net = compiled.network
    if view not in VIEWS:
        raise _error(f"unknown view '{view}'; choose one of {', '.join(VIEWS)}")
    tree = net.meta.get("strategy") == "tree" and compiled.plan is not None
    column, nodes, edges = neuron_view_size(net)
    if view == "plan" and not tree:
        raise _error(f"the plan view shows a product tree; this network uses the "
                        f"{net.meta.get('strategy')} strategy: use --view neurons or blocks")
    if view == "neurons" and nodes > NEURON_VIEW_HARD_MAX:
        raise _error(f"{nodes:,} neurons are too many to draw one by one (limit {NEURON_VIEW_HARD_MAX:,}): "
                        f"use --view blocks{' or plan' if tree else ''}")
    tall = neuron_view_rows(net) * ROW_POINTS
    if view == "neurons" and tall > PAGE_MAX_POINTS:
        raise _error(f"--view neurons: {column:,} neurons in one layer make a drawing about {tall / 72 * 2.54:,.0f} cm "
                     f"tall, more than a page shows ({PAGE_MAX_POINTS / 72 * 2.54:.0f} cm): use --view blocks"
                     f"{' or --view plan' if tree else ''}")
    if view != "auto":
        return view, ""
    if fits_neuron_view(net):
        return "neurons", ""
    why = (f"{column:,} neurons in one layer" if column > NEURON_VIEW_MAX_COLUMN
           else f"{nodes:,} neurons and {edges:,} synapses" if nodes > NEURON_VIEW_MAX_NODES
           or edges > NEURON_VIEW_MAX_EDGES else f"{column:,} neurons and their gate labels in one layer")
    return "blocks", (f"note: {why} are too many to draw one by one legibly; drawing the blocks view "
                      f"(--view neurons to draw every neuron{', --view plan for the product tree' if tree else ''})")


def network_drawing(compiled, view: str, *, labels: str = "none", biases: str = "annotate",
                    detail: str = "neurons") -> Diagram:
    title = Path(str(compiled.hamiltonian.source)).stem
    if view == "neurons" and detail == "gates":
        d = gate_diagram(compiled.network, title=title)
        column = max(sum(1 for n in d.nodes if n.rank == r) for r in {n.rank for n in d.nodes})
        if column * ROW_POINTS > PAGE_MAX_POINTS:
            raise _error(f"--detail gates: {column:,} gates in one layer make a drawing about "
                         f"{column * ROW_POINTS / 72 * 2.54:,.0f} cm tall, more than a page shows "
                         f"({PAGE_MAX_POINTS / 72 * 2.54:.0f} cm): use --view blocks")
        return d
    if view == "neurons":
        try:                        # only the user's choice of labels is refused; anything else is a bug
            check_network_labels(labels, biases)
        except ValueError as exc:
            raise _error(str(exc)) from None
        return network_diagram(compiled.network, labels=labels, biases=biases, title=title)
    if view == "plan":
        shared = getattr(compiled.network, "shared", None) is not None
        return plan_diagram(compiled.plan, input_names(compiled.network),
                            title=title + (": the products at each lattice site" if shared else ""))
    if view == "blocks":
        return blocks_diagram(compiled.network, title=title)
    raise _error(f"unknown view '{view}'; choose one of {', '.join(VIEWS[1:])}")


def write_drawing(diagram: Diagram, stem: Path, fmt: str, *, legend: bool = False, dpi: int = PNG_DPI) -> list[Path]:
    """Write `stem.dot` (always, so a missing Graphviz still leaves the graph) and `stem.fmt`; SVG is
    drawn by hamc itself, PDF and PNG by Graphviz from the .dot file."""
    if fmt not in FORMATS:
        raise _error(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    stem = Path(stem)

    def path(ext: str) -> Path:             # stem + ext, even when the stem has a dot in it
        return stem.parent / (stem.name + ext)

    lay = diagram_layout(diagram, legend=legend)
    dot_text = to_dot(diagram, lay)
    dot_path = write_atomic(path(".dot"), dot_text.encode())
    written = [dot_path]
    if fmt == "tex":
        if max(lay.width, lay.height) > TEX_MAX_POINTS:
            raise _error(f"wrote {dot_path}, but this drawing is {max(lay.width, lay.height) / 72 * 2.54:,.0f} cm "
                         f"across, more than TeX can place ({TEX_MAX_POINTS / 72 * 2.54:.0f} cm): draw it as svg, "
                         "or use --view blocks")
        written.append(write_atomic(path(".tex"), to_tikz(diagram, lay).encode()))
    elif fmt == "svg":
        written.append(write_atomic(path(".svg"), to_svg(diagram, lay).encode()))
    elif fmt in RENDER_FORMATS:
        if not dot_available():
            raise _error(f"wrote {dot_path}, but rendering {fmt} needs Graphviz's 'dot' program, which is not "
                            f"installed (not on PATH). {INSTALL_HINT} and run again, or render it elsewhere: "
                            f"dot -T{fmt} {dot_path} -o {path('.' + fmt)}")
        written.append(write_atomic(path("." + fmt), render(dot_text, fmt, dpi=dpi)))
    return written
