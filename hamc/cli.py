"""Command line: argv -> exit code (0 ok, 1 verification above tolerance, 2 bad input or usage, 3 a bug in hamc,
128+n ended by signal n)."""
from __future__ import annotations

import argparse
from dataclasses import replace
import json
import os
import sys
import time
import traceback

from pathlib import Path

from .errors import NO_FILE, HamcError
from .signals import exit_code, say
from .arguments import EXPORT_FORMATS, FIGURES, FORMATS, PNG_DPI, build_parser


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
