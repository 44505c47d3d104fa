"""The werkvoorraad and callback screens driven with the keyboard (Pilot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from balie.app import make_app
from balie.db import open_database
from balie.db.inbox import pick_up
from balie.db.inquiries import InquiryInput, history, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.screens.callbacks import CallbacksScreen
from balie.screens.dialog import ChoiceDialog
from balie.screens.history import HistoryScreen
from balie.screens.inbox import InboxScreen
from tests.conftest import FROZEN_NOW, lead, member
from tests.test_snapshots import ready

SIZE = (120, 36)
MONDAY_MORNING = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
"""09:00 in Beilen the day before FROZEN_NOW: 9.5 working hours ago, too long."""


def register(db, ref, route="social_work", *, at, urgent=False, callback=None, name=None,
             summary="Schulden en spanning thuis"):
    desk = member(db, "desk", "Balie")
    data = InquiryInput(
        channel_id=ref.channels.active[0].id, village_id=ref.villages.named("Smilde").id,
        route_id=ref.route(route).id, topic_ids=(ref.topics.active[0].id,), age=52,
        summary=summary, urgent=urgent, consent=bool(callback or name), person_name=name,
        phone="+31612345678" if callback else None, callback_at=callback)
    return save_inquiry(db, data, desk, at).id


@pytest.fixture
def team_db(db_path):
    """Anna of maatschappelijk werk, with three inquiries waiting for her team."""
    db = open_database(db_path)
    ref = load_reference(db)
    # A team member who also leads (transfers are a team lead's); someone else is beheer.
    member(db, "installateur", roles=("beheer",))
    member(db, "anna", "Anna", roles=("team", "teamleider"), team="social_work")
    ids = {
        "old": register(db, ref, at=MONDAY_MORNING),
        "today": register(db, ref, at=FROZEN_NOW - timedelta(minutes=20)),
        "urgent": register(db, ref, at=FROZEN_NOW - timedelta(minutes=5), urgent=True),
    }
    register(db, ref, "senior_work", at=MONDAY_MORNING)  # another team's
    yield db, ref, ids
    db.close()


def build(db_path, user="anna", now=FROZEN_NOW):
    return make_app(db_path, username=user, clock=lambda: now)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def plain(cell) -> str:
    return (cell.plain if isinstance(cell, Text) else str(cell)).strip()


def shown(screen) -> list[list[str]]:
    table = screen.query_one("#list", DataTable)
    return [[plain(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_inbox(pilot) -> InboxScreen:
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InboxScreen)
    return pilot.app.screen


async def test_the_team_list_puts_spoed_first_and_marks_who_waits_too_long(team_db, db_path):
    db, ref, ids = team_db
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        assert "Werkvoorraad Maatschappelijk werk" in text(screen, "#title")
        assert "Nieuw (3)" in text(screen, "#title")
        rows = shown(screen)
        assert [row[1] for row in rows] == [str(ids["urgent"]), str(ids["old"]),
                                            str(ids["today"])]
        marks = {row[1]: row[0] for row in rows}
        assert marks[str(ids["urgent"])].startswith("!")  # spoed: marked at once
        assert marks[str(ids["old"])] == "»"  # 9.5 working hours
        assert marks[str(ids["today"])] == ""  # 20 minutes
        assert text(screen, "#summary").startswith("» 2 wachten te lang, 1 met spoed")
        assert rows[1][2] == "9 u" and rows[2][2] == "20 min"  # working hours, like »
        assert "Smilde" in rows[0] and "Schulden en spanning thuis" in rows[0]


async def test_pick_up_transfer_close_and_reopen_with_the_keyboard(team_db, db_path):
    db, ref, ids = team_db
    anna = member(db, "anna")
    social, senior = ref.route("social_work").id, ref.route("senior_work").id
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        await pilot.press("o")  # the urgent one, first in the list
        await settle(pilot)
        assert load_inquiry(db, ids["urgent"]).owner_id == anna.id
        assert "staat op uw naam" in text(screen, "#status")
        assert str(ids["urgent"]) not in [row[1] for row in shown(screen)]

        await pilot.press("w")  # in behandeling
        await settle(pilot)
        assert [(row[1], row[3]) for row in shown(screen)] == [(str(ids["urgent"]), "Anna")]
        await pilot.press("a")  # close: the outcomes of the annual report
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChoiceDialog)
        await pilot.press("2")  # Kortdurende ondersteuning
        await settle(pilot)
        await pilot.press(*"twee gesprekken", "enter")
        await settle(pilot)
        closed = load_inquiry(db, ids["urgent"])
        assert closed.status == "closed"
        assert ref.outcomes[closed.outcome_id].name == "Kortdurende ondersteuning"

        await pilot.press("w")  # afgerond
        await settle(pilot)
        assert shown(screen)[0][:3] == [str(ids["urgent"]), "10-03 10:30",
                                        "Kortdurende ondersteuning"]
        await pilot.press("h", "enter")  # reopen without a reason: refused, line open
        await settle(pilot)
        assert "reden" in text(screen, "#status")
        assert load_inquiry(db, ids["urgent"]).status == "closed"
        await pilot.press(*"belde terug", "enter")
        await settle(pilot)
        assert load_inquiry(db, ids["urgent"]).status == "picked_up"

        await pilot.press("w")  # back to new; transfer the old one to seniorenwerk
        await settle(pilot)
        table = screen.query_one("#list", DataTable)
        table.move_cursor(row=[row[1] for row in shown(screen)].index(str(ids["old"])))
        await pilot.press("d")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [a.label for a in dialog.answers] == ["Cliëntondersteuning", "Seniorenwerk"]
        await pilot.press("2", *"78 jaar, eenzaam", "enter")
        await settle(pilot)
        moved = load_inquiry(db, ids["old"])
        assert (moved.route_id, moved.intake_route_id, moved.status) == (senior, social, "new")
        assert history(db, lead(db), ids["old"])[-1].reason == "78 jaar, eenzaam"
        assert "doorgezet naar Seniorenwerk" in text(screen, "#status")

        await pilot.press("t")  # the next team: Seniorenwerk, where it arrived
        await settle(pilot)
        assert "Werkvoorraad Seniorenwerk" in text(screen, "#title")
        assert str(ids["old"]) in [row[1] for row in shown(screen)]


async def test_someone_else_was_quicker_and_the_list_follows_other_desks(team_db, db_path):
    db, ref, ids = team_db
    bram = member(db, "bram", "Bram")
    async with build(db_path).run_test(size=SIZE) as pilot:
        app = pilot.app
        screen = await open_inbox(pilot)
        await app.poll_changes()  # the starting point
        pick_up(db, ids["urgent"], bram, FROZEN_NOW)  # another desk, another process
        await pilot.press("o")
        await settle(pilot)
        assert "al opgepakt door Bram" in text(screen, "#status")
        assert load_inquiry(db, ids["urgent"]).owner_id == bram.id
        assert str(ids["urgent"]) not in [row[1] for row in shown(screen)]

        newcomer = register(db, ref, at=FROZEN_NOW)
        await app.poll_changes()  # what the app's timer does every two seconds
        await settle(pilot)
        assert str(newcomer) in [row[1] for row in shown(screen)]


async def test_opening_an_inquiry_shows_its_details_and_is_logged(team_db, db_path):
    db, ref, _ = team_db
    named = register(db, ref, at=FROZEN_NOW, name="Ëlla d'Ancona")
    async with build(db_path).run_test(size=SIZE) as pilot:
        screen = await open_inbox(pilot)
        table = screen.query_one("#list", DataTable)
        table.move_cursor(row=[row[1] for row in shown(screen)].index(str(named)))
        await pilot.press("enter")
        await settle(pilot)
        details = pilot.app.screen
        assert isinstance(details, HistoryScreen)
        assert details.inquiry.person_name == "Ëlla d'Ancona"
        logged = db.execute("SELECT action, inquiry_id FROM audit_log").fetchall()
        assert ("view", named) in logged


async def test_callbacks_due_are_called_or_tried_again(db_path):
    db = open_database(db_path)
    ref = load_reference(db)
    late = register(db, ref, at=MONDAY_MORNING, callback=MONDAY_MORNING + timedelta(hours=4),
                    name="Jan Smit")
    later = register(db, ref, "desk", at=FROZEN_NOW,
                     callback=FROZEN_NOW + timedelta(hours=3))
    register(db, ref, at=FROZEN_NOW, callback=FROZEN_NOW + timedelta(days=2))  # not today
    async with build(db_path, user="desk").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CallbacksScreen)
        rows = shown(screen)
        assert [row[1] for row in rows] == [str(late), str(later)]
        assert rows[0][4:6] == ["Jan Smit", "06 12345678"]
        assert text(screen, "#summary").startswith("2 te doen, waarvan 1 te laat")
        logged = db.execute("SELECT detail FROM audit_log WHERE action = 'view'").fetchall()
        assert logged == [(f"terugbellijst: {late}, {later}",)]

        await pilot.press("n", *"gisteren", "enter")  # the past: refused, text kept
        await settle(pilot)
        assert "voorbij" in text(screen, "#status")
        assert screen.query_one("#ask-input").value == "gisteren"
        screen.query_one("#ask-input").value = "16:00"
        await pilot.press("enter")
        await settle(pilot)
        assert local_hour(load_inquiry(db, late).callback_at) == 16
        assert [row[1] for row in shown(screen)] == [str(later), str(late)]
        assert shown(screen)[1][6] == "1"  # one try

        # The cursor followed the moved callback; up to the other one.
        assert screen.selected() == late
        await pilot.press("up", "g", *"afspraak gemaakt", "enter")
        await settle(pilot)
        assert load_inquiry(db, later).callback_done_at == FROZEN_NOW
        assert [row[1] for row in shown(screen)] == [str(late)]
        assert history(db, lead(db), later)[-1].reason == "afspraak gemaakt"
    db.close()


def local_hour(moment: datetime) -> int:
    from balie.domain.timekeeping import local

    return local(moment).hour


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_werkvoorraad_layout(snap_compare, timers, team_db, db_path, size):
    """balie's timers (the 2-second poll, the list's minute) stay still: see test_snapshots."""
    async def to_inbox(pilot):
        await ready(pilot)
        await pilot.press("f3")
        await ready(pilot)

    assert snap_compare(build(db_path), terminal_size=size, run_before=to_inbox)


async def test_the_desk_list_follows_the_teams_and_keeps_its_cursor(db_path):
    db = open_database(db_path)
    ref = load_reference(db)
    first = register(db, ref, at=FROZEN_NOW - timedelta(minutes=30))
    second = register(db, ref, at=FROZEN_NOW - timedelta(minutes=10))
    async with build(db_path, user="desk").run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await app.poll_changes()  # the starting point
        await pilot.press("ctrl+l", "down")  # in today's list, on the older one
        table = app.screen.query_one("#today-table", DataTable)
        assert plain(table.get_row_at(table.cursor_row)[1]) == str(first)

        pick_up(db, first, member(db, "anna", "Anna"), FROZEN_NOW)
        register(db, ref, at=FROZEN_NOW)  # another desk registers meanwhile
        await app.poll_changes()
        await settle(pilot)
        routes = {plain(table.get_row_at(i)[1]): plain(table.get_row_at(i)[3])
                  for i in range(table.row_count)}
        assert routes[str(first)] == "Maatschappelijk werk · bij Anna"
        assert routes[str(second)] == "Maatschappelijk werk"
        assert table.row_count == 3
        assert plain(table.get_row_at(table.cursor_row)[1]) == str(first)  # still on it
    db.close()


async def test_a_list_opened_again_shows_what_this_desk_did_meanwhile(db_path):
    db = open_database(db_path)
    ref = load_reference(db)
    async with build(db_path, user="desk").run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert shown(screen) == []
        await pilot.press("escape")
        await settle(pilot)
        # Saved on the app's own connection: the change counter does not move for it.
        staff = member(db, "desk")
        data = InquiryInput(
            channel_id=ref.channels.active[0].id, village_id=ref.villages.active[0].id,
            route_id=ref.route("desk").id, topic_ids=(ref.topics.active[0].id,),
            consent=True, phone="+31612345678", callback_at=FROZEN_NOW + timedelta(hours=1))
        saved = await app.run_db(save_inquiry, data, staff, FROZEN_NOW)
        await pilot.press("f4")
        await settle(pilot)
        assert [row[1] for row in shown(screen)] == [str(saved.id)]
    db.close()


async def test_every_team_list_is_in_the_command_palette(team_db, db_path):
    db, ref, ids = team_db
    async with build(db_path).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Werkvoorraad Cliëntondersteuning", "Werkvoorraad Maatschappelijk werk",
                "Werkvoorraad Seniorenwerk"} <= set(titles)
        await app.open_team(ref.route("senior_work").id)
        await settle(pilot)
        assert "Werkvoorraad Seniorenwerk" in text(app.screen, "#title")
        assert len(shown(app.screen)) == 1  # the one inquiry of seniorenwerk
