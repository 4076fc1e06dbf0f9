"""Bytes -> file, atomically: a temporary file in the same folder, renamed into place when complete."""
from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from ..errors import HamcError

try:
    import fcntl
except ImportError:                         # Windows: no advisory locks, no clean-up of stale temporaries
    fcntl = None

_STARTED = time.time()                      # a temporary older than this process is not one of ours


def temporary_pattern(name: str) -> re.Pattern:
    """The names tempfile.mkstemp gives our temporaries of output `name`: .NAME.<8 of [a-z0-9_]>.tmp"""
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temporaries(path: Path) -> list[str]:
    """Remove what a hamc killed by SIGKILL (or a power cut) left of `path`: its temporaries that are older
    than this process and that no live writer holds locked. Returns the names removed."""
    if fcntl is None:
        return []
    pattern, removed = temporary_pattern(path.name), []
    try:
        entries = [e for e in os.scandir(path.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return []
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_mtime >= _STARTED:
                continue
            with open(entry.path, "rb") as fh:  # another user's file, unreadable to us, is left alone
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)      # fails while its writer lives
                os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue
    return removed


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    path = Path(path)
    remove_stale_temporaries(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise HamcError(f"cannot write '{path}': {exc.strerror}", filename=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)  # held until renamed: tells other runs this one is alive
            fh.write(data)
            fh.flush()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)       # mkstemp makes 0600; these are ordinary output files
            if fcntl is not None:
                os.replace(tmp, path)
        if fcntl is None:
            os.replace(tmp, path)               # Windows renames only closed files
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise HamcError(f"cannot write '{path}': {exc.strerror}", filename=str(path)) from None
    except BaseException:                   # Ctrl-C, SIGTERM, SIGHUP included: never leave a partial file behind
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
