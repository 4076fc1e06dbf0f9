"""argv -> argparse.Namespace: the command line's subcommands, options and their checks."""
from __future__ import annotations

import argparse
import math
import re

from .version import version

# The stages (NumPy, SciPy, SymPy, networkx: about a second) are imported by the command that runs
# them, so that `hamc --help` and `hamc analyze` do not wait for what they never use. The choices
# below are those of the stages' modules (a test holds them equal).
STRATEGIES = ("auto", "tree", "flat", "bits")                 # build.options
DTYPES = ("float64", "float32")                               # build.options
LAYOUTS = ("auto", "shared", "unrolled", "local")             # build.options
STRUCTURES = ("auto", "expanded", "factored")                 # build.options
GATES = ("auto", "single", "richardson", "paper")             # build.options
CHECKS = ("bound", "sample")                                  # pipeline
LABEL_MODES = ("none", "values", "symbolic")                  # draw.diagram
BIAS_MODES = ("annotate", "node")                             # draw.diagram
VIEWS = ("auto", "neurons", "plan", "blocks")                 # draw.output
FORMATS = ("dot", "tex", "svg", "pdf", "png")                 # draw.output
FIGURES = ("product-gate", "bit-gate", "tree")                # draw.figures
DETAILS = ("neurons", "gates")                                # draw.gate_view
STYLES = ("hamc", "paper")                                    # draw.style
PNG_DPI = 144                                                 # draw.dot
DEFAULT_MAX_TERMS = 20_000_000                                # lowering.lower
EMIT_FORMATS = ("npz", "dot", "svg", "pdf", "png", "tex", "onnx", "pt")
EXPORT_FORMATS = {"onnx": ".onnx", "pt": ".pt2"}     # framework exports: the format, its file suffix


class _ArgumentParser(argparse.ArgumentParser):
    """argparse reads -1e10 as an option (its negative numbers are -1 and -1.5 only): here every float
    that float() reads is a value, so that --input-range -1e10 1e10 works. No option of hamc looks like one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$",
                                                   re.IGNORECASE)


def _param(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value.strip()


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got '{text}'")
    return value


def _gigabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):     # nan > 0 is False: nan would switch the guard off
        raise argparse.ArgumentTypeError(f"expected a positive number of GB, got '{text}'")
    return value


def _add_input(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
    p.add_argument("file", nargs="?" if optional else None, help=".ham file" + (" (not needed with --figure)"
                                                                              if optional else ""))
    p.add_argument("--param", "-p", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable), e.g. --param L=64")
    p.add_argument("--max-terms", type=int, default=DEFAULT_MAX_TERMS,
                   help=f"refuse expansions beyond this many terms (default {DEFAULT_MAX_TERMS:,})")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on the terminal")


def _emit(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in EMIT_FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format '{(unknown or [text])[0]}'; choose from {', '.join(EMIT_FORMATS)}")
    return formats


def _add_network_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strategy", choices=STRATEGIES, default="auto",
                   help="tree: deep product tree (reals); flat: one hidden layer; bits: one threshold "
                        "neuron per monomial (bits/spins); auto: bits if all inputs are bits/spins, else tree")
    p.add_argument("--activation", default=None,
                   help="sigmoid, tanh, softplus, exp; for bits also step, relu (default: step for bits, "
                        "exact; sigmoid otherwise)")
    p.add_argument("--dtype", choices=DTYPES, default="float64")
    p.add_argument("--gates", choices=GATES, default="auto",
                   help="product and square gates: single (4 and 2 neurons at the bias point where the "
                        "order-4 term vanishes), richardson (two scales combined: twice the neurons, more "
                        "digits), paper (the paper's 4-neuron gates at ln(2+sqrt 3)); auto: single, or "
                        "richardson where --tol needs it")
    p.add_argument("--tol", type=float, default=None,
                   help="largest acceptable relative error (default 1e-6 in float64, 1e-2 in float32)")
    p.add_argument("--check", choices=CHECKS, default="bound",
                   help="hold --tol against the certified error bound over the whole input box (bound, the "
                        "default) or against the measured maximum on the sample (sample)")
    p.add_argument("--input-range", type=float, nargs=2, default=(-1.0, 1.0), metavar=("LO", "HI"),
                   help="range of the real inputs (default -1 1)")
    p.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="shared: one stencil per gate, run at every site (a convnet) for translation-invariant "
                        "lattice Hamiltonians; unrolled: explicit sparse matrices; auto: shared where it applies")
    p.add_argument("--structure", choices=STRUCTURES, default="auto",
                   help="factored: quadratic parts as squares or products of linear forms (which cost no neurons); "
                        "expanded: one gate per monomial; auto: whichever has fewer hidden neurons within --tol")
    p.add_argument("--max-memory", type=_gigabytes, default=None, metavar="GB",
                   help="refuse unrolled builds estimated above this (default: 3/4 of the machine's memory)")
    p.add_argument("--samples", type=int, default=2000,
                   help="random inputs for the error check (default 2000; fewer for huge systems)")
    p.add_argument("--seed", type=_natural, default=0, help="seed of those inputs (a whole number >= 0)")


class _Version(argparse.Action):
    """--version, looked up only when asked: an installed hamc reads its package metadata (~30 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"hamc {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="hamc", description="Compile polynomial Hamiltonians to neural networks.")
    parser.add_argument("--version", "-V", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_input(sub.add_parser("analyze", help="degree, terms, locality, symmetry and parameter counts"))
    p = sub.add_parser("compile", help="compile to a network, write its weights, print a summary")
    _add_input(p)
    _add_network_options(p)
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="output folder (default: current folder)")
    p.add_argument("--emit", type=_emit, default=("npz",),
                   help="comma-separated outputs: npz, dot, svg, pdf, png, tex, onnx, pt (default npz); "
                        "diagrams use the automatic view of `hamc draw`; onnx writes <name>.onnx, pt a "
                        "torch.export archive <name>.pt2")
    p.add_argument("--compare", action="store_true",
                   help="also print the network-quality table: neurons and errors of the paper's construction, "
                        "hamc's default and the flat network, in float64 and float32")
    p = sub.add_parser("verify", help="compile (or read --network) and measure the error; exit 1 above --tol")
    _add_input(p)
    _add_network_options(p)
    p.add_argument("--network", default=None, metavar="NET.npz",
                   help="audit this weights file against FILE instead of compiling: same inputs and outputs, "
                        "measured error on its --input-range and --tol (default: those it records)")
    p.set_defaults(input_range=None)          # None: the range a --network file records, else -1 1
    p = sub.add_parser("draw", help="draw a compiled network, its product plan, or a figure of the paper")
    _add_input(p, optional=True)
    _add_network_options(p)
    p.add_argument("-o", "--output", default=None, metavar="OUT",
                   help="output file (default: <name>-<view>.<format> in the current folder)")
    p.add_argument("--view", choices=VIEWS, default="auto",
                   help="neurons: every neuron, gates as clusters; plan: the product DAG; blocks: one box per "
                        "layer; auto: neurons when small enough, else blocks")
    p.add_argument("--format", choices=FORMATS, default="svg", help="dot, svg, pdf, png (Graphviz) or tex (TikZ)")
    p.add_argument("--labels", choices=LABEL_MODES, default=None,
                   help="weight labels on the edges (default: symbolic for the gate figures, none otherwise)")
    p.add_argument("--biases", choices=BIAS_MODES, default="annotate",
                   help="biases as node annotations (with --labels values) or as a '1' input node")
    p.add_argument("--figure", nargs="+", metavar=("NAME", "N"),
                   help=f"a figure of the paper: {', '.join(FIGURES)} (product-gate, bit-gate [k], tree N)")
    p.add_argument("--style", choices=STYLES, default=None,
                   help="paper: squares apply the activation, circles sum, no arrowheads (default for the gate "
                        "figures); hamc: neurons as circles, outputs as boxes, arrows (default otherwise)")
    p.add_argument("--legend", action=argparse.BooleanOptionalAction, default=True,
                   help="a key to colours (sign), thickness (|weight|) and shapes below the drawing (default on)")
    p.add_argument("--title", default=None, metavar="none|TEXT",
                   help="the title above the drawing: none, or your text (default: what was drawn)")
    p.add_argument("--dpi", type=int, default=PNG_DPI, help=f"resolution of a PNG (default {PNG_DPI})")
    p.add_argument("--detail", choices=DETAILS, default=None,
                   help="gates: one box per gate, one edge per factor (a product tree as a tree; the default for "
                        "--figure tree above 8 inputs); neurons: every neuron (the default otherwise)")
    return parser


