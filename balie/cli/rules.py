"""``balie rules``: the routing rules behind the form's suggestion."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balie.cli.common import Commands, read_text_file, sign_in
from balie.cli.output import write_document

RULES_LIMIT = 1024 * 1024
"""A rules file is a few kilobytes; a megabyte is the wrong file."""


def register(commands: Commands) -> None:
    rules = commands.add(
        "rules",
        "bekijk of vervang de routeringsregels (het voorstel in het formulier)",
        "De routeringsregels staan in de database, zodat alle balies dezelfde gebruiken.\n"
        "  balie rules show > regels.toml     huidige regels (met uitleg) opslaan\n"
        "  balie rules load regels.toml       controleren en in gebruik nemen\n"
        "  balie rules load --check regels.toml   alleen controleren",
        run=run,
    )
    actions = commands.actions(rules)
    for name, help in (("show", "toon de regels die in gebruik zijn"),
                       ("load", "controleer een regelbestand en neem het in gebruik")):
        sub = actions.add(name, help)
        if name == "load":
            sub.add_argument("file", metavar="BESTAND", help="TOML-bestand met de regels")
            sub.add_argument("--check", action="store_true",
                             help="alleen controleren, niet in gebruik nemen")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.reference import load_reference
    from balie.db.rules import active_rules, store_rules
    from balie.domain.routing import InvalidRules, parse_rules
    from balie.domain.text import visible
    from balie.domain.timekeeping import local, utc_now

    with open_database(path, create=False) as db:
        if args.action == "show":
            version = active_rules(db)
            body = version.body if version.body.endswith("\n") else version.body + "\n"
            write_document(f"# versie {version.id}, in gebruik sinds "
                           f"{local(version.loaded_at):%d-%m-%Y %H:%M} "
                           f"(door {visible(version.loaded_by)})\n{body}")
            return 0
        body = read_text_file(args.file, limit=RULES_LIMIT)
        try:
            if args.check:
                rules = parse_rules(body, load_reference(db))
                print(f"{args.file} is in orde: {len(rules.rules)} regels, "
                      f"{len(rules.urgent)} spoedregels. (Niet in gebruik genomen.)")
                return 0
            version = store_rules(db, sign_in(db), body, utc_now())
        except InvalidRules as error:
            print(f"balie: {args.file} is niet in gebruik genomen:", file=sys.stderr)
            for problem in error.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        print(f"Regels uit {args.file} in gebruik genomen als versie {version}. "
              "Open formulieren gebruiken ze na een herstart van balie.")
    return 0
