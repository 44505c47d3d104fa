"""Errors the data layer raises on purpose, each with a message fit for the person at the desk.

Messages are Dutch because they are shown as they are: in the app, at the field or in
a notification, and by the command line. Anything else that escapes the data layer is
a bug, except what the disk and the operating system do to the file: a full disk, a
read-only or damaged file, a folder the account may not read. :func:`store_error` is
the one place that turns those (``sqlite3.Error`` and ``OSError``) into a StoreError
that says what happened and what to do; the app (``BalieApp.run_db``), opening the
database and the command line all use it.

A message says nothing about the work on the screen: only the screen knows where what
was typed is kept (the form, a draft), and says so itself.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from balie.domain.wording import os_reason


class StoreError(Exception):
    """A problem with the database that a person can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseTooNew(StoreError):
    """The file was upgraded by a newer balie than this one."""


class UnsafeLocation(StoreError):
    """The file lies where SQLite's locking cannot be trusted (a network share)."""


class DatabaseBusy(StoreError):
    """Other desks kept the database locked for longer than we are willing to wait."""


class DatabaseUnusable(StoreError):
    """The file cannot be opened as a balie database (not SQLite, unreadable, corrupt)."""


class DatabaseCorrupt(DatabaseUnusable):
    """SQLite found damaged pages: the last good backup is the way back."""


class DiskFull(StoreError):
    """The disk (or the account's quota) has no room: nothing was written, nothing lost."""


class NoAccess(StoreError):
    """The account may not read or write a file or folder balie needs."""


class ReferenceDataError(StoreError):
    """A reference-data change that cannot be made (duplicate, unknown, in use)."""


BUSY_MESSAGE = "De database is bezet door een andere balie. Probeer het zo nog eens."

LOW_SPACE_BYTES = 4 * 1024 * 1024
"""Below this much free space an unexplained SQLite I/O error is taken for a full disk:
SQLite reports a full disk as SQLITE_FULL when it writes pages, but as a plain I/O
error when it cannot grow its shared-memory file (-shm) on opening."""


def store_error(error: BaseException, path: Path | str | None = None, *,
                doing: str | None = None) -> StoreError:
    """The StoreError that says in Dutch what ``error`` means and what to do about it.

    ``path`` is the file involved (the database, a backup, an export): the messages name
    it and its folder. ``doing`` says what failed (``"De back-up naar X"``); without it,
    the message speaks of the database. A StoreError is returned as it is.
    """
    if isinstance(error, StoreError):
        return error
    path = Path(path) if path is not None else None
    if isinstance(error, sqlite3.Error):
        return _from_sqlite(error, path, doing)
    if isinstance(error, OSError):
        return _from_os(error, path, doing)
    raise TypeError(f"not a database or file error: {type(error).__name__}")


def _from_sqlite(error: sqlite3.Error, path: Path | None, doing: str | None) -> StoreError:
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    what = doing or (f"De database {path}" if path else "De database")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
            primary is None and ("locked" in str(error) or "busy" in str(error))):
        return DatabaseBusy(BUSY_MESSAGE)
    if primary == sqlite3.SQLITE_FULL or (
            primary == sqlite3.SQLITE_IOERR and _low_on_space(path)):
        return disk_full(path, doing)
    if primary == sqlite3.SQLITE_CORRUPT:
        return corrupt(path, doing)
    if primary == sqlite3.SQLITE_NOTADB:
        return DatabaseUnusable(
            f"{path or 'Dit bestand'} is geen bruikbare balie-database: het is geen "
            "SQLite-bestand, of het begin ervan is beschadigd. Er is niets gewijzigd. Kijk "
            "het pad na (--db of BALIE_DB); is dit wel de database van de balies, "
            + _restore_steps(path))
    if primary == sqlite3.SQLITE_READONLY:
        return NoAccess(
            f"{what}: balie mag er niet in schrijven (alleen-lezen voor account "
            f"{_account()}). balie schrijft ook bij lezen (het auditlog en het -wal- en "
            "-shm-bestand ernaast). Er is niets gewijzigd. Vraag de beheerder van de "
            f"server om schrijfrechten op het bestand en de map{_folder_hint(path)}.")
    if primary in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return NoAccess(
            f"{what} kan niet worden geopend: geen toegang of de map ontbreekt (account "
            f"{_account()}). Er is niets gewijzigd. Kijk het pad na (--db of BALIE_DB) en "
            f"vraag de beheerder van de server om rechten{_folder_hint(path)}.")
    if primary == sqlite3.SQLITE_IOERR:
        return StoreError(
            f"{what}: lezen of schrijven op de schijf mislukte (schijffout). Deze handeling "
            "is niet opgeslagen; wat eerder was opgeslagen blijft. Probeer het opnieuw; "
            "blijft het, laat de beheerder van de server de schijf nakijken.")
    name = getattr(error, "sqlite_errorname", None) or type(error).__name__
    return StoreError(
        f"{what}: databasefout ({name}). Deze handeling is niet opgeslagen. Probeer het "
        "opnieuw of meld het aan beheer.")


def _from_os(error: OSError, path: Path | None, doing: str | None) -> StoreError:
    subject = Path(error.filename) if error.filename else path
    what = doing or (f"{subject}" if subject else "Een bestand")
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(subject, doing)
    if error.errno in (errno.EACCES, errno.EPERM):
        return NoAccess(
            f"{what}: geen toegang voor account {_account()} (map of bestand niet "
            "leesbaar of niet schrijfbaar). Er is niets gewijzigd. Kies een pad waar u "
            "mag lezen en schrijven, of vraag de beheerder van de server om rechten.")
    if error.errno == errno.EROFS:
        return NoAccess(f"{what}: de schijf is alleen-lezen. Er is niets gewijzigd. Kies "
                        "een andere plaats of vraag de beheerder van de server.")
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return StoreError(f"{what}: bestand of map bestaat niet. Kijk het pad na.")
    if error.errno == errno.EISDIR:
        return StoreError(f"{what} is een map; geef een bestandsnaam op.")
    if error.errno == errno.EIO:
        return StoreError(f"{what}: lezen of schrijven op de schijf mislukte (schijffout). "
                          "Er is niets gewijzigd. Probeer het opnieuw; blijft het, laat de "
                          "beheerder van de server de schijf nakijken.")
    # The operating system's own words are English ("Broken pipe"): its Dutch.
    return StoreError(f"{what}: {os_reason(error)}. Er is niets "
                      "gewijzigd; probeer het opnieuw of meld het aan beheer.")


def disk_full(path: Path | None, doing: str | None = None) -> DiskFull:
    folder = _folder(path)
    what = f"{doing}: de" if doing else "De"
    return DiskFull(
        f"{what} schijf is vol{f' ({folder})' if folder else ''}. Er is niets verloren: wat "
        "al was opgeslagen blijft bewaard. Maak ruimte vrij op die schijf (df -h toont "
        "hoeveel vrij is) en probeer het opnieuw.")


def corrupt(path: Path | None, doing: str | None = None) -> DatabaseCorrupt:
    what = doing or f"De database {path or ''}".rstrip()
    return DatabaseCorrupt(
        f"{what} is beschadigd (SQLite vond kapotte pagina's). Er is niets gewijzigd. "
        + _restore_steps(path)[0].upper() + _restore_steps(path)[1:])


def _restore_steps(path: Path | None) -> str:
    name = str(path) if path else "DATABASE"
    return (
        "laat alle balies stoppen en zet de laatste goede back-up terug (gemaakt met "
        f"balie backup): bewaar het kapotte bestand apart met 'mv {name} "
        f"{name}.beschadigd' (en ook {name}-wal en {name}-shm als ze er zijn), controleer "
        f"de back-up met 'balie --db BACKUP info' en kopieer hem met 'cp BACKUP {name}'. "
        "Wat na die back-up werd geregistreerd, moet opnieuw worden ingevoerd.")


def _low_on_space(path: Path | None) -> bool:
    folder = _folder(path)
    if folder is None:
        return False
    try:
        stats = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return stats.f_bavail * stats.f_frsize < LOW_SPACE_BYTES


def _folder(path: Path | None) -> Path | None:
    if path is None:
        return None
    try:
        folder = path if path.is_dir() else path.parent
    except OSError:  # a folder this account may not look into
        folder = path.parent
    return folder.absolute()


def _folder_hint(path: Path | None) -> str:
    folder = _folder(path)
    return f" ({folder})" if folder else ""


def _account() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no account name: say nothing rather than fail here
        return "?"
