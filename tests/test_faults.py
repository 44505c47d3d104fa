"""Faults of the disk and the file: a full disk, a read-only or damaged file.

Each becomes a Dutch message that says what happened and what to do (one mechanism:
balie.db.errors.store_error), never a traceback or a misleading "not a balie database".

A full disk is a real one where the machine allows it: a 2 MB tmpfs mounted for the
test (as root, which CI is), filled to the last byte. Elsewhere those tests are skipped
and say so; SQLite's ``max_page_count`` stands in for the mapping of SQLITE_FULL.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from balie.app import _as_store_errors
from balie.db import open_database
from balie.db.access import sign_in
from balie.db.errors import (
    DatabaseCorrupt,
    DatabaseUnusable,
    DiskFull,
    NoAccess,
    StoreError,
    store_error,
)
from tests.conftest import FROZEN_NOW


def _mount(folder: Path, options: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("een echte volle schijf vraagt root (mount tmpfs); CI draait als root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"mount tmpfs lukt hier niet: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a disk of its own of 2 MB."""
    folder = tmp_path / "schijf"
    folder.mkdir(mode=0o700)
    _mount(folder, "size=2m,mode=700")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk of ``folder`` to the last byte; the filler file is returned."""
    filler = folder / "opvulling"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"x" * size)
            except OSError as error:
                assert error.errno == 28, error  # ENOSPC
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def audit_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def test_a_full_disk_on_open_says_the_disk_is_full_and_that_nothing_is_lost(small_disk):
    path = small_disk / "balie.db"
    with open_database(path) as db:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
    before = audit_count(path)
    filler = fill(small_disk)
    with pytest.raises(DiskFull) as refused:
        open_database(path, create=False)
    message = refused.value.message
    assert "schijf is vol" in message and "niets verloren" in message
    assert str(small_disk) in message and "df -h" in message
    assert "geen bruikbare" not in message and "I/O" not in message
    filler.unlink()  # room again: everything is still there
    with open_database(path, create=False) as db:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
    assert audit_count(path) == before + 1


def test_a_full_disk_while_writing_keeps_what_was_saved(small_disk):
    path = small_disk / "balie.db"
    db = open_database(path)
    try:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
        before = audit_count(path)
        filler = fill(small_disk)
        with pytest.raises(DiskFull, match="schijf is vol"):
            for _ in range(2000):  # until the WAL needs a page the disk has no room for
                _as_store_errors(sign_in, db, "installateur", "test", FROZEN_NOW,
                                 owns_file=True)
        filler.unlink()
        _as_store_errors(sign_in, db, "installateur", "test", FROZEN_NOW, owns_file=True)
    finally:
        db.close()
    assert audit_count(path) > before  # the rows written before the disk filled are there


def test_sqlite_full_is_a_full_disk_everywhere(db):
    """Without root: SQLite's own limit on the file's size gives the same SQLITE_FULL."""
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(DiskFull, match="schijf is vol") as refused:
        for _ in range(10_000):
            _as_store_errors(sign_in, db, "installateur", "test", FROZEN_NOW,
                             owns_file=True)
    assert str(db.path.parent) in refused.value.message


def test_a_read_only_disk_is_named_as_such(small_disk):
    path = small_disk / "balie.db"
    with open_database(path) as db:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
    remount_read_only(small_disk)
    with pytest.raises(StoreError) as refused:
        db = open_database(path, create=False)
        try:
            _as_store_errors(sign_in, db, "installateur", "test", FROZEN_NOW,
                             owns_file=True)
        finally:
            db.close()
    assert isinstance(refused.value, NoAccess), refused.value.message
    assert "niets gewijzigd" in refused.value.message


def corrupt_a_page(path: Path, table: str) -> None:
    """Overwrite the first data page of ``table`` with rubbish, as a failing disk does."""
    conn = sqlite3.connect(path)
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                           [table]).fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(os.urandom(page_size))


def test_a_damaged_page_names_the_way_back_through_the_last_backup(db_path):
    with open_database(db_path) as db:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
    corrupt_a_page(db_path, "staff")
    with pytest.raises(DatabaseCorrupt) as refused:
        db = open_database(db_path, create=False)
        try:
            _as_store_errors(sign_in, db, "installateur", "test", FROZEN_NOW,
                             owns_file=True)
        finally:
            db.close()
    message = refused.value.message
    assert "beschadigd" in message and "balie backup" in message
    assert f"mv {db_path} {db_path}.beschadigd" in message and "cp BACKUP" in message


def test_a_file_of_rubbish_is_not_sent_to_a_backup_of_a_healthy_file(tmp_path):
    path = tmp_path / "notities.db"
    path.write_bytes(b"geen database " * 512)
    with pytest.raises(DatabaseUnusable, match="Kijk het pad na"):
        open_database(path, create=False)


@pytest.mark.parametrize("code, kind", [
    (sqlite3.SQLITE_BUSY, "DatabaseBusy"), (sqlite3.SQLITE_FULL, "DiskFull"),
    (sqlite3.SQLITE_READONLY, "NoAccess"), (sqlite3.SQLITE_CANTOPEN, "NoAccess"),
    (sqlite3.SQLITE_CORRUPT, "DatabaseCorrupt"), (sqlite3.SQLITE_IOERR, "StoreError"),
    (sqlite3.SQLITE_NOTADB, "DatabaseUnusable"), (sqlite3.SQLITE_ERROR, "StoreError"),
])
def test_every_sqlite_error_becomes_a_dutch_message(code, kind, tmp_path):
    error = sqlite3.OperationalError("english text")
    error.sqlite_errorcode = code
    translated = store_error(error, tmp_path / "balie.db")
    assert type(translated).__name__ == kind
    assert "english text" not in translated.message


@pytest.mark.parametrize("errno_, kind", [(28, "DiskFull"), (13, "NoAccess"),
                                          (30, "NoAccess"), (2, "StoreError")])
def test_every_os_error_becomes_a_dutch_message(errno_, kind, tmp_path):
    translated = store_error(OSError(errno_, os.strerror(errno_), str(tmp_path / "x")))
    assert type(translated).__name__ == kind
    assert str(tmp_path) in translated.message


async def test_the_desk_is_told_the_disk_is_full_and_where_its_typing_is(small_disk):
    from balie.app import make_app
    from tests.test_intake_screen import form, settle

    path = small_disk / "balie.db"
    with open_database(path) as db:
        sign_in(db, "installateur", "test", FROZEN_NOW, owns_file=True)
    app = make_app(path, username="installateur", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        filler = fill(small_disk)
        form(app, village="Wijster", summary="een verhaal " * 400)
        await pilot.pause(0.5)  # the draft is written a moment after typing stops
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert "Concept niet bewaard" in status and "schijf is vol" in status, status
        assert "staat nog in dit formulier, niet in de database" in status
        assert "Databasefout" not in status and "is bewaard" not in status
        # Read whole at the desk's size: the line grows to the lines the message needs.
        line = app.screen.query_one("#status")
        assert len(textwrap.wrap(status, line.size.width - 2)) <= line.size.height
        filler.unlink()


# --- the command line: the same messages, exit 1, never 70 ------------------------------

def cli(capsys, *argv) -> tuple[int, str]:
    from balie.cli import main

    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def test_commands_on_a_full_disk_say_so(small_disk, tmp_path, capsys):
    from balie.config import os_username

    path = small_disk / "balie.db"
    with open_database(path) as db:
        sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
    source = tmp_path / "oud.csv"
    source.write_text("datum;kanaal;dorp;route;onderwerp;leeftijd;geslacht\n"
                      + "12-3-2024;telefoon;Elp;Seniorenwerk;eenzaamheid;80;v\n" * 200)
    filler = fill(small_disk)
    for argv in (["settings", "set", "max-wait-hours", "6"], ["import", source],
                 ["backup", small_disk / "kopie.db"], ["audit"]):
        code, err = cli(capsys, "--db", path, *argv)
        assert code == 1 and "schijf is vol" in err and "niets verloren" in err, (argv, err)
    filler.unlink()
    code, err = cli(capsys, "--db", path, "settings", "set", "max-wait-hours", "6")
    assert code == 0, err


def test_a_backup_to_a_full_disk_leaves_nothing_behind(small_disk, db_path, capsys):
    from balie.config import os_username

    with open_database(db_path) as db:
        sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
    fill(small_disk)
    code, err = cli(capsys, "--db", db_path, "backup", small_disk / "kopie.db")
    assert code == 1 and "back-up" in err.lower() and "schijf is vol" in err, err
    assert sorted(p.name for p in small_disk.iterdir()) == ["opvulling"]


def test_commands_on_a_read_only_database_say_so(small_disk, capsys):
    from balie.config import os_username

    path = small_disk / "balie.db"
    with open_database(path) as db:
        sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
    remount_read_only(small_disk)
    for argv in (["report"], ["audit"], ["info"]):
        code, err = cli(capsys, "--db", path, *argv)
        assert code == 1 and "niets gewijzigd" in err, (argv, err)
        assert "Traceback" not in err and "programmafout" not in err.lower()


def test_commands_on_a_damaged_database_name_the_backup(db_path, capsys):
    from balie.config import os_username

    with open_database(db_path) as db:
        sign_in(db, os_username(), "test", FROZEN_NOW, owns_file=True)
    corrupt_a_page(db_path, "audit_log")
    for argv in (["audit"], ["report"], ["backup", db_path.parent / "kopie.db"]):
        code, err = cli(capsys, "--db", db_path, *argv)
        assert code == 1 and "beschadigd" in err and "balie backup" in err, (argv, err)


def test_a_folder_this_account_may_not_read(tmp_path):
    """As another account than the folder's (the desks' group left out, say)."""
    if os.geteuid() != 0:
        pytest.skip("een ander account aannemen vraagt root; CI draait als root")
    locked = tmp_path / "dicht"
    locked.mkdir(mode=0o700)
    tmp_path.chmod(0o755)
    for argv in ([], ["info"], ["report"]):
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-m", "balie", "--db", str(locked / "balie.db"), *argv],
            capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert done.returncode == 1, done.stderr
        assert "geen toegang voor account" in done.stderr and "Traceback" not in done.stderr


async def test_database_work_after_the_app_closed_is_refused_not_a_crash(db_path):
    """A notice timer that fires while a short session closes (it raced the end of the
    session and stopped the app with a RuntimeError)."""
    from balie.app import make_app

    app = make_app(db_path, username="installateur", clock=lambda: FROZEN_NOW)
    async with app.run_test():
        pass
    with pytest.raises(StoreError, match="afgesloten"):
        await app.run_db(lambda db: 1)
