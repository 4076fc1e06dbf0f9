"""Activations: registry, NumPy functions, Taylor coefficients and bias points."""
import math
import warnings

import numpy as np
import pytest

from hamc.network.activations import ACTIVATIONS, bias_point, critical_points, derivatives, get_activation


def test_registry_names_and_smoothness():
    assert {"sigmoid", "tanh", "softplus", "exp", "relu", "step"} <= set(ACTIVATIONS)
    assert [n for n, a in sorted(ACTIVATIONS.items()) if not a.smooth] == ["relu", "step"]


def test_unknown_activation_lists_known_names_sorted():
    with pytest.raises(ValueError) as info:
        get_activation("gelu")
    assert str(info.value) == "unknown activation 'gelu'; known: exp, relu, sigmoid, softplus, step, tanh"


def test_numpy_functions_are_stable_and_keep_dtype():
    x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sig = get_activation("sigmoid")(x)
        soft = get_activation("softplus")(x)
    assert sig[0] == 0.0 and sig[-1] == 1.0 and sig[2] == 0.5
    assert soft[-1] == 1000.0 and soft[0] == 0.0 and soft[2] == pytest.approx(math.log(2), abs=1e-15)
    assert get_activation("step")(x).tolist() == [0, 0, 1, 1, 1]          # step(0) = 1
    assert get_activation("relu")(x).tolist() == [0, 0, 0, 1, 1000]
    for name in ACTIVATIONS:
        assert get_activation(name)(x[1:4].astype(np.float32)).dtype == np.float32


def test_expressions_match_numpy_functions():
    x = np.linspace(-3, 3, 13)
    for name, act in ACTIVATIONS.items():
        if act.smooth:
            # derivatives(.., 0)[0] is the sympy expression's value at x
            values = [derivatives(name, float(v), 0)[0] for v in x]
            assert np.allclose(values, act(x), rtol=1e-14, atol=1e-15), name


def test_known_derivatives():
    assert derivatives("exp", 0.0, 8) == (1.0,) * 9
    assert derivatives("softplus", 0.0, 2)[2] == 0.25
    assert derivatives("sigmoid", 0.0, 4) == (0.5, 0.25, 0.0, -0.125, 0.0)   # exact zeros, not 1e-166
    assert derivatives("tanh", 0.0, 5) == (0.0, 1.0, 0.0, -2.0, 0.0, 16.0)
    c = 0.7
    s = 1 / (1 + math.exp(-c))
    s0, s1, s2, s3 = derivatives("sigmoid", c, 3)
    assert (s0, s1, s2) == pytest.approx((s, s * (1 - s), s * (1 - s) * (1 - 2 * s)), rel=1e-14)
    assert s3 == pytest.approx(s * (1 - s) * (1 - 6 * s + 6 * s * s), rel=1e-14)


def test_high_order_derivatives_are_accurate():
    # softplus^(k) = sigmoid^(k-1): two different sympy expressions must agree at order 14,
    # where float64 evaluation of either would have cancelled most digits away
    assert derivatives("softplus", 0.3, 15)[15] == pytest.approx(derivatives("sigmoid", 0.3, 14)[14], rel=1e-14)


def test_non_smooth_activations_have_no_series():
    for name in ("relu", "step"):
        with pytest.raises(ValueError, match="not smooth"):
            derivatives(name, 0.0, 2)
        with pytest.raises(ValueError, match="not smooth"):
            bias_point(name, 2)


def test_sigmoid_product_bias_point():
    c = bias_point("sigmoid", 2)
    assert abs(c - math.log(2 + math.sqrt(3))) < 1e-9
    assert c == pytest.approx(1.3169578969248166, abs=1e-15)
    s = derivatives("sigmoid", c, 4)
    assert abs(s[2]) == pytest.approx(1 / (6 * math.sqrt(3)), rel=1e-14)      # max |sigma''|
    assert abs(s[3]) < 1e-15              # s3 vanishes where s2 is extremal


def test_other_bias_points():
    assert bias_point("softplus", 2) == 0.0
    assert derivatives("softplus", 0.0, 3)[2:] == (0.25, 0.0)            # sigmoid' peaks at 0: s3 = 0
    assert bias_point("tanh", 1) == 0.0 and bias_point("sigmoid", 1) == 0.0
    # tanh'' is extremal at +-atanh(1/sqrt 3); ties go to the non-negative one
    assert bias_point("tanh", 2) == pytest.approx(math.atanh(1 / math.sqrt(3)), abs=1e-15)
    assert critical_points("tanh", 2) == pytest.approx((-bias_point("tanh", 2), bias_point("tanh", 2)), abs=1e-15)
    # sigma(z) = (1 + tanh(z/2)) / 2, so sigmoid's bias points are twice tanh's
    for k in (2, 3, 4):
        assert bias_point("sigmoid", k) == pytest.approx(2 * bias_point("tanh", k), abs=1e-14)


def test_no_interior_optimum_gives_zero():
    assert [bias_point("exp", k) for k in (1, 2, 5)] == [0.0, 0.0, 0.0]
    assert bias_point("softplus", 1) == 0.0      # sigmoid grows towards 1: no best copy point


@pytest.mark.parametrize("name,k", [("sigmoid", 2), ("sigmoid", 3), ("sigmoid", 4), ("softplus", 3), ("tanh", 3)])
def test_bias_point_beats_a_grid(name, k):
    c = bias_point(name, k)
    best = abs(derivatives(name, c, k)[k])
    grid = [abs(derivatives(name, float(x), k)[k]) for x in np.linspace(-6, 6, 61)]
    assert best >= max(grid) * (1 - 1e-12)
    assert c >= 0.0


def test_bias_point_is_cached():
    before = bias_point.cache_info().hits
    bias_point("sigmoid", 2)
    bias_point("sigmoid", 2)
    assert bias_point.cache_info().hits >= before + 2


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "exp"])
def test_table_bias_points_are_the_taylor_series_zeros(name):
    """The table's float bias points, derived again with sympy: products and squares where s4 = 0
    and |s2| is largest (the paper's argmax |s2| where s4 has no zero), copies where s2 = 0 (1 neuron)
    or else s3 = 0 (2 neurons), each of a mirror pair +-c the one with the smaller sigma."""
    import sympy
    from hamc.network.activations import z
    act = ACTIVATIONS[name]
    f = act.expr
    d = [sympy.lambdify(z, sympy.diff(f, z, k), "mpmath") for k in range(5)]
    zeros4 = [c for c in critical_points(name, 3) if abs(derivatives(name, c, 2)[2]) > 1e-9]
    if zeros4:
        best = max(abs(d[2](c)) for c in zeros4)
        wanted = min((c for c in zeros4 if abs(d[2](c)) >= best * (1 - 1e-12)), key=lambda c: float(d[0](c)))
        assert act.gate_bias == pytest.approx(wanted, abs=1e-14)
        assert abs(float(d[4](act.gate_bias))) < 1e-14 and abs(float(d[2](act.gate_bias))) > 0.05
    else:
        assert act.gate_bias == bias_point(name, 2)
    assert act.paper_bias == pytest.approx(bias_point(name, 2), abs=1e-14)
    zeros2, zeros3 = critical_points(name, 1), critical_points(name, 2)
    assert act.copy_neurons == (1 if zeros2 else 2)
    assert act.copy_bias in (zeros2 if zeros2 else zeros3 or (0.0,))


def test_sigmoid_table_constants_in_closed_form():
    sig = ACTIVATIONS["sigmoid"]
    assert sig.gate_bias == pytest.approx(-math.log(5 + 2 * math.sqrt(6)), abs=1e-15)
    assert sig.paper_bias == pytest.approx(math.log(2 + math.sqrt(3)), abs=1e-15)
    assert ACTIVATIONS["tanh"].gate_bias == pytest.approx(sig.gate_bias / 2, abs=1e-15)
