"""Who can read the database files: a check that warns, and says how to fix it.

balie creates the database, its ``-wal`` and ``-shm`` files and every backup readable
by their owner only (0600), or by the configured group of desks (0660, ``BALIE_GROUP``);
see :class:`balie.db.connection.Access`. A file copied, restored or created by hand can
still be wider. balie does not change that by itself (the administrator decides), but
says what is wrong and the exact command that fixes it.
"""

from __future__ import annotations

import shlex
import stat
from pathlib import Path

from balie.db.connection import OWNER_ONLY, Access
from balie.db.errors import UnsafeLocation

READ_WRITE_GROUP_OTHERS = 0o066
"""The permission bits that open a file or folder to other people (execute aside: a
folder others may only pass through shows them nothing)."""


def file_warnings(path: Path | str, access: Access = OWNER_ONLY) -> list[str]:
    """Dutch warnings for the database, its -wal and -shm, and its folder, when people
    other than ``access`` allows can read or write them (or they have the wrong group).

    Files that do not exist (yet) are skipped; the check never raises and changes nothing.
    The -wal and -shm normally have the database's mode (SQLite gives them that): files
    with the same mode and group share one warning and one command.
    """
    path = Path(path).expanduser().absolute()  # a fix command that works from anywhere
    gid, problems = _group_id(access)
    alike: dict[tuple[int, int], list[Path]] = {}
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        info = _stat(file)
        if info is not None:
            alike.setdefault((info.st_mode, info.st_gid), []).append(file)
    for (mode, group), files in alike.items():
        problems += _check(files, mode, group, access, gid, folder=False)
    return problems + _folder(path.parent, access, gid)


def folder_warnings(folder: Path | str, access: Access = OWNER_ONLY) -> list[str]:
    """The same check for one folder (a backup's)."""
    gid, problems = _group_id(access)
    return problems + _folder(Path(folder).expanduser().absolute(), access, gid)


def _folder(folder: Path, access: Access, gid: int | None) -> list[str]:
    info = _stat(folder)
    if info is None:
        return []
    return _check([folder], info.st_mode, info.st_gid, access, gid, folder=True)


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None  # not there (yet): nothing to warn about; unreadable: opening says so


def _group_id(access: Access) -> tuple[int | None, list[str]]:
    try:
        return access.gid, []
    except UnsafeLocation as error:
        return None, [error.message]


def _check(paths: list[Path], st_mode: int, st_gid: int, access: Access, gid: int | None,
           *, folder: bool) -> list[str]:
    mode = stat.S_IMODE(st_mode)
    wanted = access.folder_mode if folder else access.file_mode
    quoted = " ".join(shlex.quote(str(p)) for p in paths)
    if folder:
        subject, is_, belongs = f"De map {paths[0]}", "is", "hoort"
    elif len(paths) == 1:
        label = {"-wal": "Het WAL-bestand", "-shm": "Het shm-bestand"}.get(
            paths[0].name[-4:], "De database")
        subject, is_, belongs = f"{label} {paths[0]}", "is", "hoort"
    else:
        names = [str(p) for p in paths]
        subject = f"De databasebestanden {', '.join(names[:-1])} en {names[-1]}"
        is_, belongs = "zijn", "horen"
    problems = []
    extra = mode & READ_WRITE_GROUP_OTHERS & ~wanted
    if folder and extra & 0o002 and mode & stat.S_ISVTX:
        # A shared folder such as /tmp: closing it would break other programs.
        return [f"{subject} is een gedeelde map (zoals /tmp) waarin iedereen bestanden "
                f"kan zetten. Zet de database in een eigen map met rechten {wanted:o}."]
    if extra:
        hint = ""
        if not access.group and not extra & 0o006:
            hint = (f" (Delen alle balies de database? Zet dan BALIE_GROUP="
                    f"{_group_name(st_gid)}.)")
        problems.append(
            f"{subject} {is_} {_exposure(extra, st_gid)} (rechten {mode:o}, hoort "
            f"{wanted:o}). Herstel: chmod {wanted:o} {quoted}{hint}")
    if gid is not None and st_gid != gid:
        problems.append(
            f"{subject} {belongs} bij de groep {_group_name(st_gid)}, niet bij "
            f"{access.group} (BALIE_GROUP). Herstel: chgrp {shlex.quote(access.group)} "
            f"{quoted}")
    if folder and gid is not None and not mode & stat.S_ISGID and not extra:
        problems.append(
            f"{subject} mist de setgid-bit: nieuwe -wal- en -shm-bestanden krijgen "
            f"dan niet de groep {access.group} en andere balies kunnen ze niet openen. "
            f"Herstel: chmod {wanted:o} {quoted}")
    return problems


def _exposure(bits: int, gid: int) -> str:
    """ "leesbaar voor de groep staff en leesbaar en schrijfbaar voor iedereen" """
    parts = []
    for shift, who in ((3, f"de groep {_group_name(gid)}"), (0, "iedereen op deze computer")):
        read, write = bits >> shift & 0o4, bits >> shift & 0o2
        if read or write:
            how = " en ".join(w for w, on in (("leesbaar", read), ("schrijfbaar", write)) if on)
            parts.append(f"{how} voor {who}")
    return " en ".join(parts)


def _group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)
