"""``balie kaart``: the sociale kaart, the directory of local help (see README)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balie.cli.common import (
    Commands,
    fail,
    print_rows,
    read_text_file,
    replaced_with_force,
    sign_in,
)

MAX_FILE = 20 * 1024 * 1024
"""A sociale kaart of 2,000 entries is some 600 kB; a larger file is another file."""

OPTIONS = (
    # (option, field, Dutch help)
    ("--organisation", "organisation", "naam van de organisatie"),
    ("--service", "service", "de dienst, als de organisatie er meer heeft "
                             "(bijv. thuisadministratie)"),
    ("--offers", "offers", "wat het biedt, in een of twee zinnen"),
    ("--topics", "topics", "onderwerpen waarmee het helpt, met komma's (balie ref list topics)"),
    ("--villages", "villages", "dorpen of gebieden die het bedient, met komma's; leeg of "
                               "'alle': heel Midden-Drenthe"),
    ("--phone", "phone", "telefoonnummer"),
    ("--email", "email", "e-mailadres"),
    ("--website", "website", "website"),
    ("--address", "address", "bezoekadres"),
    ("--hours", "hours", "openingstijden of hoe het te bereiken is"),
    ("--note", "desk_note", "notitie voor de balie (bijv. alleen op afspraak)"),
    ("--aliases", "aliases", "extra zoekwoorden"),
)


def register(commands: Commands) -> None:
    kaart = commands.add(
        "kaart",
        "de sociale kaart: adressen waar de balie naar verwijst",
        "De sociale kaart: organisaties en diensten waar de balie naar verwijst of over\n"
        "informeert, met wat ze bieden, hoe ze te bereiken zijn en een notitie voor de\n"
        "balie. Iedereen kan ze bekijken; wijzigen is voor beheer.\n"
        "  balie kaart list [--stale]              alle vermeldingen (of die te controleren)\n"
        "  balie kaart show Voedselbank            één vermelding, met alle gegevens\n"
        "  balie kaart add --organisation Humanitas --service thuisadministratie \\\n"
        "      --topics \"financiën, administratie\" --phone \"0593 123456\"\n"
        "  balie kaart set Voedselbank --hours \"di 10-12 uur\"   (telt als controle)\n"
        "  balie kaart set Voedselbank --checked   gegevens nagekeken, alles klopt nog\n"
        "  balie kaart retire|restore NAAM         niet meer / weer aanbieden\n"
        "  balie kaart export kaart.csv            voor Excel (puntkomma's, UTF-8 met BOM)\n"
        "  balie kaart import kaart.csv [--dry-run]\n"
        "Een vermelding noemt u bij haar naam, haar nummer (nr) of woorden die alleen bij\n"
        "haar passen. Een vermelding die 12 maanden niet is gecontroleerd, is verouderd.\n"
        "Bij import: de kolom nr koppelt een regel aan een vermelding (leeg: nieuw); wat\n"
        "niet in het bestand staat, blijft zoals het is; status 'ingetrokken' trekt in.\n"
        "Een bestand met één fout verandert niets.",
        run=run,
    )
    actions = commands.actions(kaart)
    listing = actions.add("list", "toon de vermeldingen")
    listing.add_argument("--stale", action="store_true",
                         help="alleen die langer dan 12 maanden niet zijn gecontroleerd")
    listing.add_argument("--retired", action="store_true", help="ook de ingetrokken")
    show = actions.add("show", "toon één vermelding met alle gegevens")
    show.add_argument("entry", metavar="NAAM", help="naam, nummer of zoekwoorden")
    add = actions.add("add", "voeg een vermelding toe")
    set_ = actions.add("set", "wijzig een vermelding (telt als controle)")
    set_.add_argument("entry", metavar="NAAM", help="naam, nummer of zoekwoorden")
    for sub in (add, set_):
        for option, field, help in OPTIONS:
            sub.add_argument(option, dest=field, metavar="TEKST", help=help)
    set_.add_argument("--checked", action="store_true",
                      help="de gegevens zijn nagekeken en kloppen (ook zonder wijziging)")
    for name, help in (("retire", "trek een vermelding in (blijft in de geschiedenis en "
                                  "de overzichten)"),
                       ("restore", "zet een ingetrokken vermelding weer actief")):
        sub = actions.add(name, help)
        sub.add_argument("entry", metavar="NAAM", help="naam, nummer of zoekwoorden")
    export = actions.add("export", "schrijf de sociale kaart naar een CSV-bestand voor Excel")
    export.add_argument("file", metavar="BESTAND", help="nieuw CSV-bestand")
    export.add_argument("--force", action="store_true", help="een bestaand bestand vervangen")
    importer = actions.add("import", "lees de sociale kaart in uit een CSV-bestand")
    importer.add_argument("file", metavar="BESTAND", help="CSV-bestand (zoals export het maakt)")
    importer.add_argument("--dry-run", action="store_true",
                          help="alleen controleren en tonen wat er verandert")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.reference import load_reference
    from balie.domain.parsing import InvalidInput
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        actor = sign_in(db)
        reference = load_reference(db)
        try:
            if args.action == "list":
                return _list(reference, args)
            if args.action == "show":
                return _show(reference, args.entry)
            if args.action in ("add", "set"):
                return _edit(db, actor, reference, args)
            if args.action in ("retire", "restore"):
                from balie.db.directory import set_retired
                from balie.domain.directory_search import find_entry

                entry = find_entry(reference, args.entry)
                set_retired(db, actor, entry.id, args.action == "retire", utc_now())
                state = "ingetrokken" if args.action == "retire" else "weer actief"
                print(f"{entry.name} (nr {entry.id}) is {state}.")
                return 0
            if args.action == "export":
                return _export(db, actor, reference, Path(args.file), args.force)
            return _import(db, actor, reference, Path(args.file), args.dry_run)
        except InvalidInput as error:
            return fail(error.message, 2)


def _list(reference, args: argparse.Namespace) -> int:
    from balie.domain.directory import checked_text, is_stale, shown, topics_text
    from balie.domain.timekeeping import utc_now

    now = utc_now()
    entries = [e for e in reference.directory.all
               if (args.retired or not e.retired) and (not args.stale or is_stale(e, now))]
    print_rows([{
        "nr": e.id, "naam": e.name, "telefoon": shown(e.phone),
        "onderwerpen": topics_text(e, reference),
        "controle": checked_text(e, now) + (" (ingetrokken)" if e.retired else ""),
    } for e in entries])
    if args.stale:
        print(f"\n{len(entries)} vermelding(en) niet gecontroleerd in 12 maanden. Kijk ze na "
              "en leg het vast met: balie kaart set NAAM --checked (of wijzig ze).")
    return 0


def _show(reference, text: str) -> int:
    from balie.domain.directory import checked_text, served_text, shown, topics_text
    from balie.domain.directory_search import find_entry
    from balie.domain.timekeeping import utc_now

    entry = find_entry(reference, text)
    rows = [("nr", str(entry.id)), ("naam", entry.name),
            ("status", "ingetrokken" if entry.retired else "actief"),
            ("aanbod", entry.offers or "-"),
            ("onderwerpen", topics_text(entry, reference) or "-"),
            ("dorpen", served_text(entry, reference)),
            ("telefoon", shown(entry.phone)), ("e-mail", shown(entry.email)),
            ("website", shown(entry.website)), ("bezoekadres", shown(entry.address)),
            ("bereikbaarheid", shown(entry.hours)), ("notitie", entry.desk_note or "-"),
            ("zoekwoorden", entry.aliases or "-"),
            ("controle", checked_text(entry, utc_now()))]
    width = max(len(label) for label, _ in rows)
    sys.stdout.write("".join(f"{label.ljust(width)}  {value}\n" for label, value in rows))
    return 0


def _edit(db, actor, reference, args: argparse.Namespace) -> int:
    from balie.db.directory import add_entry, mark_checked, update_entry
    from balie.domain.directory import check_entry, fields_of
    from balie.domain.directory_search import find_entry
    from balie.domain.timekeeping import utc_now

    given = {field: getattr(args, field) for _, field, _ in OPTIONS
             if getattr(args, field) is not None}
    now = utc_now()
    if args.action == "add":
        entry = check_entry(given, reference)
        entry_id = add_entry(db, actor, entry, now)
        print(f"{entry.name} (nr {entry_id}) staat op de sociale kaart.")
        return 0
    current = find_entry(reference, args.entry)
    if not given and not args.checked:
        return fail("geef op wat er moet veranderen, of --checked (zie --help).", 2)
    if given:
        entry = check_entry(fields_of(current, reference) | given, reference)
        update_entry(db, actor, current.id, entry, now)
        print(f"{entry.name} (nr {current.id}) gewijzigd en als gecontroleerd vastgelegd.")
    else:
        mark_checked(db, actor, current.id, now)
        print(f"{current.name} (nr {current.id}) als gecontroleerd vastgelegd.")
    return 0


def _export(db, actor, reference, target: Path, force: bool) -> int:
    from balie.db.files import write_export
    from balie.domain.directory_csv import to_csv
    from balie.domain.spreadsheet import ENCODING
    from balie.domain.timekeeping import utc_now

    text = to_csv(list(reference.directory.all), reference)
    # Logged when, and only when, the whole file is in place.
    with replaced_with_force():
        written = write_export(db, actor, target, text.encode(ENCODING), utc_now(),
                               detail="sociale kaart", replace=force)
    print(f"{len(reference.directory.all)} vermeldingen geschreven naar {written}.")
    return 0


def _import(db, actor, reference, source: Path, dry_run: bool) -> int:
    from balie.db.directory import import_directory, plan_import
    from balie.domain.directory_csv import MAX_PROBLEMS, read_directory
    from balie.domain.timekeeping import utc_now

    text = read_text_file(str(source), limit=MAX_FILE)
    now = utc_now()
    checked = read_directory(text, reference, now)
    if checked.problems:
        print(f"balie: {source} is niet ingelezen; verbeter deze regels:", file=sys.stderr)
        for problem in checked.problems:
            print(f"  {problem}", file=sys.stderr)
        if len(checked.problems) >= MAX_PROBLEMS:
            print(f"  (en mogelijk meer; na {MAX_PROBLEMS} meldingen gestopt)", file=sys.stderr)
        return 1
    plan = plan_import(reference.directory.all, checked) if dry_run else \
        import_directory(db, actor, checked, now)
    for label, names in (("nieuw", plan.added), ("gewijzigd", plan.changed),
                         ("ingetrokken", plan.retired), ("weer actief", plan.restored)):
        if names:
            print(f"{label}: {', '.join(names)}")
    summary = (f"{len(plan.added)} nieuw, {len(plan.changed)} gewijzigd, "
               f"{len(plan.retired)} ingetrokken, {len(plan.restored)} weer actief, "
               f"{plan.unchanged} ongewijzigd; {plan.untouched} niet in het bestand "
               "(blijven zoals ze zijn).")
    if dry_run:
        print(f"{source} is in orde: {summary} Niets gewijzigd (--dry-run).")
    else:
        print(f"{source} ingelezen: {summary}")
    return 0
