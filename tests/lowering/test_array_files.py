"""load() of coupling files: checked before they are read (regular file, .npy header and size),
and refused when they hold anything but real numbers that fit."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import hamc

from conftest import REPO

HAM = 'param J = load("{name}"{shape})\nreal x[2]\nH = sum(i in 0..1: J[i] * x[i])\n'


def refusal(tmp_path, name: str, shape: str = "", **kwargs) -> str:
    path = tmp_path / "model.ham"
    path.write_text(HAM.format(name=name, shape=shape))
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path, **kwargs)
    err = info.value
    assert (err.filename, err.line, err.col) == (str(path), 1, 16)        # at the quoted file name
    return err.message


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "J.npy")       # opening it for reading would block until a writer comes
    assert refusal(tmp_path, "J.npy").endswith("J.npy': not a regular file")
    os.mkfifo(tmp_path / "J.csv")
    assert refusal(tmp_path, "J.csv").endswith("J.csv': not a regular file")


def test_a_npy_header_is_checked_before_its_data_is_allocated(tmp_path):
    # a 128-byte file whose header declares 10^10 float64 values (80 GB)
    header = {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)}
    with open(tmp_path / "J.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
    assert refusal(tmp_path, "J.npy").endswith(
        "J.npy': its header declares 10,000,000,000 values (limit 20,000,000, --max-terms)")
    with open(tmp_path / "K.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, {**header, "shape": (1000,)})
        f.write(b"\0" * 80)
    assert refusal(tmp_path, "K.npy").endswith("truncated: its header declares 8,000 bytes of data, it holds 80")


def test_the_header_check_runs_under_a_small_address_space(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)}
    with open(tmp_path / "J.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
    (tmp_path / "model.ham").write_text(HAM.format(name="J.npy", shape=""))
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
            "from hamc.cli import main; raise SystemExit(main(['analyze', %r, '--max-terms', '20000000000']))"
            % str(tmp_path / "model.ham"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    # the limit raised past the header: the header is then checked against the file's length
    assert proc.returncode == 2 and "truncated: its header declares 80,000,000,000 bytes" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("values, what", [
    (np.array([1 + 2j, 3]), "complex numbers"),
    (np.array([1, 2], "timedelta64[s]"), "time differences (timedelta64)"),
    (np.array(["2020-01-01", "2021-01-01"], "datetime64[D]"), "dates (datetime64)"),
    (np.array(["a", "b"]), "text"),
    (np.array([(1, 2.0), (3, 4.0)], "i4,f8"), "records (a structured dtype)"),
])
def test_values_that_are_not_real_numbers_are_refused(tmp_path, values, what):
    np.save(tmp_path / "J.npy", values)
    assert refusal(tmp_path, "J.npy").endswith(f"it holds {what}, not real numbers (use bool, integers or floats)")


def test_unsigned_integers_must_fit_in_int64(tmp_path):
    np.save(tmp_path / "J.npy", np.array([2**64 - 1, 1], np.uint64))
    assert refusal(tmp_path, "J.npy").endswith("it holds the integer 18446744073709551615, beyond int64 "
                                               "(9223372036854775807)")
    np.save(tmp_path / "K.npy", np.array([2**63 - 1, 7], np.uint64))
    (tmp_path / "ok.ham").write_text(HAM.format(name="K.npy", shape=", 2"))
    h = hamc.load(tmp_path / "ok.ham")
    assert h.evaluate([[0, 1]]).tolist() == [7.0]
    for dtype in (bool, np.int8, np.uint32, np.float32):
        np.save(tmp_path / "L.npy", np.array([1, 0], dtype))
        (tmp_path / "ok.ham").write_text(HAM.format(name="L.npy", shape=""))
        assert hamc.load(tmp_path / "ok.ham").evaluate([[2, 3]]).tolist() == [2.0]


def test_an_empty_csv_is_a_clean_error_with_no_warning(tmp_path, capfd):
    (tmp_path / "J.csv").write_text("")
    (tmp_path / "K.csv").write_text("# only a comment\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert refusal(tmp_path, "J.csv").endswith("J.csv': it holds no numbers")
        assert refusal(tmp_path, "K.csv").endswith("K.csv': it holds no numbers")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_text_file_too_long_for_the_limit_is_refused_before_reading(tmp_path):
    (tmp_path / "J.csv").write_text("1," * 1000 + "1\n")
    assert refusal(tmp_path, "J.csv", max_terms=10).endswith(
        "J.csv': too large (2,002 bytes for at most 10 numbers, --max-terms)")
