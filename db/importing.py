"""Storing a checked import file: in short batches, all or nothing, never the same file twice.

An import of a million lines must not stop the desks. Its rows are written in batches,
each one transaction that holds the write lock for about :data:`BATCH_SECONDS` (the
number of rows adapts to the machine), so a desk that saves meanwhile waits about that
long at most. The batches belong to one row of ``import_batch``, the import. Until that
row is marked complete (``completed_at``) its rows count nowhere: reports, the team
lists, today's list and retention leave them out (:data:`FINISHED`). Completing is one
small transaction, so the registrations appear whole or not at all.

When an import fails (a problem, Ctrl+C, a full disk), the importer removes its rows
again, also in short batches. An import whose process was killed stays incomplete and
invisible; the next ``balie import`` removes it before it starts (:func:`remove_abandoned`).
An import is abandoned when its process no longer runs on this machine, or when it wrote
nothing for :data:`STALE` (a process on another machine, or one that hangs).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.drafts import process_alive
from balie.db.erasure import purge
from balie.db.errors import StoreError, store_error
from balie.domain.importing import ImportFile, ImportRow
from balie.domain.numbers import count
from balie.domain.timekeeping import from_db, local, to_db, utc_now

FINISHED = """(NOT EXISTS (SELECT 1 FROM import_batch WHERE completed_at IS NULL)
    OR inquiry.import_batch_id IS NULL
    OR inquiry.import_batch_id NOT IN (SELECT id FROM import_batch WHERE completed_at IS NULL))"""
"""SQL condition on ``inquiry`` that leaves out the rows of imports not yet complete.

While no import runs (nearly always) the first term holds for every row and is computed
once. The indexes the reports read alone hold ``import_batch_id`` (migration 0011), so
they still answer alone while an import runs."""

BATCH_SECONDS = 0.25
"""How long one batch may hold the write lock, about."""
PAUSE = 0.1
"""The lock is left free this long after every batch. A desk waiting for it tries again
at least every 100 ms (SQLite's longest sleep between two tries), so it always finds the
lock free before the next batch: SQLite's locks are not handed out in turn, and an
import that took the lock again at once could keep a desk waiting batch after batch."""
FIRST_BATCH = 500
MAX_BATCH = 20_000
"""Rows in one batch, at most: the rows of a batch are what an import holds in memory."""
STALE = timedelta(minutes=10)
"""An incomplete import that wrote nothing for this long is abandoned."""


@dataclass(frozen=True)
class Batch:
    """One import: a file's registrations, complete or still being written."""

    id: int
    file_name: str
    rows: int
    imported_at: datetime
    finished: bool = True
    host: str | None = None
    pid: int | None = None
    updated_at: datetime | None = None
    """When the import last wrote a batch."""

    def abandoned(self, host: str, now: datetime,
                  alive: Callable[[int], bool] = process_alive) -> bool:
        """Incomplete, and nobody is writing it any more."""
        if self.finished:
            return False
        if self.updated_at is None or now - self.updated_at > STALE:
            return True
        return self.host == host and self.pid is not None and not alive(self.pid)


_BATCH = """SELECT id, file_name, rows, imported_at, completed_at, host, pid, updated_at
            FROM import_batch"""


def _batch(row) -> Batch:
    return Batch(row[0], row[1], row[2], from_db(row[3]), row[4] is not None, row[5], row[6],
                 from_db(row[7]) if row[7] else None)


def previous_import(db: BalieDatabase, checked, now: datetime | None = None, *,
                    host: str | None = None) -> Batch | None:
    """The earlier import of the same file (``checked``: an ImportFile or CheckedFile):
    the same registrations, or (as recorded by balie before it compared registrations)
    the same text. Complete, or still being written; an abandoned one does not count
    (the next import removes it)."""
    now, host = now or utc_now(), host or socket.gethostname()
    for row in db.execute(f"{_BATCH} WHERE sha256 IN (?, ?) ORDER BY id",
                          [checked.fingerprint, checked.text_fingerprint]):
        batch = _batch(row)
        if not batch.abandoned(host, now):
            return batch
    return None


def already_imported_message(batch: Batch) -> str:
    if not batch.finished:
        return (f"Dit bestand wordt op dit moment ingelezen (import {batch.id}, begonnen "
                f"{local(batch.imported_at):%d-%m-%Y %H:%M}). Het wordt niet nog eens "
                "ingelezen; wacht tot die import klaar is.")
    return (f"Dit bestand is al geïmporteerd op {local(batch.imported_at):%d-%m-%Y %H:%M} "
            f"als '{batch.file_name}' ({count(batch.rows)} registraties, import {batch.id}). "
            "Het wordt niet nog eens ingelezen.")


def unfinished_imports(db: BalieDatabase) -> list[Batch]:
    """Imports not complete: being written now, or abandoned."""
    return [_batch(row) for row in
            db.execute(f"{_BATCH} WHERE completed_at IS NULL ORDER BY id")]


def remove_abandoned(db: BalieDatabase, actor: Actor, now: datetime, *,
                     host: str | None = None,
                     alive: Callable[[int], bool] = process_alive) -> list[Batch]:
    """Remove every abandoned import (role beheer); returns what was removed."""
    host = host or socket.gethostname()
    require(db, actor, "import")
    removed = []
    for batch in unfinished_imports(db):
        if batch.abandoned(host, now, alive):
            undo_import(db, batch.id)
            removed.append(batch)
    return removed


class _Pace:
    """How many rows the next batch takes, so that it holds the lock about
    :data:`BATCH_SECONDS`: measured on the batches before it."""

    def __init__(self) -> None:
        self.size = FIRST_BATCH

    def took(self, rows: int, seconds: float) -> None:
        wanted = rows * BATCH_SECONDS / max(seconds, 1e-3)
        self.size = int(max(100, min(MAX_BATCH, wanted, self.size * 2)))


def begin_import(db: BalieDatabase, checked, file_name: str, actor: Actor, now: datetime,
                 *, host: str | None = None, pid: int | None = None) -> int:
    """Record a new, incomplete import of a checked file; returns its id."""
    host = host or socket.gethostname()
    with db.write():
        require(db, actor, "import")
        earlier = previous_import(db, checked, now, host=host)
        if earlier is not None:
            raise StoreError(already_imported_message(earlier))
        try:
            return db.execute(
                """INSERT INTO import_batch (file_name, sha256, rows, imported_at, imported_by,
                       host, pid, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [file_name, checked.fingerprint, checked.count, to_db(now), actor.staff_id,
                 host, os.getpid() if pid is None else pid, to_db(now)],
            ).lastrowid
        except sqlite3.IntegrityError:  # an abandoned import of this file is still there
            raise StoreError("Een afgebroken import van dit bestand staat nog in de database. "
                             "Start balie import opnieuw: die ruimt hem eerst op.") from None


def write_batch(db: BalieDatabase, batch_id: int, rows: list[ImportRow], actor: Actor,
                imported_at: datetime, now: datetime) -> None:
    """One batch of an import's rows, in one short transaction. Historic registrations
    are done, whatever their route."""
    stamp = to_db(imported_at)
    with db.write():
        state = db.execute("SELECT completed_at IS NULL FROM import_batch WHERE id = ?",
                           [batch_id]).fetchone()
        if state != (1,):
            raise StoreError(f"Import {batch_id} is intussen afgesloten of opgeruimd "
                             "(stond die te lang stil?).")
        # In bulk: the new inquiries get the ids after the highest, as SQLite would. In
        # order of time, so that the indexes (most of them by time) change in few places.
        first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM inquiry").fetchone()[0]
        numbered = list(enumerate(sorted(rows, key=_moment), start=first))
        staff_id = actor.staff_id
        # Historic registrations: done, whatever their route (a team's when the file
        # says, with its outcome).
        db.conn.executemany(
            """INSERT INTO inquiry (id, registered_at, registered_by, channel_id, village_id,
                   age, gender, summary, route_id, intake_route_id, status, closed_at,
                   outcome_id, updated_at, time_known, import_batch_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'closed', ?, ?, ?, ?, ?)""",
            [(inquiry_id, to_db(row.registered_at), staff_id, row.channel_id, row.village_id,
              row.age, row.gender, row.summary, row.route_id, row.route_id,
              to_db(row.closed_at or row.registered_at), row.outcome_id, stamp,
              int(row.time_known), batch_id)
             for inquiry_id, row in numbered],
        )
        db.conn.executemany(
            "INSERT INTO inquiry_topic (inquiry_id, topic_id) VALUES (?, ?)",
            [(inquiry_id, topic) for inquiry_id, row in numbered for topic in row.topic_ids],
        )
        db.conn.executemany(
            """INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, to_route_id, reason)
               VALUES (?, ?, ?, 'created', ?, ?)""",
            [(inquiry_id, stamp, staff_id, row.route_id, f"import {batch_id}, regel {row.line}")
             for inquiry_id, row in numbered],
        )
        db.execute("UPDATE import_batch SET updated_at = ? WHERE id = ?", [to_db(now), batch_id])


def _moment(row: ImportRow) -> datetime:
    return row.registered_at


def finish_import(db: BalieDatabase, batch_id: int, actor: Actor, now: datetime) -> Batch:
    """Mark an import complete: from this commit on its registrations count everywhere.
    Refused when not every checked row was written."""
    with db.write():
        require(db, actor, "import")
        (written,) = db.execute("SELECT count(*) FROM inquiry WHERE import_batch_id = ?",
                                [batch_id]).fetchone()
        batch = _batch(db.execute(f"{_BATCH} WHERE id = ?", [batch_id]).fetchone())
        if written != batch.rows:
            raise StoreError(f"Er zijn {written} van de {batch.rows} registraties geschreven, "
                             "niet alle; de import wordt niet afgemaakt.")
        db.execute("UPDATE import_batch SET completed_at = ?, updated_at = ? WHERE id = ?",
                   [to_db(now), to_db(now), batch_id])
        audit(db, actor, "import", now, detail=f"import {batch_id}: {written} regels")
    return Batch(batch.id, batch.file_name, written, batch.imported_at)


def undo_import(db: BalieDatabase, batch_id: int) -> None:
    """Remove an incomplete import and its rows, in short batches (never a complete one)."""
    pace = _Pace()
    while True:
        with db.write():
            started = time.perf_counter()
            if db.execute("SELECT completed_at FROM import_batch WHERE id = ?",
                          [batch_id]).fetchone() != (None,):
                return  # gone already, or complete: never removed
            (last,) = db.execute(
                """SELECT max(id) FROM (SELECT id FROM inquiry WHERE import_batch_id = ?
                   ORDER BY id LIMIT ?)""", [batch_id, pace.size]).fetchone()
            if last is None:
                db.execute("DELETE FROM import_batch WHERE id = ?", [batch_id])
                return
            rows = "SELECT id FROM inquiry WHERE import_batch_id = ? AND id <= ?"
            for child in ("inquiry_topic", "inquiry_event"):
                db.execute(f"DELETE FROM {child} WHERE inquiry_id IN ({rows})",
                           [batch_id, last])
            removed = db.execute("DELETE FROM inquiry WHERE import_batch_id = ? AND id <= ?",
                                 [batch_id, last]).rowcount
        pace.took(removed, time.perf_counter() - started)
        time.sleep(PAUSE)


def store_rows(db: BalieDatabase, checked, rows: Iterable[ImportRow], file_name: str,
               actor: Actor, now: datetime, *,
               progress: Callable[[int], None] | None = None,
               host: str | None = None, pid: int | None = None,
               clock: Callable[[], datetime] = utc_now) -> Batch:
    """Import the rows of a checked file (``checked``: its count and fingerprints) in
    short batches, and mark the import complete; or, on any failure, remove what was
    written and raise.

    ``rows`` is read one batch at a time, outside the write lock. ``progress`` is
    called after each batch with the number written, between two transactions.
    """
    if getattr(checked, "problems", ()) or not checked.count:
        raise ValueError("only a file checked without problems is imported")
    batch_id = begin_import(db, checked, file_name, actor, now, host=host, pid=pid)
    try:
        pace, written, source = _Pace(), 0, iter(rows)
        while chunk := list(islice(source, pace.size)):
            began = time.perf_counter()
            write_batch(db, batch_id, chunk, actor, now, clock())
            pace.took(len(chunk), time.perf_counter() - began)
            written += len(chunk)
            if progress is not None:
                progress(written)
            time.sleep(PAUSE)
        batch = finish_import(db, batch_id, actor, clock())
    except BaseException as error:
        # The disk and the file (full, read-only, damaged) in Dutch, as everywhere.
        said = (store_error(error, db.path, doing="De import")
                if isinstance(error, sqlite3.Error | OSError) else error)
        try:
            undo_import(db, batch_id)
        except BaseException as undo_error:
            raise StoreError(
                f"{_reason(said)} De import is niet afgemaakt; wat al geschreven was telt "
                "nergens mee en wordt bij de volgende balie import opgeruimd.") from undo_error
        if isinstance(said, StoreError):
            raise StoreError(f"{said.message} Er is niets ingelezen.") from error
        raise
    # The write-ahead log grew with the import (a third of a GB for a million lines);
    # give that space back now rather than at the next retention run. It waits briefly
    # for desks that are reading, and a log it could not empty stays usable.
    with contextlib.suppress(sqlite3.Error):
        purge(db, merge_index=False)
    return batch


def _reason(error: BaseException) -> str:
    if isinstance(error, StoreError):
        return error.message
    if isinstance(error, KeyboardInterrupt):
        return "De import is afgebroken."
    return "De import liep op een programmafout."


def store_import(db: BalieDatabase, checked: ImportFile, file_name: str, actor: Actor,
                 now: datetime) -> Batch:
    """Import every row of a checked file held in memory, or nothing."""
    return store_rows(db, checked, checked.rows, file_name, actor, now)
