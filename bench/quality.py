"""Network quality: hidden neurons and max_rel_error of the paper's construction, hamc's default and the flat count.

Run from anywhere:  python bench/quality.py [--markdown PATH] [--examples ising,phi4,...]. Per example
(examples/*.ham at their default parameters) and dtype: (a) the paper's construction, its 4-neuron
product gates at ln(2 + sqrt 3) on hamc's product plan (`--strategy tree --gates paper`; squares are
product gates fed u twice), (b) hamc's default (`hamc compile`), (c) the flat single-hidden-layer
count. Errors are measured on 2,000 inputs (half at the box's corners; every input where there are
few), with the certified bound in brackets; nothing is held to --tol. `hamc compile --compare`
prints the same table for one file. Also the product gate alone, per bias point and dtype.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]          # this checkout's hamc, not an installed one

import numpy as np  # noqa: E402

import hamc  # noqa: E402
from hamc.build import scales  # noqa: E402
from hamc.build.table_layers import unit_gates  # noqa: E402
from hamc.network.activations import get_activation  # noqa: E402
from hamc.quality import compare, quality_table  # noqa: E402

EXAMPLES = HERE.parent / "examples"


def gate_errors(samples: int = 1_000_000) -> list[str]:
    """max |gate(u, v) - u v| of the sigmoid product gate on u, v uniform in [-1, 1] (and the four
    corners), evaluated as a network layer does (each neuron minus sigma(c)), per construction and dtype."""
    rng = np.random.default_rng(0)
    uv = np.vstack([[[1, 1], [1, -1], [-1, 1], [-1, -1]], rng.uniform(-1, 1, (samples, 2))])
    f = get_activation("sigmoid")
    lines = ["| gate | bias point c | dtype | neurons | lambda | max abs error | certified bound |", "|" + "---|" * 7]
    for kinds in ("paper", "single", "richardson"):
        for dtype in ("float64", "float32"):
            gate_set, chosen = unit_gates("sigmoid", dtype, kinds)
            g = gate_set.product
            x = uv.astype(dtype)
            out = (f(x @ g.w_in.astype(dtype) + g.b.astype(dtype)) - f(g.b.astype(dtype))) @ g.w_out.astype(dtype)
            exact = x[:, 0].astype(np.float64) * x[:, 1].astype(np.float64)
            error = np.abs(out[:, 0].astype(np.float64) - exact).max()
            bound = scales.certified_scale("product", "sigmoid", dtype, kinds).predicted_error
            lines.append(f"| {kinds} | {chosen.product_bias:+.4f} | {dtype} | {g.neurons} | {chosen.product_lambda:.3g} "
                         f"| {error:.1e} | {bound:.1e} |")
    return lines


def machine() -> str:
    return (f"{datetime.date.today().isoformat()}, {platform.machine()} {platform.system()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", default=None, metavar="PATH", help="also write the tables here")
    parser.add_argument("--examples", default=None, help="comma-separated example names (default: all)")
    args = parser.parse_args(argv)
    names = args.examples.split(",") if args.examples else sorted(p.stem for p in EXAMPLES.glob("*.ham"))
    tables = []
    for name in names:
        h = hamc.load(EXAMPLES / f"{name}.ham")
        table = quality_table(compare(h, options=hamc.BuildOptions()), name).splitlines()
        tables += table if not tables else table[2:]
        print(tables[-2] + "\n" + tables[-1], flush=True)
    text = "\n".join([f"Network quality ({machine()})", "", *tables, "", "Product gate u*v alone:", "",
                      *gate_errors()])
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
