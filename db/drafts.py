"""Drafts: what a desk is typing, kept in the database so nothing is lost.

A draft belongs to one running app (host and process id). When that app is gone (the
terminal was closed, the process killed), its draft is offered again at the next start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from balie.db.connection import BalieDatabase
from balie.domain.timekeeping import from_db, to_db

OTHER_HOST_GRACE = timedelta(minutes=10)
"""A draft from another machine is only offered after it has been quiet this long."""
MAX_AGE = timedelta(days=14)
"""Orphaned drafts older than this are deleted: they may hold personal details."""


@dataclass(frozen=True)
class StoredDraft:
    id: int
    body: str
    updated_at: datetime
    host: str
    pid: int


def save_draft(
    db: BalieDatabase, draft_id: int | None, staff_id: int, host: str, pid: int, body: str,
    now: datetime,
) -> int:
    """Insert or update this app's draft; returns its id.

    Only a draft this app owns is updated: if another app claimed it in the meantime,
    this app starts a draft of its own instead of writing into the other one.
    """
    with db.write():
        if draft_id is not None:
            cursor = db.execute(
                "UPDATE draft SET body = ?, updated_at = ? WHERE id = ? AND host = ? AND pid = ?",
                [body, to_db(now), draft_id, host, pid],
            )
            if cursor.rowcount:
                return draft_id
        cursor = db.execute(
            "INSERT INTO draft (staff_id, host, pid, body, updated_at) VALUES (?, ?, ?, ?, ?)",
            [staff_id, host, pid, body, to_db(now)],
        )
        return cursor.lastrowid


def delete_draft(db: BalieDatabase, draft_id: int) -> None:
    with db.write():
        db.execute("DELETE FROM draft WHERE id = ?", [draft_id])


def process_alive(pid: int) -> bool:
    """True if a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, but belongs to someone else
        return True
    except OSError:
        return False
    return True


def orphaned_drafts(
    db: BalieDatabase,
    staff_id: int,
    host: str,
    pid: int,
    now: datetime,
    alive: Callable[[int], bool] = process_alive,
) -> list[StoredDraft]:
    """Drafts of this staff member whose app is gone, newest first."""
    found = []
    for row in db.query(
        "SELECT * FROM draft WHERE staff_id = ? ORDER BY updated_at DESC, id DESC", [staff_id]
    ):
        draft = StoredDraft(row["id"], row["body"], from_db(row["updated_at"]), row["host"],
                            row["pid"])
        if draft.host == host:
            if draft.pid == pid or alive(draft.pid):
                continue
        elif now - draft.updated_at < OTHER_HOST_GRACE:
            continue
        found.append(draft)
    return found


def claim_draft(db: BalieDatabase, draft: StoredDraft, host: str, pid: int) -> bool:
    """Take over an orphaned draft; False if another app claimed it first."""
    with db.write():
        cursor = db.execute(
            "UPDATE draft SET host = ?, pid = ? WHERE id = ? AND host = ? AND pid = ?",
            [host, pid, draft.id, draft.host, draft.pid],
        )
        return cursor.rowcount == 1


def expire_drafts(db: BalieDatabase, now: datetime) -> int:
    """Delete drafts nobody came back to within MAX_AGE; returns how many."""
    with db.write():
        return db.execute("DELETE FROM draft WHERE updated_at < ?",
                          [to_db(now - MAX_AGE)]).rowcount
