"""The werkvoorraad's three views, as a team lead uses them on Monday morning.

After ``w`` the cursor stood on a colleague's case while the header said "1 op uw naam
(bovenaan)", and ``d``/``a`` would have acted on it; the footer offered keys that did
nothing in the view and pressing them was silent; "Wacht" counted calendar hours while
"te lang" counted working hours, and a transfer set "Wacht" back to 0.
"""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from balie.db.inbox import pick_up, transfer
from tests.conftest import FROZEN_NOW, member
from tests.screen_reading import screen_lines
from tests.test_inbox_screen import (
    MONDAY_MORNING,
    build,
    open_inbox,
    register,
    settle,
    shown,
    text,
)
from tests.test_inbox_screen import team_db as team_fixture

team_db = team_fixture

SIZE = (80, 24)


def cursor_row(screen) -> list[str]:
    table = screen.query_one("#list", DataTable)
    return shown(screen)[table.cursor_row]


async def test_another_view_starts_on_its_first_row_the_one_the_header_names(team_db,
                                                                             db_path):
    db, ref, ids = team_db
    anna, bram = member(db, "anna"), member(db, "bram", "Bram")
    pick_up(db, ids["old"], bram, FROZEN_NOW)  # a colleague's, waiting longest
    pick_up(db, ids["today"], anna, FROZEN_NOW)  # hers: first, "bovenaan"
    register(db, ref, at=FROZEN_NOW)  # Nieuw: the urgent one and this one
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        await pilot.press("down")  # in Nieuw, on the second row
        await settle(pilot)
        assert screen.query_one("#list", DataTable).cursor_row == 1
        await pilot.press("w")
        await settle(pilot)
        assert text(screen, "#summary").startswith("1 op uw naam (bovenaan)")
        assert cursor_row(screen)[1] == str(ids["today"])
        assert "Anna" in cursor_row(screen)


async def test_the_footer_offers_only_the_keys_of_the_view(team_db, db_path):
    async with build(db_path).run_test(size=SIZE) as pilot:
        await open_inbox(pilot)
        footers = []
        for _ in range(3):
            footers.append(screen_lines(pilot.app)[-1])
            await pilot.press("w")
            await settle(pilot)
        new, in_progress, closed = footers
        assert "o Oppakken" in new and "d Doorzetten" in new
        assert "a Afronden" not in new and "h Heropenen" not in new
        assert "a Afronden" in in_progress and "d Doorzetten" in in_progress
        assert "o Oppakken" not in in_progress and "h Heropenen" not in in_progress
        assert "h Heropenen" in closed
        assert not {"o Oppakken", "a Afronden", "d Doorzetten"} & set(closed.split("  "))
        assert "Afronden" not in closed and "Oppakken" not in closed


async def test_a_key_that_cannot_work_now_says_why(team_db, db_path):
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "Afronden kan alleen als de vraag in behandeling is" in text(screen, "#status")
        await pilot.press("h")
        await settle(pilot)
        assert "Heropenen kan alleen bij een afgeronde vraag" in text(screen, "#status")
        await pilot.press("w", "w")  # afgerond: nothing there yet
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert "Oppakken kan alleen in Nieuw" in text(screen, "#status")
        await pilot.press("h")
        await settle(pilot)
        assert "deze lijst is leeg" in text(screen, "#status")


async def test_the_wait_is_in_working_hours_and_a_transfer_keeps_the_clients_wait(
        team_db, db_path):
    db, ref, ids = team_db
    lead = member(db, "anna")
    # Registered Monday 09:00 (Beilen), sent on to seniorenwerk Tuesday 10:00.
    transfer(db, ids["old"], ref.route("senior_work").id, lead,
             FROZEN_NOW - timedelta(minutes=30), "leeftijd")
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        await pilot.press("t")  # seniorenwerk
        await settle(pilot)
        assert "Seniorenwerk" in text(screen, "#title")
        rows = {row[1]: row for row in shown(screen)}
        moved = rows[str(ids["old"])]
        assert moved[2:4] == ["30 min", "9 u"]  # here, and since it was registered
        other = next(row for number, row in rows.items() if number != str(ids["old"]))
        assert other[0] == "»" and other[2] == "9 u"  # too long: 9.5 of 8 working hours
        assert "Totaal (sinds de registratie) in werktijd" in text(screen, "#summary")


async def test_nothing_runs_off_the_screen_at_80_columns(team_db, db_path):
    """Free text is cut with an ellipsis inside the screen, never at its edge."""
    db, ref, _ = team_db
    register(db, ref, at=MONDAY_MORNING, summary="Een lange omschrijving " * 6)
    async with build(db_path, user="anna").run_test(size=SIZE) as pilot:
        await open_inbox(pilot)
        for _ in range(3):
            lines = screen_lines(pilot.app)
            table = pilot.app.screen.query_one("#list", DataTable)
            body = lines[table.region.y:table.region.bottom]
            assert all(line[78] in " ▁▂▃▄▅▆▇█▊▋▌▍▎▏" for line in body), body
            assert table.virtual_size.width <= table.scrollable_content_region.width
            await pilot.press("w")
            await settle(pilot)
