"""The daily overview: navigation, switching, export, and the same figures as the CLI."""

from __future__ import annotations

import csv
import io
import re

from rich.text import Text
from textual.widgets import DataTable, Input, Static

from balie.app import make_app
from balie.db.reference import load_reference
from balie.db.reports import report
from balie.domain.periods import containing
from balie.domain.report_output import table_rows
from balie.screens.factsheet import FactsheetScreen
from balie.screens.overview import OverviewScreen
from tests.conftest import DST_START, FROZEN_NOW, lead, seat

SIZE = (120, 40)


APRIL = FROZEN_NOW.replace(month=4, day=15)
"""A month later: March 2026, with most of the fixture, is over and may go outside."""


def build(db_path, now=FROZEN_NOW):
    """The app of a team lead (not beheer: no notices at start)."""
    seat(db_path, "teamleider", roles=("balie", "teamleider"))
    app = make_app(db_path, username="teamleider", clock=lambda: now)
    assert app.staff.roles == {"balie", "teamleider"}
    return app


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_overview(pilot) -> OverviewScreen:
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OverviewScreen)
    return screen


def shown(screen: OverviewScreen) -> list[list[str]]:
    table = screen.query_one("#report", DataTable)
    rows = []
    for index in range(table.row_count):
        cells = table.get_row_at(index)
        rows.append([(c.plain if isinstance(c, Text) else str(c)).strip() for c in cells])
    return rows


def title(screen) -> str:
    return str(screen.query_one("#title", Static).render())


async def test_the_screen_shows_exactly_what_balie_report_computes(fixture_db, db_path):
    db, ref = fixture_db
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        screen.period = containing("day", DST_START)
        screen.hide_empty = False
        screen.recount()
        await settle(pilot)
        expected = table_rows(report(db, lead(db), ref, containing("day", DST_START), "village"))
        assert [row[:len(expected[0])] for row in shown(screen)] == expected


async def test_arrows_today_and_a_typed_date_move_through_time(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        assert "dinsdag 10 maart 2026" in title(screen)
        await pilot.press("left")
        await settle(pilot)
        assert "maandag 9 maart 2026" in title(screen)
        await pilot.press("right", "right")
        await settle(pilot)
        assert "woensdag 11 maart 2026" in title(screen)
        await pilot.press("t")
        await settle(pilot)
        assert "dinsdag 10 maart 2026" in title(screen)
        await pilot.press("d")
        assert isinstance(app.focused, Input)
        await pilot.press(*"31-2", "enter")  # impossible: said at the line, text kept
        assert "bestaat niet" in str(screen.query_one("#status").render())
        assert app.focused.value == "31-2"
        app.focused.value = "29-3"  # without a year: the last 29 March, a year ago
        await pilot.press("enter")
        await settle(pilot)
        assert "zaterdag 29 maart 2025" in title(screen)
        await pilot.press("d")
        app.focused.value = "29-3-2026"
        await pilot.press("enter")
        await settle(pilot)
        assert "zondag 29 maart 2026" in title(screen)
        total = next(row for row in shown(screen) if row[0] == "Totaal")
        assert total[6] == "3"


async def test_switching_period_and_breakdown(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        await pilot.press("p")  # week
        await settle(pilot)
        assert "week 11 van 2026" in title(screen)
        await pilot.press("p")  # month
        await settle(pilot)
        assert title(screen).endswith("maart 2026")
        assert next(row for row in shown(screen) if row[0] == "Totaal")[6] == "6"
        await pilot.press("i")  # by area
        await settle(pilot)
        assert title(screen).startswith("Gebied x route")
        await pilot.press("i", "i", "i")  # channel, topic, hour
        await settle(pilot)
        assert title(screen).startswith("Uur x route")
        await pilot.press("p", "p")  # quarter, year
        await settle(pilot)
        assert "2026" in title(screen) and "maart" not in title(screen)
        await pilot.press("p")  # round again: day
        await settle(pilot)
        assert "maart 2026" in title(screen)
        await pilot.press("r")  # own range
        assert isinstance(app.focused, Input)
        app.focused.value = "28-3-2026 t/m 30-3-2026"
        await pilot.press("enter")
        await settle(pilot)
        assert "28 mrt 2026 t/m 30 mrt 2026" in title(screen)


async def test_avg_view_and_export_for_excel(fixture_db, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("BALIE_EXPORT_DIR", str(tmp_path / "export"))
    app = build(db_path, APRIL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        await pilot.press("p", "p", "left")  # the month before: March
        await pilot.press("a")
        await settle(pilot)
        beilen = next(row for row in shown(screen) if row[0] == "Beilen")
        assert "<10" in beilen and "2" not in beilen[1:7]
        await pilot.press("e")
        await settle(pilot)
        status = str(screen.query_one("#status").render())
        assert status.startswith("Opgeslagen als ")
    (exported,) = (tmp_path / "export").glob("*.csv")
    assert exported.name == "balie-village-2026-03-01-2026-03-31-avg.csv"
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig")),
                           delimiter=";"))
    assert rows[2][0] == "Dorp" and any(r and r[0] == "Beilen" and "<10" in r for r in rows)


async def test_avg_view_only_where_figures_may_go_outside(fixture_db, db_path):
    db, ref = fixture_db
    app = build(db_path, APRIL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        status = screen.query_one("#status")
        await pilot.press("a")  # a day: refused, said why
        await settle(pilot)
        assert "alleen per maand, kwartaal of jaar" in str(status.render())
        assert not screen.suppressed and "<10" not in str(shown(screen))
        await pilot.press("p", "p", "a")  # this month: its counts still change
        await settle(pilot)
        assert "afgelopen maand" in str(status.render()) and not screen.suppressed
        await pilot.press("left", "a")  # March: the same cells as balie report
        await settle(pilot)
        march = report(db, lead(db), ref, containing("month", FROZEN_NOW.date()), "village",
                       now=APRIL, include_empty=False)
        expected = table_rows(march, suppressed=True)
        assert [row[:len(expected[0])] for row in shown(screen)] == expected
        assert any("<10" in row for row in expected)
        assert str(status.render()) == ""  # the refusal of April no longer stands
        await pilot.press("i")  # by area: still for outside use
        await settle(pilot)
        assert screen.suppressed and title(screen).startswith("Gebied")
        await pilot.press("i")  # by channel: not, and the view says so
        await settle(pilot)
        assert not screen.suppressed
        assert str(status.render()).startswith("AVG: alleen per dorp")
        assert str(status.render()).endswith("Nu uit.")
        assert "AVG: uit" in str(screen.query_one("#settings").render())


async def test_the_end_of_the_calendar_is_a_message(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        await pilot.press("d")
        app.focused.value = "31-12-2199"
        await pilot.press("enter")
        await settle(pilot)
        assert "31 december 2199" in title(screen)
        await pilot.press("right")
        await settle(pilot)
        assert "31 december 2199" in title(screen)
        assert "2199" in str(screen.query_one("#status").render())
        await pilot.press("p")  # its week reaches into 2200: shown, not a crash
        await settle(pilot)
        assert "week 1 van 2200" in title(screen)


async def test_factsheet_and_back_to_registering(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_overview(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FactsheetScreen)

        def body() -> str:
            return str(app.screen.query_one("#factsheet-body").render())

        # One page at a time: the first team, T the next, the desk's page last.
        assert body().startswith("Cliëntondersteuning · 2026")
        assert "vorig jaar tot hetzelfde moment: 0" in body()  # 2026 is not over yet
        await pilot.press("t", "t")
        await settle(pilot)
        assert body().startswith("Seniorenwerk · 2026") and "Vragen: 2 " in body()
        await pilot.press("a")  # not while the year's counts still change
        await settle(pilot)
        assert "afgelopen" in str(app.screen.query_one("#factsheet-status").render())
        await pilot.press("left", "a")  # 2025: hidden as the village table hides it
        await settle(pilot)
        assert body().startswith("Seniorenwerk · 2025")
        assert "Voor extern gebruik (AVG)" in body()
        await pilot.press("t", "t")
        await settle(pilot)
        assert body().startswith("Cliëntondersteuning · 2025")
        assert "Vragen: <10" in body() and "Vragen: 1 " not in body()
        # A small total: no groups (at 120 columns the sections stand side by side).
        assert re.search(r"Geslacht[^\n]*\n[^\n]* niet gepubliceerd", body())
        await pilot.press("p")  # a quarter of 2025
        await settle(pilot)
        assert body().startswith("Cliëntondersteuning · 4e kwartaal 2025")
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.current_mode == "intake"


async def test_charts_and_village_trends_on_request(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_overview(pilot)
        assert not screen.query_one("#charts").display  # 120 columns: the table first
        await pilot.press("g")
        await settle(pilot)
        assert screen.query_one("#charts").display
        charts = screen.query(".chart")
        assert len(charts) == len(load_reference(fixture_db[0]).routes.all)
        table = screen.query_one("#report", DataTable)
        assert str(table.ordered_columns[-1].label).strip().startswith("Trend")
        await pilot.press("g")
        await settle(pilot)
        assert not screen.query_one("#charts").display


async def test_large_terminals_show_the_charts_at_once(fixture_db, db_path):
    app = build(db_path)
    async with app.run_test(size=(150, 40)) as pilot:
        screen = await open_overview(pilot)
        assert screen.query_one("#charts").display
