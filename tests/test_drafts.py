"""A waiting draft is never passed over in silence, and throwing typed work away asks."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

from textual.widgets import Input

from balie.db import open_database
from balie.db.drafts import orphaned_drafts, process_alive, save_draft
from balie.domain.intake import IntakeDraft
from balie.domain.timekeeping import utc_now
from balie.screens.dialog import ChoiceDialog
from tests.conftest import FROZEN_NOW, member
from tests.test_intake_screen import DRAFT_WRITER, build, rows, settle, text_of

ELSEWHERE = "andere-balie"
"""A draft of another machine, quiet for longer than the grace: always orphaned."""


def orphan(db_path, village: str = "Wijster") -> int:
    db = open_database(db_path)
    try:
        staff = member(db, "test.balie")
        body = IntakeDraft(village=village, age="81", topics="eenz").to_json()
        return save_draft(db, None, staff.id, ELSEWHERE, 1, body,
                          FROZEN_NOW - timedelta(hours=1))
    finally:
        db.close()


def state(pid: int) -> str:
    """The state letter of a process (Linux /proc), "" when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return ""


def question(app) -> str:
    return str(app.screen.query_one("#dialog-question").render())


async def test_a_key_typed_before_the_offer_does_not_pass_the_draft_over(db_path, monkeypatch):
    orphan(db_path)
    typed = threading.Event()
    # The start's look for drafts waits (on the database thread) until a key is typed.
    for name in ("balie.screens.drafts", "balie.screens.intake"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "expire_drafts"):
            original = module.expire_drafts
            monkeypatch.setattr(module, "expire_drafts",
                                lambda *a, _o=original: typed.wait(10) and _o(*a))
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"bei")
        typed.set()
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog)  # the typing is not interrupted
        assert app.screen.query_one("#village", Input).value == "bei"
        assert "Er wacht nog niet-opgeslagen werk" in text_of(app, "#status")
        assert "Wijster" in text_of(app, "#status")
        await pilot.press("escape", "j")  # the form is cleared: now it is offered
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "Wijster, 81 jaar" in question(app)


async def test_weggooien_asks_first(db_path):
    orphan(db_path)
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("w")
        await settle(pilot)
        assert "Weggooien?" in question(app)
        await pilot.press("enter")  # the safe answer has the focus: nothing thrown away
        await settle(pilot)
        assert rows(db_path, "SELECT count(*) FROM draft") == [(1,)]
        assert "Terughalen" in str(app.screen.query_one("#answer-restore").render())
        await pilot.press("w", "j")
        await settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog)
        assert text_of(app, "#status") == "Concept weggegooid."
    assert rows(db_path, "SELECT count(*) FROM draft") == [(0,)]


async def test_a_killed_app_not_yet_reaped_offers_its_draft_at_once(db_path):
    open_database(db_path).close()
    child = subprocess.Popen([sys.executable, "-c", DRAFT_WRITER, str(db_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "typed"
        os.kill(child.pid, signal.SIGKILL)
        # Not waited for: until its parent reaps it, the dead process is a zombie, and a
        # restart right after the crash must not take it for a running app.
        deadline = time.monotonic() + 10
        while state(child.pid) != "Z":
            assert time.monotonic() < deadline, "the killed child never became a zombie"
            time.sleep(0.01)
        app = build(db_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)
            assert "Wijster, 81 jaar" in question(app)
    finally:
        child.kill()
        child.wait()


def test_a_process_younger_than_the_draft_is_not_its_app(db):
    """A pid handed out again (a restart in a container may get the very same pid)."""
    staff = member(db, "test.balie")
    now = utc_now()
    host, pid = "balie-server", os.getpid()
    assert process_alive(pid, timedelta(0))
    assert not process_alive(pid, timedelta(hours=1))
    save_draft(db, None, staff.id, host, pid, '{"village": "Elp"}', now - timedelta(hours=1))
    (offered,) = orphaned_drafts(db, staff.id, host, pid, now)  # this pid, an older app's
    assert '"Elp"' in offered.body
    save_draft(db, None, staff.id, host, pid, '{"village": "Spier"}', now)
    assert [d.body for d in orphaned_drafts(db, staff.id, host, pid, now)] == [offered.body]
