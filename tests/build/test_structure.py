"""Factored plans: quadratic parts as products or squares of linear forms, integer squares as threshold
steps; each network checked against the exact expanded polynomial and its certified bound."""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import pytest

import hamc
from hamc.build.table_layers import unit_gates
from hamc.build.options import BuildOptions
from hamc.build.structure import integer_squares, real_candidates, reachable

from conftest import EXAMPLES, run


@lru_cache(maxsize=None)
def compiled(name: str, params: tuple = (), **options) -> hamc.Compiled:
    return hamc.compile(EXAMPLES / f"{name}.ham", params=dict(params), options=BuildOptions(**options),
                        samples=300, check=False)


def gate_neurons() -> tuple[int, int, int]:
    """(product, square, copy) neurons of the default sigmoid gates, read from the gate objects."""
    gate_set = unit_gates("sigmoid", "float64")[0]
    return gate_set.product.neurons, gate_set.square.neurons, gate_set.copy.neurons


def all_spins(n: int) -> np.ndarray:
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n)))


def within_bound(c: hamc.Compiled) -> None:
    assert c.error_bound.absolute is not None
    assert c.verification.max_abs_error <= c.error_bound.absolute
    assert c.error_bound.relative <= c.options.target_tol


# ---- bits and spins: squares of integer-valued linear forms -----------------------------------------

def test_curie_weiss_is_one_threshold_per_step_and_exact_on_all_inputs():
    c = compiled("curie_weiss")
    # sum_i s_i takes the 17 values -16, -14, ..., 16: one step neuron between each two
    assert c.network.hidden_neurons == 16 and c.network.neurons_by_role() == {"threshold": 16}
    assert c.network.meta["structure"] == "factored"
    assert c.network.meta["structure_reason"] == ("factored: 1 square of integer-valued linear forms as threshold "
                                                  "steps, 16 neurons; expanded would be 136")
    x = all_spins(16)
    assert c.verification.exhaustive
    assert np.array_equal(c.network(x), -x.sum(axis=1) ** 2 / 16)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_smooth_threshold_steps_stay_within_the_bound(activation):
    c = compiled("curie_weiss", (("N", 10),), activation=activation, tol=1e-8)
    x = all_spins(10)
    err = np.max(np.abs(c.network(x) - (-x.sum(axis=1) ** 2 / 10)))
    assert c.network.hidden_neurons == 10 and err <= c.error_bound.absolute <= 1e-8 * c.verification.scale


def test_hopfield_patterns_are_one_square_each(tmp_path):
    rng = np.random.default_rng(5)
    patterns = rng.choice([-1.0, 1.0], (2, 12))
    np.save(tmp_path / "xi.npy", patterns)
    source = tmp_path / "hopfield.ham"
    source.write_text('param xi = load("xi.npy", 2, 12)\nspin s[12]\n'
                      "H = -sum(m in 0..1: sum(i in 0..11: xi[m,i] * s[i])^2) / 24\n")
    c = hamc.compile(source)
    factored = c.network.hidden_neurons
    expanded = hamc.compile(source, options=BuildOptions(structure="expanded")).network.hidden_neurons
    # N steps per pattern at most (its sum takes N + 1 values) against pairs and singles expanded
    assert c.network.meta["structure"] == "factored" and factored <= 2 * 12 < expanded
    x = all_spins(12)
    exact = -((x @ patterns.T) ** 2).sum(axis=1) / 24
    assert np.max(np.abs(c.network(x) - exact)) <= 1e-12


def test_squares_over_bits_move_the_diagonal_into_linear_terms():
    text = "bit b[6]\nH = sum(i in 0..5: b[i])^2 - 3 * b[0]"
    c = hamc.compile(text)
    x = np.array(list(itertools.product((0.0, 1.0), repeat=6)))
    assert np.max(np.abs(c.network(x) - (x.sum(axis=1) ** 2 - 3 * x[:, 0]))) <= 1e-12
    expanded = hamc.compile(text, options=BuildOptions(structure="expanded"))
    assert c.network.meta["structure"] == "factored"
    assert c.network.hidden_neurons < expanded.network.hidden_neurons == 15 + 6


def test_reachable_values_are_the_subset_sums():
    assert reachable(np.array([1, 1, 2]), np.array([True, True, True])).tolist() == [-4, -2, 0, 2, 4]
    assert reachable(np.array([1, 2]), np.array([False, False])).tolist() == [0, 1, 2, 3]
    assert reachable(np.array([3, 0]), np.array([True, False])).tolist() == [-3, 3]


def test_a_spin_glass_has_no_low_rank_square():
    c = compiled("spin_glass")
    assert c.network.meta["structure"] == "expanded"
    assert "no quadratic part that is a few squares" in c.network.meta["structure_reason"]
    monomials = np.array([[0, 1], [1, 2], [0, 2]])
    assert integer_squares({2: (monomials, np.array([[1.0], [2.0], [3.5]]))}, 3, np.ones(3, bool)) is None


# ---- reals: products and squares of linear forms -----------------------------------------------------

@pytest.mark.parametrize("name,per_site,expanded_per_site", [
    # one square per site: x^2 - x x' / 2 summed is 0.933 (x - 0.268 x')^2 summed (the symbol 1 - cos w / 2 > 0)
    ("microphone", lambda p, s, c: s, lambda p, s, c: p + s),
    # phi_r^2 and products with six neighbours (lap^2 reaches two sites away, and diagonally)
    ("image", lambda p, s, c: p, lambda p, s, c: 6 * p + s),
    # phi (a phi + sum_mu b phi_mu) in layer 1 with phi^2; (phi^2)^2 and the running sum's copy in layer 2
    ("phi4", lambda p, s, c: p + 2 * s + c, lambda p, s, c: 2 * p + 2 * s + c),
])
def test_lattice_densities_factor_per_site_and_stay_shared(name, per_site, expanded_per_site):
    c, e = compiled(name), compiled(name, structure="expanded")
    sites = c.network.sites
    assert c.network.meta["layout"] == e.network.meta["layout"] == "shared" and sites == e.network.sites
    assert c.network.hidden_neurons == sites * per_site(*gate_neurons())
    assert e.network.hidden_neurons == sites * expanded_per_site(*gate_neurons())
    assert c.network.meta["structure"] == "factored"
    assert c.network.meta["structure_reason"].endswith(
        f"per site, {per_site(*gate_neurons())} neurons/site; expanded would be {expanded_per_site(*gate_neurons())}")
    within_bound(c)
    # weight sharing survives: the parameters do not grow with the lattice
    assert compiled(name, (("L" if name != "microphone" else "n", 4 if name != "microphone" else 8),)) \
        .network.parameters == c.network.parameters


@pytest.mark.parametrize("b,what", [("-1/2", "1 square of a linear form"),
                                    ("-3", "1 product of a variable and a linear form")])
def test_a_chain_is_one_square_per_site_where_its_symbol_keeps_one_sign(b, what):
    # 1 + b cos w + 0.6 cos 2w - 0.2 cos 3w: positive for b = -1/2, both signs for b = -3
    text = (f"param n = 16\nreal x[n] periodic\nH = sum(i in 0..n-1: x[i]^2 + {b} * x[i]*x[i+1] "
            "+ 0.3*x[i]*x[i+2] - 0.1*x[i]*x[i+3] + 0.05*x[i]^3)")
    c = hamc.compile(text, samples=500)
    assert c.network.meta["layout"] == "shared" and c.network.meta["structure_reason"].startswith(f"factored: {what}")
    within_bound(c)
    x = np.random.default_rng(2).uniform(-1, 1, (200, 16))
    assert np.max(np.abs(c.network(x) - c.hamiltonian.evaluate(x))) <= c.error_bound.absolute


def test_factored_float32_meets_its_default_tolerance():
    c = compiled("image", dtype="float32")
    assert c.network.meta["structure"] == "factored"
    within_bound(c)


def test_a_dense_form_becomes_one_square_and_matches_the_polynomial():
    text = "real x[5]\nH = (x[0] + 2*x[1] - x[2] + 0.5*x[3] - x[4])^2 - 3 + x[0]*x[1]*x[2]*x[3]"
    c = hamc.compile(text, options=BuildOptions(input_range=(-1.5, 1.0)), samples=500)
    assert c.network.meta["structure"] == "factored"
    assert "1 square of linear forms" in c.network.meta["structure_reason"]
    within_bound(c)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.5, 1.0, (400, 5))
    x[:100] = np.where(rng.integers(0, 2, (100, 5)) == 1, 1.0, -1.5)
    assert np.max(np.abs(c.network(x) - c.hamiltonian.evaluate(x))) <= c.error_bound.absolute


def test_eigen_squares_rebuild_the_form():
    monomials = np.array([[0, 0], [0, 1], [1, 2], [2, 2]])
    coef = np.array([[1.0], [-2.0], [0.5], [3.0]])
    squares = [c for c in real_candidates({2: (monomials, coef)}, np.zeros(1), 3) if "square" in c.what][0]
    assert squares.residual <= 1e-14 and squares.what == "3 squares of linear forms"
    x = np.random.default_rng(0).normal(size=(20, 3))
    (m, d) = squares.table[2]
    y = np.hstack([x, x @ squares.forms.T])
    exact = x[:, 0] ** 2 - 2 * x[:, 0] * x[:, 1] + 0.5 * x[:, 1] * x[:, 2] + 3 * x[:, 2] ** 2
    assert np.allclose((y[:, m[:, 0]] * y[:, m[:, 1]]) @ d[:, 0], exact, rtol=0, atol=1e-13)


def test_where_the_structure_costs_more_the_expansion_is_kept():
    # x*y is one product gate; as squares it is ((x+y)^2 - (x-y)^2)/4, two square gates
    product, square, _ = gate_neurons()
    auto = hamc.compile("real x, y\nH = x*y")
    assert auto.network.meta["structure"] == "expanded" and auto.network.hidden_neurons == product
    assert auto.network.meta["structure_reason"] == (f"expanded: {product} neurons; factored (2 squares of "
                                                     f"linear forms) would be {2 * square}")
    forced = hamc.compile("real x, y\nH = x*y", options=BuildOptions(structure="factored"))
    assert forced.network.hidden_neurons == 2 * square and forced.network.neurons_by_role() == {"square": 2 * square}
    within_bound(forced)


# ---- options, CLI and JSON ------------------------------------------------------------------------------

def test_cli_structure_option_json_and_summary(tmp_path, capsys):
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "image.ham"), "-o", str(tmp_path), "--json")
    assert code == 0 and '"structure": "factored"' in out and '"structure_reason": "factored: 1 product' in out
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "microphone.ham"), "-o", str(tmp_path),
                       "--structure", "expanded")
    assert code == 0 and "structure       expanded (--structure expanded)" in out
    code, _, err = run(capsys, "compile", str(EXAMPLES / "product32.ham"), "-o", str(tmp_path),
                       "--structure", "factored")
    assert code == 2 and "Traceback" not in err
    assert "--structure factored: no quadratic part or power of a linear form to factor" in err
    code, _, err = run(capsys, "compile", str(EXAMPLES / "cat_dog.ham"), "-o", str(tmp_path),
                       "--structure", "factored")
    assert code == 2 and "not a classifier's several" in err
    with pytest.raises(hamc.HamcError, match="unknown structure 'squares'"):
        hamc.compile("real x\nH = x^2", options=BuildOptions(structure="squares"))


# ---- the differential table: every example, structured against expanded --------------------------------

FACTORED = {"curie_weiss", "microphone", "phi4", "image"}


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.ham")))
def test_every_example_auto_is_no_larger_and_both_are_verified(name):
    auto, expanded = compiled(name), compiled(name, structure="expanded")
    assert auto.network.meta["structure"] == ("factored" if name in FACTORED else "expanded")
    assert auto.network.hidden_neurons <= expanded.network.hidden_neurons
    assert (auto.network.hidden_neurons < expanded.network.hidden_neurons) == (name in FACTORED)
    for c in (auto, expanded):
        assert c.verification.max_abs_error <= c.error_bound.absolute, name
        assert c.ok, name


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-6), ("float32", 1e-2)])
def test_forced_factored_random_quadratics_stay_within_their_bound(dtype, tol):
    rng = np.random.default_rng(11 if dtype == "float64" else 12)
    for _ in range(8):
        n = int(rng.integers(2, 6))
        pairs = [(int(i), int(j)) for i, j in rng.integers(0, n, (int(rng.integers(2, 7)), 2))]
        terms = " + ".join(f"{rng.uniform(-2, 2):.3f} * x[{i}]*x[{j}]" for i, j in pairs)
        text = f"real x[{n}]\nH = {rng.uniform(-1, 1):.2f} + {terms} + 0.5 * x[0]*x[0]*x[{n - 1}]"
        c = hamc.compile(text, options=BuildOptions(structure="factored", dtype=dtype, tol=tol,
                                                    input_range=(-1.5, 0.5)), samples=300, check=False)
        x = rng.uniform(-1.5, 0.5, (300, n))
        x[:100] = np.where(rng.integers(0, 2, (100, n)) == 1, 0.5, -1.5)
        err = np.max(np.abs(c.network(x.astype(dtype)) - c.hamiltonian.evaluate(x)))
        assert c.network.meta["structure"] == "factored"
        assert err <= c.error_bound.absolute, text
