"""Path or text -> Hamiltonian: read, parse and lower, with errors located in the source."""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from .errors import TEXT_NAME, HamcError, Span
from .ir.hamiltonian import Hamiltonian
from .lowering.lower import DEFAULT_MAX_TERMS, lower
from .language.parse import MAX_SOURCE_CHARS, parse


RECURSION_LIMIT = 20_000


def is_sympy_input(source) -> bool:
    """A sympy expression, or a dict of them (a classifier), rather than a path or .ham text."""
    sympy = sys.modules.get("sympy")     # a sympy expression means sympy is loaded: .ham files need no sympy
    return isinstance(source, Mapping) or (sympy is not None and isinstance(source, sympy.Basic))


def _looks_like_text(s: str) -> bool:
    """.ham text, not a path: it holds a newline, or an '=' (every Hamiltonian has one) and is not a
    one-line name ending in .ham (runs/L=64.ham is a path, even when that file is missing)."""
    if "\n" in s:
        return True
    return "=" in s and not s.rstrip().endswith(".ham") and not os.path.isfile(s)


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        raise HamcError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at byte offset {exc.start:,} "
                        "(save the file as UTF-8)", Span(line, col), filename=str(path),
                        source=data.decode("utf-8", errors="replace")) from None


def read_source(path_or_text: str | os.PathLike) -> tuple[str, str]:
    """(filename, text): a str is .ham text or a path (see _looks_like_text); anything else is a path."""
    if not isinstance(path_or_text, (str, os.PathLike)):
        raise TypeError(f"expected a path or .ham text (str or os.PathLike), got {type(path_or_text).__name__}")
    if isinstance(path_or_text, str) and _looks_like_text(path_or_text):
        return TEXT_NAME, path_or_text
    path = Path(path_or_text)
    try:
        with open(path, "rb") as fh:      # a pipe is fine (hamc analyze <(generate)): read a bounded amount
            data = fh.read(MAX_SOURCE_CHARS + 1)      # a byte per character at least: enough to refuse
    except (OSError, ValueError) as exc:      # ValueError: a NUL byte in the path
        reason = "no such file" if isinstance(exc, FileNotFoundError) else getattr(exc, "strerror", None) or str(exc)
        raise HamcError(f"cannot read '{path}': {reason}", filename=str(path)) from None
    if len(data) > MAX_SOURCE_CHARS:
        raise HamcError(f"the file is larger than the limit of {MAX_SOURCE_CHARS:,} bytes (16 MiB)",
                        filename=str(path))
    return str(path), _decoded(path, data)


def load(path_or_text, *, params: dict | None = None, max_terms: int = DEFAULT_MAX_TERMS,
         variables: Mapping | None = None, priors: Mapping | None = None) -> Hamiltonian:
    """Read, parse and lower a .ham file (or .ham text) into the Hamiltonian IR.

    A sympy expression (or a dict label -> expression, a classifier) is lowered instead, with
    `variables` mapping its symbols and IndexedBase arrays to "real", "bit" or "spin" and `priors`
    giving each label's p(y); see hamc.from_sympy."""
    if is_sympy_input(path_or_text) or variables is not None or priors is not None:
        if params:
            raise HamcError("params= overrides parameters of a .ham file; substitute numbers into a sympy "
                            "expression with expr.subs(...)")
        from .lowering.from_sympy import from_sympy
        return from_sympy(path_or_text, variables, priors=priors, max_terms=max_terms)
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
