"""The exports next to NumPy and hamc's own network: a batch of Ising 64x64 energies, and a parity table.

Run from anywhere:  python bench/exports.py [--batch 10000] [--repeat 3] [--parity]. Every exporter's
energies are checked against the NumPy `roll` formula (exit 1 if one disagrees); --parity also prints,
for every example (small sizes), layout and dtype, max |export - network(X)| / the certified error bound.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]       # this checkout's hamc, not an installed one

import numpy as np  # noqa: E402

import hamc  # noqa: E402

CHUNK = 1000       # rows per call for the frameworks: (1000, 4096 sites, 3 channels) float64 is ~100 MB


def ising_roll(s: np.ndarray) -> np.ndarray:
    """H = -sum s_i s_j (right and down bonds) - 0.5 sum s_i, on (batch, L, L) int8 spins."""
    bonds = (s * np.roll(s, -1, 1)).sum(axis=(1, 2), dtype=np.int64) + (s * np.roll(s, -1, 2)).sum(axis=(1, 2),
                                                                                                 dtype=np.int64)
    return -bonds - 0.5 * s.sum(axis=(1, 2), dtype=np.int64)


def runners(net):
    import jax
    import onnxruntime
    import torch
    torch.set_grad_enabled(False)
    module = hamc.to_torch(net)
    apply_fn, params = hamc.to_jax(net)
    jitted = jax.jit(apply_fn)
    session = onnxruntime.InferenceSession(hamc.to_onnx(net).SerializeToString(), providers=["CPUExecutionProvider"])

    def chunked(fn):
        return lambda x: np.concatenate([fn(x[i:i + CHUNK]) for i in range(0, len(x), CHUNK)])[:, 0]
    return {
        "PyTorch (hamc.to_torch: Conv2d, float64)": chunked(lambda x: module(torch.from_numpy(x)).numpy()),
        "JAX (hamc.to_jax, jit, float64)": chunked(lambda x: np.asarray(jitted(params, x))),
        "onnxruntime (hamc.to_onnx, float64)": chunked(lambda x: session.run(None, {"x": x})[0]),
    }


def timing(batch: int, repeat: int) -> bool:
    net = hamc.compile(Path(HERE.parent, "examples", "ising.ham"), params={"L": 64}, samples=200).network
    spins = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(batch, 64, 64))
    flat8, flat64 = spins.reshape(batch, -1), spins.reshape(batch, -1).astype(np.float64)
    truth = ising_roll(spins)
    rows = [("NumPy `s * roll(s)` (int8)", lambda: ising_roll(spins)),
            ("hamc network, int8 input (exact integer path)", lambda: net(flat8)),
            ("hamc network, float64 input", lambda: net(flat64))]
    rows += [(name, (lambda f=f: f(flat64))) for name, f in runners(net).items()]
    ok, base = True, None
    print(f"| Ising 64x64, {batch:,} energies | median of {repeat} | energies per second | time / NumPy | agrees |")
    print("|---|---:|---:|---:|---|")
    for name, fn in rows:
        fn()                                      # warm-up: jit compilation, first allocations
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - start)
        t = statistics.median(times)
        base = base or t
        agrees = bool(np.array_equal(np.asarray(out, np.float64), truth))
        ok &= agrees
        print(f"| {name} | {t * 1e3:.0f} ms | {batch / t / 1e3:.0f} k/s | {t / base:.2f} | {'yes' if agrees else 'NO'} |")
    return ok


def parity() -> None:
    sizes = {"cat_dog": {}, "curie_weiss": {"N": 6}, "image": {"L": 4}, "ising": {"L": 4}, "microphone": {"n": 8},
             "phi4": {"L": 3}, "product32": {}, "spin_glass": {}, "three_body": {"N": 6}}
    lattices = {"image", "ising", "microphone", "phi4", "three_body"}
    from hamc.verification import sample_inputs
    print("| example | layout | dtype | bound | torch | jax | onnx |  (max abs difference to network(X) / bound)")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, params in sizes.items():
        for layout in ("shared", "unrolled") if name in lattices else ("auto",):
            for dtype in ("float64", "float32"):
                c = hamc.compile(Path(HERE.parent, "examples", f"{name}.ham"), params=params,
                                 options=hamc.BuildOptions(layout=layout, dtype=dtype), samples=200, check=False)
                net, bound = c.network, c.error_bound.absolute
                x, _ = sample_inputs(c.hamiltonian, c.options.input_range, 256, seed=7)
                x = x.astype(net.dtype)
                ref = net(x).reshape(len(x), -1)
                cells = [np.max(np.abs(run(x).reshape(len(x), -1) - ref)) / bound for run in _plain(net).values()]
                print(f"| {name} | {net.meta['layout']} | {dtype} | {bound:.2g} | " +
                      " | ".join(f"{v:.2g}" for v in cells) + " |")


def _plain(net):
    import jax
    import onnxruntime
    import torch
    module, (apply_fn, params) = hamc.to_torch(net), hamc.to_jax(net)
    session = onnxruntime.InferenceSession(hamc.to_onnx(net).SerializeToString(), providers=["CPUExecutionProvider"])
    return {"torch": lambda x: module(torch.from_numpy(x)).detach().numpy(),
            "jax": lambda x: np.asarray(jax.jit(apply_fn)(params, x)),
            "onnx": lambda x: session.run(None, {"x": x})[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parity", action="store_true", help="also print the parity table")
    args = ap.parse_args()
    ok = timing(args.batch, args.repeat)
    if args.parity:
        parity()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
