"""Shared helpers: the repository and example paths, cached loads, error capture, term tables, the CLI run."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import settings

import hamc
from hamc.cli import main

# in CI (CI=true): the same examples on every run, so a red build is reproducible
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
# the 3D Edwards-Anderson spin glass, couplings from J.npy (L, L, L, 3): EDWARDS_ANDERSON.format(L=...)
EDWARDS_ANDERSON = """param L = {L}
param J = load("J.npy", L, L, L, 3)
lattice G = cubic(L, L, L, periodic)
spin s[G]
H = -sum(i in 0..L-1, j in 0..L-1, k in 0..L-1: J[i,j,k,0] * s[i,j,k] * s[i+1,j,k]
         + J[i,j,k,1] * s[i,j,k] * s[i,j+1,k] + J[i,j,k,2] * s[i,j,k] * s[i,j,k+1])
"""


@lru_cache(maxsize=None)
def example(name: str) -> hamc.Hamiltonian:
    """An example file lowered with its default parameters (cached: Hamiltonians are immutable)."""
    return hamc.load(EXAMPLES / f"{name}.ham")


@lru_cache(maxsize=None)
def example_analysis(name: str) -> hamc.Analysis:
    return hamc.analyze(example(name))


def error(text: str, **kwargs) -> hamc.HamcError:
    """The HamcError that loading `text` raises (fails the test if it loads)."""
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(text, **kwargs)
    return info.value


def terms(h: hamc.Hamiltonian, k: int = 0) -> dict:
    """Energy k as {sorted tuple of variable labels: coefficient}, coefficients as hamc stores them."""
    poly = h.energies[k]
    out = {}
    for d, block in poly.monomials.items():
        for row, vars_ in enumerate(block):
            key = tuple(h.variable_label(int(v)) for v in vars_)
            assert key not in out, f"monomial {key} stored twice"
            out[key] = poly.coefficients[d].scalar(row)
    return out


def run(capsys, *argv) -> tuple[int, str, str]:
    """`hamc ARGV...` in-process: (exit code, stdout, stderr); a traceback is never printed to the user."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
