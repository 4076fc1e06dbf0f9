"""Checks on coupling files before and after they are read: a regular file, a bounded .npy header,
real numbers that fit. `load()` in .ham files reads arrays through these."""
from __future__ import annotations

import math
import os
import stat
import warnings
from pathlib import Path

import numpy as np

# numbers of these kinds are accepted: bool, signed and unsigned integers (unsigned ones must fit
# in int64), floating point; complex, object, datetime/timedelta, strings and records are refused
ACCEPTED_KINDS = {"b": "bool", "i": "integer", "u": "unsigned integer", "f": "floating point"}
KIND_NAMES = {"c": "complex numbers", "m": "time differences (timedelta64)",
              "M": "dates (datetime64)", "U": "text", "S": "bytes", "V": "records (a structured dtype)"}


class ArrayFileError(ValueError):
    """A coupling file that cannot be used; the message names the file's problem, not its contents."""


def check_regular_file(path: Path) -> None:
    """A FIFO or a device would block or never end: refuse anything but a regular file, before opening."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ArrayFileError("file not found") from None
    except OSError as exc:
        raise ArrayFileError(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(mode):
        raise ArrayFileError("not a regular file")


def read_npy(path: Path, max_elements: int) -> np.ndarray:
    """np.load, after reading the header and checking its dtype and size (a 150-byte header can
    declare 80 GB) against `max_elements` and the file's length."""
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0) else
                           np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(f, max_header_size=10_000)
        except (ValueError, OSError, SyntaxError):
            # NumPy's own message may quote the header's bytes: say nothing of the content
            raise ArrayFileError("not a valid .npy file") from None
        check_dtype(dtype)
        elements = math.prod(shape)
        if elements > max_elements:
            raise ArrayFileError(f"its header declares {elements:,} values (limit {max_elements:,}, --max-terms)")
        size = os.fstat(f.fileno()).st_size
        if size - f.tell() < elements * dtype.itemsize:
            raise ArrayFileError(f"truncated: its header declares {elements * dtype.itemsize:,} bytes of data, "
                                 f"it holds {size - f.tell():,}")
    data = np.load(path, allow_pickle=False)
    return check_values(data)


def read_text(path: Path, delimiter: str | None, max_elements: int) -> np.ndarray:
    """np.loadtxt, refusing files too long to hold at most `max_elements` numbers and empty files
    (NumPy only warns about those)."""
    if os.stat(path).st_size > 64 * max(max_elements, 1):      # > 64 characters per allowed number
        raise ArrayFileError(f"too large ({os.stat(path).st_size:,} bytes for at most {max_elements:,} numbers, "
                             "--max-terms)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # "input contained no data" becomes an error, never printed
        try:
            data = np.loadtxt(path, delimiter=delimiter, ndmin=1)
        except UserWarning:
            raise ArrayFileError("it holds no numbers") from None
    if data.size == 0:
        raise ArrayFileError("it holds no numbers")
    return check_values(data)


def check_dtype(dtype: np.dtype) -> None:
    if dtype.kind == "O":
        raise ArrayFileError("it holds pickled Python objects, which are never loaded (allow_pickle=False)")
    if dtype.kind not in ACCEPTED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        what = KIND_NAMES.get(dtype.kind, f"{dtype} values")
        raise ArrayFileError(f"it holds {what}, not real numbers (use bool, integers or floats)")


def check_values(data: np.ndarray) -> np.ndarray:
    """Unsigned integers must fit in int64 (uint64 2^64 - 1 would wrap to -1)."""
    check_dtype(data.dtype)
    if data.dtype.kind == "u" and data.dtype.itemsize >= 8 and data.size and int(data.max()) > np.iinfo(np.int64).max:
        raise ArrayFileError(f"it holds the integer {int(data.max())}, beyond int64 ({np.iinfo(np.int64).max})")
    return data
