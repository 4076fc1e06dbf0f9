"""Powers of linear forms: (a . x)^k found in the expanded table, built as a power of one form variable
(log2 k levels of squares and products), checked against the exact polynomial; the expansion kept where cheaper."""
from __future__ import annotations

import numpy as np
import pytest

import hamc
from hamc.build.powers import power_forms, power_of_form
from hamc.build.integer_powers import integer_power
from hamc.loading import load
from hamc.verification import sample_inputs


def table_of(text: str) -> tuple[dict, int]:
    from hamc.build.plan import monomial_table
    h = load(text)
    return monomial_table(h)[0], h.n_variables


def test_a_cube_of_three_variables_is_found_with_its_form_and_coefficient():
    table, n = table_of("real x, y, z\nH = 5 * (x + 2*y - z)^3")
    form, d, residual = power_of_form(table[3][0], table[3][1][:, 0], n)
    # normalised to max |form| = 1: (x + 2y - z) = 2 (0.5 x + y - 0.5 z), so d = 5 * 2^3
    assert np.allclose(form, [0.5, 1.0, -0.5]) and d == pytest.approx(40.0) and residual < 1e-12


@pytest.mark.parametrize("text", ["real x, y, z\nH = (x + 2*y - z)^3 + x*y*z",     # one monomial too many
                                  "real x, y\nH = x^3 + y^3",                        # cross terms missing
                                  "real x, y\nH = x^3 + 3*x^2*y + 3*x*y^2 + 2*y^3"])  # one coefficient off
def test_blocks_that_are_not_powers_are_left_alone(text):
    table, n = table_of(text)
    assert power_of_form(table[3][0], table[3][1][:, 0], n) is None


def test_a_shared_form_takes_its_square_from_the_quadratic_block():
    table, n = table_of("real x, y\nH = (x + y + 1)^3")      # L^3 + 3 L^2 + 3 L + 1
    forms, new, _, degrees, what = power_forms(table, n)
    assert forms.shape == (1, 2) and degrees == (2, 3) and what == "a power 3 of 1 linear form"
    assert new[3][0].tolist() == [[2, 2, 2]] and new[2][0].tolist() == [[2, 2]]


def exact_check(c, points: int = 9):
    """max |network - H| on a grid of the box against the exact polynomial, within the bound and --tol."""
    h = c.hamiltonian
    axis = np.linspace(-1, 1, points)
    x = np.array(np.meshgrid(*[axis] * h.n_variables)).reshape(h.n_variables, -1).T
    error = np.abs(np.asarray(c.network(x), np.float64).ravel() - h.evaluate(x)).max()
    assert error <= c.error_bound.absolute and error / c.verification.scale <= c.options.target_tol
    return error


@pytest.mark.parametrize("text,neurons,expanded", [
    # L^3 = L^2 (square, 2) times L (product, 4), L carried one layer (copy, 1)
    ("real x, y, z\nH = (x + 2*y - z)^3", 2 + 4 + 1, 61),
    # L^4 = (L^2)^2: two squares
    ("real x, y\nH = (x - y)^4", 2 + 2, 24),
    # L^5 = L^4 L: squares L^2, (L^2)^2; L copied twice; M^3 = M^2 M, M copied once, the sum copied once
    ("real x, y\nH = (x - 2*y)^5 + (x + y)^3", 2 + 2 + 4 + 2 + 2 + 4 + 1 + 1 + 2, 54),
])
def test_powers_of_forms_are_built_as_powers_and_match_the_polynomial(text, neurons, expanded):
    c = hamc.compile(text)
    assert c.network.meta["structure"] == "factored"
    assert sum(layer.n_out for layer in c.network.layers[:-1]) == neurons
    assert f"expanded would be {expanded}" in c.network.meta["structure_reason"]
    exact_check(c)


def test_the_expansion_is_kept_where_its_sub_products_are_needed_anyway():
    # the sextic terms need x^3, x^2 y, x y^2, y^3 as halves, which are (x + y)^3's monomials
    text = "real x, y\nH = (x + y)^3 + x^3*y^3 + x^2*y^4 + x^4*y^2"
    c = hamc.compile(text)
    assert c.network.meta["structure"] == "expanded"
    assert c.network.meta["structure_reason"] == \
        "expanded: 39 neurons; factored (a power 3 of 1 linear form) would be 46"
    exact_check(c, 7)
    forced = hamc.compile(text, structure="factored")
    assert sum(layer.n_out for layer in forced.network.layers[:-1]) == 46
    exact_check(forced, 7)


def test_float32_power_meets_its_bound():
    c = hamc.compile("real x, y, z\nH = (x + 2*y - z)^3", dtype="float32")
    assert c.network.meta["structure"] == "factored"
    exact_check(c, 11)


# ---- bits and spins: threshold steps at the form's reachable values ------------------------------

@pytest.mark.parametrize("text,steps,expanded", [
    # 13 reachable sums -12, -10, ..., 12: every step changes v^4 (16 spins: 16 neurons for 2,516)
    ("spin s[12]\nH = (sum(i in 0..11: s[i]))^4 / 1728", 12, "793"),
    # b0 + 2 b1 - b2 + b3 + b4 - 3 b5 reaches -4..5: 10 values, 9 steps
    ("bit b[6]\nH = (b[0] + 2*b[1] - b[2] + b[3] + b[4] - 3*b[5])^3", 9, "38"),
    # L^3 + 2 L^2 - 5 L + 1 at L = -8, -6, ..., 8
    ("spin s[8]\nH = (sum(i in 0..7: s[i]))^3 + 2*(sum(i in 0..7: s[i]))^2 - 5*sum(i in 0..7: s[i]) + 1", 8, None),
])
def test_polynomials_of_an_integer_form_are_threshold_steps_exact_on_every_input(text, steps, expanded):
    c = hamc.compile(text)
    assert c.network.meta["structure"] == "factored"
    assert "a polynomial of degree" in c.network.meta["structure_reason"]
    if expanded:
        assert f"expanded would be {expanded}" in c.network.meta["structure_reason"]
    assert sum(layer.n_out for layer in c.network.layers[:-1]) == steps
    x = sample_inputs(c.hamiltonian, (-1.0, 1.0), 1, 0)[0]          # all 2^n configurations
    assert len(x) == 2 ** c.hamiltonian.n_variables
    error = np.abs(np.asarray(c.network(x), np.float64).ravel() - c.hamiltonian.evaluate(x)).max()
    assert error <= c.error_bound.absolute <= 1e-12 * c.verification.scale


@pytest.mark.parametrize("text", ["spin s[6]\nH = (sum(i in 0..5: s[i]))^3 + s[0]*s[1]*s[2]",
                                  "spin s[3]\nH = s[0]*s[1]*s[2]",                   # m = k: no form to read
                                  "spin s[5]\nH = (s[0] + s[1])^2 * (s[2] + s[3] + s[4])"])
def test_tables_that_are_not_one_forms_polynomial_are_not_taken(text):
    table, n = table_of(text)
    assert integer_power(table, n, np.ones(n, bool)) is None
