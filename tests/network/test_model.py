"""The Network API, its counts, and the .npz file: README forward pass, round trip, byte-identical output."""
from __future__ import annotations

import dataclasses
import itertools
import json
import re
from functools import lru_cache

import numpy as np
import pytest
import scipy.sparse as sp

import hamc
from hamc.build.options import BuildOptions

from conftest import EXAMPLES, REPO

CASES = {
    # name: (example, params, options)
    "product32": ("product32", {}, BuildOptions()),
    # 31 chained float32 gates reach a few 1e-2 at the box's corners: tolerance to match
    "product32_f32": ("product32", {}, BuildOptions(dtype="float32", tol=5e-2)),
    "ising_unrolled": ("ising", {"L": 4}, BuildOptions(layout="unrolled")),
    "ising_sigmoid": ("ising", {"L": 4}, BuildOptions(activation="sigmoid", layout="unrolled")),
    "ising_sparse": ("ising", {"L": 32}, BuildOptions(layout="unrolled")),
    "cat_dog": ("cat_dog", {}, BuildOptions()),
    "cat_dog_tree": ("cat_dog", {}, BuildOptions(strategy="tree")),
    "phi4_tree": ("phi4", {"L": 4}, BuildOptions(layout="unrolled")),
    "flat": ("microphone", {"n": 6}, BuildOptions(strategy="flat", tol=1e-4)),
    "ising_shared": ("ising", {"L": 4}, BuildOptions()),
    "phi4_shared": ("phi4", {"L": 4}, BuildOptions(layout="shared")),
    "three_body_shared": ("three_body", {}, BuildOptions(layout="shared", activation="sigmoid")),
}


@lru_cache(maxsize=None)
def compiled(case: str) -> hamc.Compiled:
    name, params, options = CASES[case]
    return hamc.compile(EXAMPLES / f"{name}.ham", params=params, options=options, samples=300)


def inputs_for(c: hamc.Compiled, rows: int = 64) -> np.ndarray:
    h = c.hamiltonian
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (rows, h.n_variables))
    coin = rng.integers(0, 2, (rows, h.n_variables)).astype(float)
    return np.where(h.domains == 1, coin, np.where(h.domains == 2, 2 * coin - 1, x))


def readme_forward():
    """The ```python block under the README's "The `.npz` weights file" heading, executed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    heading = re.search(r"^#+ The `\.npz` weights file\s*$", text, re.M)
    assert heading, "README has no '.npz weights file' section"
    section = text[heading.end():]
    following = re.search(r"^#{1,2} ", section, re.M)          # the section ends at the next heading
    section = section[:following.start()] if following else section
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "no ```python block in the '.npz weights file' section"
    namespace = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    return namespace["forward"]


# the Network API --------------------------------------------------------------------------------------
def test_call_shapes_and_input_checks():
    net = compiled("product32").network
    x = inputs_for(compiled("product32"), 5)
    assert net(x).shape == (5,)
    assert net(x[0]).shape == (1,) and net(x[0])[0] == net(x[:1])[0]
    assert net(x.tolist()).tolist() == net(x).tolist()
    with pytest.raises(ValueError, match="expected 32 inputs per row, got 31"):
        net(x[:, :31])
    classifier = compiled("cat_dog").network
    assert classifier(np.zeros((3, 4))).shape == (3, 2)


def test_input_and_output_names():
    assert list(compiled("product32").network.inputs) == [f"x[{i}]" for i in range(1, 33)]
    assert compiled("product32").network.outputs == ("H",)
    assert list(compiled("ising_unrolled").network.inputs)[:5] == ["s[0,0]", "s[0,1]", "s[0,2]", "s[0,3]", "s[1,0]"]
    assert compiled("cat_dog").network.outputs == ("cat", "dog")


@pytest.mark.parametrize("case", sorted(CASES))
def test_counts_agree_with_the_layers(case):
    net = compiled(case).network
    # a shared (convolutional) layout runs its layers once per lattice site: neurons and synapses
    # count every site, parameters count each shared weight once
    sites = 16 if case in ("ising_shared", "phi4_shared") else 12 if case == "three_body_shared" else 1
    assert net.sites == sites and (net.meta["layout"] == "shared") == (sites > 1)
    assert net.depth == len(net.layers) - 1
    assert net.hidden_neurons == sites * sum(layer.weight.shape[1] for layer in net.layers[:-1])
    assert sum(net.neurons_by_role().values()) == net.hidden_neurons
    dense = [layer.weight.toarray() if sp.issparse(layer.weight) else layer.weight for layer in net.layers]
    nnz = sum(int(np.count_nonzero(w)) for w in dense)
    assert net.synapses == sites * nnz
    pool = int(np.count_nonzero(net.shared.pool_bias)) if net.shared is not None else 0
    assert net.parameters == nnz + sum(int(np.count_nonzero(layer.bias)) for layer in net.layers) + pool
    for layer, w in zip(net.layers, dense):
        assert layer.synapses == np.count_nonzero(w)
        assert sum(b.neurons for b in layer.gates) in (0, layer.n_out)
    # consecutive layers fit together
    assert all(a.n_out == b.n_in for a, b in zip(net.layers, net.layers[1:]))
    assert net.layers[-1].n_out == len(net.outputs)
    assert net.layers[0].n_in == (len(net.shared.offsets) if net.shared is not None else len(net.inputs))


def test_to_json_keys_and_values():
    c = compiled("product32")
    j = c.to_json()
    for key in ("hidden_neurons", "synapses", "parameters", "depth", "flat_hidden_neurons", "max_abs_error",
                "max_rel_error"):
        assert key in j, key
    net = c.network
    assert (j["hidden_neurons"], j["synapses"], j["parameters"], j["depth"]) == \
        (net.hidden_neurons, net.synapses, net.parameters, net.depth) == (124, 612, 736, 5)
    assert j["flat_hidden_neurons"] == 2 ** 32
    assert (j["max_abs_error"], j["max_rel_error"]) == (c.verification.max_abs_error, c.verification.max_rel_error)
    json.dumps(j)                                                   # plain JSON types only


# the .npz file -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_npz_is_plain_numpy_and_matches_the_counts(case, tmp_path):
    net = compiled(case).network
    path = hamc.save_network(net, tmp_path / "net.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]          # no temporary file left
    with np.load(path, allow_pickle=False) as f:
        assert str(f["format"]) == "hamc-network-1"
        n = int(f["n_layers"])
        assert n == len(net.layers)
        shared = "lattice/shape" in f
        assert shared == (net.shared is not None)
        if shared:                      # inputs are the lattice sites, in C order
            assert tuple(f["lattice/shape"].tolist()) == net.shared.shape
            assert np.array_equal(f["lattice/offsets"], net.shared.offsets)
            sites, pool = int(np.prod(f["lattice/shape"])), int(np.count_nonzero(f["pool/bias"]))
        else:
            assert f["inputs"].tolist() == list(net.inputs)
            sites, pool = 1, 0
        assert f["outputs"].tolist() == list(net.outputs)
        assert json.loads(str(f["meta"]))["strategy"] == net.meta["strategy"]
        nnz = sum(len(f[f"layer{k}/values"]) for k in range(n))
        assert sites * nnz == net.synapses
        assert all(np.count_nonzero(f[f"layer{k}/values"]) == len(f[f"layer{k}/values"]) for k in range(n))
        biases = sum(int(np.count_nonzero(f[f"layer{k}/bias"])) for k in range(n))
        assert nnz + biases + pool == net.parameters
        assert sites * sum(int(f[f"layer{k}/shape"][1]) for k in range(n - 1)) == net.hidden_neurons
        for k, layer in enumerate(net.layers):
            assert str(f[f"layer{k}/activation"]) == layer.activation
            rows, cols = f[f"layer{k}/rows"], f[f"layer{k}/cols"]
            assert np.all(np.lexsort((cols, rows)) == np.arange(len(rows)))          # sorted triplets
            gates_table = f[f"layer{k}/gates"].tolist()
            assert [(kind, int(count), int(size)) for kind, count, size in gates_table] == \
                [(b.kind, b.count, b.size) for b in layer.gates]
            dtype = np.dtype(net.meta["dtype"])
            assert f[f"layer{k}/values"].dtype == dtype and f[f"layer{k}/bias"].dtype == dtype


@pytest.mark.parametrize("case", sorted(CASES))
def test_readme_forward_pass_gives_the_network_outputs(case, tmp_path):
    forward = readme_forward()
    c = compiled(case)
    path = hamc.save_network(c.network, tmp_path / "net.npz")
    x = inputs_for(c)
    ours = np.asarray(c.network(x), np.float64)
    theirs = np.asarray(forward(path, x), np.float64)
    # the same shape: (batch,) for one energy, as h.evaluate(x); (batch, classes) for a classifier
    assert theirs.shape == ours.shape == ((len(x),) if len(c.network.outputs) == 1 else (len(x), len(c.network.outputs)))
    # relative to S, the bound on |H| (1 for probabilities). Threshold (bits) networks have no gain:
    # 1e-9. A product or flat gate divides by s2 lambda^2 ~ 4e-8, so one ulp of difference in how a
    # sigmoid is evaluated (README: the tanh form; hamc: scipy's expit) moves H by ~1e-8 S: 1e-7
    # there, still 10x below the default tolerance; float32 networks: their own rounding, 1e-3.
    S = c.verification.scale
    if c.network.meta["dtype"] == "float32":
        tol = 1e-3
    else:
        tol = 1e-9 if c.network.meta["strategy"] == "bits" else 1e-7
    assert np.max(np.abs(theirs - ours)) <= tol * S


def test_readme_forward_pass_of_the_default_ising_compile(tmp_path):
    # `hamc compile examples/ising.ham` is the README's main job; its .npz must be usable as documented
    c = hamc.compile(EXAMPLES / "ising.ham", params={"L": 4})
    path = hamc.save_network(c.network, tmp_path / "ising.npz")
    x = np.array(list(itertools.product((-1.0, 1.0), repeat=16)))[::97]
    energies = readme_forward()(path, x)
    assert energies.shape == (len(x),)
    assert np.allclose(energies, c.hamiltonian.evaluate(x), rtol=1e-12, atol=1e-12)
    assert np.allclose(hamc.load_network(path)(x), c.hamiltonian.evaluate(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_load_network_round_trip(case, tmp_path):
    net = compiled(case).network
    path = hamc.save_network(net, tmp_path / "a.npz")
    back = hamc.load_network(path)
    x = inputs_for(compiled(case))
    assert np.array_equal(back(x), net(x))
    assert (back.inputs, back.outputs, back.meta) == (net.inputs, net.outputs, net.meta)
    assert [layer.gates for layer in back.layers] == [layer.gates for layer in net.layers]
    assert [layer.activation for layer in back.layers] == [layer.activation for layer in net.layers]
    assert [sp.issparse(layer.weight) for layer in back.layers] == [sp.issparse(layer.weight) for layer in net.layers]
    assert (back.hidden_neurons, back.synapses, back.parameters, back.depth) == \
        (net.hidden_neurons, net.synapses, net.parameters, net.depth)
    again = hamc.save_network(back, tmp_path / "b.npz")
    assert again.read_bytes() == path.read_bytes()


def test_gate_labels_survive_the_round_trip(tmp_path):
    net = compiled("cat_dog_tree").network
    labels = [b.labels for b in net.layers[0].gates]
    assert labels[0] == ("x[0]*x[1]", "x[1]*x[2]", "x[2]*x[3]")         # the three product gates of layer 1
    back = hamc.load_network(hamc.save_network(net, tmp_path / "c.npz"))
    assert [b.labels for b in back.layers[0].gates] == labels


def test_sparse_layers_stay_sparse():
    net = compiled("ising_sparse").network
    # 1024 spins x 3072 bit neurons = 3.1M entries, 5120 of them nonzero: stored as CSR
    assert sp.issparse(net.layers[0].weight) and net.layers[0].weight.shape == (1024, 3 * 1024)
    assert net.layers[0].synapses == 2 * 2048 + 1024


def test_float32_networks_store_float32(tmp_path):
    net = compiled("product32_f32").network
    with np.load(hamc.save_network(net, tmp_path / "f.npz"), allow_pickle=False) as f:
        for k in range(int(f["n_layers"])):
            assert f[f"layer{k}/values"].dtype == np.float32 and f[f"layer{k}/bias"].dtype == np.float32
    assert hamc.load_network(tmp_path / "f.npz").dtype == np.float32


@pytest.mark.parametrize("case", ["product32", "ising_unrolled", "cat_dog", "phi4_tree", "flat"])
def test_identical_compiles_give_identical_bytes(case, tmp_path):
    name, params, options = CASES[case]
    first = hamc.compile(EXAMPLES / f"{name}.ham", params=params, options=options, samples=100)
    second = hamc.compile(EXAMPLES / f"{name}.ham", params=params, options=options, samples=100, seed=7)
    a = hamc.save_network(first.network, tmp_path / "a.npz").read_bytes()
    b = hamc.save_network(second.network, tmp_path / "b.npz").read_bytes()
    assert a == b
    # and the bytes say something: another dtype gives another file
    other = hamc.compile(EXAMPLES / f"{name}.ham", params=params,
                         options=dataclasses.replace(options, dtype="float32", tol=1.0),
                         samples=100)
    assert hamc.save_network(other.network, tmp_path / "c.npz").read_bytes() != a
