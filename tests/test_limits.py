"""Every size is bounded before it is allocated: variable counts, memory estimates, expansion work,
analysis pairs, the symmetry search. Memory cases run in a subprocess under an address-space limit,
so that a regression fails the test instead of taking the machine down."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import hamc
from hamc.analysis.report import term_table
from hamc.analysis.automorphisms import automorphism_group

from conftest import EXAMPLES, REPO, error

_DRIVER = """
import contextlib, io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from hamc.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    results.append([code, err.getvalue()])
print(json.dumps(results))
"""


def run_limited(*argvs: list[str], gib: float = 2.0) -> list[tuple[int, str]]:
    """Run `hamc` command lines in one subprocess limited to `gib` GiB of address space:
    [(exit code, stderr)]. A traceback (MemoryError...) fails the test with its text."""
    driver = _DRIVER.format(limit=int(gib * 2**30))
    proc = subprocess.run([sys.executable, "-c", driver, json.dumps(list(argvs))], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [tuple(r) for r in json.loads(proc.stdout)]


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# variable and lattice sizes -----------------------------------------------------------------
def test_huge_variable_and_lattice_sizes_are_refused_at_their_declaration(tmp_path):
    files = [write(tmp_path, "a.ham", "param L = 10^12\nspin s[L]\nH = s[0]*s[1]\n"),
             write(tmp_path, "b.ham", "param L = 2^32\nreal x[L, L]\nH = x[0,0]*x[0,1]\n"),
             write(tmp_path, "c.ham", "real y[10]\nbit b[999999995]\nH = y[0]*b[0]\n")]
    results = run_limited(*[["analyze", f] for f in files],
                          ["analyze", str(EXAMPLES / "ising.ham"), "--param", "L=10^6"])
    assert [code for code, _ in results] == [2, 2, 2, 2]
    assert "a.ham:2:6: error: 's' has 1,000,000,000,000 variables (limit 1,000,000,000 variables)" in results[0][1]
    # L * L in Python ints: 2^64, not 0 after an int64 wrap-around
    assert "'x' has 18,446,744,073,709,551,616 variables" in results[1][1]
    assert "c.ham:2:5: error: 'b' has 999,999,995 variables, 1,000,000,005 in all" in results[2][1]
    assert "ising.ham:8:1: error: lattice 'G' has 1,000,000,000,000 sites" in results[3][1]
    assert all("Traceback" not in err for _, err in results)


# memory estimates come first ----------------------------------------------------------------
def test_lattices_of_1e8_sites_are_refused_by_the_estimate_before_allocating(tmp_path):
    ising = str(EXAMPLES / "ising.ham")
    out = str(tmp_path / "out")
    (unrolled, shared) = run_limited(
        ["compile", ising, "--param", "L=10000", "--layout", "unrolled", "-o", out, "--quiet"],
        ["compile", ising, "--param", "L=10000", "--max-memory", "1", "-o", out, "--quiet"], gib=3)
    assert unrolled[0] == 2 and "needs about 280.0 GB to build (limit 2.4 GB, --max-memory)" in unrolled[1]
    # 10^8 sites x 8 bytes x (2 + 2 x 3 patch features + 2 x 3 neurons): 11.2 GB
    assert shared[0] == 2 and "its 100,000,000 sites needs about 11.2 GB (limit 1.0 GB" in shared[1]
    assert not (tmp_path / "out" / "ising.npz").exists()


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_max_memory_must_be_positive_and_finite(value, capsys):
    from hamc.cli import main
    with pytest.raises(SystemExit) as info:
        main(["compile", str(EXAMPLES / "ising.ham"), f"--max-memory={value}"])
    assert info.value.code == 2
    assert f"expected a positive number of GB, got '{value}'" in capsys.readouterr().err


def test_api_refuses_a_memory_limit_that_switches_the_guard_off():
    for bad in (float("nan"), float("inf"), -1.0, 0):
        with pytest.raises(hamc.HamcError, match="--max-memory. must be a positive finite number"):
            hamc.compile("real x\nH = x", options=hamc.BuildOptions(max_memory=bad))


def test_flat_degree_22_is_refused_by_its_memory_estimate(tmp_path):
    # 2^22 neurons is within the neuron cap; 2^22 x 23 synapses x 100 bytes is not within 2 GiB
    ham = write(tmp_path, "flat.ham", "real x[22]\nH = prod(i in 0..21: x[i])\n")
    ((code, err),) = run_limited(["compile", ham, "--strategy", "flat", "-o", str(tmp_path), "--quiet"])
    assert code == 2 and "needs about 9.6 GB to build (limit 1.6 GB, --max-memory)" in err


def test_a_bit_monomial_of_degree_1100_compiles_and_a_spin_one_is_refused(tmp_path):
    bits = write(tmp_path, "bits.ham", "bit b[1100]\nH = 3 * prod(i in 0..1099: b[i])\n")
    spins = write(tmp_path, "spins.ham", "spin s[1100]\nH = prod(i in 0..1099: s[i])\n")
    (ok, refused) = run_limited(["verify", bits, "--samples", "50", "--quiet"], ["verify", spins, "--quiet"])
    assert ok[0] == 0
    assert refused[0] == 2 and "needs about 10^327 GB to build" in refused[1]   # 2^1100 x 1101 x 100 bytes
    c = hamc.compile(bits, samples=20)
    x = np.ones((2, 1100), np.int8)
    x[1, 7] = 0
    assert c.network(x).ravel().tolist() == [3.0, 0.0]
    assert c.network.hidden_neurons == 1


# work that no count covered -----------------------------------------------------------------
@pytest.mark.parametrize("expr, terms", [("(x + y)^1000", "1,001"), ("(x + y)^100000", "100,001"),
                                         ("(x + y + z)^1000", "501,501")])
def test_powers_of_sums_are_refused_by_the_work_they_take(expr, terms):
    err = error(f"real x\nreal y\nreal z\nH = {expr}")
    assert (err.line, err.col) == (4, 5)
    assert err.message == (f"expanding this power writes more than 20,000,000 variable indices (the limit) on "
                           f"the way to its {terms} terms; raise the limit with --max-terms (API: max_terms=)")


def test_a_power_of_a_sum_within_the_work_limit_is_exact():
    h = hamc.load("real x\nreal y\nH = (x + y)^60")
    x = np.array([[0.5, 0.25], [0.75, 0.5]])          # positive: no cancellation in float64
    assert h.energies[0].n_terms == 61
    assert h.evaluate(x) == pytest.approx((x.sum(axis=1)) ** 60, rel=1e-12)


def test_analyze_x_to_the_million_does_not_loop_over_the_degree():
    a = hamc.analyze(hamc.load("real x\nreal y\nH = x^1000000 + x * y^3"))
    assert a.degree == 1_000_000
    assert (a.max_neighbors, a.interaction_edges) == (1, 1)
    assert a.parameters.generic == math.comb(1_000_002, 2)


def test_analyze_counts_the_pairs_of_a_product_before_collecting_them():
    h = hamc.load("real x[2000]\nH = prod(i in 0..1999: x[i])")
    with pytest.raises(hamc.HamcError, match="up to 1,999,000 pairs of interacting variables to collect "
                                             r"\(limit 1,000,000\); raise the limit with --max-terms"):
        hamc.analyze(h, max_terms=1_000_000)
    a = hamc.analyze(hamc.load("real x[300]\nH = prod(i in 0..299: x[i]) + x[0]^2*x[1]"))
    assert (a.max_neighbors, a.interaction_edges) == (299, 300 * 299 // 2)
    assert "about 1.351e179 possible -> 2 nonzero" in a.summary()       # C(600, 300) = 1.3510...e179


# the automorphism search --------------------------------------------------------------------
@pytest.mark.parametrize("n", [16, 24, 40, 64])
def test_curie_weiss_symmetric_group_without_a_search(n):
    a = hamc.analyze(hamc.load(EXAMPLES / "curie_weiss.ham", params={"N": n}))
    assert a.symmetry_group_order == math.factorial(n) and a.symmetry_exact
    assert a.parameters.independent == 2          # the constant and the s_i s_j orbit


def test_a_class_that_is_not_symmetric_is_still_searched():
    # all-to-all plus a field on spin 0: S_{N-1} on the others; a ring: the dihedral group
    a = hamc.analyze(hamc.load("spin s[12]\nH = sum(i in 0..11, j in i+1..11: s[i]*s[j]) + s[0]"))
    assert a.symmetry_group_order == math.factorial(11)
    b = hamc.analyze(hamc.load("spin s[10] periodic\nH = sum(i in 0..9: s[i]*s[i+1])"))
    assert b.symmetry_group_order == 20 and b.symmetry_exact


def test_the_search_reports_a_lower_bound_past_its_budget():
    h = hamc.load(EXAMPLES / "ising.ham", params={"L": 4})
    full = automorphism_group(term_table(h))
    cut = automorphism_group(term_table(h), budget=10)        # search nodes: the full search takes ~30
    assert (full.order, full.exact) == (384, True)
    assert not cut.exact and 1 <= cut.order < 384 and 384 % cut.order == 0


def test_verification_batches_are_bounded_by_the_widest_layer():
    """sum(i in 0..39: x[i])^4 compiles to a layer of 493,600 neurons: 2,000 rows of it at once
    were 7.4 GiB. A stand-in network of that width records the rows it is given."""
    from types import SimpleNamespace
    from hamc.verification import BATCH_ELEMENTS, verify
    h = hamc.load("real x[12]\nH = sum(i in 0..11: x[i])^4")

    class WideNetwork:
        layers, shared, seen = [SimpleNamespace(n_out=493_600)], None, []

        def __call__(self, x):
            self.seen.append(len(x))
            return h.evaluate(x)
    network = WideNetwork()
    result = verify(network, h, samples=2000)
    assert result.max_abs_error == 0.0 and result.samples == 2000 and sum(network.seen) == 2000
    assert max(network.seen) == BATCH_ELEMENTS // 493_600 == 33
