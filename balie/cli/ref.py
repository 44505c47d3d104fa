"""``balie ref``: reference data (villages, routes, topics, staff, ...)."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, fail, print_rows, sign_in, whole
from balie.domain.reference_data import MAX_INHABITANTS


def register(commands: Commands) -> None:
    ref = commands.add(
        "ref",
        "beheer referentiegegevens (dorpen, gebieden, routes, kanalen, ...)",
        "Referentiegegevens bekijken en wijzigen. Soorten: villages (dorpen), areas\n"
        "(gebieden), routes, channels (kanalen), topics (onderwerpen), outcomes\n"
        "(uitkomsten bij afronden), staff (medewerkers). De adressen waar de balie naar\n"
        "verwijst staan op de sociale kaart: zie balie kaart.\n"
        "Ingetrokken items blijven in de geschiedenis en overzichten staan, maar worden\n"
        "niet meer aangeboden.",
        run=run,
    )
    actions = commands.actions(ref)
    from balie.db.reference import KINDS

    kinds = sorted(KINDS)

    def ref_action(name: str, help: str) -> argparse.ArgumentParser:
        sub = actions.add(name, help)
        # 'referrals' of earlier versions: said where they went, not "invalid choice".
        sub.add_argument("kind", choices=[*kinds, MOVED], metavar="SOORT",
                         help=", ".join(kinds))
        return sub

    def attributes(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--area", metavar="GEBIED", help="gebied van een dorp")
        sub.add_argument("--inhabitants", type=whole(0, MAX_INHABITANTS), metavar="N",
                         help="inwoners van een dorp")
        sub.add_argument("--aliases", metavar="WOORDEN",
                         help="extra zoekwoorden van een dorp (bijv. Broekstreek)")
        sub.add_argument("--kind", dest="route_kind", choices=("team", "desk", "external"),
                         help="soort route")
        sub.add_argument("--short-name", metavar="NAAM",
                         help="korte naam van een route (voor smalle kolommen)")
        sub.add_argument("--display-name", metavar="NAAM", help="weergavenaam van een medewerker")
        sub.add_argument("--roles", metavar="ROLLEN",
                         help="rollen van een medewerker, met komma's: balie, team, "
                              "teamleider, beheer (bijv. balie,teamleider)")
        sub.add_argument("--retention-months", type=whole(1, 120), metavar="N",
                         help="bewaartermijn van een route: maanden na afronden dat naam, "
                              "telefoon en vrije tekst bewaard blijven (1-120)")
        sub.add_argument("--team", metavar="ROUTE", help="team van een medewerker")

    ref_action("list", "toon alle items van een soort")
    add = ref_action("add", "voeg een item toe")
    add.add_argument("name", metavar="NAAM", help="naam (bij staff: de gebruikersnaam)")
    attributes(add)
    rename = ref_action("rename", "geef een item een nieuwe naam")
    rename.add_argument("name", metavar="NAAM")
    rename.add_argument("new_name", metavar="NIEUWE_NAAM")
    set_ = ref_action("set", "wijzig eigenschappen van een item")
    set_.add_argument("name", metavar="NAAM")
    attributes(set_)
    retire = ref_action("retire", "trek een item in (niet meer aangeboden)")
    retire.add_argument("name", metavar="NAAM")
    restore = ref_action("restore", "zet een ingetrokken item weer actief")
    restore.add_argument("name", metavar="NAAM")



MOVED = "referrals"
"""The referral targets of earlier versions, now the sociale kaart (balie kaart)."""


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db import reference as refdb

    if args.kind == MOVED:
        return fail("de verwijsadressen staan nu op de sociale kaart: gebruik balie kaart "
                    f"{'list' if args.action == 'list' else '--help'}.", 2)
    kind = refdb.KINDS[args.kind]
    with open_database(path, create=False) as db:
        actor = sign_in(db)
        if args.action == "list":
            print_rows(refdb.list_entries(db, kind))
            return 0
        attrs = {
            key: value
            for key, value in {
                "area": getattr(args, "area", None),
                "inhabitants": getattr(args, "inhabitants", None),
                "aliases": getattr(args, "aliases", None),
                "kind": getattr(args, "route_kind", None),
                "short_name": getattr(args, "short_name", None),
                "display_name": getattr(args, "display_name", None),
                "roles": getattr(args, "roles", None),
                "retention_months": getattr(args, "retention_months", None),
                "team": getattr(args, "team", None),
            }.items()
            if value is not None
        }
        if args.action == "add":
            refdb.add_entry(db, actor, kind, args.name, **attrs)
            print(f"{kind.label.capitalize()} {args.name!r} toegevoegd.")
        elif args.action == "rename":
            refdb.rename_entry(db, actor, kind, args.name, args.new_name)
            print(f"{kind.label.capitalize()} {args.name!r} heet nu {args.new_name!r}.")
        elif args.action == "set":
            if not attrs:
                return fail("geef op wat er moet veranderen (zie --help).", 2)
            refdb.update_entry(db, actor, kind, args.name, **attrs)
            print(f"{kind.label.capitalize()} {args.name!r} gewijzigd.")
        elif args.action in ("retire", "restore"):
            refdb.set_retired(db, actor, kind, args.name, args.action == "retire")
            state = "ingetrokken" if args.action == "retire" else "weer actief"
            print(f"{kind.label.capitalize()} {args.name!r} is {state}.")
    return 0
