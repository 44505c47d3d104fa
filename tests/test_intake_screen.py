"""The intake screen driven with the keyboard through Textual's Pilot."""

from __future__ import annotations

import io
import os
import select
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual import events
from textual.widgets import DataTable, Input, Static, TextArea

from balie.app import BalieApp, make_app
from balie.db import open_database
from balie.db.inquiries import InquiryInput, history, save_inquiry
from balie.db.reference import load_reference
from balie.screens.dialog import ChoiceDialog
from balie.screens.help import HelpScreen, key_label
from balie.widgets import ChoiceField
from tests.conftest import FROZEN_NOW, admin, lead, member, seat

SIZE = (100, 32)
QUIET = 1.0
"""Seconds of quiet on the test's clock: more than the form waits before it writes a
draft or looks up a returning caller."""


def build(db_path: Path) -> BalieApp:
    """The app of a desk worker who is also a team lead (not beheer)."""
    seat(db_path, "test.balie")
    return make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)


async def settle(pilot) -> None:
    """Wait until workers (database calls) are done and the screen is up to date."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(app: BalieApp, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def read_line(child: subprocess.Popen, timeout: float) -> str:
    """The next line the child prints, or a failure after ``timeout`` seconds (a hung
    child must not hang the test run)."""
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"the child printed nothing in {timeout} s")
    return child.stdout.readline().strip()


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    db = open_database(db_path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def form(app: BalieApp, **values) -> None:
    """Set fields directly where typing them is not what a test is about."""
    screen = app.screen
    for name, value in values.items():
        widget = screen.query_one(f"#{name}")
        if isinstance(widget, ChoiceField):
            widget.value = value
        elif isinstance(widget, TextArea):
            widget.text = value
        else:
            widget.value = value


async def test_typical_anonymous_phone_call_by_keyboard(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused.id == "village"
        await pilot.press("b", "e", "tab", "7", "8", "tab", "tab", "e", "tab")
        assert app.focused.id == "summary"
        await pilot.press(*"alleen")
        await settle(pilot)
        assert "Voorstel: Seniorenwerk" in text_of(app, "#suggestion")
        assert "78 jaar, eenzaamheid en contact -> seniorenwerk" in text_of(app, "#suggestion")
        await pilot.press("ctrl+r", "ctrl+s")
        await settle(pilot)

        status = text_of(app, "#status")
        assert status.startswith("Opgeslagen: nummer 1 → Seniorenwerk")
        # The form is clear for the next caller and the list shows the registration.
        assert app.screen.query_one("#village", Input).value == ""
        assert app.focused.id == "village"
        assert app.screen.query_one("#today-table", DataTable).row_count == 1

    (row,) = rows(db_path, """SELECT village.name, age, route.code, summary, consent, channel.code,
                                     person_name, phone, urgent, status
                              FROM inquiry JOIN village ON village.id = village_id
                              JOIN route ON route.id = route_id
                              JOIN channel ON channel.id = channel_id""")
    assert row == ("Beilen", 78, "senior_work", "alleen", 0, "phone", None, None, 0, "new")
    assert rows(db_path, "SELECT topic.code FROM inquiry_topic JOIN topic ON topic.id = topic_id"
                ) == [("loneliness",)]
    assert rows(db_path, "SELECT kind FROM inquiry_event") == [("created",)]
    assert rows(db_path, "SELECT count(*) FROM draft") == [(0,)]


async def test_another_route_is_one_key_more(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Hooghalen", age="70", topics="Eenzaamheid en contact")
        await pilot.pause()
        await pilot.press("ctrl+t", "2")
        route = app.screen.query_one("#route", ChoiceField)
        assert (route.value, route.suggested) == ("social_work", "senior_work")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Maatschappelijk werk" in text_of(app, "#status")
    assert rows(db_path, "SELECT route.code FROM inquiry JOIN route ON route.id = route_id"
                ) == [("social_work",)]


async def test_external_referral_asks_to_whom(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen")
        await pilot.pause()
        await pilot.press("ctrl+t", "5")
        await pilot.pause()
        assert app.screen.query_one("#referral-row").display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Naar wie is doorverwezen?" in text_of(app, "#msg-route")
        form(app, referral="woning")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status") == (
            "Opgeslagen: nummer 1 → Extern doorverwezen (Woningcorporatie).")
    assert rows(db_path, """SELECT directory_entry.name FROM inquiry_referral
                            JOIN directory_entry ON directory_entry.id = entry_id"""
                ) == [("Woningcorporatie",)]


async def test_bad_input_is_explained_at_the_field_and_nothing_is_lost(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"xyz", "tab")
        assert "'xyz' is geen dorp" in text_of(app, "#msg-who")
        form(app, age="2099", topics="e", summary="iets")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Niet opgeslagen" in text_of(app, "#status")
        assert "Geboortejaar 2099 ligt in de toekomst" in text_of(app, "#msg-who")
        assert "Kies een route" in text_of(app, "#msg-route")
        assert app.focused.id == "village"  # the first field that needs attention
        # Nothing typed was lost.
        assert app.screen.query_one("#village", Input).value == "xyz"
        assert app.screen.query_one("#summary", TextArea).text == "iets"
    assert rows(db_path, "SELECT count(*) FROM inquiry") == [(0,)]


async def test_hoog_offers_a_choice_and_down_tab_takes_the_second(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"hoog")
        hint = text_of(app, "#msg-who")
        assert "▸Hoogersmilde · Hooghalen" in hint
        await pilot.press("down", "tab")
        assert app.screen.query_one("#village", Input).value == "Hooghalen"
        assert app.focused.id == "age"


async def test_topic_letters_become_their_full_names_when_leaving_the_field(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#topics").focus()
        await pilot.press(*"fin w")
        assert "w: ▸Wonen · Werk en inkomen" in text_of(app, "#msg-topics")
        await pilot.press("tab")  # "w" is ambiguous: Tab takes the highlighted one, Wonen
        assert app.screen.query_one("#topics", Input).value == "Financiën, Wonen"
        assert app.focused.id == "summary"


async def test_anonymous_save_drops_personal_details_without_consent(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", name="Jan de Vries",
             phone="06-12345678")
        await pilot.pause()
        assert "anoniem opgeslagen" in text_of(app, "#msg-personal")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert rows(db_path, "SELECT consent, person_name, phone FROM inquiry") == [(0, None, None)]


async def test_with_consent_name_and_phone_are_stored_normalised(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", consent="1",
             name="Müller-Lüdenscheidt", phone="0031 6 1234 5678", postcode="9411ab",
             callback="morgen 10u")
        await pilot.pause()
        assert text_of(app, "#callback-preview") == "→ morgen 10:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert rows(db_path, "SELECT consent, person_name, phone, postcode, callback_at FROM inquiry"
                ) == [(1, "Müller-Lüdenscheidt", "+31612345678", "9411 AB",
                       "2026-03-11T09:00:00Z")]


async def test_domestic_violence_forces_spoed_and_says_why(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Smilde", topics="hg", summary="buren horen ruzie")
        await pilot.pause()
        urgent = app.screen.query_one("#urgent", ChoiceField)
        assert urgent.value == "1" and urgent.locked
        assert "Spoed: huiselijk geweld en onveiligheid is altijd spoed" in text_of(
            app, "#suggestion")
        await pilot.press("ctrl+r", "ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status").endswith("→ Maatschappelijk werk, spoed.")
    assert rows(db_path, "SELECT urgent, route_id FROM inquiry")[0][0] == 1


async def test_a_bsn_in_the_summary_asks_before_saving(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", summary="bsn 111222333")
        await pilot.pause()
        assert "BSN hoort niet in balie" in text_of(app, "#msg-summary")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("n")
        await settle(pilot)
        assert rows(db_path, "SELECT count(*) FROM inquiry") == [(0,)]
        assert app.screen.query_one("#summary", TextArea).text == "bsn 111222333"


async def test_returning_caller_is_recognised_by_phone_and_name(db_path, timers):
    db = open_database(db_path)
    ref = load_reference(db)
    staff = member(db, "collega")
    earlier = InquiryInput(channel_id=ref.channels.active[0].id,
                           village_id=ref.villages.named("Elp").id,
                           route_id=ref.route("senior_work").id,
                           topic_ids=(ref.topics.active[0].id,), consent=True,
                           person_name="Anna de Boer", phone="+31612345678")
    save_inquiry(db, earlier, staff, FROZEN_NOW - timedelta(days=6))
    db.close()
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, consent="1", phone="06-12345678", name="anna de boer")
        await pilot.pause()
        await timers.advance(QUIET, pilot)  # the look-up waits for a moment of quiet
        message = text_of(app, "#msg-personal")
        assert "Eerder contact op dit telefoonnummer: 1×, laatst 04-03-2026 (Seniorenwerk)" \
            in message
        assert "Eerder contact op deze naam: 1×" in message
    # Looking up earlier contacts is itself logged, without the search terms.
    logged = rows(db_path, "SELECT action, detail FROM audit_log")
    # What was looked up by and which registrations it showed; never the search terms.
    assert logged[-1] == ("search", "telefoonnummer: 1 (1); naam: 1 (1)")
    assert not any("nna" in (detail or "") or "612345678" in (detail or "")
                   for _, detail in logged)


async def test_a_correction_from_todays_list_lands_in_the_history(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", age="66", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+l")
        assert app.focused.id == "today-table"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.correcting == 1
        assert "Correctie van nummer 1" in text_of(app, "#mode")
        assert app.screen.query_one("#age", Input).value == "66"
        form(app, age="67", route="client_support", reason="leeftijd verkeerd verstaan")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Correctie van nummer 1 opgeslagen (2 wijziging(en))" in text_of(app, "#status")
        assert app.screen.correcting is None
    db = open_database(db_path)
    events = history(db, lead(db), 1)
    db.close()
    assert [e.kind for e in events] == ["created", "route", "correction", "status"]
    assert events[2].field == "age" and (events[2].old_value, events[2].new_value) == ("66", "67")
    assert events[1].reason == "leeftijd verkeerd verstaan"
    # Desk routes are closed at once; a team route waits to be picked up: said in history.
    assert (events[3].old_value, events[3].new_value) == ("closed", "new")


async def test_history_of_the_corrected_inquiry_is_one_key_away(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.check_action("history", ())
        form(app, village="Beilen", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.open_correction(1)
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "HistoryScreen"
        await pilot.press("escape")
        await pilot.press("escape")  # leave the unchanged correction without a question
        await settle(pilot)
        assert app.screen.correcting is None


async def test_leaving_a_half_filled_form_asks_first(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"bei")
        await pilot.press("escape")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("n")
        assert app.screen.query_one("#village", Input).value == "bei"
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("j")
        await settle(pilot)
        assert app.screen.query_one("#village", Input).value == ""


async def test_quitting_with_a_half_filled_form_keeps_it_as_a_draft(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Wijster", summary="half verhaal")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("j")
        await settle(pilot)
    (body,) = rows(db_path, "SELECT body FROM draft")[0]
    assert '"village": "Wijster"' in body and "half verhaal" in body


DRAFT_WRITER = """
import asyncio, sqlite3, sys
from datetime import datetime, timezone
from balie.app import make_app

def drafted(path):
    with sqlite3.connect(path) as db:
        return any('"eenz"' in body for (body,) in db.execute("SELECT body FROM draft"))

async def main():
    app = make_app(sys.argv[1], username="test.balie",
                   clock=lambda: datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc))
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(*"wijster", "tab", "8", "1", "tab", "tab", *"eenz")
        await app.workers.wait_for_complete()
        while not drafted(sys.argv[1]):  # the parent's read gives up after a minute
            await pilot.pause(0.02)
        print("typed", flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_a_killed_app_offers_its_draft_at_the_next_start(db_path):
    open_database(db_path).close()
    child = subprocess.Popen([sys.executable, "-c", DRAFT_WRITER, str(db_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert read_line(child, timeout=60) == "typed"
    finally:
        os.kill(child.pid, signal.SIGKILL)  # the terminal is closed, no goodbye
        child.wait()
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "Wijster, 81 jaar, eenz" in str(app.screen.query_one("#dialog-question").render())
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#village", Input).value == "Wijster"
        assert screen.query_one("#age", Input).value == "81"
        assert screen.query_one("#topics", Input).value == "eenz"
        form(app, route="senior_work")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert rows(db_path, "SELECT count(*) FROM draft") == [(0,)]
    assert rows(db_path, "SELECT age FROM inquiry") == [(81,)]


def test_only_drafts_of_apps_that_are_gone_are_offered(db):
    from balie.db.drafts import orphaned_drafts, save_draft

    staff = member(db, "test.balie")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = "balie-server"
        save_draft(db, None, staff.id, host, alive.pid, '{"village": "Elp"}', FROZEN_NOW)
        assert orphaned_drafts(db, staff.id, host, os.getpid(), FROZEN_NOW) == []
    finally:
        alive.kill()
        alive.wait()
    (offered,) = orphaned_drafts(db, staff.id, host, os.getpid(), FROZEN_NOW)
    assert '"Elp"' in offered.body
    # A draft from another machine only after it has been quiet a while.
    save_draft(db, None, staff.id, "andere-balie", 1, "{}", FROZEN_NOW)
    assert len(orphaned_drafts(db, staff.id, host, os.getpid(), FROZEN_NOW)) == 1
    later = FROZEN_NOW + timedelta(minutes=11)
    assert len(orphaned_drafts(db, staff.id, host, os.getpid(), later)) == 2


def test_a_claimed_draft_is_never_written_by_its_old_app(db):
    from balie.db.drafts import claim_draft, orphaned_drafts, save_draft

    staff = member(db, "test.balie")
    first = save_draft(db, None, staff.id, "oud", 111, '{"v": 1}', FROZEN_NOW)
    later = FROZEN_NOW + timedelta(minutes=11)
    (draft,) = orphaned_drafts(db, staff.id, "nieuw", 222, later)
    assert claim_draft(db, draft, "nieuw", 222)
    assert not claim_draft(db, draft, "derde", 333)  # claimed once only
    # The old app comes back to life and saves: it gets a draft of its own.
    again = save_draft(db, first, staff.id, "oud", 111, '{"v": 2}', later)
    assert again != first
    assert db.execute("SELECT body FROM draft WHERE id = ?", [first]).fetchone() == ('{"v": 1}',)


def test_drafts_nobody_came_back_to_expire(db):
    from balie.db.drafts import expire_drafts, save_draft

    staff = member(db, "test.balie")
    save_draft(db, None, staff.id, "h", 1, "{}", FROZEN_NOW - timedelta(days=15))
    save_draft(db, None, staff.id, "h", 2, "{}", FROZEN_NOW - timedelta(days=2))
    assert expire_drafts(db, FROZEN_NOW) == 1
    assert db.execute("SELECT count(*) FROM draft").fetchone() == (1,)


async def test_hostile_text_is_stored_verbatim_and_shown_as_text(db_path):
    nasty = "[bold red]x[/]'); DROP TABLE inquiry; --\x1b[2J"
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", summary=nasty,
             consent="1", name=nasty[:20])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")
    (summary, name) = rows(db_path, "SELECT summary, person_name FROM inquiry")[0]
    assert summary == "[bold red]x[/]'); DROP TABLE inquiry; --[2J"  # control chars removed
    assert name == "[bold red]x[/]'); DR"


def offered(app) -> list:
    """The app's keys this person at this terminal may use (all roles: all but F10)."""
    from textual.actions import parse

    return [b for b in app.BINDINGS if app.check_action(*parse(b.action)[1:])]


async def test_help_lists_every_key(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, record=True, file=io.StringIO())
        for widget in app.screen.query(Static):
            console.print(widget.content)
        shown = console.export_text()
        intake = app.get_screen_stack("intake")[0]
        for binding in [*offered(app), *intake.BINDINGS]:
            assert key_label(binding.key) in shown, binding.key
        assert "F10" not in shown  # logging out is for browser sessions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Under the word the footer shows, with what it does as its help.
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        intake = app.screen
        for binding in [*offered(app), *intake.BINDINGS]:
            if binding.action in ("command_palette", "history"):
                continue  # the palette itself; history only while correcting
            assert binding.description in commands, binding.action
            assert commands[binding.description].startswith(binding.tooltip)


async def test_the_form_works_at_80_by_24(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")
        # Every field can be reached and is on screen when it has focus.
        for _ in range(14):
            await pilot.press("tab")
            focused = app.focused
            assert focused is not None
            assert app.screen.find_widget(focused).region.bottom <= 24



def burst(app: BalieApp, keys: str) -> None:
    """Deliver keys the way a fast typist over ssh does: all at once, in one read."""
    names = {"\t": "tab", " ": "space"}
    for char in keys:
        app.post_message(events.Key(names.get(char, char), char))


async def test_a_burst_of_keys_lands_in_the_right_fields(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "hoog")
        app.post_message(events.Key("down", None))
        burst(app, "\t1948\tv\teenz\talleen")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#village", Input).value == "Hooghalen"
        assert screen.query_one("#age", Input).value == "1948"
        assert screen.query_one("#gender", ChoiceField).value == "f"
        assert screen.query_one("#topics", Input).value == "Eenzaamheid en contact"
        assert screen.query_one("#summary", TextArea).text == "alleen"
        app.post_message(events.Key("ctrl+r", None))
        app.post_message(events.Key("ctrl+s", None))
        burst(app, "xyz")  # the next caller, typed before the form was cleared
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")
    # The saved inquiry holds exactly what was typed for it.
    assert rows(db_path, "SELECT summary, age FROM inquiry") == [("alleen", 78)]


async def test_enter_on_a_question_never_throws_work_away(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"bei")
        await pilot.press("escape")
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # the focused answer is the safe one
        await settle(pilot)
        assert app.screen.query_one("#village", Input).value == "bei"


async def test_a_busy_database_is_a_message_and_nothing_is_lost(db_path, monkeypatch):
    from balie.db import connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(connection, "BUSY_RETRIES", 1)
    app = build(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", summary="belangrijk")
        other.execute("BEGIN IMMEDIATE")  # another desk holds the write lock
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "bezet" in text_of(app, "#status")
        assert app.screen.query_one("#summary", TextArea).text == "belangrijk"
        assert app.focused is not None
        other.execute("ROLLBACK")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")
    other.close()
    assert app.return_code in (0, None)


async def test_a_bsn_warning_can_be_overruled_knowingly(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk",
             summary="rekeningnummer 111222333")  # an old bank account passes too
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("j")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")


async def test_without_consent_no_personal_detail_reaches_the_draft(db_path, timers):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Elp", name="Geheime Naam", phone="0612345678")
        await pilot.pause()
        assert rows(db_path, "SELECT body FROM draft") == []  # not before its moment
        await timers.advance(QUIET, pilot)
        (body,) = rows(db_path, "SELECT body FROM draft")[0]
        assert "Geheime" not in body and "0612345678" not in body and "Elp" in body
        form(app, consent="1")
        await pilot.pause()
        await timers.advance(QUIET, pilot)
        (body,) = rows(db_path, "SELECT body FROM draft")[0]
        assert "Geheime Naam" in body  # with consent, nothing typed is lost


async def test_earlier_contacts_are_only_looked_up_with_consent(db_path, timers):
    db = open_database(db_path)
    ref = load_reference(db)
    earlier = InquiryInput(channel_id=ref.channels.active[0].id,
                           village_id=ref.villages.named("Elp").id,
                           route_id=ref.route("desk").id,
                           topic_ids=(ref.topics.active[0].id,), consent=True,
                           phone="+31612345678")
    save_inquiry(db, earlier, member(db, "collega"), FROZEN_NOW)
    db.close()
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, phone="06-12345678")
        await pilot.pause()
        await timers.advance(QUIET, pilot)  # the moment the look-up would have run
        assert "Eerder contact" not in text_of(app, "#msg-personal")
        assert rows(db_path, "SELECT count(*) FROM audit_log WHERE action = 'search'") == [(0,)]
        form(app, consent="1")  # and with consent it does run
        await pilot.pause()
        await timers.advance(QUIET, pilot)
        assert "Eerder contact op dit telefoonnummer: 1×" in text_of(app, "#msg-personal")
        assert rows(db_path, "SELECT count(*) FROM audit_log WHERE action = 'search'") == [(1,)]


async def test_opening_an_urgent_inquiry_for_correction_is_not_a_change(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Smilde", topics="hg", route="social_work")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.open_correction(1)
        await settle(pilot)
        assert not app.screen.is_dirty()
        await pilot.press("escape")  # leaves without asking
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog) and app.screen.correcting is None


async def test_a_correction_never_overwrites_someone_elses_change(db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.open_correction(1)
        await settle(pilot)
        # Meanwhile a colleague corrects the same inquiry from another desk.
        db = open_database(db_path)
        from balie.db.inquiries import correct_inquiry, load_inquiry

        theirs = load_inquiry(db, 1)
        correct_inquiry(db, 1, InquiryInput(**{**theirs.columns(), "age": 50,
                                                "topic_ids": theirs.topic_ids,
                                                "callback_at": None}),
                        member(db, "collega"), FROZEN_NOW)
        db.close()
        form(app, age="40")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "intussen door iemand anders gewijzigd" in text_of(app, "#status")
        assert app.screen.query_one("#age", Input).value == "40"  # still there to redo
    assert rows(db_path, "SELECT age FROM inquiry") == [(50,)]


async def test_a_retired_village_does_not_block_a_correction(db_path):
    from balie.db.reference import KINDS, set_retired

    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form(app, village="Orvelte", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        db = open_database(db_path)
        set_retired(db, admin(db), KINDS["villages"], "Orvelte", True)
        db.close()
        app.screen.reload_reference()
        await settle(pilot)
        app.screen.open_correction(1)
        await settle(pilot)
        form(app, age="33")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "opgeslagen" in text_of(app, "#status")
        form(app, village="Orvelte", topics="Wonen", route="desk")  # but not for new ones
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "geen dorp in de lijst" in text_of(app, "#msg-who")


def test_a_crash_report_shows_no_typed_data():
    from balie.app import crash_report

    def handler(name: str) -> None:
        phone = "0612345678"  # noqa: F841 - a local a default crash report would print
        raise ValueError(f"kapot bij {name}")

    try:
        handler("Anna de Boer")
    except ValueError as error:
        report = crash_report(error)
    assert "ValueError" in report and "handler" in report
    assert "Anna" not in report and "0612345678" not in report


def test_a_retired_staff_account_cannot_register(db_path):
    from balie.db.errors import StoreError
    from balie.db.reference import KINDS, set_retired

    db = open_database(db_path)
    member(db, "vertrokken")
    set_retired(db, admin(db), KINDS["staff"], "vertrokken", True)
    db.close()
    with pytest.raises(StoreError, match="ingetrokken"):
        make_app(db_path, username="vertrokken")
