"""hamc's version: the checkout's pyproject.toml when run from source, else the installed metadata."""
from __future__ import annotations

import re
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def version() -> str:
    """'0.1.0': a plain checkout (run with python -m hamc) reads its own pyproject.toml, so an older
    installed hamc elsewhere cannot answer for it; an installed hamc reads its package metadata."""
    try:
        text = _CHECKOUT.read_text(encoding="utf-8")
    except OSError:
        text = ""
    match = re.search(r'^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
    if match and 'name = "hamc"' in text:
        return match.group(1)
    from importlib.metadata import PackageNotFoundError, version as installed
    try:
        return installed("hamc")
    except PackageNotFoundError:
        return "0+unknown"
