"""``balie import``: historic registrations from a CSV file.

The file is read once, line by line: every line is checked first (nothing is written
when one is wrong; the checked rows wait in a temporary file), then the rows are written
in short batches while the desks keep saving (see :mod:`balie.db.importing`). Ctrl+C, a
closed terminal or a ``kill`` undo what was written; after a ``kill -9`` the next
``balie import`` does that first.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from balie.cli.common import Commands, fail, sign_in
from balie.cli.progress import ProgressBars


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
        "bestand twee keer inlezen wordt geweigerd. Eerst wordt alles gecontroleerd, dan\n"
        "ingelezen in kleine delen, zodat de balies kunnen doorwerken; de registraties\n"
        "tellen pas mee als alles is ingelezen. Afgebroken? Dan is er niets ingelezen.",
        run=run,
    )
    importer.add_argument("file", metavar="BESTAND", help="CSV-bestand")
    importer.add_argument("--dry-run", action="store_true",
                          help="alleen controleren, niets inlezen")


@contextlib.contextmanager
def _lines(source: Path, step) -> Iterator[Iterator[str]]:
    """The file's lines, read as they are needed; ``step`` follows the bytes read."""
    from balie.domain.importing import lines_of

    with source.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        position = raw.tell if raw.seekable() else None

        def lines() -> Iterator[str]:
            for number, line in enumerate(lines_of(text)):
                if position is not None and number % 4096 == 0:
                    step(position())
                yield line
            if position is not None:
                step(position())

        yield lines()


@contextlib.contextmanager
def _stops_as_interrupt() -> Iterator[None]:
    """A ``kill`` (SIGTERM) or a closed terminal (SIGHUP) stops the import the way
    Ctrl+C does, so what was written is removed again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGTERM, signal.SIGHUP)
    before = {stop: signal.signal(stop, signal.default_int_handler) for stop in stops}
    try:
        yield
    finally:
        for stop, handler in before.items():
            signal.signal(stop, handler)


def run(path: Path, args: argparse.Namespace) -> int:
    from balie.db import open_database
    from balie.db.errors import StoreError, store_error
    from balie.db.importing import (
        already_imported_message,
        previous_import,
        remove_abandoned,
        store_rows,
    )
    from balie.db.reference import load_reference
    from balie.domain.importing import MAX_PROBLEMS, KeptRows, check_import
    from balie.domain.numbers import count as dutch_count
    from balie.domain.timekeeping import utc_now

    source = _readable(args.file)
    now = utc_now()
    with open_database(path, create=False) as db, KeptRows(db.path.parent) as kept:
        reference = load_reference(db)
        try:
            with ProgressBars() as bars, _lines(source, bars.add(
                    "Controleren", _size(source))) as lines:
                checked = check_import(lines, reference, now, spill_dir=db.path.parent,
                                       keep=None if args.dry_run else kept)
        except UnicodeDecodeError:
            raise StoreError(f"{args.file} is geen UTF-8; sla het op als UTF-8 (in Excel: "
                             "'CSV UTF-8').") from None
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT):  # the temporary files
                raise store_error(error, db.path, doing=f"Het controleren van {args.file}"
                                  ) from error
            raise store_error(error, source, doing=f"{args.file} lezen") from error
        if checked.problems:
            print(f"balie: {source} is niet ingelezen; verbeter deze regels:", file=sys.stderr)
            for problem in checked.problems:
                print(f"  {problem}", file=sys.stderr)
            if len(checked.problems) >= MAX_PROBLEMS:
                print(f"  (en mogelijk meer; na {MAX_PROBLEMS} meldingen gestopt)",
                      file=sys.stderr)
            return 1
        earlier = previous_import(db, checked, now)
        if earlier is not None:
            return fail(already_imported_message(earlier))
        if args.dry_run:
            print(f"{source} is in orde: {dutch_count(checked.count)} registraties. "
                  "Niets ingelezen (--dry-run).")
            return 0
        actor = sign_in(db)
        for gone in remove_abandoned(db, actor, now):
            print(f"balie: de afgebroken import {gone.id} ({gone.file_name}) is opgeruimd.",
                  file=sys.stderr)
        try:
            with ProgressBars() as bars, _stops_as_interrupt():
                batch = store_rows(db, checked, kept, source.name, actor, now,
                                   progress=bars.add("Inlezen", checked.count, "regels"))
        except KeyboardInterrupt:
            return fail("de import is afgebroken; er is niets ingelezen.", 130)
    print(f"{dutch_count(batch.rows)} registraties uit {source} ingelezen "
          f"(import {batch.id}).")
    return 0


def _readable(name: str) -> Path:
    """The file the user named: a file, or a pipe (``/dev/stdin``); not a folder or a
    device (``/dev/zero`` never ends). A StoreError says why not."""
    import stat

    from balie.db.errors import StoreError, store_error

    source = Path(name)
    try:
        mode = source.stat().st_mode
    except FileNotFoundError:
        raise StoreError(f"{name} bestaat niet; kijk het pad na.") from None
    except OSError as error:
        raise store_error(error, source, doing=f"{name} lezen") from error
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise StoreError(f"{name} is geen gewoon bestand (een map of apparaat); geef een "
                         "bestand op.")
    return source


def _size(source: Path) -> int | None:
    """The bytes to read, when known (not of a pipe)."""
    try:
        return source.stat().st_size if source.is_file() else None
    except OSError:
        return None
