"""Who can read the database files: how they are created, and the warnings when they
are wider than they should be (on every command, in `balie info` and in the app)."""

from __future__ import annotations

import contextlib
import grp
import os
import stat
from pathlib import Path

import pytest

from balie.cli import main
from balie.config import ENV_GROUP
from balie.db import Access, open_database
from balie.db import backup as backup_module
from balie.db import files as files_module
from balie.db.backup import backup
from balie.db.connection import OWNER_ONLY
from balie.db.permissions import file_warnings, folder_warnings
from tests.conftest import FROZEN_NOW, admin

UMASKS = [0o022, 0o000, 0o077]


@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def shared_group() -> str:
    """A group this process may give files to (its own, or "users" for root)."""
    return grp.getgrgid(os.getgid()).gr_name if os.getgid() else "users"


def trio(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


# --- creating ------------------------------------------------------------------------


@pytest.mark.parametrize("mask", UMASKS, ids=oct)
@pytest.mark.parametrize("group", [False, True], ids=["owner", "group"])
def test_wal_and_shm_get_the_mode_of_the_database_whatever_the_umask(tmp_path, mask, group):
    access = Access(shared_group()) if group else OWNER_ONLY
    path = tmp_path / "map" / "balie.db"
    with umask(mask):
        db = open_database(path, access=access)
        try:
            db.execute("CREATE TABLE t (x)")  # -wal and -shm exist while it is open
            for file in trio(path):
                assert mode(file) == access.file_mode, file
        finally:
            db.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == access.folder_mode
    assert file_warnings(path, access) == []


@pytest.mark.parametrize("mask", UMASKS, ids=oct)
@pytest.mark.parametrize("group", [False, True], ids=["owner", "group"])
def test_a_backup_is_never_wider_than_its_mode_not_even_for_a_moment(
        tmp_path, monkeypatch, mask, group):
    access = Access(shared_group()) if group else OWNER_ONLY
    db = open_database(tmp_path / "balie.db")
    target = tmp_path / "nieuw" / "kopieën" / "balie-kopie.db"
    seen: dict[str, int] = {}

    def look() -> None:
        if not target.parent.exists():
            return  # its parent folder is being made
        for file in target.parent.iterdir():
            seen[file.name] = seen.get(file.name, 0) | mode(file)

    # Look at every file beside the backup when its mode is set, while SQLite writes
    # it (the progress callback runs in the middle of the copy) and before its rename.
    apply, fsync = Access.apply, files_module._fsync
    monkeypatch.setattr(Access, "apply", lambda self, p, m: (look(), apply(self, p, m))[1])
    monkeypatch.setattr(files_module, "_fsync", lambda p: (look(), fsync(p))[1])
    real_connect = backup_module.sqlite3.connect

    class Spy:
        def __init__(self, *args, **kwargs):
            self.conn = real_connect(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(self.conn, name)

    monkeypatch.setattr(backup_module.sqlite3, "connect", Spy)
    real_backup = db.conn.backup

    class Source:
        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def backup(self, copy, **kwargs):
            real_backup(copy.conn, pages=1, progress=lambda *a: look())

    monkeypatch.setattr(db, "conn", Source(db.conn))
    try:
        with umask(mask):
            backup(db, admin(db), target, FROZEN_NOW, access)
    finally:
        monkeypatch.undo()
        db.close()
    assert mode(target) == access.file_mode
    assert seen and all(bits & ~access.file_mode == 0 for bits in seen.values()), {
        name: oct(bits) for name, bits in seen.items()}
    for folder in (target.parent, target.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == access.folder_mode
    assert folder_warnings(target.parent, access) == []


# --- warning -------------------------------------------------------------------------


@pytest.fixture
def closed_db(tmp_path) -> Path:
    """A database with a -wal and -shm left beside it (as while other desks use it)."""
    path = tmp_path / "balie" / "balie.db"
    open_database(path).close()
    for extra in trio(path)[1:]:
        extra.touch(mode=0o600)
    return path


def test_a_private_database_gets_no_warnings(closed_db):
    assert file_warnings(closed_db) == []


@pytest.mark.parametrize("which", [0, 1, 2], ids=["database", "wal", "shm"])
def test_a_file_readable_by_others_is_named_with_the_command_that_fixes_it(closed_db, which):
    file = trio(closed_db)[which]
    os.chmod(file, 0o644)
    warnings = file_warnings(closed_db)
    assert len(warnings) == 1
    assert str(file) in warnings[0] and "leesbaar voor iedereen" in warnings[0]
    assert warnings[0].endswith(f"Herstel: chmod 600 {file}")
    assert mode(file) == 0o644  # warned, not changed: the administrator decides


def test_without_a_group_the_group_may_not_read_either(closed_db):
    os.chmod(closed_db, 0o660)
    (warning,) = file_warnings(closed_db)
    assert "schrijfbaar voor de groep" in warning and "chmod 600" in warning
    assert "BALIE_GROUP=" in warning  # perhaps it is meant to be shared


def test_the_folder_is_checked_too(closed_db):
    os.chmod(closed_db.parent, 0o755)
    (warning,) = file_warnings(closed_db)
    assert f"De map {closed_db.parent}" in warning
    assert warning.endswith(f"chmod 700 {closed_db.parent}")


def test_a_folder_anyone_may_write_in_is_not_to_be_closed_but_left(tmp_path):
    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    open_database(shared / "balie.db").close()
    (warning,) = file_warnings(shared / "balie.db")
    assert "gedeelde map" in warning and "chmod" not in warning


def test_a_shared_server_wants_the_group_and_nobody_else(tmp_path):
    group = shared_group()
    access = Access(group)
    path = tmp_path / "gedeeld" / "balie.db"
    open_database(path, access=access).close()
    assert file_warnings(path, access) == []
    os.chmod(path, 0o664)
    (warning,) = file_warnings(path, access)
    assert "leesbaar voor iedereen" in warning and "chmod 660" in warning
    os.chmod(path, 0o660)
    os.chmod(path.parent, 0o770)  # setgid lost: new -wal files get someone's own group
    (warning,) = file_warnings(path, access)
    assert "setgid" in warning and "chmod 2770" in warning


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file another group needs root")
def test_a_file_of_another_group_is_named_with_chgrp(tmp_path):
    access = Access("users")
    path = tmp_path / "gedeeld" / "balie.db"
    open_database(path, access=access).close()
    os.chown(path, -1, grp.getgrnam("root").gr_gid)
    (warning,) = file_warnings(path, access)
    assert "hoort bij de groep root, niet bij users" in warning
    assert warning.endswith(f"chgrp users {path}")


def test_an_unknown_group_is_said_not_raised(closed_db):
    assert any("bestaat niet" in w for w in file_warnings(closed_db, Access("geen-groep-zo")))


def test_a_path_with_spaces_is_quoted_in_the_command(tmp_path):
    path = tmp_path / "mijn map" / "balie.db"
    open_database(path).close()
    os.chmod(path, 0o644)
    (warning,) = file_warnings(path)
    assert warning.endswith(f"chmod 600 '{path}'")


# --- where the warnings show -----------------------------------------------------------


def test_every_command_warns_once_on_stderr(capsys, closed_db):
    os.chmod(closed_db, 0o644)
    for command in (["ref", "list", "villages"], ["report"], ["rules", "show"]):
        assert main(["--db", str(closed_db), *command]) == 0
        out, err = capsys.readouterr()
        assert err.count("balie: let op: De database") == 1, command
        assert "chmod 600" in err and "chmod" not in out


def test_info_shows_the_modes_and_the_warnings(capsys, closed_db):
    assert main(["--db", str(closed_db), "info"]) == 0
    out, err = capsys.readouterr()
    assert "rechten:      600 (database), 700 (map): in orde" in out
    assert err == ""
    os.chmod(closed_db.parent, 0o750)
    assert main(["--db", str(closed_db), "info"]) == 0
    out, err = capsys.readouterr()
    assert "750 (map): niet in orde, zie hieronder" in out
    assert err.count("let op:") == 1 and "chmod 700" in err


def test_backup_checks_its_folder(capsys, closed_db, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    assert main(["--db", str(closed_db), "backup", str(folder / "kopie.db")]) == 0
    out, err = capsys.readouterr()
    assert "gecontroleerd" in out
    assert f"let op: De map {folder} is leesbaar" in err and f"chmod 700 {folder}" in err
    assert mode(folder / "kopie.db") == 0o600


def test_backup_follows_the_group_of_desks(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_GROUP, shared_group())
    path = tmp_path / "gedeeld" / "balie.db"
    open_database(path, access=Access(shared_group())).close()
    target = tmp_path / "backups" / "kopie.db"
    assert main(["--db", str(path), "backup", str(target)]) == 0
    assert capsys.readouterr().err == ""
    assert mode(target) == 0o660 and mode(target.parent) == 0o2770


async def test_the_app_warns_at_start(closed_db):
    from balie.app import make_app

    os.chmod(closed_db, 0o644)
    app = make_app(closed_db, username="test.balie")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
    (title, message), = app.notices_shown  # SQLite gave the -wal and -shm its mode: one
    assert title == "Rechten van de database"
    wal, shm = f"{closed_db}-wal", f"{closed_db}-shm"
    assert message.startswith(f"De databasebestanden {closed_db}, {wal} en {shm} zijn ")
    assert message.endswith(f"Herstel: chmod 600 {closed_db} {wal} {shm}")


async def test_the_app_says_nothing_when_all_is_well(closed_db):
    from balie.app import make_app

    app = make_app(closed_db, username="test.balie")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert app.notices_shown == []
