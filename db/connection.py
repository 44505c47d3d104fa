"""Opening the one SQLite file that all desks share.

Every connection gets the same settings (WAL, ``synchronous=FULL``, foreign keys,
a busy timeout) and every write goes through :meth:`BalieDatabase.write`, which takes
the write lock up front (``BEGIN IMMEDIATE``) so that a transaction never has to be
upgraded halfway, the one case where SQLite returns SQLITE_BUSY without waiting.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from balie.db.errors import (
    BUSY_MESSAGE,
    DatabaseBusy,
    DatabaseUnusable,
    StoreError,
    UnsafeLocation,
    store_error,
)
from balie.domain.timekeeping import to_db

# Every moment is stored in one form, to_db's: a datetime handed to SQLite as it is
# would otherwise be stored as Python writes it ("2026-03-24 09:30:00+00:00"), which
# from_db refuses, so the inquiry would no longer open. (A correction that took away a
# follow-up time once stored the moment of its result that way.)
sqlite3.register_adapter(datetime, to_db)

BUSY_TIMEOUT_MS = 10_000
"""How long SQLite itself waits for another desk's lock before giving up."""

BUSY_RETRIES = 3
"""Extra attempts after a busy timeout, so a rare long lock becomes a wait, not an error."""

FILE_MODE = 0o600
"""New database files are readable by their owner only (the data is sensitive)."""

# Filesystems on which SQLite's POSIX locks are not reliable: https://sqlite.org/faq.html#q5
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "fuse.sshfs",
        "davfs",
        "fuse.davfs2",
        "lustre",
        "ncpfs",
    }
)


class BalieDatabase:
    """One connection configured for balie, with the few helpers the app needs.

    Reading and writing use plain SQL on the connection. sqlite-utils (table helpers,
    migrations) works on the same connection through :attr:`utils`; it is imported only
    when something needs it, so starting the app does not pay for it.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._utils = None
        self._savepoints = 0

    @property
    def utils(self):
        """A sqlite-utils Database on this connection (imported on first use)."""
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._utils

    def __getitem__(self, table: str):
        return self.utils[table]

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params=()) -> Iterator[dict]:
        """Rows as dicts, column name to value."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> BalieDatabase:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[BalieDatabase]:
        """One write transaction, taken with ``BEGIN IMMEDIATE``.

        Nested use joins the outer transaction (through a savepoint), so small write
        functions can be combined into one atomic unit by their caller.
        """
        if self.conn.in_transaction:
            self._savepoints += 1
            name = f"balie_{self._savepoints}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            return
        self._begin_immediate()
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[BalieDatabase]:
        """A read transaction: several queries see the same committed state."""
        if self.conn.in_transaction:
            yield self
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _begin_immediate(self) -> None:
        for attempt in range(BUSY_RETRIES + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                if attempt == BUSY_RETRIES:
                    raise DatabaseBusy(BUSY_MESSAGE) from error
                time.sleep(0.05 * 2**attempt)


def is_busy(error: sqlite3.Error) -> bool:
    """True for SQLITE_BUSY and SQLITE_LOCKED, including their extended codes."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(error) or "busy" in str(error)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def filesystem_type(path: Path, mountinfo: str | None = None) -> str | None:
    """The filesystem type of the mount that holds ``path`` (Linux), or None if unknown.

    ``mountinfo`` is the text of ``/proc/self/mountinfo``; tests pass their own.
    """
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    target = str(path)
    best_point, best_type = "", None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        if len(fields) < 5 or not right.split():
            continue
        point = _unescape_mount(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best_point):
            best_point, best_type = point, right.split()[0]
    return best_type


def _unescape_mount(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    return field.encode().decode("unicode_escape") if "\\" in field else field


def check_location(path: Path, mountinfo: str | None = None) -> None:
    """Refuse a database on a network share, where SQLite's locking is unsafe."""
    if str(path).startswith(("\\\\", "//")):
        raise UnsafeLocation(_network_message(path, "netwerkschijf"))
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    fstype = filesystem_type(existing.resolve(), mountinfo)
    if fstype is not None and fstype.lower() in NETWORK_FILESYSTEMS:
        raise UnsafeLocation(_network_message(path, fstype))


def _network_message(path: Path, where: str) -> str:
    return (
        f"De database {path} staat op een netwerkschijf ({where}). SQLite kan daar "
        "niet veilig vergrendelen en gegevens kunnen verloren gaan. Zet de database "
        "op een lokale schijf van de server en laat alle balies die ene server gebruiken."
    )


@dataclass(frozen=True)
class Access:
    """Who may open the database file: its owner only, or also a group of desks.

    On a server where every desk has its own OS account (so the app knows who is at the
    desk), the accounts share a group: the file is then 0660 and its folder 2770
    (setgid), so SQLite's -wal and -shm files get the same group.
    """

    group: str | None = None

    @property
    def file_mode(self) -> int:
        return 0o660 if self.group else FILE_MODE

    @property
    def folder_mode(self) -> int:
        return 0o2770 if self.group else 0o700

    @property
    def gid(self) -> int | None:
        if not self.group:
            return None
        import grp

        try:
            return grp.getgrnam(self.group).gr_gid
        except KeyError:
            raise UnsafeLocation(
                f"De groep {self.group!r} (BALIE_GROUP) bestaat niet op deze server."
            ) from None

    def apply(self, path: Path, mode: int) -> None:
        """Give a file or folder this access (independent of the umask)."""
        gid = self.gid
        if gid is not None:
            os.chown(path, -1, gid)
        os.chmod(path, mode)


OWNER_ONLY = Access()


def make_folders(folder: Path, access: Access = OWNER_ONLY) -> None:
    """Create ``folder`` and its missing parents with ``access``'s folder mode.

    Each folder is made with that mode from the start (the umask can only narrow it),
    never briefly open to others. A folder another desk creates at the same moment is
    left as that desk made it.
    """
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for each in reversed(missing):
        try:
            each.mkdir(mode=access.folder_mode & 0o777)
        except FileExistsError:
            continue
        access.apply(each, access.folder_mode)


def connect(path: Path, *, create: bool = True, access: Access = OWNER_ONLY) -> BalieDatabase:
    """Open the database file with balie's connection settings.

    With ``create`` a missing file (and folder) is made, with ``access``'s permissions.
    Without, a missing file is an error: a mistyped path must not silently become a new,
    empty database. Does not migrate; :func:`balie.db.open_database` does both.
    """
    path = Path(path).expanduser()
    check_location(path)
    if not path.exists() and not create:
        raise DatabaseUnusable(
            f"De database {path} bestaat niet. Kijk het pad na (--db of BALIE_DB); een "
            "nieuwe database maakt balie bij de eerste start van de app."
        )
    _ = access.gid  # an unknown group is reported before anything is created
    try:
        make_folders(path.parent, access)
        if not path.exists():
            # Create the file ourselves so it never exists with wider permissions;
            # SQLite gives the -wal and -shm files the mode of the database file.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, access.file_mode))
            access.apply(path, access.file_mode)
    except FileExistsError:
        pass  # another desk created it at the same moment
    except OSError as error:
        raise store_error(error, path, doing=f"De database {path} aanmaken") from error
    try:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as error:
        raise store_error(error, path) from error
    try:
        _while_busy(lambda: _open(conn, path))
    except sqlite3.DatabaseError as error:
        conn.close()
        if isinstance(error, sqlite3.OperationalError) and is_busy(error):
            raise DatabaseBusy(
                f"De database {path} is bezet; probeer het zo nog eens."
            ) from error
        raise store_error(error, path) from error
    except BaseException:
        conn.close()
        raise
    return BalieDatabase(conn, path)


OPEN_WAIT_SECONDS = BUSY_TIMEOUT_MS / 1000
"""How long opening waits, at most, for the moments in which SQLite answers "busy"
without waiting itself (see :func:`_while_busy`)."""


def _open(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    _check_is_balie(conn, path)
    configure(conn)


def _while_busy(step: Callable[[], None], wait: float = OPEN_WAIT_SECONDS) -> None:
    """Run ``step``, again after a short pause while SQLite answers SQLITE_BUSY.

    Opening meets three moments in which SQLite returns "busy" at once, without its
    busy timeout: two desks switching a new file to WAL at the same moment (each holds
    a read lock and wants the write lock: SQLite refuses one instead of letting both
    wait forever), the last desk closing the file (it checkpoints under an exclusive
    lock) and the first desk after a crash recovering the WAL. Each lasts milliseconds;
    a desk that starts then waits instead of failing.
    """
    deadline = time.monotonic() + wait
    pause = 0.005
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def _check_is_balie(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite file of another program before changing anything in it."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return  # new and empty
    balie = "_sqlite_migrations" in tables and conn.execute(
        "SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'balie' LIMIT 1"
    ).fetchone()
    if not balie:
        raise DatabaseUnusable(
            f"{path} is een SQLite-database van een ander programma, geen balie-database. "
            "Kies een ander pad; balie verandert niets aan dit bestand."
        )


def configure(conn: sqlite3.Connection) -> None:
    """Apply the settings every balie connection needs."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(f"WAL-modus kon niet worden ingesteld (modus: {mode}).")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Deleted or overwritten personal data is zeroed on disk, not left in free pages.
    conn.execute("PRAGMA secure_delete = ON")
