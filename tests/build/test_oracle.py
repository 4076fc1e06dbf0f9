"""Differential oracle: the fused tree layers against the product plan evaluated gate by gate
(tests/plan_oracle.py), both in extended precision, so that a wiring mistake cannot hide under the
1e-6 tolerance of verification.

The fused layers' weights are float64 products of the gates' weights; that rounding, amplified by
each gate's cancellation (~1/lambda) and compounded down the tree, is the floor of the agreement:
measured 6e-13 to 1.2e-11 of S for trees of depth 1 to 3 and 1e-10 for product32 (depth 5, 31
gates), with 80-bit long double. The test allows 2e8 long-double eps per layer doubling,
2e-11 * 2^depth: 7 to 20 times the measured floor, and 10 times below the smallest mistake shown
to be caught (which verification accepts).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import hamc
from hamc.build.options import BuildOptions
from hamc.analysis.bounds import magnitude_bounds

from conftest import EXAMPLES
from plan_oracle import evaluate_plan, evaluate_shared, gate_set_from_meta

WIDE = np.longdouble


def agreement(depth: int) -> float:
    """The largest |fused - oracle| / S allowed for a tree of `depth` product layers."""
    return 2e8 * float(np.finfo(WIDE).eps) * 2 ** depth


def widened(net: hamc.Network) -> hamc.Network:
    """The same network with every weight, bias and offset in long double (exact copies)."""
    layers = tuple(replace(layer, weight=layer.weight.astype(WIDE), bias=layer.bias.astype(WIDE),
                           offset=None if layer.offset is None else layer.offset.astype(WIDE))
                   for layer in net.layers)
    shared = net.shared if net.shared is None else replace(net.shared, pool_bias=net.shared.pool_bias.astype(WIDE))
    return replace(net, layers=layers, shared=shared)


def inputs(c: hamc.Compiled, rows: int, seed: int) -> np.ndarray:
    """Random points of the box (a quarter of them corners), bits and spins on their values."""
    h, (lo, hi) = c.hamiltonian, c.options.input_range
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, (rows, h.n_variables))
    x[: rows // 4] = np.where(rng.integers(0, 2, (rows // 4, h.n_variables)) == 1, hi, lo)
    coin = rng.integers(0, 2, x.shape)
    return np.where(h.domains == 1, coin, np.where(h.domains == 2, 2 * coin - 1, x)).astype(np.float64)


def oracle(c: hamc.Compiled, x: np.ndarray) -> np.ndarray:
    """What the plan says the network computes: H (batch, outputs), or a classifier's posterior."""
    net, h = c.network, c.hamiltonian
    gate_set, bound = gate_set_from_meta(net.meta), magnitude_bounds(c.hamiltonian, c.options.input_range)
    if net.shared is not None:
        lay = net.shared
        assert lay.pool_activation == "identity"
        local_bound = np.repeat(bound[:1], len(lay.offsets))
        return evaluate_shared(c.plan, gate_set, local_bound, x, lay.shape, lay.offsets, lay.pool_bias, WIDE)
    energy = evaluate_plan(c.plan, gate_set, bound, x, WIDE)
    if not h.is_classifier:
        return energy
    logits = -energy + h.log_priors().astype(WIDE)
    return np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))


def disagreement(c: hamc.Compiled, net: hamc.Network | None = None, rows: int = 200, seed: int = 0) -> float:
    """max |fused - oracle| / S on random inputs (S = 1 for a classifier's probabilities)."""
    x = inputs(c, rows, seed)
    fused = np.asarray(widened(net or c.network)(x.astype(WIDE))).reshape(len(x), -1)
    return float(np.max(np.abs(fused - oracle(c, x))) / c.verification.scale)


def random_polynomial(seed: int) -> str:
    """A random polynomial of degree up to 7 over 3 to 5 variables (reals, with a bit or spin)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 6))
    kinds = ["real"] * (n - 1) + [str(rng.choice(["real", "bit", "spin"]))]
    decl = "\n".join(f"{kind} v{i}" for i, kind in enumerate(kinds))
    terms = []
    for _ in range(int(rng.integers(3, 9))):
        factors = rng.integers(0, n, int(rng.integers(1, 8)))
        coef = int(rng.integers(-9, 10)) or 1
        terms.append(f"{coef}/{int(rng.integers(1, 5))} * " + " * ".join(f"v{int(f)}" for f in factors))
    return f"{decl}\nH = {int(rng.integers(-3, 4))} + " + " + ".join(terms)


TABLE = [
    ("product32", EXAMPLES / "product32.ham", {}, {}),
    ("phi4 shared", EXAMPLES / "phi4.ham", {"L": 4}, {}),
    ("phi4 unrolled, tanh", EXAMPLES / "phi4.ham", {"L": 3}, {"layout": "unrolled", "activation": "tanh"}),
    ("microphone", EXAMPLES / "microphone.ham", {"n": 8}, {"input_range": (-2.0, 3.0)}),
    ("image", EXAMPLES / "image.ham", {"L": 4}, {}),
    ("three_body tree", EXAMPLES / "three_body.ham", {}, {"strategy": "tree", "layout": "unrolled"}),
    ("ising tree shared", EXAMPLES / "ising.ham", {"L": 4}, {"strategy": "tree"}),
    ("cat_dog tree", EXAMPLES / "cat_dog.ham", {}, {"strategy": "tree"}),
] + [(f"random {seed}", random_polynomial(seed), {},
      {"activation": ("sigmoid", "tanh", "softplus", "exp")[seed % 4], "input_range": (-1.5, 1.0)})
     for seed in range(8)]


@pytest.mark.parametrize("name,source,params,options", TABLE, ids=[row[0] for row in TABLE])
def test_fused_layers_agree_with_the_plan_gate_by_gate(name, source, params, options):
    c = hamc.compile(source, params=params, options=BuildOptions(**options), check=False)
    assert c.network.meta["strategy"] == "tree" and c.plan is not None
    assert disagreement(c) <= agreement(c.plan.depth)
    assert c.verification.max_rel_error < 1e-6          # and both are the polynomial, to the tolerance


def test_long_double_is_wide_enough_for_the_agreement_bound():
    # x86-64's long double has a 64-bit significand (eps 1.1e-19); where it is float64 the
    # bound loosens to 1.4e-6 at depth 5 and would no longer be below the tolerance
    assert agreement(5) < 1e-9


def test_two_swapped_columns_are_caught():
    c = hamc.compile(EXAMPLES / "product32.ham")
    layer = c.network.layers[1]
    w = layer.weight.copy()
    w[:, [0, 4]] = w[:, [4, 0]]                 # the first neurons of two product gates trade inputs
    layers = list(c.network.layers)
    layers[1] = replace(layer, weight=w)
    assert disagreement(c, replace(c.network, layers=tuple(layers))) > 1e-3


def test_a_mistake_that_verification_accepts_is_caught():
    # one hidden weight of a degree-7 tree off by 1e-10 of itself: the network is still within
    # verification's tolerance (1e-6 of S), but it no longer follows the plan, and the oracle sees it
    c = hamc.compile("real x, y, z\nH = 2*x*y*z + x^3 + 5*y^2*x - x + 7 + x^4*y^2*z + z^5")
    layer = c.network.layers[1]
    w = layer.weight.copy()
    w[np.nonzero(w)[0][0], np.nonzero(w)[1][0]] *= 1 + 1e-10
    layers = list(c.network.layers)
    layers[1] = replace(layer, weight=w)
    wrong = replace(c.network, layers=tuple(layers))
    assert hamc.verify(wrong, c.hamiltonian).max_rel_error < 1e-6
    assert c.plan.depth == 3 and disagreement(c, wrong) > 9 * agreement(3)
