"""Bytes -> file, atomically: a temporary file in the same folder, renamed into place when complete."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import HamcError


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise HamcError(f"cannot write '{path}': {exc.strerror}", filename=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)       # mkstemp makes 0600; these are ordinary output files
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise HamcError(f"cannot write '{path}': {exc.strerror}", filename=str(path)) from None
    except BaseException:                   # Ctrl-C included: never leave a partial file behind
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
