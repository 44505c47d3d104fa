"""The audit log: who did what with personal data, when, and from where.

Append-only (triggers refuse UPDATE and DELETE). Rows never contain personal data
themselves: they name the inquiry, not the person.
"""

from __future__ import annotations

from datetime import datetime

from balie.db.connection import BalieDatabase
from balie.domain.timekeeping import to_db


def log_event(
    db: BalieDatabase,
    staff_id: int | None,
    action: str,
    now: datetime,
    *,
    inquiry_id: int | None = None,
    detail: str | None = None,
    origin: str | None = None,
) -> None:
    with db.write():
        db.execute(
            "INSERT INTO audit_log (at, staff_id, action, inquiry_id, detail, origin) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [to_db(now), staff_id, action, inquiry_id, detail, origin],
        )
