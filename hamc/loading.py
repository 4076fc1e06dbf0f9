"""Path or text -> Hamiltonian: read, parse and lower, with errors located in the source."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import HamcError
from .ir.hamiltonian import Hamiltonian
from .lowering.lower import DEFAULT_MAX_TERMS, lower
from .language.parse import parse


RECURSION_LIMIT = 20_000


def read_source(path_or_text: str | os.PathLike) -> tuple[str, str]:
    """(filename, text). A str holding '=' (every Hamiltonian has one) is .ham text, unless it is
    the name of an existing file (a path such as runs/L=64.ham); anything else is a path."""
    if isinstance(path_or_text, str) and "=" in path_or_text and \
            ("\n" in path_or_text or not os.path.isfile(path_or_text)):
        return "<input>", path_or_text
    path = Path(path_or_text)
    try:
        return str(path), path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:      # ValueError: not UTF-8, or a NUL byte in the path
        reason = "no such file" if isinstance(exc, FileNotFoundError) else (
            "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else getattr(exc, "strerror", None) or str(exc))
        raise HamcError(f"cannot read '{path}': {reason}", filename=str(path)) from None


def load(path_or_text: str | os.PathLike, *, params: dict | None = None,
         max_terms: int = DEFAULT_MAX_TERMS) -> Hamiltonian:
    """Read, parse and lower a .ham file (or .ham text) into the Hamiltonian IR."""
    filename, text = read_source(path_or_text)
    # parsing and lowering recurse once per operator: a generated H = t1 + t2 + ... + t5000 needs
    # more than Python's default 1000 frames
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        return lower(parse(text, filename=filename), params=params, max_terms=max_terms)
    except RecursionError:
        raise HamcError(f"an expression is nested too deeply to read (more than about {RECURSION_LIMIT // 4:,} "
                        "operators in a chain): write long sums with sum(...)", filename=filename) from None
    finally:
        sys.setrecursionlimit(limit)
