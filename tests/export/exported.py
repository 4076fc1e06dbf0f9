"""Compiled examples shared by the export tests: small sizes, both layouts, both dtypes, compiled once."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

import hamc
from hamc.verification import sample_inputs

from conftest import EXAMPLES

# every example at a small size; the lattice ones in both layouts
SIZES = {"cat_dog": {}, "curie_weiss": {"N": 6}, "image": {"L": 4}, "ising": {"L": 4}, "microphone": {"n": 8},
         "phi4": {"L": 3}, "product32": {}, "spin_glass": {}, "three_body": {"N": 6}}
LATTICES = ("image", "ising", "microphone", "phi4", "three_body")
CASES = [(name, layout, dtype) for name in SIZES for layout in (("shared", "unrolled") if name in LATTICES else
                                                                  ("auto",)) for dtype in ("float64", "float32")]


@lru_cache(maxsize=None)
def compiled(name: str, layout: str, dtype: str) -> hamc.Compiled:
    """check=False: float32 product32 is above the default tolerance, and is exported all the same."""
    options = hamc.BuildOptions(layout=layout, dtype=dtype)
    return hamc.compile(EXAMPLES / f"{name}.ham", params=SIZES[name], options=options, samples=200, check=False)


@lru_cache(maxsize=None)
def inputs(name: str, layout: str, dtype: str) -> np.ndarray:
    """64 inputs from the box, half of them at its corners, in the network's dtype."""
    c = compiled(name, layout, dtype)
    x, _ = sample_inputs(c.hamiltonian, c.options.input_range, 64, seed=7)
    return x[::max(1, len(x) // 64)][:64].astype(c.network.dtype)      # every configuration of few bits: 64 of them


def reference(name: str, layout: str, dtype: str) -> np.ndarray:
    """network(X) as (batch, n_outputs), the exporters' shape."""
    c = compiled(name, layout, dtype)
    x = inputs(name, layout, dtype)
    return c.network(x).reshape(len(x), len(c.network.outputs))


def bound(name: str, layout: str, dtype: str) -> float:
    """The certified bound on |network - H| (absolute): two evaluations of the network that each meet
    it are within twice of it of each other; the tests hold the exporters to once."""
    return compiled(name, layout, dtype).error_bound.absolute
