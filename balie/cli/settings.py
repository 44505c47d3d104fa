"""``balie settings``: the settings all desks share."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, fail, sign_in


def register(commands: Commands) -> None:
    settings = commands.add(
        "settings",
        "toon of wijzig instellingen die alle balies delen",
        "Instellingen staan in de database en gelden voor alle balies:\n"
        "  balie settings                          alle instellingen\n"
        "  balie settings set max-wait-hours 8     te lang wachtend na 8 werkuren\n"
        "  balie settings set office-hours 8:30-17:00",
        run=run,
    )
    change = commands.actions(settings, required=False).add("set", "wijzig een instelling")
    from balie.db.settings import ADJUSTABLE

    change.add_argument("name", choices=sorted(ADJUSTABLE), metavar="NAAM",
                        help=", ".join(sorted(ADJUSTABLE)))
    change.add_argument("value", metavar="WAARDE", help="de nieuwe waarde")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.settings import ADJUSTABLE, adjust_setting, get_setting
    from balie.domain.parsing import InvalidInput
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        if args.action == "set":
            try:
                adjust_setting(db, sign_in(db), args.name, args.value, utc_now())
            except InvalidInput as error:
                return fail(f"{args.name}: {error.message}", 2)
        for name, (key, _, default, description) in sorted(ADJUSTABLE.items()):
            value = get_setting(db, key, default)
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            print(f"{name:<16} {shown:<12} {description}")
    return 0
