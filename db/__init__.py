"""balie's data layer: every SQL statement lives here. Never imports the UI."""

from __future__ import annotations

from pathlib import Path

from balie.db.connection import OWNER_ONLY, Access, BalieDatabase, connect
from balie.db.errors import StoreError
from balie.db.migrations import migrate

__all__ = ["Access", "BalieDatabase", "StoreError", "open_database"]


def open_database(
    path: Path | str, *, create: bool = True, access: Access = OWNER_ONLY
) -> BalieDatabase:
    """Open the database at ``path``, upgrading it as needed (and creating it if allowed)."""
    db = connect(Path(path), create=create, access=access)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db
