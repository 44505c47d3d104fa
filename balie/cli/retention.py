"""``balie retention``: erase personal details past their retention period."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balie.cli.common import Commands, sign_in


def register(commands: Commands) -> None:
    retention = commands.add(
        "retention",
        "wis de persoonsgegevens van vragen die over hun bewaartermijn zijn (beheer)",
        "Wist naam, telefoon, postcode, terugbelmoment, omschrijving en de toelichtingen in\n"
        "de geschiedenis van afgeronde vragen waarvan de bewaartermijn van hun route voorbij\n"
        "is (balie ref list routes: bewaren_maanden; wijzigen met balie ref set routes NAAM\n"
        "--retention-months N). Een open terugbelverzoek houdt een vraag vast tot het\n"
        "verzoek ook over die termijn is. De cijfers in overzichten blijven gelijk.\n"
        "Werkt in delen van 500 vragen, zodat de balies kunnen doorwerken; afgebroken?\n"
        "Start opnieuw, dan gaat het verder.\n"
        "  balie retention --dry-run     alleen tellen, per route\n"
        "  balie retention               wissen\n"
        "Exitcode 3: gewist, maar het logbestand (-wal) kon nog niet worden geleegd omdat\n"
        "een balie las; voer het later nog eens uit.",
        run=run,
    )
    retention.add_argument("--dry-run", action="store_true",
                           help="alleen tellen wat gewist zou worden, niets wissen")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.retention import apply_retention, due_by_route
    from balie.domain.retention import inquiries
    from balie.domain.timekeeping import utc_now

    now = utc_now()
    with open_database(path, create=False) as db:
        actor = sign_in(db)
        if args.dry_run:
            due = due_by_route(db, actor, now)
            width = max(len(d.route) for d in due)
            for d in due:
                print(f"{d.route:<{width}}  {d.months:>3} maanden  {inquiries(d.count)}")
            total = sum(d.count for d in due)
            print(f"Samen {inquiries(total)} over de bewaartermijn. Niets gewist (--dry-run).")
            return 0

        def progress(done: int) -> None:
            if done % 10_000 == 0:
                print(f"  {inquiries(done)} gewist ...", file=sys.stderr)

        run = apply_retention(db, actor, now, progress=progress)
    if run.erased == 0:
        print("Geen vragen over de bewaartermijn; er is niets gewist.")
    else:
        print(f"Persoonsgegevens van {inquiries(run.erased)} gewist (bewaartermijn). "
              "De cijfers in de overzichten zijn gelijk gebleven.")
    if run.erased or not run.purge.complete:
        print(run.purge.message())
    return 0 if run.purge.complete else 3
