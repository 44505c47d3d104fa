"""The overview at the desk's size: every figure of the report is on screen, whole.

Read off the rendered screen at 80×24 and 100×30, over every page of columns
(Shift+→) and every scroll position, each cell must be exactly the report's own text
(the same code as ``balie report``), and every line and column must be seen. Before the
table was fitted, 80 columns showed 25 as "2" and "<10" as "<1".
"""

from __future__ import annotations

import asyncio
import string
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balie.db.reports import report
from balie.domain.models import Entries, Reference
from balie.domain.periods import containing
from balie.domain.report import BREAKDOWNS, Report, build_report
from balie.domain.report_output import headers, published_rows
from tests.conftest import FROZEN_NOW, lead
from tests.screen_reading import Reading, read_table, screen_lines
from tests.test_overview_screen import APRIL, build, open_overview, settle

SIZES = [(80, 24), (100, 30)]
DAY_KEYS = ["d", *"29-3-2026", "enter"]
"""To the day the clocks go forward, with the most inquiries of the fixture."""


async def read_whole_table(pilot, expected: list[list[str]], heads: list[str],
                           label_heading: str) -> Reading:
    """Every page of columns, every scroll position; what the screen showed."""
    app = pilot.app
    table = app.screen.query_one("#report")
    pages = getattr(table, "pages", 1)  # the table of before had one page, cut
    for _ in range(pages):
        await pilot.press("shift+left")
    reading = Reading()
    for page in range(pages):
        assert getattr(table, "page", 0) == page
        table.scroll_home(animate=False)
        await pilot.pause()
        while True:
            read_table(screen_lines(app), label_heading, heads, expected, reading,
                       width=app.size.width - 1, bottom=table.region.bottom)
            if table.scroll_y >= table.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        await pilot.press("shift+right")
        await pilot.pause()
    return reading


def expected_rows(db, ref, screen, now) -> tuple[list[list[str]], list[str]]:
    result = report(db, lead(db), ref, screen.period, screen.breakdown, now=now,
                    include_empty=not screen.hide_empty)
    return (published_rows(result, suppressed=screen.suppressed)[1],
            headers(result, short=True)[1:])


def assert_all_read(reading: Reading, expected: list[list[str]], heads: list[str]) -> None:
    assert reading.wrong == []
    missing = {(row[0], h) for row in expected for h in heads} - reading.seen
    assert missing == set()


CASES = {
    "day": (FROZEN_NOW, [*DAY_KEYS, "l"]),
    "month": (FROZEN_NOW, ["p", "p", "l"]),
    "month-avg": (APRIL, ["p", "p", "left", "a"]),
    "month-charts": (FROZEN_NOW, ["p", "p", "g"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_figure_of_the_report_is_on_screen_whole(fixture_db, db_path, size, case):
    db, ref = fixture_db
    now, keys = CASES[case]
    app = build(db_path, now=now)
    async with app.run_test(size=size) as pilot:
        screen = await open_overview(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert screen.suppressed == (case == "month-avg")
        expected, heads = expected_rows(db, ref, screen, now)
        reading = await read_whole_table(pilot, expected, heads, BREAKDOWNS["village"])
        assert_all_read(reading, expected, heads)


async def test_pages_say_which_columns_and_keep_their_place(fixture_db, db_path):
    """At 80 columns the comparison is one Shift+→ away, the title says so, and a new
    period keeps the page (the person was comparing with last year)."""
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_overview(pilot)
        for key in ["p", "p", "l"]:  # every village, the longest labels
            await pilot.press(key)
            await settle(pilot)
        lines = screen_lines(app)
        assert "kolommen 1/2, Shift+→" in lines[1]
        assert not any("schil" in line for line in lines)
        await pilot.press("shift+right")
        await settle(pilot)
        lines = screen_lines(app)
        assert "kolommen 2/2, Shift+←" in lines[1]
        assert any("schil" in line for line in lines)
        await pilot.press("left")  # the month before
        await settle(pilot)
        assert "februari 2026" in screen_lines(app)[1]
        assert any("schil" in line for line in screen_lines(app))
        await pilot.press("shift+right")  # no more columns: said, not silent
        await settle(pilot)
        assert "Er zijn geen kolommen meer rechts." in screen_lines(app)[-2]


async def test_charts_read_whole_at_80_columns(fixture_db, db_path):
    """Route names and figures of the charts are whole words, never "Cliëntonderste"."""
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_overview(pilot)
        await pilot.press("g")
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        for name in ("Cliëntond.", "Maatsch.", "Senioren", "Balie", "Extern"):
            assert f" {name} " in text
        assert "(totaal, hoogste op een dag)" in text
        assert "1, max 1 " in text  # the Seniorenwerk of 10 March


# --- any count table: a property --------------------------------------------------------

NAME_LETTERS = string.ascii_letters + "ëéïöü-'/ "


@st.composite
def count_tables(draw, ref: Reference) -> Report:
    """A village report of some villages with long names and 0 to 99,999 per cell."""
    villages = draw(st.lists(st.sampled_from(ref.villages.all), min_size=1, max_size=7,
                             unique_by=lambda v: v.id))
    renamed = []
    for number, village in enumerate(villages):
        name = draw(st.text(NAME_LETTERS, min_size=0, max_size=45)).strip()
        renamed.append(replace(village, name=f"{number} {name}".strip()))
    reference = replace(ref, villages=Entries.of(renamed))
    figures = st.integers(0, 99_999)
    cells, previous = Counter(), Counter()
    for village in renamed:
        for route in ref.routes.all:
            cells[(village.id, route.id)] = draw(figures)
            previous[(village.id, route.id)] = draw(st.sampled_from([0, 0, 5, 99_999]))
    period = containing("month", FROZEN_NOW.date().replace(day=1) - timedelta(days=1))
    return build_report(reference, period, "village", cells, Counter(), previous, Counter())


class OpenOverview:
    """One overview at 80×24, kept open for every generated table (a new app for each
    example would make this test take a minute). The app runs in one task, as
    ``run_test`` wants; :meth:`run` hands it a job and waits for its result."""

    def __init__(self, path) -> None:
        self.loop = asyncio.new_event_loop()
        self.jobs: asyncio.Queue = asyncio.Queue()
        ready = self.loop.create_future()
        self.task = self.loop.create_task(self.host(build(path), ready))
        self.loop.run_until_complete(ready)

    async def host(self, app, ready) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_overview(pilot)
            screen.period = containing("month", date(2026, 2, 1))  # over: not recounted
            ready.set_result(None)
            while (job := await self.jobs.get()) is not None:
                work, done = job
                try:
                    done.set_result(await work(pilot, screen))
                except Exception as error:
                    done.set_exception(error)

    def run(self, work):
        done = self.loop.create_future()
        self.jobs.put_nowait((work, done))
        return self.loop.run_until_complete(done)

    def close(self) -> None:
        self.jobs.put_nowait(None)
        self.loop.run_until_complete(self.task)
        self.loop.close()


@pytest.fixture(scope="module")
def overview_80(tmp_path_factory):
    opened = OpenOverview(tmp_path_factory.mktemp("fit") / "balie.db")
    yield opened
    opened.close()


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_count_table_is_on_screen_whole_at_80_columns(overview_80, seeded_reference,
                                                          data):
    result = data.draw(count_tables(seeded_reference))
    expected = published_rows(result)[1]
    heads = headers(result, short=True)[1:]

    async def show_and_read(pilot, screen) -> Reading:
        screen.show(result, None, published_rows(result))
        await pilot.pause()
        return await read_whole_table(pilot, expected, heads, BREAKDOWNS["village"])

    assert_all_read(overview_80.run(show_and_read), expected, heads)
