"""The command as a process: signals, start-up, exit codes, temporaries, and what its messages name."""
import fcntl
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import hamc
from hamc.io.atomic import write_atomic
from hamc.cli import main

from conftest import REPO

TINY = "real x, y\nH = x * y\n"

# the rename of the finished temporary is held up, so that a signal arrives while the output is written
SLOW_WRITE = """
import os, sys, time
real_replace = os.replace
def slow_replace(src, dst):
    print("writing", flush=True)
    time.sleep(60)
    real_replace(src, dst)
os.replace = slow_replace
from hamc.entry import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_signal_while_writing_removes_the_temporary_and_exits_128_plus_n(tmp_path, signum, code):
    (tmp_path / "tiny.ham").write_text(TINY)
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, "compile", str(tmp_path / "tiny.ham"), "-o", str(out),
                              "--samples", "20"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
        assert [p.name for p in out.iterdir()][0].startswith(".tiny.npz.")
        child.send_signal(signum)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert (child.returncode, err, sorted(out.iterdir())) == (code, "hamc: interrupted\n", [])


# Ctrl-C while NumPy, SciPy and SymPy load: hamc.cli's import is made to take a second
SLOW_IMPORT = """
import os, signal, sys, time
class SlowCli:
    def find_spec(self, name, path=None, target=None):
        if name == "hamc.cli":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        return None
sys.meta_path.insert(0, SlowCli())
from hamc.entry import main
sys.exit(main(["analyze", "examples/ising.ham"]))
"""


def test_ctrl_c_during_start_up_prints_one_line_and_exits_130():
    done = subprocess.run([sys.executable, "-c", SLOW_IMPORT], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "hamc: interrupted\n")


def test_the_entry_point_installs_its_handlers_before_the_heavy_imports():
    probe = ("import sys, hamc.entry\n"
             "print(sorted(m for m in ('numpy', 'scipy', 'sympy', 'lark', 'hamc.cli') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout == "[]\n"


def test_a_bug_in_hamc_exits_3_with_the_traceback(monkeypatch, capsys):
    def broken(h, **options):
        return 1 / 0
    monkeypatch.setattr("hamc.analysis.report.analyze", broken)
    assert main(["analyze", str(REPO / "examples" / "ising.ham")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("hamc: internal error in hamc (please report it): ZeroDivisionError: division by zero\n"
                          "Traceback (most recent call last):\n")
    assert err.endswith("    return 1 / 0\n           ~~^~~\nZeroDivisionError: division by zero\n")


# temporaries left by SIGKILL --------------------------------------------------------------------
def test_stale_temporaries_of_the_same_output_are_removed_and_nothing_else(tmp_path):
    names = [".x.npz.abcd_123.tmp", ".x.npz.abcd1234.tmp", ".x.npz.locked99.tmp", ".y.npz.abcd1234.tmp",
             ".x.npz.abcd1234.tmp.keep", "x.npz.abcd1234.tmp", ".x.npz.ABCD1234.tmp", ".x.npz.new12345.tmp"]
    long_ago = time.time() - 3600
    for name in names:
        (tmp_path / name).write_bytes(b"partial")
        if name != ".x.npz.new12345.tmp":          # made after this process started: maybe a live writer's
            os.utime(tmp_path / name, (long_ago, long_ago))
    with open(tmp_path / ".x.npz.locked99.tmp", "rb") as held:       # a live writer holds its lock
        fcntl.flock(held, fcntl.LOCK_EX)
        write_atomic(tmp_path / "x.npz", b"complete")
    removed = {".x.npz.abcd_123.tmp", ".x.npz.abcd1234.tmp"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(names) - removed | {"x.npz"})
    assert (tmp_path / "x.npz").read_bytes() == b"complete"


# arguments and what the messages name -------------------------------------------------------------
def test_negative_numbers_in_exponent_notation_are_values(capsys):
    code = main(["verify", str(REPO / "examples" / "ising.ham"), "--samples", "20", "--json",
                 "--input-range", "-1e10", "-1E-3"])
    assert code == 0
    code = main(["verify", str(REPO / "examples" / "ising.ham"), "--input-range", "-inf", "1"])
    assert (code, capsys.readouterr().err.split(": error: ")[1]) == (
        2, "input range [-inf, 1.0] must be finite with lo < hi\n")


def test_an_output_folder_that_cannot_be_made_names_the_option(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code = main(["compile", str(REPO / "examples" / "ising.ham"), "-o", str(tmp_path / "file" / "out")])
    assert (code, capsys.readouterr().err) == (
        2, f"hamc: error: -o/--output: cannot create the folder '{tmp_path / 'file' / 'out'}': Not a directory\n")


def test_errors_in_param_text_are_located_in_it_not_in_the_file(capsys):
    code = main(["analyze", str(REPO / "examples" / "ising.ham"), "--param", 'J=load("missing.npy")'])
    assert (code, capsys.readouterr().err) == (2, f"--param J:1:6: error: cannot load "
                                                  f"'{REPO / 'examples' / 'missing.npy'}': file not found\n"
                                                  '    load("missing.npy")\n         ^~~~~~~~~~~~~\n')


@pytest.mark.parametrize("suffix, content, reason", [
    (".txt", "1 2\n3 hunter2\n", "line 2, column 2 is not a number"),
    (".csv", "# couplings\n\n1,2\n3,secret\n", "line 4, column 2 is not a number"),
    (".txt", "# c\n1 2\n3 4 5\n", "line 3 has 3 columns, the lines before it 2"),
    (".npy", "\x93NUMPY\x01\x00 \x00{'descr': '<f8', 'secret': 1}    \n", "not a valid .npy file"),
])
def test_coupling_file_errors_quote_none_of_the_file(tmp_path, suffix, content, reason):
    (tmp_path / f"J{suffix}").write_text(content, encoding="latin-1")
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(f'param J = load("{tmp_path / f"J{suffix}"}")\nreal x\nH = J[0] * x')
    assert info.value.message == f"cannot load '{tmp_path / f'J{suffix}'}': {reason}"


@pytest.mark.parametrize("call, expected", [
    (lambda h: hamc.analyze(None), "hamc.analyze takes a Hamiltonian (from hamc.load), got NoneType"),
    (lambda h: hamc.analyze("file.ham"), "hamc.analyze takes a Hamiltonian (from hamc.load), got str; "
                                         "read a file or .ham text with hamc.load(...) first"),
    (lambda h: hamc.compile(h, options="bits"), "hamc.compile's options= takes a BuildOptions, as in "
                                                "BuildOptions(strategy='bits'), got str"),
    (lambda h: hamc.compile(h, samples=2.5), "hamc.compile's samples= takes an int, got float"),
    (lambda h: hamc.plan_products([h]), "hamc.plan_products takes a Hamiltonian (from hamc.load), got list"),
    (lambda h: hamc.load(TINY, params="J=1"), "params= takes a dict of parameter names to numbers, .ham text or "
                                              "arrays, got str"),
])
def test_the_api_refuses_wrong_types_saying_what_it_expected(call, expected):
    with pytest.raises(TypeError) as info:
        call(hamc.load(TINY))
    assert str(info.value) == expected


def test_api_entry_points_stay_functions_when_their_modules_are_imported():
    import hamc.analysis.report, hamc.language.parse, hamc.verification  # noqa: F401  (binds submodules)
    h = hamc.load(TINY)
    assert (hamc.analyze(h).degree, hamc.parse(TINY).statements[2].label) == (2, None)
    assert callable(hamc.verify) and hamc.compile(h, samples=np.int64(20)).verification.samples == 20
