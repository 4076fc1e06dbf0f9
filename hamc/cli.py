"""Command line: argv -> exit code (0 ok, 1 verification above tolerance, 2 bad input or usage)."""
from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path

from .analyze import analyze
from .backends.npz import write_npz
from .build import DTYPES, STRATEGIES, BuildOptions
from .compiling import compile_hamiltonian
from .errors import HamcError
from .loading import load
from .lower import DEFAULT_MAX_TERMS

EMIT_FORMATS = ("npz",)


def _param(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value.strip()


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help=".ham file")
    p.add_argument("--param", "-p", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (repeatable), e.g. --param L=64")
    p.add_argument("--max-terms", type=int, default=DEFAULT_MAX_TERMS,
                   help=f"refuse expansions beyond this many terms (default {DEFAULT_MAX_TERMS:,})")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


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
    p.add_argument("--activation", default="sigmoid", help="sigmoid, tanh, softplus, exp (bits also: step, relu)")
    p.add_argument("--dtype", choices=DTYPES, default="float64")
    p.add_argument("--tol", type=float, default=None,
                   help="largest acceptable max_rel_error (default 1e-6 in float64, 1e-2 in float32)")
    p.add_argument("--input-range", type=float, nargs=2, default=(-1.0, 1.0), metavar=("LO", "HI"),
                   help="range of the real inputs (default -1 1)")
    p.add_argument("--samples", type=int, default=2000, help="random inputs for the error check (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of those inputs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hamc", description="Compile polynomial Hamiltonians to neural networks.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_input(sub.add_parser("analyze", help="degree, terms, locality, symmetry and parameter counts"))
    p = sub.add_parser("compile", help="compile to a network, write its weights, print a summary")
    _add_input(p)
    _add_network_options(p)
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="output folder (default: current folder)")
    p.add_argument("--emit", type=_emit, default=("npz",), help="comma-separated formats: npz (default npz)")
    p = sub.add_parser("verify", help="compile and measure the error; exit 1 above --tol")
    _add_input(p)
    _add_network_options(p)
    return parser


def _load(args):
    return load(args.file, params=dict(args.param), max_terms=args.max_terms)


def cmd_analyze(args) -> int:
    result = analyze(_load(args))
    print(json.dumps(result.to_json(), indent=2) if args.json else result.summary())
    return 0


def _compile(args, *, check: bool):
    options = BuildOptions(strategy=args.strategy, activation=args.activation, dtype=args.dtype, tol=args.tol,
                           input_range=tuple(args.input_range))
    return compile_hamiltonian(args.file, params=dict(args.param), max_terms=args.max_terms, options=options,
                               samples=args.samples, seed=args.seed, check=check)


def _output_dir(text: str) -> Path:
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HamcError(f"cannot create output folder '{out}': {exc.strerror}") from None
    return out


def cmd_compile(args) -> int:
    compiled = _compile(args, check=True)
    out = _output_dir(args.output)
    written = []
    if "npz" in args.emit:
        written.append(write_npz(compiled.network, out / (Path(args.file).stem + ".npz")))
    if args.json:
        print(json.dumps({**compiled.to_json(), "written": [str(p) for p in written]}, indent=2))
    else:
        print(compiled.summary())
        for path in written:
            print(f"wrote {path}")
    return 0


def cmd_verify(args) -> int:
    compiled = _compile(args, check=False)
    ok = compiled.verification.max_rel_error <= compiled.options.target_tol
    if args.json:
        print(json.dumps({**compiled.to_json(), "ok": ok}, indent=2))
    else:
        print(compiled.summary())
        print(f"{'OK' if ok else 'FAILED'}: max_rel_error {compiled.verification.max_rel_error:.3g} "
              f"{'<=' if ok else '>'} tol {compiled.options.target_tol:g}")
    return 0 if ok else 1


COMMANDS = {"analyze": cmd_analyze, "compile": cmd_compile, "verify": cmd_verify}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except HamcError as err:
        print(err.format(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hamc: interrupted", file=sys.stderr)
        return 130
