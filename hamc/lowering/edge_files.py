"""Edge-list file (`u, v` or `u, v, weight` per line) -> vertex count, edges, weights; every row checked."""
from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from .array_files import ArrayFileError, check_regular_file
from ..ir.coefficients import Coefficients

# a weight as a decimal: the exponent is bounded before Fraction sees it (1e999999999 would not end)
_WEIGHT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?")
_VERTEX = re.compile(r"\d+")
_LIMIT = 2**62
MAX_FIELD = 40          # characters of one number: a vertex or a weight


def read_edges(path: Path, n_vertices: int | None, max_edges: int):
    """(n, edges (m, 2) int64, weights Coefficients or None). Blank lines and `#` comments are skipped;
    numbers are separated by commas or white space. Errors name the file's line, never its content."""
    check_regular_file(path)
    size = os.stat(path).st_size
    if size > 64 * max(max_edges, 1):
        raise ArrayFileError(f"too large ({size:,} bytes for at most {max_edges:,} edges, --max-terms)")
    rows, weights, widths, lines = [], [], set(), []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            fields = _fields(line)
            if not fields:
                continue
            if len(fields) not in (2, 3):
                raise ArrayFileError(f"line {number} has {len(fields)} columns; each line is `u, v` or "
                                     "`u, v, weight`")
            widths.add(len(fields))
            if len(widths) > 1:
                raise ArrayFileError(f"line {number} has {len(fields)} columns, the lines before it "
                                     f"{(widths - {len(fields)}).pop()}: give every edge a weight or none")
            u, v = (_vertex(f, number, k + 1) for k, f in enumerate(fields[:2]))
            if u == v:
                raise ArrayFileError(f"line {number} is a self-loop (vertex {u} to itself)")
            rows.append((u, v))
            lines.append(number)
            if len(fields) == 3:
                weights.append(_weight(fields[2], number))
            if len(rows) > max_edges:
                raise ArrayFileError(f"more than {max_edges:,} edges (the limit, --max-terms)")
    if not rows:
        raise ArrayFileError("it holds no edges")
    edges = np.array(rows, np.int64)
    n = int(edges.max()) + 1 if n_vertices is None else n_vertices
    _check_range(edges, n, lines)
    _check_duplicates(edges, n, lines)
    return n, edges, _coefficients(weights) if weights else None


def _fields(line: str) -> list[str]:
    text = line.split("#", 1)[0].strip()
    if not text:
        return []
    return [f.strip() for f in text.split(",")] if "," in text else text.split()


def _vertex(text: str, line: int, column: int) -> int:
    if len(text) > MAX_FIELD or not _VERTEX.fullmatch(text):
        raise ArrayFileError(f"line {line}, column {column} is not a vertex (a non-negative integer)")
    return int(text)


def _weight(text: str, line: int) -> Fraction:
    if len(text) > MAX_FIELD or not _WEIGHT.fullmatch(text):
        raise ArrayFileError(f"line {line}, column 3 is not a number (a weight such as 2, -0.5 or 1e-3)")
    value = Fraction(text)
    if abs(value.numerator) >= _LIMIT or value.denominator >= _LIMIT:
        raise ArrayFileError(f"line {line}, column 3: the weight has too many digits to keep exact")
    return value


def _check_range(edges: np.ndarray, n: int, lines: list[int]) -> None:
    bad = np.flatnonzero((edges >= n).any(axis=1))
    if len(bad):
        raise ArrayFileError(f"line {lines[bad[0]]} has vertex {int(edges[bad[0]].max())}, out of range "
                             f"0..{n - 1} (the graph's {n} vertices)")


def _check_duplicates(edges: np.ndarray, n: int, lines: list[int]) -> None:
    keys = np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
    order = np.argsort(keys, kind="stable")
    same = np.flatnonzero(keys[order][1:] == keys[order][:-1])
    if len(same):
        first, second = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        u, v = edges[second]
        raise ArrayFileError(f"line {lines[second]} repeats the edge {u}-{v} of line {lines[first]}")


def _coefficients(weights: list[Fraction]) -> Coefficients:
    return Coefficients(np.array([w.numerator for w in weights], np.int64),
                        np.array([w.denominator for w in weights], np.int64))
