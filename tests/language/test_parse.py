"""Parser tests: statements, expression forms, precedence, spans, syntax errors, grammar as package data."""
from __future__ import annotations


import pytest
import sympy
from lark import Lark

import hamc
from hamc.language import syntax as S
from hamc.language.parse import parse_expression
from hamc.language.tables import GRAMMAR_NAME, grammar_folder

from conftest import REPO, error


def sexpr(e) -> str:
    """A compact prefix form of an expression tree, to assert structure readably."""
    if isinstance(e, S.Num):
        return e.text
    if isinstance(e, S.Name):
        return e.name
    if isinstance(e, S.Str):
        return f'"{e.value}"'
    if isinstance(e, S.Neg):
        return f"(neg {sexpr(e.operand)})"
    if isinstance(e, S.BinOp):
        return f"({e.op} {sexpr(e.left)} {sexpr(e.right)})"
    if isinstance(e, S.Indexed):
        return f"{e.name}[{' '.join(sexpr(i) for i in e.indices)}]"
    if isinstance(e, S.Call):
        return f"{e.name}({' '.join(sexpr(a) for a in e.args)})"
    if isinstance(e, S.Reduce):
        return f"({e.op} {' '.join(binder(b) for b in e.binders)} : {sexpr(e.body)})"
    raise AssertionError(e)


def binder(b) -> str:
    if isinstance(b, S.BindRange):
        return f"{b.name}={sexpr(b.lo)}..{sexpr(b.hi)}"
    if isinstance(b, S.BindSites):
        return f"{b.name}@{b.over}"
    if isinstance(b, S.BindBond):
        return f"<{b.first},{b.second}>@{b.over}"
    return f"[{sexpr(b.left)}{b.op}{sexpr(b.right)}]"


def expr(text: str) -> str:
    return sexpr(parse_expression(text))


def only(text: str):
    (statement,) = hamc.parse(text).statements
    return statement


# statements ----------------------------------------------------------------------------------
def test_param_numbers_are_kept_as_written():
    prog = hamc.parse("param a = 3\nparam b = 0.25\nparam c = 1e-3\nparam d = 2.5E+2\nparam e = .5\nparam f = 1/3")
    assert [(p.name, sexpr(p.value)) for p in prog.statements] == [
        ("a", "3"), ("b", "0.25"), ("c", "1e-3"), ("d", "2.5E+2"), ("e", ".5"), ("f", "(/ 1 3)")]


def test_param_values_lower_to_exact_rationals():
    h = hamc.load("param a = 3\nparam b = 0.25\nparam c = 1e-3\nparam d = 2.5E+2\nparam e = .5\nparam f = 1/3\n"
                  "real x\nH = x")
    assert h.params == {"a": 3, "b": sympy.Rational(1, 4), "c": sympy.Rational(1, 1000), "d": 250,
                        "e": sympy.Rational(1, 2), "f": sympy.Rational(1, 3)}
    assert all(isinstance(v, sympy.Rational) for v in h.params.values())


def test_variable_declarations():
    prog = hamc.parse("real x[N], y\nbit b[1..8] open\nspin s[G] periodic, t[2, 3]")
    decls = [(d.domain, d.name, [(d2.lo and sexpr(d2.lo), sexpr(d2.hi)) for d2 in d.dims], d.boundary)
             for d in prog.statements]
    assert decls == [
        ("real", "x", [(None, "N")], None),
        ("real", "y", [], None),
        ("bit", "b", [("1", "8")], "open"),
        ("spin", "s", [(None, "G")], "periodic"),
        ("spin", "t", [(None, "2"), (None, "3")], None),
    ]


def test_variable_layout_after_lowering():
    h = hamc.load("param N = 3\nreal x[N], y\nbit b[1..4] open\nlattice G = square(2, 3)\nspin s[G]\n"
                  "H = x[2] + y + b[4] + s[1, 2]")
    layout = [(v.name, v.domain, v.lows, v.shape, v.boundary, v.offset, v.lattice_name) for v in h.variables]
    assert layout == [
        ("x", "real", (0,), (3,), None, 0, None),
        ("y", "real", (), (), None, 3, None),
        ("b", "bit", (1,), (4,), "open", 4, None),
        ("s", "spin", (0, 0), (2, 3), "periodic", 8, "G"),   # a lattice's variables inherit its boundary
    ]
    assert h.n_variables == 14
    assert [h.variable_label(i) for i in (0, 3, 4, 7, 8, 13)] == ["x[0]", "y", "b[1]", "b[4]", "s[0,0]", "s[1,2]"]
    assert list(h.domains) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]


@pytest.mark.parametrize("text, kind, sizes, boundary", [
    ("lattice G = square(L, L, periodic)", "square", ["L", "L"], "periodic"),
    ("lattice G = square(4, 5)", "square", ["4", "5"], "periodic"),            # periodic by default
    ("lattice C = chain(10, open)", "chain", ["10"], "open"),
    ("lattice T = triangular(3, 3, open)", "triangular", ["3", "3"], "open"),
    ("lattice K = cubic(2, 3, L + 1)", "cubic", ["2", "3", "(+ L 1)"], "periodic"),
])
def test_lattice_declarations(text, kind, sizes, boundary):
    st = only(text)
    assert isinstance(st, S.LatticeDecl)
    assert (st.kind, [sexpr(s) for s in st.sizes], st.boundary) == (kind, sizes, boundary)


def test_hamiltonians_labels_priors_and_semicolons():
    prog = hamc.parse("bit x[2]; H[cat] = x[0]; H[dog] = x[1]\nprior cat = 0.6; prior dog = 0.4")
    kinds = [(type(st).__name__, getattr(st, "label", None)) for st in prog.statements[1:]]
    assert kinds == [("HamDecl", "cat"), ("HamDecl", "dog"), ("PriorDecl", "cat"), ("PriorDecl", "dog")]
    assert only("H = 1").label is None


def test_comments_and_multiline_expressions():
    text = ("# a comment line\n"
            "real x[3]   # trailing comment\n"
            "H = x[0]\n"
            "  # a comment inside the expression\n"
            "  + x[1] *\n"
            "    x[2]\n")
    ham = hamc.parse(text).statements[1]
    assert sexpr(ham.expr) == "(+ x[0] (* x[1] x[2]))"
    assert (ham.span.line, ham.span.col) == (3, 1)
    assert (ham.expr.right.right.span.line, ham.expr.right.right.span.col) == (6, 5)


def test_sum_and_prod_binders():
    assert expr("sum(i in 0..N-1: x[i])") == "(sum i=0..(- N 1) : x[i])"
    assert expr("sum(i in G: s[i])") == "(sum i@G : s[i])"
    assert expr("sum(<i,j> in G: s[i]*s[j])") == "(sum <i,j>@G : (* s[i] s[j]))"
    assert expr("sum(i in 0..3, j in 0..3, i < j: x[i]*x[j])") == \
        "(sum i=0..3 j=0..3 [i<j] : (* x[i] x[j]))"
    assert expr("prod(i in 1..4, i != 2: (1 + x[i]))") == "(prod i=1..4 [i!=2] : (+ 1 x[i]))"
    assert [binder(b) for b in parse_expression("sum(i in 0..9, i <= 3, i >= 1, i == 2, i > 0: 1)").binders][1:] \
        == ["[i<=3]", "[i>=1]", "[i==2]", "[i>0]"]


def test_nested_sums_and_index_arithmetic():
    assert expr("sum(i in 0..L-1: sum(j in i..L-1: (i-j)^2 * x[i+1, 2*j]))") == \
        "(sum i=0..(- L 1) : (sum j=i..(- L 1) : (* (^ (- i j) 2) x[(+ i 1) (* 2 j)])))"


def test_calls_strings_and_unary_plus():
    assert expr('load("data/J.npy", N, N)') == 'load("data/J.npy" N N)'
    assert expr("sqrt(2) * +x") == "(* sqrt(2) x)"


def test_keywords_end_at_word_boundaries():
    # Names that start with a keyword ('summary', 'product', 'reals') are ordinary names.
    h = hamc.load("real summary, product, reals, sum_x, openness\n"
                  "H = summary + product * sum_x + sum(i in 0..1: reals) + prod(i in 0..1: openness)")
    assert sorted(v.name for v in h.variables) == ["openness", "product", "reals", "sum_x", "summary"]
    assert h.evaluate([[2, 3, 5, 7, 11]])[0] == 2 + 3 * 7 + 2 * 5 + 11 ** 2


# precedence ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, tree", [
    ("-x^2", "(neg (^ x 2))"),
    ("2^3^2", "(^ 2 (^ 3 2))"),
    ("a-b-c", "(- (- a b) c)"),
    ("a/b/c", "(/ (/ a b) c)"),
    ("a+b*c", "(+ a (* b c))"),
    ("a*b^c", "(* a (^ b c))"),
    ("x^-1", "(^ x (neg 1))"),
    ("-a*b", "(* (neg a) b)"),
    ("(a+b)*c", "(* (+ a b) c)"),
    ("a - -b", "(- a (neg b))"),
])
def test_precedence_and_associativity(text, tree):
    assert expr(text) == tree


@pytest.mark.parametrize("text, value", [
    ("-2^2", -4), ("2^3^2", 512), ("(2^3)^2", 64), ("10-3-2", 5), ("12/3/2", 2), ("2*3^2", 18),
    ("(-2)^2", 4), ("2^-2", sympy.Rational(1, 4)), ("1/3+1/3+1/3", 1), ("-(1-4)", 3),
])
def test_precedence_values(text, value):
    h = hamc.load(f"param v = {text}\nreal x\nH = v * x")
    assert h.params["v"] == value


def test_spans_of_expression_nodes():
    e = only("H = 2 * s[i+1, j]").expr
    assert (e.span.line, e.span.col, e.span.width) == (1, 5, 13)
    assert (e.left.span.col, e.left.span.width) == (5, 1)
    assert (e.right.span.col, e.right.span.width) == (9, 9)


# syntax errors -------------------------------------------------------------------------------
EXPR_START = "'(', '+', '-', a name, a number, a quoted path, sum/prod"


def test_unexpected_token_with_exact_format():
    err = error("real x\nH = x +* 2")
    assert (err.line, err.col) == (2, 8)
    assert err.format() == (
        f"<text>:2:8: error: syntax error: unexpected '*'; expected {EXPR_START}\n"
        "    H = x +* 2\n"
        "           ^")


def test_unexpected_character():
    err = error("real x\nH = x $ 2")
    assert err.format() == (
        "<text>:2:7: error: syntax error: unexpected character '$'\n"
        "    H = x $ 2\n"
        "          ^")


def test_unexpected_end_of_input():
    err = error("real x\nH = x ^")
    assert (err.line, err.col) == (2, 8)
    assert err.message == f"syntax error: unexpected end of input; expected {EXPR_START}"


def test_error_in_a_file_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "bad.ham"
    path.write_text("# header\nparam L = 4\n\nreal x[L]\nH = sum(i in 0..L-1:\n        x[i] *\n        )\n")
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert info.value.format() == (
        f"{path}:7:9: error: syntax error: unexpected ')'; expected {EXPR_START}\n"
        "            )\n"
        "            ^")


def test_unclosed_bracket_points_at_the_next_token():
    err = error("real x[3\nH = x[0]")
    assert (err.line, err.col) == (2, 1)
    assert err.message == "syntax error: unexpected 'H'; expected ',', '..', ']'"


def test_wide_token_gets_a_caret_and_tildes():
    err = error("real x\nH = x 12345 + 1")
    assert (err.line, err.col, err.span.width) == (2, 7, 5)
    assert err.format().splitlines()[1:] == ["    H = x 12345 + 1", "          ^~~~~"]
    err = error("param = 3")
    assert err.format() == ("<text>:1:7: error: syntax error: unexpected '='; expected a name\n"
                            "    param = 3\n"
                            "          ^")


def test_python_power_operator_is_a_syntax_error_that_names_the_caret():
    err = error("real x\nH = x ** 2")
    assert (err.line, err.col, err.span.width) == (2, 7, 2)
    assert err.message == "syntax error: '**' is not an operator: powers are written with '^', as in x^2"


def test_parse_expression_error_is_located_in_the_param_text():
    with pytest.raises(hamc.HamcError) as info:
        parse_expression("1 +", filename="--param L")
    assert info.value.format() == (
        f"--param L:1:4: error: syntax error: unexpected end of input; expected {EXPR_START}\n"
        "    1 +\n"
        "       ^")


# the grammar is package data -----------------------------------------------------------------
def test_grammar_is_installed_as_package_data():
    # one code path finds the grammar, installed (package data hamc.grammar) or run from a checkout
    resource = grammar_folder() / GRAMMAR_NAME
    assert resource.is_file()
    assert resource.read_text(encoding="utf-8") == (REPO / "grammar" / "ham.lark").read_text(encoding="utf-8")
    tree = Lark(resource.read_text(encoding="utf-8"), parser="lalr").parse("real x\nH = x^2")
    assert [t.data for t in tree.children] == ["var_decl", "ham_decl"]
    # and installing ships it: pyproject maps the grammar/ folder to hamc.grammar with its .lark files and
    # the parser tables beside them
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"hamc.grammar" = "grammar"' in pyproject and '"hamc.grammar" = ["*.lark", "*.lark.json"]' in pyproject
    assert resource.with_name("ham.lark.json").is_file()


def test_shell_bonds_displacements_and_graphs_parse():
    prog = hamc.parse('graph E = edges("e.csv")\nH = sum(<<i,j>> in G: 1) + sum(<i,j> in bonds(G, 3): s[i + (1, -1)])')
    graph, ham = prog.statements
    assert isinstance(graph, S.GraphDecl) and graph.name == "E" and graph.source.name == "edges"
    second, third = ham.expr.left.binders[0], ham.expr.right.binders[0]
    assert (second.first, second.second, second.over, second.shell.text) == ("i", "j", "G", "2")
    assert (third.over, third.shell.text) == ("G", "3")
    shifted = ham.expr.right.body.indices[0]
    assert isinstance(shifted.right, S.Displacement) and [c.text for c in shifted.right.components[:1]] == ["1"]
    assert isinstance(shifted.right.components[1], S.Neg)


def test_a_bond_set_other_than_bonds_is_refused_at_its_name():
    err = error("H = sum(<i,j> in shells(G, 2): 1)")
    assert (err.line, err.col, err.message) == (1, 18, "'shells(...)' is not a set of bonds; write <i,j> in G, "
                                                "or <i,j> in bonds(G, k) for the k-th shell of neighbours")
