"""The Textual application and the one factory that builds it."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from balie.config import os_username
from balie.db import BalieDatabase, open_database
from balie.db.reference import ensure_staff
from balie.domain.models import Staff
from balie.domain.timekeeping import utc_now

T = TypeVar("T")


class BalieApp(App[None]):
    """balie's terminal application."""

    TITLE = "balie"
    SUB_TITLE = "Welzijnswerk Midden-Drenthe"
    CSS_PATH = "app.tcss"

    def __init__(self, db: BalieDatabase, staff: Staff, clock: Callable[[], datetime]):
        super().__init__()
        self.db = db
        """The shared database; only ever used from the database thread (see run_db)."""
        self.staff = staff
        """The staff member at this desk, taken from the OS account."""
        self.clock = clock
        """Returns the current moment; tests freeze it."""
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="balie-db")

    async def run_db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a data-layer function on the one database thread and await its result.

        All database work of the app goes through this single thread: the event loop
        never blocks on SQLite (an fsync can take milliseconds, a busy wait seconds),
        and the connection is never used by two threads at once.
        """
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, self.db, *args, **kwargs)
        return await loop.run_in_executor(self._db_thread, call)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Database: {self.db.path}", id="status")
        yield Footer()

    def on_unmount(self) -> None:
        self._db_thread.shutdown(wait=True)
        self.db.close()


def make_app(
    db_path: Path | str,
    *,
    username: str | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> BalieApp:
    """Build the app for the database at ``db_path``: the CLI, tests and snapshots use this.

    Opens (creating or upgrading) the database before the app starts, so a problem with
    it is reported as a message, not inside a half-started screen.
    """
    db = open_database(db_path)
    staff = ensure_staff(db, username or os_username())
    return BalieApp(db, staff, clock)
