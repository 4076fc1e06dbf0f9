"""Regenerate the README figures: docs/<name>.dot (always) and docs/<name>.svg (with Graphviz's `dot`).

    python docs/make_figures.py            # from the repository root (or anywhere)

The .dot text is deterministic (tests/draw/test_diagram.py compares it with the committed files); the
SVG depends on the Graphviz version, so only the .dot files are compared.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from hamc.draw.dot import dot_available, render, to_dot
from hamc.build.options import BuildOptions
from hamc.pipeline import compile_hamiltonian
from hamc.draw.diagram import blocks_diagram, input_names, network_diagram, plan_diagram
from hamc.draw.figures import bit_gate_figure, product_gate_figure

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"
SHARING = "real x[1..4]\nH = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]\n"


def _compile(source, **options):
    return compile_hamiltonian(source, options=BuildOptions(**options), samples=200, check=False)


def figures() -> dict:
    """name -> Diagram, in README order."""
    tree = _compile("real x[1..8]\nH = prod(i in 1..8: x[i])\n", strategy="tree")
    sharing = _compile(SHARING, strategy="tree")
    ising = _compile(str(EXAMPLES / "ising.ham"))
    return {
        "product-gate": product_gate_figure("sigmoid", labels="symbolic", biases="annotate"),
        "bit-gate": bit_gate_figure(3, labels="symbolic", biases="node"),
        "tree-8": replace(network_diagram(tree.network),
                          title="product of 8 inputs: a tree of 7 product gates"),
        "plan-sharing": plan_diagram(sharing.plan, input_names(sharing.network),
                                     title="H = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]"),
        "ising-neurons": network_diagram(ising.network, title="ising"),
        "ising-blocks": blocks_diagram(ising.network, title="ising"),
    }


def main() -> int:
    svg = dot_available()
    for name, diagram in figures().items():
        text = to_dot(diagram)
        (DOCS / f"{name}.dot").write_text(text, encoding="utf-8")
        if svg:
            (DOCS / f"{name}.svg").write_bytes(render(text, "svg"))
        print(f"wrote docs/{name}.dot" + (" and .svg" if svg else ""))
    if not svg:
        print("Graphviz's 'dot' is not installed: wrote the .dot files only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
