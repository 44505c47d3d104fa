"""The ``balie`` command: start the app, or run one of the administration commands.

One module per command group (``balie/cli/report.py`` is ``balie report``); this module
builds the parser from them and is the one place where errors become exit codes.

Every command prints a clear Dutch message and exits non-zero on a problem it knows
about (a busy, newer or misplaced database, a duplicate name); it never shows a
traceback for those. A bug is reported by its type and place only (exit code 70), never
with the error's message, which could hold registered data (see :mod:`balie.crash`).
Every command warns, once, when the database files are readable by more people than
they should be. Textual is imported only when the app itself starts, so the
administration commands start quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from balie import __version__
from balie.cli import (
    audit,
    backup,
    demo,
    importer,
    info,
    kaart,
    keys,
    person,
    ref,
    report,
    retention,
    rules,
    serve,
    settings,
    start,
)
from balie.cli.common import (
    Commands,
    DutchArgumentParser,
    DutchHelpFormatter,
    common_options,
    dutch,
    fail,
)
from balie.cli.output import shown_output
from balie.config import access_from, resolve_db_path
from balie.crash import EX_SOFTWARE, crash_hooks, crash_report

COMMAND_GROUPS = (start, serve, info, demo, backup, report, settings, keys, importer, rules,
                  retention, person, audit, ref, kaart)
"""The modules of the command groups, in the order ``balie --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = dutch(
        DutchArgumentParser(
            prog="balie",
            description=(
                "balie: registratie van vragen aan de balie en de telefoon van "
                "Welzijnswerk Midden-Drenthe.\nZonder commando start de app."
            ),
            formatter_class=DutchHelpFormatter,
            parents=[common],
            add_help=False,
        )
    )
    parser.add_argument("--version", action="version", version=f"balie {__version__}",
                        help="toon het versienummer en stop")
    commands = Commands(
        parser.add_subparsers(dest="command", title="commando's", metavar="COMMANDO"), common)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with crash_hooks():
        try:
            return _main(argv)
        except BrokenPipeError:
            # The reader went away (balie report | head): nothing more to say to it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except Exception as error:  # a bug: said without its message (it may hold data)
            print(crash_report(error), file=sys.stderr)
            return EX_SOFTWARE


def _main(argv: Sequence[str] | None) -> int:
    with shown_output():  # data printed is shown, never sent to the terminal as control
        args = build_parser().parse_args(argv)
    path = resolve_db_path(getattr(args, "db", None))
    args.warnings = []
    if args.command in (None, "start"):  # the app writes to the terminal itself
        return _run(path, args)
    with shown_output():
        return _run(path, args)


def _run(path: Path, args: argparse.Namespace) -> int:
    import sqlite3

    from balie.db.errors import StoreError, store_error

    try:
        if args.command is None:
            return start.start_app(path)  # the app shows the warnings itself
        return args.run(path, args)
    except StoreError as error:
        return fail(error.message)
    except BrokenPipeError:
        raise  # the reader went away: see main
    except (sqlite3.Error, OSError) as error:
        # The disk and the file (full, read-only, damaged, a folder this account may
        # not read): said in Dutch with what to do, as the app says it. Not a bug.
        return fail(store_error(error, path).message)
    except KeyboardInterrupt:
        return fail("afgebroken.", 130)
    finally:
        if args.command not in (None, "start"):
            _print_warnings(path, args.warnings)


def _print_warnings(path: Path, extra: list[str]) -> None:
    """Every command says, once, when the database files are open to too many people."""
    from balie.db.permissions import file_warnings

    try:
        found = (file_warnings(path, access_from()) if path.exists() else []) + extra
    except OSError:  # a folder this account may not look into: the command said so
        found = extra
    for warning in dict.fromkeys(found):
        print(f"balie: let op: {warning}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
