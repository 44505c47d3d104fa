"""``balie info``: where the database is, its schema, its size and its file modes."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

from balie.cli.common import Commands
from balie.config import access_from, os_username


def register(commands: Commands) -> None:
    commands.add("info", "toon waar de database staat, de schemaversie en de aantallen",
                 run=run)


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.importing import FINISHED, unfinished_imports
    from balie.db.migrations import applied_names
    from balie.db.settings import is_demo
    from balie.domain.numbers import count as dutch_count
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        applied = applied_names(db)
        (count,) = db.execute(f"SELECT count(*) FROM inquiry WHERE {FINISHED}").fetchone()
        unfinished = unfinished_imports(db)
        size = sum(
            p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()
        )
        print(f"database:     {path}")
        print(f"grootte:      {size / 1_048_576:.1f} MB")
        print(f"schema:       {applied[-1] if applied else '-'} ({len(applied)} migraties)")
        print(f"registraties: {dutch_count(count)}{' (demo)' if is_demo(db) else ''}")
        for batch in unfinished:
            state = ("is afgebroken; telt nergens mee en wordt bij de volgende balie "
                     "import opgeruimd" if batch.abandoned(socket.gethostname(), utc_now())
                     else "wordt nu ingelezen; telt mee als die klaar is")
            print(f"import:       {batch.id} ({batch.file_name}, "
                  f"{dutch_count(batch.rows)} regels) {state}")
        print(f"medewerker:   {os_username()}")
    print(f"rechten:      {_modes(path)}")
    return 0


def _modes(path: Path) -> str:
    """ "600 (database), 700 (map)", and whether that is right for this server."""
    import stat

    from balie.db.permissions import file_warnings

    shown = []
    for file, label in ((path, "database"), (Path(f"{path}-wal"), "wal"),
                        (Path(f"{path}-shm"), "shm"), (path.absolute().parent, "map")):
        if file.exists():
            shown.append(f"{stat.S_IMODE(file.stat().st_mode):o} ({label})")
    access = access_from()
    verdict = "niet in orde, zie hieronder" if file_warnings(path, access) else "in orde"
    group = f", groep {access.group}" if access.group else ""
    return f"{', '.join(shown)}{group}: {verdict}"
