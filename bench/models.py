"""The benchmarked models and, per model, each tool's way to build it, read its coefficients and its energies."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import hamc

J, H_FIELD = 1, 0.5                   # the Ising couplings of examples/ising.ham
ISING = (Path(__file__).resolve().parents[1] / "examples" / "ising.ham").read_text()
RING = "param N = 12\nspin s[N] periodic\nH = -sum(i in 0..N-1: s[i] * s[i+1] * s[i+2])\n"
ENERGY_L = 64                         # lattice side of the energies task

# A coefficient table: degree -> (rows of sorted flat variable indices, coefficients), rows sorted.
Table = dict[int, tuple[np.ndarray, np.ndarray]]


@dataclass
class Tool:
    name: str
    prepare: Callable[[int], Callable[[], Any]]     # untimed set-up for one size -> the timed call
    table: Callable[[Any, int], Table] | None = None          # result, size -> its coefficients
    energy: Callable[[Any, int, np.ndarray], np.ndarray] | None = None  # its own evaluator of rows
    needs: str | None = None          # optional package it comes from
    limit: dict = field(default_factory=dict)        # mode -> largest size worth timing (none: all)
    units: Callable[[int], int] | None = None        # units actually measured, if not the case's
    memory: bool = False              # traced peak is meaningful (NumPy allocations only)
    peak_of: Callable[[Any], int] | None = None      # peak bytes reported by the result itself (a child's RSS)
    note: str = ""                    # a footnote for the report

    @property
    def family(self) -> str:
        return self.name.split()[0].split("+")[0]

    def fits(self, n: int, mode: str) -> bool:
        return n <= self.limit.get(mode, self.limit.get("default", n))

    def available(self) -> bool:
        return self.needs is None or importlib.util.find_spec(self.needs) is not None


@dataclass
class Case:
    name: str
    sizes: dict                       # mode -> sizes
    units: Callable[[int], int]       # terms (or configurations) at a size
    unit: str
    n_vars: Callable[[int], int]
    truth_table: Callable[[int], Table] | None
    truth_energy: Callable[[int, np.ndarray], np.ndarray]
    tools: list[Tool]
    size_name: str = "n"              # L, N, ...: how the size is shown
    inputs: Callable[[int], np.ndarray] | None = None   # energies tasks: the batch that is timed


def canonical(parts: dict[int, tuple[Any, Any]]) -> Table:
    """Sort each monomial's indices and the rows, drop zero coefficients."""
    out = {}
    for d, (rows, coef) in parts.items():
        coef = np.asarray(coef, np.float64).reshape(-1)
        rows = np.sort(np.asarray(rows, np.int64).reshape(len(coef), d), axis=1)
        keep = coef != 0
        rows, coef = rows[keep], coef[keep]
        order = np.lexsort(rows.T[::-1]) if d else np.arange(len(coef))
        if len(coef):
            out[d] = (rows[order], coef[order])
    return out


def from_monomials(items) -> Table:
    """(tuple of flat indices, coefficient) pairs -> Table."""
    by_degree: dict[int, tuple[list, list]] = {}
    for key, c in items:
        rows, coefs = by_degree.setdefault(len(key), ([], []))
        rows.append(sorted(key))
        coefs.append(c)
    return canonical(by_degree)


def spins(rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
    return rng.choice(np.array([-1, 1], np.int8), size=(rows, n))


# ---- ground truth, from index arithmetic (independent of every tool) -------------------------
def ising_truth_table(L: int) -> Table:
    idx = np.arange(L * L).reshape(L, L)
    pairs = np.concatenate([np.stack([idx, np.roll(idx, -1, a)], -1).reshape(-1, 2) for a in (0, 1)])
    return canonical({1: (idx.reshape(-1, 1), np.full(L * L, -H_FIELD)), 2: (pairs, np.full(len(pairs), -J))})


def ising_energy(L: int, X: np.ndarray) -> np.ndarray:
    s = X.reshape(len(X), L, L)
    bonds = (s * np.roll(s, 1, axis=1) + s * np.roll(s, 1, axis=2)).sum((1, 2), dtype=np.int64)
    return -J * bonds - H_FIELD * s.sum((1, 2), dtype=np.int64)


def ring_truth_table(N: int) -> Table:
    i = np.arange(N)
    return canonical({3: (np.stack([i, (i + 1) % N, (i + 2) % N], 1), np.full(N, -1.0))})


def ring_energy(N: int, X: np.ndarray) -> np.ndarray:
    return -(X.astype(np.int64) * np.roll(X, -1, 1) * np.roll(X, -2, 1)).sum(1).astype(np.float64)


# ---- hamc -----------------------------------------------------------------------------------
def hamc_table(h, size) -> Table:
    p = h.energies[0]
    return canonical({d: (p.monomials[d], p.coefficients[d].as_float()) for d in p.monomials})


def hamc_tools(text: str, key: str) -> list[Tool]:
    """hamc: the coefficient table; load alone (a periodic lattice sum stays one local polynomial until
    its terms are read); load and analyze."""
    def table(n):
        def run():
            h = hamc.load(text, params={key: n})
            for p in h.energies:
                p.monomials                  # reading them expands a lazy lattice sum: time the whole table
            return h
        return run

    def load(n):
        return lambda: hamc.load(text, params={key: n})

    def load_analyze(n):
        def run():
            h = hamc.load(text, params={key: n})
            hamc.analyze(h)
            return h
        return run

    evaluate = lambda h, n, X: h.evaluate(X)  # noqa: E731
    return [Tool("hamc", table, hamc_table, evaluate, memory=True),
            Tool("hamc load", load, hamc_table, evaluate, memory=True,
                 note="`hamc load` keeps a periodic lattice sum as one local polynomial and expands it "
                      "only when the terms are read: its time need not grow with the size"),
            Tool("hamc+analyze", load_analyze, hamc_table, evaluate, memory=True)]


# ---- dimod ----------------------------------------------------------------------------------
def bqm_table(bqm, size) -> Table:
    n = bqm.num_variables             # labelled 0 .. n-1 by construction
    lin, (row, col, quad), offset = bqm.to_numpy_vectors(variable_order=range(n))
    return canonical({0: (np.empty((1, 0)), [offset]), 1: (np.arange(n), lin), 2: (np.stack([row, col], 1), quad)})


def bqm_energy(bqm, size, X):
    return bqm.energies((X, range(bqm.num_variables)))


def ising_dimod_dict(L):
    import dimod

    def build():   # plain Python loops, as a user without NumPy index arithmetic writes it
        linear = {i * L + j: -H_FIELD for i in range(L) for j in range(L)}
        quadratic = {}
        for i in range(L):
            for j in range(L):
                quadratic[i * L + j, (i + 1) % L * L + j] = -J
                quadratic[i * L + j, i * L + (j + 1) % L] = -J
        return dimod.BQM(linear, quadratic, 0.0, "SPIN")
    return build


def ising_dimod_numpy(L):
    import dimod

    def build():
        idx = np.arange(L * L).reshape(L, L)
        row = np.concatenate([idx.ravel(), idx.ravel()])
        col = np.concatenate([np.roll(idx, -1, 0).ravel(), np.roll(idx, -1, 1).ravel()])
        return dimod.BQM.from_numpy_vectors(np.full(L * L, -H_FIELD), (row, col, np.full(2 * L * L, -J)), 0.0, "SPIN")
    return build


def ring_dimod_poly(N):
    import dimod
    return lambda: dimod.BinaryPolynomial({(i, (i + 1) % N, (i + 2) % N): -1.0 for i in range(N)}, "SPIN")


# ---- PyQUBO ---------------------------------------------------------------------------------
def ising_pyqubo_expr(L):
    from pyqubo import Array
    s = Array.create("s", shape=(L, L), vartype="SPIN")
    return -J * sum(s[i, j] * s[(i + 1) % L, j] + s[i, j] * s[i, (j + 1) % L] for i in range(L) for j in range(L)) \
        - H_FIELD * sum(s[i, j] for i in range(L) for j in range(L))


def ising_pyqubo(L):
    return lambda: ising_pyqubo_expr(L).compile().to_ising()


def pyqubo_ising_table(result, L) -> Table:
    linear, quadratic, offset = result
    flat = {f"s[{i}][{j}]": i * L + j for i in range(L) for j in range(L)}
    return from_monomials([((), offset)] + [((flat[k],), c) for k, c in linear.items()]
                          + [((flat[a], flat[b]), c) for (a, b), c in quadratic.items()])


def pyqubo_ising_energy(model, L, X):
    return np.array([model.energy({f"s[{k // L}][{k % L}]": int(v) for k, v in enumerate(x)}, "SPIN") for x in X])


def ring_pyqubo(N):
    from pyqubo import Array
    s = Array.create("s", shape=N, vartype="SPIN")
    return lambda: (-sum(s[i] * s[(i + 1) % N] * s[(i + 2) % N] for i in range(N))).compile()


def pyqubo_ring_energy(model, N, X):
    """PyQUBO reduces degree 3 to 2 with auxiliary bits named 'a * b'; at a = b * c the penalty vanishes."""
    out = []
    for x in X:
        bits = {f"s[{i}]": (int(v) + 1) // 2 for i, v in enumerate(x)}
        bits.update({v: bits[v.split(" * ")[0]] * bits[v.split(" * ")[1]] for v in model.variables if " * " in v})
        out.append(model.energy(bits, "BINARY"))
    return np.array(out)


# ---- sympy and symengine: expand the symbolic sum, read coefficients back --------------------
def symbolic(lib: str, terms: Callable, count: Callable[[int], int]):
    def prepare(n):
        mod = importlib.import_module(lib)
        return lambda: mod.expand(-mod.Add(*terms(mod, [mod.Symbol(f"s{k}") for k in range(count(n))])))
    return prepare


def ising_sym_terms(mod, s):
    L = int(round(len(s) ** 0.5))
    h = mod.Rational(1, 2)            # H_FIELD, exact
    return [J * s[i * L + j] * s[(i + 1) % L * L + j] + J * s[i * L + j] * s[i * L + (j + 1) % L]
            + h * s[i * L + j] for i in range(L) for j in range(L)]


def ring_sym_terms(mod, s):
    N = len(s)
    return [s[i] * s[(i + 1) % N] * s[(i + 2) % N] for i in range(N)]


def symbolic_table(expr, n) -> Table:
    return from_monomials((tuple(int(str(v)[1:]) for v in key.free_symbols), float(c))
                          for key, c in expr.as_coefficients_dict().items())


def symbolic_tools(terms, count, limits) -> list[Tool]:
    return [Tool(lib, symbolic(lib, terms, count), symbolic_table, needs=lib, limit=limits[lib])
            for lib in ("sympy", "symengine")]


# ---- energies of a batch of configurations --------------------------------------------------
def batch(n: int) -> np.ndarray:
    return spins(np.random.default_rng(64), n, ENERGY_L * ENERGY_L)


def energies_numpy(n):
    X = batch(n)
    return lambda: ising_energy(ENERGY_L, X)


def energies_hamc(n, expanded=False):
    h, X = hamc.load(ISING, params={"L": ENERGY_L}), batch(n)
    if expanded:                      # the general path, over the terms, as for a Hamiltonian without a lattice
        h.energies[0].monomials
    return lambda: h.evaluate(X)


def energies_network(n):
    """The compiled network itself: shared (convolutional) layout, exact step neurons."""
    net, X = hamc.compile(ISING, params={"L": ENERGY_L}).network, batch(n)
    return lambda: net(X)


def energies_dimod(n):
    bqm, X = ising_dimod_numpy(ENERGY_L)(), batch(n)
    return lambda: bqm.energies((X, range(ENERGY_L * ENERGY_L)))


PYQUBO_CONFIGS = 5                    # ~10 configurations/s: a few tell the rate


def energies_pyqubo(n):
    model, X = ising_pyqubo_expr(ENERGY_L).compile(), batch(n)[:PYQUBO_CONFIGS]
    return lambda: pyqubo_ising_energy(model, ENERGY_L, X)


ISING_PATH = Path(__file__).resolve().parents[1] / "examples" / "ising.ham"
# the child reports its own peak resident memory: VmHWM (Linux), as ru_maxrss may carry the parent's
_RUN_CLI = ("import re, resource, sys; from hamc.cli import main; code = main(sys.argv[1:]); "
            "status = open('/proc/self/status').read() if sys.platform == 'linux' else ''; "
            "m = re.search(r'VmHWM:\\s+(\\d+)', status); "
            "print(m.group(1) if m else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
            "sys.exit(code)")


def compile_cli(layout: str):
    """`hamc compile examples/ising.ham --param L=n` as a user runs it: a new process, the whole run
    (start-up, lowering, building, verifying, writing the .npz). The result is (.npz path, peak RSS)."""
    def prepare(L):
        out = Path(tempfile.mkdtemp(prefix="hamc-bench-"))

        def run():
            done = subprocess.run([sys.executable, "-c", _RUN_CLI, "compile", str(ISING_PATH), "-p", f"L={L}",
                                   "--layout", layout, "-o", str(out), "--quiet"], capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(done.stderr.strip().splitlines()[-1])
            return out / "ising.npz", int(done.stderr.split()[-1]) * 1024
        return run
    return prepare


def compiled_energy(result, L, X):
    return hamc.load_network(result[0])(X)


# ---- the cases: add rows here ----------------------------------------------------------------
# Sizes and tool limits are per mode (quick, default, full); a mode not listed uses "default".
CASES = [
    Case("Ising 2D build", sizes={"quick": (32, 100, 200), "default": (32, 100, 200, 1000)},
         units=lambda L: 3 * L * L, unit="terms", n_vars=lambda L: L * L, size_name="L",
         truth_table=ising_truth_table, truth_energy=ising_energy,
         tools=hamc_tools(ISING, "L") + [
             Tool("dimod dict", ising_dimod_dict, bqm_table, bqm_energy, "dimod", {"quick": 200}),
             Tool("dimod numpy", ising_dimod_numpy, bqm_table, bqm_energy, "dimod"),
             # PyQUBO ran out of 24 GB at L = 200; to_ising's dicts give its table, not its energies
             Tool("pyqubo", ising_pyqubo, pyqubo_ising_table, None, "pyqubo", {"quick": 32, "default": 100}),
         ] + symbolic_tools(ising_sym_terms, lambda L: L * L, {
             "sympy": {"quick": 32, "default": 100, "full": 200},          # 5-10 s at L = 100
             "symengine": {"quick": 100, "default": 200, "full": 1000}})),
    Case("3-body ring build", sizes={"quick": (10**3, 10**4, 10**5), "default": (10**3, 10**4, 10**5, 10**6)},
         units=lambda N: N, unit="terms", n_vars=lambda N: N, size_name="N",
         truth_table=ring_truth_table, truth_energy=ring_energy,
         tools=hamc_tools(RING, "N") + [
             Tool("dimod poly", ring_dimod_poly, lambda p, n: from_monomials(p.items()),
                  lambda p, n, X: p.energies((X, range(n))), "dimod", {"quick": 10**4}),
             # PyQUBO's reduction to degree 2 grows quadratically: 1 s at 3,000, 34 s at 10^4
             Tool("pyqubo", ring_pyqubo, None, pyqubo_ring_energy, "pyqubo", {"default": 10**3, "full": 10**4}),
         ] + symbolic_tools(ring_sym_terms, lambda N: N, {
             "sympy": {"quick": 10**3, "default": 10**4},
             "symengine": {"quick": 10**4, "default": 10**5, "full": 10**6}})),
    Case(f"Ising {ENERGY_L}x{ENERGY_L} energies", sizes={"quick": (1000,), "default": (10000,)},
         units=lambda n: n, unit="configs", n_vars=lambda n: ENERGY_L ** 2, size_name="batch",
         truth_table=None, truth_energy=lambda n, X: ising_energy(ENERGY_L, X), inputs=batch,
         tools=[Tool("numpy", energies_numpy, memory=True), Tool("hamc", energies_hamc, memory=True),
                Tool("hamc network", energies_network, memory=True,
                     note="`hamc network` is the compiled network (shared layout, step neurons) evaluating the batch"),
                Tool("hamc expanded", lambda n: energies_hamc(n, expanded=True), memory=True,
                     note="`hamc expanded` evaluates term by term, the path of a Hamiltonian without a lattice sum"),
                Tool("dimod", energies_dimod, needs="dimod"),
                Tool("pyqubo", energies_pyqubo, needs="pyqubo", units=lambda n: min(n, PYQUBO_CONFIGS),
                     note=f"PyQUBO evaluates {PYQUBO_CONFIGS} configurations of the batch, one dict each")]),
    Case("Ising 2D compile", sizes={"quick": (16, 100), "default": (16, 100, 1000)},
         units=lambda L: L * L, unit="spins", n_vars=lambda L: L * L, size_name="L",
         truth_table=None, truth_energy=lambda L, X: ising_energy(L, X),
         tools=[Tool("hamc shared", compile_cli("shared"), energy=compiled_energy, peak_of=lambda r: r[1],
                     note="`hamc shared`/`hamc unrolled`: the whole `hamc compile` run in a new process "
                          "(start-up to written .npz); agreement: the written network's energies"),
                Tool("hamc unrolled", compile_cli("unrolled"), energy=compiled_energy, peak_of=lambda r: r[1])]),
]
