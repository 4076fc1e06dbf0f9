"""Start-up: the command line imports a stage's libraries only when it runs that stage."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

import hamc.arguments as cli

HEAVY = ("sympy", "scipy", "networkx", "torch", "jax")


def _modules_after(code: str) -> list[str]:
    probe = code + f"\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_imports_none_of_the_stages_libraries():
    assert _modules_after("import contextlib, io, hamc.cli\n"
                          "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                          "    hamc.cli.main(['compile', '--help'])") == []


def test_analyze_of_a_lattice_sum_needs_no_sympy_scipy_or_networkx():
    loaded = _modules_after("import contextlib, io, hamc.cli\n"
                            "with contextlib.redirect_stdout(io.StringIO()):\n"
                            "    assert hamc.cli.main(['analyze', 'examples/ising.ham']) == 0")
    assert loaded == []


def test_analyze_loads_the_parser_from_its_tables_without_compiling_the_grammar():
    # lark compiles a grammar in Lark.__init__ (~0.3 s); loading the shipped tables never calls it
    assert _modules_after("import contextlib, io, lark, hamc.cli\n"
                          "def refuse(*args, **kwargs):\n"
                          "    raise AssertionError('the grammar was compiled')\n"
                          "lark.Lark.__init__ = refuse\n"
                          "with contextlib.redirect_stdout(io.StringIO()):\n"
                          "    assert hamc.cli.main(['analyze', 'examples/ising.ham']) == 0") == []


def test_the_command_line_choices_are_those_of_the_stages():
    from hamc.build import options
    from hamc.draw import diagram, dot, figures, gate_view, output, style
    from hamc import pipeline
    from hamc.lowering import lower
    assert (cli.STRATEGIES, cli.DTYPES, cli.LAYOUTS) == (options.STRATEGIES, options.DTYPES, options.LAYOUTS)
    assert (cli.STRUCTURES, cli.GATES) == (options.STRUCTURES, options.GATES)
    assert (cli.DETAILS, cli.STYLES, cli.PNG_DPI) == (gate_view.DETAILS, style.STYLES, dot.PNG_DPI)
    assert cli.CHECKS == pipeline.CHECKS and cli.DEFAULT_MAX_TERMS == lower.DEFAULT_MAX_TERMS
    assert (cli.LABEL_MODES, cli.BIAS_MODES) == (diagram.LABEL_MODES, diagram.BIAS_MODES)
    assert (cli.VIEWS, cli.FORMATS, cli.FIGURES) == (output.VIEWS, output.FORMATS, figures.FIGURES)
