"""The schema is created and upgraded only by migrations, recorded in the file."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from balie.db import open_database
from balie.db.connection import connect
from balie.db.errors import DatabaseTooNew
from balie.db.migrations import KNOWN, applied_names, migrate


def applied(db) -> list[str]:
    return applied_names(db)


def test_a_new_file_gets_every_migration_in_order(db):
    assert applied(db) == KNOWN
    assert KNOWN == sorted(KNOWN), "migration names are numbered and applied in order"
    tables = set(db.table_names())
    assert {"inquiry", "inquiry_topic", "inquiry_event", "village", "area", "route",
            "channel", "topic", "directory_entry", "inquiry_referral", "staff", "audit_log",
            "setting"} <= tables


def test_opening_again_applies_nothing(db_path):
    open_database(db_path).close()
    db = connect(db_path)
    assert migrate(db) == []
    db.close()


def test_upgrade_from_the_previous_version_keeps_the_data(db_path):
    db = connect(db_path)
    migrate(db, stop_before=KNOWN[-1])
    assert applied(db) == KNOWN[:-1]
    db.execute("INSERT INTO setting VALUES ('marker', '\"bewaard\"', '2026-01-01T00:00:00Z')")
    db.close()

    upgraded = open_database(db_path)
    assert applied(upgraded) == KNOWN
    assert upgraded.execute("SELECT value FROM setting WHERE key = 'marker'").fetchone() == (
        '"bewaard"',
    )
    upgraded.close()


def test_a_database_from_a_newer_balie_is_refused(db_path):
    db = open_database(db_path)
    db["_sqlite_migrations"].insert(
        {"migration_set": "balie", "name": "9999_from_the_future",
         "applied_at": str(datetime.now(UTC))}
    )
    db.close()
    with pytest.raises(DatabaseTooNew, match="nieuwere versie van balie") as error:
        open_database(db_path)
    assert "9999_from_the_future" in error.value.message


def test_desks_starting_at_once_on_a_new_file_migrate_it_exactly_once(tmp_path):
    path = tmp_path / "gedeeld.db"
    script = (
        "import sys; from balie.db import open_database; "
        "db = open_database(sys.argv[1]); db.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path)], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [p.communicate()[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    db = open_database(path)
    assert applied(db) == KNOWN
    # Seed data went in once, not four times.
    assert db.execute("SELECT count(*) FROM route").fetchone()[0] == 5
    db.close()


def test_inquiries_of_before_the_team_inboxes_arrive_in_them(db_path):
    recent = {n: (datetime.now(UTC) - timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
              for n in (1, 2, 3)}
    db = connect(db_path)
    migrate(db, stop_before="0006_team_inboxes")
    with db.write():
        db.execute("INSERT INTO staff (username, display_name, created_at) "
                   "VALUES ('anna', 'Anna', '2026-01-01T00:00:00Z')")
        for number, status in ((1, "new"), (2, "picked_up"), (3, "closed")):
            stamp = recent[number]
            db.execute(
                """INSERT INTO inquiry (id, registered_at, registered_by, channel_id,
                       village_id, route_id, status, updated_at)
                   VALUES (?, ?, 1, 1, 1, 2, ?, ?)""", [number, stamp, status, stamp])
            db.execute("INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind, "
                       "old_value, new_value) VALUES (?, ?, 1, 'status', 'new', ?)",
                       [number, stamp, status])
        soon = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        # A team inquiry of last year that nobody could close before this version.
        db.execute(
            """INSERT INTO inquiry (id, registered_at, registered_by, channel_id,
                   village_id, route_id, status, updated_at)
               VALUES (6, '2025-01-06T09:00:00Z', 1, 1, 1, 2, 'new', '2025-01-06T09:00:00Z')""")
        for number, callback in ((4, "2020-01-06T09:00:00Z"), (5, soon)):
            db.execute(
                """INSERT INTO inquiry (id, registered_at, registered_by, channel_id,
                       village_id, route_id, updated_at, consent, phone, callback_at)
                   VALUES (?, ?, 1, 1, 1, 4, ?, 1, '+31612345678', ?)""",
                [number, callback, callback, callback])
    db.close()

    upgraded = open_database(db_path)
    rows = upgraded.execute(
        "SELECT id, intake_route_id, owner_id, queued_at, closed_at FROM inquiry WHERE id <= 3 "
        "ORDER BY id").fetchall()
    assert rows == [  # of the last two weeks: in the lists as they were
        (1, 2, None, recent[1], None),
        (2, 2, 1, recent[2], None),
        (3, 2, None, recent[3], recent[3]),  # closed, never picked up: no owner
    ]
    # The history kept every line and takes the new kinds of event.
    # A backlog nobody could work on is closed, and the history says why.
    assert upgraded.execute("SELECT status, closed_at FROM inquiry WHERE id = 6").fetchone() \
        == ("closed", "2025-01-06T09:00:00Z")
    assert upgraded.execute("SELECT reason FROM inquiry_event WHERE inquiry_id = 6"
                            ).fetchone()[0].startswith("afgesloten bij de invoering")
    # Callbacks of long ago could not be marked as done before: they are now.
    assert upgraded.execute("SELECT id FROM inquiry WHERE callback_done_at IS NOT NULL"
                            ).fetchall() == [(4,)]
    assert upgraded.execute("SELECT count(*) FROM inquiry_event").fetchone() == (3 + 1,)
    with upgraded.write():
        upgraded.execute("INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind) "
                         "VALUES (1, '2026-03-04T09:00:00Z', 1, 'pickup')")
    upgraded.close()


def test_staff_keep_their_role_and_routes_get_a_retention_period(db_path):
    db = connect(db_path)
    migrate(db, stop_before="0007_privacy")
    with db.write():
        db.execute("INSERT INTO staff (username, display_name, role, created_at) "
                   "VALUES ('anna', 'Anna', 'team', '2026-01-01T00:00:00Z'), "
                   "('bert', 'Bert', 'balie', '2026-01-01T00:00:00Z')")
    db.close()

    upgraded = open_database(db_path)
    assert upgraded.execute("SELECT username, role FROM staff JOIN staff_role "
                            "ON staff_id = staff.id ORDER BY username").fetchall() == [
        ("anna", "team"), ("bert", "balie")]
    columns = {row[1] for row in upgraded.execute("PRAGMA table_info(staff)")}
    assert "role" not in columns and {"password_hash", "failed_logins"} <= columns
    assert dict(upgraded.execute("SELECT kind, min(retention_months) FROM route "
                                 "GROUP BY kind").fetchall()) == {
        "team": 24, "desk": 6, "external": 6}
    assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []
    upgraded.close()


def test_waits_of_inquiries_picked_up_before_the_factsheets_come_from_the_history(db_path):
    db = connect(db_path)
    migrate(db, stop_before="0009_factsheets")
    with db.write():
        db.execute("INSERT INTO staff (username, display_name, created_at) "
                   "VALUES ('anna', 'Anna', '2026-01-01T00:00:00Z')")
        # Queued Friday 6 March 2026 15:30 Amsterdam; picked up Monday 10:00 (the last
        # pick-up counts); the second never was.
        for number, status in ((1, "closed"), (2, "new")):
            db.execute(
                """INSERT INTO inquiry (id, registered_at, registered_by, channel_id,
                       village_id, route_id, status, updated_at, queued_at)
                   VALUES (?, '2026-03-06T14:30:00Z', 1, 1, 1, 2, ?, '2026-03-06T14:30:00Z',
                           '2026-03-06T14:30:00Z')""", [number, status])
        for at in ("2026-03-09T08:00:00Z", "2026-03-09T09:00:00Z"):
            db.execute("INSERT INTO inquiry_event (inquiry_id, at, staff_id, kind) "
                       "VALUES (1, ?, 1, 'pickup')", [at])
    db.close()

    upgraded = open_database(db_path)
    assert upgraded.execute("SELECT id, wait_minutes FROM inquiry ORDER BY id").fetchall() \
        == [(1, 150), (2, None)]
    names = {row[0] for row in upgraded.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"inquiry_factsheet", "inquiry_channel", "inquiry_hour"} <= names
    assert "inquiry_by_route_time" not in names
    upgraded.close()
