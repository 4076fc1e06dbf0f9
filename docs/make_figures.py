"""Regenerate the README figures: docs/<name>.dot and docs/<name>.svg (drawn by hamc), docs/<name>.png
(rendered by Graphviz's `neato` from the .dot file, when it is installed), and README.md's gallery.

    python docs/make_figures.py            # from the repository root (or anywhere)

The .dot and .svg texts are deterministic (tests/draw/test_diagram.py compares them with the committed
files); the PNG depends on the Graphviz version and fonts, so it is not compared.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))      # this checkout's hamc

from hamc.build.options import BuildOptions  # noqa: E402
from hamc.draw.diagram import blocks_diagram, input_names, network_diagram, plan_diagram  # noqa: E402
from hamc.draw.dot import dot_available, render, to_dot  # noqa: E402
from hamc.draw.figures import bit_gate_figure, product_gate_figure  # noqa: E402
from hamc.draw.layout import layout  # noqa: E402
from hamc.draw.svg import to_svg  # noqa: E402
from hamc.pipeline import compile_hamiltonian  # noqa: E402

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples"
SHARING = "real x[1..4]\nH = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]\n"
FIGURES = ("product-gate", "bit-gate", "tree-8", "plan-sharing", "ising-neurons", "ising-blocks", "cat-dog-values")
PNG_DPI = 110


def _compile(source, **options):
    return compile_hamiltonian(source, options=BuildOptions(**options), samples=200, check=False)


def figures() -> dict:
    """name -> Diagram, in README order."""
    tree = _compile("real x[1..8]\nH = prod(i in 1..8: x[i])\n", strategy="tree")
    sharing = _compile(SHARING, strategy="tree")
    ising = _compile(str(EXAMPLES / "ising.ham"))
    cat_dog = _compile(str(EXAMPLES / "cat_dog.ham"))
    return {
        "product-gate": replace(product_gate_figure("sigmoid", labels="symbolic", biases="node"), style="paper",
                                title="u·v from 4 neurons (Fig. 2, left)"),
        "bit-gate": replace(bit_gate_figure(3, labels="symbolic", biases="node"), style="paper"),
        "tree-8": replace(network_diagram(tree.network), title="product of 8 inputs: a tree of 7 product gates"),
        "plan-sharing": plan_diagram(sharing.plan, input_names(sharing.network),
                                     title="H = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]"),
        "ising-neurons": network_diagram(ising.network, title="ising: the network every site runs"),
        "ising-blocks": blocks_diagram(ising.network, title="ising"),
        "cat-dog-values": network_diagram(cat_dog.network, labels="values", title="cat_dog, weights and biases"),
    }


CAPTIONS = {
    "product-gate": ("The 4-neuron product gate",
                     "The multiplication gate of eq. 11 (Fig. 2 left) in the paper's style: squares apply σ, the "
                     "circle sums, the \"1\" input gives the biases c = ln(2+√3). Inputs ±λ, outputs ±1/(4λ²σ''); "
                     "σ''(c) < 0 for the sigmoid, so the \"+1/(4λ²σ'')\" edges are negative (red)."),
    "bit-gate": ("The bit product gate",
                 "The product of 3 bits from one neuron (eq. 13, Fig. 2 right): weights β, bias −β(k − ½) = −2.5β "
                 "from the \"1\" input."),
    "tree-8": ("A product tree of 8 inputs",
               "x[1]⋯x[8] as a binary tree of 7 product gates in 3 hidden layers (28 neurons); each line enters a "
               "gate's frame at the height of the neuron it feeds."),
    "plan-sharing": ("A product plan with a reused sub-product",
                     "The plan of x1x2x3 + x1x2x4: x1x2 is computed once and used by both terms (shaded)."),
    "ising-neurons": ("The per-site network of the Ising model",
                      "The 2D Ising model compiles to a weight-shared network: these 3 bit neurons run at each of "
                      "the 256 lattice sites (their output H site), and the sites' outputs are summed to H."),
    "ising-blocks": ("The blocks view of the Ising model",
                     "The blocks view of the same network: one box per layer, with neuron counts per site and in "
                     "all."),
    "cat-dog-values": ("The cat/dog classifier with its weights",
                       "examples/cat_dog.ham with `--labels values`: one step neuron per bit monomial, the "
                       "biases under the neurons, the outputs softmax(−H_y − μ_y)."),
}
START, END = "<!-- figures: made by docs/make_figures.py -->", "<!-- figures: end -->"


def readme_section() -> str:
    """The README's figure gallery: each figure's PNG and its caption."""
    parts = [START]
    for name in FIGURES:
        alt, caption = CAPTIONS[name]
        parts += ["", f"![{alt}](docs/{name}.png)", "", caption]
    return "\n".join(parts + ["", END])


def with_section(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return head + readme_section() + tail


def files(name: str, diagram) -> dict[str, bytes]:
    """The committed texts of one figure: its .dot and .svg (with the legend)."""
    lay = layout(diagram, legend=True)
    return {f"{name}.dot": to_dot(diagram, lay).encode(), f"{name}.svg": to_svg(diagram, lay).encode()}


def main() -> int:
    png = dot_available()
    for name, diagram in figures().items():
        for file, data in files(name, diagram).items():
            (DOCS / file).write_bytes(data)
        if png:
            dot_text = (DOCS / f"{name}.dot").read_text(encoding="utf-8")
            (DOCS / f"{name}.png").write_bytes(render(dot_text, "png", dpi=PNG_DPI))
        print(f"wrote docs/{name}.dot, .svg" + (" and .png" if png else ""))
    readme = DOCS.parent / "README.md"
    readme.write_text(with_section(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print("wrote the figure section of README.md")
    if not png:
        print("Graphviz's 'neato' is not installed: wrote the .dot and .svg files only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
