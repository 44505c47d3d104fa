"""Where the database lives and who is at the desk. Nothing here touches the disk."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_DB = "BALIE_DB"
"""Environment variable that overrides the default database path."""
ENV_GROUP = "BALIE_GROUP"
"""Environment variable naming the OS group of desks that share the database file."""


def default_db_path() -> Path:
    """The user's data directory, e.g. ``~/.local/share/balie/balie.db`` on Linux."""
    import platformdirs  # imported here: only needed when no path is given

    return platformdirs.user_data_path("balie", appauthor=False) / "balie.db"


def resolve_db_path(cli_value: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    """``--db`` wins over ``BALIE_DB``, which wins over the default location."""
    if cli_value:
        return Path(cli_value).expanduser()
    if environ.get(ENV_DB):
        return Path(environ[ENV_DB]).expanduser()
    return default_db_path()


def os_username() -> str:
    """The operating-system account running balie: the staff member's identity.

    Taken from the process's user id, not from environment variables such as USER,
    which anyone can set.
    """
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # Windows, or a uid without a passwd entry
        import getpass

        return getpass.getuser()


def access_from(environ: Mapping[str, str] = os.environ):
    """File access for new database files: owner only, or the BALIE_GROUP group."""
    from balie.db.connection import Access

    return Access(environ.get(ENV_GROUP) or None)
