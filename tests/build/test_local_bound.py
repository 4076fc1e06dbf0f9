"""The certified bound of the locally connected layout: it holds on random, structured and greedily
coefficient-aligned configurations of disordered lattices, is within 100x of the worst error found
where gates dominate, and is exactly 0 where the network is exact."""
from __future__ import annotations

import json
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

import hamc
from hamc.build import rounding as fp
from hamc.build import local_bound as lb

from conftest import EDWARDS_ANDERSON, EXAMPLES, run

EA = EDWARDS_ANDERSON

RF = """param L = {L}
param h = load("h.npy", L, L)
lattice G = square(L, L, periodic)
spin s[G]
H = -sum(i in 0..L-1, j in 0..L-1: s[i,j] * s[i+1,j] + s[i,j] * s[i,j+1]) - sum(i in 0..L-1, j in 0..L-1: h[i,j] * s[i,j])
"""


def disordered(tmp_path, model: str, L: int, couplings=None, **options):
    """EA with +-J couplings (or `couplings`) or the random-field model with Gaussian fields, compiled
    locally connected; verify() measures all 2^n configurations up to 16 spins, else 2,000 random ones."""
    rng = np.random.default_rng(L + len(model))
    if model == "ea":
        J = rng.choice([-1.0, 1.0], size=(L, L, L, 3)) if couplings is None else couplings
        np.save(tmp_path / "J.npy", J)
        (tmp_path / "m.ham").write_text(EA.format(L=L))
    else:
        np.save(tmp_path / "h.npy", rng.normal(size=(L, L)))
        (tmp_path / "m.ham").write_text(RF.format(L=L))
    return hamc.compile(tmp_path / "m.ham", options=hamc.BuildOptions(layout="local", **options), check=False)


def descend(h, x: np.ndarray, sign: float) -> np.ndarray:
    """Single spin flips that raise sign * H until none does: every coupling and field it can align."""
    for _ in range(4 * len(x)):
        flips = np.repeat(x[None], len(x), axis=0)
        flips[np.arange(len(x)), np.arange(len(x))] *= -1
        gains = sign * (h.evaluate(flips) - h.evaluate(x[None])[0])
        if gains.max() <= 0:
            break
        x = flips[int(np.argmax(gains))]
    return x


def adversarial(c) -> np.ndarray:
    """All +1, all -1, checkerboards, stripes, each coefficient array's signs (either way), and the
    greedy maximisers and minimisers of H from each of them."""
    n, shape = c.hamiltonian.n_variables, c.network.shared.shape
    idx = np.indices(shape).reshape(len(shape), -1)
    rows = [np.ones(n), np.where(idx.sum(axis=0) % 2, 1.0, -1.0), np.where(idx[0] % 2, 1.0, -1.0)]
    rows += [np.where(a.ravel() < 0, -1.0, 1.0) for a in c.network.shared.coefficients]
    rows += [-r for r in rows]
    return np.array(rows + [descend(c.hamiltonian, r, sign) for r in rows for sign in (1.0, -1.0)])


def worst_error(c) -> float:
    x = adversarial(c)
    found = np.abs(np.asarray(c.network(x), np.float64) - c.hamiltonian.evaluate(x)).max()
    return max(float(found), c.verification.max_abs_error)


# (model, L, options): every model and size in float64 and float32, with the tree and bits strategies
CASES = [("ea", 3, {}), ("ea", 3, {"strategy": "tree"}), ("ea", 3, {"dtype": "float32", "activation": "sigmoid"}),
         ("ea", 4, {"dtype": "float32"}), ("ea", 4, {"activation": "sigmoid"}),
         ("ea", 4, {"dtype": "float32", "strategy": "tree"}),
         ("rf", 4, {}), ("rf", 4, {"dtype": "float32", "strategy": "tree"}), ("rf", 4, {"activation": "tanh"}),
         ("rf", 8, {"dtype": "float32"}), ("rf", 8, {"strategy": "tree"}),
         ("rf", 8, {"dtype": "float32", "activation": "sigmoid"})]


@pytest.mark.parametrize("model,L,options", CASES)
def test_the_bound_holds_on_disordered_lattices_and_is_within_100x_where_gates_dominate(tmp_path, model, L,
                                                                                        options):
    c = disordered(tmp_path, model, L, **options)
    bound, worst = c.error_bound.absolute, worst_error(c)
    assert c.network.meta["layout"] == "local" and bound is not None and worst <= bound, (worst, bound)
    assert c.verification.exhaustive == (model == "rf" and L == 4)
    if model == "ea" and c.network.meta["activation"] == "step":
        # +-1 couplings and threshold units: every value is a small integer, so nothing rounds
        assert bound == 0 and worst == 0
    elif c.network.meta["activation"] == "step":
        # Gaussian fields with exact threshold units: only the worst-case rounding of sums over the
        # sites is left, 70-300x the largest rounding found (a random walk, not n u)
        assert 0 < worst and bound <= 400 * worst, (worst, bound)
    else:
        # gates dominate: 2-5x for sigmoid bits, 15-40x for the tree's gates
        assert 0 < worst and bound <= 100 * worst, (worst, bound)


@pytest.mark.parametrize("options", [{}, {"activation": "relu"}, {"dtype": "float32"}])
def test_integer_couplings_with_threshold_units_certify_an_exact_network(tmp_path, options):
    J = np.random.default_rng(1).integers(-3, 4, size=(3, 3, 3, 3)).astype(np.float64)
    c = disordered(tmp_path, "ea", 3, couplings=J, **options)
    x = np.vstack([adversarial(c), np.random.default_rng(2).choice([-1.0, 1.0], size=(500, 27))])
    assert c.error_bound.absolute == 0 and c.error_bound.relative == 0
    assert np.array_equal(np.asarray(c.network(x), np.float64), c.hamiltonian.evaluate(x))


@pytest.mark.parametrize("J,dtype", [(0.1, "float32"), (1.0, "float64")])
def test_the_certificate_refuses_what_rounds(tmp_path, J, dtype):
    """0.1 is not a float32 number; 2^60-sized couplings make the sums round in float64: both get a bound > 0."""
    couplings = np.full((3, 3, 3, 3), J if J != 1.0 else 2.0 ** 60)
    couplings[0, 0, 0, 0] = 1.0
    c = disordered(tmp_path, "ea", 3, couplings=couplings, dtype=dtype)
    assert c.error_bound.absolute > 0 and worst_error(c) <= c.error_bound.absolute


def test_the_bound_adds_each_pattern_weighted_by_its_coefficients_abs_sum():
    """Two patterns, their template errors 1e-3 and 2e-3, coefficient arrays summing to 6 and 10 in |.|,
    exact in float64: 1e-3 * 6 + 2e-3 * 10, plus the rounding of sums of 4 sites."""
    coefficients = np.array([[1.0, -2.0, 0.5, 2.5], [4.0, -4.0, 1.0, 1.0]])
    layout = SimpleNamespace(coefficients=coefficients, pool_bias=np.array([0.5]), sites=4, offsets=np.zeros((2, 1)))
    last = SimpleNamespace(weight=np.eye(2), bias=np.zeros(2))
    errors = SimpleNamespace(value=np.array([1e-3, 2e-3]), hidden_size=np.array([1.0, 1.0]))
    bound, reason = lb.local_bound(errors, layout, (last,), {}, None, coefficients, 0.5)
    u = 2.0 ** -53
    rounding = fp.gamma(4, u) * 16 + fp.gamma(2 + 4 + 2 + 4, u) * (16 + 0.5)
    assert reason == "" and bound == pytest.approx(1e-3 * 6 + 2e-3 * 10 + rounding, rel=1e-12)


def test_float32_sums_over_too_many_sites_say_why_there_is_no_bound():
    coefficients = np.ones((1, 4))
    layout = SimpleNamespace(coefficients=coefficients.astype(np.float32), pool_bias=np.zeros(1, np.float32),
                             sites=2 ** 23, offsets=np.zeros((1, 1)))
    errors = SimpleNamespace(value=np.zeros(1), hidden_size=np.ones(1))
    last = SimpleNamespace(weight=np.ones((1, 1)), bias=np.zeros(1))
    assert lb.local_bound(errors, layout, (last,), {}, None, coefficients, 0.0) == (
        None, "float32 sums over 8,388,608 sites (the worst-case rounding bound n u reaches 1/2; use float64)")


@pytest.mark.parametrize("values,grid", [([1.0, 3.0, -7.0], 0), ([0.5, 2.0], 1), ([2.0 ** -30], 30), ([12.0], -2),
                                         ([0.1, 0.5], 55), ([0.0], -(1 << 30)), ([np.float32(0.1)], 27)])
def test_dyadic_grid_is_the_finest_power_of_two(values, grid):
    assert lb.dyadic_grid(np.array(values)) == grid
    if grid > -100:       # as Python's exact fractions have it
        assert max(Fraction(float(v)).denominator for v in values) == 2 ** max(grid, 0)


def test_compile_local_certifies_by_default_and_reports_it(capsys, tmp_path):
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "random_field.ham"), "--layout", "local", "--json",
                       "-o", str(tmp_path))
    j = json.loads(out)
    assert code == 0 and j["check"] == "bound" and "error_bound_reason" not in j
    assert j["max_abs_error"] <= j["error_bound"] < 1e-10 and j["rel_error_bound"] == j["error_bound"] / j["scale"]
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "edwards_anderson.ham"), "--layout", "local",
                       "-o", str(tmp_path))
    assert code == 0 and "certified bound 0, rel 0" in out


REAL_CHAIN = """param N = 6
param K = load("K.npy", N)
real x[N] periodic
H = sum(i in 0..N-1: x[i]^2 / 2 - K[i] * x[i] * x[i+1])
"""

BIT_CHAIN = """param N = 6
param K = load("K.npy", N)
bit b[N] periodic
H = sum(i in 0..N-1: K[i] * b[i] * b[i+1] - 3 * b[i] + 2 * b[i] * b[i+1] * b[i+2])
"""


@pytest.mark.parametrize("text,K,exact", [(REAL_CHAIN, [0.1, 0.35, 0.2, 0.4, 0.15, 0.3], False),
                                          (BIT_CHAIN, [0.3, -1.7, 2.2, 0.0, 5.1, -1.0], False),
                                          (BIT_CHAIN, [1.0, -2.0, 3.0, 0.0, 5.0, -1.0], True)])
def test_real_and_bit_arrays_are_bounded_on_every_corner(tmp_path, text, K, exact):
    np.save(tmp_path / "K.npy", np.array(K))
    (tmp_path / "m.ham").write_text(text)
    c = hamc.compile(tmp_path / "m.ham", options=hamc.BuildOptions(layout="local"), check=False)
    corners = np.array(np.meshgrid(*[[-1.0 if text == REAL_CHAIN else 0.0, 1.0]] * 6)).reshape(6, -1).T
    x = np.vstack([corners, np.random.default_rng(3).uniform(-1, 1, (1000, 6))]) if text == REAL_CHAIN else corners
    worst = np.abs(np.asarray(c.network(x), np.float64) - c.hamiltonian.evaluate(x)).max()
    bound = c.error_bound.absolute
    ratio = 400 if text == BIT_CHAIN else 100     # step bits: only rounding is left, which the bound takes worst-case
    assert (bound == 0 and worst == 0) if exact else (0 < worst <= bound <= ratio * worst), (worst, bound)


def test_arrays_made_in_float32_from_a_density_are_charged_their_rounding():
    """density_local_stencil writes fl32(c * field) rolled: the bound sees how far that is from c * field."""
    from hamc.build.local_bound import _CoefficientSums
    field = np.random.default_rng(5).normal(size=(4, 4))
    stored = np.stack([np.roll(field * -0.7, 1, axis=0).astype(np.float32), np.full((4, 4), np.float32(0.1))])
    sums = _CoefficientSums.of_sources((((-0.7, field),), ((0.1, None),)), stored)
    exact = -0.7 * field
    assert sums.true[0] == pytest.approx(np.abs(exact).sum(), rel=1e-15)
    assert sums.stored_error[0] == pytest.approx(np.abs(exact.astype(np.float32) - exact).sum(), rel=1e-12)
    assert sums.stored_error[1] == pytest.approx(16 * abs(float(np.float32(0.1)) - 0.1), rel=1e-12)
    assert not sums.equal and sums.stored_error.min() > 0
    two = _CoefficientSums.of_sources((((1.0, field), (2.0, field)), ((0.1, None),)), stored)
    assert two.true[0] == pytest.approx(3 * np.abs(field).sum()) and two.stored_error[0] > 0


def test_all_zero_fields_after_expansion_compile_locally(tmp_path):
    """Fields of -0.0 everywhere: once H's terms were expanded (by an earlier compile), no pattern is left;
    the local layout still compiles, outputs 0 on every configuration and certifies bound 0."""
    np.save(tmp_path / "h.npy", np.full(3, -0.0))
    (tmp_path / "m.ham").write_text('param h = load("h.npy", 3)\nlattice G = chain(3, periodic)\nspin s[G]\n'
                                    'H = sum(i in 0..2: h[i] * s[i] * s[i+1]) - sum(i in 0..2: h[i] * s[i])\n')
    h = hamc.load(tmp_path / "m.ham")
    assert hamc.compile(h, tol=1.0).network.hidden_neurons == 0
    c = hamc.compile(h, layout="local", tol=1.0)
    x = np.array([[a, b, d] for a in (-1, 1) for b in (-1, 1) for d in (-1, 1)], float)
    assert np.array_equal(c.network(x), np.zeros(8))
    assert c.error_bound.absolute == 0.0
