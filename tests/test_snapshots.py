"""Layout snapshots of the intake form at the smallest supported size and a roomy one.

Update after a deliberate layout change with ``pytest tests/test_snapshots.py
--snapshot-update`` and look at the SVGs before committing them.

balie's timers run on the test's clock (the ``timers`` fixture), which these tests never
move: a notice at start (beheer's retention check after 1.5 s) or a reload cannot end up
in a snapshot because the machine was slow. A form shows valid input, or invalid input
with its message: a snapshot never makes a wrong state look right.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, TextArea

from balie.app import make_app
from tests.conftest import FROZEN_NOW
from tests.test_intake_screen import form
from tests.timers import settle, wait_until

SIZES = [(80, 24), (120, 40)]


def still(app) -> None:
    """No blinking cursor: a snapshot must not depend on the moment it is taken."""
    for widget in app.query(Input):
        widget.cursor_blink = False
    for widget in app.query(TextArea):
        widget.cursor_blink = False


def no_notices_today(db_path) -> None:
    """The start-up notices were shown today already (they come once a day): a beheer's
    snapshot must not depend on whether the retention notice came before it."""
    from balie.db import open_database
    from balie.db.settings import first_time_today
    from balie.domain.timekeeping import local_day

    db = open_database(db_path)
    for key in ("retention", "permissions"):
        first_time_today(db, f"notice.{key}", local_day(FROZEN_NOW), FROZEN_NOW)
    db.close()


def laid_out(app) -> bool:
    """Every table has measured its rows: a DataTable sizes its columns when its queue
    is empty, which on a busy machine can come after the first pause (a snapshot then
    showed "Smil" for "Smilde")."""
    return not any(table._require_update_dimensions or table._updated_cells
                   for table in app.screen.query(DataTable))


async def ready(pilot) -> None:
    await settle(pilot)
    await wait_until(pilot, lambda: laid_out(pilot.app), "the tables' column widths")
    await pilot.pause()
    # A notice of the start (retention, permissions) comes after a delay: whether it is
    # in the snapshot would depend on the machine's speed.
    pilot.app.clear_notifications()
    await pilot.pause()
    still(pilot.app)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_empty_form(snap_compare, timers, db_path, size):
    app = make_app(db_path, username="snapshot", clock=lambda: FROZEN_NOW)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filled_form_with_suggestion_and_messages(snap_compare, timers, db_path, size):
    app = make_app(db_path, username="snapshot", clock=lambda: FROZEN_NOW)

    async def fill(pilot) -> None:
        await ready(pilot)
        form(pilot.app, village="Beilen", topics="wonen", route="desk")
        await pilot.press("ctrl+s")
        await ready(pilot)
        form(pilot.app, village="hoog", age="1948", topics="eenz, hg",
             summary="Buurvrouw belt: zorgen over veiligheid thuis en eenzaamheid.",
             consent="1", name="Ëlla 't Hart", phone="0593-123456", callback="morgen 10u")
        pilot.app.screen.query_one("#village").focus()
        await pilot.pause()
        pilot.app.clear_notifications()  # see ready()
        await pilot.pause()
        still(pilot.app)

    assert snap_compare(app, terminal_size=size, run_before=fill)


def test_help_screen(snap_compare, timers, db_path):
    app = make_app(db_path, username="snapshot", clock=lambda: FROZEN_NOW)

    async def help_open(pilot) -> None:
        await ready(pilot)
        await pilot.press("f1")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(100, 40), run_before=help_open)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_of_a_month(snap_compare, timers, db_path, size):
    from balie.db import open_database
    from tests.conftest import fill_fixture

    db = open_database(db_path)
    fill_fixture(db)
    db.close()
    no_notices_today(db_path)
    app = make_app(db_path, username="snapshot", clock=lambda: FROZEN_NOW)

    async def month(pilot) -> None:
        for key in ("f2", "p", "p"):
            await pilot.press(key)
            await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=month)


def test_audit_log_of_beheer(snap_compare, timers, db_path):
    from balie.db import open_database
    from tests.conftest import fill_fixture

    db = open_database(db_path)
    fill_fixture(db)
    db.close()
    no_notices_today(db_path)
    # The fixture's staff are no beheer: the account making the file is the first.
    app = make_app(db_path, username="snapshot", clock=lambda: FROZEN_NOW,
                   origin="balie-test /dev/pts/1")

    async def inquiry_ten(pilot) -> None:
        await ready(pilot)
        await pilot.press("f5")
        await ready(pilot)
        await pilot.press("n", *"10", "enter")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=inquiry_ten)


def test_login_screen_of_a_browser_session(snap_compare, timers, db_path):
    app = make_app(db_path, login=True, clock=lambda: FROZEN_NOW, origin="web 127.0.0.1")
    assert snap_compare(app, terminal_size=(100, 30), run_before=ready)


@pytest.mark.parametrize(("size", "pages"), [((80, 24), 0), ((120, 40), 1)],
                         ids=["80x24", "120x40"])
def test_factsheet_of_the_annual_report(snap_compare, db_path, size, pages):
    """A team's 2023 page of the annual report's history: bars at 80 columns, two
    columns of sections at 120."""
    from datetime import date

    from balie.db import open_database
    from balie.db.access import sign_in
    from balie.db.importing import store_import
    from balie.db.reference import load_reference
    from balie.domain.importing import read_import
    from balie.domain.periods import containing
    from balie.screens.factsheet import FactsheetScreen
    from tests import annual_report
    from tests.conftest import member

    db = open_database(db_path)
    _, actor = sign_in(db, "snapshot", "test", FROZEN_NOW, owns_file=True)
    store_import(db, read_import(annual_report.csv_text(), load_reference(db), FROZEN_NOW),
                 "historie.csv", actor, FROZEN_NOW)
    # A team lead, not beheer: no notice about old registrations covers the page.
    member(db, "teamleider", "Teamleider", roles=("teamleider",))
    db.close()
    app = make_app(db_path, username="teamleider", clock=lambda: FROZEN_NOW)

    async def open_factsheet(pilot) -> None:
        await ready(pilot)
        reference = await pilot.app.run_db(load_reference)
        pilot.app.push_screen(FactsheetScreen(containing("year", date(2023, 6, 1)),
                                              reference, False))
        await ready(pilot)
        for _ in range(pages):
            await pilot.press("t")
        await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_factsheet)
