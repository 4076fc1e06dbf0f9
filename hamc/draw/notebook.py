"""Network or ProductPlan -> DOT text, and inline SVG for notebooks. The core classes know nothing of
drawing: register_notebook_display() gives them `_repr_svg_` (called by `import hamc`)."""
from __future__ import annotations

from ..build.plan import ProductPlan
from ..network.model import Network
from .diagram import Diagram, blocks_diagram, fits_neuron_view, network_diagram, plan_diagram
from .dot import INSTALL_HINT, dot_available, render
from .dot import to_dot as diagram_to_dot


def to_dot(obj, view: str = "auto", *, labels: str = "none", biases: str = "annotate", names=None) -> str:
    """Graphviz DOT text of a Network (`neurons`: every neuron, gates as clusters; `blocks`: a box per
    layer; `auto`: neurons when small enough to read, else blocks), a ProductPlan (one node per
    sub-product, columns by layer, shared ones filled; `names` indexed by variable) or a Diagram."""
    if isinstance(obj, Diagram):
        return diagram_to_dot(obj)
    if isinstance(obj, ProductPlan):
        return diagram_to_dot(plan_diagram(obj, names))
    if not isinstance(obj, Network):
        raise TypeError(f"to_dot draws a Network, a ProductPlan or a Diagram, not {type(obj).__name__}")
    if view == "neurons" or (view == "auto" and fits_neuron_view(obj)):
        return diagram_to_dot(network_diagram(obj, labels=labels, biases=biases))
    if view not in ("auto", "blocks"):
        raise ValueError(f"unknown view '{view}' for a Network; choose neurons, blocks or auto")
    return diagram_to_dot(blocks_diagram(obj))


def svg(obj) -> str | None:
    """The drawing as SVG text, or None without Graphviz's `dot` (a notebook then shows the repr)."""
    return render(to_dot(obj), "svg").decode() if dot_available() else None


def register_notebook_display() -> None:
    for cls in (Network, ProductPlan):
        cls._repr_svg_ = svg
    # what an HTML repr says when svg() has no figure to give
    Network._figure_needs = f"drawing it needs Graphviz's 'dot' program, which is not installed. {INSTALL_HINT}"
