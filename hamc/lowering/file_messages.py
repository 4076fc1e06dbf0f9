"""Why a coupling file (param J = load("J.csv")) did not load: in words that quote none of its content."""
from __future__ import annotations

import re
from itertools import islice
from pathlib import Path

from .array_files import ArrayFileError


def load_failure(path: Path, exc: Exception) -> str:
    """Why a coupling file did not load, in words that quote none of its content (NumPy's messages do)."""
    if isinstance(exc, ArrayFileError):        # hamc's own words
        return str(exc)
    if isinstance(exc, OSError):
        return "file not found" if isinstance(exc, FileNotFoundError) else exc.strerror or "cannot be read"
    text = str(exc)
    if path.suffix == ".npy":
        return "not a valid .npy file"
    converting = re.search(r"at row (\d+), column (\d+)\.$", text)     # NumPy: row from 0, column from 1
    if text.startswith("could not convert") and converting:
        line = data_line(path, int(converting[1]))
        return f"{f'line {line}, ' if line else ''}column {converting[2]} is not a number"
    columns = re.match(r"the number of columns changed from (\d+) to (\d+) at row (\d+);", text)  # row from 1
    if columns:
        line = data_line(path, int(columns[3]) - 1)
        return f"{f'line {line} has' if line else 'a line has'} {columns[2]} columns, the lines before it {columns[1]}"
    return "not a table of numbers"


def data_line(path: Path, data_row: int) -> int | None:
    """The file's line number (from 1) of data row `data_row` (from 0): loadtxt skips blank and # lines."""
    try:
        with open(path, "rb") as fh:
            rows = (number for number, line in enumerate(fh, 1) if line.split(b"#", 1)[0].strip())
            return next(islice(rows, data_row, None), None)
    except OSError:
        return None
