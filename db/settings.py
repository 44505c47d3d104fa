"""Settings that all desks share, kept in the database (JSON values)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from balie.db.connection import BalieDatabase
from balie.domain.timekeeping import to_db


def get_setting(db: BalieDatabase, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: BalieDatabase, key: str, value: Any, now: datetime) -> None:
    with db.write():
        db.execute(
            "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            [key, json.dumps(value), to_db(now)],
        )


def is_demo(db: BalieDatabase) -> bool:
    """Whether the database holds made-up data (filled by balie demo)."""
    return bool(get_setting(db, "demo", False))
