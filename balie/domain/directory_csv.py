"""The sociale kaart as a spreadsheet: ``balie kaart export`` and ``balie kaart import``.

The organisation may keep its list in Excel: export, edit, import. The file is written
by balie's one CSV writer (:mod:`balie.domain.spreadsheet`: semicolons, UTF-8 with a
BOM, Dutch headers, a text cell that starts like a formula gets a leading ``'``) and
read back with that ``'`` taken off again; commas instead of semicolons are read too.
The column ``nr`` ties a line to its entry, so a renamed organisation stays the same
entry (and its referrals with it); a line without a number is a new entry. An entry
that is not in the file stays as it is; ``status`` ``ingetrokken`` retires one (it
stays in history and reports), ``actief`` restores it.

A file with any problem changes nothing: every problem is reported with its line,
column, value and reason.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from balie.domain.directory import TEXT_FIELDS, EntryInput, EntryProblems, check_entry
from balie.domain.importing import Problem
from balie.domain.models import DirectoryEntry, Reference
from balie.domain.spreadsheet import FORMULA_START, csv_text
from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM, local

NUMBER = "nr"
CHECKED_AT = "gecontroleerd op"
CHECKED_BY = "gecontroleerd door"
STATUS = "status"
ACTIVE, RETIRED = "actief", "ingetrokken"
COLUMNS: tuple[tuple[str, str], ...] = (
    (NUMBER, "id"),
    *((spec.label, spec.key) for spec in TEXT_FIELDS[:3]),
    ("onderwerpen", "topics"),
    ("dorpen", "villages"),
    *((spec.label, spec.key) for spec in TEXT_FIELDS[3:]),
    (CHECKED_AT, "checked_at"),
    (CHECKED_BY, "checked_by"),
    (STATUS, "status"),
)
"""(Dutch header, field) in file order."""
HEADERS = tuple(header for header, _ in COLUMNS)
REQUIRED = ("organisatie",)
MAX_PROBLEMS = 200
CHECKED_TIME = time(12, 0)
"""The moment of a day typed in the file's 'gecontroleerd op' column."""


def export_rows(entries: list[DirectoryEntry], reference: Reference) -> list[list[str]]:
    """Every entry as a line of text cells, in :data:`HEADERS` order."""
    from balie.domain.directory import fields_of

    rows = []
    for entry in entries:
        values = fields_of(entry, reference)
        values |= {
            "id": str(entry.id),
            "checked_at": f"{local(entry.checked_at):%d-%m-%Y}" if entry.checked_at else "",
            "checked_by": entry.checked_by or "",
            "status": RETIRED if entry.retired else ACTIVE,
        }
        rows.append([values[key] for _, key in COLUMNS])
    return rows


def to_csv(entries: list[DirectoryEntry], reference: Reference) -> str:
    """The whole directory as CSV for Dutch Excel (encode it with ``ENCODING``)."""
    return csv_text([HEADERS, *export_rows(entries, reference)])


def _unneutral(cell: str) -> str:
    """Undo the writer's protection: "'+31 592" as exported reads back as "+31 592"."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


@dataclass(frozen=True)
class ImportedEntry:
    """One line of a checked file."""

    line: int
    entry_id: int | None
    """The entry it changes; None for a new one."""
    entry: EntryInput
    checked_at: datetime | None
    retired: bool


@dataclass(frozen=True)
class DirectoryFile:
    entries: tuple[ImportedEntry, ...]
    problems: tuple[Problem, ...]


def read_directory(text: str, reference: Reference, now: datetime) -> DirectoryFile:
    """Check a whole file against the directory as it is (``reference.directory``)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    problems: list[Problem] = []
    rows: list[ImportedEntry] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return DirectoryFile((), (Problem(1, "", "", f"kopregel onleesbaar ({error})"),))
    if header is None:
        return DirectoryFile((), (Problem(1, "", "", "het bestand is leeg"),))
    names = [fold(h.strip()) for h in header]
    known = {fold(h): h for h in HEADERS}
    unknown = [h for h, n in zip(header, names) if n and n not in known]
    missing = [h for h in REQUIRED if h not in names]
    doubled = sorted({h for h in names if h and names.count(h) > 1})
    for h in unknown:
        problems.append(Problem(1, h, "", f"onbekende kolom; kolommen: {', '.join(HEADERS)}"))
    for h in missing:
        problems.append(Problem(1, h, "", "deze kolom ontbreekt"))
    for h in doubled:
        problems.append(Problem(1, h, "", "deze kolom staat er twee keer in"))
    if problems:
        return DirectoryFile((), tuple(problems))
    by_id = {e.id: e for e in reference.directory.all}
    seen_ids: dict[int, int] = {}
    seen_names: dict[str, int] = {}
    while len(problems) < MAX_PROBLEMS:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(reader.line_num, "", "",
                                    f"deze regel klopt niet als CSV ({error})"))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(Problem(line, "", "", f"{len(cells)} cellen, maar {len(header)} "
                                                  "kolommen in de kopregel"))
            continue
        values = {known[n]: _unneutral(c) for n, c in zip(names, cells) if n}
        row = _row(line, values, reference, by_id, problems, now)
        if row is None:
            continue
        if row.entry_id is not None:
            if row.entry_id in seen_ids:
                problems.append(Problem(line, NUMBER, str(row.entry_id),
                                        f"staat ook op regel {seen_ids[row.entry_id]}"))
            seen_ids[row.entry_id] = line
        key = fold(row.entry.name)
        if key in seen_names:
            problems.append(Problem(line, "organisatie", row.entry.name,
                                    f"dezelfde naam staat ook op regel {seen_names[key]}"))
        seen_names[key] = line
        rows.append(row)
    # A new name may not be the name of an entry the file leaves as it is.
    in_file = set(seen_ids)
    for row in rows:
        clash = next((e for e in reference.directory.all if e.id not in in_file
                      and e.id != row.entry_id and fold(e.name) == fold(row.entry.name)), None)
        if clash is not None:
            problems.append(Problem(row.line, "organisatie", row.entry.name,
                                    f"die naam heeft al nr {clash.id}; zet dat nummer in de "
                                    "kolom nr om die vermelding te wijzigen"))
    problems.sort(key=lambda p: p.line)
    return DirectoryFile(tuple(rows), tuple(problems[:MAX_PROBLEMS]))


def _row(line: int, values: dict[str, str], reference: Reference,
         by_id: dict[int, DirectoryEntry], problems: list[Problem], now: datetime
         ) -> ImportedEntry | None:
    before = len(problems)
    entry_id = None
    number = values.get(NUMBER, "").strip()
    if number:
        if not (number.isascii() and number.isdigit() and len(number) < 10) \
                or int(number) not in by_id:
            problems.append(Problem(line, NUMBER, number, "geen nummer van een vermelding op "
                                    "de sociale kaart; laat leeg voor een nieuwe"))
        else:
            entry_id = int(number)
    fields = {key: values.get(header, "") for header, key in COLUMNS
              if key not in ("id", "checked_at", "checked_by", "status")}
    entry = None
    try:
        entry = check_entry(fields, reference)
    except EntryProblems as error:
        label_of = {key: header for header, key in COLUMNS}
        for key, message in error.problems.items():
            problems.append(Problem(line, label_of[key], fields.get(key, ""), message))
    checked_at = None
    checked = values.get(CHECKED_AT, "").strip()
    if checked:
        try:
            checked_at = _checked_day(checked)
        except ValueError:
            problems.append(Problem(line, CHECKED_AT, checked, "datum als dd-mm-jjjj"))
        else:
            if checked_at.date() > local(now).date():
                problems.append(Problem(line, CHECKED_AT, checked, "die datum moet nog komen"))
    status = fold(values.get(STATUS, "")) or ACTIVE
    if status not in (ACTIVE, RETIRED):
        problems.append(Problem(line, STATUS, values.get(STATUS, ""),
                                f"'{ACTIVE}' of '{RETIRED}'"))
    if len(problems) > before or entry is None:
        return None
    return ImportedEntry(line, entry_id, entry, checked_at, status == RETIRED)


def _checked_day(text: str) -> datetime:
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if iso:
        day = date(int(iso[1]), int(iso[2]), int(iso[3]))
    elif dutch:
        day = date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
    else:
        raise ValueError(text)
    if not 2000 <= day.year <= 2999:
        raise ValueError(text)
    return datetime.combine(day, CHECKED_TIME, tzinfo=AMSTERDAM)
