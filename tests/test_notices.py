"""Start-up notices do not hide the work, and one that asks beheer to act comes once a
day, not at every start of every desk."""

from __future__ import annotations

import os
from datetime import timedelta

from balie.app import make_app
from balie.db import open_database
from balie.widgets import StatusLine
from tests.conftest import FROZEN_NOW, member
from tests.test_intake_screen import settle


def start(db_path, username: str, now=FROZEN_NOW):
    return make_app(db_path, username=username, clock=lambda: now)


def wide_open(db_path) -> None:
    """A database readable by everyone: the app warns at the start."""
    db = open_database(db_path)
    member(db, "test.balie")
    member(db, "bert")
    db.close()
    os.chmod(db_path, 0o644)


async def test_a_notice_takes_lines_from_the_work_but_covers_nothing(db_path):
    wide_open(db_path)
    app = start(db_path, "test.balie")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = app.screen.query_one("#status", StatusLine)
        (notice,) = status.notices
        assert notice.title_text == "Rechten van de database"
        assert not app._notifications  # no toast over the form
        lines = [notice.render_line(y).text.strip() for y in range(notice.size.height)]
        shown = " ".join(lines)
        assert "chmod 600" in shown and shown.rstrip().endswith("-shm")  # read whole
        assert status.message == ""  # the status line itself says what the desk does
        # The routes stay in view, right of the form too.
        route = app.screen.query_one("#route")
        assert route.region and not route.region.overlaps(notice.region)


async def test_a_notice_comes_once_a_day_for_all_desks(db_path):
    wide_open(db_path)
    async with (first := start(db_path, "test.balie")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert first.notices_shown
    async with (again := start(db_path, "bert")).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert again.notices_shown == []  # another desk, the same day
    tomorrow = start(db_path, "bert", FROZEN_NOW + timedelta(days=1))
    async with tomorrow.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert tomorrow.notices_shown == first.notices_shown
