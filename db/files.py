"""Every file balie writes (exports, inzage, backups) is made here, one way.

A file is written in full to a new temporary file beside its target (``mkstemp``:
``O_CREAT|O_EXCL``, so it follows no symlink and takes no existing file), given its
mode at once (0600, or the group's 0660 where that is asked: whatever the umask),
fsynced, and only then given its name with ``link()``, which fails rather than replace
anything at that name, a symlink included. Asked to replace (``--force``), it is
``rename()``, which replaces the name itself: a symlink there is replaced, never
followed. So a target is the whole file or nothing, never another file written
through a link, never an old file overwritten by surprise.

:func:`creating` gives the place to write and the moment to name the file; the audit
row of an export is written in the same transaction as the naming, so the log records
an export exactly when the file is there (:func:`write_export`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from balie.db.access import Actor, audit
from balie.db.connection import OWNER_ONLY, Access, BalieDatabase, make_folders
from balie.db.errors import StoreError, store_error

MAX_NUMBERED = 999
"""How far a numbered name goes (``balie-maart-2.csv`` ...) before giving up."""


class FileTaken(StoreError):
    """The target exists (a file, a symlink, anything) and may not be replaced."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} bestaat al. balie overschrijft geen bestanden; kies een "
                         "nieuwe bestandsnaam.")


class NewFile:
    """A file being made (see :func:`creating`): write to :attr:`path`, then :meth:`place`."""

    def __init__(self, target: Path, partial: Path, *, replace: bool, numbered: bool):
        self.target = target
        self.path = partial
        """Where the content goes (a new file, already with its final mode)."""
        self.replace = replace
        self.numbered = numbered
        self.placed: Path | None = None
        """The name the file got, once :meth:`place` has run."""

    def write(self, data: bytes) -> None:
        """Write the whole content (and make sure it is on the disk)."""
        with open(self.path, "r+b") as file:
            file.write(data)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())

    def place(self) -> Path:
        """Give the finished file its name; returns it (numbered: maybe ``name-2.ext``)."""
        _fsync(self.path)
        candidates = [self.target]
        if self.numbered:
            stem, suffix = self.target.stem, self.target.suffix
            candidates += [self.target.with_name(f"{stem}-{n}{suffix}")
                           for n in range(2, MAX_NUMBERED + 1)]
        for candidate in candidates:
            try:
                if self.replace:
                    os.replace(self.path, candidate)
                else:
                    os.link(self.path, candidate)
            except FileExistsError:
                continue
            except OSError as error:
                raise store_error(error, candidate, doing=f"{candidate} aanmaken") from None
            self.placed = candidate
            _fsync(candidate.parent)
            return candidate
        raise FileTaken(self.target)


@contextmanager
def creating(target: Path, *, access: Access = OWNER_ONLY, replace: bool = False,
             numbered: bool = False, folders: bool = False) -> Iterator[NewFile]:
    """A new file at ``target``, made in full or not at all.

    The block writes the content to the :class:`NewFile`'s ``path`` (``write()``, or a
    program given the path, like SQLite for a backup) and calls ``place()``; a block
    that ends without placing, or raises (also after placing), leaves nothing behind.
    ``replace`` replaces an existing file (the name, never through a symlink);
    ``numbered`` takes the next free name (``export-2.csv``) instead; ``folders``
    makes missing folders with ``access``'s folder mode.
    """
    target = Path(target).expanduser()
    if str(target).endswith(os.sep) or target.is_dir():
        raise StoreError(f"{target} is een map; geef een bestandsnaam op, bijvoorbeeld "
                         f"{target / 'export.csv'}.")
    if not (replace or numbered) and (target.exists() or target.is_symlink()):
        raise FileTaken(target)
    try:
        if folders:
            make_folders(target.parent, access)
        elif not target.parent.is_dir():
            raise StoreError(f"De map {target.parent} bestaat niet; maak hem eerst aan of "
                             "kies een andere map.")
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)
    except OSError as error:
        raise store_error(error, target, doing=f"{target} aanmaken") from None
    partial = Path(name)
    new = NewFile(target, partial, replace=replace, numbered=numbered)
    try:
        try:
            gid = access.gid
            if gid is not None:
                os.fchown(fd, -1, gid)
            os.fchmod(fd, access.file_mode)  # whatever the umask
        finally:
            os.close(fd)
        yield new
    except OSError as error:
        _remove(new)
        raise store_error(error, target, doing=f"{target} schrijven") from None
    except BaseException:
        _remove(new)
        raise
    finally:
        partial.unlink(missing_ok=True)


def create_file(target: Path, data: bytes, *, access: Access = OWNER_ONLY,
                replace: bool = False, numbered: bool = False) -> Path:
    """Write ``data`` to a new file at ``target`` (see :func:`creating`); its name."""
    with creating(target, access=access, replace=replace, numbered=numbered) as new:
        new.write(data)
        return new.place()


def write_export(db: BalieDatabase, actor: Actor, target: Path, data: bytes, now: datetime,
                 *, detail: str, replace: bool = False, numbered: bool = False,
                 folders: bool = False) -> Path:
    """Write an export (readable by its owner only) and log it in one step: the audit
    row (``export``, ``detail`` and the file's name) commits exactly when the file is in
    place. A write that fails logs nothing; a log that fails removes the file."""
    with creating(target, replace=replace, numbered=numbered, folders=folders) as new:
        new.write(data)
        with db.write():
            placed = new.place()
            audit(db, actor, "export", now, detail=f"{detail} naar {placed}")
        return placed


def _remove(new: NewFile) -> None:
    """Undo a placed file whose block failed afterwards (its audit row did not commit)."""
    if new.placed is not None:
        new.placed.unlink(missing_ok=True)
        new.placed = None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
