"""Erasing the personal details of inquiries, and making sure the bytes are really gone.

One routine for both ways an inquiry loses its personal details: the retention period
of its route (``balie retention``) and a request of the person registered (``balie
person erase``). What counts is kept: date, village, routes, topics, age, gender,
outcome, channel, status; reports are the same before and after.

Overwriting a value is not enough to make it unreadable. Three places keep old bytes:

- the database file's free space: ``PRAGMA secure_delete = ON`` (set on every
  connection) zeroes deleted cells and freed pages;
- the name index (FTS5, external content): a deleted name stays in the index's old
  segments as a term until they are merged. ``optimize`` merges every segment into one
  without the deleted entries (SQLite 3.40 has no FTS5 ``secure-delete`` option);
- the write-ahead log: it holds earlier versions of changed pages until a checkpoint
  has copied the new ones into the file and the log is reset. ``wal_checkpoint
  (TRUNCATE)`` does both, but only when no other desk is still reading an older
  snapshot; otherwise the old frames go at a later checkpoint (see :class:`Purge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from balie.db.connection import BUSY_TIMEOUT_MS, BalieDatabase
from balie.domain.models import PERSONAL_FIELDS
from balie.domain.timekeeping import to_db

ERASED_FIELDS = (*PERSONAL_FIELDS, "summary")
"""What erasure empties: the contact fields (NULL) and the free text (empty)."""

CHECKPOINT_WAIT_MS = 2_000
"""How long the checkpoint waits for other desks to finish reading. While it waits,
new writes wait too, so this is shorter than the usual busy timeout."""

_CHUNK = 500
"""Inquiry ids per statement (far below SQLite's limit of bound parameters)."""


def erase_inquiries(db: BalieDatabase, inquiry_ids: Sequence[int], now: datetime) -> int:
    """Erase the personal details of these inquiries, in the caller's write transaction.

    - ``person_name``, ``phone``, ``postcode``, ``callback_at``, ``followup_at`` become
      NULL and ``summary`` empty (``consent`` stays: it records what was agreed then; a
      follow-up's result stays: the reports count it);
    - every history line's ``reason`` (transfer reasons, closing and callback notes,
      correction reasons: free text) becomes NULL, and so would the old and new values
      of a correction of a personal field, which are never stored in the first place;
    - drafts that are corrections of these inquiries are deleted (typed form text);
    - the version goes up, so a correction form opened before the erasure cannot save
      the old details back (it gets the usual "changed meanwhile" message);
    - ``erased_at`` is set on closed inquiries. An open one (erased on request) keeps
      it empty: whatever is written down before it is closed (a closing note) is erased
      again when its retention period ends.

    Returns how many inquiries were found. The caller checks the role and writes the
    audit log in the same transaction, and afterwards calls :func:`purge`.
    """
    stamp = to_db(now)
    found = 0
    values_of = ", ".join(f"'{name}'" for name in ERASED_FIELDS)
    with db.write():
        for start in range(0, len(inquiry_ids), _CHUNK):
            chunk = list(inquiry_ids[start:start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            found += db.execute(
                f"""UPDATE inquiry SET person_name = NULL, phone = NULL, postcode = NULL,
                        callback_at = NULL, followup_at = NULL, summary = '', updated_at = ?,
                        version = version + 1,
                        erased_at = CASE WHEN closed_at IS NOT NULL THEN ? END
                    WHERE id IN ({marks})""",
                [stamp, stamp, *chunk],
            ).rowcount
            db.execute(
                f"""UPDATE inquiry_event SET reason = NULL,
                        old_value = CASE WHEN field IN ({values_of}) THEN NULL
                                    ELSE old_value END,
                        new_value = CASE WHEN field IN ({values_of}) THEN NULL
                                    ELSE new_value END
                    WHERE inquiry_id IN ({marks}) AND (reason IS NOT NULL
                        OR (field IN ({values_of})
                            AND (old_value IS NOT NULL OR new_value IS NOT NULL)))""",
                chunk,
            )
            db.execute(
                f"""DELETE FROM draft WHERE CASE WHEN json_valid(body)
                        THEN json_extract(body, '$.correction_of') END IN ({marks})""",
                chunk,
            )
    return found


@dataclass(frozen=True)
class Purge:
    """What became of the old bytes after an erasure."""

    index_merged: bool
    """The name index was merged into one segment without the erased names."""
    log_emptied: bool
    """The write-ahead log was copied into the file and cut to zero bytes."""
    log_frames: int
    """Pages (frames) the log still held when it could not be emptied: copied into
    the file or not, their old bytes are there until the log is reset."""

    @property
    def complete(self) -> bool:
        return self.log_emptied

    def message(self) -> str:
        """A Dutch line for the person who ran the erasure."""
        if self.log_emptied:
            return ("De oude gegevens zijn ook uit de zoekindex en het logbestand (-wal) "
                    "verwijderd.")
        return ("Let op: het logbestand (-wal) kon nog niet worden geleegd, omdat een andere "
                "balie op dat moment las. Tot het volgende controlepunt staan de oude "
                "gegevens daar nog in; dat volgt vanzelf als alle balies klaar zijn met "
                "lezen. Voer 'balie retention' later nog eens uit om het meteen te doen "
                "(dat wist niets extra's als er niets over de termijn is).")


def purge(db: BalieDatabase, *, merge_index: bool = True) -> Purge:
    """Make erased details unreadable: merge the name index, empty the log.

    Outside any transaction. The merge rewrites the whole name index in one write
    transaction (0.2 s with a quarter of a million names, measured); the checkpoint
    waits at most :data:`CHECKPOINT_WAIT_MS` for desks that are reading.
    """
    if merge_index:
        _merge_index(db)
    db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS:d}")
    try:
        busy, frames, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    emptied = busy == 0  # TRUNCATE reports 0 frames left when it could finish
    return Purge(merge_index, emptied, 0 if emptied else max(frames, 0))


def _merge_index(db: BalieDatabase) -> None:
    with db.write():
        db.execute("INSERT INTO inquiry_name (inquiry_name) VALUES ('optimize')")
