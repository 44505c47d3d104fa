"""An app that is closing drops the database work it is still asked for.

A timer or a key can fire just before the end: beheer's retention notice comes 1.5 s
after the start, so someone who quits at once closes the app while it is due. By then
the database thread has stopped and the connection is closed; the work is dropped,
without a crash report and without touching the closed connection.
"""

from __future__ import annotations

import pytest

import balie.app as app_module
from balie.app import AppClosing, BalieApp, make_app
from balie.db import open_database
from tests.conftest import FROZEN_NOW


@pytest.fixture
def asked(monkeypatch) -> list:
    """The retention counts the app asks the database for."""
    calls: list = []

    def retention_due(db, now):
        calls.append(now)
        return 3

    monkeypatch.setattr(app_module, "retention_due", retention_due)
    return calls


def beheer_app(db_path) -> BalieApp:
    open_database(db_path).close()
    # The owner of a new file is its first beheer: the retention notice is theirs.
    app = make_app(db_path, username="installateur", clock=lambda: FROZEN_NOW)
    assert "beheer" in app.staff.roles
    return app


async def test_the_retention_notice_of_a_closing_app_is_dropped(db_path, monkeypatch, asked):
    unmount = BalieApp.on_unmount

    def closing_with_work_due(self) -> None:
        # The notice's timer fired as the app was closing: its callback runs right
        # after the app's unmount, when the database thread has already stopped.
        self.call_next(self.retention_notice)
        unmount(self)

    monkeypatch.setattr(BalieApp, "on_unmount", closing_with_work_due)
    app = beheer_app(db_path)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code in (0, None)  # not 70: no crash report
    assert asked == []


async def test_database_work_asked_after_the_end_never_runs(db_path, asked):
    app = beheer_app(db_path)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert await app.run_db(app_module.retention_due, FROZEN_NOW) == 3  # while open
    with pytest.raises(AppClosing):
        await app.run_db(app_module.retention_due, FROZEN_NOW)
    assert asked == [FROZEN_NOW]


async def test_a_worker_that_asks_for_work_as_the_app_closes_ends_quietly(db_path, asked,
                                                                          monkeypatch):
    unmount = BalieApp.on_unmount

    def closing_with_a_worker(self) -> None:
        unmount(self)

        async def late() -> None:
            await self.run_db(app_module.retention_due, FROZEN_NOW)

        self.call_next(lambda: self.run_worker(late()))

    monkeypatch.setattr(BalieApp, "on_unmount", closing_with_a_worker)
    app = beheer_app(db_path)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.return_code in (0, None)
    assert asked == []
