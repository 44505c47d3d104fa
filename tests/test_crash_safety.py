"""A desk killed at any moment (power cut, kill -9) loses no saved inquiry and leaves
nothing half-saved.

A child process saves inquiries in a loop and reports each one only after its save has
returned; the test kills it with SIGKILL at random moments, many times, on the same
database. Afterwards the database must be intact, every reported inquiry present, and
every inquiry in it whole: its row as saved, its topics and its 'created' history line.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from balie.db import open_database
from balie.db.inquiries import STATUS_CLOSED, STATUS_NEW, InquiryInput, load_inquiry
from balie.db.reference import load_reference
from balie.domain.reference_data import ROUTE_TEAM
from balie.domain.timekeeping import to_db
from tests.crash_child import STAFF, inquiry_input, number_of, registered_at

KILLS = 60
MAX_DELAY = 0.150
"""Seconds after the child is ready; 0 kills it before its first save."""
REPOSITORY = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def run_until_killed(db_path: Path, run: int, delay: float) -> list[tuple[int, int]]:
    """Start a child, kill it ``delay`` seconds after it is ready; what it reported."""
    errors = db_path.with_name(f"child-{run}.err")
    with errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_child", str(db_path), str(run)],
            cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        first = child.stdout.readline() if ready else ""
        if first == "ready\n":
            time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        # Read to the end through the same reader: nothing it buffered is lost.
        out = child.stdout.read()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert first == "ready\n", f"run {run}: the child did not start: {errors.read_text()}"
    assert child.returncode == -signal.SIGKILL, \
        f"run {run} ended by itself: {errors.read_text()}"
    # A line cut off by the kill (no newline yet) was not reported.
    return [tuple(map(int, line.split())) for line in out.splitlines(keepends=True)
            if line.endswith("\n")]


def assert_whole(db, ref, staff_id: int, inquiry_id: int, n: int) -> None:
    """Inquiry ``inquiry_id`` is inquiry number ``n``, with all that was saved for it."""
    expected = inquiry_input(ref, n)
    topics = db.execute("SELECT topic_id FROM inquiry_topic WHERE inquiry_id = ? "
                        "ORDER BY topic_id", [inquiry_id]).fetchall()
    assert [t for (t,) in topics] == sorted(expected.topic_ids), (inquiry_id, n, "topics")
    saved = load_inquiry(db, inquiry_id)
    for field in fields(InquiryInput):
        if field.name != "topic_ids":
            got, wanted = getattr(saved, field.name), getattr(expected, field.name)
            assert got == wanted, (inquiry_id, n, field.name)
    assert (saved.registered_at, saved.registered_by) == (registered_at(n), staff_id)
    team = ref.routes[expected.route_id].kind == ROUTE_TEAM
    assert saved.status == (STATUS_NEW if team else STATUS_CLOSED)
    events = db.execute("SELECT kind, at, staff_id, to_route_id FROM inquiry_event "
                        "WHERE inquiry_id = ?", [inquiry_id]).fetchall()
    assert events == [("created", to_db(registered_at(n)), staff_id, expected.route_id)]


@pytest.mark.slow
def test_killing_a_desk_at_any_moment_loses_nothing_and_leaves_nothing_half_saved(db_path):
    open_database(db_path).close()
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    reported: dict[int, int] = {}
    for run in range(KILLS):
        for inquiry_id, n in run_until_killed(db_path, run, rng.uniform(0, MAX_DELAY)):
            assert inquiry_id not in reported, f"id {inquiry_id} given twice (seed {seed})"
            reported[inquiry_id] = n
    # The kills landed while saving, not only before the first save of each run.
    assert len(reported) >= KILLS, f"only {len(reported)} saves reported (seed {seed})"

    with open_database(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        ref = load_reference(db)
        (staff_id,) = db.execute("SELECT id FROM staff WHERE username = ?", [STAFF]).fetchone()
        stored = dict(db.execute("SELECT id, summary FROM inquiry").fetchall())
        # Every reported inquiry is there, and is the one reported.
        missing = sorted(set(reported) - set(stored))
        assert not missing, f"reported but lost: {missing} (seed {seed})"
        for inquiry_id, summary in stored.items():
            n = number_of(summary)
            assert reported.get(inquiry_id, n) == n, (inquiry_id, seed)
            # Also the ones committed just before a kill, before they could be reported.
            assert_whole(db, ref, staff_id, inquiry_id, n)
        # At most one such inquiry per kill.
        assert len(stored) - len(reported) <= KILLS
        orphans = db.execute(
            """SELECT (SELECT count(*) FROM inquiry_topic WHERE inquiry_id NOT IN
                          (SELECT id FROM inquiry)),
                      (SELECT count(*) FROM inquiry_event WHERE inquiry_id NOT IN
                          (SELECT id FROM inquiry))""").fetchone()
        assert orphans == (0, 0)
