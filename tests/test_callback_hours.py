"""A callback on a Saturday, a public holiday or outside office hours is said, with the
weekday, and confirmed by the desk: in the form and on F4's "niet bereikt" alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balie.db import open_database
from balie.db.inquiries import load_inquiry
from balie.db.reference import load_reference
from balie.db.settings import OFFICE_HOURS, set_setting
from balie.domain.workhours import OfficeHours, off_hours
from balie.screens.callbacks import CallbacksScreen
from balie.screens.dialog import ChoiceDialog
from tests.conftest import FROZEN_NOW
from tests.test_inbox_screen import register
from tests.test_intake_screen import build, form, rows, settle, text_of

# FROZEN_NOW is Tuesday 10 March 2026, 10:30 in Beilen.


@pytest.mark.parametrize(("moment", "said"), [
    (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), "zaterdag 14 maart is geen werkdag"),
    (datetime(2026, 3, 15, 12, 0, tzinfo=UTC), "zondag 15 maart is geen werkdag"),
    (datetime(2026, 4, 6, 8, 0, tzinfo=UTC), "maandag 6 april is Tweede paasdag, geen werkdag"),
    (datetime(2026, 3, 10, 17, 30, tzinfo=UTC),
     "dinsdag 10 maart 18:30 is buiten kantoortijd (09:00-17:00)"),
    (datetime(2026, 3, 11, 7, 59, tzinfo=UTC),
     "woensdag 11 maart 08:59 is buiten kantoortijd (09:00-17:00)"),
    (datetime(2026, 3, 11, 8, 0, tzinfo=UTC), None),  # 09:00 in Beilen
    (datetime(2026, 3, 11, 15, 59, tzinfo=UTC), None),
])
def test_off_hours_names_the_day(moment, said):
    assert off_hours(moment) == said


def test_office_hours_decide_what_is_late():
    evening = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
    assert off_hours(evening, OfficeHours(datetime(1, 1, 1, 8).time(),
                                          datetime(1, 1, 1, 20).time())) is None


async def test_the_form_warns_and_asks_before_saving_a_saturday_callback(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", consent="1",
             phone="06-12345678", callback="za")
        await settle(pilot)
        assert "zaterdag 14 maart is geen werkdag" in text_of(app, "#msg-personal")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        question = str(app.screen.query_one("#dialog-question").render())
        assert "za 14 mrt 09:00" in question and "zaterdag" in question
        await pilot.press("n")
        await settle(pilot)
        assert rows(db_path, "SELECT count(*) FROM inquiry") == [(0,)]
        assert app.screen.query_one("#callback").value == "za"  # nothing lost
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert text_of(app, "#status").startswith("Opgeslagen")
    assert rows(db_path, "SELECT callback_at FROM inquiry") == [("2026-03-14T08:00:00Z",)]


async def test_the_form_follows_the_office_hours_setting(db_path):
    db = open_database(db_path)
    set_setting(db, OFFICE_HOURS, "08:00-20:00", FROZEN_NOW)
    db.close()
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk", consent="1",
             phone="06-12345678", callback="18:30")
        await settle(pilot)
        assert "buiten kantoortijd" not in text_of(app, "#msg-personal")
        form(app, callback="21:00")
        await settle(pilot)
        assert "21:00 is buiten kantoortijd (08:00-20:00)" in text_of(app, "#msg-personal")


async def test_not_reached_asks_before_trying_again_on_a_saturday(db_path):
    db = open_database(db_path)
    ref = load_reference(db)
    due = register(db, ref, "desk", at=FROZEN_NOW, callback=FROZEN_NOW + timedelta(hours=1))
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CallbacksScreen)
        await pilot.press("n", *"za 10u", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "zaterdag 14 maart is geen werkdag" in str(
            app.screen.query_one("#dialog-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert load_inquiry(db, due).callback_at == FROZEN_NOW + timedelta(hours=1)
        assert screen.query_one("#ask-input").value == "za 10u"  # type another time
        screen.query_one("#ask-input").value = "morgen 10u"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog)
        assert load_inquiry(db, due).callback_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    db.close()
