"""Reading .ham source: no pickle, bounded size, literals in range, characters and bytes named exactly."""
import os
import subprocess
import sys

import pytest

import hamc
from hamc.language.parse import MAX_SOURCE_CHARS, MAX_TOKENS

from conftest import REPO


def error(text: str, **kw) -> hamc.HamcError:
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(text, **kw)
    return info.value


# security ------------------------------------------------------------------------------------
NO_PICKLE = """
import pickle, sys
def refuse(*args, **kw):
    raise SystemExit("pickle.load called")
pickle.load = pickle.loads = pickle.Unpickler = refuse
import hamc
from hamc.language.parse import _parser
for run in range(2):            # lark's cache=True wrote its pickle on the first run and read it on the second
    _parser.cache_clear()
    hamc.compile("real x, y\\nH = x * y", samples=20)
print("ok")
"""


def test_no_pickle_is_loaded_and_no_parser_cache_is_left_in_tmp(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", NO_PICKLE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# characters and bytes ------------------------------------------------------------------------
@pytest.mark.parametrize("char, named", [
    ("\u2212", "U+2212 MINUS SIGN '\u2212': use '-'"),
    ("\x00", "U+0000 NULL"),
    ("\u200b", "U+200B ZERO WIDTH SPACE: use nothing (delete it)"),
    ("\u03b1", "U+03B1 GREEK SMALL LETTER ALPHA '\u03b1'"),
    ("\x1b", "U+001B (a control character)"),
])
def test_unexpected_characters_are_named_by_code_point(char, named):
    err = error(f"real x\nH = {char}x")
    assert (err.line, err.col, err.message) == (2, 5, f"syntax error: unexpected character {named}")


def test_echoed_line_shows_invisible_characters():
    err = error("real x\nH = x\x00 + 1")
    assert err.format().splitlines()[1:] == ["    H = x\ufffd + 1", "         ^"]


def test_a_leading_byte_order_mark_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.ham"
    path.write_bytes("\ufeffreal x\nH = 3 * x $".encode())
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert (info.value.line, info.value.col) == (2, 11)
    assert hamc.load("\ufeffreal x\nH = 3 * x").energies[0].n_terms == 1


def test_non_utf8_file_names_the_first_bad_byte(tmp_path):
    path = tmp_path / "latin1.ham"
    path.write_bytes(b"real x\n# caf\xe9 au lait\nH = x\n")
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert info.value.format() == (f"{path}:2:6: error: not UTF-8 text: byte 0xe9 at byte offset 12 "
                                   "(save the file as UTF-8)\n    # caf\ufffd au lait\n         ^")


def test_a_megabyte_line_is_echoed_clipped_around_the_caret():
    err = error("real x\nH = x " + "+ x " * 10_000 + " " * 1_000_000 + "$ + x" + " # comment" * 100_000)
    head, line, caret = err.format().splitlines()
    assert head == f"<text>:2:{1_040_007}: error: syntax error: unexpected character '$'"
    assert line == "    ..." + " " * 80 + "$ + x" + " # comment" * 7 + " # com..."
    assert caret == "    " + " " * 83 + "^"


# sizes ----------------------------------------------------------------------------------------
def test_more_tokens_than_the_limit_are_refused_before_parsing():
    err = error("real x\nH = x" + " + x" * (MAX_TOKENS // 2))
    assert err.format() == (f"<text>: error: the source has more than {MAX_TOKENS:,} tokens (names, numbers and "
                            "symbols); put large tables of coefficients in a .npy or .csv file and load() them")


def test_comments_and_space_do_not_count_as_tokens():
    text = "real x\n" + "# a comment line of words and symbols: + - * / ^ ( )\n" * 40_000 + "H = x\n"
    assert len(text) > 2_000_000
    assert hamc.load(text).energies[0].n_terms == 1


def test_a_file_beyond_16_mib_is_refused_unread(tmp_path):
    path = tmp_path / "big.ham"
    path.write_bytes(b"real x\nH = x\n" + b"#" * MAX_SOURCE_CHARS)
    with pytest.raises(hamc.HamcError) as info:
        hamc.load(path)
    assert info.value.format() == f"{path}: error: the file is larger than the limit of 16,777,216 bytes (16 MiB)"
    err = error("real x\nH = x\n" + "#" * MAX_SOURCE_CHARS)
    assert err.message == "the source is 16,777,229 characters long, more than the limit of 16,777,216 (16 MiB)"


# number literals ------------------------------------------------------------------------------
def test_huge_exponents_are_refused_in_files_and_params():
    err = error("real x\nH = 1e999999999 * x")
    assert (err.line, err.col, err.span.width, err.message) == (
        2, 5, 11, "the exponent of 1e999999999 is outside -1000..1000 (floating point ends near 1e308)")
    err = error("param J = 1\nreal x\nH = J * x", params={"J": "2 * 1.5E-1001"})
    assert (err.filename, err.col, err.message) == (
        "--param J", 5, "the exponent of 1.5E-1001 is outside -1000..1000 (floating point ends near 1e308)")
    assert error("real x\nH = 1e" + "9" * 5000 + " * x").message.startswith("the exponent of 1e99999")


def test_numbers_with_more_than_1000_digits_are_refused():
    err = error("real x\nH = " + "7" * 5000 + " * x")
    assert (err.col, err.span.width, err.message) == (
        5, 5000, "the number 7777777777777777...7777777777777777 has 5,000 digits; at most 1,000 are allowed")
    assert error("real x\nH = 0." + "1" * 1000 + " * x").message.endswith("has 1,001 digits; at most 1,000 are allowed")


def test_literals_at_the_limits_are_read():
    h = hamc.load("param a = 1e-300 * 1e300\nparam b = " + "9" * 18 + "\nreal x\nH = a * b * x")
    assert (h.params["a"], h.params["b"]) == (1, 10**18 - 1)
    # past the literal's check, floating point refuses them
    assert error("real x\nH = 1e1000 * x").message == "the number 1e1000 is too large for floating point"
    assert error("real x\nH = 1" + "0" * 999 + " * x").message.endswith("is too large for floating point")


def test_number_powers_too_large_for_floating_point_are_refused():
    err = error("real x\nH = 10^(10^10) * x")
    assert (err.col, err.message) == (5, "this number is too large for floating point (overflow)")


# what a str is -------------------------------------------------------------------------------
def test_a_one_line_name_ending_in_ham_is_a_path_even_when_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = error("runs/L=64.ham")
    assert err.format() == "runs/L=64.ham: error: cannot read 'runs/L=64.ham': no such file"
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "L=64.ham").write_text("param L = 64\nreal x\nH = L * x\n")
    assert hamc.load("runs/L=64.ham").params["L"] == 64
    assert hamc.load("real x; H = 2 * x").source == "<text>"


@pytest.mark.parametrize("call, expected", [
    (lambda: hamc.load(None), "expected a path or .ham text (str or os.PathLike), got NoneType"),
    (lambda: hamc.parse(b"real x\nH = x"), "parse takes .ham text (a str), got bytes; for a file use hamc.load(path)"),
])
def test_wrong_types_are_refused_with_what_was_expected(call, expected):
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == expected
