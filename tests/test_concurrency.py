"""Several desks (processes) writing to one file at once lose nothing and raise nothing."""

from __future__ import annotations

import re
import subprocess
import sys
import threading

from balie.db import open_database
from balie.db.backup import backup
from tests.conftest import FROZEN_NOW, admin
from tests.serving import wait_until

WRITER = """
import os, sys
from datetime import datetime, timezone
from balie.db import open_database
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from tests.conftest import member

db = open_database(sys.argv[1])
ref = load_reference(db)
staff = member(db, sys.argv[2])
stop = sys.argv[4] if len(sys.argv) > 4 else None
for n in range(int(sys.argv[3])):
    if stop and os.path.exists(stop):
        break
    data = InquiryInput(
        channel_id=ref.channels.active[0].id,
        village_id=ref.villages.active[n % 5].id,
        route_id=ref.routes.active[n % 5].id,
        topic_ids=(ref.topics.active[n % 14].id,),
        summary=f"{sys.argv[2]} {n}",
    )
    save_inquiry(db, data, staff, datetime.now(timezone.utc))
    print(n, flush=True)
db.close()
"""


def start_writers(path, count, per_writer, *stop):
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"balie{k}", str(per_writer),
             *map(str, stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(count)
    ]


def test_four_desks_writing_at_once_lose_nothing(db_path):
    open_database(db_path).close()
    writers = start_writers(db_path, 4, 150)
    results = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0] * 4, [err for _, err in results]
    assert all(err == "" for _, err in results)
    db = open_database(db_path)
    summaries = {r[0] for r in db.execute("SELECT summary FROM inquiry")}
    assert summaries == {f"balie{k} {n}" for k in range(4) for n in range(150)}
    # Every inquiry has its topic and its history line.
    assert db.execute("SELECT count(*) FROM inquiry_topic").fetchone()[0] == 600
    assert db.execute("SELECT count(*) FROM inquiry_event").fetchone()[0] == 600
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


class Progress:
    """How many inquiries a writer has reported saved (each line is printed after the
    commit), read from its output while it runs."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.saved = 0
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.saved = int(line) + 1


def saved_by_writer(path, writers: int) -> list[list[int]]:
    """Per writer, the numbers of its inquiries in a database (by their summaries)."""
    found: list[list[int]] = [[] for _ in range(writers)]
    db = open_database(path)
    try:
        for (summary,) in db.execute("SELECT summary FROM inquiry"):
            k, n = re.fullmatch(r"balie(\d+) (\d+)", summary).groups()
            found[int(k)].append(int(n))
        inquiries = db.execute("SELECT count(*) FROM inquiry").fetchone()[0]
        # A consistent snapshot: no inquiry without its topic and history line.
        assert db.execute("SELECT count(*) FROM inquiry_topic").fetchone()[0] == inquiries
        assert db.execute("SELECT count(*) FROM inquiry_event").fetchone()[0] == inquiries
    finally:
        db.close()
    return [sorted(numbers) for numbers in found]


def test_a_backup_taken_while_desks_write_is_consistent(db_path, tmp_path):
    open_database(db_path).close()
    stop = tmp_path / "stop"
    writers = start_writers(db_path, 2, 100_000, stop)  # until told to stop
    progress = [Progress(w) for w in writers]
    copies = []
    db = open_database(db_path)
    try:
        beheer = admin(db)
        for n in range(3):
            # A barrier: every writer has saved more since the last copy, and goes on.
            wanted = [p.saved + 5 for p in progress]
            wait_until(lambda wanted=wanted: all(
                p.saved >= at_least for p, at_least in zip(progress, wanted))
                or any(w.poll() is not None for w in writers), 120, "the writers to save more")
            assert all(w.poll() is None for w in writers), "a writer stopped early"
            reported = [p.saved for p in progress]
            copies.append((backup(db, beheer, tmp_path / f"kopie{n}.db", FROZEN_NOW),
                           reported))
    finally:
        db.close()
        stop.touch()
        results = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in results]
    earlier = [0, 0]
    for copy, reported in copies:
        numbers = saved_by_writer(copy, 2)
        for k, mine in enumerate(numbers):
            # Each writer commits in order: a snapshot holds a beginning of its work, with
            # at least everything it had reported saved when the copy began.
            assert mine == list(range(len(mine))), f"kopie {copy.name}: gaten bij balie{k}"
            assert len(mine) >= max(reported[k], earlier[k], 5)
            earlier[k] = len(mine)
    final = saved_by_writer(db_path, 2)
    assert all(len(mine) > copied for mine, copied in zip(final, earlier))  # wrote on after
