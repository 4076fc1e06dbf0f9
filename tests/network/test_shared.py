"""Lattice sums lowered at one site, the weight-shared layout, sparse unrolled layers, limits."""
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import scipy.sparse as sp

import hamc
from hamc.io import atomic as files

from conftest import EXAMPLES, REPO, run

LATTICE_EXAMPLES = [("ising", {"L": 4}), ("ising", {"L": 2}), ("three_body", {}), ("phi4", {"L": 3}),
                    ("image", {"L": 4}), ("microphone", {"n": 8})]


def text_of(name):
    return (EXAMPLES / f"{name}.ham").read_text()


def term_by_term(text):
    """The same program with `, 0 == 0` in every sum: a condition keeps the one-site lowering out."""
    return text.replace(": s[i]", ", 0 == 0: s[i]").replace("<i,j> in G:", "<i,j> in G, 0 == 0:") \
        .replace("j in 0..L-1:", "j in 0..L-1, 0 == 0:").replace("i in 0..N-1:", "i in 0..N-1, 0 == 0:") \
        .replace("i in 0..n-1:", "i in 0..n-1, 0 == 0:")


@pytest.mark.parametrize("name,params", LATTICE_EXAMPLES)
def test_one_site_lowering_equals_term_by_term_lowering(name, params):
    fast = hamc.load(text_of(name), params=params)
    slow = hamc.load(term_by_term(text_of(name)), params=params)
    assert fast.energies[0].density is not None and slow.energies[0].density is None
    a, b = fast.energies[0], slow.energies[0]
    x = np.random.default_rng(1).uniform(-1, 1, size=(7, fast.n_variables))
    if name in ("ising", "three_body"):
        x = np.sign(x)
    assert np.allclose(a.evaluate(x), b.evaluate(x), rtol=1e-12, atol=1e-12)     # density, unexpanded
    assert not a.expanded
    assert a.terms_by_degree() == b.terms_by_degree()                            # expands now
    for d in b.monomials:
        assert np.array_equal(a.monomials[d], b.monomials[d])
        assert [a.coefficients[d].scalar(k) for k in range(len(b.monomials[d]))] == \
               [b.coefficients[d].scalar(k) for k in range(len(b.monomials[d]))]


def test_periodic_2x2_bonds_double_through_the_density():
    h = hamc.load(text_of("ising"), params={"L": 2})
    assert {h.energies[0].coefficients[2].scalar(k) for k in range(4)} == {-2}


@pytest.mark.parametrize("name,params", LATTICE_EXAMPLES)
def test_shared_and_unrolled_layouts_give_the_same_outputs(name, params):
    shared = hamc.compile(EXAMPLES / f"{name}.ham", params=params, check=False)
    unrolled = hamc.compile(EXAMPLES / f"{name}.ham", params=params, check=False,
                            options=hamc.BuildOptions(layout="unrolled"))
    assert shared.network.meta["layout"] == "shared" and unrolled.network.meta["layout"] == "unrolled"
    h = shared.hamiltonian
    x = np.random.default_rng(2).uniform(-1, 1, size=(50, h.n_variables))
    if name in ("ising", "three_body"):
        x = np.sign(x)
        assert np.array_equal(shared.network(x), h.evaluate(x))                 # step neurons: exact
    scale = shared.verification.scale
    assert np.max(np.abs(shared.network(x) - unrolled.network(x))) / scale < 1e-7
    assert np.max(np.abs(shared.network(x) - h.evaluate(x))) / scale < 1e-7
    assert shared.network.parameters < unrolled.network.parameters


def test_independent_parameters_do_not_grow_with_the_lattice():
    counts = {}
    for L in (4, 16, 300):
        c = hamc.compile(EXAMPLES / "ising.ham", params={"L": L})
        counts[L] = (c.network.parameters, c.network.hidden_neurons)
        assert not c.hamiltonian.energies[0].expanded
    # 3 bit neurons per site (x_i, x_i x_right, x_i x_down), 5 + 3 weights, 2 biases, 1 constant
    assert {p for p, _ in counts.values()} == {11}
    assert {L: n for L, (_, n) in counts.items()} == {4: 48, 16: 768, 300: 270_000}


def test_shared_network_round_trips_and_the_readme_forward_pass_reads_it(tmp_path):
    c = hamc.compile(EXAMPLES / "phi4.ham", params={"L": 5})
    path = hamc.save_network(c.network, tmp_path / "phi4.npz")
    with np.load(path, allow_pickle=False) as f:
        assert "inputs" not in f and tuple(f["lattice/shape"]) == (5, 5)
        assert str(f["lattice/variable"]) == "phi"
    readme = (REPO / "README.md").read_text()
    snippet = readme.split("```python\nimport numpy as np\n\ndef forward")[1].split("```")[0]
    namespace = {}
    exec("import numpy as np\n\ndef forward" + snippet, namespace)
    x = np.random.default_rng(3).uniform(-1, 1, size=(9, 25))
    loaded = hamc.load_network(path)
    assert list(loaded.inputs)[:2] == ["phi[0,0]", "phi[0,1]"] and len(loaded.inputs) == 25
    scale = c.verification.scale
    assert np.max(np.abs(loaded(x) - c.network(x))) == 0
    # the snippet sums the sites after the last layer, the network before it: both are within the
    # network's own error of the exact energy (cancellation in 1/(4 lambda^2 s2) ~ 1e7 weights)
    exact = c.hamiltonian.evaluate(x)
    assert np.max(np.abs(namespace["forward"](str(path), x) - exact)) / scale < 1e-7
    assert np.max(np.abs(c.network(x) - exact)) / scale < 1e-7


def test_large_unrolled_layers_are_sparse():
    text = "param N = 3000\nspin s[N] open\nH = -sum(i in 0..N-1: s[i] * s[i+1] * s[i+2])\n"
    c = hamc.compile(text, samples=20)
    first = c.network.layers[0]
    assert sp.issparse(first.weight)
    assert first.weight.nnz == c.network.layers[0].synapses
    assert c.network.meta["layout"] == "unrolled"       # open boundaries: not translation-invariant


@pytest.mark.parametrize("activation", ["step", "relu"])
def test_exact_bit_activations(activation):
    # exact on every configuration; the certified bound is worst-case rounding only, above 1e-15
    c = hamc.compile(EXAMPLES / "three_body.ham", options=hamc.BuildOptions(activation=activation, tol=1e-15),
                     check_by="sample")
    assert c.verification.exhaustive and c.verification.max_abs_error == 0.0
    assert 1e-15 < c.error_bound.relative < 1e-12


def test_bits_default_to_the_step_activation():
    assert hamc.compile(EXAMPLES / "cat_dog.ham").network.meta["activation"] == "step"
    assert hamc.compile(EXAMPLES / "microphone.ham").network.meta["activation"] == "sigmoid"


def test_oversized_unrolled_build_is_refused_before_allocating(capsys, tmp_path):
    out = tmp_path / "out"
    code, _, err = run(capsys, "compile", EXAMPLES / "ising.ham", "-p", "L=300", "--layout", "unrolled",
                       "--max-memory", "0.01", "-o", out)
    assert code == 2
    assert "needs about 0.3 GB to build (limit 0.0 GB, --max-memory)" in err and "--layout shared" in err
    assert not out.exists()


def test_shared_layout_refused_where_it_does_not_apply(capsys, tmp_path):
    text = tmp_path / "open.ham"
    text.write_text("param N = 6\nspin s[N] open\nH = sum(i in 0..N-1: s[i] * s[i+1])\n")
    code, _, err = run(capsys, "compile", text, "--layout", "shared", "-o", tmp_path / "o")
    assert code == 2 and "a shared layout needs one periodic variable array" in err
    text.write_text("param N = 6\nspin s[N] periodic\nH = sum(i in 0..N-1: s[i] * s[i+1]) + s[0]\n")
    code, _, err = run(capsys, "compile", text, "--layout", "shared", "-o", tmp_path / "o")
    assert code == 2 and "H is not translation-invariant: a degree-1 term appears at 1 of the 6 positions" in err


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(tmp_path / "net.npz", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_no_progress_lines_when_not_a_terminal(capsys, tmp_path):
    code, _, err = run(capsys, "compile", EXAMPLES / "ising.ham", "-o", tmp_path)
    assert code == 0 and err == ""


BINDERS = ["i in G", "j in G", "<i,j> in G", "k in 0..3", "a in 0..2", "b in 0..2", "a in 0..1"]
BODIES = ["s[i]", "s[i]*s[j]", "s[j]", "s[a,b]", "s[a,b+1]*s[a+1,b]", "s[a,b] + 1", "2", "s[i] * s[k]",
          "s[a, 0]", "s[a,b]*s[b,a]", "(s[a,b] - s[a,b+2])^2"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(BINDERS), min_size=1, max_size=3), st.sampled_from(BODIES),
       st.sampled_from(["", "2 * ", "-", "1 + "]))
def test_one_site_lowering_agrees_on_random_sums(binders, body, prefix):
    """Whatever binders and body: the one-site path, if taken, equals the term-by-term lowering."""
    text = f"lattice G = square(3, 3)\nspin s[G]\nH = {prefix}sum({', '.join(binders)}: {body})"
    try:
        slow = hamc.load(text.replace(f": {body})", f", 0 == 0: {body})"))
    except hamc.HamcError as err:
        with pytest.raises(hamc.HamcError) as fast_err:
            hamc.load(text)
        assert fast_err.value.message == err.message
        return
    fast = hamc.load(text)
    x = np.sign(np.random.default_rng(4).uniform(-1, 1, size=(16, 9)))
    assert np.allclose(fast.evaluate(x), slow.evaluate(x), rtol=1e-12, atol=1e-12)
    shared = hamc.compile(fast, check=False)
    assert np.allclose(shared.network(x), slow.evaluate(x), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name,params", [("ising", {"L": 16}), ("phi4", {"L": 12}), ("image", {"L": 20}),
                                         ("microphone", {"n": 100}), ("three_body", {"N": 100})])
def test_analysis_from_the_density_equals_the_analysis_of_the_terms(name, params):
    from hamc.analysis.report import _lattice_analysis, _lattice_symmetry
    h = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    fast = _lattice_analysis(h, *_lattice_symmetry(h))
    assert fast is not None
    expanded = hamc.load(EXAMPLES / f"{name}.ham", params=params)
    assert expanded.energies[0].terms_by_degree()            # reads (expands) the terms
    assert hamc.analyze(expanded, automorphism_max_variables=0) == fast
