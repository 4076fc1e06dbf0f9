"""Compiled network or paper figure -> Diagram -> files (.dot always; .svg/.pdf/.png via Graphviz; .tex)."""
from __future__ import annotations

from pathlib import Path

from .backends.dot import RENDER_FORMATS, render, to_dot
from .backends.files import write_atomic
from .backends.tikz import to_tikz
from .diagram import Diagram, blocks_diagram, fits_neuron_view, network_diagram, plan_diagram
from .errors import HamcError

VIEWS = ("auto", "neurons", "plan", "blocks")
FORMATS = ("dot", "tex") + RENDER_FORMATS
NEURON_VIEW_HARD_MAX = 5000


def choose_view(compiled, view: str) -> tuple[str, str]:
    """The view to draw, and a note saying why when hamc chose it."""
    net = compiled.network
    if view != "auto":
        if view == "plan" and net.meta.get("strategy") != "tree":
            raise HamcError(f"the plan view shows a product tree; this network uses the "
                            f"{net.meta.get('strategy')} strategy: use --view neurons or blocks")
        if view == "neurons" and len(net.inputs) + net.hidden_neurons > NEURON_VIEW_HARD_MAX:
            raise HamcError(f"{net.hidden_neurons:,} neurons are too many to draw one by one "
                            f"(limit {NEURON_VIEW_HARD_MAX:,}): use --view blocks or plan")
        return view, ""
    if fits_neuron_view(net):
        return "neurons", ""
    return "blocks", (f"note: {net.hidden_neurons:,} hidden neurons and {net.synapses:,} synapses are too many to "
                      "draw one by one; drawing the blocks view (--view plan or neurons to choose)")


def network_drawing(compiled, view: str, *, labels: str = "none", biases: str = "annotate") -> Diagram:
    title = Path(compiled.hamiltonian.source).stem
    if view == "neurons":
        return network_diagram(compiled.network, labels=labels, biases=biases, title=title)
    if view == "plan":
        return plan_diagram(compiled.plan, compiled.network.inputs, title=title)
    return blocks_diagram(compiled.network, title=title)


def write_drawing(diagram: Diagram, stem: Path, fmt: str) -> list[Path]:
    """Write `stem.dot` (always, so a missing Graphviz still leaves the graph) and `stem.fmt`."""
    if fmt not in FORMATS:
        raise HamcError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    dot_text = to_dot(diagram)
    written = [write_atomic(stem.with_suffix(".dot"), dot_text.encode())]
    if fmt == "tex":
        written.append(write_atomic(stem.with_suffix(".tex"), to_tikz(diagram).encode()))
    elif fmt in RENDER_FORMATS:
        written.append(write_atomic(stem.with_suffix("." + fmt), render(dot_text, fmt)))
    return written
