"""``balie report``: the overview's figures for any period, as table, CSV or JSON; the
factsheets also as an HTML page to print."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from balie.cli.common import Commands, fail, positive, replaced_with_force, sign_in
from balie.cli.output import write_document


def register(commands: Commands) -> None:
    report = commands.add(
        "report",
        "tel de vragen per dorp, gebied, kanaal, onderwerp, uur of adres en per route",
        "Dezelfde cijfers als het dagoverzicht in de app, voor een periode:\n"
        "  balie report                        vandaag, per dorp\n"
        "  balie report --day gisteren --by area\n"
        "  balie report --month 2024-03 --format csv > maart.csv\n"
        "  balie report --year 2023 --factsheet\n"
        "  balie report --year 2023 --factsheet --format html --output 2023.html\n"
        "  balie report --from 1-1-2024 --to 15-1-2024 --by channel\n"
        "  balie report --month 2024-03 --by referral   verwijzingen per adres van de\n"
        "                                        sociale kaart, met de uitkomst van nabellen\n"
        "  balie report --quarter 2024-Q1 --suppress   (voor extern gebruik)\n"
        "Een datum mag als 12-3, 12-3-2024, 8 maart, 2024-03-12, gisteren of vr.\n"
        "CSV is voor Excel: puntkomma's, UTF-8 met BOM, Nederlandse kopjes.",
        run=run,
    )
    period = report.add_mutually_exclusive_group()
    period.add_argument("--day", metavar="DATUM", help="een dag (standaard vandaag)")
    for flag, name, example in (("--week", "de week", "12-3"), ("--month", "de maand", "2024-03"),
                                ("--quarter", "het kwartaal", "2024-Q1"),
                                ("--year", "het jaar", "2024")):
        period.add_argument(flag, nargs="?", const="", metavar="WANNEER",
                            help=f"{name} waarin WANNEER valt (bijv. {example}; "
                                 "zonder: de huidige)")
    period.add_argument("--from", dest="from_", metavar="DATUM",
                        help="eigen periode vanaf DATUM (met --to)")
    report.add_argument("--to", metavar="DATUM", help="eigen periode tot en met DATUM")
    report.add_argument("--by", choices=("village", "area", "channel", "topic", "hour",
                                         "referral"),
                        default="village", help="indeling van de regels (standaard village; "
                                                "referral: per adres van de sociale kaart)")
    report.add_argument("--route", action="append", metavar="NAAM",
                        help="alleen deze route (naam of code; mag vaker)")
    report.add_argument("--route-at", choices=("end", "intake"), default="end",
                        help="tel een vraag bij de route die hij nu heeft (end, standaard: na "
                             "doorzetten tussen teams) of waar de balie hem heen stuurde "
                             "(intake)")
    report.add_argument("--format", choices=("table", "csv", "json", "html"), default="table",
                        help="uitvoer (standaard table; html alleen met --factsheet: een "
                             "pagina per team om af te drukken)")
    report.add_argument("--suppress", action="store_true",
                        help="voor extern gebruik: 1-9 als <10, en genoeg andere cellen "
                             "verborgen (x) dat niets terug te rekenen is; voor een "
                             "afgelopen maand, kwartaal of jaar, per dorp, gebied of adres, "
                             "alle routes of één")
    report.add_argument("--factsheet", action="store_true",
                        help="per team (en de balie) de cijfers van het jaarverslag: totaal "
                             "en verschil, uitkomsten en verwijzingen, onderwerpen, "
                             "woonplaats, geslacht, leeftijd, kanaal, wachttijd; standaard "
                             "een jaar")
    report.add_argument("--hide-empty", action="store_true",
                        help="regels zonder vragen weglaten")
    report.add_argument("--output", metavar="BESTAND",
                        help="naar een nieuw bestand (alleen voor u leesbaar) in plaats van "
                             "naar het scherm")
    report.add_argument("--force", action="store_true",
                        help="met --output: een bestaand bestand vervangen")
    report.add_argument("--width", type=positive, metavar="TEKENS",
                        help="de tabel zo smal maken (standaard: de breedte van het "
                             "terminalvenster; naar een bestand of pijp: onbeperkt)")


def table_width(asked: int | None) -> int | None:
    """How wide the table may be: as asked, else the terminal's (``COLUMNS`` when set);
    unlimited into a pipe or file, where nothing wraps it."""
    if asked:
        return asked
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.factsheets import published_factsheets
    from balie.db.reference import load_reference
    from balie.db.reports import report
    from balie.domain import factsheet_output as sheet_out
    from balie.domain import report_output as out
    from balie.domain.factsheet_html import pages_html
    from balie.domain.parsing import InvalidInput, parse_day
    from balie.domain.periods import Period, in_calendar, parse_period
    from balie.domain.text import fold
    from balie.domain.timekeeping import local_day, utc_now

    today = local_day(utc_now())
    if args.format == "html" and not args.factsheet:
        return fail("--format html is er alleen voor de factsheets (--factsheet).", 2)
    try:
        if args.from_ or args.to:
            if not (args.from_ and args.to):
                raise InvalidInput("Geef bij een eigen periode zowel --from als --to.")
            first = parse_day(args.from_, today)
            last = parse_day(args.to, today)
            if last < first:
                raise InvalidInput("--to ligt vóór --from.")
            period = in_calendar(Period("range", first, last))
        else:
            kind, text = next(
                ((kind, getattr(args, kind)) for kind in ("week", "month", "quarter", "year")
                 if getattr(args, kind) is not None),
                ("year" if args.factsheet else "day", args.day),
            )
            period = parse_period(kind, text, today)
        if args.suppress:
            out.check_publishable(period, "village" if args.factsheet else args.by,
                                  routes=0 if args.factsheet else len(set(args.route or ())),
                                  today=today)
    except InvalidInput as error:
        return fail(error.message, 2)
    with open_database(path, create=False) as db:
        actor = sign_in(db)
        reference = load_reference(db)
        codes = None
        if args.route:
            codes = []
            for name in args.route:
                route = next((r for r in reference.routes.all
                              if fold(r.name) == fold(name) or r.code == name), None)
                if route is None:
                    known = ", ".join(r.name for r in reference.routes.all)
                    return fail(f"onbekende route {name!r}; kies uit: {known}.", 2)
                codes.append(route.code)
            codes = tuple(codes)
        if args.factsheet:
            try:
                pages = published_factsheets(db, actor, reference, period, codes,
                                             now=utc_now(), suppressed=args.suppress)
            except InvalidInput as error:  # AVG for a period that is not over yet
                return fail(error.message, 2)
            render = {"table": lambda: sheet_out.pages_text(pages, _text_width(args)),
                      "csv": lambda: sheet_out.pages_csv(pages),
                      "json": lambda: sheet_out.pages_json(pages),
                      "html": lambda: pages_html(pages, today)}
            text = render[args.format]()
        else:
            result = report(db, actor, reference, period, args.by, route_codes=codes,
                            now=utc_now(),
                            include_empty=not args.hide_empty, route_basis=args.route_at)
            try:
                if args.format == "table":
                    text = out.to_table(result, suppressed=args.suppress,
                                        width=None if args.output else table_width(args.width))
                else:
                    render = {"csv": out.to_csv, "json": out.to_json}
                    text = render[args.format](result, suppressed=args.suppress)
            except InvalidInput as error:  # AVG: figures that cannot be protected
                return fail(error.message, 2)
        from balie.db.access import audit
        from balie.db.files import write_export
        from balie.domain.spreadsheet import ENCODING

        detail = (f"{'factsheets' if args.factsheet else 'rapport ' + args.by} "
                  f"{period.first:%d-%m-%Y} t/m {period.last:%d-%m-%Y} "
                  f"({'AVG' if args.suppress else 'intern'})")
        encoding = ENCODING if args.format == "csv" else "utf-8"
        if args.output:
            # Logged when, and only when, the whole file is in place.
            with replaced_with_force():
                written = write_export(db, actor, Path(args.output), text.encode(encoding),
                                       utc_now(), detail=detail, replace=args.force)
            print(f"Geschreven naar {written}", file=sys.stderr)
            return 0
        audit(db, actor, "export", utc_now(), detail=f"{detail} naar scherm")
    if args.format == "table":
        sys.stdout.write(text)
    else:
        write_document(text, encoding)
    return 0


def _text_width(args: argparse.Namespace) -> int:
    """The terminal's width for text on a terminal; 80 columns in a file or a pipe."""
    import shutil

    if args.output or not sys.stdout.isatty():
        return 80
    return shutil.get_terminal_size((80, 24)).columns
