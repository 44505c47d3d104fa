"""Every command of the command line, driven with generated arguments: whatever is
typed (dates of year 1 or 9999, numbers beyond 64 bits, paths to folders, devices,
nowhere), balie answers with a message and an exit code, never exit 70 (a bug) and
never a traceback."""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.cli import main
from balie.db import open_database
from tests.conftest import fill_fixture

DAY_FORMS = (
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.day} maart {d.year}",
    lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    lambda d: f"{d.year}-{d.month:02d}",
    lambda d: str(d.year),
)
days = st.one_of(  # the edges of what datetime holds, where arithmetic overflows
    st.dates(date.min, date(1, 1, 31)), st.dates(date(9999, 12, 1), date.max),
    st.dates(date.min, date.max), st.dates(date(1899, 12, 1), date(2200, 1, 31)))
dates = st.one_of(
    st.builds(lambda day, form: form(day), days, st.sampled_from(DAY_FORMS)),
    st.sampled_from(["vandaag", "gisteren", "vr", "12-3", "31-2", "0-0-0", "9999-12-31",
                     "0001-01-01", "29-2-2100", ""]),
    st.text(max_size=12),
)
numbers = st.one_of(
    st.integers(-2**70, 2**70).map(str),
    st.sampled_from(["0", "-1", str(2**63), str(2**63 - 1), str(2**64), "1e9", "٣", "1_000",
                     " 7 ", "+5"]),
    st.text(max_size=8),
)
words = st.text(max_size=20)

# (what a template's placeholder stands for, the strategy that fills it)
PATHS = ("nieuw.csv", "bestaat.csv", "map", "geen/map/x.db", "/dev/full", "/dev/null",
         "/proc/version", "", "regel\nbreuk.csv", "/", "bestaat.csv/onder")
TEMPLATES = [
    ["info"],
    ["demo", "--days", "N", "--per-day", "N", "--seed", "N"],
    ["backup", "P"],
    ["report", "--day", "D"], ["report", "--week", "D"], ["report", "--month", "D"],
    ["report", "--quarter", "D"], ["report", "--year", "D"],
    ["report", "--from", "D", "--to", "D", "--by", "area"],
    ["report", "--year", "D", "--factsheet", "--suppress"],
    ["report", "--month", "D", "--format", "csv", "--output", "P"],
    ["import", "--dry-run", "P"], ["import", "P"],
    ["rules", "show"], ["rules", "load", "--check", "P"],
    ["ref", "list", "villages"],
    ["ref", "add", "villages", "T", "--area", "Beilen", "--inhabitants", "N"],
    ["ref", "set", "villages", "Elp", "--inhabitants", "N"],
    ["ref", "set", "routes", "Afgehandeld aan de balie", "--retention-months", "N"],
    ["ref", "rename", "topics", "T", "T"], ["ref", "retire", "staff", "T"],
    ["settings"], ["settings", "set", "max-wait-hours", "N"],
    ["settings", "set", "office-hours", "T"],
    ["audit", "--from", "D", "--to", "D"], ["audit", "--inquiry", "N"],
    ["audit", "--user", "T", "--from", "D"], ["audit", "--format", "csv", "--output", "P"],
    ["retention", "--dry-run"],
    ["person", "find", "--phone", "T"], ["person", "find", "--name", "T"],
    ["person", "export", "--phone", "T", "--ids", "N", "--output", "P"],
    ["person", "erase", "--name", "T", "--ids", "N"],
    ["password", "T"],
]


@st.composite
def command_lines(draw, template):
    fill = {"D": dates, "N": numbers, "T": words, "P": st.sampled_from(PATHS)}
    argv = [draw(fill[part]) if part in fill else part for part in template]
    database = draw(st.sampled_from(["db"] * 6 + ["map", "nergens.db", "bestaat.csv",
                                                   "/dev/full", "/proc/version"]))
    return database, argv


@pytest.fixture(scope="module")
def workplace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    db = open_database(folder / "balie.db")
    fill_fixture(db)  # real registrations: demo refuses to mix in made-up ones
    db.close()
    (folder / "bestaat.csv").write_text("datum;dorp\n1-1-1;Elp\n")
    (folder / "map").mkdir()
    return folder


@pytest.mark.parametrize("template", TEMPLATES, ids=" ".join)
def test_no_command_line_is_a_bug(workplace, capsys, template):
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(line=command_lines(template))
    def each(line):
        _run(workplace, capsys, line)

    each()


def _run(workplace, capsys, line):
    database, argv = line
    db = str(workplace / "balie.db") if database == "db" else str(workplace / database)
    here = os.getcwd()
    os.chdir(workplace)  # relative paths land in the test's folder
    try:
        code = main(["--db", db, *argv])
    except SystemExit as stop:  # argparse refused an argument (exit 2) or --help
        code = stop.code
    finally:
        os.chdir(here)
    out, err = capsys.readouterr()
    assert code != 70, (argv, err)
    assert "Traceback" not in out + err and "programmafout" not in err.lower(), (argv, err)
    for leftover in workplace.glob("*.csv"):  # outputs may not pile up into clashes
        if leftover.name != "bestaat.csv":
            leftover.unlink()
