"""Properties of balie import on generated CSV files.

Files are built from the reference data: registrations with random days, times, names
(in any spelling the importer promises to understand), ages, genders and summaries,
written with semicolons or commas, with or without BOM, quotes and blank lines, and the
columns in any order. ``read_import`` must give back exactly what was generated. A file
with one thing wrong must be refused with problems that name that line and no other, and
nothing may raise. Through the data layer the same registrations are imported once,
however the file was saved again.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balie.db import open_database
from balie.db.errors import StoreError
from balie.db.importing import store_import
from balie.domain.importing import GENDER_WORDS, OPTIONAL, REQUIRED, read_import
from balie.domain.parsing import parse_summary
from balie.domain.text import fold
from balie.domain.timekeeping import AMSTERDAM, from_db
from tests.conftest import FROZEN_NOW, admin

TODAY = FROZEN_NOW.astimezone(AMSTERDAM).date()
FIRST_DAY = date(1981, 1, 1)
"""Since 1981 the Amsterdam clock skips and repeats only the hour from 02:00 (which the
generated times avoid; tests/test_import.py covers those nights)."""
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéëïöüçñßÉ€0123456789"


@dataclass(frozen=True)
class Registration:
    """One generated registration, in values (not yet in text)."""

    day: date
    clock: time | None
    channel: object
    village: object
    route: object
    topics: tuple
    age: int | None
    gender: str | None
    summary: str
    closed: date | None = None
    """A team's closing date (afgerond)."""
    outcome: object = None

    def expected(self, line: int) -> tuple:
        """What read_import must make of it, as compared with an ImportRow."""
        moment = datetime.combine(self.day, self.clock or time(12), tzinfo=AMSTERDAM)
        closed_at = None if self.closed is None else max(
            moment, datetime.combine(self.closed, time(12), tzinfo=AMSTERDAM))
        return (line, moment, self.clock is not None, self.channel.id, self.village.id,
                self.route.id, tuple(dict.fromkeys(t.id for t in self.topics)), self.age,
                self.gender, parse_summary(self.summary), closed_at,
                self.outcome.id if self.outcome else None)


def as_read(row) -> tuple:
    return (row.line, row.registered_at, row.time_known, row.channel_id, row.village_id,
            row.route_id, row.topic_ids, row.age, row.gender, row.summary, row.closed_at,
            row.outcome_id)


@st.composite
def registrations(draw, ref, *, plain: bool = False):
    """A registration; ``plain`` keeps quotes, separators and line breaks out of the
    summary, so that a corruption elsewhere in the line is the only thing wrong."""
    clock = draw(st.none() | st.builds(time, st.integers(0, 23).filter(lambda h: h != 2),
                                       st.integers(0, 59)))
    summary_chars = LETTERS + " -.!?()" + ("" if plain else ";,\"'|\n")
    day = draw(st.dates(FIRST_DAY, TODAY))
    route = draw(st.sampled_from(ref.routes.all))
    closed = outcome = None
    if route.is_team:  # how the team closed it, when the file says
        closed = draw(st.none() | st.dates(day, TODAY))
        outcome = draw(st.none() | st.sampled_from(ref.outcomes.all))
    return Registration(
        day=day,
        clock=clock,
        channel=draw(st.sampled_from(ref.channels.all)),
        village=draw(st.sampled_from(ref.villages.all)),
        route=route,
        topics=tuple(draw(st.lists(st.sampled_from(ref.topics.all), min_size=1, max_size=3))),
        age=draw(st.none() | st.integers(0, 120)),
        gender=draw(st.sampled_from([None, "f", "m", "x"])),
        summary=draw(st.text(summary_chars, max_size=60)),
        closed=closed,
        outcome=outcome,
    )


def spellings(entry) -> list[str]:
    """Every way the importer reads a reference entry: name or code, any case, no accents."""
    names = [entry.name, entry.name.upper(), fold(entry.name), f" {entry.name} "]
    names += [n for n in (getattr(entry, "code", ""), getattr(entry, "short_name", "")) if n]
    return names


DATE_FORMS = [
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
]
TIME_FORMS = ["{:%H:%M}", "{0.hour}:{0.minute:02d}", "{0.hour}.{0.minute:02d}", "{:%H:%M:%S}"]
GENDER_SPELLINGS = {code: [w for w, c in GENDER_WORDS.items() if c == code]
                    for code in set(GENDER_WORDS.values())}


def cells_of(draw, reg: Registration) -> dict[str, str]:
    """The registration in text, each value in one of the spellings the importer reads."""
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    topic_separator = pick(["|", " | ", "|  "])
    return {
        "datum": pick(DATE_FORMS)(reg.day),
        "tijd": pick(TIME_FORMS).format(reg.clock) if reg.clock else "",
        "kanaal": pick(spellings(reg.channel)),
        "dorp": pick(spellings(reg.village)),
        "route": pick(spellings(reg.route)),
        "onderwerp": topic_separator.join(pick(spellings(t)) for t in reg.topics),
        "leeftijd": "" if reg.age is None else pick([str(reg.age), f"{reg.age:03d}"]),
        "geslacht": "" if reg.gender is None else pick(
            [w for s in GENDER_SPELLINGS[reg.gender] for w in (s, s.upper())]),
        "omschrijving": reg.summary,
        "afgerond": pick(DATE_FORMS)(reg.closed) if reg.closed else "",
        "uitkomst": pick(spellings(reg.outcome)) if reg.outcome else "",
    }


@dataclass
class CsvFile:
    text: str
    lines: list[int]
    """The line of each registration, in the order written."""
    delimiter: str
    columns: list[str]
    rows: list[dict[str, str]]


@st.composite
def csv_files(draw, regs: list[Registration], *, quoting: list[int] | None = None):
    """The registrations written as a CSV file, laid out in one of the accepted ways."""
    needed = {"tijd": any(r.clock for r in regs), "leeftijd": any(r.age is not None for r in regs),
              "geslacht": any(r.gender for r in regs), "omschrijving": any(r.summary for r in regs),
              "afgerond": any(r.closed for r in regs), "uitkomst": any(r.outcome for r in regs)}
    columns = list(REQUIRED) + [c for c in OPTIONAL if needed[c] or draw(st.booleans())]
    columns = draw(st.permutations(columns))
    delimiter = draw(st.sampled_from([";", ","]))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator,
                        quoting=draw(st.sampled_from(quoting or [csv.QUOTE_MINIMAL,
                                                                 csv.QUOTE_ALL])))
    if draw(st.booleans()):
        out.write("\ufeff")
    writer.writerow([draw(st.sampled_from([c, c.upper(), c.title()])) for c in columns])
    lines, rows = [], []
    for reg in regs:
        for _ in range(draw(st.integers(0, 2))):  # blank lines are allowed anywhere
            out.write(draw(st.sampled_from(["", "  ", delimiter * (len(columns) - 1)]))
                      + terminator)
        before = out.getvalue()
        cells = cells_of(draw, reg)
        rows.append(cells)
        writer.writerow([cells[c] for c in columns])
        # A quoted line break inside a value makes the registration span several lines;
        # read_import names it by its last line.
        written = out.getvalue()[len(before):-len(terminator)]
        lines.append(before.count("\n") + 1 + written.count("\n"))
    text = out.getvalue()
    if draw(st.booleans()):
        text = text[: -len(terminator)]  # no line break after the last line
    return CsvFile(text, lines, delimiter, list(columns), rows)


def registration_lists(ref, *, plain=False):
    return st.lists(registrations(ref, plain=plain), min_size=1, max_size=6)


# --- well-formed files -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_generated_file_is_read_as_generated(seeded_reference, data):
    regs = data.draw(registration_lists(seeded_reference))
    file = data.draw(csv_files(regs))
    checked = read_import(file.text, seeded_reference, FROZEN_NOW)
    assert checked.problems == ()
    assert [as_read(row) for row in checked.rows] == [
        reg.expected(line) for reg, line in zip(regs, file.lines)]


# --- files with one thing wrong --------------------------------------------------------

WRONG_VALUES = {
    "datum": ["31-02-2024", "2024-13-01", "gisteren", "12-3", "1-1-1899", "01-01-2099",
              "12-03-2024 10:00", ""],
    "tijd": ["25:00", "12:60", "middag", "1230", "2:30:61"],
    "kanaal": ["fax", "brief", ""],
    "dorp": ["Atlantis", "Assen", "Beile", ""],
    "route": ["team", "nergens", ""],
    "onderwerp": ["eenzaam", "|", "wonen|geluk", ""],
    "leeftijd": ["121", "-1", "oud", "1000", "7,5"],
    "geslacht": ["q", "vrouwelijk"],
    "omschrijving": ["x" * 2001],
    "afgerond": ["31-02-2024", "morgen", "1-1-1850", "01-01-2099"],
    "uitkomst": ["gewonnen", "Doorverwezen"],
}
LINE_CORRUPTIONS = ["other delimiter", "extra value", "header again", "stray quote"]


def record(cells: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_file_with_one_wrong_line_names_that_line(seeded_reference, data):
    regs = data.draw(registration_lists(seeded_reference, plain=True))
    file = data.draw(csv_files(regs, quoting=[csv.QUOTE_MINIMAL]))
    target = data.draw(st.integers(0, len(regs) - 1))
    line = file.lines[target]
    physical = file.text.split("\n")
    ending = "\r" if physical[line - 1].endswith("\r") else ""
    cells = dict(file.rows[target])
    kind = data.draw(st.sampled_from(["value"] * 4 + LINE_CORRUPTIONS))
    if kind == "value":
        column = data.draw(st.sampled_from([c for c in file.columns if c in WRONG_VALUES]))
        cells[column] = data.draw(st.sampled_from(WRONG_VALUES[column]))
        wrong = record([cells[c] for c in file.columns], file.delimiter)
    elif kind == "other delimiter":
        wrong = record([cells[c] for c in file.columns], "," if file.delimiter == ";" else ";")
    elif kind == "extra value":
        wrong = record([cells[c] for c in file.columns] + ["extra"], file.delimiter)
    elif kind == "header again":
        wrong = record(file.columns, file.delimiter)
    else:  # an opening quote that is never closed, before the village
        cells["dorp"] = '"' + cells["dorp"]
        wrong = file.delimiter.join(cells[c] for c in file.columns)
    physical[line - 1] = wrong + ending
    text = "\n".join(physical)

    checked = read_import(text, seeded_reference, FROZEN_NOW)
    assert checked.problems, (kind, text)
    assert {p.line for p in checked.problems} == {line}, [str(p) for p in checked.problems]
    assert all(str(p).startswith(f"regel {line}") for p in checked.problems)
    # The other lines are still read as they were written (up to a line that stops the
    # reading of the file altogether).
    expected = {n: reg.expected(n) for reg, n in zip(regs, file.lines) if n != line}
    read = {row.line: as_read(row) for row in checked.rows}
    assert line not in read and all(read[n] == expected[n] for n in read)
    if kind != "stray quote":
        assert set(read) == set(expected)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_wrong_header_is_named_on_line_1_and_nothing_is_read(seeded_reference, data):
    regs = data.draw(registration_lists(seeded_reference, plain=True))
    file = data.draw(csv_files(regs))
    lines = file.text.lstrip("\ufeff").split("\n")
    header = next(csv.reader([lines[0].rstrip("\r")], delimiter=file.delimiter))
    index = data.draw(st.integers(0, len(header) - 1))
    kind = data.draw(st.sampled_from(["unknown", "twice", "missing"]))
    if kind == "unknown":
        header[index] = data.draw(st.sampled_from(["plaats", "datum2", "naam", "bsn"]))
    elif kind == "twice":
        header[index] = header[(index + 1) % len(header)]
    else:
        header[index] = ""
        if fold(file.columns[index]) not in REQUIRED:
            header[index] = "geboortedatum"  # dropping an optional column is no mistake
    lines[0] = record(header, file.delimiter)
    checked = read_import("\n".join(lines), seeded_reference, FROZEN_NOW)
    assert checked.rows == () and checked.problems
    assert all(p.line == 1 and str(p).startswith("regel 1") for p in checked.problems)


# --- anything at all -------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_damaged_file_gives_rows_or_problems_never_an_error(seeded_reference, data):
    """Random characters inserted, deleted or replaced anywhere in a good file."""
    regs = data.draw(registration_lists(seeded_reference))
    text = data.draw(csv_files(regs)).text
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(text)))
        new = data.draw(st.sampled_from(['"', ";", ",", "\n", "\r", "\ufeff", "\x00", "|", "",
                                         "9" * 5000, "x" * 140_000]) | st.text(max_size=3))
        text = text[:at] + new + text[at + data.draw(st.integers(0, 3)):]
    checked = read_import(text, seeded_reference, FROZEN_NOW)
    assert checked.problems or checked.rows
    physical_lines = len(text.splitlines()) + 1
    for problem in checked.problems:
        assert str(problem).startswith(f"regel {problem.line}")
        assert 1 <= problem.line <= physical_lines


# --- through the data layer ------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory):
    """A migrated database to copy for every example (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "leeg.db"
    open_database(path).close()
    return path


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_the_same_registrations_are_imported_once_however_the_file_is_saved(
        seeded_reference, empty_database, tmp_path_factory, data):
    regs = data.draw(registration_lists(seeded_reference))
    first = data.draw(csv_files(regs))
    # Saved again: other layout, other spellings, the rows in another order.
    again = data.draw(csv_files(data.draw(st.permutations(regs))))
    path = tmp_path_factory.mktemp("import") / "balie.db"
    shutil.copy(empty_database, path)
    with open_database(path) as db:
        staff = admin(db)
        checked = read_import(first.text, seeded_reference, FROZEN_NOW)
        batch = store_import(db, checked, "2024.csv", staff, FROZEN_NOW)
        assert batch.rows == len(regs)
        for text in (first.text, again.text):
            with pytest.raises(StoreError, match="al geïmporteerd"):
                store_import(db, read_import(text, seeded_reference, FROZEN_NOW),
                             "kopie.csv", staff, FROZEN_NOW)
        stored = db.execute("""SELECT id, registered_at, time_known, channel_id, village_id,
                                      route_id, age, gender, summary FROM inquiry""").fetchall()
        topics = {}
        for inquiry_id, topic in db.execute("SELECT inquiry_id, topic_id FROM inquiry_topic"):
            topics.setdefault(inquiry_id, set()).add(topic)
        created = dict(db.execute("SELECT inquiry_id, count(*) FROM inquiry_event "
                                  "WHERE kind = 'created' GROUP BY inquiry_id").fetchall())
    assert created == {row[0]: 1 for row in stored}  # one history line each, no more
    whole = Counter((from_db(moment), bool(known), channel, village, route,
                     frozenset(topics[inquiry_id]), age, gender, summary)
                    for inquiry_id, moment, known, channel, village, route, age, gender, summary
                    in stored)
    wanted = Counter((e[1].astimezone(UTC), e[2], e[3], e[4], e[5], frozenset(e[6]), e[7],
                      e[8], e[9]) for e in (reg.expected(0) for reg in regs))
    assert whole == wanted
