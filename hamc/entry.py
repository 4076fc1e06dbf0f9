"""The `hamc` command and `python -m hamc`: signal handlers first, then the command line and its imports."""
from __future__ import annotations

import sys

from . import signals


def main(argv: list[str] | None = None) -> int:
    signals.install()
    if (sys.argv[1:] if argv is None else argv) in (["--version"], ["-V"]):   # no NumPy for this
        from .version import version
        print(f"hamc {version()}")
        return 0
    try:
        from .cli import main as cli_main      # NumPy, SciPy, SymPy: about a second in which Ctrl-C must work
        return cli_main(argv)
    except KeyboardInterrupt as exc:
        signals.say("hamc: interrupted")
        return signals.exit_code(exc)
