"""Benchmark disordered lattices and dask: Edwards-Anderson and random-field compile time and peak memory by
layout, and hamc.evaluate throughput on a lattice split into chunks (NumPy, dask's threads, a dask.distributed cluster).

Run from anywhere:  python bench/disorder.py [--L 40 100] [--rf-L 1000 10000] [--before CHECKOUT] [--side 512]
[--batch 16] [--chunk 256] [--scheduler tcp://host:8786]. --before runs the same compiles with another
checkout of hamc (e.g. `git worktree add /tmp/hamc-before <commit>`), in the same run. Without --scheduler
a LocalCluster of 2 in-process workers is started; with it, the same graph runs on that cluster (its
workers need hamc and dask importable). Each compile runs in a child process under an address-space
limit and a 10-minute timeout (a refusal or failure is reported as such); the coupling and field arrays
are written to a temporary folder and removed. Ratios are against NumPy in the same run.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]              # this checkout's hamc, not an installed one

import numpy as np  # noqa: E402

from timing import best_of  # noqa: E402

EA = (HERE.parent / "examples" / "edwards_anderson.ham").read_text().replace(
    "param L = 4", "param L = @L@").replace("data/ea_couplings.npy", "J.npy")
RF = (HERE.parent / "examples" / "random_field.ham").read_text().replace(
    "param L = 8", "param L = @L@").replace("data/random_fields.npy", "h.npy")

CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
sys.path.insert(0, {repo!r})
import hamc
start = time.perf_counter()
h = hamc.load({path!r}, max_terms={max_terms})
loaded = time.perf_counter()
c = hamc.compile(h, options=hamc.BuildOptions(layout={layout!r}, dtype={dtype!r}), check=False)
built = time.perf_counter()
from hamc.io.npz import network_arrays
print(loaded - start, built - loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
      c.network.parameters, sum(a.nbytes for a in network_arrays(c.network).values()))
"""
HEADER = ("| hamc | model | L | sites | layout | dtype | load | compile + verify | peak RSS | parameters "
          "| .npz arrays |\n" + "|---" * 11 + "|")


def compile_child(model: str, L: int, layout: str, folder: Path, repo: Path = HERE.parent, dtype: str = "float64",
                  limit: int = 6 << 30) -> tuple | str:
    """One compile by `repo`'s hamc in a child process, `model` "EA" (3D, +-J couplings) or "RF" (2D,
    Gaussian fields) -> (load s, compile s, peak RSS bytes, parameters, .npz array bytes), or why it failed."""
    rng = np.random.default_rng(L)
    if model == "EA":
        np.save(folder / "J.npy", rng.choice([-1.0, 1.0], size=(L, L, L, 3)))
        text, sites = EA, L ** 3
    else:
        np.save(folder / "h.npy", rng.normal(size=(L, L)))
        text, sites = RF, L ** 2
    (folder / "model.ham").write_text(text.replace("@L@", str(L)))
    code = CHILD.format(repo=str(repo), path=str(folder / "model.ham"), layout=layout, dtype=dtype, limit=limit,
                        max_terms=max(20_000_000, 3 * sites))   # the arrays' values count against --max-terms
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "timeout (600 s)"
    if done.returncode:
        return "refused or failed: " + (done.stderr.strip().splitlines() or ["?"])[-1].split("error: ")[-1][:90]
    load, build, peak, params, weights = done.stdout.split()
    return float(load), float(build), int(peak), int(params), int(weights)


def compile_row(model: str, L: int, layout: str, folder: Path, repo: Path, label: str, dtype: str = "float64",
                limit: int = 6 << 30) -> str:
    head = f"| {label} | {model} | {L} | {(L ** 3 if model == 'EA' else L ** 2):,} | {layout} | {dtype} |"
    measured = compile_child(model, L, layout, folder, repo, dtype, limit)
    if isinstance(measured, str):
        return f"{head} {measured} | | | | |"
    load, build, peak, params, weights = measured
    return (f"{head} {load:.1f} s | {build:.1f} s | {peak / 1e9:.2f} GB | {params:,} | "
            f"{weights / 1e6:,.1f} MB |")


def dask_measurements(args) -> list[tuple[str, float, bool]]:
    """(evaluation, seconds for the batch, equal to NumPy's result) for one array in NumPy, dask's
    threads and a dask.distributed cluster (args.scheduler, or a LocalCluster of 2 workers)."""
    import dask
    import dask.array as da
    import distributed

    import hamc
    net = hamc.compile(HERE.parent / "examples" / "ising.ham", params={"L": args.side}, check=False).network
    x = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(args.batch, args.side, args.side))
    grid = da.from_array(x, chunks=(args.batch, args.chunk, args.chunk))
    reference = net(x.reshape(args.batch, -1))
    rows = []

    def row(name, seconds, result):
        rows.append((name, seconds, bool(np.array_equal(np.asarray(result)[:, 0], reference))))

    row("NumPy, one array", best_of(lambda: net(x.reshape(args.batch, -1))), reference[:, None])
    with dask.config.set(scheduler="threads"):
        out = hamc.evaluate(net, grid)
        row("dask threads", best_of(out.compute), out.compute())
    if args.scheduler:
        client, cluster = distributed.Client(args.scheduler), None
    else:
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        client = distributed.Client(cluster)
    with client:
        out = hamc.evaluate(net, grid)
        row(f"dask.distributed ({args.scheduler or 'LocalCluster, 2 workers'})", best_of(out.compute), out.compute())
    if cluster is not None:
        cluster.close()
    return rows


def dask_rows(args) -> list[str]:
    measured = dask_measurements(args)
    base = args.batch / measured[0][1]
    return [f"| {name} | {seconds * 1e3:,.0f} ms | {args.batch / seconds:,.1f} | {args.batch / seconds / base:.2f}x | "
            f"{'yes' if same else 'NO'} |" for name, seconds, same in measured]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--L", type=int, nargs="+", default=[40, 100], help="Edwards-Anderson sizes (L^3 spins)")
    p.add_argument("--rf-L", type=int, nargs="+", default=[1000, 10000], help="random-field sizes (L^2 spins)")
    p.add_argument("--before", type=Path, default=None, help="another checkout of hamc to compare with")
    p.add_argument("--side", type=int, default=512)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--scheduler", default=None, help="a dask.distributed scheduler address")
    p.add_argument("--no-compile", action="store_true")
    p.add_argument("--no-dask", action="store_true")
    args = p.parse_args(argv)
    versions = [("before", args.before.resolve())] if args.before else []
    versions.append(("now", HERE.parent))
    if not args.no_compile:
        print(HEADER)
        rows = [("EA", L, layout, "float64") for L in args.L for layout in ("unrolled", "local")]
        rows += [("RF", L, "local", dtype) for L in args.rf_L for dtype in ("float64", "float32")]
        for model, L, layout, dtype in rows:
            for label, repo in versions:
                with tempfile.TemporaryDirectory(prefix="hamc-bench-") as folder:
                    print(compile_row(model, L, layout, Path(folder), repo, label, dtype, 10 << 30), flush=True)
    if args.no_dask:
        return 0
    print(f"\nIsing {args.side} x {args.side}, batch {args.batch}, chunks of {args.chunk} x {args.chunk} "
          f"({(args.side // args.chunk) ** 2} per configuration block)")
    print("| evaluation | time | configurations/s | vs NumPy | equal |\n|---|---|---|---|---|")
    print("\n".join(dask_rows(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
