"""The audit log on F5: beheer filters by period, staff member and inquiry; others
are not offered it."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from balie.app import make_app
from balie.db import open_database
from tests.conftest import FROZEN_NOW, fill_fixture, member


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def lines(app) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#list", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


async def test_beheer_filters_the_log_and_a_mistake_stays_on_the_line(db_path):
    db = open_database(db_path)
    fill_fixture(db)
    member(db, "beheerder", roles=("beheer",))
    db.close()
    app = make_app(db_path, username="beheerder", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.current_mode == "audit"  # beheer alone starts at the log
        # The last 7 days: the fixture's registration of 10 March and the sign-in.
        assert {row[2] for row in lines(app)} >= {"geregistreerd", "aangemeld"}
        await pilot.press("p", *"31-2", "enter")
        await settle(pilot)
        assert "31-2" in app.screen.query_one("#ask-input", Input).value  # text kept
        assert status(app)  # and said what is wrong
        app.screen.query_one("#ask-input", Input).value = ""
        await pilot.press(*"29-3-2026 t/m 30-3-2026", "enter")
        await settle(pilot)
        assert {row[3] for row in lines(app)} == {"1", "2", "3", "5"}  # registered then
        await pilot.press("enter")  # everything of the inquiry on the chosen line
        await settle(pilot)
        assert {row[3] for row in lines(app)} == {lines(app)[0][3]}
        await pilot.press("w", "m", *"rapport", "enter")
        await settle(pilot)
        assert {row[1] for row in lines(app)} == {"rapport"}
        await pilot.press("m", *"niemand", "enter")
        await settle(pilot)
        assert "Geen medewerker" in status(app)


async def test_the_log_is_not_offered_without_beheer(db_path):
    db = open_database(db_path)
    member(db, "beheerder", roles=("beheer",))
    member(db, "anna", roles=("team",), team="social_work")
    db.close()
    app = make_app(db_path, username="anna", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.current_mode == "inbox"  # a team member starts at her team's list
        for key in ("f5", "f2", "ctrl+n"):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == "inbox", key
        # Nor in the command palette, nor the other teams' lists.
        titles = " ".join(c.title for c in app.get_system_commands(app.screen))
        transfer = next(b for b in app.screen.BINDINGS if b.action == "transfer")
        for absent in ("Auditlog", "dagoverzicht", "nieuwe vraag", "Werkvoorraad Senioren",
                       transfer.tooltip):
            assert absent.lower() not in titles.lower(), absent
        assert "Werkvoorraad Maatschappelijk werk" in titles
