"""Network or ProductPlan -> DOT text, and inline SVG for notebooks (drawn by hamc, no Graphviz needed).
The core classes know nothing of drawing: register_notebook_display() gives them `_repr_svg_`."""
from __future__ import annotations

from ..build.plan import ProductPlan
from ..network.model import Network
from .diagram import Diagram, blocks_diagram, fits_neuron_view, network_diagram, plan_diagram
from .dot import to_dot as diagram_to_dot
from .svg import to_svg


def diagram_of(obj, view: str = "auto", *, labels: str = "none", biases: str = "annotate", names=None) -> Diagram:
    """The Diagram to_dot and svg draw for `obj`."""
    if isinstance(obj, Diagram):
        return obj
    if isinstance(obj, ProductPlan):
        return plan_diagram(obj, names)
    if not isinstance(obj, Network):
        raise TypeError(f"to_dot draws a Network, a ProductPlan or a Diagram, not {type(obj).__name__}")
    if view == "neurons" or (view == "auto" and fits_neuron_view(obj)):
        return network_diagram(obj, labels=labels, biases=biases)
    if view not in ("auto", "blocks"):
        raise ValueError(f"unknown view '{view}' for a Network; choose neurons, blocks or auto")
    return blocks_diagram(obj)


def to_dot(obj, view: str = "auto", *, labels: str = "none", biases: str = "annotate", names=None) -> str:
    """Graphviz DOT text of a Network (`neurons`: every neuron, gates as clusters; `blocks`: a box per
    layer; `auto`: neurons when small enough to read, else blocks), a ProductPlan (one node per
    sub-product, columns by layer, shared ones filled; `names` indexed by variable) or a Diagram."""
    return diagram_to_dot(diagram_of(obj, view, labels=labels, biases=biases, names=names))


def svg(obj) -> str:
    """The drawing as SVG text (the automatic view of a Network)."""
    return to_svg(diagram_of(obj))


def register_notebook_display() -> None:
    for cls in (Network, ProductPlan):
        cls._repr_svg_ = svg
