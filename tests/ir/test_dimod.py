"""dimod in and out: energies of every configuration of small models agree with dimod's."""
import itertools

import dimod
import numpy as np
import pytest

import hamc
from conftest import EXAMPLES


def _configurations(domains) -> np.ndarray:
    values = [(-1, 1) if d == 2 else (0, 1) for d in domains]
    return np.array(list(itertools.product(*values)), dtype=np.int8)


def _as_model_sample(h, x: np.ndarray, vartype) -> list[dict]:
    """Rows of hamc inputs as dimod samples: a spin in a BINARY model is the bit (s + 1) / 2."""
    labels = list(h.variable_labels())
    to_bits = vartype == dimod.BINARY
    rows = np.where((h.domains == 2) & to_bits, (x + 1) // 2, x)
    return [dict(zip(labels, map(int, row))) for row in rows]


@pytest.mark.parametrize("source, params, kind", [
    ("ising.ham", {"L": 3}, "bqm"), ("curie_weiss.ham", {"N": 6}, "bqm"),
    ("three_body.ham", {"N": 6}, "poly"), ("ising.ham", {"L": 3}, "poly"),
    ("bit b[2]\nspin s[2]\nH = 3 + b[0]*s[0] - 2*s[0]*s[1] + b[1]/4 - b[0]*b[1]*s[1]", {}, "poly"),
    ("bit b[2]\nspin s[2]\nH = 3 + b[0]*s[0] - 2*s[0]*s[1] + b[1]/4", {}, "bqm"),
])
def test_to_dimod_energies_equal_hamc_on_every_configuration(source, params, kind):
    h = hamc.load(EXAMPLES / source if source.endswith(".ham") else source, params=params)
    model = h.to_bqm() if kind == "bqm" else h.to_binary_polynomial()
    x = _configurations(h.domains)
    samples = _as_model_sample(h, x, model.vartype)
    got = model.energies((np.array([[s[v] for v in model.variables] for s in samples]), list(model.variables))) \
        if kind == "bqm" else np.array([model.energy(s) for s in samples])
    np.testing.assert_allclose(got, h.evaluate(x), rtol=0, atol=1e-12)
    assert model.vartype == (dimod.SPIN if np.all(h.domains == 2) else dimod.BINARY)
    if kind == "bqm":
        assert model.num_variables == h.n_variables and list(model.variables) == list(h.variable_labels())


def _random_bqm(vartype, n=7, seed=5):
    rng = np.random.default_rng(seed)
    linear = {f"v{k}": float(rng.integers(-3, 4)) for k in range(n)}
    quadratic = {(f"v{a}", f"v{b}"): float(rng.normal()) for a in range(n) for b in range(a + 1, n) if rng.random() < .5}
    return dimod.BinaryQuadraticModel(linear, quadratic, 1.25, vartype)


@pytest.mark.parametrize("vartype", [dimod.SPIN, dimod.BINARY])
def test_from_dimod_round_trips_dimod_energies(vartype):
    bqm = _random_bqm(vartype)
    h = hamc.from_dimod(bqm)
    x = _configurations(h.domains)
    assert h.n_variables == 7 and {int(d) for d in h.domains} == {2 if vartype == dimod.SPIN else 1}
    np.testing.assert_allclose(h.evaluate(x), bqm.energies((x, list(bqm.variables))), rtol=0, atol=1e-12)
    back = h.to_bqm()
    np.testing.assert_allclose(back.energies((x, list(back.variables))), h.evaluate(x), rtol=0, atol=1e-12)
    assert not h.exact and "dimod" in h.coefficients_note()


def test_from_dimod_higher_order_and_whole_biases_stay_exact():
    poly = dimod.BinaryPolynomial({("a", "b", "c"): 2, ("a",): -1, ("c", "b"): 3, (): 4}, dimod.SPIN)
    h = hamc.from_dimod(poly)
    assert h.exact and h.degree == 3 and list(h.variable_labels()) == ["s[0]", "s[1]", "s[2]"]
    x = _configurations(h.domains)
    want = [poly.energy(dict(zip("abc", row))) for row in x.tolist()]
    np.testing.assert_array_equal(h.evaluate(x), want)
    c = hamc.compile(h)               # bits strategy: exact on every configuration
    np.testing.assert_array_equal(np.ravel(c.network(x)), want)


def test_from_pyqubo_quadratic_and_refuses_its_auxiliary_variables():
    import pyqubo
    a, b, c = pyqubo.Spin("a"), pyqubo.Spin("b"), pyqubo.Spin("c")
    expr = a * b + 2 * b * c - a + 1
    h = hamc.from_pyqubo(expr)
    x = _configurations(h.domains)                  # bits: pyqubo writes each spin s as 2x - 1
    spins = 2 * x.astype(int) - 1
    np.testing.assert_array_equal(h.evaluate(x), [s[0] * s[1] + 2 * s[1] * s[2] - s[0] + 1 for s in spins])
    with pytest.raises(hamc.HamcError, match=r"auxiliary variable 'a \* b'"):
        hamc.from_pyqubo(a * b * c)


@pytest.mark.parametrize("text, message", [
    ("real x\nH = x^2", "dimod models are over bits or spins; 'x' is real"),
    ("spin s[3]\nH = s[0]*s[1]*s[2]", "degree <= 2, this energy has degree 3: use h.to_binary_polynomial()"),
    ("bit x\nH[a] = x\nH[b] = -x", "to_bqm converts one energy; this classifier has 2 (a, b)"),
])
def test_to_bqm_refusals(text, message):
    with pytest.raises(hamc.HamcError) as err:
        hamc.load(text).to_bqm()
    assert message in err.value.message
