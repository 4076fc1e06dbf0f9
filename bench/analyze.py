"""`hamc analyze` per example, this checkout against an earlier commit, in the same run.

Run from anywhere:  python3 bench/analyze.py [--before COMMIT] [--repeat N] [--markdown PATH]
The earlier commit is checked out in a temporary git worktree (removed at the end). Each example runs
alternately with both versions as whole commands in new processes (wall time, medians of --repeat),
and in-process with the parser built and imports done first ("load + analyze": what the analysis
itself costs, without start-up). The two versions' `--json` outputs must be identical (exit 1 if not).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timing import publish, revision

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BEFORE = "8e6d714"
CASES = [(p.stem, [str(p)]) for p in sorted((REPO / "examples").glob("*.ham"))] + [
    ("curie_weiss N=40", [str(REPO / "examples" / "curie_weiss.ham"), "-p", "N=40"]),
    ("curie_weiss N=1000", [str(REPO / "examples" / "curie_weiss.ham"), "-p", "N=1000"]),
]
# in a child: imports and the parser first, then load + analyze timed (wall), printed as seconds
IN_PROCESS = """
import sys, time
from pathlib import Path
from hamc.loading import load
from hamc.analysis.report import analyze
from hamc.language import parse
parse.parse("real x\\nH = x")
args = sys.argv[1:]
params = dict(a.split("=") for a in args[2::2])
start = time.perf_counter()
analyze(load(Path(args[0]), params=params))
print(time.perf_counter() - start)
"""


def run(root: Path, argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hamc", "analyze", "--json", *argv], cwd=root,
                          capture_output=True, text=True, timeout=600, env=_env(root))
    if done.returncode:
        raise RuntimeError(f"{root}: hamc analyze {' '.join(argv)} failed:\n{done.stderr}")
    return time.perf_counter() - start, done.stdout


def in_process(root: Path, argv: list[str]) -> float:
    done = subprocess.run([sys.executable, "-c", IN_PROCESS, *argv], cwd=root, capture_output=True,
                          text=True, timeout=600, env=_env(root), check=True)
    return float(done.stdout.split()[-1])


def _env(root: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(root)}


def measure(roots: dict, argv: list[str], repeat: int) -> dict:
    """Per version: (median whole-command wall, median in-process load + analyze, --json output)."""
    walls, inner, outputs = {k: [] for k in roots}, {k: [] for k in roots}, {}
    for _ in range(repeat):                   # alternate the versions: the machine's load hits both alike
        for name, root in roots.items():
            wall, outputs[name] = run(root, argv)
            walls[name].append(wall)
            inner[name].append(in_process(root, argv))
    return {k: (statistics.median(walls[k]), statistics.median(inner[k]), outputs[k]) for k in roots}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default=BEFORE, help=f"the earlier commit (default {BEFORE})")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--markdown", type=Path)
    p.add_argument("--only", help="comma-separated case names (default: all)")
    args = p.parse_args()
    cases = [c for c in CASES if not args.only or c[0] in args.only.split(",")]
    rows, agree = [], True
    with revision(args.before) as before:
        for name, argv in cases:
            result = measure({"before": before, "now": REPO}, argv, args.repeat)
            same = result["before"][2] == result["now"][2]
            agree &= same
            rows.append((name, *result["before"][:2], *result["now"][:2], same))
            print(_line(rows[-1]), flush=True)
    publish(_table(rows, args) + "\n", args.markdown)
    return 0 if agree else 1


def _line(row) -> str:
    name, wall0, inner0, wall1, inner1, same = row
    return (f"{name:<20} before {wall0:6.2f} s ({inner0:6.3f} s load + analyze)   now {wall1:6.2f} s "
            f"({inner1:6.3f} s)   {wall0 / wall1:5.1f}x   {'same --json' if same else 'DIFFERENT --json'}")


def _table(rows, args) -> str:
    head = (f"`hamc analyze` per example, {datetime.date.today()}, {platform.machine()} {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; before = {args.before}, medians of {args.repeat} alternating runs.\n\n"
            "| example | before: command | before: load + analyze | now: command | now: load + analyze | "
            "command before / now | same `--json` |\n|---|---:|---:|---:|---:|---:|---|")
    lines = [f"| {n} | {w0:.2f} s | {i0:.3f} s | {w1:.2f} s | {i1:.3f} s | {w0 / w1:.1f}x | {'yes' if s else 'NO'} |"
             for n, w0, i0, w1, i1, s in rows]
    return "\n".join([head, *lines])


if __name__ == "__main__":
    sys.exit(main())
