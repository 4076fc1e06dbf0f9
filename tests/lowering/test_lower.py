"""Lowering tests: exact coefficients, simplification, boundaries, overrides, arrays, evaluate, semantic errors."""
from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
import sympy
from sympy import Rational

import hamc

from conftest import EXAMPLES, error, terms


# exactness -----------------------------------------------------------------------------------
def test_decimal_lowers_to_an_exact_rational():
    h = hamc.load("real x\nH = 0.1 * x")
    assert terms(h) == {("x",): Rational(1, 10)}
    assert isinstance(terms(h)[("x",)], sympy.Rational)
    assert h.energies[0].exact


def test_sums_of_thirds_stay_exact():
    h = hamc.load("real x[3]\nH = sum(i in 0..2: x[0] / 3) + (1/3 + 1/3) * x[1] - 0.1 * 10 * x[2] / 3")
    assert terms(h) == {("x[0]",): 1, ("x[1]",): Rational(2, 3), ("x[2]",): Rational(-1, 3)}
    assert h.energies[0].exact


def test_exponent_notation_is_exact():
    h = hamc.load("real x, y\nH = 1e-3 * x + 2.5E2 * y + 1e0")
    assert terms(h) == {(): 1, ("x",): Rational(1, 1000), ("y",): 250}


def test_floats_come_only_from_irrational_functions_and_float_arrays(tmp_path, monkeypatch):
    h = hamc.load("real x, y\nH = sqrt(2) * x + sqrt(4) * y")
    assert not h.energies[0].exact
    assert terms(h) == {("x",): pytest.approx(2 ** 0.5), ("y",): 2.0}
    assert hamc.load("real y\nH = sqrt(9/4) * y").energies[0].exact      # a rational root stays exact
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "f.npy", np.array([0.5, 0.25]))
    np.save(tmp_path / "i.npy", np.array([3, -2]))
    floats = hamc.load('param J = load("f.npy", 2)\nreal x[2]\nH = sum(i in 0..1: J[i] * x[i])')
    ints = hamc.load('param J = load("i.npy", 2)\nreal x[2]\nH = sum(i in 0..1: J[i] * x[i])')
    assert not floats.energies[0].exact and terms(floats) == {("x[0]",): 0.5, ("x[1]",): 0.25}
    assert ints.energies[0].exact and terms(ints) == {("x[0]",): 3, ("x[1]",): -2}


# simplification ------------------------------------------------------------------------------
def test_periodic_two_by_two_ising_bonds_double():
    h = hamc.load("param J = 1\nlattice G = square(2, 2, periodic)\nspin s[G]\nH = -J * sum(<i,j> in G: s[i]*s[j])")
    assert terms(h) == {("s[0,0]", "s[0,1]"): -2, ("s[0,0]", "s[1,0]"): -2,
                        ("s[0,1]", "s[1,1]"): -2, ("s[1,0]", "s[1,1]"): -2}


def test_bits_are_idempotent():
    assert terms(hamc.load("bit b\nH = b^2 + b^3 - 5*b*b")) == {("b",): -3}
    assert terms(hamc.load("bit b[2]\nH = (b[0] + b[1])^2")) == {("b[0]",): 1, ("b[1]",): 1, ("b[0]", "b[1]"): 2}


def test_spins_square_to_one():
    assert terms(hamc.load("spin s\nH = s^2")) == {(): 1}
    assert terms(hamc.load("spin s\nH = s^3")) == {("s",): 1}
    assert terms(hamc.load("spin s\nH = s^2 + s^3 + s^4 + s^5")) == {(): 2, ("s",): 2}
    assert terms(hamc.load("spin s[2]\nH = (s[0] + s[1])^2")) == {(): 2, ("s[0]", "s[1]"): 2}


def test_reals_keep_their_powers():
    h = hamc.load("real x, y\nH = (x + y)^3")
    assert terms(h) == {("x", "x", "x"): 1, ("x", "x", "y"): 3, ("x", "y", "y"): 3, ("y", "y", "y"): 1}
    assert h.energies[0].terms_by_degree() == {3: 4}


def test_zero_terms_are_dropped():
    for text in ("real x, y\nH = x*y - y*x", "real x\nH = 0 * x", "real x\nH = (x + 1)^2 - x^2 - 2*x - 1"):
        h = hamc.load(text)
        assert h.energies[0].n_terms == 0 and terms(h) == {}
        assert h.evaluate([[3.0] * h.n_variables])[0] == 0


def test_huge_powers_of_bits_and_spins_collapse():
    h = hamc.load("bit b\nspin s\nH = b^(2^50) + s^(2^50) + 3 * s^(2^50 + 1)")
    assert terms(h) == {(): 1, ("b",): 1, ("s",): 3}


def test_monomial_powers_square_and_multiply():
    assert terms(hamc.load("real x[2]\nH = (2*x[0]*x[1])^50")) == {("x[0]",) * 50 + ("x[1]",) * 50: 2 ** 50}
    assert hamc.load("real x\nH = x^100000").energies[0].terms_by_degree() == {100000: 1}


def test_a_cancelled_variable_is_a_number():
    assert terms(hamc.load("real x\nH = x / (x - x + 2) + 2^(x - x + 3)")) == {(): 8, ("x",): Rational(1, 2)}


# boundaries ----------------------------------------------------------------------------------
def test_open_boundary_drops_out_of_range_products():
    h = hamc.load("spin s[4] open\nH = sum(i in 0..3: s[i]*s[i+1] + s[i-1])")
    assert terms(h) == {("s[0]", "s[1]"): 1, ("s[1]", "s[2]"): 1, ("s[2]", "s[3]"): 1,
                        ("s[0]",): 1, ("s[1]",): 1, ("s[2]",): 1}


def test_periodic_boundary_wraps():
    h = hamc.load("spin s[4] periodic\nH = sum(i in 0..3: s[i]*s[i+1]) + s[-1] + s[9]")
    assert terms(h) == {("s[0]", "s[1]"): 1, ("s[1]", "s[2]"): 1, ("s[2]", "s[3]"): 1, ("s[0]", "s[3]"): 1,
                        ("s[3]",): 1, ("s[1]",): 1}


def test_offset_ranges_wrap_in_their_own_range():
    h = hamc.load("real x[1..3] periodic\nH = x[0] + x[4] + x[3]")
    assert terms(h) == {("x[3]",): 2, ("x[1]",): 1}


def test_lattice_bonds_per_kind():
    counts = {}
    for decl in ["chain(5, open)", "chain(5)", "square(3, 3, open)", "square(3, 4)", "triangular(3, 3)",
                 "triangular(3, 3, open)", "cubic(2, 3, 4, open)", "cubic(3, 3, 3)"]:
        h = hamc.load(f"lattice G = {decl}\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])")
        counts[decl] = (h.n_variables, h.energies[0].terms_by_degree())
    assert counts == {
        "chain(5, open)": (5, {2: 4}),
        "chain(5)": (5, {2: 5}),
        "square(3, 3, open)": (9, {2: 12}),            # 2 * 3 * 2
        "square(3, 4)": (12, {2: 24}),
        "triangular(3, 3)": (9, {2: 27}),              # 3 bonds per site on the torus
        "triangular(3, 3, open)": (9, {2: 16}),        # 6 + 6 + 4 (the (1,-1) diagonal)
        "cubic(2, 3, 4, open)": (24, {2: 46}),         # 1*3*4 + 2*2*4 + 2*3*3
        "cubic(3, 3, 3)": (27, {2: 81}),
    }


def test_triangular_open_diagonal_bonds():
    h = hamc.load("lattice G = triangular(2, 2, open)\nspin s[G]\nH = sum(<i,j> in G: s[i]*s[j])")
    assert set(terms(h)) == {("s[0,0]", "s[0,1]"), ("s[0,0]", "s[1,0]"), ("s[0,1]", "s[1,1]"),
                             ("s[1,0]", "s[1,1]"), ("s[0,1]", "s[1,0]")}


def test_strict_index_out_of_range_is_an_error_with_position():
    err = error("real x[3]\nH = sum(i in 0..3: x[i])")
    assert (err.line, err.col) == (2, 20)
    assert err.message == ("index 3 is out of the declared range 0..2 of 'x' (axis 0); "
                           "declare it periodic or open to wrap or drop")
    err = error("real x[1..3]\nH = x[0]")
    assert (err.line, err.col) == (2, 5)
    assert err.message.startswith("index 0 is out of the declared range 1..3 of 'x' (axis 0)")


# sums and products ---------------------------------------------------------------------------
def test_conditions_select_index_pairs():
    h = hamc.load("real x[6]\nH = sum(i in 0..5, j in 0..5, i < j: x[i]*x[j])")
    assert h.energies[0].terms_by_degree() == {2: 15}
    assert set(terms(h).values()) == {1}
    h = hamc.load("real x[6]\nH = sum(i in 0..5, j in 0..5, i != j, j != 2: x[i]*x[j])")
    coefs = terms(h)
    assert len(coefs) == 15
    assert sorted(k for k, c in coefs.items() if c == 1) == [(f"x[{k}]", "x[2]") if k < 2 else ("x[2]", f"x[{k}]")
                                                            for k in (0, 1, 3, 4, 5)]   # (i=2, j) only
    assert sum(c == 2 for c in coefs.values()) == 10         # pairs avoiding 2: both (i,j) and (j,i)


def test_nested_sum_range_depends_on_outer_index():
    h = hamc.load("real x[4]\nH = sum(i in 0..3: sum(j in i..3: x[i]*x[j]))")
    assert h.energies[0].terms_by_degree() == {2: 10}
    assert set(terms(h).values()) == {1}
    h = hamc.load("real x[4]\nH = sum(i in 0..3, j in 0..i-1: x[j])")       # x[j] appears 3 - j times
    assert terms(h) == {("x[0]",): 3, ("x[1]",): 2, ("x[2]",): 1}


def test_empty_ranges_contribute_nothing():
    assert terms(hamc.load("real x\nH = x + sum(i in 3..1: x)")) == {("x",): 1}
    assert terms(hamc.load("real x\nH = prod(i in 3..1: x)")) == {(): 1}


def test_product_of_binomials_expands_to_sixteen_terms():
    h = hamc.load("real x[1..4]\nH = prod(i in 1..4: (1 + x[i]))")
    assert h.energies[0].terms_by_degree() == {0: 1, 1: 4, 2: 6, 3: 4, 4: 1}
    assert set(terms(h).values()) == {1}


def test_product_over_index_dependent_factors():
    h = hamc.load("real x[3]\nH = prod(i in 0..2: (i + 1) * x[i])")
    assert terms(h) == {("x[0]", "x[1]", "x[2]"): 6}
    h = hamc.load("real x[3]\nH = sum(i in 0..2: prod(j in 0..i: x[j]))")      # x0 + x0 x1 + x0 x1 x2
    assert terms(h) == {("x[0]",): 1, ("x[0]", "x[1]"): 1, ("x[0]", "x[1]", "x[2]"): 1}


def test_index_arithmetic_in_coefficients():
    h = hamc.load("real x[4]\nH = sum(i in 0..3, j in 0..3, i < j: (i-j)^2 * x[i]*x[j])")
    assert terms(h) == {("x[0]", "x[1]"): 1, ("x[0]", "x[2]"): 4, ("x[0]", "x[3]"): 9,
                        ("x[1]", "x[2]"): 1, ("x[1]", "x[3]"): 4, ("x[2]", "x[3]"): 1}


def test_lattice_site_of_a_chain_is_a_number():
    h = hamc.load("lattice G = chain(3)\nspin s[G]\nH = sum(i in G: i * s[i])")
    assert terms(h) == {("s[1]",): 1, ("s[2]",): 2}


def test_ising_at_l300_has_the_exact_term_count():
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": 300})
    assert h.n_variables == 90_000
    assert h.energies[0].terms_by_degree() == {1: 90_000, 2: 180_000}


# parameters ----------------------------------------------------------------------------------
def test_parameter_overrides_numbers_and_text():
    base = hamc.load(EXAMPLES / "ising.ham", params={"L": 4})
    assert base.n_variables == 16 and base.params == {"L": 4, "J": 1, "h": Rational(1, 2)}
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": "2", "J": 2, "h": "1/3"})
    assert h.params == {"L": 2, "J": 2, "h": Rational(1, 3)}
    assert terms(h) == {("s[0,0]", "s[0,1]"): -4, ("s[0,0]", "s[1,0]"): -4, ("s[0,1]", "s[1,1]"): -4,
                        ("s[1,0]", "s[1,1]"): -4, ("s[0,0]",): Rational(-1, 3), ("s[0,1]",): Rational(-1, 3),
                        ("s[1,0]",): Rational(-1, 3), ("s[1,1]",): Rational(-1, 3)}
    assert hamc.load(EXAMPLES / "ising.ham", params={"L": "2*2"}).n_variables == 16


def test_unknown_override_names_the_declared_parameters():
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(EXAMPLES / "ising.ham", params={"K": 2})
    assert (info.value.filename, info.value.message) == (
        "--param K", f"no parameter named 'K' in {EXAMPLES / 'ising.ham'} to override (parameters: J, L, h)")


def test_bad_override_text_is_located_in_the_override():
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(EXAMPLES / "ising.ham", params={"L": "q"})
    assert info.value.format() == "--param L:1:1: error: unknown name 'q'\n    q\n    ^"


def test_non_integer_size_override_points_at_its_use():
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(EXAMPLES / "ising.ham", params={"L": "4.5"})
    err = info.value
    assert (err.filename, err.line, err.col, err.message) == (
        str(EXAMPLES / "ising.ham"), 8, 20, "this must be an integer, got 9/2")


# arrays --------------------------------------------------------------------------------------
COUPLINGS = 'param J = load("J.npy", 3, 3)\nreal x[3]\nH = sum(i in 0..2, j in 0..2, i < j: J[i,j] * x[i] * x[j])'


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)      # text input resolves load("...") against the working directory
    return tmp_path


def test_npy_couplings(in_tmp):
    np.save(in_tmp / "J.npy", np.arange(9.0).reshape(3, 3))
    h = hamc.load(COUPLINGS)
    assert terms(h) == {("x[0]", "x[1]"): 1.0, ("x[0]", "x[2]"): 2.0, ("x[1]", "x[2]"): 5.0}
    assert h.evaluate([[1, 2, 3]])[0] == 1 * 2 + 2 * 3 + 5 * 6


def test_load_relative_to_the_ham_file(tmp_path):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "J.npy", np.full((3, 3), 0.5))
    (tmp_path / "m.ham").write_text(COUPLINGS.replace("J.npy", "data/J.npy"))
    assert set(terms(hamc.load(tmp_path / "m.ham")).values()) == {0.5}


def test_csv_couplings(in_tmp):
    (in_tmp / "J.csv").write_text("0,1,2\n3,4,5\n6,7,8\n")
    h = hamc.load(COUPLINGS.replace("J.npy", "J.csv"))
    assert terms(h) == {("x[0]", "x[1]"): 1.0, ("x[0]", "x[2]"): 2.0, ("x[1]", "x[2]"): 5.0}


def test_wrong_shape_is_an_error_with_position(in_tmp):
    np.save(in_tmp / "J.npy", np.zeros((3, 4)))
    err = error(COUPLINGS)
    assert (err.line, err.col, err.message) == (1, 11, "'J.npy' has shape (3, 4), expected (3, 3)")


def test_missing_file_is_an_error_with_position(in_tmp):
    err = error(COUPLINGS)
    assert (err.line, err.col) == (1, 16)
    assert err.message == f"cannot load '{in_tmp / 'J.npy'}': file not found"


def test_pickled_arrays_are_refused(in_tmp):
    np.save(in_tmp / "J.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    err = error(COUPLINGS)
    assert (err.line, err.col) == (1, 16)
    assert err.message == f"cannot load '{in_tmp / 'J.npy'}': it holds pickled Python objects, which are never loaded (allow_pickle=False)"


def test_non_finite_array_is_refused(in_tmp):
    np.save(in_tmp / "J.npy", np.array([[0.0, np.inf, 0], [0, 0, 0], [0, 0, 0]]))
    assert error(COUPLINGS).message == "'J.npy' contains NaN or infinite values"


def test_array_index_out_of_range(in_tmp):
    np.save(in_tmp / "J.npy", np.zeros((3, 3)))
    err = error(COUPLINGS.replace("J[i,j]", "J[i,j+1]"))
    assert (err.line, err.col, err.message) == (3, 38, "index 3 is out of range 0..2 for axis 1 of 'J' (shape (3, 3))")


def test_array_overrides_through_the_api():
    h = hamc.load(EXAMPLES / "spin_glass.ham", params={"N": 3, "J": np.ones((3, 3))})
    assert terms(h) == {("s[0]", "s[1]"): pytest.approx(-3 ** -0.5), ("s[0]", "s[2]"): pytest.approx(-3 ** -0.5),
                        ("s[1]", "s[2]"): pytest.approx(-3 ** -0.5)}


# evaluate ------------------------------------------------------------------------------------
def test_evaluate_by_hand_on_the_periodic_two_by_two_ising():
    h = hamc.load("lattice G = square(2, 2)\nspin s[G]\nH = -sum(<i,j> in G: s[i]*s[j]) - 0.5 * sum(i in G: s[i])")
    x = np.array([[1, 1, 1, 1],          # 4 bonds of weight -2, field -2
                  [-1, 1, 1, 1],         # flip s[0,0]: two bonds turn, field -1
                  [1, -1, -1, 1],        # checkerboard: every bond anti-aligned
                  [-1, -1, -1, -1]])
    assert h.evaluate(x).tolist() == [-10.0, -1.0, 8.0, -6.0]


def test_evaluate_classifier_returns_one_column_per_class():
    h = hamc.load("bit x[2]\nH[a] = x[0] - 2*x[1]\nH[b] = 3*x[0]*x[1] + 1\nprior a = 1/4\nprior b = 3/4")
    assert h.labels == ("a", "b") and h.priors == (Rational(1, 4), Rational(3, 4))
    assert h.evaluate([[0, 0], [1, 0], [1, 1]]).tolist() == [[0, 1], [1, 1], [-1, 4]]
    post = h.posterior([[1, 1]])[0]
    expected = np.array([0.25 * np.exp(1), 0.75 * np.exp(-4)])
    np.testing.assert_allclose(post, expected / expected.sum(), rtol=1e-12)


def test_evaluate_rejects_the_wrong_width():
    with pytest.raises(ValueError, match="expected 3 variables per row, got 2"):
        hamc.load("real x[3]\nH = x[0]").evaluate([[1, 2]])


# Differential check: every program against a brute-force Python formula and against sympy.
def _wrap(i, n):
    return i % n


PROGRAMS = [
    ("real x[4]\nH = (x[0] + 2*x[1] - x[2]/3)^3 - x[3]^2*x[0]",
     lambda x: (x[0] + 2 * x[1] - x[2] / 3) ** 3 - x[3] ** 2 * x[0]),
    ("real x[5]\nH = sum(i in 0..4, j in 0..4, i < j: (i-j)^2*x[i]*x[j])",
     lambda x: sum((i - j) ** 2 * x[i] * x[j] for i in range(5) for j in range(i + 1, 5))),
    ("real x[4]\nH = sum(i in 0..3: x[i]) * sum(j in 0..3: j*x[j]) / 7",
     lambda x: sum(x) * sum(j * x[j] for j in range(4)) / 7),
    ("real x[1..4]\nH = prod(i in 1..4: (1 + i*x[i]))",
     lambda x: np.prod([1 + i * x[i - 1] for i in range(1, 5)])),
    ("real y[3,3] periodic\nH = sum(i in 0..2, j in 0..2: (y[i+1,j] - y[i,j-1])^2 * y[i,j])",
     lambda x: sum((x[3 * _wrap(i + 1, 3) + j] - x[3 * i + _wrap(j - 1, 3)]) ** 2 * x[3 * i + j]
                   for i in range(3) for j in range(3))),
    ("param c = 2.5e-1\nreal x[6] open\nH = sum(i in 0..5: c*x[i]*x[i+1] - x[i-1]^2 + (i - 2.5)*x[i])",
     lambda x: sum((0.25 * x[i] * x[i + 1] if i < 5 else 0) - (x[i - 1] ** 2 if i > 0 else 0) + (i - 2.5) * x[i]
                   for i in range(6))),
    ("real x[3]\nH = sum(i in 0..2: sum(j in i..2: (i+1)*x[i]*x[j]^2))",
     lambda x: sum((i + 1) * x[i] * x[j] ** 2 for i in range(3) for j in range(i, 3))),
    ("param N = 3\nreal x[3]\nH = (x[0]-x[1])^4/N^2 - 2^-1*x[2] + 0.1",
     lambda x: (x[0] - x[1]) ** 4 / 9 - x[2] / 2 + 0.1),
    ("real x[3]\nH = sqrt(2)*x[0]*x[1] + 0.1*x[2]^3 / 4 - sum(i in 0..2: x[i]/3)",
     lambda x: 2 ** 0.5 * x[0] * x[1] + 0.1 * x[2] ** 3 / 4 - sum(x) / 3),
    ("real a, b\nH = -a^2 * (b - 1)^2 + 2^3^2 * a - (a - b - 1)",
     lambda x: -x[0] ** 2 * (x[1] - 1) ** 2 + 512 * x[0] - (x[0] - x[1] - 1)),
]


def _sympy_value(h, expr, row):
    expr = expr.doit()              # a lattice sum is one Sum over its sites
    value = {h.variable_label(i).replace(" ", ""): sympy.Float(v, 30) for i, v in enumerate(row)}
    return float(expr.subs({x: value[str(x).replace(" ", "")] for x in expr.free_symbols | expr.atoms(sympy.Indexed)
                            if str(x).replace(" ", "") in value}))


@pytest.mark.parametrize("text, formula", PROGRAMS, ids=[f"program{k}" for k in range(len(PROGRAMS))])
def test_evaluate_matches_brute_force_and_sympy(text, formula):
    h = hamc.load(text)
    rng = np.random.default_rng(7)
    x = rng.uniform(-2, 2, size=(6, h.n_variables))
    want = np.array([formula(row) for row in x])
    np.testing.assert_allclose(h.evaluate(x), want, rtol=1e-10, atol=1e-10)
    expr = h.to_sympy()
    for row in x[:2]:
        assert _sympy_value(h, expr, row) == pytest.approx(formula(row), rel=1e-10, abs=1e-10)


def test_evaluate_bits_and_spins_on_every_valid_configuration():
    h = hamc.load("bit b[3]\nspin s[2]\nreal z\n"
                  "H = (b[0] + b[1] + s[0])^3 * z + prod(i in 0..1: (s[i] + b[i])) - sum(i in 0..2: b[i])^2")
    rows = [(*b, *s, z) for b in itertools.product([0, 1], repeat=3) for s in itertools.product([-1, 1], repeat=2)
            for z in (0.5, -1.5)]
    want = [(b0 + b1 + s0) ** 3 * z + (s0 + b0) * (s1 + b1) - (b0 + b1 + b2) ** 2
            for b0, b1, b2, s0, s1, z in rows]
    np.testing.assert_allclose(h.evaluate(np.array(rows, float)), want, rtol=1e-12, atol=1e-12)
    assert h.degree == 4                                      # z * b[0] * b[1] * s[0]
    for block in h.energies[0].monomials.values():               # no bit or spin appears twice in a monomial
        assert all(len(set(row)) == len(row) for row in block.tolist())


# semantic errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, line, col, message", [
    ("real xs\nH = x", 2, 5, "unknown name 'x'; did you mean 'xs'?"),
    ("param alpha = 1\nreal x\nH = alpah * x", 3, 5, "unknown name 'alpah'; did you mean 'alpha'?"),
    ("real x\nH = q * x", 2, 5, "unknown name 'q'"),
    ("real x[3]\nH = 1 / x[0]", 2, 9, "a variable in a denominator is not a polynomial"),
    ("real x\nH = x / (2*x - x)", 2, 10, "a variable in a denominator is not a polynomial"),
    ("real x\nH = x / (x - x + 0)", 2, 10, "division by zero"),                # x - x is the number 0
    ("real x\nH = x^-1", 2, 7,
     "negative exponent -1: a polynomial takes only non-negative integer powers of variables"),
    ("real x\nH = x^(1/2)", 2, 8,
     "fractional exponent 1/2: a polynomial takes only non-negative integer powers of variables"),
    ("real x\nH = 2^(1/2) * x", 2, 8, "fractional exponent 1/2: only integer powers of numbers are allowed"),
    ("real x\nH = x^x", 2, 7, "an exponent must be a number, not depend on a variable"),
    ("real x\nH = exp(x)", 2, 5, "exp(...) of a variable is not a polynomial"),
    ("real x\nH = foo(x)", 2, 5, "unknown function 'foo'; numbers may use sqrt, exp, log, sin, cos, abs"),
    ("real x\nH = sqrt(-1) * x", 2, 5, "sqrt of a negative number"),
    ("real x\nreal x\nH = x", 2, 6, "'x' is already declared (as a variable at line 1)"),
    ("param N = 2\nparam N = 3\nreal x\nH = x", 2, 1, "'N' is already declared (as a parameter at line 1)"),
    ("param sqrt = 2\nreal x\nH = x", 1, 1, "'sqrt' is a built-in function and cannot be redeclared"),
    ("real x[3]\nH = x[0, 1]", 2, 5, "'x' takes 1 index(es), got 2"),
    ("real x[3, 3]\nH = x[0]", 2, 5, "'x' takes 2 index(es), got 1"),
    ("real x[3]\nH = x", 2, 5, "'x' is an array of shape (3,); index it, as in x[i]"),
    ("real x[3]\nH = sum(x in 0..2: 1)", 2, 9, "index 'x' has the name of a declared variable"),
    ("param L = 0\nreal x[L]\nH = 1", 2, 8, "a size must be a positive integer, got 0"),
    ("real x[1/2]\nH = 1", 1, 8, "this must be an integer, got 1/2"),
    ("lattice G = hex(3)\nH = 1", 1, 1, "unknown lattice 'hex'; known: chain, square, triangular, cubic"),
    ("lattice G = square(3)\nH = 1", 1, 1,
     "a square lattice takes 2 size(s) and optionally periodic/open, got 1 size(s)"),
    ("real x\nH = sum(i in G: x)", 2, 9, "'G' is not a lattice or graph"),
    ("lattice G = square(2, 2)\nspin s[G]\nH = sum(i in G: i * s[i])", 3, 17,
     "'i' is a lattice site with 2 coordinates; use it only as a variable index, as in s[i], moved by a "
     "lattice vector as in s[i + (1, 0)]"),
    ("real x\nH = x + 1e400", 2, 9, "the number 1e400 is too large for floating point"),
    ("real x\nH = 3^3^3^3 * x", 2, 5, "this number is too large for floating point (overflow)"),
    ("real x\nH = x^(2^40)", 2, 5,
     "this power has degree 1,099,511,627,776 (limit 20,000,000); "
     "raise the limit with --max-terms (API: max_terms=)"),
    ("real x\nH[a] = x\nH[a] = -x", 3, 1, "Hamiltonian 'a' is defined twice"),
    ("real x\nH[a] = x\nH = -x", 3, 1, "several Hamiltonians need labels, as in H[cat] = ... and H[dog] = ..."),
    ("real x\nH[a] = x\nH[b] = -x\nprior a = 1/3\nprior b = 1/3", 5, 1, "priors sum to 2/3, not 1"),
    ("real x\nH[a] = x\nH[b] = -x\nprior a = 1", 2, 1, "no prior for b: give every class a prior, or none (uniform)"),
    ("real x\nH = x\nprior a = 1", 3, 1, "a prior needs labelled Hamiltonians (H[label] = ...)"),
    ("param N = 1\nreal x", 2, 1, "no Hamiltonian: add a line such as  H = -J * sum(<i,j> in G: s[i]*s[j])"),
    ('real x\nH = "J.npy" * x', 2, 5, 'a quoted file name is only allowed in param NAME = load("file.npy")'),
])
def test_semantic_errors_have_message_and_position(text, line, col, message):
    err = error(text)
    assert (err.message, err.line, err.col) == (message, line, col)
    head, source_line, caret = err.format().split("\n")
    assert head == f"<text>:{line}:{col}: error: {message}"
    assert source_line == "    " + text.splitlines()[line - 1]
    assert caret.startswith(" " * (4 + col - 1) + "^")


def test_expansion_beyond_the_limit_is_refused_before_expanding(monkeypatch):
    def no_multiplying(*args, **kwargs):
        raise AssertionError("multiply() was called: the expansion was not refused up front")

    monkeypatch.setattr(sys.modules["hamc.lowering.expressions"], "multiply", no_multiplying)
    text = "real x[1..30]\nH = sum(i in 1..30: x[i])^12"
    err = error(text)
    assert (err.line, err.col) == (2, 5)
    assert err.message == ("expanding this would create about 7,898,654,920 terms (limit 20,000,000); "
                           "raise the limit with --max-terms (API: max_terms=)")


def test_written_out_sum_to_the_twelfth_is_refused_too():
    text = "real " + ", ".join(f"x{k}" for k in range(1, 31)) + "\nH = (" + " + ".join(
        f"x{k}" for k in range(1, 31)) + ")^12"
    err = error(text)
    assert "about 7,898,654,920 terms" in err.message and "--max-terms" in err.message


def test_unreadable_paths_are_hamc_errors():
    with pytest.raises(hamc.HamcError) as info:
        hamc.load("bad\x00name.ham")              # text without '=' is a path; NUL is not allowed in one
    assert info.value.format() == "bad\x00name.ham: error: cannot read 'bad\x00name.ham': embedded null byte"


def test_max_terms_limits_products_and_sums():
    err = error("real x[1..4]\nH = prod(i in 1..4: (1 + x[i]))", max_terms=15)
    assert (err.line, err.col) == (2, 5)
    assert err.message.startswith("expanding this would create about 16 terms (limit 15)")
    assert hamc.load("real x[1..4]\nH = prod(i in 1..4: (1 + x[i]))", max_terms=16).energies[0].n_terms == 16
    err = error("real x\nH = sum(i in 1..100, j in 1..100: x)", max_terms=5000)
    assert err.message == ("this sum has 10,000 index combinations (limit 5,000); raise the limit with --max-terms")
    assert (err.line, err.col) == (2, 22)
