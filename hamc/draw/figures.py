"""Figure name -> Diagram: the two panels of the paper's Figure 2 and a product tree of N inputs.

Weights are the gates' own (gates.product_gate, gates.bit_product_gate), so the pictures show what
hamc builds; `labels` writes them as numbers ("values") or as the paper writes them ("symbolic").
"""
from __future__ import annotations

from ..build import gates, series_scales
from ..network.activations import derivatives
from .diagram import BIAS_MODES, LABEL_MODES, Diagram, Edge, Node
from .labels import _value, tex_number

FIGURES = ("product-gate", "bit-gate", "tree")
BIT_GATE_BETA = 23.0        # beta > D ln 10 ~ 23 gives D = 10 correct digits (the threshold tail sigma(-beta/2) ~ e^(-beta/2))


def _sub(name: str, index: int) -> str:
    """x, 12 -> 'x₁₂' (Unicode subscripts for the plain-text labels)."""
    return name + str(index).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _check(labels: str, biases: str) -> None:
    if labels not in LABEL_MODES:
        raise ValueError(f"unknown labels '{labels}'; choose one of {', '.join(LABEL_MODES)}")
    if biases not in BIAS_MODES:
        raise ValueError(f"unknown biases '{biases}'; choose one of {', '.join(BIAS_MODES)}")


def _pick(labels: str, value: float, text: str, math: str) -> tuple[str, str]:
    if labels == "values":
        return _value(value), tex_number(_value(value))
    return (text, math) if labels == "symbolic" else ("", "")


def product_gate_figure(activation: str = "sigmoid", *, labels: str = "symbolic", biases: str = "annotate",
                        dtype: str = "float64") -> Diagram:
    """Fig. 2 left: u*v from four neurons, input weights +-lambda, output weights +-1/(4 lambda^2 sigma'').

    Neuron j computes sigma(c + lambda(+-u +-v)): (u+v), -(u+v), (u-v), -(u-v); its output weight is
    +1/(4 lambda^2 s2) for the first two and -1/(4 lambda^2 s2) for the others, s2 = sigma''(c). The
    symbolic labels follow that formula; the edge colours give the weights' actual signs (for the
    sigmoid s2 < 0 at c = ln(2 + sqrt 3), so the '+' formula is a negative number)."""
    _check(labels, biases)
    lam = series_scales.product_scale(activation, dtype).value
    g = gates.product_gate(activation, lam)
    c = float(g.b[0])
    s2 = derivatives(activation, c, 2)[2]
    nodes = [Node("u", "u", "u", 0, "input"), Node("v", "v", "v", 0, "input")]
    symbol = {"sigmoid": "σ", "tanh": "tanh", "softplus": "sp", "exp": "exp"}.get(activation, activation)
    symbol_math = {"sigmoid": r"\sigma", "tanh": r"\tanh", "softplus": r"\mathrm{sp}", "exp": r"\exp"}.get(
        activation, activation)
    for j in range(4):
        note, note_math = ("", "")
        if biases == "annotate" and c != 0:
            note, note_math = _pick(labels, c, "b=c", "b=c")
            if labels == "values":
                note, note_math = f"b={note}", f"b={note_math}"
        nodes.append(Node(f"h{j}", symbol, symbol_math, 1, "neuron", None, note, note_math))
    nodes.append(Node("uv", "uv", "uv", 2, "output"))
    edges = []
    for i, src in enumerate(("u", "v")):
        for j in range(4):
            w = float(g.w_in[i, j])
            edges.append(Edge(src, f"h{j}", w, *_pick(labels, w, "λ" if w > 0 else "-λ",
                                                      r"\lambda" if w > 0 else r"-\lambda")))
    if biases == "node" and c != 0:
        nodes.insert(2, Node("one", "1", "1", 0, "bias"))
        edges += [Edge("one", f"h{j}", c, *_pick(labels, c, "c", "c")) for j in range(4)]
    for j in range(4):
        w = float(g.w_out[j, 0])
        plus = w * s2 > 0             # the formula's sign, whatever the sign of s2
        edges.append(Edge(f"h{j}", "uv", w, *_pick(labels, w, ("" if plus else "-") + "1/(4λ²σ'')",
                                                    ("" if plus else "-") + r"1/(4\lambda^2\sigma'')")))
    where = f"c={c:.4g}, " if c != 0 else ""
    return Diagram(f"u·v from 4 neurons\n{activation}: {where}λ={_value(lam)}, σ''(c)={s2:.3g}",
                   tuple(nodes), tuple(edges))


def bit_gate_figure(k: int = 3, *, labels: str = "symbolic", biases: str = "node", beta: float = BIT_GATE_BETA,
                    activation: str = "sigmoid") -> Diagram:
    """Fig. 2 right: the product of k bits from one neuron sigma(beta (sum x_i - k + 1/2)).

    Input weights beta, bias -beta (k - 1/2) (the paper's "1" input, or an annotation), output weight
    1/(hi - lo) of the activation's limits (1 for the sigmoid)."""
    _check(labels, biases)
    g = gates.bit_product_gate(k, beta, activation)
    b = float(g.b[0])
    scale = g.scale
    half = f"{k - 0.5:g}"
    beta_text, beta_math = ("β", r"\beta") if scale != 1 else ("1", "1")
    bias_text = f"-{half}{beta_text}" if scale != 1 else f"-{half}"
    bias_math = f"-{half}{beta_math}" if scale != 1 else f"-{half}"
    nodes = [Node(f"x{i}", _sub("x", i + 1), f"x_{{{i + 1}}}", 0, "input") for i in range(k)]
    note = ("", "")
    if biases == "annotate":
        note = _pick(labels, b, "b=" + bias_text, "b=" + bias_math)
        if labels == "values":
            note = ("b=" + note[0], "b=" + note[1])
    symbol = {"sigmoid": ("σ", r"\sigma"), "tanh": ("tanh", r"\tanh"), "step": ("θ", r"\theta"),
              "relu": ("relu", r"\mathrm{relu}")}.get(activation, (activation, activation))
    nodes.append(Node("h", symbol[0], symbol[1], 1, "neuron", None, *note))
    product = _sub("x", 1) + "⋯" + _sub("x", k) if k > 3 else "".join(_sub("x", i + 1) for i in range(k))
    product_math = r"x_1\cdots x_{%d}" % k if k > 3 else "".join(f"x_{{{i + 1}}}" for i in range(k))
    nodes.append(Node("p", product, product_math, 2, "output"))
    edges = [Edge(f"x{i}", "h", float(g.w_in[i, 0]), *_pick(labels, float(g.w_in[i, 0]), beta_text, beta_math))
             for i in range(k)]
    if biases == "node":
        nodes.insert(k, Node("one", "1", "1", 0, "bias"))
        edges.append(Edge("one", "h", b, *_pick(labels, b, bias_text, bias_math)))
    w_out = float(g.w_out[0, 0])
    edges.append(Edge("h", "p", w_out, *_pick(labels, w_out, f"{w_out:g}", f"{w_out:g}")))
    sharp = f" (β={scale:g})" if scale != 1 else ""
    return Diagram(f"product of {k} bits from one neuron{sharp}", tuple(nodes), tuple(edges))
