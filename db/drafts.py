"""Drafts: what a desk is typing, kept in the database so nothing is lost.

A draft belongs to one running app (host and process id). When that app is gone (the
terminal was closed, the process killed), its draft is offered again at the next start
(and a few seconds later, for an app that was still ending at that start).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

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


STAMP_SLACK = 1.5
"""Seconds of doubt when comparing a process's age with a draft's: stored moments are
whole seconds."""


def process_alive(pid: int, age: timedelta = timedelta(0)) -> bool:
    """True if process ``pid`` runs on this machine and can be the app that wrote a
    draft ``age`` ago.

    A process killed but not yet reaped by its parent (a zombie) is gone. A process
    younger than the draft is not its app: it got the same pid later (pids are
    handed out again; in a container every start may get the same one), so the draft
    is orphaned even when it names this very process.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, but belongs to someone else
        pass
    except OSError:
        return False
    found = _process_state(pid)
    if found is None:
        return True  # no /proc to ask: it exists
    state, running_for = found
    if state in ("Z", "X"):
        return False
    return running_for >= age.total_seconds() - STAMP_SLACK


def _process_state(pid: int) -> tuple[str, float] | None:
    """The state letter and the seconds since the start of process ``pid`` (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2:].split()
    try:
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time
    except (ValueError, IndexError, OSError):
        return None
    return fields[0], uptime - started


def orphaned_drafts(
    db: BalieDatabase,
    staff_id: int,
    host: str,
    pid: int,
    now: datetime,
    alive: Callable[[int, timedelta], bool] = process_alive,
) -> list[StoredDraft]:
    """Drafts of this staff member whose app is gone, newest first.

    On this machine the app is asked for by its process (see :func:`process_alive`;
    that includes a draft naming this process's own pid, left by an earlier process
    with the same pid). A draft from another machine is offered once it has been quiet
    for :data:`OTHER_HOST_GRACE`.
    """
    found = []
    for row in db.query(
        "SELECT * FROM draft WHERE staff_id = ? ORDER BY updated_at DESC, id DESC", [staff_id]
    ):
        draft = StoredDraft(row["id"], row["body"], from_db(row["updated_at"]), row["host"],
                            row["pid"])
        if draft.host == host:
            if alive(draft.pid, now - draft.updated_at):
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
