"""ham.lark -> the LALR parser, loaded from its tables in JSON (written by `python3 -m hamc.language.tables`)."""
from __future__ import annotations

import json
import sys
from importlib import import_module
from pathlib import Path

import lark
from lark import Lark

GRAMMAR_NAME = "ham.lark"
TABLES_NAME = "ham.lark.json"       # next to the grammar, shipped as package data with it
REGENERATE = "python3 -m hamc.language.tables"
FORMAT = 1
LARK_OPTIONS = {"parser": "lalr", "propagate_positions": True, "start": ["start", "expr"], "maybe_placeholders": True}
# lark's serialised parser has tuples and int-keyed dicts, which JSON would turn into lists and str keys:
# they are written as one-key objects under these tags and restored on reading (lark's fields never use them)
_TUPLE, _INT_KEYS = "<tuple>", "<int keys>"


def grammar_folder() -> Path:
    """The folder of ham.lark, found one way whether hamc is installed or run in place: the package data
    hamc.grammar (installing maps the top-level grammar/ folder to it), else that folder in the checkout."""
    try:
        grammar = import_module("hamc.grammar")     # its __init__ only: importlib.resources costs ~20 ms
    except ModuleNotFoundError:         # python -m hamc in the repository, not installed
        return Path(__file__).resolve().parents[2] / "grammar"
    return Path(grammar.__file__).parent


def parser_from_grammar(grammar: str) -> Lark:
    """Compile the grammar's LALR tables (~0.3 s): the tables file's source, and the parser when it is stale."""
    return Lark(grammar, **LARK_OPTIONS)


def tables_json(grammar: str) -> str:
    """The tables file's text for this grammar: byte-identical in every process (see _canonical)."""
    data, memo = parser_from_grammar(grammar).memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    data["parser"]["parser"] = _canonical(data["parser"]["parser"])
    document = {"note": f"generated from {GRAMMAR_NAME} by `{REGENERATE}`; do not edit",
                "format": FORMAT, "lark": lark.__version__, "grammar": grammar,
                "data": _tagged(data), "memo": _tagged(memo)}
    return json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"


def load_parser() -> Lark:
    """The parser of the installed grammar, from its tables; built from the grammar instead when the tables
    were written for another grammar or another lark (correct, only slower). A missing or unreadable tables
    file is a broken installation: RuntimeError, reported as an internal error."""
    folder = grammar_folder()
    grammar = (folder / GRAMMAR_NAME).read_text(encoding="utf-8")
    path = folder / TABLES_NAME
    try:
        document = json.loads(path.read_text(encoding="ascii"), object_hook=_untagged)
        current = (document["format"], document["lark"], document["grammar"])
        if current != (FORMAT, lark.__version__, grammar):
            return parser_from_grammar(grammar)
        return Lark._load_from_dict(document["data"], document["memo"])
    except Exception as exc:        # whatever a truncated or edited file makes json or lark raise
        raise RuntimeError(f"the parser tables {path} are missing or damaged ({type(exc).__name__}: {exc}); "
                           f"reinstall hamc, or in a checkout run `{REGENERATE}`") from exc


def _canonical(table: dict) -> dict:
    """lark's parse table with its states numbered in the order a breadth-first walk from the start states
    meets them (symbols in sorted order), and its tokens numbered alphabetically: lark numbers both in the
    order of sets of strings, which changes with the hash seed of each process."""
    names = table["tokens"]
    actions = {state: {names[t]: act for t, act in acts.items()} for state, acts in table["states"].items()}
    number: dict[int, int] = {}
    for start in sorted(table["start_states"]):
        number.setdefault(table["start_states"][start], len(number))
    order = list(number)
    for state in order:          # grows as the walk meets new states: shifts (and gotos) name the next state
        for name in sorted(actions[state]):
            kind, arg = actions[state][name]
            if kind == 0 and arg not in number:
                number[arg] = len(order)
                order.append(arg)
    assert len(order) == len(actions), "states no start state reaches"
    token = {name: i for i, name in enumerate(sorted({n for acts in actions.values() for n in acts}))}
    states = {number[state]: {token[name]: (kind, number[arg] if kind == 0 else arg)
                              for name, (kind, arg) in sorted(actions[state].items())} for state in order}
    return {"tokens": {i: name for name, i in token.items()}, "states": states,
            "start_states": {k: number[v] for k, v in sorted(table["start_states"].items())},
            "end_states": {k: number[v] for k, v in sorted(table["end_states"].items())}}


def _tagged(value):
    if isinstance(value, tuple):
        return {_TUPLE: [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            assert not {_TUPLE, _INT_KEYS} & value.keys(), "a lark field named like a tag"
            return {k: _tagged(v) for k, v in value.items()}
        assert all(type(k) is int for k in value), f"keys neither str nor int: {list(value)[:5]}"
        return {_INT_KEYS: [[k, _tagged(v)] for k, v in value.items()]}
    assert value is None or isinstance(value, (str, int, float)), f"not JSON: {type(value).__name__}"
    return value


def _untagged(obj: dict):
    if len(obj) == 1:
        if _TUPLE in obj:
            return tuple(obj[_TUPLE])
        if _INT_KEYS in obj:
            return {int(k): v for k, v in obj[_INT_KEYS]}
    return obj


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tables file next to the grammar (or at the path given), from the grammar."""
    folder = grammar_folder()
    target = Path(argv[0]) if argv else folder / TABLES_NAME
    text = tables_json((folder / GRAMMAR_NAME).read_text(encoding="utf-8"))
    if target.exists() and target.read_text(encoding="ascii") == text:
        print(f"{target} is up to date")
        return 0
    target.write_text(text, encoding="ascii")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
