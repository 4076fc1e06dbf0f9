"""The sympy route: the examples written as sympy expressions lower to the .ham route's IR and networks."""
import numpy as np
import pytest
import sympy as sp

import hamc
from conftest import EXAMPLES

i, j = sp.symbols("i j", integer=True)


def _ising(L=4):
    s = sp.IndexedBase("s", shape=(L, L))
    sites = ((i, 0, L - 1), (j, 0, L - 1))
    bonds = sp.Sum(s[i, j] * s[sp.Mod(i + 1, L), j] + s[i, j] * s[i, sp.Mod(j + 1, L)], *sites)
    return -bonds - sp.Rational(1, 2) * sp.Sum(s[i, j], *sites), {s: "spin"}, {"L": L}


def _cat_dog():
    x = sp.IndexedBase("x", shape=(4,))
    return ({"cat": 2 - x[0] - x[1] + 0.5 * x[2] - 1.5 * x[0] * x[1] + x[1] * x[2] * x[3],
             "dog": 2.5 - x[2] - x[3] + 0.5 * x[0] - 1.5 * x[2] * x[3] + x[0] * x[1] * x[3]},
            {x: "bit"}, {}, {"cat": 0.6, "dog": 0.4})


def _curie_weiss(N=6):
    s = sp.IndexedBase("s", shape=(N,))
    return -sp.Sum(s[i], (i, 0, N - 1)) ** 2 / N, {"s": "spin"}, {"N": N}


def _image(L=2):
    phi = sp.IndexedBase("phi", shape=(L, L))
    p = lambda a, b: phi[sp.Mod(a, L), sp.Mod(b, L)]      # noqa: E731 (periodic neighbour)
    grad = (p(i + 1, j) - phi[i, j]) ** 2 + (p(i, j + 1) - phi[i, j]) ** 2
    lap = p(i + 1, j) + p(i - 1, j) + p(i, j + 1) + p(i, j - 1) - 4 * phi[i, j]
    body = phi[i, j] ** 2 + sp.Rational(1, 2) * grad + sp.Rational(1, 4) * lap ** 2
    return sp.Sum(body, (i, 0, L - 1), (j, 0, L - 1)), {phi: "real"}, {"L": L}


def _microphone(n=6):
    x = sp.IndexedBase("x", shape=(n,))
    return 1 + sp.Sum(x[i] ** 2 - x[i] * x[sp.Mod(i + 1, n)] / 2, (i, 0, n - 1)), {x: "real"}, {"n": n}


def _phi4(L=3):
    phi = sp.IndexedBase("phi", shape=(L, L))
    body = (phi[i, j] ** 2 / 2 + phi[i, j] ** 4 / 24 + ((phi[sp.Mod(i + 1, L), j] - phi[i, j]) ** 2
                                                         + (phi[i, sp.Mod(j + 1, L)] - phi[i, j]) ** 2) / 2)
    return sp.Sum(body, (i, 0, L - 1), (j, 0, L - 1)), {phi: "real"}, {"L": L}


def _product32():
    x = sp.IndexedBase("x", shape=(32,))
    return sp.Product(x[i], (i, 0, 31)), {x: "real"}, {}


def _three_body(N=6):
    s = sp.IndexedBase("s", shape=(N,))
    nxt = lambda k: s[sp.Mod(i + k, N)]      # noqa: E731
    return (-sp.Sum(s[i] * nxt(1) * nxt(2), (i, 0, N - 1)) - sp.Sum(s[i] * nxt(1), (i, 0, N - 1)) / 2,
            {s: "spin"}, {"N": N})


def _spin_glass(N=64):
    J = np.load(EXAMPLES / "data" / "sk_couplings.npy")
    s = sp.IndexedBase("s", shape=(N,))
    # 2,016 terms: unevaluated products, as sympy takes seconds to build them one by one
    terms = (sp.Mul(sp.Float(-J[a, b] / np.sqrt(N)), s[a], s[b], evaluate=False) for a in range(N) for b in range(a + 1, N))
    return sp.Add(*terms, evaluate=False), {s: "spin"}, {}


EXACT = {"ising": _ising, "cat_dog": _cat_dog, "curie_weiss": _curie_weiss, "image": _image,
         "microphone": _microphone, "phi4": _phi4, "product32": _product32, "three_body": _three_body}


def _routes(name, make):
    expr, variables, params, *priors = make()
    ham = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    return ham, hamc.load(expr, variables=variables, priors=priors[0] if priors else None)


def _inputs(h, rows=64):
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(rows, h.n_variables))
    coin = rng.integers(0, 2, size=x.shape)
    return np.where(h.domains == 1, coin, np.where(h.domains == 2, 2 * coin - 1, x))


@pytest.mark.parametrize("name", sorted(EXACT))
def test_every_example_lowers_to_the_same_polynomial_and_network(name):
    ham, sym = _routes(name, EXACT[name])
    assert sym.n_variables == ham.n_variables and sym.labels == ham.labels and sym.priors == ham.priors
    for a, b in zip(ham.energies, sym.energies):
        assert a.monomials.keys() == b.monomials.keys()
        for d in a.monomials:
            np.testing.assert_array_equal(a.monomials[d], b.monomials[d])
            assert [a.coefficients[d].scalar(k) for k in range(len(a.monomials[d]))] == \
                [b.coefficients[d].scalar(k) for k in range(len(b.monomials[d]))]
    assert [p.density is None for p in sym.energies] == [p.density is None for p in ham.energies]
    assert hamc.analyze(sym).summary() == hamc.analyze(ham).summary()
    c_ham, c_sym = (hamc.compile(h, samples=100) for h in (ham, sym))
    assert c_sym.network.meta["layout"] == c_ham.network.meta["layout"]
    assert (c_sym.network.hidden_neurons, c_sym.network.parameters) == (c_ham.network.hidden_neurons,
                                                                        c_ham.network.parameters)
    x = _inputs(ham)
    np.testing.assert_array_equal(c_sym.network(x), c_ham.network(x))


def test_spin_glass_floats_agree_to_rounding():
    ham, sym = _routes("spin_glass", _spin_glass)
    x = _inputs(ham, 200)
    assert sym.energies[0].terms_by_degree() == ham.energies[0].terms_by_degree() == {2: 64 * 63 // 2}
    np.testing.assert_allclose(sym.evaluate(x), ham.evaluate(x), rtol=1e-13, atol=1e-13)


def test_domains_from_assumptions_and_inputs_in_the_mapping_order():
    x, y = sp.symbols("x y", real=True)
    b, s = sp.Symbol("b"), sp.Symbol("s")
    h = hamc.load(x * b + y * s ** 3 + b ** 2, variables={s: "spin", "b": "bit"})
    assert list(h.variable_labels()) == ["s", "b", "x", "y"]        # mapped first, then real by name
    assert [int(d) for d in h.domains] == [2, 1, 0, 0]
    rows = np.array([[1, 1, 0.5, 2.0], [-1, 0, 3.0, -1.0]])
    np.testing.assert_array_equal(h.evaluate(rows), [0.5 + 2 + 1, -1.0 * -1 + 0])   # s^3 = s, b^2 = b


@pytest.mark.parametrize("expr, variables, message", [
    (sp.sin(sp.Symbol("x")), {"x": "real"}, "sin(x) is not a polynomial"),
    (sp.Symbol("x") ** 2.0, {"x": "real"}, "x**2.0 has a floating-point exponent: a polynomial takes whole-number "
                                           "powers of variables; write x**2"),
    (sp.sqrt(sp.Symbol("x")), {"x": "real"}, "x**1/2 has a fractional exponent"),
    (1 / sp.Symbol("x"), {"x": "real"}, "1/x has a negative exponent"),
    (sp.Symbol("x") * sp.Symbol("z"), {"x": "real"}, "no domain for 'z': give it in variables="),
    (sp.Symbol("x"), {"x": "boolean"}, "unknown domain 'boolean' for 'x': use one of real, bit, spin"),
    (sp.IndexedBase("s")[0], {"s": "spin"}, "array 's' needs a shape of positive whole numbers"),
    (sp.IndexedBase("s", shape=(10**6, 10**6))[0, 0], {"s": "spin"}, "'s' brings the variables to "
     "1,000,000,000,000 (limit 1,000,000,000)"),
    (sp.IndexedBase("s", shape=(4,))[4], {"s": "spin"}, "s[4] is outside 's' of shape (4,); write Mod(i + 1, n)"),
    (sp.Sum(sp.IndexedBase("s", shape=(4,))[i], (i, 0, sp.Symbol("n"))), {"s": "spin"},
     "the sum over i needs whole-number limits, got 0..n"),
    (sp.Sum(sp.Symbol("x"), (i, 0, 10 ** 9)), {"x": "real"}, "a Sum over 1,000,000,001 index combinations"),
])
def test_bad_expressions_are_refused_with_a_clear_message(expr, variables, message):
    with pytest.raises(hamc.HamcError) as err:
        hamc.load(expr, variables=variables)
    assert message in err.value.message and err.value.filename == "<sympy>"


def test_bad_priors_and_strings_are_refused():
    x = sp.Symbol("x", real=True)
    with pytest.raises(hamc.HamcError, match=r"priors sum to 9/10, not 1"):
        hamc.load({"a": x, "b": -x}, priors={"a": 0.5, "b": 0.4})
    with pytest.raises(hamc.HamcError, match="must give every label"):
        hamc.load({"a": x, "b": -x}, priors={"a": 1})
    with pytest.raises(hamc.HamcError, match="is a string"):
        hamc.load({"a": "x**2"}, variables={"x": "real"})


def test_compile_takes_a_sympy_expression_and_build_option_shortcuts():
    x, y = sp.symbols("x y", real=True)
    c = hamc.compile(x * y + x ** 2, tol=1e-3, dtype="float32", strategy="tree")
    assert (c.options.tol, c.options.dtype, c.network.meta["dtype"]) == (1e-3, "float32", "float32")
    rows = np.array([[0.5, -0.25], [-1.0, 1.0]])
    np.testing.assert_allclose(np.ravel(c.network(rows)), [0.125, 0.0], atol=2e-3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'toll'"):
        hamc.compile(x * y, toll=1e-3)


def test_a_lattice_sum_stays_one_site_however_large():
    expr, variables, _ = _ising(L=1000)       # 10^6 spins: read at one site, not expanded
    h = hamc.load(expr, variables=variables)
    density = h.energies[0].density
    assert density.sites == 10**6 and len(density.local) == 3 and h.variables[0].boundary == "periodic"
    assert h.energies[0].bound(np.ones(10**6)) == 2.5 * 10**6          # S = 2N bonds + N/2 fields
    assert not h.energies[0].expanded


def test_to_sympy_round_trips_through_the_sympy_route():
    ham = hamc.load(EXAMPLES / "three_body.ham", params={"N": 5})
    again = hamc.load(ham.to_sympy(), variables={"s": "spin"})
    x = _inputs(ham, 32)
    np.testing.assert_array_equal(again.evaluate(x), ham.evaluate(x))
    assert again.energies[0].density is not None and again.to_sympy() == ham.to_sympy()


def test_powers_are_refused_before_they_are_expanded():
    # (x + y)**100000 tried to allocate gigabytes (MemoryError) instead of the limit's message
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(hamc.HamcError) as info:
        hamc.load((x + y) ** 100000)
    assert str(info.value) == ("<sympy>: error: expanding (x + y)**100000 writes more than 20,000,000 variable "
                               "indices (the limit) on the way to its 100,001 terms; raise the limit with max_terms=")
    with pytest.raises(hamc.HamcError, match="x\\*\\*100000000 has degree 100,000,000 \\(limit 20,000,000\\)"):
        hamc.load(x ** 100_000_000)
    h = hamc.load((x + y) ** 300)                    # 301 terms: fine, as in a .ham file
    assert h.energies[0].n_terms == 301
    point = np.array([[0.5, -0.25]])
    assert h.evaluate(point)[0] == pytest.approx(0.25 ** 300, rel=1e-12)
