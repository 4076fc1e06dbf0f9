"""The parser tables shipped in grammar/ham.lark.json: current, deterministic, equivalent to the grammar."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import lark
import pytest

from conftest import EXAMPLES, REPO
from hamc.cli import main
from hamc.errors import HamcError
from hamc.language import parse as P
from hamc.language import tables

GRAMMAR = (REPO / "grammar" / "ham.lark").read_text(encoding="utf-8")
SHIPPED = REPO / "grammar" / tables.TABLES_NAME


def test_the_shipped_tables_are_those_of_the_grammar():
    # a grammar edited without regenerating the tables fails here, saying what to run
    assert tables.tables_json(GRAMMAR) == SHIPPED.read_text(encoding="ascii"), (
        f"grammar/{tables.TABLES_NAME} is not the tables of grammar/ham.lark: run `{tables.REGENERATE}`")


def test_the_tables_do_not_depend_on_the_hash_seed():
    # lark numbers states and tokens in the order of sets of strings: the file renumbers them canonically
    code = "import sys; from hamc.language import tables; sys.stdout.write(tables.tables_json(sys.stdin.read()))"
    texts = {subprocess.run([sys.executable, "-c", code], input=GRAMMAR, cwd=REPO, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
             for seed in ("0", "12345")}
    assert texts == {SHIPPED.read_text(encoding="ascii")}


def test_the_file_is_plain_json_with_the_grammar_and_lark_version():
    document = json.loads(SHIPPED.read_text(encoding="ascii"))
    assert (document["format"], document["lark"], document["grammar"]) == (tables.FORMAT, lark.__version__, GRAMMAR)
    assert tables.REGENERATE in document["note"]


def test_the_parser_is_loaded_without_compiling_the_grammar(monkeypatch):
    def refuse(grammar):
        raise AssertionError("the grammar was compiled")
    monkeypatch.setattr(tables, "parser_from_grammar", refuse)
    parser = tables.load_parser()
    assert parser.parse("param L = 4", start="start").children[0].data == "param_decl"


# the parser from the tables and the parser from the grammar agree on every text ---------------------
def _corpus() -> tuple[list[str], list[str]]:
    """(sources, expressions): every example file and every string of the test files that could be .ham
    source (valid or not); and their right-hand sides, as --param gives expressions."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.ham"))]
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "=" in node.value:
                texts.append(node.value)
    return list(dict.fromkeys(texts)), list(dict.fromkeys(t.rsplit("=", 1)[1] for t in texts))


def _outcomes(sources: list[str], expressions: list[str]) -> list:
    def outcome(parse, text: str):
        try:
            return parse(text)
        except HamcError as err:
            return ("error", err.format())
    return [outcome(P.parse, t) for t in sources] + [outcome(P.parse_expression, t) for t in expressions]


def test_the_tables_parse_as_the_grammar_does(monkeypatch):
    sources, expressions = _corpus()
    assert len(sources) > 300 and len(expressions) > 300     # the examples, and the tests' sources and slips
    from_tables = _outcomes(sources, expressions)
    grammar_parser = tables.parser_from_grammar(GRAMMAR)
    monkeypatch.setattr(P, "_parser", lambda: grammar_parser)
    assert _outcomes(sources, expressions) == from_tables
    # programs, expressions and errors (with their positions and expected tokens) were all compared
    kinds = {type(outcome).__name__ for outcome in from_tables}
    assert kinds >= {"Program", "tuple", "BinOp", "Reduce", "Name"}, kinds


# stale, missing and damaged tables --------------------------------------------------------------------
def _folder(tmp_path, grammar: str = GRAMMAR, tables_text: str | None = None):
    (tmp_path / tables.GRAMMAR_NAME).write_text(grammar, encoding="utf-8")
    if tables_text is not None:
        (tmp_path / tables.TABLES_NAME).write_text(tables_text, encoding="ascii")
    return tmp_path


@pytest.mark.parametrize("change", ["grammar", "lark"])
def test_tables_for_another_grammar_or_lark_give_way_to_the_grammar(tmp_path, monkeypatch, change):
    shipped = SHIPPED.read_text(encoding="ascii")
    if change == "lark":
        shipped = shipped.replace(f'"lark":"{lark.__version__}"', '"lark":"0.0.1"')
    grammar = GRAMMAR.replace("COMPARE: ", 'COMPARE: "=<" | ') if change == "grammar" else GRAMMAR
    monkeypatch.setattr(tables, "grammar_folder", lambda: _folder(tmp_path, grammar, shipped))
    built, compile_grammar = [], tables.parser_from_grammar
    monkeypatch.setattr(tables, "parser_from_grammar", lambda g: built.append(g) or compile_grammar(g))
    parser = tables.load_parser()
    assert built == [grammar]
    # the edited grammar is the one in use: `=<` is a comparison only there
    accepts = "H = sum(i in 0..3, i =< 2: x[i])"
    if change == "grammar":
        assert parser.parse(accepts, start="start").children[0].data == "ham_decl"
    else:
        with pytest.raises(lark.exceptions.UnexpectedInput):
            parser.parse(accepts, start="start")


@pytest.mark.parametrize("text, reason", [(None, "FileNotFoundError"), ('{"format": 1, "lark"', "JSONDecodeError"),
                                          ("[]", "TypeError"), ("{}", "KeyError")])
def test_missing_or_damaged_tables_are_an_internal_error(tmp_path, monkeypatch, capsys, text, reason):
    folder = _folder(tmp_path, tables_text=text)
    monkeypatch.setattr(tables, "grammar_folder", lambda: folder)
    with pytest.raises(RuntimeError) as info:
        tables.load_parser()
    assert str(info.value).startswith(f"the parser tables {folder / tables.TABLES_NAME} are missing or damaged "
                                      f"({reason}: ")
    assert str(info.value).endswith(f"reinstall hamc, or in a checkout run `{tables.REGENERATE}`")
    P._parser.cache_clear()
    try:
        assert main(["analyze", str(EXAMPLES / "ising.ham")]) == 3      # a broken installation, not the user's file
    finally:
        P._parser.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("hamc: internal error in hamc (please report it): RuntimeError: the parser tables")


def test_damaged_tables_of_the_right_grammar_and_version_are_refused(tmp_path, monkeypatch):
    document = json.loads(SHIPPED.read_text(encoding="ascii"))
    document["memo"] = {}          # as a hand edit might leave it
    folder = _folder(tmp_path, tables_text=json.dumps(document))
    monkeypatch.setattr(tables, "grammar_folder", lambda: folder)
    with pytest.raises(RuntimeError, match=r"are missing or damaged \(AssertionError: "):
        tables.load_parser()


def test_the_generator_writes_the_file_and_says_when_it_is_current(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tables, "grammar_folder", lambda: _folder(tmp_path))
    target = tmp_path / tables.TABLES_NAME
    assert tables.main([]) == 0 and tables.main([]) == 0
    assert capsys.readouterr().out == f"wrote {target}\n{target} is up to date\n"
    assert target.read_bytes() == SHIPPED.read_bytes()
