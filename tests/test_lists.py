"""Every list of balie reloads one way (balie.widgets.show_rows): columns as wide as
their content, and the cursor on the row the person sees, never on a stale index."""

from __future__ import annotations

from datetime import timedelta

from textual import events
from textual.widgets import DataTable

from balie.db import open_database
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from tests.conftest import FROZEN_NOW, member
from tests.test_intake_screen import build, form, settle


def cursor_key(table: DataTable) -> str | None:
    """The key of the row under the cursor."""
    return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value


def visible_rows(table: DataTable) -> list[str]:
    """The table's lines as drawn now (a paint of the screen at this moment)."""
    return [table.render_line(y).text for y in range(table.size.height)]


def register(db_path, village: str, *, username: str = "test.balie", minutes: int = 0,
             **extra) -> int:
    """An inquiry saved by ``username`` (another process: another desk, or this desk's
    own earlier start)."""
    db = open_database(db_path)
    try:
        ref = load_reference(db)
        data = InquiryInput(channel_id=ref.channels.active[0].id,
                            village_id=ref.villages.named(village).id,
                            route_id=ref.route("desk").id, topic_ids=(ref.topics.active[0].id,),
                            **extra)
        return save_inquiry(db, data, member(db, username),
                            FROZEN_NOW - timedelta(minutes=minutes)).id
    finally:
        db.close()


async def save_by_keyboard(pilot, village: str) -> None:
    form(pilot.app, village=village, topics="Wonen", route="desk")
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_ctrl_l_enter_opens_the_registration_just_saved(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await save_by_keyboard(pilot, "Elp")
        await save_by_keyboard(pilot, "Spier")
        await pilot.press("ctrl+l", "enter")
        await settle(pilot)
        assert app.screen.correcting == 2  # Spier, not the Elp of the save before
        assert app.screen.query_one("#village").value == "Spier"


async def test_the_newest_row_is_in_view_after_a_save_in_a_scrolled_list(db_path):
    for minutes in range(8, 0, -1):  # earlier registrations of this desk today
        register(db_path, "Beilen", minutes=minutes)
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#today-table", DataTable)
        await pilot.press("ctrl+l", *["down"] * 7)  # looking at the oldest, at the bottom
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert table.scroll_y > 0
        await save_by_keyboard(pilot, "Hooghalen")
        assert cursor_key(table) == "9"
        assert any("Hooghalen" in line for line in visible_rows(table))


async def test_today_columns_fit_what_they_show_from_the_first_paint(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await save_by_keyboard(pilot, "Elp")  # "Dorp" is as wide as the widest village
        register(db_path, "Hoogersmilde")  # this desk, from its other terminal
        await app.screen.today.reload()
        visible_rows(app.screen.today.table)  # a paint before the table was idle
        await settle(pilot)
        shown = "\n".join(visible_rows(app.screen.today.table))
        assert "Hoogersmilde" in shown and "Elp" in shown


async def test_a_reload_by_another_desk_keeps_the_cursor_on_its_row(db_path):
    app = build(db_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await save_by_keyboard(pilot, "Elp")
        await save_by_keyboard(pilot, "Spier")
        table = app.screen.today.table
        await pilot.press("ctrl+l", "down")
        assert cursor_key(table) == "1"
        register(db_path, "Wijster")  # a new row above the cursor's
        app.screen.data_changed()
        await settle(pilot)
        assert cursor_key(table) == "1"
        assert table.cursor_row == 2


async def test_ctrl_l_enter_typed_in_one_go_opens_the_registration_just_saved(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await save_by_keyboard(pilot, "Elp")
        await save_by_keyboard(pilot, "Spier")
        app.post_message(events.Key("ctrl+l", None))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert app.screen.correcting == 2


async def test_ctrl_t_and_a_digit_typed_in_one_go_choose_the_route(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", summary="huur")
        app.screen.query_one("#summary").focus()
        await settle(pilot)
        app.post_message(events.Key("ctrl+t", None))
        app.post_message(events.Key("4", "4"))
        await settle(pilot)
        assert app.screen.query_one("#route").value == "desk"
        assert app.screen.query_one("#summary").text == "huur"  # no "4" in the story
