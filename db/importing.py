"""Storing a checked import file: all rows in one transaction, and never the same file twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balie.db.access import Actor, audit, require
from balie.db.connection import BalieDatabase
from balie.db.errors import StoreError
from balie.domain.importing import ImportFile
from balie.domain.timekeeping import from_db, local, to_db


@dataclass(frozen=True)
class Batch:
    id: int
    file_name: str
    rows: int
    imported_at: datetime


def previous_import(db: BalieDatabase, checked: ImportFile) -> Batch | None:
    """The earlier import of the same file: the same registrations, or (as recorded by
    balie before it compared registrations) the same text."""
    row = db.execute(
        """SELECT id, file_name, rows, imported_at FROM import_batch
           WHERE sha256 IN (?, ?) ORDER BY id LIMIT 1""",
        [checked.fingerprint, checked.text_fingerprint],
    ).fetchone()
    return Batch(row[0], row[1], row[2], from_db(row[3])) if row else None


def already_imported_message(batch: Batch) -> str:
    return (f"Dit bestand is al geïmporteerd op {local(batch.imported_at):%d-%m-%Y %H:%M} "
            f"als '{batch.file_name}' ({batch.rows} registraties, import {batch.id}). "
            "Het wordt niet nog eens ingelezen.")


def store_import(
    db: BalieDatabase, checked: ImportFile, file_name: str, actor: Actor, now: datetime
) -> Batch:
    """Import every row of a checked file, or nothing (one transaction)."""
    if checked.problems:
        raise ValueError("a file with problems is never imported")
    stamp = to_db(now)
    staff_id = actor.staff_id
    with db.write():
        require(db, actor, "import")
        earlier = previous_import(db, checked)
        if earlier is not None:
            raise StoreError(already_imported_message(earlier))
        batch_id = db.execute(
            """INSERT INTO import_batch (file_name, sha256, rows, imported_at, imported_by)
               VALUES (?, ?, ?, ?, ?)""",
            [file_name, checked.fingerprint, len(checked.rows), stamp, staff_id],
        ).lastrowid
        # In bulk: the new inquiries get the ids after the highest, as SQLite would.
        first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM inquiry").fetchone()[0]
        numbered = list(enumerate(checked.rows, start=first))
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
        audit(db, actor, "import", now, detail=f"import {batch_id}: {len(numbered)} regels")
    return Batch(batch_id, file_name, len(checked.rows), now)
