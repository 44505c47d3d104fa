"""What every command of the ``balie`` command line shares: Dutch help, the common
options, argument types, signing in, and printing rows.

Each command group has a module of its own in this package (``balie/cli/report.py`` is
``balie report``), with two functions: ``register(commands)`` adds its parser and
``run(path, args)`` carries it out and returns the exit code. Heavy imports (the data
layer) stay inside ``run``, so ``balie --help`` and the app start quickly.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from balie.config import ENV_DB, os_username

Handler = Callable[[Path, argparse.Namespace], int]


class DutchHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help with Dutch headings, matching the rest of the interface."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        # argparse passes "" when it builds a sub-command's name from this usage.
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


ARGPARSE_MESSAGES = (
    (r"argument (?P<arg>.+?): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     "{arg}: {value} kan niet; kies uit {choices}"),
    (r"argument (?P<arg>.+?): invalid (?P<type>\w+) value: (?P<value>.+)",
     "{arg}: {value} is geen geldige waarde"),
    (r"argument (?P<arg>.+?): expected one argument",
     "{arg}: hierachter hoort een waarde"),
    (r"argument (?P<arg>.+?): expected at most one argument",
     "{arg}: hierachter hoort hooguit één waarde"),
    (r"argument (?P<arg>.+?): expected at least one argument",
     "{arg}: hierachter hoort minstens één waarde"),
    (r"argument (?P<arg>.+?): expected (?P<n>\d+) arguments?",
     "{arg}: hierachter horen {n} waarden"),
    (r"argument (?P<arg>.+?): not allowed with argument (?P<other>.+)",
     "{arg} gaat niet samen met {other}"),
    (r"argument (?P<arg>.+?): ignored explicit argument (?P<value>.+)",
     "{arg}: neemt geen waarde ({value})"),
    (r"unrecognized arguments: (?P<args>.+)", "onbekend: {args}"),
    (r"the following arguments are required: (?P<args>.+)", "dit ontbreekt nog: {args}"),
    (r"one of the arguments (?P<args>.+) is required", "geef een van deze: {args}"),
    (r"ambiguous option: (?P<arg>.+?) could match (?P<matches>.+)",
     "{arg} is niet eenduidig; bedoelt u {matches}?"),
    (r"argument (?P<arg>.+?): (?P<message>.+)", "{arg}: {message}"),
)
"""argparse's own (English) error messages and their Dutch; the last one passes on the
Dutch messages of balie's own argument types."""


def dutch_error(message: str) -> str:
    """An argparse error message in Dutch (see :data:`ARGPARSE_MESSAGES`)."""
    for pattern, dutch_text in ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            return dutch_text.format(**match.groupdict())
    return message


class DutchArgumentParser(argparse.ArgumentParser):
    """An argument parser whose refusals are Dutch, like everything else balie says."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {dutch_error(message)}\n"
                     f"Meer uitleg: {self.prog} --help\n")


def dutch(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Dutch section titles and help option for a parser made with ``add_help=False``."""
    parser._positionals.title = "argumenten"
    parser._optionals.title = "opties"
    parser.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")
    return parser


def common_options() -> argparse.ArgumentParser:
    """The options every command takes (a parent parser): ``--db``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PAD",
        default=argparse.SUPPRESS,
        help=f"databasebestand (standaard: ${ENV_DB}, anders de gegevensmap van de gebruiker)",
    )
    return common


class Commands:
    """The sub-commands of one parser; every one gets Dutch help and the common options."""

    def __init__(self, group, common: argparse.ArgumentParser) -> None:
        self.group = group
        self.common = common

    def add(self, name: str, help: str, description: str | None = None, *,
            run: Handler | None = None) -> argparse.ArgumentParser:
        """A sub-command; ``run`` carries it out (nested actions inherit it)."""
        parser = dutch(self.group.add_parser(
            name, help=help, description=description or help,
            formatter_class=DutchHelpFormatter, parents=[self.common], add_help=False))
        if run is not None:
            parser.set_defaults(run=run)
        return parser

    def actions(self, parser: argparse.ArgumentParser, *, required: bool = True) -> Commands:
        """The actions of a command group (``balie ref add``, ``balie rules show``)."""
        return Commands(parser.add_subparsers(dest="action", title="acties", metavar="ACTIE",
                                              required=required), self.common)


def fail(message: str, code: int = 1) -> int:
    """Say what went wrong on stderr, the way every command does, and return ``code``."""
    print(f"balie: {message}", file=sys.stderr)
    return code


# --- argument types ------------------------------------------------------------------

def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen poortnummer") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("een poort ligt tussen 1 en 65535")
    return value


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``, refused in Dutch at the
    command line (never an OverflowError deep inside, as a number beyond 64 bits or a
    hundred thousand days back would give)."""

    def parse(text: str) -> int:
        words = text.strip().lstrip("+-")
        if not (words.isascii() and words.isdigit()) or len(words) > 30:
            raise argparse.ArgumentTypeError(f"{text!r} is geen geheel getal")
        value = int(text)
        if not low <= value <= high:
            shown = f"{high:,}".replace(",", ".")
            raise argparse.ArgumentTypeError(f"kies een getal van {low} tot en met {shown}")
        return value

    return parse


positive = whole(1, 2**31 - 1)
"""A count or number of at least 1 (and far below what SQLite and dates can hold)."""
INQUIRY_NUMBER = whole(1, 2**63 - 1)
"""An inquiry number: SQLite's largest integer at most."""


def origin(text: str) -> str:
    """``--origin``: checked here, where it enters (see balie.domain.origin)."""
    from balie.domain.origin import parse_origin
    from balie.domain.parsing import InvalidInput

    try:
        return parse_origin(text)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(error.message) from None


def numbers(text: str) -> list[int]:
    """Inquiry numbers: ``812,1200`` or ``812 1200``."""
    from balie.domain.parsing import InvalidInput

    words = text.replace(",", " ").split()
    if not words or not all(w.isascii() and w.isdigit() and len(w) < 10 for w in words):
        raise InvalidInput(f"--ids {text!r}: dat zijn geen vraagnummers; geef ze met "
                           "komma's, bijvoorbeeld --ids 812,1200.")
    return [int(w) for w in words]


# --- who runs the command --------------------------------------------------------------

def sign_in(db) -> object:
    """The Actor of the OS account running this command (refused if not staff)."""
    import socket

    from balie.db.access import owns_file
    from balie.db.access import sign_in as sign_in_as
    from balie.domain.origin import make_origin
    from balie.domain.timekeeping import utc_now

    _, actor = sign_in_as(db, os_username(), make_origin(socket.gethostname(), "cli"),
                          utc_now(), owns_file=owns_file(db.path))
    return actor


@contextmanager
def replaced_with_force() -> Iterator[None]:
    """A command with ``--force``: refusing an existing file, it says how to replace it."""
    from balie.db.errors import StoreError
    from balie.db.files import FileTaken

    try:
        yield
    except FileTaken as error:
        raise StoreError(f"{error.message} Vervangen mag met --force.") from None


# --- reading what the user names ------------------------------------------------------

def read_text_file(name: str, *, limit: int | None = None) -> str:
    """The text of a file the user named (UTF-8, with or without BOM), or a StoreError
    that says why not: missing, a folder or a device (``/dev/zero`` never ends), larger
    than ``limit`` bytes, not UTF-8, or not readable for this account."""
    from balie.db.errors import StoreError, store_error

    source = Path(name)
    try:
        if not source.is_file():
            if not source.exists():
                raise StoreError(f"{name} bestaat niet; kijk het pad na.")
            raise StoreError(f"{name} is geen gewoon bestand (een map of apparaat); geef "
                             "een bestand op.")
        if limit is not None and source.stat().st_size > limit:
            raise StoreError(f"{name} is te groot (meer dan {limit // 1024} kB); is dit "
                             "het goede bestand?")
        return source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StoreError(f"{name} is geen UTF-8; sla het op als UTF-8 (in Excel: 'CSV "
                         "UTF-8').") from None
    except OSError as error:
        raise store_error(error, source, doing=f"{name} lezen") from error


# --- printing ------------------------------------------------------------------------

def print_rows(rows: list[dict]) -> None:
    sys.stdout.write(rows_text(rows) if rows else "(geen)\n")


def rows_text(rows: list[dict]) -> str:
    """Rows as aligned columns under their names."""
    headers = list(rows[0])
    cells = [[_cell(row[h]) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip() for c in cells]
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    return "" if value is None else str(value)
