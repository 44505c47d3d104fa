"""Reading historic registrations from a CSV file (``balie import``).

The file has a header row; columns are found by their Dutch name, in any order:
datum, tijd, kanaal, dorp, route, onderwerp (several separated by ``|``), leeftijd,
geslacht, omschrijving, and for a team's registrations afgerond (the date it was closed;
by default the registration date: historic registrations are done) and uitkomst (an
outcome of the reference data, as the team closed it). Semicolons or commas, UTF-8
with or without BOM. Values are matched to the reference data by name or code,
ignoring case and accents; retired entries count too (the registrations are
historic). Every problem is reported with its line, column, value and reason, and a
file with any problem imports nothing. Quotes
follow the CSV rules strictly: one that is opened and never closed is a problem on its
line, not a value that takes in the rest of the file.

Times are Amsterdam local time. A time that does not exist (02:30 on the night the
clocks go forward) is a problem; a time that happens twice (02:30 on the night they go
back) is taken as the first, summer-time one. A file is recognised by its registrations,
not its bytes: saved again with commas instead of semicolons, or sorted, it is still the
same file and is not imported twice.

A file is read once, line by line, never whole: :class:`ImportReader` checks one line
at a time, :class:`Fingerprint` recognises the file and :class:`KeptRows` keeps the
checked rows until they are written, each in bounded memory (what does not fit goes to
anonymous temporary files, gone when balie ends, however it ends). So a file of a
million lines is checked in the memory of a few thousand, and what is written is
exactly what was checked.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import io
import marshal
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import chain
from pathlib import Path

from balie.domain.models import Reference
from balie.domain.parsing import InvalidInput, parse_summary
from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM

REQUIRED = ("datum", "kanaal", "dorp", "route", "onderwerp")
OPTIONAL = ("tijd", "leeftijd", "geslacht", "omschrijving", "afgerond", "uitkomst")
GENDER_WORDS = {"v": "f", "vrouw": "f", "f": "f", "m": "m", "man": "m", "x": "x",
                "anders": "x", "overig": "x"}
UNKNOWN_TIME = time(12, 0)
"""The moment stored for a registration without a time (marked ``time_known = 0``)."""
MAX_PROBLEMS = 200
"""Reading stops at this many problems: enough to see what is wrong with a file."""
MAX_LINE = 2_000_000
"""Characters in one physical line (nine values of the csv module's 131,072 fit): a
longer one is a problem, so that no line can fill the memory."""
FIRST_YEAR = 1900
"""Earlier dates are typing errors (the registrations are of living people)."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"regel {self.line}" + (f", kolom '{self.column}'" if self.column else "")
        value = f": '{self.value}'" if self.value else ""
        return f"{where}{value}: {self.reason}"


@dataclass(frozen=True)
class ImportRow:
    line: int
    registered_at: datetime
    time_known: bool
    channel_id: int
    village_id: int
    route_id: int
    topic_ids: tuple[int, ...]
    age: int | None
    gender: str | None
    summary: str
    closed_at: datetime | None = None
    """When a team closed it (afgerond, at noon; never before its registration)."""
    outcome_id: int | None = None


@dataclass(frozen=True)
class ImportFile:
    rows: tuple[ImportRow, ...]
    problems: tuple[Problem, ...]
    fingerprint: str
    """SHA-256 of the registrations read, in sorted order: the same file twice."""
    text_fingerprint: str = ""
    """SHA-256 of the text (BOM and line endings left out), which balie stored for a
    file before it took the registrations': still checked, so an upgrade never lets a
    file in twice."""

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class CheckedFile:
    """What checking a file found, without its rows (a file may have millions)."""

    count: int
    """Registrations read without a problem."""
    problems: tuple[Problem, ...]
    fingerprint: str
    text_fingerprint: str


def text_fingerprint(text: str) -> str:
    normal = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


class Fingerprint:
    """SHA-256 of a file's registrations, one line each, in sorted order: the same
    registrations in any order, layout or spelling give the same fingerprint.

    In bounded memory: every :data:`RUN` lines are sorted and spilled to an anonymous
    temporary file in ``spill_dir`` (gone when closed, and when the process dies), and
    the sorted runs are merged while hashing. The lines are UTF-8 bytes, whose order is
    the order of the text, so the fingerprint is the one balie has always computed.
    """

    RUN = 50_000
    MAX_RUNS = 64
    """Runs merged into one before more files are open than this."""

    def __init__(self, spill_dir: Path | None = None) -> None:
        self.spill_dir = spill_dir
        self.count = 0
        self._lines: list[bytes] = []
        self._runs: list = []

    def add(self, row: ImportRow) -> None:
        self._lines.append(repr((
            row.registered_at.isoformat(), row.time_known, row.channel_id, row.village_id,
            row.route_id, sorted(row.topic_ids), row.age, row.gender, row.summary)
            # Only when given: a file of before these columns keeps its print.
            + ((row.closed_at and row.closed_at.isoformat(), row.outcome_id)
               if row.closed_at or row.outcome_id else ())
        ).encode("utf-8", "surrogatepass"))
        self.count += 1
        if len(self._lines) >= self.RUN:
            self._runs.append(self._spill(sorted(self._lines)))
            self._lines = []
            if len(self._runs) >= self.MAX_RUNS:
                self._runs = [self._spill(self._merged())]

    def hexdigest(self) -> str:
        """The fingerprint of the rows added (once: the runs are gone after)."""
        digest = hashlib.sha256()
        first = True
        for line in self._merged():
            if not first:
                digest.update(b"\n")
            digest.update(line)
            first = False
        return digest.hexdigest()

    def close(self) -> None:
        """Remove the runs without computing the fingerprint."""
        for run in self._runs:
            run.close()
        self._runs, self._lines = [], []

    def _spill(self, lines: Iterable[bytes]):
        run = tempfile.TemporaryFile(dir=self.spill_dir)
        # repr() escapes every line break, so one line is one registration.
        run.writelines(line + b"\n" for line in lines)
        run.seek(0)
        return run

    def _merged(self) -> Iterator[bytes]:
        runs, self._runs = self._runs, []
        try:
            yield from heapq.merge(sorted(self._lines),
                                   *((line[:-1] for line in run) for run in runs))
        finally:
            for run in runs:
                run.close()
        self._lines = []


class KeptRows:
    """The checked rows of a file, in the order read, kept for writing: in memory up to
    :data:`CHUNK` rows, the rest in an anonymous temporary file in ``spill_dir``.
    Append every row, then iterate once; close (or use as a context manager) after."""

    CHUNK = 5_000

    def __init__(self, spill_dir: Path | None = None) -> None:
        self.spill_dir = spill_dir
        self.count = 0
        self._chunk: list[tuple] = []
        self._file = None

    def append(self, row: ImportRow) -> None:
        self._chunk.append((row.line, row.registered_at.isoformat(), row.time_known,
                            row.channel_id, row.village_id, row.route_id, row.topic_ids,
                            row.age, row.gender, row.summary,
                            row.closed_at and row.closed_at.isoformat(), row.outcome_id))
        self.count += 1
        if len(self._chunk) >= self.CHUNK:
            if self._file is None:
                self._file = tempfile.TemporaryFile(dir=self.spill_dir)
            marshal.dump(self._chunk, self._file)
            self._chunk = []

    def __iter__(self) -> Iterator[ImportRow]:
        if self._file is not None:
            self._file.seek(0)
            while True:
                try:
                    chunk = marshal.load(self._file)
                except EOFError:
                    break
                yield from _rows(chunk)
        yield from _rows(self._chunk)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> KeptRows:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _rows(chunk: list[tuple]) -> Iterator[ImportRow]:
    for line, moment, *rest, closed, outcome in chunk:
        yield ImportRow(line, datetime.fromisoformat(moment), *rest,
                        datetime.fromisoformat(closed) if closed else None, outcome)


class _Names:
    """Reference entries by every folded name and code, built once per file."""

    def __init__(self, reference: Reference) -> None:
        self.by_kind: dict[str, dict[str, object]] = {}
        for kind, entries in (("kanaal", reference.channels.all),
                              ("dorp", reference.villages.all),
                              ("route", reference.routes.all),
                              ("onderwerp", reference.topics.all),
                              ("uitkomst", reference.outcomes.all)):
            index: dict[str, object] = {}
            for entry in entries:
                for name in (entry.name, getattr(entry, "code", ""),
                             getattr(entry, "short_name", "")):
                    if name:
                        index.setdefault(fold(name), entry)
            self.by_kind[kind] = index
        self.seen: dict[tuple[str, str], object | None] = {}

    MAX_SEEN = 10_000
    """Spellings remembered: a file that spells every line differently fills no memory."""

    def find(self, kind: str, value: str) -> object | None:
        # The same few names come back on every line: fold each only once.
        key = (kind, value)
        if key not in self.seen:
            if len(self.seen) >= self.MAX_SEEN:
                self.seen.clear()
            self.seen[key] = self.by_kind[kind].get(fold(value))
        return self.seen[key]


def _parse_date(value: str) -> date:
    raw = value.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dutch:
            return date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
    except ValueError:
        raise InvalidInput("die datum bestaat niet") from None
    raise InvalidInput("datum als dd-mm-jjjj of jjjj-mm-dd")


def _parse_time(value: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?", value.strip())
    if not match:
        raise InvalidInput("tijd als uu:mm, bijv. 14:30")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidInput("die tijd bestaat niet")
    return time(hour, minute, second)


def lines_of(stream) -> Iterator[str]:
    """The physical lines of a text stream opened with ``newline=""`` (line endings as
    written), each shorter than :data:`MAX_LINE` characters: a longer line raises
    :class:`LineTooLong` before it is read whole."""
    number = 0
    while line := stream.readline(MAX_LINE):
        number += 1
        if len(line) == MAX_LINE:  # (even if it ends in \r: its \n may be next)
            raise LineTooLong(number)
        yield line


class LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class ImportReader:
    """Checks a CSV file line by line: :meth:`rows` yields every registration read
    without a problem, :attr:`problems` collects the others (up to
    :data:`MAX_PROBLEMS`), and :attr:`text_fingerprint` is the hash of the text read
    (of the whole file once :meth:`rows` is exhausted without a problem)."""

    def __init__(self, lines: Iterable[str], reference: Reference, now: datetime) -> None:
        self._lines = lines
        self._reference = reference
        self._today = now.astimezone(AMSTERDAM).date()
        self.problems: list[Problem] = []
        self.count = 0
        self._text = hashlib.sha256()

    @property
    def text_fingerprint(self) -> str:
        """The hash :func:`text_fingerprint` gives the whole text (once it is read)."""
        return self._text.hexdigest()

    def _hashed(self) -> Iterator[str]:
        """The lines, each added to the text's hash with its line ending as ``\n``."""
        first = True
        for line in self._lines:
            if first:
                line, first = line.lstrip("\ufeff"), False
            if line.endswith("\r\n"):
                normal = line[:-2] + "\n"
            elif line.endswith("\r"):
                normal = line[:-1] + "\n"
            else:
                normal = line
            self._text.update(normal.encode("utf-8", "surrogatepass"))
            yield line

    def rows(self) -> Iterator[ImportRow]:
        problems = self.problems
        lines = self._hashed()
        try:
            first = next(lines, "")
        except LineTooLong as error:
            problems.append(_too_long(error))
            return
        if not first:
            problems.append(Problem(1, "", "", "het bestand is leeg"))
            return
        # The separator is the one the header uses most.
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        # Strict: an opening quote that is never closed is a problem on its line, instead
        # of a value that silently swallows every line after it.
        reader = csv.reader(chain([first], lines), delimiter=delimiter, strict=True)
        line = 0
        try:
            header = next(reader)
            columns = _columns(header, problems)
            if problems:
                return
            line = 1
            names = _Names(self._reference)
            for record in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue  # blank lines are allowed
                row = _read_row(record, columns, len(header), line, names, self._today,
                                problems)
                if row is not None:
                    self.count += 1
                    yield row
                if len(problems) >= MAX_PROBLEMS:
                    return
        except csv.Error as error:  # on the line after the last one read
            problems.append(Problem(line + 1, "", "", _csv_problem(error)))
        except LineTooLong as error:
            problems.append(_too_long(error))
        if not self.count and not problems:
            problems.append(Problem(2, "", "", "er staan geen registraties in het bestand"))


def _too_long(error: LineTooLong) -> Problem:
    limit = f"{MAX_LINE:,}".replace(",", ".")
    return Problem(error.line, "", "", f"de regel is langer dan {limit} tekens (een "
                   "bestand van een ander soort?)")


def _columns(header: list[str], problems: list[Problem]) -> dict[str, int]:
    """Column name -> index; problems with the header are line 1's."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = fold(name)
        if not key:
            continue
        if key not in REQUIRED + OPTIONAL:
            problems.append(Problem(1, name, "", "onbekende kolom (bekend: "
                                    + ", ".join(REQUIRED + OPTIONAL) + ")"))
        elif key in columns:
            problems.append(Problem(1, name, "", "kolom staat er twee keer in"))
        else:
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            problems.append(Problem(1, key, "", "verplichte kolom ontbreekt"))
    return columns


def check_import(lines: Iterable[str], reference: Reference, now: datetime, *,
                 spill_dir: Path | None = None, keep=None) -> CheckedFile:
    """Check every line and fingerprint the registrations, in bounded memory; the rows
    read without a problem are appended to ``keep`` (a list, or :class:`KeptRows`)."""
    reader = ImportReader(lines, reference, now)
    prints = Fingerprint(spill_dir)
    try:
        for row in reader.rows():
            prints.add(row)
            if keep is not None:
                keep.append(row)
        text = reader.text_fingerprint
        # A file with problems is never imported: its fingerprint is not worth a merge.
        found = prints.hexdigest() if prints.count and not reader.problems else text
    finally:
        prints.close()
    return CheckedFile(reader.count, tuple(reader.problems), found, text)


def read_import(text: str, reference: Reference, now: datetime) -> ImportFile:
    """Check every line of a CSV text held in memory; the rows are only usable if there
    are no problems."""
    rows: list[ImportRow] = []
    checked = check_import(lines_of(io.StringIO(text, newline="")), reference, now,
                           keep=rows)
    return ImportFile(tuple(rows), checked.problems, checked.fingerprint,
                      checked.text_fingerprint)


def _csv_problem(error: csv.Error) -> str:
    """What the csv module found wrong, in Dutch."""
    reason = str(error)
    if "unexpected end of data" in reason:
        return ('een aanhalingsteken (") wordt geopend maar nergens gesloten; zet '
                'het erachter of haal het weg')
    if "expected after" in reason:
        return ('na het sluitende aanhalingsteken (") van een waarde hoort een '
                'scheidingsteken; een " in een waarde schrijft u als ""')
    if "field larger than field limit" in reason:
        return 'een waarde is langer dan 131072 tekens (een " niet gesloten?)'
    return f"geen geldige CSV ({reason})"


def _moment(day: date, clock: time) -> datetime:
    """The moment of a local date and time; InvalidInput for a time skipped when the
    clocks go forward. Of a time that happens twice, the first (``fold=0``)."""
    moment = datetime.combine(day, clock, tzinfo=AMSTERDAM)
    if moment.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != \
            moment.replace(tzinfo=None):
        raise InvalidInput("die tijd bestaat niet op die dag (de klok ging een uur vooruit)")
    return moment


def _read_row(record, columns, width, line, names, today, problems) -> ImportRow | None:
    before = len(problems)
    named = set(columns.values())

    def cell(key: str) -> str:
        index = columns.get(key)
        return record[index].strip() if index is not None and index < len(record) else ""

    def problem(key: str, reason: str) -> None:
        problems.append(Problem(line, key, cell(key)[:60], reason))

    if len(record) > width and any(c.strip() for c in record[width:]):
        problems.append(Problem(line, "", "", "meer waarden dan kolommen (scheidingsteken?)"))
    unnamed = [c for k, c in enumerate(record[:width]) if c.strip() and k not in named]
    if unnamed:
        problems.append(Problem(line, "", unnamed[0][:60], "waarde in een kolom zonder naam"))
    day = moment = None
    try:
        day = _parse_date(cell("datum"))
        if day > today:
            problem("datum", "ligt in de toekomst")
        elif day.year < FIRST_YEAR:
            problem("datum", f"ligt vóór {FIRST_YEAR} (tikfout?)")
            day = None
    except InvalidInput as error:
        problem("datum", error.message)
    clock, time_known = UNKNOWN_TIME, False
    if cell("tijd"):
        try:
            clock, time_known = _parse_time(cell("tijd")), True
        except InvalidInput as error:
            problem("tijd", error.message)
    if day is not None:
        try:
            moment = _moment(day, clock)
        except InvalidInput as error:
            problem("tijd", error.message)
    found = {}
    for key, label in (("kanaal", "onbekend kanaal"), ("dorp", "onbekend dorp"),
                       ("route", "onbekende route")):
        if not cell(key):
            problem(key, "is leeg")
            continue
        found[key] = names.find(key, cell(key))
        if found[key] is None:
            problem(key, label)
    topics = []
    pieces = [p.strip() for p in cell("onderwerp").split("|") if p.strip()]
    if not pieces:
        problem("onderwerp", "minstens één onderwerp")
    for piece in pieces:
        topic = names.find("onderwerp", piece)
        if topic is None:
            problems.append(Problem(line, "onderwerp", piece[:60], "onbekend onderwerp"))
        elif topic.id not in topics:
            topics.append(topic.id)
    age = None
    if cell("leeftijd"):
        if re.fullmatch(r"[0-9]{1,3}", cell("leeftijd")) and int(cell("leeftijd")) <= 120:
            age = int(cell("leeftijd"))
        else:
            problem("leeftijd", "leeftijd in jaren, 0 tot 120")
    gender = None
    if cell("geslacht"):
        gender = GENDER_WORDS.get(fold(cell("geslacht")))
        if gender is None:
            problem("geslacht", "v, m of x (of leeg)")
    summary = ""
    try:
        summary = parse_summary(cell("omschrijving"))
    except InvalidInput as error:
        problem("omschrijving", error.message)
    closed_at, outcome_id = _closing(cell, problem, found.get("route"), day, moment, today,
                                     names)
    if len(problems) > before or moment is None:
        return None
    return ImportRow(line, moment, time_known, found["kanaal"].id, found["dorp"].id,
                     found["route"].id, tuple(topics), age, gender, summary, closed_at,
                     outcome_id)


def _closing(cell, problem, route, day, moment, today, names
             ) -> tuple[datetime | None, int | None]:
    """The columns afgerond and uitkomst: how a team closed the registration."""
    closed_at = outcome_id = None
    if not (cell("afgerond") or cell("uitkomst")):
        return None, None
    if route is not None and not route.is_team:
        for key in ("afgerond", "uitkomst"):
            if cell(key):
                problem(key, "alleen bij een team (de balie en extern sluiten bij de "
                        "registratie)")
        return None, None
    if cell("afgerond"):
        try:
            closed = _parse_date(cell("afgerond"))
            if closed > today:
                problem("afgerond", "ligt in de toekomst")
            elif day is not None and closed < day:
                problem("afgerond", "ligt vóór de datum van de registratie")
            elif moment is not None:
                closed_at = max(moment, _moment(closed, UNKNOWN_TIME))
        except InvalidInput as error:
            problem("afgerond", error.message)
    if cell("uitkomst"):
        outcome = names.find("uitkomst", cell("uitkomst"))
        if outcome is None:
            problem("uitkomst", "onbekende uitkomst (zie balie ref list outcomes)")
        else:
            outcome_id = outcome.id
    return closed_at, outcome_id
