"""Gates: weights against the formulas, and measured accuracy against the error model."""
import itertools

import numpy as np
import pytest

from hamc.network.activations import bias_point, derivatives
from hamc.build.gates import (Gate, bit_product_gate, copy_gate, copy_neurons, flat_gate_neurons,
                              flat_gate_neurons_for_powers, flat_power_gate, flat_product_gate, product_gate, square_gate)
from hamc.build.series_scales import bit_error, bit_scale, copy_scale, flat_scale, product_scale, square_scale

RNG = np.random.default_rng(20170)
UV = np.vstack([RNG.uniform(-1, 1, (4000, 2)), list(itertools.product((-1.0, 1.0), repeat=2))])


def max_error(gate: Gate, x: np.ndarray, exact, dtype=np.float64) -> float:
    """Max |gate(x) - exact(x)|, the gate and x cast to dtype, the truth from the cast x in float64."""
    x = x.astype(dtype)
    got = gate.astype(dtype)(x)
    assert got.dtype == dtype
    return float(np.max(np.abs(got[:, 0].astype(np.float64) - exact(x.astype(np.float64)))))


def uv(x):
    return x[:, 0] * x[:, 1]


# ---- the Gate value -------------------------------------------------------------------------------

def test_gate_call_is_the_documented_formula_and_read_only():
    g = product_gate("sigmoid", 0.1)
    x = UV[:5]
    manual = 1 / (1 + np.exp(-(x @ g.w_in + g.b))) @ g.w_out + g.b_out
    # the sigmoid is evaluated as 0.5 (1 + tanh(z/2)), one ulp from 1/(1 + e^-z), times w_out ~ 1e2
    assert np.allclose(g(x), manual, rtol=1e-11, atol=0)
    assert (g.n_in, g.neurons, g.n_out) == (2, 4, 1) and g.w_in.dtype == np.float64
    with pytest.raises(ValueError):
        g.w_in[0, 0] = 1.0
    assert np.array_equal(g(x, dtype=np.float32), g.astype(np.float32)(x.astype(np.float32)))
    with pytest.raises(ValueError, match="inputs of shape"):
        g(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="inconsistent"):
        Gate(np.zeros((2, 3)), np.zeros(2), np.zeros((3, 1)), np.zeros(1), "sigmoid", "product", 1.0)


def test_caller_arrays_are_copied():
    w = np.ones((1, 1))
    g = Gate(w, [0.0], [[1.0]], [0.0], "relu", "copy", 1.0)
    w[0, 0] = 5.0
    assert g.w_in[0, 0] == 1.0 and w.flags.writeable


# ---- product and square (eq 11) -------------------------------------------------------------------

def test_product_gate_weights():
    lam = 0.05
    c = bias_point("sigmoid", 2)
    s2 = derivatives("sigmoid", c, 2)[2]
    g = product_gate("sigmoid", lam)
    assert (g.kind, g.activation, g.scale) == ("product", "sigmoid", lam)
    assert np.array_equal(g.w_in, lam * np.array([[1, -1, 1, -1], [1, -1, -1, 1]]))
    assert np.array_equal(g.b, np.full(4, c))
    assert np.allclose(g.w_out[:, 0], np.array([1, 1, -1, -1]) / (4 * s2 * lam ** 2), rtol=1e-15)
    assert np.array_equal(g.b_out, [0.0])


@pytest.mark.parametrize("activation,tol64,tol32", [("sigmoid", 1e-7, 2e-3), ("softplus", 1e-7, 2e-3),
                                                     ("tanh", 1e-7, 2e-3), ("exp", 1e-7, 2e-3)])
def test_product_gate_accuracy_at_the_balanced_scale(activation, tol64, tol32):
    for dtype, tol in ((np.float64, tol64), (np.float32, tol32)):
        scale = product_scale(activation, dtype)
        err = max_error(product_gate(activation, scale.value), UV, uv, dtype)
        assert err < tol
        # the series model predicts the error to within a small factor (it is pessimistic)
        assert scale.predicted_error / 3 < err < scale.predicted_error * 1.2


def test_product_scale_figures():
    # the figures REFERENCE.md quotes (sigmoid 4e-8 / 9e-4, softplus 2e-8 / 4e-4), reproduced
    assert product_scale("sigmoid", "float64").value == pytest.approx(3.19e-4, rel=0.01)
    assert max_error(product_gate("sigmoid", product_scale("sigmoid").value), UV, uv) < 5e-8
    assert max_error(product_gate("softplus", product_scale("softplus").value), UV, uv) < 2e-8
    assert max_error(product_gate("sigmoid", product_scale("sigmoid", np.float32).value), UV, uv,
                     np.float32) < 1e-3


def test_product_truncation_error_is_quadratic_in_lambda():
    # in the truncation regime the error at u = v = 1 is (|s4| / (3 |s2|)) lam^2
    corner = np.array([[1.0, 1.0]])
    for activation in ("sigmoid", "softplus"):
        s = derivatives(activation, bias_point(activation, 2), 4)
        errors = [max_error(product_gate(activation, lam), corner, uv) for lam in (0.02, 0.01)]
        assert 3 < errors[0] / errors[1] < 5
        assert errors[1] == pytest.approx(abs(s[4] / (3 * s[2])) * 0.01 ** 2, rel=0.01)


def test_s3_vanishes_at_the_product_bias_points_and_would_not_matter():
    assert abs(derivatives("sigmoid", bias_point("sigmoid", 2), 3)[3]) < 1e-15
    assert derivatives("softplus", bias_point("softplus", 2), 3)[3] == 0.0
    # at c = 0.5 sigmoid has s3 = -0.096, yet the u+v / u-v symmetry cancels every odd term
    assert abs(derivatives("sigmoid", 0.5, 3)[3]) > 0.09
    errors = [max_error(product_gate("sigmoid", lam, c=0.5), UV, uv) for lam in (0.02, 0.01)]
    assert 3 < errors[0] / errors[1] < 5


def test_square_gate():
    lam = 0.1
    c = bias_point("softplus", 2)
    s0, _, s2 = derivatives("softplus", c, 2)
    g = square_gate("softplus", lam)
    assert g.neurons == 2 and g.kind == "square"
    assert g.b_out[0] == pytest.approx(-2 * s0 / (s2 * lam ** 2), rel=1e-15)
    x = UV[:, :1]
    for activation in ("sigmoid", "softplus"):
        for dtype, tol in ((np.float64, 1e-7), (np.float32, 2e-3)):
            scale = square_scale(activation, dtype)
            err = max_error(square_gate(activation, scale.value), x, lambda x: x[:, 0] ** 2, dtype)
            assert err < tol and err < 1.2 * scale.predicted_error


# ---- copy (footnote 4) ----------------------------------------------------------------------------

def test_copy_gate_neuron_choice():
    assert copy_neurons("sigmoid") == 1 and copy_neurons("tanh") == 1      # s2(0) = 0
    assert copy_neurons("softplus") == 2 and copy_neurons("exp") == 2
    assert copy_gate("sigmoid", 0.01).neurons == 1 and copy_gate("softplus", 0.01).neurons == 2
    g = copy_gate("sigmoid", 0.01, neurons=2)
    assert np.array_equal(g.w_in, [[0.01, -0.01]]) and g.w_out[:, 0] == pytest.approx([200, -200], rel=1e-15)
    with pytest.raises(ValueError, match="1 or 2 neurons"):
        copy_gate("sigmoid", 0.01, neurons=3)


def test_copy_gate_error_orders():
    x = np.array([[1.0]])
    same = lambda x: x[:, 0]   # noqa: E731
    # sigmoid, one neuron at s2 = 0: error (s3 / (6 s1)) lam^2 = lam^2 / 12 at u = 1
    e = [max_error(copy_gate("sigmoid", lam, 1), x, same) for lam in (0.02, 0.01)]
    assert 3.5 < e[0] / e[1] < 4.5 and e[1] == pytest.approx(0.01 ** 2 / 12, rel=0.01)
    # softplus, one neuron at s2 != 0: first order, (s2 / (2 s1)) lam = lam / 4
    e = [max_error(copy_gate("softplus", lam, 1), x, same) for lam in (0.02, 0.01)]
    assert e[0] / e[1] == pytest.approx(2, abs=0.2) and e[1] == pytest.approx(0.01 / 4, rel=0.01)
    # softplus, two neurons: softplus(x) - softplus(-x) = x, so it is exact at any lambda
    assert max_error(copy_gate("softplus", 1.0, 2), UV[:, :1], same) < 5e-16


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softplus", "exp"])
def test_copy_gate_accuracy(activation):
    same = lambda x: x[:, 0]   # noqa: E731
    for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-4)):
        scale = copy_scale(activation, dtype)
        err = max_error(copy_gate(activation, scale.value), UV[:, :1], same, dtype)
        assert err < tol and err < 1.5 * scale.predicted_error


# ---- flat products (eq 28/32) ---------------------------------------------------------------------

def test_flat_product_weights_for_two_inputs():
    lam = 0.1
    c = bias_point("softplus", 2)
    g = flat_product_gate("softplus", 2, lam)
    # j = 0..3, bit i of j puts x_i in S_j: a_ij = -1 there; w_j = (-1)^|S_j| / (4 s2 lam^2), s2 = 1/4
    assert np.array_equal(g.w_in, lam * np.array([[1, -1, 1, -1], [1, 1, -1, -1]]))
    assert np.array_equal(g.b, [c] * 4)
    assert np.allclose(g.w_out[:, 0], np.array([1, -1, -1, 1]) / (4 * 0.25 * lam ** 2), rtol=1e-15)
    assert g.kind == "flat" and g.b_out[0] == 0.0


@pytest.mark.parametrize("activation", ["sigmoid", "softplus"])
def test_flat_product_accuracy(activation):
    rng = np.random.default_rng(7)
    for n in range(2, 7):
        scale = flat_scale(activation, n)
        g = flat_product_gate(activation, n, scale.value)
        assert g.neurons == flat_gate_neurons(n) == 2 ** n
        x = np.vstack([rng.uniform(-1, 1, (1000, n)), np.ones((1, n))])
        err = max_error(g, x, lambda x: np.prod(x, axis=1))
        assert err < 1e-3 and err < 1.2 * scale.predicted_error
    # the error grows fast with n: flat networks are fragile as well as large
    assert flat_scale(activation, 6).predicted_error > 1e4 * flat_scale(activation, 2).predicted_error


def test_flat_limits_and_counts():
    with pytest.raises(ValueError, match="33,554,432") as info:
        flat_product_gate("sigmoid", 25, 0.1)
    assert str(info.value) == ("flat product of 25 inputs needs 33,554,432 neurons; "
                               "the limit is 24 inputs (16,777,216 neurons)")
    assert flat_gate_neurons(32) == 4294967296
    assert flat_gate_neurons_for_powers((1,) * 5) == 32
    assert flat_gate_neurons_for_powers((2, 1)) == 6 and flat_gate_neurons_for_powers((3,)) == 4


def test_flat_power_gate():
    # all powers 1 is exactly the flat product
    a, b = flat_power_gate("sigmoid", (1, 1, 1), 0.01), flat_product_gate("sigmoid", 3, 0.01)
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("w_in", "b", "w_out", "b_out"))
    rng = np.random.default_rng(3)
    for powers, tol in (((2, 1), 1e-5), ((3,), 1e-5), ((3, 2), 1e-3), ((2, 2, 1), 1e-3)):
        g = flat_power_gate("softplus", powers, flat_scale("softplus", powers).value)
        assert g.neurons == flat_gate_neurons_for_powers(powers) < 2 ** sum(powers)
        x = np.vstack([rng.uniform(-1, 1, (1000, len(powers))), np.ones((1, len(powers)))])
        assert max_error(g, x, lambda x: np.prod(x ** np.array(powers), axis=1)) < tol
    # x^2 from 3 neurons: C(2, k) (-1)^k = 1, -2, 1 over 2^2 s2 lam^2, the middle neuron constant
    g = flat_power_gate("softplus", (2,), 0.1)
    assert np.array_equal(g.w_in, [[0.2, 0.0, -0.2]])
    assert np.allclose(g.w_out[:, 0], np.array([1, -2, 1]) / (4 * 0.25 * 0.01), rtol=1e-15)


# ---- bits (eq 13) ---------------------------------------------------------------------------------

def bit_vectors(k: int) -> np.ndarray:
    return np.array(list(itertools.product((0.0, 1.0), repeat=k)))


def test_bit_scale():
    assert bit_scale(1e-10) == 47.0           # 2 ln(1e10 - 1) = 46.05, rounded up
    assert bit_error(47.0) < 1e-10 < bit_error(46.0)
    assert bit_scale(0.6) == 1.0 and bit_scale(2.0) == 1.0
    with pytest.raises(ValueError):
        bit_scale(0.0)


@pytest.mark.parametrize("activation,tol", [("sigmoid", 1e-10), ("tanh", 1e-10), ("step", 0.0), ("relu", 0.0)])
def test_bit_product_gate_exhaustive(activation, tol):
    beta = bit_scale(1e-10)
    for k in range(1, 7):
        g = bit_product_gate(k, beta, activation)
        assert g.neurons == 1 and g.kind == "bit" and np.array_equal(g.w_out, [[1.0 / (1 + (activation == "tanh"))]])
        x = bit_vectors(k)
        err = np.abs(g(x)[:, 0] - np.prod(x, axis=1))
        assert err.max() <= tol
        if activation == "sigmoid":
            assert err.max() == pytest.approx(bit_error(beta), rel=1e-12)


def test_bit_gate_weights():
    g = bit_product_gate(3, 47.0)
    assert np.array_equal(g.w_in, np.full((3, 1), 47.0)) and g.b[0] == -47.0 * 2.5 and g.scale == 47.0
    assert bit_product_gate(3, 47.0, "step").b[0] == -2.5 and bit_product_gate(3, None, "relu").b[0] == -2.0
    with pytest.raises(ValueError, match="not a threshold unit"):
        bit_product_gate(2, 10.0, "softplus")
    with pytest.raises(ValueError, match="needs beta"):
        bit_product_gate(2, None, "sigmoid")


def test_scales_follow_the_input_bound():
    unit, wide = product_scale("sigmoid"), product_scale("sigmoid", input_bound=10.0)
    assert wide.value == pytest.approx(unit.value / 10, rel=1e-12)
    assert wide.predicted_error == pytest.approx(unit.predicted_error, rel=1e-12)
    err = max_error(product_gate("sigmoid", wide.value), 10 * UV, uv) / 100     # relative to R^2
    assert err < 1.2 * unit.predicted_error


# ---- bias points from the Taylor series, Richardson pairs ------------------------------------------

def _product_error(kinds: str, dtype: str) -> tuple[float, float]:
    """(measured max |gate - u v| on UV, evaluated as a layer does: each neuron minus sigma(c);
    the certified bound one such gate adds) for the unit product gate hamc builds."""
    from hamc.build import rounding as fp
    from hamc.build import error_bound as eb
    from hamc.build.table_layers import unit_gates
    from hamc.network.activations import get_activation
    g = unit_gates("sigmoid", dtype, kinds)[0].product
    f, x = get_activation("sigmoid"), UV.astype(dtype)
    out = (f(x @ g.w_in.astype(dtype) + g.b.astype(dtype)) - f(g.b.astype(dtype))) @ g.w_out.astype(dtype)
    exact = x[:, 0].astype(np.float64) * x[:, 1].astype(np.float64)
    return float(np.abs(out[:, 0] - exact).max()), eb.chain_gate_bound(g, fp.unit_roundoff(dtype))


@pytest.mark.parametrize("dtype,paper_at_least,single_at_most,richardson_at_most", [
    ("float64", 1e-8, 1e-10, 1e-11), ("float32", 3e-4, 1e-4, 2e-5)])
def test_s4_zero_bias_point_beats_the_papers_and_richardson_beats_both(dtype, paper_at_least, single_at_most,
                                                                      richardson_at_most):
    paper, single, richardson = (_product_error(k, dtype) for k in ("paper", "single", "richardson"))
    assert paper[0] >= paper_at_least and single[0] <= single_at_most and richardson[0] <= richardson_at_most
    assert all(measured <= bound for measured, bound in (paper, single, richardson))


def test_richardson_pair_cancels_the_lambda4_term():
    # at c with s4 = 0 the single gate's error is O(lambda^4): halving lambda divides it by 16; the
    # Richardson pair's is O(lambda^6): by 64 (float64, lambdas where truncation dominates)
    from hamc.build.gates import richardson
    c = -np.log(5 + 2 * np.sqrt(6))
    single = [max_error(product_gate("sigmoid", lam, c), UV, uv) for lam in (0.2, 0.1)]
    pair = [max_error(richardson(product_gate("sigmoid", lam, c), 2.0, 4), UV, uv) for lam in (0.2, 0.1)]
    assert 16 * 0.8 < single[0] / single[1] < 16 * 1.2
    assert 64 * 0.8 < pair[0] / pair[1] < 64 * 1.2
    assert pair[0] < single[0] / 10
    assert richardson(product_gate("sigmoid", 0.1, c), 2.0, 4).neurons == 8


def test_square_gate_has_two_neurons_and_no_input_less_one():
    # evaluated as a layer does, each neuron minus sigma(c): the constant b_out is then exactly 0
    from hamc.network.activations import get_activation
    g = square_gate("sigmoid", 0.05, -np.log(5 + 2 * np.sqrt(6)))
    assert g.neurons == 2 and np.all(g.w_in != 0)
    assert g.b_out[0] == pytest.approx(-g.w_out.sum() * get_activation("sigmoid")(g.b[0]), rel=1e-14)
    f, u = get_activation("sigmoid"), UV[:, :1]
    out = (f(u @ g.w_in + g.b) - f(g.b)) @ g.w_out
    s = derivatives("sigmoid", g.b[0], 6)          # s4 = 0: the error is (s6 / 360 s2) lambda^4 u^6 + ...
    assert np.abs(out[:, 0] - u[:, 0] ** 2).max() == pytest.approx(abs(s[6] / (360 * s[2])) * 0.05 ** 4, rel=0.05)
