"""Hamiltonian -> bounds on the input box: each variable's range and magnitude, and S, the largest |H|
can reach (the scale of relative errors; the builder sizes its gates by these, verification reports by S)."""
from __future__ import annotations

import numpy as np

from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian


def variable_bounds(h: Hamiltonian, input_range: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Per variable (lo, hi): reals from `input_range`, bits [0, 1], spins [-1, 1]."""
    lo = np.select([h.domains == Domain.BIT, h.domains == Domain.SPIN], [0.0, -1.0], input_range[0])
    hi = np.select([h.domains == Domain.BIT, h.domains == Domain.SPIN], [1.0, 1.0], input_range[1])
    return lo.astype(np.float64), hi.astype(np.float64)


def magnitude_bounds(h: Hamiltonian, input_range) -> np.ndarray:
    lo, hi = variable_bounds(h, input_range)
    return np.maximum(np.abs(lo), np.abs(hi))


class _MagnitudeByDomain:
    """magnitude_bounds(h, input_range)[index] without a float per variable (8 GB at 10^9 sites)."""

    def __init__(self, h: Hamiltonian, input_range):
        self.domains, self.by_domain = h.domains, np.array([max(abs(input_range[0]), abs(input_range[1])), 1.0, 1.0])   # by Domain code

    def __getitem__(self, index):
        return self.by_domain[self.domains[index]]


def energy_scale(h: Hamiltonian, input_range) -> float:
    """S: the largest |H| can reach on the input box, bounded term by term."""
    bound = _MagnitudeByDomain(h, input_range)
    with np.errstate(over="ignore"):        # an overflow is S = inf, which the builder refuses
        return max(p.bound(bound) for p in h.energies)
