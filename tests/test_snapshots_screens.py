"""Snapshots of the team lead's screens at the desk's size (80×24) and a laptop's
browser tab (100×30): the overview (day, month, AVG, charts), every werkvoorraad view,
help and the command palette.

Update after a deliberate change with ``pytest tests/test_snapshots_screens.py
--snapshot-update`` and look at every SVG before committing it.
"""

from __future__ import annotations

import pytest

from balie.db.inbox import pick_up
from tests.conftest import FROZEN_NOW, member
from tests.test_inbox_screen import build as build_inbox
from tests.test_inbox_screen import team_db as team_fixture
from tests.test_overview_screen import APRIL
from tests.test_overview_screen import build as build_overview
from tests.test_snapshots import ready

team_db = team_fixture
SIZES = [(80, 24), (100, 30)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")

OVERVIEWS = {
    "day": (FROZEN_NOW, ["d", *"29-3-2026", "enter"]),
    "month": (FROZEN_NOW, ["p", "p", "l"]),
    "month-columns-right": (FROZEN_NOW, ["p", "p", "l", "shift+right"]),
    "avg": (APRIL, ["p", "p", "left", "a"]),
    "charts": (FROZEN_NOW, ["p", "p", "g"]),
}


@size_ids
@pytest.mark.parametrize("view", OVERVIEWS)
def test_overview(snap_compare, fixture_db, db_path, size, view):
    now, keys = OVERVIEWS[view]

    async def keyed(pilot) -> None:
        await ready(pilot)
        for key in ["f2", *keys]:
            await pilot.press(key)
            await ready(pilot)

    assert snap_compare(build_overview(db_path, now=now), terminal_size=size,
                        run_before=keyed)


@size_ids
@pytest.mark.parametrize("view", ["nieuw", "in-behandeling", "afgerond"])
def test_werkvoorraad(snap_compare, team_db, db_path, size, view):
    db, ref, ids = team_db
    anna = member(db, "anna")
    pick_up(db, ids["old"], member(db, "bram", "Bram Smit"), FROZEN_NOW)
    pick_up(db, ids["today"], anna, FROZEN_NOW)
    presses = {"nieuw": 0, "in-behandeling": 1, "afgerond": 2}[view]

    async def keyed(pilot) -> None:
        await ready(pilot)
        await pilot.press("f3")
        await ready(pilot)
        if view == "afgerond":  # close one first, so the list has a line
            await pilot.press("w", "a", "2", *"twee gesprekken", "enter")
            await ready(pilot)
            presses_left = 1
        else:
            presses_left = presses
        for _ in range(presses_left):
            await pilot.press("w")
            await ready(pilot)

    assert snap_compare(build_inbox(db_path), terminal_size=size, run_before=keyed)


@size_ids
@pytest.mark.parametrize("where", ["intake", "overview"])
def test_help(snap_compare, fixture_db, db_path, size, where):
    async def keyed(pilot) -> None:
        await ready(pilot)
        if where == "overview":
            await pilot.press("f2")
            await ready(pilot)
        await pilot.press("f1")
        await ready(pilot)

    assert snap_compare(build_overview(db_path), terminal_size=size, run_before=keyed)


@size_ids
@pytest.mark.parametrize("typed", ["", "export", "xyzq"])
def test_palette(snap_compare, fixture_db, db_path, size, typed):
    async def keyed(pilot) -> None:
        await ready(pilot)
        await pilot.press("f2")
        await ready(pilot)
        await pilot.press("ctrl+p")
        await ready(pilot)
        await pilot.press(*typed)
        await pilot.pause(0.8)  # "Niets gevonden" comes after half a second
        await ready(pilot)
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False

    assert snap_compare(build_overview(db_path), terminal_size=size, run_before=keyed)
