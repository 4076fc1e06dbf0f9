"""Hamiltonian or layout sizes -> the memory a build or its verification takes, refused beyond --max-memory."""
from __future__ import annotations

import numpy as np

from ..errors import HamcError
from ..ir.domain import Domain
from ..ir.hamiltonian import Hamiltonian
from .options import BuildOptions

# Bytes per weight while an unrolled layer is assembled (COO triplets, sorting, CSR): measured
# about 30 on the 10^6-spin Ising model; the estimate is meant to be pessimistic.
BYTES_PER_SYNAPSE = 100


# Bytes per (site, channel) of a shared layout's forward pass in verification: the sample, its
# patches and two layers' activations in float64, counted for the widest layer.
BYTES_PER_SITE_CHANNEL = 8
# Bytes per site of verifying a locally connected layout, one configuration at a time, its channels
# computed block by block of lattice rows: the sample in float64 and the exact energy's temporaries.
BYTES_PER_SITE_VERIFIED = 40


def unrolled_bytes(h: Hamiltonian, strategy: str) -> int:
    """A pessimistic estimate of the memory an unrolled build takes, from its terms (a lattice sum's
    from its one-site density, unexpanded). Python ints: a spin monomial of degree 1,100 becomes
    2^1100 bit monomials, beyond any float."""
    synapses = 0
    for vars_, copies in monomial_arrays(h):
        k = vars_.shape[1]
        if not k or not len(vars_):
            continue
        if strategy == "tree":
            synapses += copies * len(vars_) * 40 * max(k - 1, 1)
            continue
        # bits: each spin factor doubles the bit monomials (s = 2x - 1); flat: 2^k neurons per monomial
        doubling = (h.domains[vars_] == Domain.SPIN).sum(axis=1) if strategy == "bits" else np.full(len(vars_), k)
        for d, m in zip(*np.unique(doubling, return_counts=True)):
            synapses += copies * int(m) * 2 ** int(d) * (k + 1)
    return synapses * BYTES_PER_SYNAPSE


def monomial_arrays(h: Hamiltonian):
    """(variables of same-degree monomials, copies) over all outputs, without expanding lattice sums."""
    for p in h.energies:
        if p.expanded:
            yield from ((v, 1) for v in p.monomials.values())
            continue
        yield from ((v, 1) for v in p.explicit_monomials[0].values())
        for local in (p.density.local, p.density.disorder and p.density.disorder.local):
            degrees = local.degrees() if local else np.zeros(0, np.int64)
            for k in np.unique(degrees):
                yield local.vars[degrees == k][:, local.width - int(k):], p.density.sites


def shared_bytes(sites: int, patch: int, width: int) -> int:
    """A pessimistic estimate of the memory verifying a shared network takes: one configuration of
    every site, its patches and two layers of activations of the widest layer."""
    return sites * BYTES_PER_SITE_CHANNEL * (2 + 2 * patch + 2 * width)


def gigabytes(n: int | float) -> str:
    """n bytes in GB for a message, also for a count too large for a float."""
    return f"{n / 1e9:,.1f}" if n < 1e30 else f"10^{len(str(int(n))) - 10}"


def check_unrolled_memory(h: Hamiltonian, strategy: str, options: BuildOptions) -> None:
    """Refuse (HamcError) an unrolled build beyond --max-memory, estimated before the terms exist."""
    need = unrolled_bytes(h, strategy)
    if need > options.max_memory:
        hint = ("a translation-invariant lattice Hamiltonian fits in a few kilobytes with --layout shared"
                if strategy != "flat" else "the tree strategy needs far fewer neurons")
        raise HamcError(f"an unrolled network for this Hamiltonian needs about {gigabytes(need)} GB to build "
                        f"(limit {options.max_memory / 1e9:.1f} GB, --max-memory); {hint}")


def check_shared_memory(sites: int, patch: int, width: int, options: BuildOptions) -> None:
    """Refuse (HamcError) a shared or local layout whose verification would exceed --max-memory."""
    need = shared_bytes(sites, patch, width)
    if need > options.max_memory:
        raise HamcError(f"verifying this shared network on one configuration of its {sites:,} sites needs about "
                        f"{gigabytes(need)} GB (limit {options.max_memory / 1e9:.1f} GB, --max-memory)")


def local_bytes(density, itemsize: int) -> int:
    """A pessimistic estimate of the memory a locally connected layout built from a lattice sum's
    density takes to build and verify: at most one coefficient array per local term (and a float64
    copy of a field while it is rolled), then one configuration in float64 with the exact energy's
    temporaries (padded and rolled copies, a field in float64, a product of terms)."""
    terms = len(density.local) + (len(density.disorder.local) if density.disorder else 0)
    return density.sites * (terms * itemsize + 8 + BYTES_PER_SITE_VERIFIED)


def check_local_memory(density, options: BuildOptions) -> None:
    """Refuse (HamcError) a locally connected layout beyond --max-memory, before anything is allocated."""
    need = local_bytes(density, np.dtype(options.dtype).itemsize)
    if need > options.max_memory:
        smaller = local_bytes(density, 4)
        hint = (f"; in float32 it needs about {gigabytes(smaller)} GB (--dtype float32)"
                if options.dtype == "float64" and smaller <= options.max_memory else "")
        raise HamcError(f"this locally connected layout of {density.sites:,} sites needs about {gigabytes(need)} GB "
                        f"to build and verify (limit {options.max_memory / 1e9:.1f} GB, --max-memory){hint}")
