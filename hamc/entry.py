"""The `hamc` command and `python -m hamc`: signal handlers first, then the command line and its imports."""
from __future__ import annotations

from . import signals


def main(argv: list[str] | None = None) -> int:
    signals.install()
    try:
        from .cli import main as cli_main      # NumPy, SciPy, SymPy: about a second in which Ctrl-C must work
        return cli_main(argv)
    except KeyboardInterrupt as exc:
        signals.say("hamc: interrupted")
        return signals.exit_code(exc)
