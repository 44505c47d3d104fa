"""``balie person``: requests of a person registered (access, erasure)."""

from __future__ import annotations

import argparse
from pathlib import Path

from balie.cli.common import Commands, fail, numbers, print_rows, replaced_with_force, sign_in


def register(commands: Commands) -> None:
    person = commands.add(
        "person",
        "inzage- en wisverzoeken van iemand die geregistreerd is (beheer)",
        "Voor het recht op inzage en het recht op vergetelheid (AVG). Zoek eerst alle vragen\n"
        "van de persoon en kijk na dat ze van deze persoon zijn; geef daarna de nummers:\n"
        "  balie person find --phone 06-12345678 --name \"Jan de Vries\"\n"
        "  balie person export --phone 06-12345678 --ids 812,1200 --output inzage.md\n"
        "  balie person erase --phone 06-12345678 --ids 812,1200\n"
        "Telefoon in elke gangbare schrijfwijze; bij een naam moeten alle woorden kloppen\n"
        "(hoofdletters en accenten tellen niet). Het bestand van export is alleen voor u\n"
        "leesbaar en vervangt een bestaand bestand alleen met --force. Exitcode 3 bij\n"
        "erase: zie balie retention --help.",
        run=run,
    )
    actions = commands.actions(person)
    for name, help in (("find", "toon de vragen die bij de persoon horen"),
                       ("export", "schrijf alles over de gekozen vragen naar een bestand"),
                       ("erase", "wis de persoonsgegevens in de gekozen vragen")):
        sub = actions.add(name, help)
        sub.add_argument("--phone", metavar="NUMMER", help="telefoonnummer")
        sub.add_argument("--name", metavar="NAAM", help="naam (minstens twee woorden)")
        if name == "find":
            continue
        sub.add_argument("--ids", metavar="NUMMERS",
                         help="alleen deze vragen, met komma's (bijv. 812,1200); elk moet "
                              "bij de persoon gevonden zijn" + (
                                  "" if name == "export" else " (of --all)"))
        sub.add_argument("--all", action="store_true",
                         help="alle gevonden vragen" + (
                             " (standaard)" if name == "export" else ""))
        if name == "export":
            sub.add_argument("--output", metavar="BESTAND",
                             help="nieuw bestand voor de inzage (UTF-8, Markdown); verplicht")
            sub.add_argument("--force", action="store_true",
                             help="een bestaand bestand met die naam vervangen")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.subject import PersonQuery, erase_person, export_person, find_person
    from balie.domain.parsing import InvalidInput, format_phone
    from balie.domain.retention import inquiries, number_ranges
    from balie.domain.timekeeping import local, utc_now

    query = PersonQuery(args.phone, args.name)
    ids = None
    try:
        query.parsed()
        if args.action != "find":
            if args.ids is not None and args.all:
                raise InvalidInput("Geef --ids of --all, niet allebei.")
            if args.ids is not None:
                ids = numbers(args.ids)
            elif args.action == "erase" and not args.all:
                raise InvalidInput(
                    "Geef met --ids de nummers die bij deze persoon horen (zie balie person "
                    "find), of --all als alle gevonden vragen van deze persoon zijn.")
        if args.action == "export" and not args.output:
            raise InvalidInput("Geef met --output het nieuwe bestand voor de inzage op.")
    except InvalidInput as error:
        return fail(error.message, 2)
    with open_database(path, create=False) as db:
        actor = sign_in(db)
        if args.action == "find":
            matches = find_person(db, actor, query, utc_now())
            print_rows([{
                "nummer": m.id, "datum": f"{local(m.registered_at):%d-%m-%Y}",
                "dorp": m.village, "route": m.route, "status": m.status,
                "gevonden op": m.basis, "naam": m.person_name,
                "telefoon": format_phone(m.phone), "postcode": m.postcode,
            } for m in matches])
            print(f"\n{inquiries(len(matches))} gevonden met {query.describe()}. Kijk na "
                  "welke van deze persoon zijn en geef die met --ids aan export of erase.")
            return 0
        if args.action == "export":
            with replaced_with_force():
                done = export_person(db, actor, query, Path(args.output), utc_now(),
                                     ids=ids, replace=args.force)
            print(f"Inzage van {inquiries(len(done.ids))} (nummer "
                  f"{number_ranges(done.ids)}) geschreven naar {done.path} (alleen voor u "
                  "leesbaar). Geef het bestand veilig aan de persoon en verwijder uw kopie "
                  "daarna.")
            return 0
        erased = erase_person(db, actor, query, utc_now(), ids=ids)
    print(f"Persoonsgegevens gewist in {inquiries(len(erased.ids))} (nummer "
          f"{number_ranges(erased.ids)}); de cijfers in de overzichten blijven gelijk.")
    print(erased.purge.message())
    return 0 if erased.purge.complete else 3
