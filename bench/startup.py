"""Start-up of whole hamc commands, this checkout against an earlier commit, run alternately in one session.

Run from anywhere:  python bench/startup.py [--before REF] [--repeat N] [--source-only] [--markdown PATH].
Each command runs in a new process, from the checkout's root, with the earlier commit's files (from
`git archive`) in a temporary folder beside it. Python's bytecode is written once, to a cache in that folder,
as installing a package does; --source-only compiles every module from source at each start instead (what
PYTHONDONTWRITEBYTECODE=1 does). Everything the run writes stays in the temporary folder, removed at the end.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import publish, revision

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "8e6d714"        # the last commit before the parser tables


def commands(out: Path) -> list[tuple[str, list[str]]]:
    """(label, arguments after the interpreter); the bare interpreter and NumPy's import as the floor."""
    hamc = ["-m", "hamc"]
    return [("python -c pass", ["-c", "pass"]), ("python -c 'import numpy'", ["-c", "import numpy"]),
            ("hamc --help", hamc + ["--help"]),
            ("hamc analyze examples/ising.ham", hamc + ["analyze", "examples/ising.ham"]),
            ("hamc compile examples/ising.ham", hamc + ["compile", "examples/ising.ham", "-o", str(out)])]


def environment(scratch: Path, source_only: bool) -> tuple[dict, list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    if source_only:
        return {**env, "PYTHONDONTWRITEBYTECODE": "1"}, []
    return env, ["-X", f"pycache_prefix={scratch / 'pycache'}"]


def timed(argv: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; the CPU time (user + system) is less sensitive to other jobs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv)} in {cwd}: exit {done.returncode}: {done.stderr.strip()[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(trees: dict[str, Path], scratch: Path, args) -> list[tuple[str, dict[str, tuple[float, float]]]]:
    """Median (wall, CPU) time of each command in each tree; the trees take turns run by run, so that a
    load that comes and goes on the machine falls on both alike."""
    env, flags = environment(scratch, args.source_only)
    rows = []
    for label, argv in commands(scratch / "out"):
        for tree in trees.values():                 # warm-up: bytecode written, files in the page cache
            timed(flags + argv, tree, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for _ in range(args.repeat):
            for name, tree in trees.items():
                times[name].append(timed(flags + argv, tree, env))
        medians = {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
                   for name, t in times.items()}
        print(f"  {label:34} " + "  ".join(f"{n} {w:.3f} s wall {c:.3f} s CPU" for n, (w, c) in medians.items()),
              file=sys.stderr)
        rows.append((label, medians))
    return rows


def table(rows, before: str, args) -> str:
    mode = "every module compiled from source at each start" if args.source_only else "bytecode cached"
    lines = [f"Start-up, medians of {args.repeat} runs each, alternating ({mode}); {datetime.date.today()}, "
             f"Python {platform.python_version()}, {os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} at the end; CPU = user + system time of the process:", "",
             f"| command | wall, {before} | wall, now | now / before | CPU, {before} | CPU, now | now / before |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, m in rows:
        (wb, cb), (wn, cn) = m["before"], m["now"]
        lines.append(f"| `{label}` | {wb:.2f} s | {wn:.2f} s | {wn / wb:.2f} "
                     f"| {cb:.2f} s | {cn:.2f} s | {cn / cb:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default=BEFORE, help=f"the commit to compare with (default {BEFORE})")
    p.add_argument("--repeat", type=int, default=7, help="timed runs of each command in each tree (default 7)")
    p.add_argument("--source-only", action="store_true", help="no bytecode cache: compile modules at each start")
    p.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hamc-startup-") as folder:
        scratch = Path(folder)
        with revision(args.before) as before:
            text = table(measure({"before": before, "now": ROOT}, scratch, args), args.before, args)
    publish(text, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
