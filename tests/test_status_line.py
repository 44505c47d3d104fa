"""One status line for everything: read whole, cleared when no longer true, and a
refused save says where every error is."""

from __future__ import annotations

from balie.widgets import StatusLine
from tests.test_intake_screen import build, form, settle, text_of


def shown(app) -> str:
    """The status line as drawn on screen, its lines joined (a message cut at the
    terminal's width would be missing its end)."""
    status = app.screen.query_one("#status", StatusLine)
    lines = [status.render_line(y).text.strip() for y in range(status.size.height)]
    return " ".join(line for line in lines if line)


def on_screen(app, selector: str) -> bool:
    """Whether the widget is within the visible part of the screen (not scrolled away)."""
    widget = app.screen.query_one(selector)
    region = widget.region
    return bool(region) and region.intersection(app.screen.region) == region and \
        region.intersection(widget.parent.region) == region


async def test_a_long_message_is_read_whole_at_80_columns(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#gender").focus()
        await pilot.press("q")  # no gender has this key
        await settle(pilot)
        message = text_of(app, "#status")
        assert len(message) > 80
        assert shown(app) == message


async def test_the_correction_message_goes_when_the_correction_is_cancelled(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form(app, village="Beilen", topics="Wonen", route="desk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+l", "enter")
        await settle(pilot)
        assert "geopend voor correctie" in text_of(app, "#status")
        await pilot.press("escape")  # nothing changed: cancelled without a question
        await settle(pilot)
        assert app.screen.correcting is None
        assert "correctie" not in text_of(app, "#status")


async def test_a_wrong_key_message_goes_with_the_next_right_key(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#gender").focus()
        await pilot.press("q")
        assert "één toets" in text_of(app, "#status")
        await pilot.press("v")
        await settle(pilot)
        assert text_of(app, "#status") == ""


async def test_a_refused_save_names_every_field_and_shows_the_first(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Errors from the top of the form to its bottom, most of them below the fold.
        form(app, village="Beilen", summary="belt over de huur", consent="1",
             phone="12", callback="morgen 10u", postcode="94")
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = app.screen.form.result.errors
        assert set(errors) >= {"topics", "route", "phone", "postcode"}
        status = shown(app)
        for label in ("Onderwerp", "Route", "Telefoon", "Postcode"):
            assert label in status, status
        assert app.focused.id == "topics"
        assert on_screen(app, "#topics") and on_screen(app, "#msg-topics")
        # Fixing them: the line says what is left, then that all is well.
        form(app, topics="Wonen", route="desk")
        await settle(pilot)
        assert "Onderwerp" not in shown(app) and "Telefoon" in shown(app)
        form(app, phone="06-12345678", postcode="9411 AB")
        await settle(pilot)
        assert text_of(app, "#status") == "Alles klopt nu: Ctrl+S slaat op."
