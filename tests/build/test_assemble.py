"""Compiled networks: tree, flat and bits strategies, neuron counts against the paper, errors, scales."""
from __future__ import annotations

import dataclasses
import itertools
from functools import lru_cache

import numpy as np
import pytest

import hamc
from hamc.build import gates, scales, series_scales
from hamc.network.activations import derivatives
from hamc.analysis.bounds import energy_scale
from hamc.build.assemble import build, flat_hidden_neurons
from hamc.build.info import PlanCounts
from hamc.build.options import BuildOptions

from conftest import EXAMPLES

PRODUCT32 = EXAMPLES / "product32.ham"


@lru_cache(maxsize=None)
def compiled(name: str, params: tuple = (), **options) -> hamc.Compiled:
    """A compiled example (cached); options are BuildOptions fields, check=False."""
    return hamc.compile(EXAMPLES / f"{name}.ham", params=dict(params), options=BuildOptions(**options), check=False)


def corners(n: int, lo: float, hi: float, count: int, seed: int) -> np.ndarray:
    """`count` random vertices of the box [lo, hi]^n (all of them if there are fewer)."""
    if 2 ** n <= count:
        return np.array(list(itertools.product((lo, hi), repeat=n)))
    return np.where(np.random.default_rng(seed).integers(0, 2, (count, n)) == 1, hi, lo)


def gate_error_on_unit_square(gate: gates.Gate, dtype=np.float64) -> float:
    """A product gate's max abs error on a 201 x 201 grid of [-1, 1]^2 (corners included)."""
    g = np.linspace(-1, 1, 201)
    x = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    got = gate(x.astype(dtype), dtype=dtype).astype(np.float64)[:, 0]
    return float(np.max(np.abs(got - x.astype(dtype).astype(np.float64).prod(axis=1))))


def layer_sizes(net: hamc.Network) -> list[int]:
    return [layer.n_out for layer in net.hidden_layers]


def blocks(layer) -> list[tuple[str, int, int]]:
    return [(b.kind, b.count, b.size) for b in layer.gates]


def ising_energy(x: np.ndarray, L: int, J: float, h: float) -> np.ndarray:
    """Brute force: -J sum over right and down neighbours (periodic) - h sum of spins, per row."""
    s = x.reshape(-1, L, L)
    bonds = s * np.roll(s, -1, axis=1) + s * np.roll(s, -1, axis=2)
    return -J * bonds.sum(axis=(1, 2)) - h * s.sum(axis=(1, 2))


ALL_SPINS_16 = np.array(list(itertools.product((-1.0, 1.0), repeat=16)))


# product32: the paper's deep-versus-flat example -------------------------------------------------
def test_product32_tree_has_4_neurons_per_multiplication():
    c = compiled("product32")
    net = c.network
    assert net.meta["strategy"] == "tree"
    assert net.hidden_neurons == 4 * 31 == 124
    assert layer_sizes(net) == [64, 32, 16, 8, 4]                  # 16, 8, 4, 2, 1 gates of 4 neurons
    assert net.depth == 5 and c.plan.depth == 5
    assert net.neurons_by_role() == {"product": 124}              # no copy neurons: the tree is balanced
    assert [blocks(layer) for layer in net.hidden_layers] == [[("product", 2 ** (4 - k), 4)] for k in range(5)]
    # synapses: layer 1 reads 2 inputs per neuron (16 gates x 4 neurons x 2); deeper layers read
    # both 4-neuron halves (4 x 8 per gate: 8 + 4 + 2 + 1 gates); the output reads the last 4
    assert net.synapses == 16 * 4 * 2 + (8 + 4 + 2 + 1) * 4 * 8 + 4 == 612
    # every hidden neuron has the bias point c != 0; the output bias is the constant, 0
    assert net.parameters == 612 + 124
    assert c.flat_hidden_neurons == 2 ** 32 == 4294967296
    assert flat_hidden_neurons(c.hamiltonian) == 2 ** 32


@pytest.mark.parametrize("layout", ["shared", "unrolled"])
def test_the_flat_count_comes_with_the_build(layout):
    # the 3-body ring: 12 pair and 12 triple monomials, 2^d neurons each in one hidden layer
    c = hamc.compile(EXAMPLES / "three_body.ham", layout=layout, samples=20)
    assert c.network.meta["layout"] == layout
    assert c.flat_hidden_neurons == 12 * 2 ** 2 + 12 * 2 ** 3 == flat_hidden_neurons(c.hamiltonian)


@pytest.mark.parametrize("lo,hi", [(-1.0, 1.0), (0.5, 1.5)])
def test_product32_error(lo, hi):
    c = compiled("product32", input_range=(lo, hi))
    h, net = c.hamiltonian, c.network
    S = max(abs(lo), abs(hi)) ** 32
    assert c.verification.scale == pytest.approx(S, rel=1e-12)
    assert c.verification.max_rel_error <= 1e-6
    # re-checked here on other random points
    x = np.random.default_rng(99).uniform(lo, hi, (3000, 32))
    assert np.max(np.abs(net(x) - h.evaluate(x))) / S <= 1e-6
    # at the vertices |H| = S: there the 31 gate errors add up, each at most e (relative to the
    # gate's unit range), and an error d in an input moves a unit-range product by at most d:
    # E_l <= 2 E_(l-1) + e, so E_5 <= 31 e
    e = gate_error_on_unit_square(gates.product_gate("sigmoid", net.meta["product_lambda"]))
    v = corners(32, lo, hi, 3000, seed=5)
    v[0] = hi
    worst = np.max(np.abs(net(v) - h.evaluate(v))) / S
    assert worst <= 31 * e * 1.05
    # the first layer scales every input by 1/R into the gate's [-1, 1]: weights +-lambda / R
    w0 = np.asarray(net.layers[0].weight)
    assert np.allclose(np.unique(np.abs(w0[w0 != 0])), [net.meta["product_lambda"] / max(abs(lo), abs(hi))],
                       rtol=1e-12)


def test_product32_float32():
    c = compiled("product32", dtype="float32")
    net, h = c.network, c.hamiltonian
    assert all(layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32 for layer in net.layers)
    x = np.random.default_rng(1).uniform(-1, 1, (2000, 32))
    assert net(x).dtype == np.float32
    # 31 chained float32 gates of ~3e-5 each: about 1e-3 at the corners, under the 1e-2 default; the
    # certified bound (worst-case rounding) is above it, so the default compile refuses and says so
    assert 3e-4 < c.verification.max_rel_error < 2e-3 and 1e-2 < c.error_bound.relative < 3e-2
    with pytest.raises(hamc.HamcError, match=r"certified error bound 0.0\d+ .* above the tolerance 0.01, although "
                                             r"the measured max_rel_error 0.00\d+ .* meets it; the bound reaches "
                                             r"--tol 0.0\d+; --check sample accepts"):
        hamc.compile(EXAMPLES / "product32.ham", options=BuildOptions(dtype="float32"))
    assert hamc.compile(EXAMPLES / "product32.ham", options=BuildOptions(dtype="float32"), check_by="sample").ok
    e32 = gate_error_on_unit_square(scales.unit_gate("product", "sigmoid", net.meta["product_lambda"],
                                                    net.meta["product_bias"]), np.float32)
    assert 1e-5 < e32 < 5e-5                        # float32 gates near the bound's best scale
    v = corners(32, -1.0, 1.0, 2000, seed=6)
    assert np.max(np.abs(net(v).astype(np.float64) - h.evaluate(v))) <= 31 * e32 * 1.2


def test_product32_float32_tol_5e4_takes_richardson_gates():
    """Single gates measure 8.8e-4 on product32 in float32 (124 neurons meet --tol 1e-3 on the sample);
    --tol 5e-4 (checked on the sample) takes Richardson pairs: 8 neurons per product, 31 products,
    measured 1.0e-4, and says why."""
    single = hamc.compile(EXAMPLES / "product32.ham", options=BuildOptions(dtype="float32", tol=1e-3),
                          check_by="sample")
    assert single.network.meta["gates"] == "single" and single.network.hidden_neurons == 31 * 4
    assert 5e-4 < single.verification.max_rel_error <= 1e-3 <= single.error_bound.relative
    c = hamc.compile(EXAMPLES / "product32.ham", options=BuildOptions(dtype="float32", tol=5e-4), check_by="sample")
    assert c.network.meta["gates"] == "richardson" and c.network.hidden_neurons == 31 * 8
    assert c.verification.max_rel_error <= 2e-4 < 1e-3 <= c.error_bound.relative
    j = c.to_json()
    assert j["gates"] == "richardson" and j["gates_reason"] == \
        "richardson: single gates reach 0.00088 (the sample), above --tol 0.0005"
    assert "gates           richardson: single gates reach" in c.summary()


# flat networks (eq 28/32) -------------------------------------------------------------------------
FLAT_ERRORS = {}


@pytest.mark.parametrize("n", range(2, 11))
def test_flat_product_of_n_variables(n):
    c = hamc.compile(f"real x[{n}]\nH = 3 * prod(i in 0..{n - 1}: x[i])", options=BuildOptions(strategy="flat"),
                     samples=200, check=False)
    net = c.network
    assert net.depth == 1 and layer_sizes(net) == [2 ** n]            # exactly 2^n hidden neurons
    assert blocks(net.layers[0]) == [("flat", 1, 2 ** n)]
    assert c.flat_hidden_neurons == 2 ** n
    x = np.vstack([corners(n, -1.0, 1.0, 1024, seed=n), np.random.default_rng(n).uniform(-1, 1, (500, n))])
    err = np.max(np.abs(net(x) - 3 * x.prod(axis=1)))
    # the network is the flat gate with its output times 3: 3 x the gate's error, which the
    # series model bounds (max over the box, relative to the unit output range)
    scale = series_scales.flat_scale("sigmoid", (1,) * n)
    gate_err = np.max(np.abs(gates.flat_product_gate("sigmoid", n, scale.value)(x)[:, 0] - x.prod(axis=1)))
    if n >= 4:       # where truncation, not rounding, dominates: the same error, up to rounding
        assert err == pytest.approx(3 * gate_err, rel=0.1)
    assert err <= 3 * 1.25 * scale.predicted_error
    FLAT_ERRORS[n] = err / 3


def test_flat_error_grows_fast_with_n():
    if len(FLAT_ERRORS) < 9:
        for n in range(2, 11):
            test_flat_product_of_n_variables(n)
    errors = [FLAT_ERRORS[n] for n in range(2, 11)]
    assert all(b > a for a, b in zip(errors, errors[1:]))
    assert errors[-1] > 1e4 * errors[0]
    tree = hamc.compile("real x[10]\nH = prod(i in 0..9: x[i])", samples=200)
    x = corners(10, -1.0, 1.0, 1024, seed=0)
    assert np.max(np.abs(tree.network(x) - x.prod(axis=1))) < 1e-3 * errors[-1]      # deep is accurate too


def test_flat_power_gate_counts_prod_r_plus_1():
    c = hamc.compile("real x, y\nH = x^2 * y", options=BuildOptions(strategy="flat"), check=False)
    assert layer_sizes(c.network) == [6] and c.flat_hidden_neurons == 6           # (2 + 1)(1 + 1)
    x = np.vstack([corners(2, -1.0, 1.0, 4, 0), np.random.default_rng(0).uniform(-1, 1, (500, 2))])
    err = np.max(np.abs(c.network(x) - x[:, 0] ** 2 * x[:, 1]))
    assert err <= 1.25 * series_scales.flat_scale("sigmoid", (2, 1)).predicted_error and err < 1e-5


def test_flat_network_of_a_mixed_polynomial():
    # 2 x y z (8) + x^3 (4) + 5 y^2 x (6) - x (1 copy neuron, sigmoid) + 7 (a bias)
    c = hamc.compile("real x, y, z\nH = 2*x*y*z + x^3 + 5*y^2*x - x + 7", options=BuildOptions(strategy="flat"),
                     check=False)
    assert c.network.hidden_neurons == 8 + 4 + 6 + 1 == c.flat_hidden_neurons
    assert c.network.neurons_by_role() == {"flat": 18, "copy": 1}
    x = np.random.default_rng(2).uniform(-1, 1, (1000, 3))
    assert np.max(np.abs(c.network(x) - c.hamiltonian.evaluate(x))) / (2 + 1 + 5 + 1 + 7) < 1e-5


def test_flat_refuses_degree_above_24_before_building():
    with pytest.raises(hamc.HamcError, match="4,294,967,296"):
        hamc.compile(PRODUCT32, options=BuildOptions(strategy="flat"))


# bits (eq 13) ----------------------------------------------------------------------------------------
def ising_bit_neurons(L: int, J: float, h: float) -> int:
    """After s = 2x - 1: -J s_i s_j = -J (4 x_i x_j - 2 x_i - 2 x_j + 1), so each of the 2 L^2 bonds
    keeps a quadratic bit term, and each site collects 4 * 2J from its bonds and -2h from the field."""
    return 2 * L * L + (L * L if 8 * J != 2 * h else 0)


@pytest.mark.parametrize("layout", ["auto", "unrolled"])
@pytest.mark.parametrize("L,J,h", [(4, 1, 0.5), (4, 1, 4), (3, 1, 0.5)])
def test_ising_bits_has_one_neuron_per_bit_monomial(layout, L, J, h):
    c = compiled("ising", (("L", L), ("J", J), ("h", h)), strategy="bits", layout=layout)
    assert c.network.hidden_neurons == ising_bit_neurons(L, J, h)
    assert c.network.depth == 1 and c.network.neurons_by_role() == {"bit": ising_bit_neurons(L, J, h)}
    assert ising_bit_neurons(4, 1, 0.5) == 2 * 16 + 16 == 48


@pytest.mark.parametrize("layout", ["auto", "unrolled"])
@pytest.mark.parametrize("activation", [None, "sigmoid", "tanh"])
def test_ising_bits_error_on_all_configurations(layout, activation):
    c = compiled("ising", (("L", 4),), strategy="bits", activation=activation, tol=1e-9, layout=layout)
    S = 2 * 16 * 1 + 16 * 0.5            # sum of |coefficients|: 32 bonds of J = 1, 16 fields of h = 1/2
    assert c.verification.exhaustive and c.verification.samples == 2 ** 16
    assert c.verification.scale == S and c.verification.max_rel_error <= 1e-9
    exact = ising_energy(ALL_SPINS_16, 4, 1.0, 0.5)
    assert np.array_equal(exact, c.hamiltonian.evaluate(ALL_SPINS_16))
    err = np.max(np.abs(c.network(ALL_SPINS_16) - exact))
    assert err <= 1e-9 * S
    if activation is None:               # the default for bits is the step function: exact
        assert c.network.meta["activation"] == "step" and err <= 1e-12 * S


def test_bit_beta_bounds_the_summed_error():
    # the 48 bit coefficients by hand: 32 bonds of -4J, 16 sites of 8J - 2h = 7, so
    # sum |c| = 240; every sigmoid neuron errs by at most 1/(1 + e^(beta/2)); the tails get 90% of
    # the tolerance, the rest is left to rounding in the certified bound
    c = compiled("ising", (("L", 4),), strategy="bits", activation="sigmoid", tol=1e-9)
    beta = c.network.meta["beta"]
    assert 240 / (1 + np.exp(beta / 2)) <= 0.9e-9 * 40
    assert 240 / (1 + np.exp((beta - 1) / 2)) > 0.9e-9 * 40     # and beta is the smallest such integer
    assert 240 / (1 + np.exp(beta / 2)) <= c.error_bound.absolute <= 1e-9 * 40


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-9])
def test_sigmoid_bits_meet_the_tolerance_when_errors_of_several_degrees_add(tol):
    # at b = (0, 1, 1) the degree-1 and degree-2 neurons both err upwards (sums 1/2 below threshold)
    text = "bit b[3]\nH = b[0] + b[0]*b[1] + b[0]*b[1]*b[2]"
    c = hamc.compile(text, options=BuildOptions(activation="sigmoid", tol=tol))       # not refused
    x = np.array(list(itertools.product((0.0, 1.0), repeat=3)))
    assert np.max(np.abs(c.network(x) - (x[:, 0] + x[:, 0] * x[:, 1] + x.prod(axis=1)))) <= tol * 3


def test_three_body_and_curie_weiss_bit_counts():
    # s_i s_{i+1} s_{i+2} = 8 x x x - 4 (3 pairs) + 2 (3 singles) - 1: 12 triples, 12 nearest pairs
    # (8K - 4J = 6 != 0), 12 next-nearest pairs (4K), 12 singles (-6K + 4J = -4): 48
    assert compiled("three_body").network.hidden_neurons == 48
    # -(J/N)(sum s)^2 = -(J/N)(N + 2 sum_{i<j} s_i s_j): C(16, 2) = 120 pairs and 16 singles
    assert compiled("curie_weiss", structure="expanded").network.hidden_neurons == 120 + 16
    assert compiled("spin_glass").network.hidden_neurons == 64 * 63 // 2 + 64


# classifier (eq 8) --------------------------------------------------------------------------------------
def cat_dog_posterior(x: np.ndarray) -> np.ndarray:
    """By hand from examples/cat_dog.ham: softmax(-H_y - mu_y), mu_y = -ln p(y)."""
    x0, x1, x2, x3 = x.T
    cat = 2 - x0 - x1 + 0.5 * x2 - 1.5 * x0 * x1 + x1 * x2 * x3
    dog = 2.5 - x2 - x3 + 0.5 * x0 - 1.5 * x2 * x3 + x0 * x1 * x3
    logits = np.column_stack([-cat + np.log(0.6), -dog + np.log(0.4)])
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


ALL_BITS_4 = np.array(list(itertools.product((0.0, 1.0), repeat=4)))


@pytest.mark.parametrize("strategy,activation,tol", [("auto", None, 1e-9), ("bits", "sigmoid", 1e-10),
                                                     ("tree", "sigmoid", 1e-7), ("flat", "softplus", 1e-5)])
def test_cat_dog_is_the_bayes_posterior(strategy, activation, tol):
    # auto is bits with the step function, exact up to rounding; the sigmoid bits at a tight tol
    c = hamc.compile(EXAMPLES / "cat_dog.ham", options=BuildOptions(strategy=strategy, activation=activation,
                                                                    tol=tol))
    net = c.network
    assert net.outputs == ("cat", "dog") and net.output_activation == "softmax"
    assert c.verification.target == "posterior" and c.verification.exhaustive and c.verification.samples == 16
    p = net(ALL_BITS_4)
    assert p.shape == (16, 2) and np.allclose(p.sum(axis=1), 1, atol=1e-15)
    assert np.max(np.abs(p - cat_dog_posterior(ALL_BITS_4))) <= tol
    assert np.allclose(c.hamiltonian.posterior(ALL_BITS_4), cat_dog_posterior(ALL_BITS_4), rtol=0, atol=1e-15)


@pytest.mark.parametrize("activation,copy", [("sigmoid", 1), ("softplus", 2)])
def test_cat_dog_tree_counts_copies_and_accumulators(activation, copy):
    # layer 1: x0x1, x1x2, x2x3 (3 product gates), a copy of x3 (for x1x2x3 and x0x1x3), and one
    # accumulator per output carrying its linear terms; layer 2: x1x2x3, x0x1x3 and the accumulators
    c = compiled("cat_dog", strategy="tree", activation=activation)
    assert layer_sizes(c.network) == [3 * 4 + 3 * copy, 2 * 4 + 2 * copy]
    assert c.network.neurons_by_role() == {"product": 20, "copy": 5 * copy}
    assert (c.plan.product_gates, c.plan.unshared_product_gates) == (5, 6)


# trees with squares and copies ---------------------------------------------------------------------------
def test_microphone_tree_counts():
    # 32 squares x_i^2 (2 neurons each) and 32 products x_i x_{i+1} (4 each), all in one layer;
    # the paper's gates square with a product gate fed u twice: 4 neurons, two of them input-less
    c = compiled("microphone", layout="unrolled", structure="expanded")
    assert c.network.neurons_by_role() == {"product": 32 * 4, "square": 32 * 2}
    paper = compiled("microphone", layout="unrolled", gates="paper", structure="expanded")
    assert paper.network.neurons_by_role() == {"product": 32 * 4, "square": 32 * 4}
    assert paper.verification.max_rel_error > 10 * c.verification.max_rel_error
    assert c.network.depth == 1


@pytest.mark.parametrize("activation,copy", [("sigmoid", 1), ("softplus", 2)])
def test_phi4_tree_counts(activation, copy):
    # per site: phi^2 (square), phi^4 = (phi^2)^2 (square), two bonds phi_r phi_{r+mu} (products);
    # the degree-2 part of H is summed after layer 1 and carried through layer 2 by one accumulator
    c = compiled("phi4", activation=activation, layout="unrolled", structure="expanded")
    assert c.network.neurons_by_role() == {"product": 64 * 2 * 4, "square": 64 * 2 * 2, "copy": copy}
    assert c.network.depth == 2
    assert c.verification.max_rel_error <= 1e-6


@pytest.mark.parametrize("text", ["real x\nH = x^4", "real x\nH = x^8 - x^3", "real x, y\nH = x^2 * y^2 + 3*x*y"])
def test_powers_are_as_accurate_as_products(text):
    c = hamc.compile(text)                           # refused above the default tol 1e-6
    x = np.linspace(-1, 1, 4001)[:, None] * np.ones((1, c.hamiltonian.n_variables))
    x[::2, -1] *= -1
    S = c.verification.scale
    assert np.max(np.abs(c.network(x) - c.hamiltonian.evaluate(x))) / S <= 1e-6


def test_scales_recorded_in_meta_are_the_gates():
    net = compiled("product32").network
    # lambda and c minimise the certified bound per gate: c is a zero of sigma^(4), where the product
    # gate's order-4 error vanishes, ln(5 + 2 sqrt 6) for the sigmoid, and |s2| is still large
    best = scales.certified_scale("product", "sigmoid", "float64")
    assert (net.meta["product_lambda"], net.meta["product_bias"]) == (best.value, best.center)
    assert abs(best.center) == pytest.approx(np.log(5 + 2 * np.sqrt(6)), rel=1e-12)
    assert derivatives("sigmoid", best.center, 4)[4] == pytest.approx(0, abs=1e-15)
    assert net.meta["copy_neurons"] == 1
    assert compiled("product32", activation="softplus").network.meta["copy_neurons"] == 2


def test_phi4_shared_layout_runs_one_site_network_everywhere():
    # per site: layer 1 has the two bond products (2 x 4) and phi^2 (2); layer 2 has phi^4 = (phi^2)^2
    # (2) and the site's running sum (1 copy); the same weights at every site, whatever L is
    small, large = (compiled("phi4", (("L", L),), layout="shared", structure="expanded") for L in (4, 8))
    for c, L in ((small, 4), (large, 8)):
        net = c.network
        assert net.meta["layout"] == "shared" and net.sites == L * L
        assert layer_sizes(net) == [2 * 4 + 2, 2 + 1]
        assert net.hidden_neurons == L * L * 13
        assert net.neurons_by_role() == {"product": L * L * 8, "square": L * L * 2 * 2, "copy": L * L}
    assert small.network.parameters == large.network.parameters
    assert all(np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
               for a, b in zip(small.network.layers, large.network.layers))


@pytest.mark.parametrize("text,value", [("real x\nH = 5", 5.0), ("bit b[2]\nH = 3", 3.0), ("spin s[3]\nH = -2", -2.0),
                                        ("H = 4", 4.0), ("spin s[4] periodic\nH = 2 + 0 * s[0]", 2.0)])
@pytest.mark.parametrize("strategy", ["auto", "tree", "flat", "bits"])
def test_constant_hamiltonians_need_no_hidden_neurons(text, value, strategy):
    h = hamc.load(text)
    if strategy == "bits" and np.any(h.domains == 0):
        return                                              # refused: covered by the CLI tests
    c = hamc.compile(h, options=BuildOptions(strategy=strategy))
    assert c.network.hidden_neurons == 0 and c.flat_hidden_neurons == 0
    assert c.network(np.zeros((3, h.n_variables))).tolist() == [value] * 3


def test_bits_for_a_hamiltonian_that_is_zero_on_the_box():
    # S = 0: the bit sharpness aims at tol itself instead of tol * S = 0
    h = hamc.load("param N = 4\nspin s[N] periodic\nH = 3 - sum(i in 0..N-1: s[i]^2) * 3 / 4")
    assert h.energies[0].terms_by_degree() == {}
    c = hamc.compile(h, options=BuildOptions(activation="sigmoid"))
    assert c.verification.max_abs_error == 0.0 and c.network.hidden_neurons == 0


# ---- BuildInfo: the build's choices, typed; network.meta is its JSON form ---------------------------

@pytest.mark.parametrize("strategy", ["tree", "flat", "bits"])
def test_build_info_is_typed_and_is_what_the_network_carries(strategy):
    h = hamc.load(EXAMPLES / "three_body.ham") if strategy != "bits" else hamc.load(EXAMPLES / "ising.ham",
                                                                                      params={"L": 3})
    options = BuildOptions(strategy=strategy, layout="unrolled")
    built = build(h, options=options, scale=energy_scale(h, options.input_range))
    info = built.info
    assert (info.strategy, info.dtype, info.layout, info.input_range) == (strategy, "float64", "unrolled", (-1.0, 1.0))
    assert info.to_meta() == built.network.meta
    assert (info.beta is not None) == (strategy == "bits") and (info.scales is None) == (strategy == "bits")
    if strategy == "tree":
        assert info.plan == PlanCounts(built.plan.depth, built.plan.product_gates, built.plan.unshared_product_gates)
        assert info.error_bound > 0 and info.error_bound_reason == ""
    else:
        assert info.plan is None and built.plan is None
    if strategy == "flat":
        assert info.error_bound is None and info.error_bound_reason == "the flat strategy's one-layer gates"
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.strategy = "tree"


def test_default_options_are_made_per_compile_with_the_memory_limit_of_that_moment(monkeypatch):
    # the default BuildOptions is not built once at import: a lower limit set later (ulimit -v) is honoured
    from hamc.build import options as build_options
    monkeypatch.setattr(build_options, "physical_memory", lambda: 1000.0)
    with pytest.raises(hamc.HamcError, match=r"needs about [\d.]+ GB to build \(limit 0\.0 GB, --max-memory\)"):
        hamc.compile("real x[3]\nH = x[0]*x[1]*x[2]")
