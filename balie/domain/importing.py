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
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

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


def fingerprint(rows: list[ImportRow], text: str) -> str:
    """What makes two files the same: their registrations, however the file is laid out
    (or, for a file without any, its text)."""
    if not rows:
        return text_fingerprint(text)
    lines = sorted(repr((row.registered_at.isoformat(), row.time_known, row.channel_id,
                         row.village_id, row.route_id, sorted(row.topic_ids), row.age,
                         row.gender, row.summary)
                        # Only when given: a file of before these columns keeps its print.
                        + ((row.closed_at and row.closed_at.isoformat(), row.outcome_id)
                           if row.closed_at or row.outcome_id else ()))
                   for row in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def text_fingerprint(text: str) -> str:
    normal = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


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

    def find(self, kind: str, value: str) -> object | None:
        # The same few names come back on every line: fold each only once.
        key = (kind, value)
        if key not in self.seen:
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


def read_import(text: str, reference: Reference, now: datetime) -> ImportFile:
    """Check every line of a CSV text; the rows are only usable if there are no problems."""
    body = text.lstrip("\ufeff")
    problems: list[Problem] = []
    rows: list[ImportRow] = []
    first_line = body.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    # Strict: an opening quote that is never closed is a problem on its line, instead of
    # a value that silently swallows every line after it.
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return ImportFile((), (Problem(1, "", "", "het bestand is leeg"),),
                          fingerprint([], text))
    except csv.Error as error:
        return ImportFile((), (Problem(1, "", "", _csv_problem(error)),), fingerprint([], text))
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
    if problems:
        return ImportFile((), tuple(problems), fingerprint([], text))

    today = now.astimezone(AMSTERDAM).date()
    names = _Names(reference)
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are allowed
            row = _read_row(record, columns, len(header), line, names, today, problems)
            if row is not None:
                rows.append(row)
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as error:  # on the line after the last one read
        problems.append(Problem(line + 1, "", "", _csv_problem(error)))
    if not rows and not problems:
        problems.append(Problem(2, "", "", "er staan geen registraties in het bestand"))
    return ImportFile(tuple(rows), tuple(problems), fingerprint(rows, text),
                      text_fingerprint(text))


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
