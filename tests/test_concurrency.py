"""Several desks (processes) writing to one file at once lose nothing and raise nothing."""

from __future__ import annotations

import subprocess
import sys

from balie.db import open_database
from balie.db.backup import backup
from tests.conftest import FROZEN_NOW, admin

WRITER = """
import sys
from datetime import datetime, timezone
from balie.db import open_database
from balie.db.inquiries import InquiryInput, save_inquiry
from balie.db.reference import load_reference
from tests.conftest import member

db = open_database(sys.argv[1])
ref = load_reference(db)
staff = member(db, sys.argv[2])
for n in range(int(sys.argv[3])):
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


def start_writers(path, count, per_writer):
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"balie{k}", str(per_writer)],
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


def test_a_backup_taken_while_desks_write_is_consistent(db_path, tmp_path):
    open_database(db_path).close()
    writers = start_writers(db_path, 2, 200)
    db = open_database(db_path)
    copies = []
    for n in range(3):
        copies.append(backup(db, admin(db), tmp_path / f"kopie{n}.db", FROZEN_NOW))
    for w in writers:
        w.communicate(timeout=120)
        assert w.returncode == 0
    db.close()
    for copy in copies:
        snapshot = open_database(copy)
        inquiries = snapshot.execute("SELECT count(*) FROM inquiry").fetchone()[0]
        # A consistent snapshot: no inquiry without its topic and history line.
        assert snapshot.execute("SELECT count(*) FROM inquiry_topic").fetchone()[0] == inquiries
        assert snapshot.execute("SELECT count(*) FROM inquiry_event").fetchone()[0] == inquiries
        snapshot.close()
