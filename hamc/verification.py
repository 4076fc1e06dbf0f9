"""(Network, Hamiltonian) -> Verification: the measured error against the exact polynomial."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .analysis.bounds import energy_scale, variable_bounds
from .ir.domain import Domain
from .ir.encoding import encode_states
from .ir.hamiltonian import Hamiltonian
from .network.model import Network
from .reprs import table, verification_rows

EXHAUSTIVE_MAX_BITS = 20
# A sample of configurations holds at most this many values: big lattices get fewer samples.
SAMPLE_MAX_ELEMENTS = 2_000_000
SAMPLE_MIN = 4
# Values of one layer's activations in a verification batch (128 MB in float64).
BATCH_ELEMENTS = 1 << 24


@dataclass(frozen=True)
class Verification:
    max_abs_error: float
    max_rel_error: float      # max_abs_error / scale
    scale: float              # S = sum_m |c_m| prod_i R_i^r_i (1 for a classifier's probabilities)
    samples: int
    exhaustive: bool
    target: str               # "energy" or "posterior"
    nonfinite: int = 0        # sampled inputs where an output was NaN or inf (the errors are then inf)

    @property
    def ok(self) -> bool:
        """Every output finite (a NaN compares as no error at all, so it is counted separately)."""
        return self.nonfinite == 0

    def _repr_html_(self) -> str:
        return table("Verification", verification_rows(self))

    def to_json(self) -> dict:
        # JSON has no inf: an error that is not finite is null, and `nonfinite` says why
        return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in asdict(self).items()}


def describe_sample(v: Verification, n_variables: int, binary: bool) -> str:
    """What the measured error was measured on, in words: all 2^n configurations, n random ones, or
    points of the box; a handful of rows of a huge model (memory allows no more) is called a smoke check."""
    if v.exhaustive:
        return f"all 2^{n_variables} configurations"
    text = (f"{v.samples:,} random configurations" if binary else
            f"{v.samples:,} points of the input box, half at its corners")
    if v.samples < 100:
        text += f": a smoke check of a {n_variables:,}-variable model, not a test"
    return text


def sample_inputs(h: Hamiltonian, input_range, samples: int, seed: int) -> tuple[np.ndarray, bool]:
    """All configurations of up to 20 bits/spins (int8); otherwise a seeded sample of the box, half
    corners and half uniform (fewer rows for huge systems, to stay under SAMPLE_MAX_ELEMENTS values)."""
    if any(a.states for a in h.variables):
        return _valid_one_hot_inputs(h, input_range, samples, seed)
    return _box_inputs(h, input_range, samples, seed, exhaustive=True)


def _box_inputs(h: Hamiltonian, input_range, samples: int, seed: int, exhaustive: bool) -> tuple[np.ndarray, bool]:
    n = h.n_variables
    binary = bool(np.all(h.domains > 0))
    if binary and exhaustive and n <= EXHAUSTIVE_MAX_BITS:
        bits = ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.int8)
        return np.where(h.domains == Domain.SPIN, 2 * bits - 1, bits).astype(np.int8), True
    samples = max(min(samples, SAMPLE_MAX_ELEMENTS // max(n, 1)), min(samples, SAMPLE_MIN if n <= SAMPLE_MAX_ELEMENTS
                                                                      // SAMPLE_MIN else 1))
    rng = np.random.default_rng(seed)
    coin = rng.integers(0, 2, size=(samples, n), dtype=np.int8)
    if binary:      # bits and spins stay int8: exact, and a quarter of the memory
        return np.where(h.domains == Domain.SPIN, 2 * coin - 1, coin).astype(np.int8), False
    lo, hi = variable_bounds(h, input_range)
    x = rng.uniform(lo, hi, size=(samples, n))
    # half the rows are corners of the box, where high-degree products are largest and the
    # gates' truncation errors peak; two of them are the all-lo and all-hi corners
    corners = (samples + 1) // 2
    x[:corners] = np.where(rng.integers(0, 2, size=(corners, n)) == 1, hi, lo)
    x[0], x[min(1, samples - 1)] = lo, hi
    return np.where(h.domains == Domain.BIT, coin, np.where(h.domains == Domain.SPIN, 2.0 * coin - 1, x)), False


def _valid_one_hot_inputs(h: Hamiltonian, input_range, samples: int, seed: int) -> tuple[np.ndarray, bool]:
    """Inputs in which each discrete variable has exactly one of its q bits set (its state): all
    of them when there are at most 2^20 configurations, else a seeded sample."""
    choices = [len(a.states) or (0 if Domain.of(a.domain) == Domain.REAL else 2)
               for a in h.variables for _ in range(a.size // (len(a.states) or 1))]
    count = int(np.prod(choices, dtype=object)) if choices else 1
    if 0 not in choices and count <= 2 ** EXHAUSTIVE_MAX_BITS and count * h.n_variables <= SAMPLE_MAX_ELEMENTS * 16:
        radix = np.array(choices, np.int64)
        place = np.concatenate([[1], np.cumprod(radix[:-1])]).astype(np.int64)
        picks = (np.arange(count)[:, None] // place) % radix
        exhaustive = True
    else:
        x, _ = _box_inputs(h, input_range, samples, seed, exhaustive=False)
        picks = np.random.default_rng(seed).integers(0, np.maximum(choices, 1), size=(len(x), len(choices)))
        exhaustive = False
    x_choices = picks.astype(np.float64)
    column = 0
    for a in h.variables:         # non-discrete columns: a bit is its pick, a spin 2 pick - 1, a real as sampled
        n = a.size // (len(a.states) or 1)
        if not a.states and Domain.of(a.domain) != Domain.BIT:
            x_choices[:, column:column + n] = 2 * picks[:, column:column + n] - 1 if Domain.of(a.domain) == \
                Domain.SPIN else x[:, a.offset:a.offset + a.size]
        column += n
    out = encode_states(h.variables, x_choices)
    return (out.astype(np.int8) if 0 not in choices else out.astype(np.float64)), exhaustive


def verify(network: Network, h: Hamiltonian, *, input_range=(-1.0, 1.0), samples: int = 2000,
           seed: int = 0, batch: int = 4096) -> Verification:
    """Compare the network with `Hamiltonian.evaluate` (or the exact posterior for a classifier)."""
    x, exhaustive = sample_inputs(h, input_range, samples, seed)
    worst, nonfinite = 0.0, 0
    # an unrolled layer's activations are (batch, neurons): 493,600 neurons x 2,000 rows was 7.4 GiB
    widest = max([layer.n_out for layer in network.layers] if network.shared is None else [1])
    batch = max(1, min(batch, SAMPLE_MAX_ELEMENTS // (4 * max(h.n_variables, 1)), BATCH_ELEMENTS // max(widest, 1)))
    for start in range(0, len(x), batch):
        chunk = x[start:start + batch]
        exact = h.posterior(chunk) if h.is_classifier else h.evaluate(chunk)
        with np.errstate(invalid="ignore", over="ignore"):
            got = np.asarray(network(chunk), dtype=np.float64)
            error = np.abs(got - exact).reshape(len(chunk), -1)
        # max() skips NaN (max(0.0, nan) is 0.0): non-finite rows are counted, never compared
        finite = np.all(np.isfinite(error), axis=1)
        nonfinite += int(np.count_nonzero(~finite))
        worst = max(worst, float(np.max(error[finite], initial=0.0)))
    scale = 1.0 if h.is_classifier else max(energy_scale(h, input_range), np.finfo(float).tiny)
    if nonfinite:
        worst = float("inf")
    return Verification(worst, worst / scale, scale, len(x), exhaustive,
                        "posterior" if h.is_classifier else "energy", nonfinite)
