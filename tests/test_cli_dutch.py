"""The command line speaks Dutch everywhere: argparse's own refusals, the operating
system's, periods typed the Dutch (or the English) way, and thousands written alike."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from balie.cli import main

ENGLISH = re.compile(r"\b(invalid|choice|choose|unrecognized|arguments?|required|expected|"
                     r"error|usage|ambiguous|allowed|show|program|version number|"
                     r"No such|Permission|denied|directory|exit)\b")
"""Words of argparse's and the operating system's messages that must not reach a user."""


def refused(capsys, *argv) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("argv", [
    ["report", "--by", "x"], ["report", "--bogus"], ["ref"], ["report", "--day"],
    ["report", "--day", "1-3", "--month", "2"], ["bogus"], ["backup"],
    ["report", "--rou", "x"], ["serve", "--port", "abc"], ["report", "--width", "0"],
])
def test_argparse_refusals_are_dutch(capsys, made_db, argv):
    code, text = refused(capsys, "--db", str(made_db), *argv)
    assert code == 2
    assert not ENGLISH.search(text), text
    assert "--help" in text  # where to read more


def test_every_argparse_message_has_dutch_words():
    """Each message argparse can give (3.11's texts) is translated, not passed on."""
    from balie.cli.common import ARGPARSE_MESSAGES, dutch_error

    english = ["argument --by: invalid choice: 'x' (choose from 'a', 'b')",
               "argument --n: invalid int value: 'x'", "argument --day: expected one argument",
               "argument --n: expected at most one argument",
               "argument --n: expected at least one argument",
               "argument --n: expected 2 arguments", "argument --a: not allowed with argument --b",
               "argument --a: ignored explicit argument 'x'", "unrecognized arguments: --x",
               "the following arguments are required: PAD",
               "one of the arguments --a --b is required",
               "ambiguous option: --r could match --route, --route-at"]
    assert len(english) == len(ARGPARSE_MESSAGES) - 1  # the last passes Dutch on
    for message in english:
        assert not ENGLISH.search(dutch_error(message)), message


def test_version_and_help_are_dutch(capsys):
    code, text = refused(capsys, "--help")
    assert code == 0
    assert "toon het versienummer en stop" in text
    assert not ENGLISH.search(text.replace("--version", "")), text


def test_os_errors_are_dutch(capsys, made_db, tmp_path):
    code, text = refused(capsys, "--db", str(made_db), "import", str(tmp_path / "geen.csv"))
    assert code == 1
    assert "bestaat niet" in text and not ENGLISH.search(text)
    code, text = refused(capsys, "--db", str(made_db), "report", "--output",
                         str(tmp_path / "geen" / "map.txt"))
    assert "bestaat niet" in text and not ENGLISH.search(text)
    from balie.db.errors import store_error  # any other errno: Dutch too

    said = store_error(BrokenPipeError(32, "Broken pipe")).message
    assert "Broken" not in said and not ENGLISH.search(said)


@pytest.mark.parametrize(("argv", "says"), [
    (["--day", "today"], "bedoelt u vandaag?"),
    (["--month", "13"], "Er is geen maand 13"),
    (["--month", "blauw"], "is geen maand; bijvoorbeeld 3 of maart"),
])
def test_periods_typed_wrong_are_answered_for_what_was_asked(capsys, made_db, argv, says):
    code, text = refused(capsys, "--db", str(made_db), "report", *argv)
    assert code == 2 and says in text


@pytest.mark.parametrize(("month", "label"), [("3", "maart"), ("12", "december"),
                                              ("maart", "maart")])
def test_a_month_by_number_or_name_is_that_month(capsys, made_db, month, label):
    """``--month 3``, ``12`` and ``13`` all gave January; ``maart`` was refused."""
    code, text = refused(capsys, "--db", str(made_db), "report", "--month", month)
    assert code == 0
    assert text.startswith(f"Dorp x route, {label} 20")


def test_thousands_are_written_one_way():
    from balie.domain.numbers import count

    assert [count(n) for n in (0, 999, 1000, 7860, 1_000_000)] == [
        "0", "999", "1.000", "7.860", "1.000.000"]


def test_the_report_table_fits_the_terminal(capsys, made_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, text = refused(capsys, "--db", str(made_db), "report", "--month", "3")
    assert code == 0
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Cliëntond. = Cliëntondersteuning" in text
    code, text = refused(capsys, "--db", str(made_db), "report", "--month", "3", "--width",
                         "250")
    assert "Cliëntondersteuning  Maatschappelijk werk" in text


def test_a_reader_that_stops_early_is_not_a_bug(made_db):
    """``balie report | head`` closed the pipe and balie called that a program error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "balie", "--db", str(made_db), "report", "--month", "3",
         "--width", "80"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before balie writes (it starts slower)
    said = process.stderr.read().decode()
    assert process.wait() == 0
    assert "programmafout" not in said
