"""HamcError: a user's mistake, located in a source file, printed as file:line:col: error: message."""
from __future__ import annotations

import os
from dataclasses import dataclass

TEXT_NAME = "<text>"        # the file name of .ham text given to the API as a string
NO_FILE = "hamc"            # the file name of an error that belongs to no file (options, usage)
CONTEXT = 80                # characters of a long source line echoed on each side of the caret


@dataclass(frozen=True)
class Span:
    """A region of source text: 1-based line and column of its start, and its width in characters."""

    line: int
    col: int
    width: int = 1


LOAD_FIRST = "; read a file or .ham text with hamc.load(...) first"


def expect_type(value, kind: type | tuple, what: str, *, hint_for_text: str = "") -> None:
    """The API's type check: a TypeError that says what was expected, instead of an AttributeError deeper in.
    `what` is the sentence so far, e.g. "hamc.analyze takes a Hamiltonian (from hamc.load)"."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
        return
    hint = hint_for_text if isinstance(value, (str, os.PathLike)) else ""
    raise TypeError(f"{what}, got {type(value).__name__}{hint}")


class HamcError(Exception):
    """Bad input or usage. The CLI prints `format()` and exits with code 2, never a traceback."""

    def __init__(self, message: str, span: Span | None = None, *, filename: str = NO_FILE,
                 source: str | None = None, kind: str = "error"):
        super().__init__(message)
        self.message = message
        self.span = span
        self.filename = filename
        self.source = source
        self.kind = kind

    def located(self, filename: str, source: str) -> "HamcError":
        """The same error, attached to the file it came from (if it was not already)."""
        if self.source is not None:
            return self
        return HamcError(self.message, self.span, filename=filename, source=source, kind=self.kind)

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def col(self) -> int | None:
        return self.span.col if self.span else None

    def format(self) -> str:
        if self.span is None:
            return f"{self.filename}: error: {self.message}"
        head = f"{self.filename}:{self.span.line}:{self.span.col}: error: {self.message}"
        lines = (self.source or "").split("\n")     # as the parser counts lines: not at \f or \x1c
        if not 1 <= self.span.line <= len(lines):
            return head
        text = lines[self.span.line - 1].rstrip().expandtabs(1)
        width = max(1, min(self.span.width, len(text) - self.span.col + 1, CONTEXT))
        start = self.span.col - 1
        # a generated file may hold megabytes on one line: echo only the part around the caret
        left, right = max(0, start - CONTEXT), min(len(text), start + width + CONTEXT)
        shown = "".join(c if c.isprintable() else "\ufffd" for c in text[left:right])   # NUL, escapes: visible
        shown = ("..." if left else "") + shown + ("..." if right < len(text) else "")
        caret = " " * (start - left + (3 if left else 0)) + "^" + "~" * (width - 1)
        return f"{head}\n    {shown}\n    {caret}"

    def __str__(self) -> str:
        return self.format()
