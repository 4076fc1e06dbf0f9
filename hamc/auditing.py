"""(Hamiltonian, stored .npz) -> Audit: does a weights file, however it was made, compute H?

The file is read with load_network (which validates the format). Its inputs and outputs must be
the source's variables and energies in the same order, or the audit is refused (HamcError: the
network answers a different question). Then it is measured like any compile (verify(): the same
samples, NaN and inf counted as failures) on the input box and against the tolerance recorded in
its metadata, unless the caller gives others, and its recorded error bound, if any, must hold.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from math import isfinite

import numpy as np

from .io.npz import load_network
from .build.options import DEFAULT_TOL
from .errors import HamcError
from .ir.hamiltonian import Hamiltonian
from .loading import load
from .network.model import Network
from .verification import Verification, describe_sample, verify

DEFAULT_RANGE = (-1.0, 1.0)


@dataclass(frozen=True)
class Audit:
    path: str
    network: Network
    verification: Verification
    input_range: tuple[float, float]
    tol: float
    error_bound: float | None         # from the file's metadata, where it records one
    problems: tuple[str, ...]         # why the network fails; empty when it passes
    binary: bool = False              # every variable a bit or spin (the sample is of configurations)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rel_error_bound(self) -> float | None:
        return None if self.error_bound is None else self.error_bound / self.verification.scale

    def to_json(self) -> dict:
        net, meta = self.network, self.network.meta
        return {"network": self.path, "inputs": len(net.inputs), "outputs": list(net.outputs),
                **{key: meta.get(key) for key in ("strategy", "activation", "dtype", "layout")},
                "input_range": list(self.input_range), **self.verification.to_json(), "tol": self.tol,
                "error_bound": self.error_bound, "rel_error_bound": self.rel_error_bound,
                "ok": self.ok, "problems": list(self.problems)}

    def summary(self) -> str:
        j, v = self.to_json(), self.verification
        sampled = describe_sample(v, len(self.network.inputs), self.binary)
        errors = (f"max abs {v.max_abs_error:.3g}, max rel {v.max_rel_error:.3g}" if v.ok
                  else f"not finite (NaN or inf) on {v.nonfinite:,} inputs")
        bound = ("not recorded in the file" if self.error_bound is None else
                 f"{self.error_bound:.3g} (rel {self.rel_error_bound:.3g}), recorded in the file")
        lo, hi = self.input_range
        return "\n".join([
            f"network         {self.path}: {j['strategy']} ({j['activation']}, {j['dtype']}), {j['layout']} layout",
            f"inputs          {j['inputs']:,}, outputs {', '.join(j['outputs'])}: as declared in the source",
            f"input range     [{lo:g}, {hi:g}]",
            f"error           {errors} (on {sampled}; tol {self.tol:g})",
            f"error bound     {bound}",
        ] + [f"problem         {p}" for p in self.problems])


def recorded_bound(meta: dict) -> float | None:
    """The certified max |network - H| over the box, where the file records one (None otherwise).
    The audit checks the measured error against it: a file whose weights were altered after the
    bound was computed can exceed it."""
    bound = meta.get("error_bound")
    return float(bound) if isinstance(bound, (int, float)) and not isinstance(bound, bool) else None


def audit(source: Hamiltonian | str | os.PathLike, path: str | os.PathLike, *, input_range=None,
          tol: float | None = None, samples: int = 2000, seed: int = 0) -> Audit:
    """Check the network stored at `path` against H (a Hamiltonian, a .ham file or .ham text).
    `input_range` and `tol` default to those the file records (else [-1, 1] and the dtype's default)."""
    h = source if isinstance(source, Hamiltonian) else load(source)
    network = load_network(path)
    check_interface(network, h, str(path))
    meta = network.meta
    box = tuple(float(b) for b in (input_range if input_range is not None else meta.get("input_range", DEFAULT_RANGE)))
    if not (len(box) == 2 and all(isfinite(b) for b in box) and box[0] < box[1]):
        raise HamcError(f"input range {list(box)} must be finite with lo < hi", filename=str(path))
    tol = float(tol if tol is not None else meta.get("tol", DEFAULT_TOL.get(network.dtype.name, 1e-6)))
    if samples < 1:
        raise HamcError(f"the error check needs at least 1 random input (--samples), got {samples}")
    v = verify(network, h, input_range=box, samples=samples, seed=seed)
    bound = recorded_bound(meta)
    problems = []
    if not v.ok:
        problems.append(f"the output is not finite (NaN or inf) on {v.nonfinite:,} of {v.samples:,} inputs")
    elif v.max_rel_error > tol:
        problems.append(f"max_rel_error {v.max_rel_error:.3g} > tol {tol:g}")
    if v.ok and bound is not None and not v.max_abs_error <= bound:
        problems.append(f"the measured error {v.max_abs_error:.3g} exceeds the error bound {bound:.3g} "
                        "recorded in the file")
    return Audit(str(path), network, v, box, tol, bound, tuple(problems), bool(np.all(h.domains > 0)))


def check_interface(network: Network, h: Hamiltonian, path: str) -> None:
    """HamcError unless the network reads H's variables and computes H's outputs, in H's order."""
    outputs = tuple(h.labels) if h.is_classifier else ("H",)
    if tuple(network.outputs) != outputs:
        raise HamcError(f"the network computes {_list(network.outputs)} but {h.source} defines {_list(outputs)}: "
                        "it is not a network for this Hamiltonian", filename=path)
    if network.shared is not None:
        lay = network.shared
        arrays = [(a.name, tuple(a.shape), tuple(a.lows)) for a in h.variables]
        if arrays != [(lay.variable, tuple(lay.shape), tuple(lay.lows))]:
            declared = ", ".join(_array_text(*a) for a in arrays) or "no variables"
            raise HamcError(f"the network reads the periodic lattice {_array_text(lay.variable, lay.shape, lay.lows)} "
                            f"but {h.source} declares {declared}: it is not a network for this Hamiltonian",
                            filename=path)
        return
    ours, theirs = h.variable_labels(), network.inputs
    if len(ours) != len(theirs):
        raise HamcError(f"the network has {len(theirs):,} inputs ({_list(theirs)}) but {h.source} declares "
                        f"{len(ours):,} variables ({_list(ours)}): it is not a network for this Hamiltonian",
                        filename=path)
    for i, (mine, other) in enumerate(zip(ours, theirs)):
        if mine != other:
            raise HamcError(f"input {i} of the network is '{other}' but variable {i} of {h.source} is '{mine}': "
                            "it is not a network for this Hamiltonian, or its inputs are in another order",
                            filename=path)


def _list(names, shown: int = 4) -> str:
    head = list(names[:shown])
    return (", ".join(head) + (", ..." if len(names) > shown else "")) if head else "nothing"


def _array_text(name: str, shape, lows) -> str:
    if not len(shape):
        return name
    return f"{name}[{', '.join(f'{lo}..{lo + n - 1}' if lo else str(n) for n, lo in zip(shape, lows))}]"
