"""A .npz weights file checked against the format before anything it declares is allocated:
every key present with its dtype and shape, sizes consistent between layers, indices in range,
activations known. Errors name the file and the key."""
from __future__ import annotations

import json
import math
import zipfile

import numpy as np

from ..errors import HamcError
from ..network.model import ACTIVATION_FUNCTIONS

# Values all arrays of a file may declare together (their headers are read before their data: a
# compressed member of 150 kB can declare 8 GB of zeros).
MAX_VALUES = 1 << 28
MAX_SITES = 1_000_000_000
_KINDS = {"int": "iu", "float": "f", "number": "fiu", "text": "U"}


class NpzChecker:
    """Reads the headers and small arrays of an open np.load(...) NpzFile, refusing what does not fit."""

    def __init__(self, npz, path: str, format_name: str, max_values: int = MAX_VALUES):
        self.npz, self.path, self.format = npz, path, format_name
        self.headers = {}
        total = 0
        for member in npz.zip.namelist():
            with npz.zip.open(member) as stream:
                try:
                    version = np.lib.format.read_magic(stream)
                    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                              else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = reader(stream, max_header_size=10_000)
                except (ValueError, OSError, SyntaxError, zipfile.BadZipFile):
                    raise self.error(member.removesuffix(".npy"), "is not a NumPy array") from None
            self.headers[member.removesuffix(".npy")] = (shape, dtype)
            total += math.prod(shape)
            if total > max_values:
                raise self.error(member.removesuffix(".npy"), f"brings the values declared to {total:,} "
                                 f"(limit {max_values:,})")

    def error(self, key: str, message: str) -> HamcError:
        return HamcError(f"not a valid {self.format} file: key '{key}' {message}", filename=self.path)

    def array(self, key: str, kind: str, ndim: int, length: int | None = None) -> np.ndarray:
        """The array under `key`, after its header: dtype kind, rank, and length of its first axis."""
        if key not in self.headers:
            raise self.error(key, "is missing")
        shape, dtype = self.headers[key]
        if dtype.kind not in _KINDS[kind] or dtype.fields is not None:
            raise self.error(key, f"holds {dtype}, expected {kind} values")
        if len(shape) != ndim:
            raise self.error(key, f"has shape {shape}, expected {ndim} dimension(s)")
        if length is not None and shape[0] != length:
            raise self.error(key, f"has {shape[0]:,} entries, expected {length:,}")
        data = self.npz[key]
        if kind in ("float", "number") and data.dtype.kind == "f" and not np.all(np.isfinite(data)):
            raise self.error(key, "contains NaN or infinite values")
        return data

    def text(self, key: str, allowed=None) -> str:
        value = str(self.array(key, "text", 0))
        if allowed is not None and value not in allowed:
            raise self.error(key, f"is '{value[:40]}', expected one of {', '.join(sorted(allowed))}")
        return value

    def count(self, key: str, data: np.ndarray, upper: int, what: str) -> None:
        """Every entry an index in 0..upper-1."""
        if data.size and (int(data.min()) < 0 or int(data.max()) >= upper):
            raise self.error(key, f"has an index out of range 0..{upper - 1} ({what})")


def check_npz(npz, path: str, format_name: str) -> dict:
    """Validate the whole file; return what load_network needs to build the Network (arrays checked)."""
    c = NpzChecker(npz, path, format_name)
    if c.text("format") != format_name:
        raise c.error("format", f"is '{str(npz['format'])[:40]}', expected '{format_name}'")
    n_layers = int(c.array("n_layers", "int", 0))
    if not 1 <= n_layers <= 10_000:
        raise c.error("n_layers", f"is {n_layers}, expected 1 to 10,000")
    outputs = c.array("outputs", "text", 1).tolist()
    try:
        meta = json.loads(c.text("meta"))
    except json.JSONDecodeError:
        raise c.error("meta", "is not JSON") from None
    if not isinstance(meta, dict):
        raise c.error("meta", "is not a JSON object")
    shared = "lattice/shape" in c.headers
    out = {"n_layers": n_layers, "outputs": outputs, "meta": meta, "layers": [], "shared": None, "inputs": None}
    if shared:
        out["shared"] = _lattice(c)
        n_in = len(out["shared"]["offsets"])
    else:
        out["inputs"] = c.array("inputs", "text", 1).tolist()
        n_in = len(out["inputs"])
    for k in range(n_layers):
        out["layers"].append(_layer(c, f"layer{k}/", n_in))
        n_in = out["layers"][-1]["shape"][1]
    if shared and "local/coefficients" in c.headers:    # a locally connected layout: one column per pattern
        out["shared"]["coefficients"] = _coefficients(c, n_in, out["shared"]["shape"])
        n_in = 1                                          # weighed per site and summed: one energy
    if n_in != len(outputs):
        raise c.error(f"layer{n_layers - 1}/shape", f"has {n_in:,} outputs, but 'outputs' names {len(outputs):,}")
    if shared and len(out["shared"]["pool_bias"]) != len(outputs):
        raise c.error("pool/bias", f"has {len(out['shared']['pool_bias']):,} entries for {len(outputs):,} outputs")
    return out


def _lattice(c: NpzChecker) -> dict:
    shape = c.array("lattice/shape", "int", 1)
    if not 1 <= len(shape) <= 8 or np.any(shape < 1) or math.prod(int(n) for n in shape) > MAX_SITES:
        raise c.error("lattice/shape", f"is {shape.tolist()[:8]}, expected 1 to 8 positive sizes, at most "
                                       f"{MAX_SITES:,} sites")
    offsets = c.array("lattice/offsets", "int", 2)
    if offsets.shape[1] != len(shape) or np.any(np.abs(offsets) > np.max(shape)):
        raise c.error("lattice/offsets", f"has shape {offsets.shape}, expected (patch, {len(shape)}) lattice vectors")
    lows = c.array("lattice/lows", "int", 1, len(shape))
    return {"shape": tuple(int(n) for n in shape), "offsets": offsets, "lows": tuple(int(n) for n in lows),
            "variable": c.text("lattice/variable"), "pool_bias": c.array("pool/bias", "float", 1),
            "pool_activation": c.text("pool/activation", set(ACTIVATION_FUNCTIONS))}


def _coefficients(c: NpzChecker, patterns: int, shape: tuple[int, ...]) -> np.ndarray:
    coefficients = c.array("local/coefficients", "float", 1 + len(shape))
    if coefficients.shape != (patterns,) + shape:
        raise c.error("local/coefficients", f"has shape {coefficients.shape}, expected {(patterns,) + shape} "
                                            "(the last layer's outputs, then the lattice)")
    return coefficients


def _layer(c: NpzChecker, prefix: str, n_in: int) -> dict:
    shape = c.array(prefix + "shape", "int", 1, 2)
    if int(shape[0]) != n_in or int(shape[1]) < 0:
        raise c.error(prefix + "shape", f"is {shape.tolist()}, but the layer before gives {n_in:,} inputs")
    n_out = int(shape[1])
    bias = c.array(prefix + "bias", "float", 1, n_out)       # stored values: n_out is bounded by the file
    rows = c.array(prefix + "rows", "int", 1)
    cols = c.array(prefix + "cols", "int", 1, len(rows))
    values = c.array(prefix + "values", "number", 1, len(rows))
    c.count(prefix + "rows", rows, n_in, "the layer's inputs")
    c.count(prefix + "cols", cols, n_out, "the layer's neurons")
    gates = c.array(prefix + "gates", "text", 2)
    if gates.size and gates.shape[1] != 3:
        raise c.error(prefix + "gates", f"has shape {gates.shape}, expected (gates, 3)")
    try:
        entries = [(str(kind), int(count), int(size)) for kind, count, size in gates.tolist()]
    except ValueError:
        raise c.error(prefix + "gates", "has a count or size that is not a whole number") from None
    if any(count < 0 or size < 0 for _, count, size in entries) or sum(n * s for _, n, s in entries) > n_out:
        raise c.error(prefix + "gates", f"describes more than the layer's {n_out:,} neurons")
    labels = c.array(prefix + "gate_labels", "text", 1).tolist()
    if labels and len(labels) != sum(n for _, n, _ in entries):
        raise c.error(prefix + "gate_labels", f"has {len(labels):,} labels for {sum(n for _, n, _ in entries):,} gates")
    return {"shape": (n_in, n_out), "bias": bias, "rows": rows, "cols": cols, "values": values, "gates": entries,
            "labels": labels, "offset": c.array(prefix + "offset", "float", 1, n_out),
            "activation": c.text(prefix + "activation", set(ACTIVATION_FUNCTIONS))}
