"""Path or text -> Hamiltonian: read, parse and lower, with errors located in the source."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import HamcError
from .hamiltonian import Hamiltonian
from .lower import DEFAULT_MAX_TERMS, lower
from .parse import parse


def read_source(path_or_text: str | os.PathLike) -> tuple[str, str]:
    """(filename, text). A str holding '=' is .ham text (every Hamiltonian has one); otherwise a path."""
    if isinstance(path_or_text, str) and "=" in path_or_text:
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
    return lower(parse(text, filename=filename), params=params, max_terms=max_terms)
