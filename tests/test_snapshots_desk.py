"""Snapshots of the desk's day at 80x24 and 100x30: a refused save, today's list after
two saves, the callbacks. Update with ``--snapshot-update`` after a deliberate change
and look at every SVG before committing it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from balie.app import make_app
from balie.db import open_database
from balie.db.reference import load_reference
from tests.conftest import FROZEN_NOW, member
from tests.test_inbox_screen import register
from tests.test_intake_screen import form
from tests.test_snapshots import ready, still

SIZES = [(80, 24), (100, 30)]


def desk(db_path):
    db = open_database(db_path)
    member(db, "test.balie", "Test Balie")
    db.close()
    return make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_form_with_errors_after_a_refused_save(snap_compare, db_path, size):
    async def refused(pilot) -> None:
        await ready(pilot)
        form(pilot.app, village="Beilen", age="1948", summary="Belt over de huur",
             consent="1", phone="12", callback="za", postcode="94")
        await pilot.press("ctrl+s")
        await ready(pilot)

    assert snap_compare(desk(db_path), terminal_size=size, run_before=refused)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_todays_list_after_two_saves(snap_compare, db_path, size):
    async def two(pilot) -> None:
        await ready(pilot)
        for village, topics in (("Hooghalen", "Wonen"), ("Nieuw-Balinge", "fin, eenz")):
            form(pilot.app, village=village, topics=topics, route="desk")
            await pilot.press("ctrl+s")
            await ready(pilot)
        await pilot.press("ctrl+l")
        await ready(pilot)

    assert snap_compare(desk(db_path), terminal_size=size, run_before=two)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_callbacks(snap_compare, db_path, size):
    db = open_database(db_path)
    ref = load_reference(db)
    register(db, ref, at=FROZEN_NOW - timedelta(days=1), name="Jan Smit",
             callback=FROZEN_NOW - timedelta(hours=2))
    register(db, ref, "desk", at=FROZEN_NOW, name="Ëlla 't Hart",
             callback=FROZEN_NOW + timedelta(hours=3), summary="Vraagt naar de huurtoeslag")
    register(db, ref, "senior_work", at=FROZEN_NOW, callback=FROZEN_NOW + timedelta(hours=5),
             summary="Buurvrouw belt over eenzaamheid en de trap die te steil is")
    db.close()

    async def callbacks(pilot) -> None:
        await ready(pilot)
        await pilot.press("f4")
        await ready(pilot)
        still(pilot.app)

    assert snap_compare(desk(db_path), terminal_size=size, run_before=callbacks)
