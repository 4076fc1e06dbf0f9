"""Hidden neurons of the factored plans against the expanded ones, on the examples, with both networks' errors.

Run from anywhere:  python bench/structure.py [--dtype float32]. Prints a Markdown table: per example,
the neurons (per site for a shared layout) of `--structure expanded` and of the default (auto), which
one auto built, the ratio, and each network's measured max |network - H| and certified bound, so
fewer neurons are never bought with an unchecked error. About 20 s on 2 cores.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]   # this checkout's hamc, not an installed one

import hamc  # noqa: E402
from hamc.build.options import BuildOptions  # noqa: E402

EXAMPLES = HERE.parent / "examples"


def row(name: str, dtype: str) -> str:
    built = {}
    for structure in ("expanded", "auto"):
        built[structure] = hamc.compile(EXAMPLES / f"{name}.ham", check=False, samples=2000,
                                        options=BuildOptions(structure=structure, dtype=dtype))
    e, a = built["expanded"], built["auto"]
    sites = a.network.sites

    def count(c):
        n = c.network.hidden_neurons
        return f"{n:,}" + (f" ({n // sites}/site)" if sites > 1 else "")

    def error(c):
        bound = c.error_bound.absolute
        return f"{c.verification.max_abs_error:.2g} / " + ("-" if bound is None else f"{bound:.2g}")
    ratio = e.network.hidden_neurons / max(a.network.hidden_neurons, 1)
    return (f"| {name} | {count(e)} | {count(a)} | {a.network.meta['structure']} | {ratio:.2f}x | "
            f"{error(e)} | {error(a)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args()
    print(f"{args.dtype}, default tolerance; error = measured max |network - H| / certified bound\n")
    print("| example | expanded | default | built | expanded / default | error expanded | error default |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(EXAMPLES.glob("*.ham")):
        print(row(path.stem, args.dtype), flush=True)


if __name__ == "__main__":
    main()
