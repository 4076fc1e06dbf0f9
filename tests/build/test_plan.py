"""Planner tests: layers ceil(log2 d), depth, sharing of sub-products, copies, the networkx view."""
from __future__ import annotations

import numpy as np
import pytest

import hamc
from hamc.build.plan import level

from conftest import EXAMPLES


def plan_of(text: str, **kwargs) -> hamc.ProductPlan:
    return hamc.plan_products(hamc.load(text, **kwargs))


def ceil_log2(d: int) -> int:
    """The smallest L with 2^L >= d, by counting (no logarithms)."""
    layers = 0
    while 2 ** layers < d:
        layers += 1
    return layers


def node_set(plan: hamc.ProductPlan, k: int) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in row) for row in plan.nodes.get(k, np.empty((0, k)))}


def carried(plan: hamc.ProductPlan, layer: int) -> set[tuple[int, ...]]:
    """The nodes (as variable tuples) that copy gates carry through `layer`."""
    return {tuple(int(v) for v in plan.nodes[k][r]) for k, rows in plan.copies(layer).items() for r in rows}


def product_text(n: int, coefficient: int = 1) -> str:
    return f"real x[{n}]\nH = {coefficient} * prod(i in 0..{n - 1}: x[i])"


# layers and depth -------------------------------------------------------------------------------
def test_level_is_ceil_log2():
    assert [level(d) for d in range(1, 10)] == [0, 1, 2, 2, 3, 3, 3, 3, 4]
    for d in range(1, 300):
        assert level(d) == ceil_log2(d), d


@pytest.mark.parametrize("n", range(1, 18))
def test_a_product_of_n_variables(n):
    plan = plan_of(product_text(n))
    assert plan.depth == ceil_log2(n)
    assert plan.product_gates == plan.unshared_product_gates == n - 1      # a binary tree has n - 1 gates
    assert sum(len(v) for k, v in plan.nodes.items() if k >= 2) == n - 1
    rows, coef = plan.terms[n]
    assert node_set(plan, n) == {tuple(range(n))} and coef.tolist() == [[1.0]]


def test_every_monomial_is_finished_in_layer_ceil_log2_of_its_degree():
    # monomials of every degree 1..12, some with powers, sharing variables
    monomials = [" * ".join(f"x[{i}]" for i in range(d)) for d in range(1, 13)]
    monomials += ["x[0]^5 * x[1]^3", "x[2]^7", "x[3] * x[4]^2 * x[5]^3 * x[6]^4", "x[7]^2 * x[8]"]
    plan = plan_of("real x[12]\nH = " + " + ".join(f"{i + 2} * {m}" for i, m in enumerate(monomials)))
    g = plan.to_networkx()
    seen = 0
    for k, (rows, _) in plan.terms.items():
        for r in rows:
            name = "*".join(f"x{v}" for v in plan.nodes[k][r])
            assert (g.nodes[name]["layer"], g.nodes[name]["degree"]) == (ceil_log2(k), k), name
            seen += 1
    assert seen == len(monomials)
    assert plan.depth == ceil_log2(12) == 4


def test_every_node_is_computed_one_layer_after_its_larger_child():
    plan = plan_of("real x[12]\nH = " + " + ".join(" * ".join(f"x[{i}]" for i in range(d)) for d in range(2, 13)))
    for k in plan.nodes:
        if k < 2:
            continue
        left, right = k - k // 2, k // 2
        assert level(left) == level(k) - 1                       # the larger half: exactly one layer less
        assert level(right) <= level(k) - 1
        assert len(plan.left[k]) == len(plan.right[k]) == len(plan.nodes[k])


# sharing -------------------------------------------------------------------------------------------
def test_shared_prefix_is_computed_once():
    plan = plan_of("real x[1..4]\nH = x[1]*x[2]*x[3] + x[1]*x[2]*x[4]")
    assert (plan.product_gates, plan.unshared_product_gates) == (3, 4)
    # variables x[1..4] are indices 0..3: x1*x2 once, then x1*x2*x3 and x1*x2*x4
    assert node_set(plan, 2) == {(0, 1)}
    assert node_set(plan, 3) == {(0, 1, 2), (0, 1, 3)}
    assert plan.depth == 2


def test_sharing_between_halves_of_different_monomials():
    # x1x2x3x4, x1x2x5x6 and x3x4x5x6 need the pairs x1x2, x3x4, x5x6 only: 3 + 3 = 6 gates, 9 unshared
    plan = plan_of("real x[1..6]\nH = x[1]*x[2]*x[3]*x[4] + 2*x[1]*x[2]*x[5]*x[6] - x[3]*x[4]*x[5]*x[6]")
    assert (plan.product_gates, plan.unshared_product_gates) == (6, 9)
    assert node_set(plan, 2) == {(0, 1), (2, 3), (4, 5)}


def test_a_power_is_a_chain_of_squares():
    plan = plan_of("real x\nH = x^8")
    assert {k: len(v) for k, v in plan.nodes.items()} == {8: 1, 4: 1, 2: 1, 1: 1}
    assert (plan.product_gates, plan.unshared_product_gates) == (3, 7)
    assert all(plan.squares(k).tolist() == [True] for k in (2, 4, 8))
    mixed = plan_of("real x, y\nH = x^2 * y^2 + x * y")
    assert node_set(mixed, 2) == {(0, 0), (1, 1), (0, 1)}
    sq = dict(zip(map(tuple, mixed.nodes[2].tolist()), mixed.squares(2).tolist()))
    assert sq == {(0, 0): True, (1, 1): True, (0, 1): False}
    assert mixed.squares(4).tolist() == [False]           # x^2 * y^2: two different halves


def test_product32_plan():
    plan = hamc.plan_products(hamc.load(EXAMPLES / "product32.ham"))
    assert plan.product_gates == 31 and plan.unshared_product_gates == 31
    assert plan.depth == 5
    assert {k: len(v) for k, v in plan.nodes.items()} == {32: 1, 16: 2, 8: 4, 4: 8, 2: 16, 1: 32}
    # balanced halves of the sorted factors: x[1..16] and x[17..32], and so on down
    assert node_set(plan, 16) == {tuple(range(16)), tuple(range(16, 32))}
    assert node_set(plan, 2) == {(2 * i, 2 * i + 1) for i in range(16)}
    assert all(len(plan.copies(layer).get(k, [])) == 0 for layer in range(1, 6) for k in plan.nodes)


# copies ---------------------------------------------------------------------------------------------
def test_copy_carries_the_odd_factor_of_a_cube():
    plan = plan_of("real x[1..3]\nH = x[1]*x[2]*x[3]")
    # layer 1 computes x1*x2 while a copy gate carries x3; layer 2 multiplies them
    assert carried(plan, 1) == {(2,)}
    assert carried(plan, 2) == set()


def test_copies_of_a_degree_5_product():
    plan = plan_of("real x[1..5]\nH = x[1]*x[2]*x[3]*x[4]*x[5]")
    # x1x2x3x4x5 = (x1x2x3)(x4x5), x1x2x3 = (x1x2) x3: x3 waits one layer, then x4x5 waits one
    assert carried(plan, 1) == {(2,)}
    assert carried(plan, 2) == {(3, 4)}
    assert carried(plan, 3) == set()
    assert plan.depth == 3


def consumers(plan: hamc.ProductPlan) -> dict[tuple, int]:
    """Brute force: for each node, the last layer that reads it (its own layer if none does)."""
    last = {(k, r): level(k) for k in plan.nodes for r in range(len(plan.nodes[k]))}
    for k in plan.nodes:
        if k < 2:
            continue
        for r in range(len(plan.nodes[k])):
            for child in ((k - k // 2, int(plan.left[k][r])), (k // 2, int(plan.right[k][r]))):
                last[child] = max(last[child], level(k))
    return last


def test_copies_span_exactly_the_layers_between_a_value_and_its_last_consumer():
    plan = plan_of("real x[9]\nH = x[0]*x[1]*x[2] + x[0]*x[1]*x[2]*x[3]*x[4] + x[5]*x[6]*x[7]*x[8]*x[0]"
                   " + x[5]*x[6] + x[3]^3 + prod(i in 0..8: x[i])")
    last = consumers(plan)
    assert sum(len(r) for layer in range(1, plan.depth + 1) for r in plan.copies(layer).values()) >= 3
    for layer in range(1, plan.depth + 1):
        expected = {(k, r) for (k, r), used in last.items() if level(k) < layer < used}
        got = {(k, int(r)) for k, rows in plan.copies(layer).items() for r in rows}
        assert got == expected, layer


# the networkx view ------------------------------------------------------------------------------------
def test_to_networkx_of_a_shared_prefix():
    g = plan_of("real x[1..4]\nH = x[1]*x[2]*x[3] - 2*x[1]*x[2]*x[4]").to_networkx()
    assert g.number_of_nodes() == 7 and g.number_of_edges() == 6
    assert set(g.nodes) == {"x0", "x1", "x2", "x3", "x0*x1", "x0*x1*x2", "x0*x1*x3"}
    assert set(g.successors("x0*x1")) == {"x0*x1*x2", "x0*x1*x3"}       # computed once, used twice
    assert set(g.predecessors("x0*x1*x3")) == {"x0*x1", "x3"}
    assert g.nodes["x0*x1*x2"] == {"degree": 3, "layer": 2, "variables": (0, 1, 2), "coefficients": (1.0,),
                                   "square": False}
    assert g.nodes["x0*x1*x3"]["coefficients"] == (-2.0,)
    assert g.nodes["x0*x1"]["coefficients"] is None and g.nodes["x0*x1"]["layer"] == 1
    assert g.nodes["x3"]["layer"] == 0 and g.nodes["x3"]["degree"] == 1


def test_to_networkx_marks_squares_and_multiple_outputs():
    g = plan_of("real x, y\nH = 2*x^2*y - 3*x*y + 5*x").to_networkx()
    assert set(g.nodes) == {"x0", "x1", "x0*x0", "x0*x1", "x0*x0*x1"}
    # x -> x*x is one edge even though both factors are x
    assert set(g.edges) == {("x0", "x0*x0"), ("x0", "x0*x1"), ("x1", "x0*x1"), ("x0*x0", "x0*x0*x1"),
                            ("x1", "x0*x0*x1")}
    assert g.nodes["x0*x0"]["square"] and not g.nodes["x0*x1"]["square"]
    assert g.nodes["x0*x0"]["coefficients"] is None
    assert (g.nodes["x0*x0*x1"]["coefficients"], g.nodes["x0*x1"]["coefficients"]) == ((2.0,), (-3.0,))
    assert g.nodes["x0"]["coefficients"] == (5.0,) and g.nodes["x1"]["coefficients"] is None
    named = plan_of("real x, y\nH = 2*x^2*y").to_networkx(names=["x", "y"])
    assert set(named.nodes) == {"x", "y", "x*x", "x*x*y"}


def test_classifier_plan_unites_the_outputs():
    # cat_dog.ham by hand: H[cat] = 2 - x0 - x1 + x2/2 - 1.5 x0x1 + x1x2x3,
    #                      H[dog] = 2.5 - x2 - x3 + x0/2 - 1.5 x2x3 + x0x1x3
    plan = hamc.plan_products(hamc.load(EXAMPLES / "cat_dog.ham"))
    assert plan.n_outputs == 2 and plan.constant.tolist() == [2.0, 2.5]
    g = plan.to_networkx()
    assert {n: g.nodes[n]["coefficients"] for n in g if g.nodes[n]["coefficients"]} == {
        "x0": (-1.0, 0.5), "x1": (-1.0, 0.0), "x2": (0.5, -1.0), "x3": (0.0, -1.0),
        "x0*x1": (-1.5, 0.0), "x2*x3": (0.0, -1.5), "x1*x2*x3": (1.0, 0.0), "x0*x1*x3": (0.0, 1.0)}
    # x0*x1 is a term of H[cat] and the left half of x0*x1*x3 in H[dog]: computed once
    assert node_set(plan, 2) == {(0, 1), (1, 2), (2, 3)}
    assert (plan.product_gates, plan.unshared_product_gates) == (5, 6)
    assert carried(plan, 1) == {(3,)}                     # x3 waits for x1*x2 and x0*x1


def test_constant_and_linear_only():
    plan = plan_of("real x[3]\nH = 7 + 2*x[0] - x[2]")
    assert plan.depth == 0 and plan.product_gates == plan.unshared_product_gates == 0
    assert plan.constant.tolist() == [7.0]
    rows, coef = plan.terms[1]
    assert sorted(zip(plan.nodes[1][rows, 0].tolist(), coef[:, 0].tolist())) == [(0, 2.0), (2, -1.0)]
    empty = plan_of("real x\nH = 0*x")
    assert empty.depth == 0 and empty.product_gates == 0 and empty.terms == {}
