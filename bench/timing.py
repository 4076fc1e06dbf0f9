"""What the bench scripts share: another revision checked out beside this one, calls timed by turns, tables written."""
from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def revision(rev: str):
    """The path of a detached `git worktree` of rev in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hamc-bench-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=REPO, check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)


def best_of(fn, repeat: int = 3) -> float:
    """The fastest of `repeat` timed calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def interleaved(fns: dict, repeat: int, inner: int = 3) -> dict[str, list[float]]:
    """Per name, `repeat` medians of `inner` timed calls, the tools taking turns (load hits all alike)."""
    out = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            times = []
            for _ in range(inner):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            out[name].append(statistics.median(times))
    return out


def publish(text: str, markdown: Path | None) -> None:
    """The table on stdout, and in the markdown file when one is given."""
    print(text)
    if markdown:
        markdown.write_text(text, encoding="utf-8")
