"""Network -> .npz weights file (plain NumPy, no pickles, byte-identical for identical networks)."""
from __future__ import annotations

from functools import partial

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..errors import HamcError
from ..ir.variables import VariableArray, VariableNames
from ..network.model import GateBlock, Network
from ..network.shared import SharedLayout
from ..network.local import LocalLayout
from .atomic import write_atomic

FORMAT = "hamc-network-1"
_EPOCH = (1980, 1, 1, 0, 0, 0)   # fixed zip timestamps: same network, same bytes


def network_arrays(net: Network) -> dict[str, np.ndarray]:
    """The .npz contents: every layer's weight as COO triplets (row = input, col = neuron)."""
    arrays = {
        "format": np.array(FORMAT),
        "n_layers": np.array(len(net.layers), np.int64),
        "outputs": np.array(net.outputs, dtype=str),
        "meta": np.array(json.dumps(net.meta, sort_keys=True)),
    }
    if net.shared is None:
        arrays["inputs"] = np.array(list(net.inputs), dtype=str)
    else:       # the inputs are the lattice's sites in C order: names follow from the variable
        lay = net.shared
        arrays.update({"lattice/shape": np.array(lay.shape, np.int64), "lattice/offsets": lay.offsets.astype(np.int64),
                       "lattice/variable": np.array(lay.variable), "lattice/lows": np.array(lay.lows, np.int64),
                       "pool/bias": lay.pool_bias, "pool/activation": np.array(lay.pool_activation)})
        if isinstance(lay, LocalLayout):
            arrays["local/coefficients"] = lay.coefficients
    for k, layer in enumerate(net.layers):
        w = sp.coo_matrix(layer.weight)
        order = np.lexsort((w.col, w.row))
        arrays[f"layer{k}/shape"] = np.array(layer.weight.shape, np.int64)
        arrays[f"layer{k}/rows"] = w.row[order].astype(np.int64)
        arrays[f"layer{k}/cols"] = w.col[order].astype(np.int64)
        arrays[f"layer{k}/values"] = w.data[order]
        arrays[f"layer{k}/bias"] = layer.bias
        arrays[f"layer{k}/activation"] = np.array(layer.activation)
        arrays[f"layer{k}/offset"] = layer.offset if layer.offset is not None else np.zeros_like(layer.bias)
        arrays[f"layer{k}/gates"] = np.array([[b.kind, b.count, b.size] for b in layer.gates] or
                                             np.empty((0, 3)), dtype=str)
        arrays[f"layer{k}/gate_labels"] = np.array([lab for b in layer.gates for lab in b.labels], dtype=str)
    return arrays


def npz_bytes(net: Network) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, array in network_arrays(net).items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue())
    return buffer.getvalue()


def write_npz(net: Network, path: str | os.PathLike) -> Path:
    """Write the weights file; it appears only when complete."""
    return write_atomic(path, npz_bytes(net))


def load_network(path: str | os.PathLike) -> Network:
    """Read a .npz written by write_npz back into a Network (sparse layers stay sparse). The file is
    checked against the format before anything it declares is allocated (HamcError naming the key)."""
    from ..network.model import make_layer
    from .npz_check import check_npz
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else "not a .npz file"
        raise HamcError(f"cannot read a network: {reason}", filename=str(path)) from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise HamcError(f"not a {FORMAT} file: a single array, not a .npz archive", filename=str(path))
    with npz as f:
        checked = check_npz(f, str(path), FORMAT)
    layers = []
    for k in checked["layers"]:
        labels = iter(k["labels"])
        gates = tuple(GateBlock(kind, count, size, tuple(next(labels) for _ in range(count)) if k["labels"] else ())
                      for kind, count, size in k["gates"])
        layers.append(make_layer(k["rows"], k["cols"], k["values"], k["shape"], k["bias"], k["activation"],
                                 k["bias"].dtype, gates, k["offset"]))
    shared, inputs = None, checked["inputs"]
    if checked["shared"] is not None:
        lat = checked["shared"]
        layout = partial(LocalLayout, coefficients=lat["coefficients"]) if "coefficients" in lat else SharedLayout
        shared = layout(lat["shape"], lat["offsets"], lat["pool_bias"], lat["pool_activation"], lat["variable"],
                        lat["lows"])
        inputs = VariableNames((VariableArray(shared.variable, "real", lat["lows"], lat["shape"], "periodic", 0),))
    return Network(tuple(layers), tuple(inputs) if shared is None else inputs, tuple(checked["outputs"]),
                   checked["meta"], shared)
