"""``balie import``: historic registrations from a CSV file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from balie.cli.common import Commands, fail, read_text_file, sign_in


def register(commands: Commands) -> None:
    importer = commands.add(
        "import",
        "lees historische registraties in uit een CSV-bestand",
        "Leest oude registraties in. Eerste regel: kolomnamen, in willekeurige volgorde:\n"
        "  datum (dd-mm-jjjj of jjjj-mm-dd), tijd (optioneel, uu:mm), kanaal, dorp, route,\n"
        "  onderwerp (meerdere gescheiden door |), leeftijd, geslacht, omschrijving (optioneel)\n"
        "  en voor een team: afgerond (datum, standaard de datum van registratie) en\n"
        "  uitkomst (zoals in balie ref list outcomes)\n"
        "Puntkomma of komma, UTF-8 met of zonder BOM. Namen zoals in balie ref list (hoofd-\n"
        "letters en accenten tellen niet). Bij één fout wordt niets ingelezen; hetzelfde\n"
        "bestand twee keer inlezen wordt geweigerd.",
        run=run,
    )
    importer.add_argument("file", metavar="BESTAND", help="CSV-bestand")
    importer.add_argument("--dry-run", action="store_true",
                          help="alleen controleren, niets inlezen")


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.importing import already_imported_message, previous_import, store_import
    from balie.db.reference import load_reference
    from balie.domain.importing import read_import
    from balie.domain.numbers import count as dutch_count
    from balie.domain.timekeeping import utc_now

    source = Path(args.file)
    text = read_text_file(args.file)
    now = utc_now()
    with open_database(path, create=False) as db:
        checked = read_import(text, load_reference(db), now)
        if checked.problems:
            print(f"balie: {source} is niet ingelezen; verbeter deze regels:", file=sys.stderr)
            for problem in checked.problems:
                print(f"  {problem}", file=sys.stderr)
            if len(checked.problems) >= 200:
                print("  (en mogelijk meer; na 200 meldingen gestopt)", file=sys.stderr)
            return 1
        earlier = previous_import(db, checked)
        if earlier is not None:
            return fail(already_imported_message(earlier))
        count = len(checked.rows)
        if args.dry_run:
            print(f"{source} is in orde: {dutch_count(count)} registraties. Niets ingelezen "
                  "(--dry-run).")
            return 0
        batch = store_import(db, checked, source.name, sign_in(db), now)
    print(f"{dutch_count(count)} registraties uit {source} ingelezen (import {batch.id}).")
    return 0
