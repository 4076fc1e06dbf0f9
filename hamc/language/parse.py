""".ham text -> Program (syntax tree with source spans)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import islice

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from . import syntax as S
from .hints import expected_text, hint
from .tables import load_parser
from ..errors import TEXT_NAME, HamcError, Span

_FRIENDLY = {"NAME": "a name", "NUMBER": "a number", "STRING": "a quoted path", "DOMAIN": "real/bit/spin/discrete",
             "BOUNDARY": "periodic/open", "REDUCE": "sum/prod", "COMPARE": "a comparison", "$END": "end of input"}
# characters that look like ASCII operators or spaces: the message says which one to type instead
_LOOKALIKES = {"\u2212": "'-'", "\u2013": "'-'", "\u2014": "'-'", "\u00d7": "'*'", "\u22c5": "'*'",
               "\u00b7": "'*'", "\u00f7": "'/'", "\u201c": "'\"'", "\u201d": "'\"'",
               "\u200b": "nothing (delete it)", "\ufeff": "nothing (delete it)",
               "\u00b2": "'^2'", "\u00b3": "'^3'", "{": "'(' (braces do not group)", "}": "')' (braces do not group)"}
MAX_DIGITS = 1000           # of a number literal: 10**1000 is cheap; float ends near 1e308 anyway
MAX_EXPONENT = 1000         # |e| of a literal such as 1e-50: 1e999999999 would build a billion-digit Fraction
MAX_SOURCE_CHARS = 16 * 2**20
MAX_TOKENS = 200_000
# an upper estimate of the parser's tokens, counted at C speed: lark takes ~10-20 us per token
_COMMENT = re.compile(r"#[^\n]*")
_TOKEN = re.compile(r'"[^"\n]*"|[A-Za-z_0-9.]+|\S')


@lru_cache(maxsize=None)
def _parser() -> Lark:
    # from the tables shipped next to the grammar: compiling them takes ~0.3 s at each start, and lark's
    # own cache is a pickle in the shared temporary folder, which another user could plant
    return load_parser()


def _span(meta) -> Span:
    width = meta.end_column - meta.column if meta.end_line == meta.line else 1
    return Span(meta.line, meta.column, max(width, 1))


def _tok_span(tok: Token) -> Span:
    return Span(tok.line, tok.column, max(len(str(tok)), 1))


def _checked_number(tok: Token) -> str:
    """The literal's text, refused (before anything computes with it) beyond MAX_DIGITS or MAX_EXPONENT."""
    text = str(tok)
    mantissa, _, exponent = text.lower().partition("e")
    digits = len(mantissa) - ("." in mantissa)
    shown = text if len(text) <= 40 else f"{text[:16]}...{text[-16:]}"
    if digits > MAX_DIGITS:
        raise HamcError(f"the number {shown} has {digits:,} digits; at most {MAX_DIGITS:,} are allowed",
                        _tok_span(tok))
    if exponent and (len(exponent.lstrip("+-0")) > 6 or abs(int(exponent)) > MAX_EXPONENT):
        raise HamcError(f"the exponent of {shown} is outside -{MAX_EXPONENT}..{MAX_EXPONENT} "
                        "(floating point ends near 1e308)", _tok_span(tok))
    return text


@v_args(meta=True)
class _ToSyntax(Transformer):
    def start(self, meta, items):
        return tuple(items)

    def param_decl(self, meta, items):
        return S.ParamDecl(str(items[0]), items[1], _span(meta))

    def lattice_decl(self, meta, items):
        name, kind, *args = items
        args = [a for a in args if a is not None]
        boundary = "periodic"
        if args and isinstance(args[-1], S.Name) and args[-1].name in ("periodic", "open"):
            boundary = args.pop().name
        return S.LatticeDecl(str(name), str(kind), tuple(args), boundary, _span(meta))

    def var_decl(self, meta, items):
        domain, *decls = items
        return tuple(S.VarDecl(str(domain), name, dims, boundary, span, states)
                     for name, dims, states, boundary, span in decls)

    def var_item(self, meta, items):
        name, dims, states, boundary = items
        return (str(name), tuple(dims or ()), states, str(boundary) if boundary else None, _span(meta))

    def states(self, meta, items):
        return tuple(items)

    def dims(self, meta, items):
        return list(items)

    def dim_size(self, meta, items):
        return S.Dim(None, items[0], _span(meta))

    def dim_range(self, meta, items):
        return S.Dim(items[0], items[1], _span(meta))

    def ham_decl(self, meta, items):
        label, expr = items
        return S.HamDecl(str(label) if label is not None else None, expr, _span(meta))

    def prior_decl(self, meta, items):
        return S.PriorDecl(str(items[0]), items[1], _span(meta))

    def add(self, meta, items):
        return S.BinOp("+", items[0], items[1], _span(meta))

    def sub(self, meta, items):
        return S.BinOp("-", items[0], items[1], _span(meta))

    def mul(self, meta, items):
        return S.BinOp("*", items[0], items[1], _span(meta))

    def div(self, meta, items):
        return S.BinOp("/", items[0], items[1], _span(meta))

    def pow(self, meta, items):
        return S.BinOp("^", items[0], items[1], _span(meta))

    def neg(self, meta, items):
        return S.Neg(items[0], _span(meta))

    def number(self, meta, items):
        return S.Num(_checked_number(items[0]), _tok_span(items[0]))

    def string(self, meta, items):
        return S.Str(str(items[0])[1:-1], _tok_span(items[0]))

    def name(self, meta, items):
        return S.Name(str(items[0]), _tok_span(items[0]))

    def indexed(self, meta, items):
        return S.Indexed(str(items[0]), tuple(items[1:]), _span(meta))

    def call(self, meta, items):
        return S.Call(str(items[0]), tuple(a for a in items[1:] if a is not None), _span(meta))

    def reduce(self, meta, items):
        op, binders, body = items
        return S.Reduce(str(op), binders, body, _span(meta))

    def binders(self, meta, items):
        return tuple(items)

    def bind_one(self, meta, items):
        name, where = items
        if isinstance(where, tuple):
            return S.BindRange(str(name), where[0], where[1], _span(meta))
        return S.BindSites(str(name), where, _span(meta))

    def range_set(self, meta, items):
        return (items[0], items[1])

    def lattice_set(self, meta, items):
        return str(items[0])

    def bind_bond(self, meta, items):
        over, shell = items[2]
        return S.BindBond(str(items[0]), str(items[1]), over, _span(meta), shell)

    def bind_second(self, meta, items):
        second = S.Num("2", _span(meta))
        return S.BindBond(str(items[0]), str(items[1]), str(items[2]), _span(meta), second)

    def bond_set(self, meta, items):
        if len(items) == 1:
            return str(items[0]), None
        func, over, shell = items
        if str(func) != "bonds":
            raise HamcError(f"'{func}(...)' is not a set of bonds; write <i,j> in G, or <i,j> in bonds(G, k) "
                            "for the k-th shell of neighbours", _tok_span(func))
        return str(over), shell

    def displacement(self, meta, items):
        return S.Displacement(tuple(items), _span(meta))

    def graph_decl(self, meta, items):
        return S.GraphDecl(str(items[0]), items[1], _span(meta))

    def condition(self, meta, items):
        return S.Condition(str(items[1]), items[0], items[2], _span(meta))


def _describe_expected(expected) -> str:
    parser = _parser()
    names = []
    for term in sorted(expected):
        if term in _FRIENDLY:
            names.append(_FRIENDLY[term])
            continue
        try:
            pattern = parser.get_terminal(term).pattern
        except KeyError:
            continue
        names.append(f"'{pattern.value}'" if pattern.type == "str" else term.lower())
    names = sorted(set(names))
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")


def describe_char(char: str) -> str:
    """'$' for printable ASCII; code point and Unicode name for anything one cannot tell by looking."""
    if " " < char < "\x7f":
        return f"'{char}'" + (f": use {_LOOKALIKES[char]}" if char in _LOOKALIKES else "")
    name = unicodedata.name(char, None) or {"\0": "NULL", "\x7f": "DELETE"}.get(char, "(a control character)")
    text = f"U+{ord(char):04X} {name}"
    if char.isprintable() and not char.isspace() and unicodedata.category(char) != "Cf":
        text += f" '{char}'"
    return text + (f": use {_LOOKALIKES[char]}" if char in _LOOKALIKES else "")


def _syntax_error(err: UnexpectedInput, filename: str, text: str) -> HamcError:
    found = None
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        history = getattr(err, "token_history", None) or [None]
        found = hint(err.token, history[-1], expected_text(_parser(), err.expected), text)
    if found is not None:
        msg, width = found
        span = Span(err.token.line, err.token.column - (1 if msg.startswith("'**'") else 0),
                    width + (1 if msg.startswith("'**'") else 0))
    elif isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else "?"
        msg = f"unexpected character {describe_char(char)}"
        span = Span(err.line, err.column, 1)
    elif isinstance(err, UnexpectedToken) and err.token.type != "$END":
        msg = f"unexpected '{err.token}'; expected {_describe_expected(err.expected)}"
        span = _tok_span(err.token)
    else:
        lines = text.splitlines() or [""]
        msg = "unexpected end of input"
        expected = getattr(err, "expected", None)
        if expected:
            msg += f"; expected {_describe_expected(expected)}"
        span = Span(len(lines), len(lines[-1]) + 1, 1)
    return HamcError(f"syntax error: {msg}", span, filename=filename, source=text)


def _flatten(statements) -> tuple:
    out = []
    for st in statements:
        out.extend(st if isinstance(st, tuple) else (st,))
    return tuple(out)


def check_size(text: str, filename: str) -> None:
    """Refuse sources that lark would take minutes and gigabytes to parse (it is linear, but ~15 us a token)."""
    if len(text) > MAX_SOURCE_CHARS:
        raise HamcError(f"the source is {len(text):,} characters long, more than the limit of "
                        f"{MAX_SOURCE_CHARS:,} (16 MiB)", filename=filename)
    tokens = sum(1 for _ in islice(_TOKEN.finditer(_COMMENT.sub("", text)), MAX_TOKENS + 1))
    if tokens > MAX_TOKENS:
        raise HamcError(f"the source has more than {MAX_TOKENS:,} tokens (names, numbers and symbols); put "
                        "large tables of coefficients in a .npy or .csv file and load() them", filename=filename)


def parse(text: str, *, filename: str = TEXT_NAME) -> S.Program:
    """Parse .ham source text; syntax errors raise HamcError located at the offending token."""
    if not isinstance(text, str):
        raise TypeError(f"parse takes .ham text (a str), got {type(text).__name__}; "
                        "for a file use hamc.load(path)")
    text = text.removeprefix("\ufeff")       # a byte-order mark some editors write: not part of the text
    check_size(text, filename)
    try:
        tree = _parser().parse(text, start="start")
        statements = _ToSyntax().transform(tree)
    except UnexpectedInput as err:
        raise _syntax_error(err, filename, text) from None
    except VisitError as err:  # a literal out of range, or a transformer bug (not the user's fault): surface it
        raise (err.orig_exc.located(filename, text) if isinstance(err.orig_exc, HamcError) else err.orig_exc) \
            from None
    return S.Program(_flatten(statements), filename, text)


def parse_expression(text: str, *, filename: str = "<param>") -> S.Expr:
    """Parse a single expression, as given to --param NAME=VALUE."""
    check_size(text, filename)
    try:
        return _ToSyntax().transform(_parser().parse(text, start="expr"))
    except UnexpectedInput as err:
        raise _syntax_error(err, filename, text) from None
    except VisitError as err:
        raise (err.orig_exc.located(filename, text) if isinstance(err.orig_exc, HamcError) else err.orig_exc) \
            from None
