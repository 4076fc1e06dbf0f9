"""Command line: argv -> exit code (0 ok, 1 verification above tolerance, 2 bad input or usage)."""
from __future__ import annotations

import argparse
import json
import sys

from .analyze import analyze
from .errors import HamcError
from .loading import load
from .lower import DEFAULT_MAX_TERMS


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hamc", description="Compile polynomial Hamiltonians to neural networks.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_input(sub.add_parser("analyze", help="degree, terms, locality, symmetry and parameter counts"))
    return parser


def _load(args):
    return load(args.file, params=dict(args.param), max_terms=args.max_terms)


def cmd_analyze(args) -> int:
    result = analyze(_load(args))
    print(json.dumps(result.to_json(), indent=2) if args.json else result.summary())
    return 0


COMMANDS = {"analyze": cmd_analyze}


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
