"""Consistent backups while other desks keep writing."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from balie.db.access import Actor, audit, require
from balie.db.connection import OWNER_ONLY, Access, BalieDatabase
from balie.db.errors import StoreError, store_error
from balie.db.files import creating


def backup(db: BalieDatabase, actor: Actor, target: Path, now: datetime,
           access: Access = OWNER_ONLY) -> Path:
    """Copy the database to ``target`` with SQLite's online backup API.

    The copy is one consistent snapshot (taken in a single step, under a read lock,
    so writers on other desks are not blocked), written to a new temporary file beside
    the target, checked with ``integrity_check``, fsynced, and only then linked into
    place under its name (:func:`balie.db.files.creating`). An existing file is never
    overwritten, even one that appears while the copy is made. The copy gets
    ``access``'s file mode, and missing folders its folder mode, from the moment they
    exist.
    """
    target = Path(target).expanduser()
    with db.snapshot():  # the copy holds every inquiry: beheer only
        require(db, actor, "backup")
    # A new file beside the target, with the access's mode from the start (SQLite gives
    # the journal it writes beside it the same mode); named only when checked.
    with creating(target, access=access, folders=True) as new:
        try:
            copy = sqlite3.connect(new.path)
            try:
                db.conn.backup(copy)
                # A backup is one self-contained file, not a WAL database.
                copy.execute("PRAGMA journal_mode = DELETE")
                result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
        except sqlite3.Error as error:
            # A full or read-only target disk: said as such; the database itself is as it
            # was. A damaged page can only be the database's (the copy is new).
            if getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_CORRUPT:
                raise store_error(error, db.path) from error
            raise store_error(error, target, doing=f"De back-up naar {target}") from error
        if result != "ok":
            raise StoreError(f"De back-up is niet in orde ({result}); probeer het opnieuw.")
        with db.write():  # made, checked, in place: and logged in the same step
            placed = new.place()
            audit(db, actor, "backup", now, detail=str(placed))
    return placed


