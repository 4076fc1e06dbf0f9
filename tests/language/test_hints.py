"""Syntax errors that say what to write instead: message text, line and column of each common slip."""
from __future__ import annotations

import numpy as np
import pytest

import hamc

from conftest import error

STATEMENTS = "a statement starts with param, lattice, graph, real/bit/spin/discrete, H or prior"

SLIPS = [
    ("real x\nH = x**2", 2, 6, "'**' is not an operator: powers are written with '^', as in x^2"),
    ("param J = 1\nlattice G = chain(4)\nspin s[G]\nH = -J sum(<i,j> in G: s[i]*s[j])", 4, 8,
     "unexpected 'sum' right after 'J': multiplication needs '*', as in J * sum(...)"),
    ("real x\nH = 2 x", 2, 7, "unexpected 'x' right after '2': multiplication needs '*', as in 2 * x"),
    ("real x\nH = 2x + 1", 2, 6, "unexpected 'x' right after '2': multiplication needs '*', as in 2 * x"),
    ("real x, y\nH = (x)(y)", 2, 8,
     "unexpected '(' right after ')': multiplication needs '*', as in (...) * (...)"),
    ("real x\nH = x²", 2, 6, "unexpected character U+00B2 SUPERSCRIPT TWO '²': use '^2'"),
    ("real x\nH = x * {2}", 2, 9, "unexpected character '{': use '(' (braces do not group)"),
    ("real x\nH = sum(i = 0..3: x)", 2, 11, "a summation index is bound with 'in', as in sum(i in 0..N-1: ...)"),
    ("real x[4]\nH = sum(i in 0:3: x[i])", 2, 15,
     "a range is written lo..hi with both ends included, as in i in 0..N-1"),
    ("real x[4]\nH = sum(i in 0..3; x[i])", 2, 18,
     "the index binders end with ':' before the summand, as in sum(i in 0..N-1: x[i])"),
    ("real x[4]\nH = sum(i in 0..3) x[i]", 2, 18,
     "the index binders end with ':' before the summand, as in sum(i in 0..N-1: x[i])"),
    ("real x\nH = [x]", 2, 5, "brackets index an array, as in x[i]; group with ( )"),
    ("int x\nH = x", 1, 1, f"unknown statement 'int': {STATEMENTS}"),
    ("real x\nh = x", 2, 1, f"unknown statement 'h': {STATEMENTS} (the Hamiltonian is H, upper case)"),
    ("real x\nH = x\nE = x", 3, 1, f"unknown statement 'E': {STATEMENTS}"),
    ("real x\nH = sum(<i,j> in 0..3: x)", 2, 18,
     "a bond sum runs over a lattice or graph, as in sum(<i,j> in G: ...); over index ranges write "
     "sum(i in 0..N-1, j in 0..N-1: ...)"),
]


@pytest.mark.parametrize("text, line, col, message", SLIPS)
def test_a_common_slip_gets_a_hint_at_its_position(text, line, col, message):
    err = error(text)
    assert (err.line, err.col, err.message) == (line, col, "syntax error: " + message)


def test_a_token_starting_a_new_line_is_taken_for_a_statement_not_a_product():
    err = error("real x\nH = 2\n  # a comment line\n  x")
    assert (err.line, err.col, err.message) == (4, 3, f"syntax error: unknown statement 'x': {STATEMENTS}")


def test_the_caret_covers_both_stars():
    assert error("real x\nH = x ** 2").format().splitlines()[1:] == ["    H = x ** 2", "          ^~"]


def test_the_forms_the_readme_now_documents(tmp_path):
    (tmp_path / "perm.csv").write_text("2\n0\n1\n")
    path = tmp_path / "p.ham"
    path.write_text('param P = load("perm.csv"); real x[3], y, z open\nH = sum(i in 0..2: (i + 1) * x[P[i]]) + y * z')
    h = hamc.load(path)
    assert [v.name for v in h.variables] == ["x", "y", "z"] and h.variables[2].boundary == "open"
    assert h.evaluate(np.array([[1.0, 10.0, 100.0, 3.0, 5.0]]))[0] == 1 * 100 + 2 * 1 + 3 * 10 + 15


@pytest.mark.parametrize("text, message", [
    ("real x\nH = x(x + 1)", "'x' is not a function; index it with [ ], as in x[i], or multiply with *"),
    ("param J = 2\nreal x\nH = J(x + 1)", "'J' is not a function; multiply with *, as in J * (...)"),
])
def test_a_name_called_like_a_function_gets_a_hint(text, message):
    err = error(text)
    assert (err.line, err.message) == (text.count("\n") + 1, message)
