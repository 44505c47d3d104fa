"""A bug stops balie with the error's type, its place in the code and the inquiry
number: never the error's message, never local variables (both can hold a caller's
name). Each test plants a unique name where a usual report would show it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual import constants
from textual.widgets import Static

import balie.app as app_module
import balie.screens.intake as intake_module
import balie.screens.intake_form as form_module
from balie.app import make_app
from balie.crash import EX_SOFTWARE, crash_report
from balie.db import open_database
from balie.db.inquiries import InquiryInput, history, load_inquiry, save_inquiry
from balie.db.reference import load_reference
from balie.screens.history import HistoryScreen
from tests.conftest import FROZEN_NOW, member

PLANTED = "Zwanetta Oosterbroek-Tjalsma"
"""A name found nowhere else: wherever it shows up, it leaked."""
SIZE = (100, 32)
ROOT = Path(__file__).resolve().parent.parent


def registered(db_path: Path, count: int = 3) -> list[int]:
    db = open_database(db_path)
    try:
        ref = load_reference(db)
        staff = member(db, "test.balie")
        data = InquiryInput(channel_id=ref.channels.active[0].id,
                            village_id=ref.villages.named("Beilen").id,
                            route_id=ref.route("social_work").id,
                            topic_ids=(ref.topics.active[0].id,), age=40)
        return [save_inquiry(db, data, staff, FROZEN_NOW).id for _ in range(count)]
    finally:
        db.close()


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def correct_and_type_the_name(pilot, number: int) -> None:
    """Open ``number`` for correction and type the planted name into the form."""
    app = pilot.app
    app.screen.open_correction(number)
    await settle(pilot)
    app.screen.query_one("#name").focus()
    await pilot.press(*PLANTED)
    await settle(pilot)


# --- the report ----------------------------------------------------------------------


def test_the_report_names_types_and_places_only():
    def lookup(name: str) -> None:
        phone = "0612345678"  # noqa: F841 - a local Textual's report would print
        try:
            raise KeyError(name)
        except KeyError as error:
            raise RuntimeError(f"kapot bij {name}") from error

    try:
        lookup(PLANTED)
    except RuntimeError as error:
        report = crash_report(error, inquiry_id=41)
    assert report.startswith("balie is gestopt door een programmafout: RuntimeError.")
    assert "Ontstaan uit: KeyError." in report
    assert "Vraag waaraan gewerkt werd: nummer 41." in report
    assert "tests/test_crash.py:" in report and "lookup" in report
    assert PLANTED not in report and "0612345678" not in report and "kapot" not in report


# --- the app -------------------------------------------------------------------------


def broken_change_counter(db):
    name = PLANTED  # noqa: F841 - in the frame's locals too
    raise RuntimeError(f"data_version onleesbaar bij {PLANTED}")


def broken_check(original):
    def check(draft, *args, **kwargs):
        if draft.name == PLANTED:
            raise RuntimeError(f"kan {draft.name} niet controleren")
        return original(draft, *args, **kwargs)
    return check


@pytest.mark.parametrize("where", ["data layer, in a timer", "form handler"])
async def test_a_crash_in_the_app_shows_type_and_number_but_no_typed_name(
        db_path, monkeypatch, capfd, where):
    numbers = registered(db_path)
    monkeypatch.setattr(app_module, "POLL_SECONDS", 0.05)  # the poll is the timer
    app = make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)
    with pytest.raises(RuntimeError) as raised:  # run_test hands the error to the test
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            if where == "form handler":
                monkeypatch.setattr(form_module, "check", broken_check(form_module.check))
            await correct_and_type_the_name(pilot, numbers[-1])
            if where.startswith("data layer"):
                monkeypatch.setattr(app_module, "change_counter", broken_change_counter)
            await pilot.pause(0.3)
    assert PLANTED in str(raised.value)  # the error did carry the name ...
    out, err = capfd.readouterr()
    assert PLANTED not in out + err  # ... and it was not shown
    assert "programmafout: RuntimeError." in err
    assert f"Vraag waaraan gewerkt werd: nummer {numbers[-1]}." in err
    assert "Traceback" not in err
    assert app.return_code == EX_SOFTWARE


async def test_a_bug_in_a_database_call_of_the_form_is_a_status_line_without_data(
        db_path, monkeypatch):
    def broken_save(*args, **kwargs):
        raise RuntimeError(f"opslaan mislukt voor {PLANTED}")

    monkeypatch.setattr(intake_module, "save_inquiry", broken_save)
    app = make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        for field, value in (("village", "Beilen"), ("age", "40"), ("topics", "Wonen"),
                             ("consent", "1"), ("name", PLANTED)):
            screen.query_one(f"#{field}").value = value
        screen.query_one("#route").value = "desk"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#status", Static).render())
        assert "RuntimeError" in status and PLANTED not in status
        assert app.is_running  # a failed save is not a crash: the form is still there


async def test_every_screen_tells_which_inquiry_it_is_working_on(db_path):
    numbers = registered(db_path)
    app = make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_inquiry_id is None  # a new registration has no number yet
        app.screen.open_correction(numbers[1])
        await settle(pilot)
        assert app.current_inquiry_id == numbers[1]
        db = open_database(db_path)
        desk = member(db, "test.balie")
        shown = HistoryScreen(numbers[0], history(db, desk, numbers[0]),
                              app.intake_screen.reference, inquiry=load_inquiry(db, numbers[0]))
        db.close()
        app.push_screen(shown)
        await settle(pilot)
        assert app.current_inquiry_id == numbers[0]  # the one in front
        app.pop_screen()
        await app.switch_mode("inbox")
        await settle(pilot)
        # A team lead (the test account) starts with every team's list.
        table = app.screen.query_one("#list")
        while app.screen.selected() != numbers[2] and table.cursor_row < table.row_count - 1:
            await pilot.press("down")
        assert app.screen.selected() is not None
        assert app.current_inquiry_id == app.screen.selected()


async def test_a_textual_panic_with_a_traceback_is_reported_the_same_way(db_path, capfd):
    from rich.traceback import Traceback

    app = make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        try:
            raise ValueError(f"toets onleesbaar: {PLANTED}")
        except ValueError:
            app.panic(Traceback())  # as Textual's input thread does
    err = capfd.readouterr().err
    assert "programmafout: ValueError." in err and PLANTED not in err


async def test_textual_writes_no_log_and_takes_no_screenshot(db_path, tmp_path, monkeypatch):
    log = tmp_path / "textual.log"
    monkeypatch.setattr(constants, "LOG_FILE", str(log))  # as TEXTUAL_LOG=... would
    monkeypatch.setattr(constants, "SCREENSHOT_DELAY", 0)  # as TEXTUAL_SCREENSHOT=0
    monkeypatch.chdir(tmp_path)
    app = make_app(db_path, username="test.balie", clock=lambda: FROZEN_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#name").focus()
        await pilot.press(*PLANTED)
        await settle(pilot)
        assert app.is_running  # no screenshot-and-exit
    assert not log.exists()
    assert not list(tmp_path.glob("*.svg"))


# --- the command line ----------------------------------------------------------------


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})


def test_a_bug_in_a_command_is_reported_without_its_message(made_db, tmp_path):
    result = run_python(f"""
        import sys
        import balie.db.reference as reference
        from balie.cli import main

        def list_entries(db, kind):
            name = {PLANTED!r}
            raise ValueError("onverwacht bij " + name)

        reference.list_entries = list_entries
        sys.exit(main(["--db", {str(made_db)!r}, "ref", "list", "villages"]))
    """, tmp_path)
    assert result.returncode == EX_SOFTWARE, result.stderr
    assert "balie is gestopt door een programmafout: ValueError." in result.stderr
    assert "list_entries" in result.stderr  # where: the function and its line
    assert PLANTED not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_errors_nobody_catches_in_threads_and_finalizers_show_no_message(tmp_path):
    result = run_python(f"""
        import gc, threading
        from balie.crash import crash_hooks

        class Holder:
            def __del__(self):
                raise ValueError({PLANTED!r})

        def work():
            name = {PLANTED!r}
            raise RuntimeError(name)

        with crash_hooks():
            thread = threading.Thread(target=work)
            thread.start()
            thread.join()
            Holder()
            gc.collect()
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "programmafout: RuntimeError." in result.stderr
    assert "genegeerde programmafout: ValueError." in result.stderr
    assert PLANTED not in result.stderr and "Traceback" not in result.stderr
