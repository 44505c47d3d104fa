"""``balie audit``: the audit log for beheer."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from balie.cli.common import (
    INQUIRY_NUMBER,
    Commands,
    fail,
    replaced_with_force,
    rows_text,
    sign_in,
)
from balie.cli.output import write_document


def register(commands: Commands) -> None:
    audit = commands.add(
        "audit",
        "toon het auditlog: wie zag of wijzigde welke vraag, wanneer en waarvandaan (beheer)",
        "Het auditlog, nieuwste eerst; filters mogen samen:\n"
        "  balie audit                          de laatste 7 dagen\n"
        "  balie audit --user anna --from 1-11 --to 22-11\n"
        "  balie audit --inquiry 812            alles over vraag 812, hele periode\n"
        "  balie audit --from 1-1-2026 --to 31-3-2026 --format csv --output q1.csv\n"
        "  balie audit --verify                 controleer of het log compleet en ongewijzigd is\n"
        "Het inzien van het log wordt zelf ook gelogd.\n"
        "  balie audit --verify --head 812:9f2c...   en controleer een eerder bewaarde kop\n"
        "Exitcode 4 bij --verify: het log is buiten balie om gewijzigd.",
        run=run,
    )
    audit.add_argument("--user", metavar="GEBRUIKER", help="alleen wat deze medewerker deed")
    audit.add_argument("--inquiry", type=INQUIRY_NUMBER, metavar="NUMMER",
                       help="alleen wat over deze vraag gelogd is")
    audit.add_argument("--from", dest="from_", metavar="DATUM", help="vanaf deze dag")
    audit.add_argument("--to", metavar="DATUM", help="tot en met deze dag (standaard vandaag)")
    audit.add_argument("--format", choices=("table", "csv"), default="table",
                       help="uitvoer (standaard table)")
    audit.add_argument("--output", metavar="BESTAND",
                       help="naar een nieuw bestand (alleen voor u leesbaar)")
    audit.add_argument("--force", action="store_true",
                       help="met --output: een bestaand bestand vervangen")
    audit.add_argument("--verify", action="store_true",
                       help="controleer de keten van het log: elke regel is met een hash "
                            "aan de vorige gekoppeld; toont de eerste gebroken schakel, of "
                            "de kop (laatste regel en hash) om elders te bewaren")
    audit.add_argument("--head", metavar="REGEL:HASH", type=head,
                       help="bij --verify: een eerder bewaarde kop; die regel moet nog "
                            "dezelfde hash hebben (zo valt ook het weghalen van de laatste "
                            "regels op)")
    audit.add_argument("--accept", metavar="REGEL", type=INQUIRY_NUMBER,
                       help="bij --verify: de breuk bij deze regel is gezien en uitgezocht; "
                            "latere controles (en de melding bij de start) slaan hem over "
                            "en melden alleen een nieuwe")


def head(text: str) -> tuple[int, str]:
    number, _, value = text.strip().partition(":")
    value = value.strip().lower()
    if not (number.isascii() and number.isdigit() and len(number) < 19 and len(value) == 64
            and all(c in "0123456789abcdef" for c in value)):
        raise argparse.ArgumentTypeError(
            "geef de kop zoals balie audit --verify hem toonde: REGEL:HASH")
    return int(number), value


CHAIN_BROKEN = 4
"""Exit code of ``balie audit --verify`` when the chain does not hold."""


def verify(path: Path, noted: tuple[int, str] | None, accept: int | None) -> int:
    from balie.db import open_database
    from balie.db.auditlog import accept_break, chain_value, verify_chain
    from balie.domain.timekeeping import utc_now

    with open_database(path, create=False) as db:
        actor = sign_in(db)
        if accept is not None:
            accept_break(db, actor, accept, utc_now())
            print(f"De breuk bij regel {accept} is vastgelegd als gezien (in het auditlog).")
        result = verify_chain(db, actor, utc_now())
        then = chain_value(db, actor, noted[0]) if noted else None
    if noted is not None and result.broken is None and then != noted[1]:
        fail(f"De bewaarde kop klopt niet: regel {noted[0]} "
             f"{'ontbreekt' if then is None else 'heeft nu een andere hash'}. Het log is "
             "na die kop buiten balie om gewijzigd of ingekort. Bewaar het bestand zoals "
             "het is en vergelijk met een back-up.")
        return CHAIN_BROKEN
    if result.broken is not None:
        fail(f"{result.broken.message()} Regels 1 t/m {result.progress.last_id} zijn in "
             "orde. Bewaar het bestand zoals het is (cp, ook -wal) en vergelijk met een "
             "back-up (balie --db BACKUP audit --verify). Uitgezocht? Leg dat vast met: "
             f"balie audit --verify --accept {result.broken.row_id}")
        return CHAIN_BROKEN
    top = result.progress
    print(f"Auditlog in orde: {top.rows} regels, elk met een kloppende schakel.")
    if noted is not None:
        print(f"De bewaarde kop (regel {noted[0]}) klopt nog.")
    print(f"Kop: {top.last_id}:{top.last_chain}")
    print("Bewaar de kop buiten deze server (bijv. in de mail van cron) en controleer later "
          "met: balie audit --verify --head REGEL:HASH")
    return 0


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.auditlog import audit_rows
    from balie.db.files import create_file
    from balie.db.reference import load_reference
    from balie.domain.numbers import count as dutch_count
    from balie.domain.parsing import InvalidInput, parse_day
    from balie.domain.spreadsheet import ENCODING, csv_text
    from balie.domain.timekeeping import local, local_day, local_days_span, utc_now
    from balie.domain.wording import audit_detail

    if args.verify:
        if any((args.user, args.inquiry, args.from_, args.to, args.output)):
            return fail("--verify controleert het hele log; zonder filters of --output.", 2)
        return verify(path, args.head, args.accept)
    if args.head or args.accept:
        return fail("--head en --accept horen bij --verify.", 2)
    now = utc_now()
    today = local_day(now)
    try:
        last = parse_day(args.to, today) if args.to else today
        if args.from_:
            first = parse_day(args.from_, today)
        else:  # one inquiry or one person: everything, unless a period is asked for
            first = None if (args.inquiry or args.user) and not args.to \
                else last - timedelta(days=6)
        if first is not None and last < first:
            raise InvalidInput("--to ligt vóór --from.")
    except InvalidInput as error:
        return fail(error.message, 2)
    with open_database(path, create=False) as db:
        rows = audit_rows(db, sign_in(db), now, username=args.user, inquiry_id=args.inquiry,
                          span=local_days_span(first, last) if first else None, limit=None)
        reference = load_reference(db)
    header = ["tijd", "medewerker", "wat", "nummer", "waarvandaan", "toelichting"]
    lines = [[f"{local(r.at):%Y-%m-%d %H:%M:%S}", r.username or "", r.action_label,
              str(r.inquiry_id or ""), r.origin or "",
              audit_detail(r.action, r.detail, reference)] for r in rows]
    if args.format == "csv":
        text, encoding = csv_text([header, *lines]), ENCODING
    else:
        text = rows_text([dict(zip(header, line)) for line in lines]) if lines else \
            "(geen regels)\n"
        encoding = "utf-8"
    if not args.output:
        if args.format == "csv":
            write_document(text, encoding)
        else:
            sys.stdout.write(text)  # shown: an origin cannot steer beheer's terminal
        return 0
    with replaced_with_force():
        written = create_file(Path(args.output), text.encode(encoding), replace=args.force)
    print(f"{dutch_count(len(lines))} regels geschreven naar {written}", file=sys.stderr)
    return 0
