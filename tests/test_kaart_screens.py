"""The sociale kaart at the desk, keyboard only, at 80x24: the Naar field of the form
and the kaart screen (F6)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from balie.app import make_app
from balie.db import open_database
from balie.db.directory import add_entry
from balie.db.reference import load_reference
from balie.domain.directory import check_entry
from balie.screens.directory import DirectoryScreen
from balie.screens.directory_edit import DirectoryEditScreen
from balie.widgets import ChoiceField, LookupInput
from tests.conftest import FROZEN_NOW, admin, member
from tests.test_intake_screen import form, rows, settle, text_of
from tests.test_snapshots import ready

DESK = (80, 24)


def build(db_path, user="test.balie"):
    return make_app(db_path, username=user, clock=lambda: FROZEN_NOW)


@pytest.fixture
def kaart_db(db_path):
    """The seed, plus an entry only for Smilde and one with its contact details."""
    db = open_database(db_path)
    ref = load_reference(db)
    beheer = admin(db)
    member(db, "test.balie", "Test Balie")
    add_entry(db, beheer, check_entry({"organisation": "Schuldhulp Smilde",
                                       "topics": "Financiën", "villages": "Smilde"}, ref),
              FROZEN_NOW)
    add_entry(db, beheer, check_entry({
        "organisation": "Repair Café", "topics": "Overig", "phone": "0593 555555",
        "hours": "elke eerste zaterdag 10-13 uur", "desk_note": "Alleen met eigen spullen"},
        ref), FROZEN_NOW)
    db.close()
    return db_path


def referral_rows(db_path) -> list[tuple]:
    return rows(db_path, """SELECT inquiry_id, directory_entry.name FROM inquiry_referral
                            JOIN directory_entry ON directory_entry.id = entry_id
                            ORDER BY inquiry_id, position""")


async def test_topic_and_village_suggest_first_then_typed_words(kaart_db):
    app = build(kaart_db)
    async with app.run_test(size=DESK) as pilot:
        await settle(pilot)
        await pilot.press(*"bei", "tab", "4", "5", "tab", "tab", *"fin", "tab")
        await settle(pilot)
        await pilot.press("ctrl+t", "5")  # extern doorverwezen
        await settle(pilot)
        assert app.screen.query_one("#referral-row").display
        app.screen.query_one("#referral").focus()
        await settle(pilot)
        lookup = app.screen.query_one("#referral", LookupInput)
        lookup.refresh_options()
        # Nothing typed: what helps with financiën in Beilen (not the Smilde-only one).
        assert lookup.options == ["Budgetconsulent", "Humanitas", "Sociaal Raadsvrouw",
                                  "Voedselbank"]
        hint = text_of(app, "#msg-route")
        assert hint.startswith("Past bij financiën in Beilen: Budgetconsulent")
        await pilot.press("tab")  # Tab through an empty field does not fill it
        await settle(pilot)
        assert lookup.value == "" and app.focused.id == "followup"
        await pilot.press("shift+tab", "down", "down", "tab")  # ↓ chooses, Tab takes
        await settle(pilot)
        assert lookup.value == "Humanitas"
        await pilot.press("shift+tab", "end", *", rep", "tab")  # typed words, a second one
        await settle(pilot)
        assert lookup.value == "Humanitas, Repair Café"
        info = text_of(app, "#referral-info")
        assert "Humanitas: tel. nog aanvullen · bereikbaar nog aanvullen" in info
        assert ("Repair Café: tel. 0593 555555 · bereikbaar elke eerste zaterdag 10-13 uur"
                " · Let op: Alleen met eigen spullen") in info.replace("\n", " ")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status") == (
            "Opgeslagen: nummer 1 → Extern doorverwezen (Humanitas, Repair Café).")
    assert referral_rows(kaart_db) == [(1, "Humanitas"), (1, "Repair Café")]


async def test_typed_words_initials_and_accents_and_a_mistake(kaart_db):
    app = build(kaart_db)
    async with app.run_test(size=DESK) as pilot:
        await settle(pilot)
        form(app, village="Smilde", topics="Financiën", route="external")
        await settle(pilot)
        app.screen.query_one("#referral").focus()
        await pilot.press(*"schuld")
        await settle(pilot)
        lookup = app.screen.query_one("#referral", LookupInput)
        assert lookup.options[0] == "Schuldhulp Smilde"  # name first; serves Smilde
        await pilot.press("tab")
        await settle(pilot)
        assert lookup.value == "Schuldhulp Smilde"
        form(app, referral="vnn, cafe")  # initials and no accent
        await settle(pilot)
        result = app.screen.form.result
        assert [e.name for e in result.referrals] == ["VNN — verslavingszorg", "Repair Café"]
        form(app, referral="Voedselbank, xyz")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'xyz' staat niet op de sociale kaart" in text_of(app, "#msg-route")
        assert app.focused.id == "referral"  # nothing saved, nothing lost
        assert app.screen.query_one("#referral", Input).value == "Voedselbank, xyz"
    assert referral_rows(kaart_db) == []


async def test_information_given_at_the_desk_with_a_follow_up(kaart_db):
    app = build(kaart_db)
    async with app.run_test(size=DESK) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Overig", route="desk", referral="repair",
             followup="2w")
        await settle(pilot)
        assert str(app.screen.query_one("#referral-label").render()) == "Info over"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Vul ook het telefoonnummer in om na te bellen" in text_of(app, "#msg-route")
        form(app, consent="1", phone="06-12345678")
        await settle(pilot)
        assert "Nabellen di 24 mrt 09:00: is het gelukt?" in text_of(app, "#referral-info")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen: nummer 1 → Afgehandeld aan")
    assert rows(kaart_db, "SELECT followup_at, followup_result FROM inquiry") == [
        ("2026-03-24T08:00:00Z", "pending")]
    assert referral_rows(kaart_db) == [(1, "Repair Café")]


async def test_the_kaart_screen_searches_and_puts_an_entry_in_the_form(kaart_db):
    app = build(kaart_db)
    async with app.run_test(size=DESK) as pilot:
        await settle(pilot)
        form(app, village="Smilde", topics="Financiën")  # during a call: no route yet
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        table = screen.query_one("#list", DataTable)
        first = [str(table.get_row_at(i)[1]) for i in range(3)]
        assert "Schuldhulp Smilde" in first  # fits the form's topic and village
        assert "Eerst wat past bij financiën in Smilde" in text_of(app, "#summary")
        await pilot.press(*"repair")
        await settle(pilot)
        assert table.row_count == 1
        details = text_of(app, "#details")
        assert "Tel. 0593 555555" in details and "Let op: Alleen met eigen spullen" in details
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace",
                          "backspace", *"voedsel")
        await settle(pilot)
        assert "Tel. nog aanvullen" in text_of(app, "#details")
        # Keys of beheer are not offered to the desk.
        assert screen.check_action("edit", ()) is False
        await pilot.press("f9")
        await settle(pilot)
        assert not isinstance(app.screen, DirectoryEditScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "intake"
        assert app.screen.query_one("#referral", Input).value == "Voedselbank"
        assert app.screen.query_one("#route", ChoiceField).value == "external"
        assert "Voedselbank staat in het formulier" in text_of(app, "#status")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert referral_rows(kaart_db) == [(1, "Voedselbank")]


async def test_beheer_adds_changes_and_checks_entries_on_the_kaart(kaart_db):
    app = build(kaart_db, user="test.beheer")
    async with app.run_test(size=DESK) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, DirectoryEditScreen)
        await pilot.press(*"Kledingbank", "tab", "tab", *"Gratis kleding")
        await pilot.press("tab", *"financien", "tab", *"Assen", "ctrl+s")
        await settle(pilot)
        assert "dorpen: 'Assen' is geen dorp of gebied" in text_of(app, "#edit-messages")
        assert app.focused.id == "edit-villages"  # at the field; all typed is kept
        app.screen.query_one("#edit-villages", Input).value = "Beilen"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Kledingbank opgeslagen; telt als controle." in text_of(app, "#status")
        assert "Kledingbank" in text_of(app, "#details")
        await pilot.press("f9")
        await settle(pilot)
        app.screen.query_one("#edit-phone", Input).value = "0593 111111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Tel. 0593 111111" in text_of(app, "#details")
        await pilot.press(*"actium", "ctrl+g")
        await settle(pilot)
        assert "Actium: als gecontroleerd vastgelegd." in text_of(app, "#status")
    assert rows(kaart_db, """SELECT name, phone, checked_by IS NOT NULL FROM directory_entry
                             WHERE name IN ('Kledingbank', 'Actium') ORDER BY name""") == [
        ("Actium", "", 1), ("Kledingbank", "0593 111111", 1)]
    assert rows(kaart_db, """SELECT village.name FROM directory_entry_village
                             JOIN village ON village.id = village_id
                             JOIN directory_entry ON directory_entry.id = entry_id
                             WHERE directory_entry.name = 'Kledingbank'""") == [("Beilen",)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_kaart_layout(snap_compare, kaart_db, size):
    async def search(pilot) -> None:
        await ready(pilot)
        await pilot.press("f6")
        await ready(pilot)
        await pilot.press(*"repa")
        await ready(pilot)

    assert snap_compare(build(kaart_db), terminal_size=size, run_before=search)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_form_with_referrals_layout(snap_compare, kaart_db, size):
    async def fill(pilot) -> None:
        await ready(pilot)
        form(pilot.app, village="Beilen", age="58", topics="Financiën", route="external",
             referral="Humanitas, Repair Café", followup="j", consent="1",
             phone="06-12345678")
        pilot.app.screen.query_one("#referral").focus()
        await ready(pilot)

    assert snap_compare(build(kaart_db), terminal_size=size, run_before=fill)


async def kaart_notices(db_path, monkeypatch, now) -> list[str]:
    """The notices of beheer's start, waiting (within a deadline of steps) for the
    sociale kaart's."""
    import balie.app as app_module

    monkeypatch.setattr(app_module, "RETENTION_NOTICE_DELAY", 0.01)
    app = app_module.make_app(db_path, username="test.beheer", clock=lambda: now)
    async with app.run_test(size=DESK) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if any(title == "Sociale kaart" for title, _ in app.notices_shown):
                break
        return [f"{title}: {text}" for title, text in app.notices_shown]


async def test_beheer_is_told_once_a_day_how_many_entries_to_check(kaart_db, monkeypatch):
    assert await kaart_notices(kaart_db, monkeypatch, FROZEN_NOW) == []  # all recent
    with open_database(kaart_db) as db:  # the seed came on the kaart long ago
        db.execute("UPDATE directory_entry SET added_at = '2024-01-01T00:00:00Z' "
                   "WHERE checked_at IS NULL")
        stale = db.execute("SELECT count(*) FROM directory_entry "
                           "WHERE checked_at IS NULL").fetchone()[0]
    told = await kaart_notices(kaart_db, monkeypatch, FROZEN_NOW)
    assert f"Sociale kaart: {stale} adressen zijn een jaar niet gecontroleerd; kijk ze na " \
        "met F6 en Ctrl+R (of: balie kaart list --stale)" in told
    assert await kaart_notices(kaart_db, monkeypatch, FROZEN_NOW) == []  # the same day
