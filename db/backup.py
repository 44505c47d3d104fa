"""Consistent backups while other desks keep writing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from balie.db.connection import FILE_MODE, BalieDatabase
from balie.db.errors import StoreError


def backup(db: BalieDatabase, target: Path) -> Path:
    """Copy the database to ``target`` with SQLite's online backup API.

    The copy is one consistent snapshot (taken in a single step, under a read lock,
    so writers on other desks are not blocked), written to a temporary file beside
    the target, checked with ``integrity_check``, fsynced, and only then renamed into
    place. An existing file is never overwritten.
    """
    target = Path(target).expanduser()
    if target.exists():
        raise StoreError(f"{target} bestaat al; kies een nieuwe bestandsnaam voor de back-up.")
    if target.is_dir() or str(target).endswith(os.sep):
        raise StoreError(f"{target} is een map; geef een bestandsnaam op.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except OSError as error:
        raise StoreError(f"Kan {target} niet aanmaken: {error.strerror or error}.") from error
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
        os.rename(partial, target)
        _fsync(target.parent)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"De back-up naar {target} is mislukt: {error}.") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
