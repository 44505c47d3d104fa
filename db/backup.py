"""Consistent backups while other desks keep writing."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from balie.db.access import Actor, audit, require
from balie.db.connection import OWNER_ONLY, Access, BalieDatabase, make_folders
from balie.db.errors import StoreError, store_error


def backup(db: BalieDatabase, actor: Actor, target: Path, now: datetime,
           access: Access = OWNER_ONLY) -> Path:
    """Copy the database to ``target`` with SQLite's online backup API.

    The copy is one consistent snapshot (taken in a single step, under a read lock,
    so writers on other desks are not blocked), written to a new temporary file beside
    the target, checked with ``integrity_check``, fsynced, and only then linked into
    place under its name. An existing file is never overwritten, even one that appears
    while the copy is made. The copy gets ``access``'s file mode, and missing folders
    its folder mode, from the moment they exist.
    """
    target = Path(target).expanduser()
    with db.snapshot():  # the copy holds every inquiry: beheer only
        require(db, actor, "backup")
    if target.exists():
        raise StoreError(f"{target} bestaat al; kies een nieuwe bestandsnaam voor de back-up.")
    if str(target).endswith(os.sep):
        raise StoreError(f"{target} is een map; geef een bestandsnaam op.")
    try:
        make_folders(target.parent, access)
        # mkstemp creates the file 0600 (whatever the umask), so the copy is never
        # readable by others, not even for a moment; SQLite gives the journal it writes
        # beside it the same mode, and the link below keeps it.
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)
        os.close(fd)
        partial = Path(name)
        access.apply(partial, access.file_mode)
    except OSError as error:
        raise store_error(error, target, doing=f"De back-up {target} aanmaken") from error
    try:
        copy = sqlite3.connect(partial)
        try:
            db.conn.backup(copy)
            # A backup is one self-contained file, not a WAL database.
            copy.execute("PRAGMA journal_mode = DELETE")
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
        if result != "ok":
            raise StoreError(f"De back-up is niet in orde ({result}); probeer het opnieuw.")
        _fsync(partial)
        try:
            os.link(partial, target)  # fails, unlike rename, if the name is taken
        except FileExistsError:
            raise StoreError(f"{target} bestaat al; kies een nieuwe bestandsnaam.") from None
        _fsync(target.parent)
    except (sqlite3.Error, OSError) as error:
        # A full or read-only target disk: said as such; the database itself is as it was.
        # A damaged page can only be the database's (the copy is new).
        if getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_CORRUPT:
            raise store_error(error, db.path) from error
        raise store_error(error, target, doing=f"De back-up naar {target}") from error
    finally:
        partial.unlink(missing_ok=True)
    audit(db, actor, "backup", now, detail=str(target))  # made, checked, in place
    return target


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
