"""Hamiltonian -> network-quality table: the paper's construction, hamc's default and the flat count, per dtype."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .build.options import BuildOptions
from .errors import HamcError
from .ir.hamiltonian import Hamiltonian
from .pipeline import compile_hamiltonian

DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class Quality:
    """One construction's size and measured error (None: refused, `note` says why)."""
    neurons: int | None
    max_rel_error: float | None
    rel_error_bound: float | None
    gates: str = ""
    note: str = ""


@dataclass(frozen=True)
class QualityRow:
    """Per dtype: the paper's construction (its 4-neuron gates at ln(2 + sqrt 3) on hamc's product
    plan, tree strategy), hamc's default (the options given) and the single-hidden-layer count."""
    dtype: str
    paper: Quality
    default: Quality
    flat_neurons: int

    def to_json(self) -> dict:
        return {"dtype": self.dtype, "paper": vars(self.paper), "hamc": vars(self.default),
                "flat_hidden_neurons": self.flat_neurons}


def compare(h: Hamiltonian, *, options: BuildOptions, samples: int = 2000, seed: int = 0) -> tuple[QualityRow, ...]:
    """The quality table for h: each construction compiled and measured without holding it to --tol."""
    rows = []
    for dtype in DTYPES:
        # float32's default tolerance is looser: keep the user's --tol only for their own dtype
        tol = options.tol if dtype == options.dtype else None
        default = replace(options, dtype=dtype, tol=tol)
        paper = replace(default, strategy="tree", gates="paper", layout="auto", activation=None,
                        structure="expanded")      # the paper: one gate per monomial
        measured = [_quality(h, o, samples, seed) for o in (paper, default)]
        rows.append(QualityRow(dtype, measured[0][0], measured[1][0], measured[1][1] or measured[0][1] or 0))
    return tuple(rows)


def _quality(h: Hamiltonian, options: BuildOptions, samples: int, seed: int) -> tuple[Quality, int | None]:
    try:
        c = compile_hamiltonian(h, options=options, samples=samples, seed=seed, check=False)
    except HamcError as err:
        return Quality(None, None, None, note=str(err).split(": error: ")[-1]), None
    j = c.to_json()
    return Quality(j["hidden_neurons"], j["max_rel_error"], j["rel_error_bound"], j.get("gates", "")), \
        j["flat_hidden_neurons"]


def _error(x: float | None) -> str:
    return "-" if x is None else f"{x:.1e}"


def quality_table(rows: tuple[QualityRow, ...], example: str = "") -> str:
    """A Markdown table: neurons and max_rel_error (certified bound) per construction and dtype;
    `example` adds a first column with that name (the README's table over all examples)."""
    header = (["example"] if example else []) + [
        "dtype", "paper: neurons", "paper: max_rel_error (bound)", "hamc: neurons", "hamc: max_rel_error (bound)",
        "hamc gates", "flat: neurons"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = ([example] if example else []) + [row.dtype, *_cells(row.paper), *_cells(row.default),
                                                  row.default.gates or "-", f"{row.flat_neurons:,}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cells(q: Quality) -> list[str]:
    if q.neurons is None:
        return ["refused", q.note]
    return [f"{q.neurons:,}", f"{_error(q.max_rel_error)} ({_error(q.rel_error_bound)})"]
