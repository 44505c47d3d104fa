"""Connection settings, file permissions, location checks and busy handling."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from balie.db import Access, connection, open_database
from balie.db.errors import DatabaseBusy, DatabaseUnusable, UnsafeLocation

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:40 / /srv/share rw,relatime shared:2 - nfs4 fileserver:/export rw,vers=4.2
31 22 0:41 / /srv/share/local rw,relatime shared:3 - ext4 /dev/sdb1 rw
32 22 0:42 / /mnt/with\\040space rw,relatime shared:4 - cifs //nas/docs rw
"""


def test_every_connection_gets_the_safety_settings(db):
    pragma = lambda name: db.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000
    assert pragma("secure_delete") == 1


def test_database_and_its_parent_folder_are_created_owner_only(tmp_path):
    path = tmp_path / "nieuw" / "map" / "balie.db"
    db = open_database(path)
    db.execute("CREATE TABLE t (x)")  # forces -wal and -shm into existence
    try:
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        db.close()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/home/balie/balie.db", "ext4"),
        ("/srv/share/balie.db", "nfs4"),
        ("/srv/share/local/balie.db", "ext4"),  # a local disk mounted inside the share
        ("/srv/shared/balie.db", "ext4"),  # a prefix of a mount point is not inside it
        ("/mnt/with space/balie.db", "cifs"),
    ],
)
def test_filesystem_type_uses_the_longest_mount_point(path, expected):
    assert connection.filesystem_type(Path(path), MOUNTINFO) == expected


@pytest.mark.parametrize("fstype", ["nfs4", "cifs", "fuse.sshfs"])
def test_network_filesystems_are_refused_with_a_clear_message(tmp_path, fstype):
    share = tmp_path / "share"
    (share / "balie").mkdir(parents=True)
    mountinfo = MOUNTINFO + f"40 22 0:50 / {share} rw - {fstype} server:/x rw\n"
    # The file and its folder need not exist yet: the nearest existing folder decides.
    with pytest.raises(UnsafeLocation, match="netwerkschijf"):
        connection.check_location(share / "balie" / "nieuw" / "balie.db", mountinfo)


def test_windows_network_paths_are_refused():
    with pytest.raises(UnsafeLocation):
        connection.check_location(Path("//nas/balie/balie.db"), MOUNTINFO)


def test_a_local_path_is_accepted(tmp_path):
    connection.check_location(tmp_path / "balie.db", MOUNTINFO)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notities.db"
    path.write_text("dit is geen database\n" * 100)
    with pytest.raises(DatabaseUnusable, match="geen bruikbare balie-database"):
        open_database(path)


def test_a_long_lock_becomes_a_clear_busy_error_after_bounded_retries(db_path, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    db = open_database(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="bezet"):
            with db.write():
                pass
        assert not db.conn.in_transaction
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.write():  # the lock is gone: writing works again
        db.execute("INSERT INTO setting VALUES ('k', '1', 'x')")
    db.close()


def test_a_failed_write_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError):
        with db.write():
            db.execute("INSERT INTO setting VALUES ('k', '1', 'x')")
            raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM setting WHERE key = 'k'").fetchone()[0] == 0


def test_nested_writes_join_the_outer_transaction(db):
    with pytest.raises(RuntimeError):
        with db.write():
            with db.write():
                db.execute("INSERT INTO setting VALUES ('inner', '1', 'x')")
            raise RuntimeError("outer fails")
    assert db.execute("SELECT count(*) FROM setting WHERE key = 'inner'").fetchone()[0] == 0


def test_a_shared_server_gives_the_group_of_desks_access(tmp_path):
    import grp

    group = grp.getgrgid(os.getgid()).gr_name if os.getgid() else "users"
    path = tmp_path / "gedeeld" / "balie.db"
    db = open_database(path, access=Access(group))
    db.execute("CREATE TABLE t (x)")
    try:
        folder = path.parent.stat()
        assert stat.S_IMODE(folder.st_mode) == 0o2770  # setgid: new files get the group
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            info = file.stat()
            assert stat.S_IMODE(info.st_mode) == 0o660, file
            assert grp.getgrgid(info.st_gid).gr_name == group, file
    finally:
        db.close()


def test_an_unknown_group_is_a_clear_error(tmp_path):
    with pytest.raises(UnsafeLocation, match="bestaat niet"):
        open_database(tmp_path / "x" / "balie.db", access=Access("geen-groep-zo"))
    assert not (tmp_path / "x").exists()


def test_a_desk_starting_while_another_switches_a_new_file_to_wal_waits(tmp_path,
                                                                       monkeypatch):
    """The cause of the flaky start of four desks at once: while one desk switches a
    new file to WAL (it holds the write lock of the rollback journal), SQLite answers
    another desk's switch with SQLITE_BUSY at once, without its busy timeout (both hold
    a read lock and want the write lock). Opening waits for that moment to pass."""
    path = tmp_path / "nieuw.db"
    path.touch(mode=0o600)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the other desk, midway through its switch
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA busy_timeout = 10000")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        raw.execute("PRAGMA journal_mode = WAL")  # SQLite alone: fails, without waiting
    assert time.monotonic() - started < 5
    raw.close()

    pauses = []

    def pause(seconds):  # the other desk finishes while this one waits
        pauses.append(seconds)
        if other.in_transaction:
            other.execute("COMMIT")

    monkeypatch.setattr(connection.time, "sleep", pause)
    db = connection.connect(path)  # waits for the other desk instead of failing
    other.close()
    assert pauses, "opening met SQLITE_BUSY and waited"
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
