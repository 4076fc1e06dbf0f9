"""BuildOptions: what the user chooses for a build (strategy, activation, dtype, tolerance, layout, limits)."""
from __future__ import annotations

import math
import os
import resource
from dataclasses import dataclass, field

import numpy as np

from ..errors import HamcError
from ..network.activations import ACTIVATIONS

STRATEGIES = ("auto", "tree", "flat", "bits")
DTYPES = ("float64", "float32")
LAYOUTS = ("auto", "shared", "unrolled", "local")
STRUCTURES = ("auto", "expanded", "factored")
GATES = ("auto", "single", "richardson", "paper")   # build.scales.unit_gate
DEFAULT_TOL = {"float64": 1e-6, "float32": 1e-2}


@dataclass(frozen=True)
class BuildOptions:
    strategy: str = "auto"              # auto | tree | flat | bits
    activation: str | None = None       # default: step for bits (exact), sigmoid otherwise
    dtype: str = "float64"              # float64 | float32
    tol: float | None = None            # max_rel_error to reach; default by dtype
    input_range: tuple[float, float] = (-1.0, 1.0)   # for real variables
    max_neurons: int = 1 << 22          # refuse larger flat networks before building them
    layout: str = "auto"                # auto | shared | unrolled | local (lattice Hamiltonians)
    max_memory: float = field(default_factory=lambda: 0.75 * physical_memory())   # bytes, unrolled builds
    structure: str = "auto"             # auto | expanded | factored (squares/products of linear forms)
    gates: str = "auto"                 # auto (single, richardson where --tol needs it) | single | richardson | paper

    def __post_init__(self):
        check_options(self)          # a BuildOptions that exists is a valid one (HamcError otherwise)

    @property
    def target_tol(self) -> float:
        return self.tol if self.tol is not None else DEFAULT_TOL[self.dtype]


def physical_memory() -> float:
    """The machine's memory, or the process's address-space limit (ulimit -v) if that is lower."""
    try:
        total = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        total = 16e9
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    return min(total, float(soft)) if soft != resource.RLIM_INFINITY and soft > 0 else total


def check_options(options: BuildOptions) -> None:
    if options.strategy not in STRATEGIES:
        raise HamcError(f"unknown strategy '{options.strategy}'; choose one of {', '.join(STRATEGIES)}")
    if options.layout not in LAYOUTS:
        raise HamcError(f"unknown layout '{options.layout}'; choose one of {', '.join(LAYOUTS)}")
    if options.structure not in STRUCTURES:
        raise HamcError(f"unknown structure '{options.structure}'; choose one of {', '.join(STRUCTURES)}")
    if options.gates not in GATES:
        raise HamcError(f"unknown gates '{options.gates}'; choose one of {', '.join(GATES)}")
    if options.dtype not in DTYPES:
        raise HamcError(f"unknown dtype '{options.dtype}'; choose float64 or float32")
    if options.activation is not None and options.activation not in ACTIVATIONS:
        raise HamcError(f"unknown activation '{options.activation}'; known: {', '.join(sorted(ACTIVATIONS))}")
    lo, hi = options.input_range
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise HamcError(f"input range [{lo}, {hi}] must be finite with lo < hi")
    if not options.target_tol > 0:
        raise HamcError(f"tolerance must be positive, got {options.target_tol}")
    memory = options.max_memory
    if isinstance(memory, bool) or not isinstance(memory, (int, float)) or not (math.isfinite(memory) and memory > 0):
        raise HamcError(f"the memory limit (--max-memory) must be a positive finite number, got {memory!r}")
