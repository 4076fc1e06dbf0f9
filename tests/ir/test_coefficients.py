"""Exact coefficients: int64 while they fit, Python ints where int64 would overflow, float only from
a float in the source (and then the report says which declaration); checked against sympy."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hamc
from hamc.ir.coefficients import Coefficients, compare
from hamc.ir.exact_limits import MAX_EXACT_BITS

from conftest import REPO

x, y, z = sympy.symbols("x y z")


def _x(n: int) -> sympy.IndexedBase:
    """The array x[n] as Hamiltonian.to_sympy writes it."""
    return sympy.IndexedBase("x", shape=(n,))


def polynomial(text: str):
    h = hamc.load(text)
    assert h.energies[0].exact, "coefficients should be exact"
    return sympy.expand(h.to_sympy())


def error(text: str) -> hamc.HamcError:
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(text)
    return info.value


# the reproducers ------------------------------------------------------------------------------
def test_a_sum_that_overflows_int64_and_cancels_keeps_its_small_term():
    # int64 wrapped 2^62 + 1 - 2^62 to zero terms before
    assert polynomial("real x\nH = 2^62 * x + x - 2^62 * x") == x
    assert polynomial("real x\nH = 2^63 * x + x - 2^63 * x + 2^200 * x^2") == x + 2**200 * x**2


def test_products_of_16_digit_decimals_stay_exact():
    got = polynomial("real x\nreal y\nH = (0.1234567890123457 * x + y)^2 - (0.1234567890123456 * x + y)^2")
    a, b = sympy.Rational("0.1234567890123457"), sympy.Rational("0.1234567890123456")
    assert got == sympy.expand((a * x + y) ** 2 - (b * x + y) ** 2)
    assert got.coeff(x * y) == sympy.Rational(1, 5 * 10**15)


# the wide (Python int) representation -----------------------------------------------------------
def test_denominators_whose_lcm_overflows_int64_are_summed_exactly():
    # lcm(1..60) ~ 9e24: the harmonic number H_60 as one coefficient
    assert polynomial("real x\nH = sum(i in 1..60: x / i)") == sympy.harmonic(60) * x


def test_only_the_groups_that_overflow_leave_int64():
    h = hamc.load("real x[3]\nH = 2^61 * x[0] + 2^61 * x[0] + 2^61 * x[0] + x[1] + x[1] + 3 * x[2]")
    coef = h.energies[0].coefficients[1]
    assert coef.wide and [int(c) for c in coef.num] == [3 * 2**61, 2, 3]
    # once the big one cancels, the vector is int64 again
    h = hamc.load("real x[2]\nH = 2^70 * x[0] - 2^70 * x[0] + x[1] / 3")
    coef = h.energies[0].coefficients[1]
    assert not coef.wide and coef.num.dtype == np.int64 and (int(coef.num[0]), int(coef.den[0])) == (1, 3)


def test_conditions_compare_big_numbers_exactly():
    # in float64 2^62 * 2 + 1 > 2^63 is 2^63 > 2^63, false
    assert polynomial("real x[4]\nH = sum(i in 0..3, i * 2^62 + 1 > 2^63: x[i])") == _x(4)[2] + _x(4)[3]


def test_integer_arrays_beyond_int64_headroom_stay_exact():
    h = hamc.load("param J = 0\nreal x[2]\nH = sum(i in 0..1: J[i] * x[i])",
                  params={"J": np.array([2**62 + 1, -(2**63 - 1)], np.int64)})
    assert h.energies[0].exact
    assert h.to_sympy() == (2**62 + 1) * _x(2)[0] - (2**63 - 1) * _x(2)[1]


def test_mixed_int64_and_wide_vectors_agree_with_fractions():
    rng = np.random.default_rng(1)
    values = [Fraction(int(n), int(d)) for n, d in zip(rng.integers(-9, 9, 40), rng.integers(1, 9, 40))]
    values[3], values[17] = Fraction(2**80, 3), Fraction(-1, 2**70)
    a = Coefficients.concat([Coefficients.of(v) for v in values])
    b = Coefficients.concat([Coefficients.of(v) for v in reversed(values)])
    product = a * b
    assert [Fraction(int(n), int(d)) for n, d in zip(product.num, product.den)] == \
        [u * v for u, v in zip(values, reversed(values))]
    assert list(compare(a, "<", b)) == [u < v for u, v in zip(values, reversed(values))]
    groups = np.argsort(np.arange(40) % 7, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(np.arange(40)[groups] % 7) != 0])
    sums = a.sum_runs(groups, starts)
    assert [Fraction(int(n), int(d)) for n, d in zip(sums.num, sums.den)] == \
        [sum(values[k::7], Fraction(0)) for k in range(7)]
    assert np.allclose(a.as_float(), [float(v) for v in values], rtol=1e-15, atol=0)


# limits ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, col, message", [
    ("real x\nH = 2^20000 * x", 5, "this number is too large for floating point (overflow)"),
    ("real x\nH = 10^(10^10) * x", 5, "this number is too large for floating point (overflow)"),
    ("real x\nH = (1/3)^20000 * x", 5, f"would need more than {MAX_EXACT_BITS:,} bits"),
    ("real x\nH = 0.5^(10^12) * x", 5, f"would need more than {MAX_EXACT_BITS:,} bits"),
])
def test_numbers_beyond_exact_range_are_refused_where_they_appear(text, col, message):
    err = error(text)
    assert message in err.message and (err.line, err.col) == (2, col)


def test_a_big_exact_power_is_still_computed():
    assert polynomial("real x\nH = 3^500 * x - (3^500 - 1) * x") == x


# floats: only from the source, and said where --------------------------------------------------
def test_a_float_array_makes_the_coefficients_inexact_and_says_which_declaration(tmp_path):
    np.save(tmp_path / "J.npy", np.array([[0.0, 0.25], [0.25, 0.0]]))
    path = tmp_path / "glass.ham"
    path.write_text('param N = 2\nreal x[N]\n\nparam J = load("J.npy", N, N)\n'
                    "H = sum(i in 0..N-1, j in 0..N-1: J[i,j] * x[i] * x[j]) + x[0] / 3\n")
    note = f'floating point (from param J = load("J.npy", N, N) at {path}:4:1)'
    analysis = hamc.analyze(hamc.load(path))
    assert not analysis.exact and analysis.coefficients == note
    assert f"coefficients   {note}" in analysis.summary().splitlines()
    compiled = hamc.compile(path)
    assert compiled.to_json()["exact"] is False and compiled.to_json()["coefficients"] == note
    assert f"coefficients    {note}" in compiled.summary().splitlines()


def test_an_irrational_function_is_named_as_the_source_of_floats():
    h = hamc.load("real x\nreal y\nparam c = 2\nH = x / 3 + sqrt(c) * y")
    assert h.coefficients_note() == "floating point (from sqrt(c) at <text>:4:13)"
    assert hamc.load("real x\nH = sqrt(4) * x").coefficients_note() == "exact rationals"


def test_an_exact_compile_reports_exact_coefficients():
    j = hamc.compile("real x\nH = 2^70 * x - 2^70 * x + x^2 / 7").to_json()
    assert j["exact"] is True and j["coefficients"] == "exact rationals"


def test_cli_analyze_json_names_the_float_source(tmp_path):
    (tmp_path / "h.ham").write_text("real x\nH = exp(1) * x\n")
    out = subprocess.run([sys.executable, "-m", "hamc", "analyze", str(tmp_path / "h.ham"), "--json"],
                         capture_output=True, text=True, cwd=REPO, check=True)
    j = json.loads(out.stdout)
    assert j["exact"] is False and j["coefficients"] == f"floating point (from exp(1) at {tmp_path / 'h.ham'}:2:5)"


# property: hamc's exact expansion equals sympy's --------------------------------------------------
MAX_LOG10 = 250        # bound on log10 of every node's sum of |coefficients|: beyond float64's range
                       # hamc refuses the number (rightly); the property keeps below it


def _log10(value) -> float:
    return float(sympy.log(abs(value), 10)) if value else 0.0


@st.composite
def constants(draw):
    """(.ham text, sympy value): integers up to 10^40, decimals of up to 40 digits, small fractions."""
    kind = draw(st.sampled_from(["int", "decimal", "fraction", "digit"]))
    if kind == "int":
        n = draw(st.integers(0, 10**40))
        return str(n), sympy.Integer(n)
    if kind == "decimal":             # up to 40 significant digits, exponents either way
        digits, point, exponent = draw(st.integers(1, 10**40)), draw(st.integers(0, 40)), draw(st.integers(-30, 10))
        text = str(digits).rjust(point + 1, "0")
        text = (text[:-point] + "." + text[-point:] if point else text) + f"e{exponent}"
        return text, sympy.Rational(digits, 10**point) * sympy.Rational(10) ** exponent
    if kind == "fraction":
        p, q = draw(st.integers(0, 99)), draw(st.integers(1, 99))
        return f"({p}/{q})", sympy.Rational(p, q)
    n = draw(st.integers(0, 9))
    return str(n), sympy.Integer(n)


@st.composite
def expressions(draw, depth=3):
    """(.ham text, the same expression built in sympy, log10 bound on its coefficients) over real x, y, z."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            name = draw(st.sampled_from("xyz"))
            return name, sympy.Symbol(name), 0.0
        text, value = draw(constants())
        return text, value, _log10(value)
    op = draw(st.sampled_from(["+", "-", "*", "*", "^", "neg", "cancel"]))
    a_text, a, la = draw(expressions(depth - 1))
    if op == "neg":
        return f"-({a_text})", -a, la
    if op == "^":
        k = draw(st.integers(0, 3))
        if k * la < MAX_LOG10:
            return f"({a_text})^{k}", a ** k, k * max(la, 0.0)
        op = "neg"
        return f"-({a_text})", -a, la
    b_text, b, lb = draw(expressions(depth - 1))
    if op == "*" and la + lb >= MAX_LOG10:
        op = "+"
    if op == "cancel":                # a big term that cancels: the int64 overflow that went unnoticed
        return f"(({a_text}) + ({b_text}) - ({a_text}))", b, max(la, lb) + 0.5
    if op == "*":
        return f"({a_text}) * ({b_text})", a * b, la + lb
    return f"({a_text}) {op} ({b_text})", a + b if op == "+" else a - b, max(la, lb) + 0.5


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_exact_expansion_matches_sympy(case):
    text, expected, _ = case
    h = hamc.load(f"real x\nreal y\nreal z\nH = {text}")
    assert h.energies[0].exact
    got = h.to_sympy(max_terms=100_000) if h.energies[0].n_terms else sympy.Integer(0)
    assert sympy.expand(got - expected) == 0
