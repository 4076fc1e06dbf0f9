"""Benchmark hamc against dimod, PyQUBO, sympy and symengine: build time, energies, agreement, scaling.

Run from anywhere:  python bench/run.py [--quick | --full] [--repeat N] [--tools hamc,numpy,...]
[--markdown PATH] [--budget SECONDS]. The default run takes 3-5 minutes on 2 cores, --quick under a
minute, --full (about 10 minutes) adds PyQUBO and sympy at the sizes where they take tens of seconds. The optional tools come
with `pip install -e ".[bench]"`; absent ones are skipped with a note. The models and each tool's code
are in bench/models.py; add a Case there for new rows. Every result is checked against a ground truth
built by NumPy index arithmetic (coefficient table, and energies of random configurations to 1e-9);
the exit code is 1 when any tool disagrees.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import importlib.metadata
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]   # bench/models.py, and this checkout's hamc, not an installed one

import numpy as np  # noqa: E402
from sympy.core.cache import clear_cache  # noqa: E402

from models import CASES, Case, Tool, spins  # noqa: E402

TOL = 1e-9
CHECK_ROWS = 4           # random configurations whose energies every tool must reproduce
BUDGET = {"quick": 2.0, "default": 15.0, "full": 60.0}   # seconds of timed runs per row, then stop
PACKAGES = ("hamc", "numpy", "dimod", "pyqubo", "sympy", "symengine")


@dataclass
class Row:
    case: Case
    size: int
    tool: Tool
    units: int
    median: float
    runs: int
    peak: int | None       # bytes traced by tracemalloc, for tools whose memory NumPy allocates
    agree: bool | None     # None: this tool gives nothing to compare
    note: str = ""


def measure(fn, repeat: int, budget: float, memory: bool = False):
    """(median seconds, runs, traced peak bytes, last result): up to `repeat` timed calls, fewer once
    `budget` seconds are spent. Caches are cleared before each call so that no run reuses the last one's
    sympy objects; a traced first call, untimed, gives the peak memory and warms imports up."""
    peak = None
    if memory:
        clear_cache(), gc.collect()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    times, result = [], None
    while len(times) < repeat and sum(times) < budget:
        result = None
        clear_cache(), gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times), peak, result


def close(a, b) -> bool:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * np.maximum(1, np.abs(b))))


def same_table(a, b) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[d][0], b[d][0]) and close(a[d][1], b[d][1]) for d in a)


def agree(case: Case, tool: Tool, n: int, result) -> bool | None:
    if case.inputs:                                   # energies task: the result is the batch's energies
        return close(result, case.truth_energy(n, case.inputs(n)[:len(result)]))
    checks = []
    if tool.table:
        checks.append(same_table(tool.table(result, n), case.truth_table(n)))
    if tool.energy:
        X = spins(np.random.default_rng(n), CHECK_ROWS, case.n_vars(n))
        checks.append(close(tool.energy(result, n, X), case.truth_energy(n, X)))
    return all(checks) if checks else None


def run_case(case: Case, args, rows: list[Row], missing: dict[str, set]) -> None:
    tools = [t for t in case.tools if not args.tools or t.family in args.tools]
    for tool in tools:
        if not tool.available():
            missing.setdefault(tool.needs, set()).add(tool.name)
    tools = [t for t in tools if t.available()]
    done = []
    # sizes outside, tools inside: a change in the machine's load then hits all tools at one size alike
    for n in case.sizes.get(args.mode, case.sizes["default"]):
        for tool in (t for t in tools if t.fits(n, args.mode)):
            print(f"  {case.name:24} {case.size_name}={n:<9,} {tool.name:14}", end="", file=sys.stderr, flush=True)
            done.append((tools.index(tool), measure_row(case, tool, n, args)))
            row = done[-1][1]
            print(f" {fmt_time(row.median):>9} x{row.runs} {mark(row.agree)} {row.note}", file=sys.stderr)
    rows += [row for _, row in sorted(done, key=lambda item: item[0])]      # stable: by tool, then size


def measure_row(case: Case, tool: Tool, n: int, args) -> Row:
    units = tool.units(n) if tool.units else case.units(n)
    try:
        median, runs, peak, result = measure(tool.prepare(n), args.repeat, args.budget, tool.memory)
        peak = tool.peak_of(result) if tool.peak_of else peak
        return Row(case, n, tool, units, median, runs, peak, agree(case, tool, n, result))
    except Exception as exc:                          # a tool that breaks is a row that disagrees, not a crash
        return Row(case, n, tool, units, math.nan, 0, None, False, f"{type(exc).__name__}: {exc}")


# ---- report ---------------------------------------------------------------------------------
def fmt_time(t: float) -> str:
    if math.isnan(t):
        return "failed"
    return f"{t * 1e6:.0f} µs" if t < 1e-3 else f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def fmt_rate(x: float) -> str:
    for scale, prefix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if x >= scale:
            return f"{x / scale:.3g}{prefix}"
    return f"{x:.3g}"


def mark(ok: bool | None) -> str:
    return {True: "✓", False: "✗", None: "–"}[ok]


def versions() -> str:
    def version(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "absent"
    return ", ".join(f"{p} {version(p)}" for p in PACKAGES)


def results_table(rows: list[Row]) -> list[str]:
    ref = {(r.case.name, r.size): r for r in rows if r.tool.name == "hamc" and r.runs}
    out = ["| task | size | measured | tool | median | runs | per second | time / hamc | peak MB | agree |",
           "|---|---|---:|---|---:|---:|---:|---:|---:|:-:|"]
    for r in rows:
        h = ref.get((r.case.name, r.size))
        ratio = f"{(r.median / r.units) / (h.median / h.units):.3g}" if h and r.runs else "—"
        peak = f"{r.peak / 2**20:,.0f}" if r.peak else "—"
        out.append(f"| {r.case.name} | {r.case.size_name}={r.size:,} | {r.units:,} {r.case.unit} | {r.tool.name} | "
                   f"{fmt_time(r.median)} | {r.runs} | {fmt_rate(r.units / r.median) if r.runs else '—'} | "
                   f"{ratio} | {peak} | {mark(r.agree)} |")
    return out


def scaling_table(rows: list[Row]) -> list[str]:
    """Least-squares slope of log(time) against log(terms): 1 is linear."""
    out = ["| task | tool | sizes | terms | exponent |", "|---|---|---:|---|---:|"]
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        if r.runs:
            groups.setdefault((r.case.name, r.tool.name), []).append(r)
    for (case, tool), rs in groups.items():
        if len({r.units for r in rs}) >= 2:
            slope = np.polyfit(np.log([r.units for r in rs]), np.log([r.median for r in rs]), 1)[0]
            out.append(f"| {case} | {tool} | {len(rs)} | {rs[0].units:,} – {rs[-1].units:,} | {slope:.2f} |")
    return out


def report(rows: list[Row], missing: dict[str, set], args, elapsed: float) -> str:
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10   # KiB on Linux
    lines = [f"# hamc benchmark ({args.mode}, {datetime.datetime.now():%Y-%m-%d %H:%M})", "",
             f"Machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()}; {versions()}.", "",
             f"Medians of up to {args.repeat} runs (fewer once a row has spent {args.budget:g} s); "
             "`time / hamc` compares time per term (per configuration for energies) with hamc's at the same "
             "size; peak MB is traced by tracemalloc on an extra run (for the compile rows: the process's peak resident memory); agree: coefficient table and energies "
             "equal the NumPy ground truth to 1e-9.", ""]
    lines += results_table(rows) + ["", "Scaling exponents, time ~ terms^k:", ""] + scaling_table(rows)
    if args.startup:
        lines += ["", "Start-up: whole commands in a new process (hamc from this checkout):", ""] + args.startup
    lines += [""] + list(dict.fromkeys(f"- {r.tool.note}" for r in rows if r.tool.note))
    lines += [f"- `{p}` is not installed (`pip install -e '.[bench]'`): skipped {', '.join(sorted(t))}"
              for p, t in missing.items()]
    lines += [f"- process peak RSS {peak_rss:,.0f} MB; total {elapsed:.0f} s"]
    return "\n".join(lines) + "\n"


# ---- start-up: whole commands in new processes ----------------------------------------------
def startup_commands(mode: str) -> list[tuple[str, list[str]]]:
    """(label, argv after the interpreter): the bare interpreter and NumPy first, as the floor."""
    examples = HERE.parent / "examples"
    cli = ["-c", "import sys; from hamc.entry import main; sys.exit(main())"]
    rows = [("python -c pass", ["-c", "pass"]), ("python -c 'import numpy'", ["-c", "import numpy"]),
            ("hamc --help", cli + ["--help"])]
    rows += [(f"hamc analyze {p.name}", cli + ["analyze", str(p)]) for p in sorted(examples.glob("*.ham"))
             if mode != "quick" or p.stem in ("ising", "curie_weiss")]
    rows += [(f"hamc analyze curie_weiss.ham -p N={n}", cli + ["analyze", str(examples / "curie_weiss.ham"), "-p", f"N={n}"])
             for n in (40, 1000)]
    return rows


def startup_table(args) -> list[str]:
    """Median wall time of each command over --repeat runs, and its ratio to the bare interpreter's."""
    out = ["| command | median wall | runs | / python -c pass |", "|---|---:|---:|---:|"]
    floor = None
    for label, argv in startup_commands(args.mode):
        print(f"  start-up {label:52}", end="", file=sys.stderr, flush=True)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, *argv], cwd=HERE.parent, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if done.returncode:
                raise RuntimeError(f"{label}: {done.stderr.strip()[-300:]}")
        median = statistics.median(times)
        floor = floor or median
        print(f" {fmt_time(median):>9}", file=sys.stderr)
        out.append(f"| `{label}` | {fmt_time(median)} | {len(times)} | {median / floor:.2f} |")
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", dest="mode", const="quick", help="about a minute")
    mode.add_argument("--full", action="store_const", dest="mode", const="full", help="slow tools at larger sizes")
    p.add_argument("--repeat", type=int, help="timed runs per row (default 5, 3 with --quick)")
    p.add_argument("--budget", type=float, help="stop repeating a row after this many seconds")
    p.add_argument("--tools", type=lambda s: set(s.split(",")), help="e.g. hamc,numpy,dimod,pyqubo,sympy,symengine")
    p.add_argument("--markdown", type=Path, help="also write the report to this file")
    p.add_argument("--no-startup", action="store_true", help="skip the start-up table (whole commands)")
    args = p.parse_args(argv)
    known = {t.family for case in CASES for t in case.tools}
    if args.tools and not args.tools <= known:
        p.error(f"unknown tools {', '.join(sorted(args.tools - known))}; known: {', '.join(sorted(known))}")
    args.mode = args.mode or "default"
    args.repeat = args.repeat or (3 if args.mode == "quick" else 5)
    args.budget = BUDGET[args.mode] if args.budget is None else args.budget
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    start, rows, missing = time.perf_counter(), [], {}
    # every temporary folder of the run (the compiled .npz files) inside one that is removed at the end
    with tempfile.TemporaryDirectory(prefix="hamc-bench-") as scratch:
        tempfile.tempdir = scratch
        try:
            args.startup = [] if args.no_startup else startup_table(args)
            for case in CASES:
                run_case(case, args, rows, missing)
        finally:
            tempfile.tempdir = None
    text = report(rows, missing, args, time.perf_counter() - start)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    bad = [f"{r.case.name} {r.case.size_name}={r.size:,} {r.tool.name}" for r in rows if r.agree is False]
    if bad:
        print("DISAGREE: " + "; ".join(bad), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
