"""``balie audit``: the audit log for beheer."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from balie.cli.common import INQUIRY_NUMBER, Commands, fail, rows_text, sign_in


def register(commands: Commands) -> None:
    audit = commands.add(
        "audit",
        "toon het auditlog: wie zag of wijzigde welke vraag, wanneer en waarvandaan (beheer)",
        "Het auditlog, nieuwste eerst; filters mogen samen:\n"
        "  balie audit                          de laatste 7 dagen\n"
        "  balie audit --user anna --from 1-11 --to 22-11\n"
        "  balie audit --inquiry 812            alles over vraag 812, hele periode\n"
        "  balie audit --from 1-1-2026 --to 31-3-2026 --format csv --output q1.csv\n"
        "Het inzien van het log wordt zelf ook gelogd.",
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


def run(path: Path, args: argparse.Namespace) -> int:
    import csv
    import io

    from balie.db import open_database
    from balie.db.auditlog import audit_rows
    from balie.db.reference import load_reference
    from balie.domain.parsing import InvalidInput, parse_day
    from balie.domain.timekeeping import local, local_day, local_days_span, utc_now
    from balie.domain.wording import audit_detail

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
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows([header, *lines])
        text = buffer.getvalue()
    else:
        text = rows_text([dict(zip(header, line)) for line in lines]) if lines else \
            "(geen regels)\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    from balie.db.subject import write_new_private_file

    write_new_private_file(Path(args.output), text,
                           encoding="utf-8-sig" if args.format == "csv" else "utf-8")
    print(f"{len(lines)} regels geschreven naar {args.output}", file=sys.stderr)
    return 0
