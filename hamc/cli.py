"""Command line: argv -> exit code (0 ok, 1 verification above tolerance, 2 bad input or usage, 3 a bug in hamc,
128+n ended by signal n)."""
from __future__ import annotations

import argparse
from dataclasses import replace
import json
import math
import os
import re
import sys
import time
import traceback

from pathlib import Path

from .errors import NO_FILE, HamcError
from .signals import exit_code, say
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


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(prog="hamc", description="Compile polynomial Hamiltonians to neural networks.")
    parser.add_argument("--version", "-V", action="version", version=f"hamc {version()}")
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


def _load(args):
    from .loading import load
    return load(Path(args.file), params=dict(args.param), max_terms=args.max_terms)


def cmd_analyze(args) -> int:
    from .analysis.report import analyze
    result = analyze(_load(args), max_terms=args.max_terms)
    print(json.dumps(result.to_json(), indent=2) if args.json else result.summary())
    return 0


def _compile(args, *, check: bool):
    from .pipeline import compile_hamiltonian
    try:
        options = _options(args)
    except HamcError as err:          # name the file the options were refused for
        raise err.located(str(Path(args.file)), "") from None
    return compile_hamiltonian(Path(args.file), params=dict(args.param), max_terms=args.max_terms, options=options,
                               samples=args.samples, seed=args.seed, check=check, check_by=args.check,
                               progress=_progress(args))


def _options(args):
    from .build.options import BuildOptions
    return BuildOptions(strategy=args.strategy, activation=args.activation, dtype=args.dtype, tol=args.tol,
                        gates=args.gates, input_range=tuple(args.input_range or (-1.0, 1.0)), layout=args.layout,
                        structure=args.structure,
                        **({"max_memory": args.max_memory * 1e9} if args.max_memory is not None else {}))


def _progress(args):
    """Stage lines on stderr for a person at a terminal; silent when piped or with --quiet."""
    if args.quiet or not sys.stderr.isatty():
        return lambda stage: None
    start = time.perf_counter()

    def report(stage: str) -> None:
        print(f"hamc: {stage}... ({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
    return report


def _output_dir(text: str) -> Path:
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HamcError(f"-o/--output: cannot create the folder '{out}': {exc.strerror}", filename=NO_FILE) from None
    return out


def cmd_compile(args) -> int:
    from .draw.output import choose_view, network_drawing, write_drawing
    from .io.npz import write_npz
    compiled = _compile(args, check=True)
    out = _output_dir(args.output)
    written = []
    stem = out / Path(args.file).stem
    from .export.common import require
    for fmt in EXPORT_FORMATS.keys() & set(args.emit):       # a missing framework before any file is written
        require("torch" if fmt == "pt" else "onnx", "torch" if fmt == "pt" else "onnx")
    if "npz" in args.emit:
        written.append(write_npz(compiled.network, stem.with_suffix(".npz")))
    written += [_export(compiled.network, fmt, stem.with_suffix(EXPORT_FORMATS[fmt]))
                for fmt in args.emit if fmt in EXPORT_FORMATS]
    drawings = [f for f in args.emit if f != "npz" and f not in EXPORT_FORMATS]
    if drawings:
        view, note = choose_view(compiled, "auto")
        if note:
            print(note, file=sys.stderr)
        diagram = network_drawing(compiled, view)
        for fmt in drawings:
            written += [p for p in write_drawing(diagram, stem, fmt) if p not in written]
    rows = _comparison(args, compiled) if args.compare else None
    if args.json:
        extra = {"compare": [row.to_json() for row in rows]} if rows is not None else {}
        print(json.dumps({**compiled.to_json(), "written": [str(p) for p in written], **extra}, indent=2))
    else:
        print(compiled.summary())
        for path in written:
            print(f"wrote {path}")
        if rows is not None:
            from .quality import quality_table
            print("\n" + quality_table(rows))
    return 0


def _comparison(args, compiled):
    """The quality table for the compiled file (each construction compiled again, not held to --tol)."""
    from .quality import compare
    return compare(compiled.hamiltonian, options=compiled.options, samples=args.samples, seed=args.seed)


def _export(network, fmt: str, path: Path) -> Path:
    if fmt == "onnx":
        from .export import to_onnx
        to_onnx(network, path)
        return path
    from .export.torch import save_torch
    return save_torch(network, path)


def _figure(args):
    """--figure NAME [N] -> (Diagram, file stem): the paper's Figure 2 panels or a product tree."""
    from .build.options import BuildOptions
    from .draw.figures import bit_gate_figure, product_gate_figure
    from .draw.output import choose_view, network_drawing
    from .pipeline import compile_hamiltonian
    name, *rest = args.figure
    if name not in FIGURES:
        raise HamcError(f"unknown figure '{name}'; choose one of {', '.join(FIGURES)} "
                        "(product-gate, bit-gate [k], tree N)", filename="hamc")
    if len(rest) > 1 or (rest and name == "product-gate"):
        raise HamcError(f"--figure {name} takes {'no size' if name == 'product-gate' else 'one size'}, "
                        f"got {' '.join(rest)}", filename="hamc")
    if name == "tree" and not rest:
        raise HamcError("--figure tree takes the number of inputs, e.g. --figure tree 8", filename="hamc")
    try:
        size = int(rest[0]) if rest else 3
    except ValueError:
        raise HamcError(f"--figure {name} takes a whole number, not '{rest[0]}'", filename="hamc") from None
    low = 2 if name == "tree" else 1
    if not low <= size <= 64:
        raise HamcError(f"--figure {name} takes a size from {low} to 64, got {size}", filename="hamc")
    args = replace_labels(args, "symbolic" if name in ("product-gate", "bit-gate") else "none")
    try:
        if name == "product-gate":
            return product_gate_figure(args.activation or "sigmoid", labels=args.labels, biases=args.biases,
                                       dtype=args.dtype), "product-gate"
        if name == "bit-gate":
            return bit_gate_figure(size, labels=args.labels, biases=args.biases,
                                   activation=args.activation or "sigmoid"), f"bit-gate-{size}"
    except ValueError as exc:
        raise HamcError(f"--figure {name}: {exc}", filename="hamc") from None
    if args.labels == "symbolic":
        raise HamcError("--labels symbolic is drawn for --figure product-gate and bit-gate; a tree is a "
                        "compiled network: use --labels values or none", filename="hamc")
    options = BuildOptions(strategy="tree", activation=args.activation, dtype=args.dtype)
    compiled = compile_hamiltonian(f"real x[1..{size}]\nH = prod(i in 1..{size}: x[i])", options=options,
                                   samples=200, check=False)
    detail = args.detail or ("gates" if size > 8 else "neurons")
    gates = detail == "gates" and args.view in ("auto", "neurons")
    view, note = ("neurons", "") if gates else choose_view(compiled, args.view)
    if note:
        print(note, file=sys.stderr)
    diagram = network_drawing(compiled, view, labels=args.labels, biases=args.biases, detail=detail)
    gates_ = f"a tree of {size - 1} product gate{'s' if size > 2 else ''}"
    return replace(diagram, title=f"product of {size} inputs: {gates_}"), f"tree-{size}" + (
        f"-{view}" if view != "neurons" else "") + (f"-{detail}" if args.detail else "")


def replace_labels(args, default: str):
    return argparse.Namespace(**{**vars(args), "labels": args.labels or default})


def cmd_draw(args) -> int:
    from .draw.output import choose_view, network_drawing, write_drawing
    if args.figure:
        if args.file is not None:
            raise HamcError(f"give a .ham file or --figure, not both (got '{args.file}' and --figure)", filename="hamc")
        diagram, stem = _figure(args)
    elif args.file is None:
        raise HamcError("hamc draw needs a .ham file, or --figure NAME for a figure of the paper "
                        f"({', '.join(FIGURES)})", filename="hamc")
    else:
        args = replace_labels(args, "none")
        compiled = _compile(args, check=False)
        # the gates of a network draw in far less room than its neurons: no size limit of the neurons view
        gates = args.detail == "gates" and args.view in ("auto", "neurons")
        view, note = ("neurons", "") if gates else choose_view(compiled, args.view)
        if note:
            print(note, file=sys.stderr)
        diagram = network_drawing(compiled, view, labels=args.labels, biases=args.biases, detail=args.detail or "neurons")
        stem = f"{Path(args.file).stem}-{view}" + (f"-{args.detail}" if args.detail else "")
    diagram, stem = _dressed(diagram, stem, args)
    fmt = args.format
    if args.output:
        target = Path(args.output)
        if target.suffix[1:] in FORMATS:     # -o picture.png decides the format
            fmt = target.suffix[1:]
            target = target.parent / target.stem
    else:
        target = Path(stem)
    if target.parent != Path("."):
        _output_dir(str(target.parent))
    if not 24 <= args.dpi <= 1200:
        raise HamcError(f"--dpi takes 24 to 1200, got {args.dpi}", filename="hamc")
    for path in write_drawing(diagram, target, fmt, legend=args.legend, dpi=args.dpi):
        print(f"wrote {path}")
    return 0


def _dressed(diagram, stem: str, args):
    """The drawing in the chosen style and title; its default file name says every option that changes
    the picture from the default one (labels, biases, style, no legend, title, dpi)."""
    gate = bool(args.figure) and args.figure[0] in ("product-gate", "bit-gate")
    style = args.style or ("paper" if gate else "hamc")
    title = diagram.title if args.title is None else "" if args.title == "none" else args.title
    default_labels = "symbolic" if gate else "none"
    labels = args.labels or default_labels
    parts = [stem] + ([labels] if labels != default_labels else [])
    parts += ["bias-" + args.biases] if args.biases != "annotate" else []
    parts += [style] if args.style and style != ("paper" if gate else "hamc") else []
    parts += ["no-legend"] if not args.legend else []
    parts += ["untitled" if args.title == "none" else "titled"] if args.title is not None else []
    parts += [f"{args.dpi}dpi"] if args.dpi != PNG_DPI and args.format == "png" else []
    return replace(diagram, style=style, title=title), "-".join(parts)


def cmd_verify(args) -> int:
    if args.network is not None:
        return cmd_audit(args)
    compiled = _compile(args, check=False)
    ok = compiled.ok
    if args.json:
        print(json.dumps({**compiled.to_json(), "ok": ok}, indent=2))
    else:
        print(compiled.summary())
        what, error = compiled.checked_error
        name = "rel_error_bound" if what == "bound" else "max_rel_error"
        print(f"{'OK' if ok else 'FAILED'}: {name} {error:.3g} {'<=' if ok else '>'} tol {compiled.options.target_tol:g}")
    return 0 if ok else 1


def cmd_audit(args) -> int:
    """hamc verify FILE --network NET.npz: exit 0 if the stored network computes FILE's H within tol, 1 if not."""
    from .auditing import audit
    result = audit(_load(args), args.network, input_range=args.input_range, tol=args.tol, samples=args.samples,
                   seed=args.seed)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.summary())
        print("OK" if result.ok else f"FAILED: {'; '.join(result.problems)}")
    return 0 if result.ok else 1


COMMANDS = {"analyze": cmd_analyze, "compile": cmd_compile, "verify": cmd_verify, "draw": cmd_draw}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except HamcError as err:
        print(err.format(), file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:   # Ctrl-C, or SIGTERM/SIGHUP under the `hamc` command
        say("hamc: interrupted")
        return exit_code(exc)
    except BrokenPipeError:            # `hamc ... | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:           # not the user's mistake: say so, with what a bug report needs
        say(f"hamc: internal error in hamc (please report it): {type(exc).__name__}: {exc}\n"
            f"{traceback.format_exc().rstrip()}")
        return 3
