"""Unexpected token -> what to write instead, for the slips people make first (x**2, 2 x, i = 0..N)."""
from __future__ import annotations

from lark import Token

STATEMENTS = "param, lattice, graph, real/bit/spin/discrete, H or prior"
_STARTS_OPERAND = {"NAME", "NUMBER", "LPAR", "REDUCE", "STRING"}


def hint(token: Token, previous: Token | None, expected: set[str], text: str) -> tuple[str, int] | None:
    """(message, width) replacing lark's list of expected tokens, or None when no slip is recognised.
    `expected` holds the literal text of each expected terminal (`*`, `in`) or its name (NAME, DOMAIN)."""
    kind, value = token.type, str(token)
    after = str(previous) if previous is not None else ""
    if value == "*" and after == "*" and token.start_pos and text[token.start_pos - 1] == "*":
        return "'**' is not an operator: powers are written with '^', as in x^2", 1
    new_line = _on_new_line(text, token.start_pos)
    if "*" in expected and kind in _STARTS_OPERAND and not new_line:
        left = "(...)" if after == ")" else after
        right = {"LPAR": "(...)", "REDUCE": f"{value}(...)"}.get(kind, value)
        return (f"unexpected '{value}' right after '{after}': multiplication needs '*', as in "
                f"{left} * {right}"), len(value)
    if "param" in expected and kind == "NAME":
        upper = " (the Hamiltonian is H, upper case)" if value == "h" else ""
        return f"unknown statement '{value}': a statement starts with {STATEMENTS}{upper}", len(value)
    if value == "=" and "in" in expected:
        return "a summation index is bound with 'in', as in sum(i in 0..N-1: ...)", 1
    if ".." in expected and value in (":", ","):
        return "a range is written lo..hi with both ends included, as in i in 0..N-1", 1
    if expected <= {",", ":"} and value in (";", ")"):
        return "the index binders end with ':' before the summand, as in sum(i in 0..N-1: x[i])", 1
    if value == "[" and "NAME" in expected:
        return "brackets index an array, as in x[i]; group with ( )", 1
    if expected == {"NAME"} and after == "in":
        return ("a bond sum runs over a lattice or graph, as in sum(<i,j> in G: ...); over index ranges write "
                "sum(i in 0..N-1, j in 0..N-1: ...)"), len(value)
    return None


def expected_text(parser, expected) -> set[str]:
    """Each expected terminal as written (`*`, `in`) if it is a literal, else its name (NAME, DOMAIN)."""
    out = set()
    for term in expected:
        try:
            pattern = parser.get_terminal(term).pattern
        except KeyError:
            continue
        out.add(pattern.value if pattern.type == "str" else term)
    return out


def _on_new_line(text: str, pos: int) -> bool:
    """Whether the token at pos starts its line (a comment runs to the end of a line: none precedes it)."""
    start = text.rfind("\n", 0, pos) + 1
    return start > 0 and not text[start:pos].strip()
