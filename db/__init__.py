"""balie's data layer: every SQL statement lives here. Never imports the UI."""

from __future__ import annotations

from pathlib import Path

from balie.db.connection import BalieDatabase, connect
from balie.db.errors import StoreError
from balie.db.migrations import migrate

__all__ = ["BalieDatabase", "StoreError", "open_database"]


def open_database(path: Path | str) -> BalieDatabase:
    """Open the database at ``path``, creating and upgrading it as needed."""
    db = connect(Path(path))
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db
