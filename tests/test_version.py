"""hamc.__version__ and `hamc --version`: the project's version, answered without the numerical stack."""
import subprocess
import sys
import tomllib

import pytest

import hamc
from conftest import REPO


def _project_version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_version_attribute_is_the_project_version():
    assert hamc.__version__ == _project_version()


def test_version_flag_prints_it_without_importing_numpy_or_sympy():
    code = ("import sys; from hamc.entry import main; code = main(['--version']); "
            "print(code, sorted(m for m in ('numpy', 'sympy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == [f"hamc {_project_version()}", "0 []"]


def test_version_in_the_parser_too(capsys):
    from hamc.cli import main
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"hamc {_project_version()}\n"
