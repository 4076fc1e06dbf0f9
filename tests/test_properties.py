"""Hypothesis properties: any text either loads or raises HamcError; lowered polynomials equal their formulas."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hamc

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Lowering is refused beyond this many terms (or this degree), which keeps every example fast.
MAX_TERMS = 500


def load_or_hamc_error(text: str) -> None:
    """Loading `text` must succeed or raise HamcError; any other exception fails the property."""
    try:
        h = hamc.load(text, max_terms=MAX_TERMS)
    except hamc.HamcError as err:
        assert err.message
        err.format()                     # formatting the error must not fail either
        return
    assert h.energies and h.n_variables == sum(a.size for a in h.variables) == len(h.domains)


# (a) robustness ------------------------------------------------------------------------------
@FAST
@given(st.text(max_size=80))
def test_random_text_loads_or_raises_hamc_error(text):
    load_or_hamc_error(text)


@FAST
@given(st.text(alphabet="H=x+-*/^()[]{}<>,.:;#0123456789e in sumprod real spin bit \n\t\"", max_size=60))
def test_random_text_over_the_language_alphabet(text):
    load_or_hamc_error("H = " + text)


TOKENS = [
    "H", "=", "H[a]", "H[b]", "prior a =", "sum", "prod", "(", ")", "[", "]", ",", ":", "..", "in", "i", "j", "<i,j>",
    "0..3", "1..N", "i in G", "i < j", "i <= j", "j != 1", "x[i]", "x[j]", "x[i+1]", "s[i]", "s[i-1]", "b[j]",
    "x", "s", "b", "N", "J", "G", "+", "-", "*", "/", "^", "0", "1", "2", "3", "-1", "0.5", "1e-3", "2.5e2", "1/3",
    "1e400", "99999999999999999999", "real x[4]", "real y", "spin s[3] periodic", "bit b[2] open", "param N = 3",
    "param J = 1/2", "param N = 0", "lattice G = square(2, 2)", "lattice G = chain(3, open)",
    "lattice G = triangular(2, 3)", "lattice G = cubic(2, 2, 2)", "spin t[G]", "sqrt", "exp", "log", "abs",
    "load", '"missing.npy"', "# comment", "\n", ";",
]
PRELUDE = "param N = 3\nparam J = 1/2\nreal x[4]\nspin s[3] periodic\nbit b[2] open\nlattice G = square(2, 2)\n"


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_random_token_sequences(tokens):
    load_or_hamc_error(" ".join(tokens))


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_token_expressions_after_declarations(tokens):
    load_or_hamc_error(PRELUDE + "H = " + " ".join(tokens))


# Structured programs reach deeper into lowering than token soup: well-formed expressions over
# declared and undeclared names, index arithmetic, nested sums and products, calls and powers.
ATOMS = ["0", "1", "2", "3", "0.5", "1/3", "1e-3", "1e400", "2^70", "x[i]", "x[j]", "x[0]", "x[i+1]", "x[4]", "s[i]",
         "s[j-1]", "b[i]", "b[2*i]", "t[i]", "t[0, 1]", "y", "i", "j", "N", "J", "x", "G", "k"]
BINDERS = ["i in 0..N-1", "j in i..3", "i in G", "<i,j> in G", "i < j", "j != 1", "j in 0..i", "i in 0..1e9",
           "i in 3..1", "k in 0..2"]


def _compound(children):
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/^"), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda c: f"-{c}"),
        st.tuples(st.sampled_from(["sqrt", "exp", "abs", "foo"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["sum", "prod"]), st.lists(st.sampled_from(BINDERS), min_size=1, max_size=3),
                  children).map(lambda t: f"{t[0]}({', '.join(t[1])}: {t[2]})"),
    )


PROGRAMS = st.recursive(st.sampled_from(ATOMS), _compound, max_leaves=8)


@FAST
@given(PROGRAMS)
def test_random_well_formed_expressions(text):
    load_or_hamc_error(PRELUDE + "spin t[G]\nH = " + text)


# (b) lowering is exact: random polynomials over 3 reals, a bit and a spin --------------------
# An expression is a small tree of tuples: ("var", name), ("num", text), (op, left, right) for
# + - *, ("^", base, k), ("/", numerator, divisor) and ("neg", operand).
VARIABLES = ["x[0]", "x[1]", "x[2]", "b", "s"]
NUMBERS = ["0", "1", "2", "5", "0.1", "2.5", "1e-1", "3/4", "2.5e1"]     # Fraction() reads each
DIVISORS = {"2": 2.0, "3": 3.0, "7": 7.0, "(0 - 4)": -4.0}


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from("+-*"), children, children),
        st.tuples(children, st.integers(0, 3)).map(lambda t: ("^", t[0], t[1])),
        st.tuples(children, st.sampled_from(sorted(DIVISORS))).map(lambda t: ("/", t[0], t[1])),
        children.map(lambda c: ("neg", c)),
    )


EXPRESSIONS = st.recursive(st.one_of(st.sampled_from(VARIABLES).map(lambda v: ("var", v)),
                                     st.sampled_from(NUMBERS).map(lambda t: ("num", t))),
                           _extend, max_leaves=10)


def render(e) -> str:
    kind = e[0]
    if kind in ("var", "num"):
        return e[1]
    if kind == "neg":
        return f"-({render(e[1])})"
    if kind == "^":
        return f"({render(e[1])})^{e[2]}"
    if kind == "/":
        return f"({render(e[1])}) / {e[2]}"
    return f"({render(e[1])} {kind} {render(e[2])})"


def value(e, env: dict, magnitude: bool = False) -> float:
    """Direct float evaluation of the tree; with magnitude=True, of |every leaf| with + for -.

    The magnitude bounds the sum of |terms| of the expanded polynomial, hence its rounding error.
    """
    kind = e[0]
    if kind == "var":
        return abs(env[e[1]]) if magnitude else env[e[1]]
    if kind == "num":
        return float(Fraction(e[1]))           # every literal is non-negative
    if kind == "neg":
        return value(e[1], env, magnitude) * (1 if magnitude else -1)
    if kind == "^":
        return value(e[1], env, magnitude) ** e[2]
    if kind == "/":
        divisor = DIVISORS[e[2]]
        return value(e[1], env, magnitude) / (abs(divisor) if magnitude else divisor)
    a, b = value(e[1], env, magnitude), value(e[2], env, magnitude)
    if kind == "*":
        return a * b
    return a + b if kind == "+" or magnitude else a - b


def check(e, env: dict) -> None:
    h = hamc.load(f"real x[3]\nbit b\nspin s\nH = {render(e)}", max_terms=100_000)
    assert all(p.exact for p in h.energies)     # an exact source gives exact coefficients
    got = h.evaluate(np.array([[env[v] for v in VARIABLES]]))[0]
    want = value(e, env)
    assert math.isclose(got, want, rel_tol=0, abs_tol=1e-9 * max(value(e, env, True), 1.0)), (render(e), got, want)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_lowered_polynomial_equals_direct_evaluation(e):
    check(e, {"x[0]": 0.7, "x[1]": -1.3, "x[2]": 2.1, "b": 1.0, "s": -1.0})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.sampled_from([0.0, 1.0]),
       st.sampled_from([-1.0, 1.0]))
def test_lowered_polynomial_at_random_points(e, xs, b, s):
    check(e, {"x[0]": xs[0], "x[1]": xs[1], "x[2]": xs[2], "b": b, "s": s})
