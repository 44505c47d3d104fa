"""``balie backup``: a consistent, verified copy while the desks keep working."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, sign_in
from balie.config import access_from


def register(commands: Commands) -> None:
    backup = commands.add(
        "backup",
        "maak een consistente kopie terwijl andere balies doorwerken",
        "Maakt een consistente kopie van de database (SQLite backup-API), controleert die\n"
        "met integrity_check en schrijft hem pas daarna onder de gegeven naam weg.",
        run=run,
    )
    backup.add_argument("path", metavar="PAD", help="nieuw bestand voor de back-up")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.backup import backup
    from balie.db.permissions import folder_warnings
    from balie.domain.timekeeping import utc_now

    access = access_from()
    with open_database(path, create=False) as db:
        target = backup(db, sign_in(db), Path(args.path), utc_now(), access)
    print(f"Back-up gemaakt en gecontroleerd: {target}")
    args.warnings += folder_warnings(target.parent, access)
    return 0
