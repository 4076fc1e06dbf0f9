"""hamc's performance targets in one run: each target, what this checkout measures, met or not.

Run from anywhere:  python bench/targets.py [--repeat 5] [--before REV] [--markdown PATH]. About 2
minutes on 2 idle cores (twice that with --before, which measures the same on a temporary `git
worktree` of REV, removed afterwards). Start-up and analysis are whole commands in new processes;
the rates run in child processes with single-threaded BLAS, so that every tool (NumPy's roll, dimod,
hamc) works on one core; ratios are taken within one child, tools interleaved. The Edwards-Anderson
compile and the dask rows reuse bench/disorder.py.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import interleaved, publish, revision

HERE = Path(__file__).resolve().parent
COMMAND = "import sys; from hamc.entry import main; sys.exit(main())"    # hamc of the working directory
TIMEOUT = 120             # seconds for one command; beyond it the row says so


# ---- whole commands ----------------------------------------------------------------------------
def wall(repo: Path, argv: list[str], repeat: int) -> float:
    """Median wall seconds of `hamc ARGV` in new processes run in `repo` (inf when it fails or times out)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", COMMAND, *argv], cwd=repo, capture_output=True,
                                  timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return float("inf")
        if done.returncode:
            return float("inf")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def commands(repo: Path, repeat: int) -> dict:
    examples = sorted((repo / "examples").glob("*.ham"))
    print("  start-up and analysis ...", file=sys.stderr, flush=True)
    every = {p.stem: wall(repo, ["analyze", str(p)], 1) for p in examples}
    slowest = max(every, key=every.get) if every else "-"
    cw = str(repo / "examples" / "curie_weiss.ham")
    ising = str(repo / "examples" / "ising.ham")
    return {"help": wall(repo, ["--help"], repeat), "analyze_ising": wall(repo, ["analyze", ising], repeat),
            "analyze_every": every.get(slowest, float("inf")), "analyze_slowest": slowest,
            "analyze_cw40": wall(repo, ["analyze", cw, "-p", "N=40"], 1),
            "analyze_cw1000": wall(repo, ["analyze", cw, "-p", "N=1000"], 1)}


# ---- rates, in a child process (python bench/targets.py --measure GROUP --repo PATH) -------------
def child(group: str, repo: Path, repeat: int) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    print(f"  {group} ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([sys.executable, __file__, "--measure", group, "--repo", str(repo),
                               "--repeat", str(repeat)], capture_output=True, text=True, env=env, timeout=600)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:100]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_exact(repeat: int) -> dict:
    """Hamiltonian.evaluate against dimod and NumPy's roll on Ising 64x64 (10^4 configurations), and
    against dimod on polynomials without a lattice: SK spin glass, max-cut, a random degree-3 one."""
    import numpy as np
    import hamc
    from models import ENERGY_L, ISING, batch, ising_dimod_numpy, ising_energy
    h, X, bqm = hamc.load(ISING, params={"L": ENERGY_L}), batch(10_000), ising_dimod_numpy(ENERGY_L)()
    t = interleaved({"roll": lambda: ising_energy(ENERGY_L, X), "hamc": lambda: h.evaluate(X),
                     "dimod": lambda: bqm.energies((X, range(ENERGY_L ** 2)))}, repeat)
    out = {"eval_dimod": [d / e for d, e in zip(t["dimod"], t["hamc"])],
           "eval_roll": [r / e for r, e in zip(t["roll"], t["hamc"])], "polynomials": {}}
    rng = np.random.default_rng(3)
    rows = np.sort(np.stack([rng.choice(200, 3, replace=False) for _ in range(3000)]), axis=1)
    cubic = "spin s[200]\nH = " + " + ".join(f"{c:.4f} * s[{a}] * s[{b}] * s[{d}]" for c, (a, b, d) in
                                             zip(rng.normal(size=len(rows)), rows)) + "\n"
    examples = HERE.parent / "examples"
    for name, h in (("spin_glass.ham", hamc.load(examples / "spin_glass.ham")),
                    ("maxcut.ham", hamc.load(examples / "maxcut.ham")), ("random degree 3", hamc.load(cubic))):
        model = h.to_bqm() if h.degree <= 2 else h.to_binary_polynomial()
        labels = list(h.variable_labels())
        values = [-1, 1] if model.vartype.name == "SPIN" else [0, 1]
        Y = rng.choice(np.array(values, np.int8), size=(10_000 if h.n_variables < 100 else 2_000, h.n_variables))
        if not np.allclose(model.energies((Y, labels)), h.evaluate(Y)):
            raise AssertionError(f"{name}: hamc and dimod disagree")
        t = interleaved({"hamc": lambda: h.evaluate(Y), "dimod": lambda: model.energies((Y, labels))}, repeat)
        out["polynomials"][name] = statistics.median(d / e for d, e in zip(t["dimod"], t["hamc"]))
    return out


def measure_network(repeat: int) -> dict:
    """The compiled shared network against NumPy's roll (int8 spins): Ising 64x64, 10^4 configurations,
    and 256x256, 10^3; `repeat` ratios, each from medians of 3 interleaved calls."""
    import numpy as np
    import hamc
    from models import ISING, ising_energy, spins
    out = {}
    for L, rows in ((64, 10_000), (256, 1_000)):
        net = hamc.compile(ISING, params={"L": L}, check=False).network
        X = spins(np.random.default_rng(L), rows, L * L)
        if not np.array_equal(net(X), ising_energy(L, X)):
            raise AssertionError(f"L = {L}: the network's energies differ from the exact ones")
        t = interleaved({"roll": lambda: ising_energy(L, X), "net": lambda: net(X)}, repeat)
        out[f"net_roll_{L}"] = [r / n for r, n in zip(t["roll"], t["net"])]
    return out


def measure_dask(repeat: int) -> dict:
    """bench/disorder.py's dask rows: Ising 512x512, 16 configurations, chunks of 256x256."""
    import disorder
    args = argparse.Namespace(side=512, batch=16, chunk=256, scheduler=None)
    rows = disorder.dask_measurements(args)
    return {"dask": [(name, args.batch / seconds, same) for name, seconds, same in rows],
            "dask_config": f"Ising {args.side}x{args.side}, batch {args.batch}, chunks {args.chunk}x{args.chunk} "
                           f"({(args.side // args.chunk) ** 2} per configuration)"}


def measure_ea(repo: Path) -> dict:
    """bench/disorder.py's child: Edwards-Anderson L = 100 (10^6 spins), the locally connected layout."""
    import disorder
    print("  Edwards-Anderson L = 100 ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="hamc-targets-") as folder:
        measured = disorder.compile_child("EA", 100, "local", Path(folder), repo)
    if isinstance(measured, str):
        return {"ea_error": measured}
    load, build, peak, _, _ = measured
    return {"ea_seconds": load + build, "ea_peak": peak}


def measure_all(repo: Path, repeat: int) -> dict:
    out = commands(repo, repeat)
    for group in ("exact", "network", "dask"):
        out.update({f"{group}_{k}" if k == "error" else k: v for k, v in child(group, repo, repeat).items()})
    out.update(measure_ea(repo))
    return out


# ---- the table -------------------------------------------------------------------------------
def spread(values) -> str:
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


def seconds(s: float) -> str:
    return "failed or > 2 min" if s == float("inf") else f"{s:.2f} s"


ROWS = [   # (target, key in the measurements, how to show it, whether it is met)
    ("`hamc --help` <= 0.3 s (median wall)", "help", seconds, lambda v: v <= 0.3),
    ("`hamc analyze examples/ising.ham` <= 0.5 s", "analyze_ising", seconds, lambda v: v <= 0.5),
    ("`hamc analyze` of every example <= 1 s (slowest shown)", "analyze_every", seconds, lambda v: v <= 1.0),
    ("`hamc analyze curie_weiss.ham -p N=40` <= 2 s", "analyze_cw40", seconds, lambda v: v <= 2.0),
    ("`hamc analyze curie_weiss.ham -p N=1000` <= 2 s", "analyze_cw1000", seconds, lambda v: v <= 2.0),
    ("`Hamiltonian.evaluate`, Ising 64x64: >= 2x dimod `energies`", "eval_dimod", spread,
     lambda v: statistics.median(v) >= 2),
    ("`Hamiltonian.evaluate`, Ising 64x64: >= 0.5x NumPy roll", "eval_roll", spread,
     lambda v: statistics.median(v) >= 0.5),
    ("`Hamiltonian.evaluate`, any polynomial: >= 1x dimod (the lowest shown)", "polynomials",
     lambda p: ", ".join(f"{k} {v:.2f}x" for k, v in p.items()), lambda p: min(p.values()) >= 1),
    ("compiled shared network, Ising 64x64: >= 0.8x NumPy roll", "net_roll_64", spread,
     lambda v: statistics.median(v) >= 0.8),
    ("compiled shared network, Ising 256x256: >= 0.8x NumPy roll", "net_roll_256", spread,
     lambda v: statistics.median(v) >= 0.8),
    ("Edwards-Anderson L = 100 (10^6 spins) compiles in seconds (<= 10 s)", "ea_seconds", seconds, lambda v: v <= 10),
    ("... and well under 1 GB (peak RSS)", "ea_peak", lambda b: f"{b / 1e9:.2f} GB", lambda b: b < 1e9),
    ("dask: `hamc.evaluate` on a LocalCluster of 2 workers equals NumPy (configurations/s)", "dask",
     lambda rows: "; ".join(f"{name.split(' (')[0]} {rate:,.1f}/s" for name, rate, _ in rows),
     lambda rows: all(same for _, _, same in rows)),
]


def table(now: dict, before: dict | None) -> list[str]:
    head = "| target | " + ("before | " if before is not None else "") + "measured | met |"
    lines = [head, "|---|" + ("---|" if before is not None else "") + "---|:-:|"]
    for target, key, show, met in ROWS:
        def cell(m):
            if key not in m:
                return "n/a", "no"
            value = m[key]
            label = show(value) + (f" ({m['analyze_slowest']})" if key == "analyze_every" else "")
            return label, "yes" if met(value) else "no"
        shown, ok = cell(now)
        old = f"{cell(before)[0]} | " if before is not None else ""
        lines.append(f"| {target} | {old}{shown} | {ok} |")
    notes = [f"- {m[k]}" for m in ([now] + ([before] if before else [])) for k in m if k.endswith("error")]
    if "dask_config" in now:
        notes.append(f"- dask: {now['dask_config']}; rates of one array in NumPy, dask's threads, the cluster")
    return lines + [""] + notes


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5, help="runs per median (start-up) and ratios per rate (default 5)")
    p.add_argument("--before", metavar="REV", help="also measure this git revision, in a temporary worktree")
    p.add_argument("--markdown", type=Path, help="also write the table to this file")
    p.add_argument("--measure", choices=("exact", "network", "dask"), help=argparse.SUPPRESS)
    p.add_argument("--repo", type=Path, default=HERE.parent, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.measure:                       # a child: bench/ (models, disorder), the measured repo's hamc first
        sys.path[:0] = [str(HERE)]
        import disorder  # noqa: F401  (it puts this checkout first on the path: the measured repo goes before it)
        sys.path.insert(0, str(args.repo))
        print(json.dumps(globals()[f"measure_{args.measure}"](args.repeat)))
        return 0
    sys.path[:0] = [str(HERE)]
    start = time.perf_counter()
    before = None
    if args.before:
        with revision(args.before) as tree:
            before = measure_all(tree, args.repeat)
    now = measure_all(HERE.parent, args.repeat)
    publish("\n".join(table(now, before)) + f"\n- total {time.perf_counter() - start:.0f} s\n", args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
